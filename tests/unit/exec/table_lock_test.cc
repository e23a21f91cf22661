// Table locks between DML and DDL: a statement that writes a table's rows
// holds it shared until its transaction ends, DDL on the table takes it
// exclusively, and a statement whose table changed under its catalog runs
// again (READ COMMITTED) or fails with 40001.
#include <atomic>
#include <chrono>
#include <thread>

#include "sql_test_util.h"

namespace neuroquantum::testing {
namespace {

class TableLockTest : public SqlTest {
 protected:
  void SetUp() override {
    SqlTest::SetUp();
    Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)");
    Ok("INSERT INTO t VALUES (1, 10)");
    other_ = db_->Connect();
  }

  // Runs `sql` on `conn` in a thread; Finish() joins it.
  void Start(Connection* conn, std::string sql) {
    done_ = false;
    thread_ = std::thread([this, conn, sql = std::move(sql)] {
      result_ = Run(conn, sql);
      done_ = true;
    });
  }
  // Whether the started statement is still waiting after a while.
  bool StillWaiting() {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    return !done_;
  }
  std::string Finish() {
    thread_.join();
    return result_;
  }

  // Whether the plan of `query` reads index `index`.
  bool PlanUses(const std::string& query, const std::string& index) {
    return Run("EXPLAIN " + query).find(index) != std::string::npos;
  }

  std::unique_ptr<Connection> other_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::string result_;
};

// The defect this closes: a row inserted under the old catalog and
// committed after CREATE INDEX built the index had no index entry.
TEST_F(TableLockTest, CreateIndexWaitsForAnOpenWriter) {
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (2, 20)"), "");
  Start(conn_.get(), "CREATE INDEX t_v ON t(v)");
  EXPECT_TRUE(StillWaiting());
  EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
  EXPECT_EQ(Finish(), "");
  const std::string query = "SELECT count(*) FROM t WHERE v = 20";
  EXPECT_TRUE(PlanUses(query, "t_v")) << Run("EXPLAIN " + query);
  EXPECT_EQ(Run(query), "1");
}

// A writer that waited for a DDL's commit runs on the new catalog: its row
// gets an entry in the index that did not exist when it started.
TEST_F(TableLockTest, WriterWaitsForOpenDdlThenUsesTheNewCatalog) {
  Ok("BEGIN");
  Ok("CREATE INDEX t_v ON t(v)");
  Start(other_.get(), "INSERT INTO t VALUES (3, 30)");
  EXPECT_TRUE(StillWaiting());
  Ok("COMMIT");
  EXPECT_EQ(Finish(), "");
  const std::string query = "SELECT id FROM t WHERE v = 30";
  EXPECT_TRUE(PlanUses(query, "t_v"));
  EXPECT_EQ(Run(query), "3");
}

// Also inside an explicit READ COMMITTED transaction, whose earlier work
// stays.
TEST_F(TableLockTest, WaitingStatementInATransactionRunsAgain) {
  Ok("CREATE TABLE u(id INTEGER PRIMARY KEY)");
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO u VALUES (1)"), "");
  Ok("BEGIN");
  Ok("ALTER TABLE t ADD COLUMN w INTEGER DEFAULT 7");
  Start(other_.get(), "INSERT INTO t(id, v) VALUES (4, 40)");
  EXPECT_TRUE(StillWaiting());
  Ok("COMMIT");
  EXPECT_EQ(Finish(), "");
  EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
  EXPECT_EQ(Run("SELECT id, v, w FROM t ORDER BY id"), "1|10|7\n4|40|7");
  EXPECT_EQ(Run("SELECT count(*) FROM u"), "1");
}

// The wait may come from a trigger's body, deep in the statement: the
// whole statement is undone and runs again.
TEST_F(TableLockTest, TriggerBodyWaitsAndTheStatementRunsAgain) {
  Ok("CREATE TABLE u(id INTEGER PRIMARY KEY, x INTEGER)");
  Ok("CREATE TRIGGER copy AFTER INSERT ON t BEGIN INSERT INTO u VALUES (NEW.id, NEW.v); END");
  Ok("BEGIN");
  Ok("CREATE INDEX u_x ON u(x)");
  Start(other_.get(), "INSERT INTO t VALUES (9, 90), (10, 100)");
  EXPECT_TRUE(StillWaiting());
  Ok("COMMIT");
  EXPECT_EQ(Finish(), "");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "3");
  const std::string query = "SELECT id FROM u WHERE x = 90";
  EXPECT_TRUE(PlanUses(query, "u_x"));
  EXPECT_EQ(Run(query), "9");
}

// REPEATABLE READ keeps its snapshot's catalog: writing a table whose
// definition changed since then is a serialization failure ...
TEST_F(TableLockTest, RepeatableReadWriterFailsAfterDdlOnItsTable) {
  EXPECT_EQ(Run(other_.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ"), "");
  EXPECT_EQ(Run(other_.get(), "SELECT count(*) FROM t"), "1");
  Ok("CREATE INDEX t_v ON t(v)");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (5, 50)"), "error 40001");
  EXPECT_EQ(Run(other_.get(), "SELECT 1"), "error 25P02");
  EXPECT_EQ(Run(other_.get(), "ROLLBACK"), "");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "1");
}

// The failure holds after ROLLBACK TO SAVEPOINT: the retry is checked
// again rather than trusted for holding the lock.
TEST_F(TableLockTest, RepeatableReadRetryAfterSavepointFailsAgain) {
  EXPECT_EQ(Run(other_.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ"), "");
  EXPECT_EQ(Run(other_.get(), "SELECT count(*) FROM t"), "1");
  EXPECT_EQ(Run(other_.get(), "SAVEPOINT a"), "");
  Ok("CREATE INDEX t_v ON t(v)");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (5, 50)"), "error 40001");
  EXPECT_EQ(Run(other_.get(), "ROLLBACK TO SAVEPOINT a"), "");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (5, 50)"), "error 40001");
  EXPECT_EQ(Run(other_.get(), "ROLLBACK"), "");
}

// ANALYZE changes statistics, not the schema: it does not excuse the
// transaction's later writes from the check.
TEST_F(TableLockTest, AnalyzeInTheTransactionDoesNotSkipTheCheck) {
  Ok("CREATE TABLE u(id INTEGER PRIMARY KEY)");
  EXPECT_EQ(Run(other_.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ"), "");
  EXPECT_EQ(Run(other_.get(), "SELECT count(*) FROM t"), "1");
  Ok("CREATE INDEX t_v ON t(v)");
  EXPECT_EQ(Run(other_.get(), "ANALYZE u"), "");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (5, 50)"), "error 40001");
  EXPECT_EQ(Run(other_.get(), "ROLLBACK"), "");
}

// An index dropped and created again under the same name is a new tree:
// a writer that waited for that writes into the new one.
TEST_F(TableLockTest, WriterThatWaitedForAnIndexRebuildUsesTheNewTree) {
  Ok("CREATE INDEX t_v ON t(v)");
  Ok("BEGIN");
  Ok("DROP INDEX t_v");
  Ok("CREATE INDEX t_v ON t(v)");
  Start(other_.get(), "INSERT INTO t VALUES (12, 120)");
  EXPECT_TRUE(StillWaiting());
  Ok("COMMIT");
  EXPECT_EQ(Finish(), "");
  const std::string query = "SELECT id FROM t WHERE v = 120";
  EXPECT_TRUE(PlanUses(query, "t_v"));
  EXPECT_EQ(Run(query), "12");
}

// ... while DDL on another table does not disturb it.
TEST_F(TableLockTest, RepeatableReadWriterIgnoresDdlOnOtherTables) {
  Ok("CREATE TABLE u(id INTEGER PRIMARY KEY, x INTEGER)");
  EXPECT_EQ(Run(other_.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ"), "");
  EXPECT_EQ(Run(other_.get(), "SELECT count(*) FROM t"), "1");
  Ok("CREATE INDEX u_x ON u(x)");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (5, 50)"), "");
  EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "2");
}

// DDL in REPEATABLE READ builds from every committed row, not only those
// of its (older) snapshot.
TEST_F(TableLockTest, RepeatableReadIndexBuildSeesLaterCommits) {
  Ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "1");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (6, 60)"), "");
  Ok("CREATE INDEX t_v ON t(v)");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "1");  // the snapshot still holds
  Ok("COMMIT");
  const std::string query = "SELECT id FROM t WHERE v = 60";
  EXPECT_TRUE(PlanUses(query, "t_v"));
  EXPECT_EQ(Run(query), "6");
}

// A unique index cannot be built over a duplicate that a concurrent
// writer is about to commit.
TEST_F(TableLockTest, UniqueIndexSeesTheDuplicateItWaitedFor) {
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (2, 10)"), "");
  Start(conn_.get(), "CREATE UNIQUE INDEX t_v ON t(v)");
  EXPECT_TRUE(StillWaiting());
  EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
  EXPECT_EQ(Finish(), "error 23505");
}

TEST_F(TableLockTest, DropTableWaitsForAnOpenWriter) {
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "UPDATE t SET v = 11 WHERE id = 1"), "");
  Start(conn_.get(), "DROP TABLE t");
  EXPECT_TRUE(StillWaiting());
  EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
  EXPECT_EQ(Finish(), "");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "error 42P01");
}

// A new foreign key changes what deleting from its parent must check, so
// creating the child waits for the parent's writers.
TEST_F(TableLockTest, ForeignKeyToATableWaitsForItsWriters) {
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO t VALUES (8, 80)"), "");
  Start(conn_.get(), "CREATE TABLE child(id INTEGER PRIMARY KEY, tid INTEGER REFERENCES t(id))");
  EXPECT_TRUE(StillWaiting());
  EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
  EXPECT_EQ(Finish(), "");
  Ok("INSERT INTO child VALUES (1, 8)");
  EXPECT_EQ(Run("DELETE FROM t WHERE id = 8"), "error 23503");
}

// A prepared transaction keeps its tables from DDL across a restart, so
// an index built later still covers its rows once it commits.
TEST_F(TableLockTest, PreparedWriterHoldsItsTableAcrossARestart) {
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (11, 110)");
  Ok("PREPARE TRANSACTION 'g'");
  other_.reset();
  Reopen();
  EXPECT_EQ(Run("CREATE INDEX t_v ON t(v)"), "error 55P03");
  Ok("COMMIT PREPARED 'g'");
  Ok("CREATE INDEX t_v ON t(v)");
  const std::string query = "SELECT id FROM t WHERE v = 110";
  EXPECT_TRUE(PlanUses(query, "t_v"));
  EXPECT_EQ(Run(query), "11");
}

// Readers take no table lock: a SELECT in an open transaction does not
// hold up DDL.
TEST_F(TableLockTest, ReadersDoNotBlockDdl) {
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "SELECT count(*) FROM t"), "1");
  Ok("CREATE INDEX t_v ON t(v)");
  EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
}

// Two transactions each write one table and then change the other's: a
// deadlock, of which one is the victim (40P01) and the other completes.
TEST_F(TableLockTest, CrossedDdlIsADeadlock) {
  Ok("CREATE TABLE u(id INTEGER PRIMARY KEY, x INTEGER)");
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (7, 70)");
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "INSERT INTO u VALUES (1, 1)"), "");
  Start(other_.get(), "CREATE INDEX t_v ON t(v)");
  EXPECT_TRUE(StillWaiting());
  std::string mine = Run("CREATE INDEX u_x ON u(x)");
  if (mine == "error 40P01") Ok("ROLLBACK");
  std::string theirs = Finish();
  if (theirs == "error 40P01") {
    EXPECT_EQ(Run(other_.get(), "ROLLBACK"), "");
  }
  EXPECT_TRUE((mine == "" && theirs == "error 40P01") || (mine == "error 40P01" && theirs == ""))
      << mine << " / " << theirs;
  if (mine == "") Ok("COMMIT");
  if (theirs == "") {
    EXPECT_EQ(Run(other_.get(), "COMMIT"), "");
  }
}

// A DDL waiting longer than the lock timeout fails with 55P03, and the
// database's statistics count the wait, the timeout and the rollback.
TEST_F(TableLockTest, DdlWaitIsBoundedByTheLockTimeout) {
  const DatabaseStats before = db_->Stats();
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "DELETE FROM t WHERE id = 1"), "");
  EXPECT_EQ(Run("TRUNCATE t"), "error 55P03");
  EXPECT_EQ(Run(other_.get(), "ROLLBACK"), "");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "1");
  const DatabaseStats after = db_->Stats();
  EXPECT_EQ(after.lock_waits - before.lock_waits, 1u);
  EXPECT_EQ(after.lock_timeouts - before.lock_timeouts, 1u);
  EXPECT_GE(after.rollbacks - before.rollbacks, 2u);  // the timed-out autocommit and the ROLLBACK
  EXPECT_EQ(after.deadlocks, before.deadlocks);
}

// A deadlock is counted once, with the waits that made it. Either side may
// be the victim; it rolls back at once so that the other can go on.
TEST_F(TableLockTest, StatisticsCountDeadlocksAndWaits) {
  const DatabaseStats before = db_->Stats();
  Ok("CREATE TABLE u(id INTEGER PRIMARY KEY, x INTEGER)");
  Ok("INSERT INTO u VALUES (1, 1)");
  Ok("BEGIN");
  Ok("UPDATE t SET v = 11 WHERE id = 1");
  EXPECT_EQ(Run(other_.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other_.get(), "UPDATE u SET x = 2 WHERE id = 1"), "");
  auto write_then_end = [](Connection* conn, const std::string& sql) {
    std::string result = Run(conn, sql);
    EXPECT_EQ(Run(conn, "ROLLBACK"), "");
    return result;
  };
  std::string theirs;
  std::thread other([&] { theirs = write_then_end(other_.get(), "UPDATE t SET v = 12 WHERE id = 1"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  std::string mine = write_then_end(conn_.get(), "UPDATE u SET x = 3 WHERE id = 1");
  other.join();
  EXPECT_TRUE((mine == "" && theirs == "error 40P01") || (mine == "error 40P01" && theirs == ""))
      << mine << " / " << theirs;
  const DatabaseStats after = db_->Stats();
  EXPECT_EQ(after.deadlocks - before.deadlocks, 1u);
  EXPECT_GE(after.lock_waits - before.lock_waits, 2u);
  EXPECT_EQ(after.lock_timeouts, before.lock_timeouts);
  EXPECT_GE(after.commits - before.commits, 2u);  // the CREATE TABLE and the INSERT
}

// The defaults users get: deadlocks are looked for after one second of
// waiting, lock waits give up after five.
TEST(DatabaseOptionsTest, LockDefaults) {
  DatabaseOptions options;
  EXPECT_EQ(options.deadlock_timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(options.lock_timeout, std::chrono::milliseconds(5000));
}

}  // namespace
}  // namespace neuroquantum::testing
