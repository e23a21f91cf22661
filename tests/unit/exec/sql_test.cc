// End-to-end SQL through the embedding API: DDL, DML, constraints, queries,
// transactions, prepared statements, persistence and limits.
#include <atomic>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "unit/exec/sql_test_util.h"

namespace neuroquantum::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(SqlTest, CreateInsertSelect) {
  Ok("CREATE TABLE t(a INTEGER, b TEXT, c DOUBLE)");
  Ok("INSERT INTO t VALUES (1, 'one', 1.5), (2, 'two', NULL), (3, NULL, -0.25)");
  EXPECT_EQ(Run("SELECT * FROM t"), "1|one|1.5\n2|two|NULL\n3|NULL|-0.25");
  EXPECT_EQ(Run("SELECT b, a * 10 FROM t WHERE a >= 2 ORDER BY a DESC"), "NULL|30\ntwo|20");
  EXPECT_EQ(Run("SELECT count(*), sum(a), avg(a), min(b), max(c) FROM t"), "3|6|2|one|1.5");
}

TEST_F(SqlTest, SchemaErrorsCarrySqlStates) {
  Ok("CREATE TABLE t(a INTEGER)");
  EXPECT_EQ(Run("CREATE TABLE t(b INTEGER)"), "error 42P07");
  EXPECT_EQ(Run("CREATE TABLE IF NOT EXISTS t(b INTEGER)"), "");
  EXPECT_EQ(Run("SELECT * FROM nope"), "error 42P01");
  EXPECT_EQ(Run("SELECT nope FROM t"), "error 42703");
  EXPECT_EQ(Run("CREATE TABLE u(a INTEGER, a TEXT)"), "error 42701");
  EXPECT_EQ(Run("SELECT nosuchfn(a) FROM t"), "error 42883");
  EXPECT_EQ(Run("SELEC 1"), "error 42601");
  EXPECT_EQ(Run("DROP TABLE nope"), "error 42P01");
  EXPECT_EQ(Run("DROP TABLE IF EXISTS nope"), "");
  EXPECT_EQ(Run("SELECT a FROM t GROUP BY a HAVING b > 1"), "error 42703");
  Ok("CREATE TABLE u(a INTEGER, b INTEGER)");
  EXPECT_EQ(Run("SELECT a, b FROM u GROUP BY a"), "error 42803");
  EXPECT_EQ(Run("SELECT a FROM t, u"), "error 42702");
}

TEST_F(SqlTest, DeclaredTypesAreEnforcedOnWrite) {
  Ok("CREATE TABLE t(i INTEGER, s SMALLINT, v VARCHAR(3), n NUMERIC(5,2), d DATE, b BOOLEAN)");
  EXPECT_EQ(Run("INSERT INTO t(i) VALUES ('abc')"), "error 22P02");
  EXPECT_EQ(Run("INSERT INTO t(s) VALUES (40000)"), "error 22003");
  EXPECT_EQ(Run("INSERT INTO t(v) VALUES ('abcd')"), "error 22001");
  EXPECT_EQ(Run("INSERT INTO t(n) VALUES (12345.6)"), "error 22003");
  EXPECT_EQ(Run("INSERT INTO t(d) VALUES ('2024-02-30')"), "error 22008");
  Ok("INSERT INTO t VALUES ('42', 7, 'abc', 3.14159, '2024-02-29', true)");
  EXPECT_EQ(Run("SELECT i, s, v, n, d, b FROM t"), "42|7|abc|3.14|2024-02-29|true");
  EXPECT_EQ(Run("SELECT typeof(i), typeof(n) FROM t"), "integer|numeric");
}

TEST_F(SqlTest, ArithmeticErrors) {
  EXPECT_EQ(Run("SELECT 1 / 0"), "error 22012");
  EXPECT_EQ(Run("SELECT 9223372036854775807 + 1"), "error 22003");
  EXPECT_EQ(Run("SELECT 7 / 2, -7 / 2, 7 % 3, 7.5 * 2, 7e0 / 2"), "3|-3|1|15.0|3.5");
  EXPECT_EQ(Run("SELECT COALESCE(NULL, 2, 1 / 0)"), "2");  // lazy
}

TEST_F(SqlTest, ThreeValuedLogic) {
  EXPECT_EQ(Run("SELECT NULL AND false, NULL OR true, NOT NULL, NULL = NULL, NULL IS NULL"),
            "false|true|NULL|NULL|true");
  EXPECT_EQ(Run("SELECT 1 IN (2, NULL), 1 NOT IN (2, NULL), 1 IN (1, NULL), 1 IN ()"), "NULL|NULL|true|false");
  // The operand of an empty list is still evaluated, errors and all.
  EXPECT_EQ(Run("SELECT NULL IN (), NULL NOT IN ()"), "false|true");
  EXPECT_EQ(Run("SELECT (1 / 0) IN ()"), "error 22012");
  EXPECT_EQ(Run("SELECT 2 BETWEEN 1 AND NULL, 5 BETWEEN 6 AND NULL"), "NULL|false");
}

TEST_F(SqlTest, Constraints) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER DEFAULT 5 "
     "CHECK (qty >= 0))");
  Ok("INSERT INTO t(id, name) VALUES (1, 'a')");
  EXPECT_EQ(Run("SELECT qty FROM t"), "5");
  EXPECT_EQ(Run("INSERT INTO t VALUES (1, 'b', 1)"), "error 23505");
  EXPECT_EQ(Run("INSERT INTO t VALUES (2, 'a', 1)"), "error 23505");
  EXPECT_EQ(Run("INSERT INTO t VALUES (2, NULL, 1)"), "error 23502");
  EXPECT_EQ(Run("INSERT INTO t VALUES (2, 'b', -1)"), "error 23514");
  EXPECT_EQ(Run("UPDATE t SET qty = -3"), "error 23514");
  EXPECT_EQ(Run("SELECT * FROM t"), "1|a|5");
  Ok("CREATE TABLE pair(a INTEGER, b INTEGER, PRIMARY KEY (a, b))");
  Ok("INSERT INTO pair VALUES (1, 1), (1, 2), (2, 1)");
  EXPECT_EQ(Run("INSERT INTO pair VALUES (1, 2)"), "error 23505");
  EXPECT_EQ(Run("SELECT count(*) FROM pair WHERE a = 1"), "2");
}

TEST_F(SqlTest, UniqueAllowsManyNulls) {
  Ok("CREATE TABLE t(a INTEGER UNIQUE)");
  Ok("INSERT INTO t VALUES (NULL), (NULL), (1)");
  EXPECT_EQ(Run("INSERT INTO t VALUES (1)"), "error 23505");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "3");
}

TEST_F(SqlTest, SerialIdsAreNeverReused) {
  Ok("CREATE TABLE t(id SERIAL PRIMARY KEY, v TEXT)");
  Ok("INSERT INTO t(v) VALUES ('a'), ('b')");
  Ok("BEGIN");
  Ok("INSERT INTO t(v) VALUES ('rolled back')");
  Ok("ROLLBACK");
  Ok("INSERT INTO t(v) VALUES ('c')");
  EXPECT_EQ(Run("SELECT id, v FROM t"), "1|a\n2|b\n4|c");
  Reopen();
  Ok("INSERT INTO t(v) VALUES ('d')");
  EXPECT_EQ(Run("SELECT max(id) > 4, count(*) FROM t"), "true|4");
  Ok("CREATE TABLE g(id BIGINT GENERATED ALWAYS AS IDENTITY, v TEXT)");
  EXPECT_EQ(Run("INSERT INTO g VALUES (5, 'x')"), "error 428C9");
  Ok("INSERT INTO g(v) VALUES ('x')");
  EXPECT_EQ(Run("SELECT * FROM g"), "1|x");
  Ok("CREATE TABLE m(id INTEGER AUTO_INCREMENT PRIMARY KEY, v TEXT)");
  Ok("INSERT INTO m(v) VALUES ('p')");
  Ok("INSERT INTO m VALUES (10, 'q')");
  Ok("INSERT INTO m(v) VALUES ('r')");
  EXPECT_EQ(Run("SELECT id FROM m"), "1\n10\n11");
}

// A process that dies without closing the database (here: _exit in a
// child) must not make the next one hand out ids it already used.
TEST_F(SqlTest, SerialIdsAreNotReusedAfterACrash) {
  Ok("CREATE TABLE t(id BIGSERIAL PRIMARY KEY, v INTEGER)");
  conn_.reset();
  db_.reset();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = Database::Open(path_, options_);
    if (!db.ok()) ::_exit(2);
    auto conn = (*db)->Connect();
    for (int i = 0; i < 40; ++i) {
      if (!conn->Execute("INSERT INTO t(v) VALUES (" + std::to_string(i) + ")").ok()) ::_exit(3);
    }
    ::_exit(0);  // no checkpoint, no clean close
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  Reopen();
  EXPECT_EQ(Run("SELECT count(*), max(id) FROM t"), "40|40");
  Ok("INSERT INTO t(v) VALUES (99)");
  EXPECT_EQ(Run("SELECT id > 40 FROM t WHERE v = 99"), "true");
  EXPECT_EQ(Run("SELECT count(DISTINCT id) FROM t"), "41");
}

TEST_F(SqlTest, InsertForms) {
  Ok("CREATE TABLE t(a INTEGER DEFAULT 7, b TEXT DEFAULT 'x')");
  Ok("INSERT INTO t DEFAULT VALUES");
  Ok("INSERT INTO t(b) VALUES ('y')");
  Ok("INSERT INTO t SELECT a + 1, b || b FROM t");
  EXPECT_EQ(Run("SELECT * FROM t ORDER BY a, b"), "7|x\n7|y\n8|xx\n8|yy");
  EXPECT_EQ(Run("INSERT INTO t VALUES (1, 'a', 3)"), "error 42601");
  EXPECT_EQ(Run("INSERT INTO t(a, a) VALUES (1, 2)"), "error 42701");
  EXPECT_EQ(Run("INSERT INTO t VALUES (9, 'z') RETURNING a * 2, b"), "18|z");
}

TEST_F(SqlTest, UpdateDeleteReturning) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)");
  Ok("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
  // A column assigned twice: the last assignment wins.
  EXPECT_EQ(Run("UPDATE t SET v = 1, v = v + 1 WHERE id = 2 RETURNING id, v"), "2|21");
  EXPECT_EQ(Run("UPDATE t SET id = id + 10 WHERE id = 3 RETURNING id"), "13");
  EXPECT_EQ(Run("DELETE FROM t WHERE v < 20 RETURNING *"), "1|10");
  EXPECT_EQ(Run("SELECT * FROM t"), "2|21\n13|30");
  auto rs = conn_->Execute("UPDATE t SET v = 0");
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->rows_affected(), 2u);
  EXPECT_EQ(rs->command(), "UPDATE");
}

TEST_F(SqlTest, ReplaceAndIgnore) {
  Ok("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT UNIQUE)");
  Ok("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  Ok("INSERT OR IGNORE INTO t VALUES (1, 'z'), (3, 'c')");
  EXPECT_EQ(Run("SELECT * FROM t"), "1|a\n2|b\n3|c");
  Ok("REPLACE INTO t VALUES (1, 'b')");  // collides with row 1 by key and row 2 by v
  EXPECT_EQ(Run("SELECT * FROM t"), "1|b\n3|c");
}

TEST_F(SqlTest, Joins) {
  Ok("CREATE TABLE a(id INTEGER, x TEXT)");
  Ok("CREATE TABLE b(id INTEGER, y TEXT)");
  Ok("INSERT INTO a VALUES (1, 'a1'), (2, 'a2'), (3, 'a3')");
  Ok("INSERT INTO b VALUES (2, 'b2'), (3, 'b3'), (4, 'b4')");
  EXPECT_EQ(Run("SELECT x, y FROM a JOIN b ON a.id = b.id ORDER BY 1"), "a2|b2\na3|b3");
  EXPECT_EQ(Run("SELECT x, y FROM a LEFT JOIN b ON a.id = b.id ORDER BY 1"), "a1|NULL\na2|b2\na3|b3");
  EXPECT_EQ(Run("SELECT x, y FROM a RIGHT JOIN b ON a.id = b.id ORDER BY 2"), "a2|b2\na3|b3\nNULL|b4");
  EXPECT_EQ(Run("SELECT x, y FROM a FULL JOIN b ON a.id = b.id ORDER BY x NULLS LAST, y"),
            "a1|NULL\na2|b2\na3|b3\nNULL|b4");
  EXPECT_EQ(Run("SELECT * FROM a JOIN b USING (id) ORDER BY id"), "2|a2|b2\n3|a3|b3");
  EXPECT_EQ(Run("SELECT count(*) FROM a, b WHERE a.id < b.id"), "6");
  EXPECT_EQ(Run("SELECT count(*) FROM a CROSS JOIN b"), "9");
  EXPECT_EQ(Run("SELECT a.x FROM a NATURAL JOIN b"), "a2\na3");
}

TEST_F(SqlTest, GroupingOrderingLimits) {
  Ok("CREATE TABLE t(g TEXT, v INTEGER)");
  Ok("INSERT INTO t VALUES ('a', 1), ('b', 2), ('a', 3), (NULL, 4), ('b', NULL)");
  EXPECT_EQ(Run("SELECT g, count(*), count(v), sum(v) FROM t GROUP BY g ORDER BY g"),
            "NULL|1|1|4\na|2|2|4\nb|2|1|2");
  EXPECT_EQ(Run("SELECT g FROM t GROUP BY g HAVING sum(v) >= 4 ORDER BY 1 DESC"), "a\nNULL");
  EXPECT_EQ(Run("SELECT v FROM t ORDER BY v NULLS LAST LIMIT 2 OFFSET 3"), "4\nNULL");
  EXPECT_EQ(Run("SELECT v FROM t ORDER BY v DESC LIMIT 2"), "4\n3");
  EXPECT_EQ(Run("SELECT DISTINCT g FROM t ORDER BY g"), "NULL\na\nb");
  EXPECT_EQ(Run("SELECT count(DISTINCT g), group_concat(DISTINCT g) FROM t"), "2|a,b");
  EXPECT_EQ(Run("SELECT string_agg(g, '-') FROM t"), "a-b-a-b");
  EXPECT_EQ(Run("SELECT total(v), sum(v) FROM t WHERE v > 100"), "0|NULL");
}

TEST_F(SqlTest, SetOperations) {
  EXPECT_EQ(Run("SELECT 1 UNION SELECT 2 UNION SELECT 1 ORDER BY 1"), "1\n2");
  EXPECT_EQ(Run("SELECT 1 UNION ALL SELECT 1"), "1\n1");
  EXPECT_EQ(Run("VALUES (1), (2), (3) INTERSECT VALUES (2), (3), (4)"), "2\n3");
  EXPECT_EQ(Run("VALUES (1), (2), (3) EXCEPT VALUES (2)"), "1\n3");
  EXPECT_EQ(Run("SELECT 1 AS n UNION SELECT 2 ORDER BY n DESC"), "2\n1");
}

TEST_F(SqlTest, Subqueries) {
  Ok("CREATE TABLE t(a INTEGER, b INTEGER)");
  Ok("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
  EXPECT_EQ(Run("SELECT a, (SELECT count(*) FROM t AS x WHERE x.b < t.b) FROM t"), "1|0\n2|1\n3|2");
  EXPECT_EQ(Run("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t AS x WHERE x.a = t.a + 1)"), "1\n2");
  EXPECT_EQ(Run("SELECT a FROM t WHERE b IN (SELECT b FROM t WHERE a > 1)"), "2\n3");
  EXPECT_EQ(Run("SELECT a FROM t WHERE a NOT IN (SELECT a FROM t WHERE a < 3)"), "3");
  EXPECT_EQ(Run("SELECT (SELECT a FROM t)"), "error 21000");
  EXPECT_EQ(Run("SELECT * FROM (SELECT a + b AS s FROM t) AS q WHERE s > 20"), "22\n33");
  EXPECT_EQ(Run("SELECT 2 IN t"), "error 42601");  // t has two columns
  Ok("CREATE TABLE one(a INTEGER)");
  Ok("INSERT INTO one VALUES (2)");
  EXPECT_EQ(Run("SELECT 2 IN one, 3 IN one"), "true|false");
}

TEST_F(SqlTest, Expressions) {
  EXPECT_EQ(Run("SELECT CASE WHEN 1 > 2 THEN 'x' WHEN 2 > 1 THEN 'y' END, CASE 3 WHEN 3 THEN 'three' ELSE 'no' END"),
            "y|three");
  EXPECT_EQ(Run("SELECT 'abc' LIKE 'a%', 'abc' LIKE 'A%', 'abc' ILIKE 'A%', 'a_c' LIKE 'a\\_c' ESCAPE '\\'"),
            "true|false|true|true");
  EXPECT_EQ(Run("SELECT 'b' = 'B' COLLATE NOCASE, 'ab' || 'cd', NULLIF(1, 1), IFNULL(NULL, 'z')"),
            "true|abcd|NULL|z");
  EXPECT_EQ(Run("SELECT CAST('12' AS INTEGER) + 1, CAST(2.5 AS TEXT), 5 BETWEEN 1 AND 9"), "13|2.5|true");
  EXPECT_EQ(Run("SELECT length('héllo'), upper('abc'), substr('hello', 2, 3), round(2.567, 1)"), "5|ABC|ell|2.6");
}

TEST_F(SqlTest, ViewsAndIndexes) {
  Ok("CREATE TABLE t(a INTEGER, b INTEGER)");
  Ok("INSERT INTO t VALUES (1, 5), (2, 6), (3, 7)");
  Ok("CREATE VIEW v AS SELECT a, a * b AS p FROM t WHERE a > 1");
  EXPECT_EQ(Run("SELECT * FROM v ORDER BY p DESC"), "3|21\n2|12");
  EXPECT_EQ(Run("CREATE VIEW v AS SELECT 1"), "error 42P07");
  EXPECT_EQ(Run("DROP TABLE v"), "error 42809");
  EXPECT_EQ(Run("INSERT INTO v VALUES (1, 2)"), "error 42809");
  Ok("CREATE TEMP VIEW w AS SELECT b FROM t");
  EXPECT_EQ(Run("SELECT count(*) FROM w"), "3");
  Ok("CREATE INDEX t_b ON t(b)");
  EXPECT_EQ(Run("SELECT a FROM t WHERE b = 6"), "2");
  EXPECT_NE(Run("EXPLAIN SELECT a FROM t WHERE b = 6").find("IndexScan t using t_b"), std::string::npos);
  EXPECT_EQ(Run("SELECT a FROM t INDEXED BY t_b WHERE b > 5 ORDER BY a"), "2\n3");
  Ok("INSERT INTO t VALUES (4, 6)");
  EXPECT_EQ(Run("SELECT a FROM t WHERE b = 6 ORDER BY a"), "2\n4");
  EXPECT_EQ(Run("CREATE UNIQUE INDEX t_bu ON t(b)"), "error 23505");
  Ok("DROP INDEX t_b");
  EXPECT_EQ(Run("DROP INDEX t_b"), "error 42704");
  Ok("DROP VIEW v");
  EXPECT_EQ(Run("SELECT * FROM v"), "error 42P01");
}

TEST_F(SqlTest, AlterAndTruncate) {
  Ok("CREATE TABLE t(a INTEGER, b TEXT)");
  Ok("INSERT INTO t VALUES (1, 'x'), (2, 'y')");
  Ok("ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 9");
  EXPECT_EQ(Run("SELECT * FROM t"), "1|x|9\n2|y|9");
  Ok("ALTER TABLE t DROP COLUMN b");
  EXPECT_EQ(Run("SELECT * FROM t"), "1|9\n2|9");
  Ok("ALTER TABLE t RENAME COLUMN c TO d");
  EXPECT_EQ(Run("SELECT d FROM t WHERE a = 2"), "9");
  Ok("ALTER TABLE t RENAME TO u");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "error 42P01");
  EXPECT_EQ(Run("SELECT count(*) FROM u"), "2");
  Ok("TRUNCATE u");
  EXPECT_EQ(Run("SELECT count(*) FROM u"), "0");
  EXPECT_EQ(Run("ALTER TABLE u ADD COLUMN d INTEGER"), "error 42701");
  EXPECT_EQ(Run("ALTER TABLE u DROP COLUMN zz"), "error 42703");
}

TEST_F(SqlTest, SchemaAndDataSurviveRestart) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
  Ok("CREATE INDEX t_v ON t(v)");
  Ok("CREATE VIEW tv AS SELECT v FROM t");
  Ok("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  Reopen();
  EXPECT_EQ(Run("SELECT * FROM t WHERE v = 'b'"), "2|b");
  EXPECT_EQ(Run("SELECT count(*) FROM tv"), "2");
  auto names = db_->TableNames();
  EXPECT_EQ(names, (std::vector<std::string>{"t", "tv"}));
  auto schema = db_->SchemaSql("t");
  ASSERT_EQ(schema.size(), 2u);
  EXPECT_EQ(schema[0], "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  EXPECT_EQ(schema[1], "CREATE INDEX t_v ON t (v)");
}

TEST_F(SqlTest, TransactionsAndStatementAtomicity) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Ok("BEGIN");
  EXPECT_TRUE(conn_->in_transaction());
  Ok("INSERT INTO t VALUES (1)");
  // The failing statement inserted 2 before hitting the duplicate 1: its
  // own effects are undone, the transaction goes on.
  EXPECT_EQ(Run("INSERT INTO t VALUES (2), (1)"), "error 23505");
  Ok("INSERT INTO t VALUES (3)");
  Ok("COMMIT");
  EXPECT_EQ(Run("SELECT id FROM t"), "1\n3");
  EXPECT_EQ(Run("COMMIT"), "error 25P01");
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (4)");
  Ok("SAVEPOINT s1");
  Ok("INSERT INTO t VALUES (5)");
  Ok("ROLLBACK TO SAVEPOINT s1");
  Ok("RELEASE SAVEPOINT s1");
  EXPECT_EQ(Run("ROLLBACK TO SAVEPOINT nope"), "error 3B001");
  Ok("COMMIT");
  EXPECT_EQ(Run("SELECT id FROM t"), "1\n3\n4");
}

TEST_F(SqlTest, DdlIsTransactional) {
  Ok("BEGIN");
  Ok("CREATE TABLE t(a INTEGER)");
  Ok("INSERT INTO t VALUES (1)");
  EXPECT_EQ(Run("SELECT * FROM t"), "1");
  Ok("ROLLBACK");
  EXPECT_EQ(Run("SELECT * FROM t"), "error 42P01");
  Ok("CREATE TABLE t(b TEXT)");
  Ok("BEGIN");
  Ok("DROP TABLE t");
  Ok("ROLLBACK");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "0");
}

TEST_F(SqlTest, IsolationBetweenConnections) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)");
  Ok("INSERT INTO t VALUES (1, 10)");
  auto other = db_->Connect();
  Ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(Run("SELECT v FROM t"), "10");
  EXPECT_EQ(Run(other.get(), "UPDATE t SET v = 11"), "");
  EXPECT_EQ(Run("SELECT v FROM t"), "10");  // snapshot of the transaction
  EXPECT_EQ(Run("UPDATE t SET v = 12"), "error 40001");
  EXPECT_EQ(Run("SELECT v FROM t"), "error 25P02");
  Ok("ROLLBACK");
  EXPECT_EQ(Run("SELECT v FROM t"), "11");
  Ok("BEGIN READ ONLY");
  EXPECT_EQ(Run("INSERT INTO t VALUES (2, 2)"), "error 25006");
  Ok("ROLLBACK");
}

// Two connections upsert the same new key: the second waits for the
// first's insert and then updates its row instead of failing with 23505.
TEST_F(SqlTest, ConcurrentUpsertsOfOneKey) {
  Ok("CREATE TABLE counter(name TEXT PRIMARY KEY, n INTEGER)");
  const std::string upsert =
      "INSERT INTO counter VALUES ('k', 1) ON CONFLICT (name) DO UPDATE SET n = counter.n + excluded.n";
  auto other = db_->Connect();
  Ok("BEGIN");
  Ok(upsert);
  std::string second;
  std::thread t([&] { second = Run(other.get(), upsert); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Ok("COMMIT");
  t.join();
  EXPECT_EQ(second, "");
  EXPECT_EQ(Run("SELECT n FROM counter"), "2");
}

// A child's insert locks its parent row: a concurrent delete of the parent
// waits, then sees the child and fails (no orphan is ever committed).
TEST_F(SqlTest, ConcurrentForeignKeyParentDelete) {
  Ok("CREATE TABLE parent(id INTEGER PRIMARY KEY)");
  Ok("CREATE TABLE child(id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent)");
  Ok("INSERT INTO parent VALUES (1)");
  auto other = db_->Connect();
  Ok("BEGIN");
  Ok("INSERT INTO child VALUES (1, 1)");
  std::string deleted;
  std::thread t([&] { deleted = Run(other.get(), "DELETE FROM parent WHERE id = 1"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Ok("COMMIT");
  t.join();
  EXPECT_EQ(deleted, "error 23503");
  EXPECT_EQ(Run("SELECT count(*) FROM parent"), "1");
  EXPECT_EQ(Run("SELECT count(*) FROM child"), "1");
}

// A trigger tree that branches at every level would run for ages within
// the nesting limit; the statement timeout still stops it, because every
// firing checks the deadline.
TEST_F(SqlTest, BranchingTriggerRecursionHonoursTheStatementTimeout) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER)");
  Ok("INSERT INTO t VALUES (1, 0), (2, 0), (3, 0), (4, 0)");
  // Depth 20 at most, but 3^20 firings.
  Ok("CREATE TRIGGER fan AFTER UPDATE ON t WHEN NEW.n < 20 BEGIN UPDATE t SET n = NEW.n + 1 WHERE id <> NEW.id; END");
  conn_->SetStatementTimeout(std::chrono::milliseconds(300));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Run("UPDATE t SET n = 1 WHERE id = 1"), "error 57014");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  conn_->SetStatementTimeout(std::chrono::milliseconds(0));
  EXPECT_EQ(Run("SELECT sum(n) FROM t"), "0");
}

// Messages name what failed: RAISE's own text, or the trigger whose body
// failed.
TEST_F(SqlTest, TriggerErrorMessages) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Ok("CREATE TRIGGER guard BEFORE INSERT ON t WHEN NEW.id < 0 BEGIN SELECT RAISE(ABORT, 'id ' || NEW.id); END");
  Ok("CREATE TRIGGER log AFTER INSERT ON t BEGIN INSERT INTO missing VALUES (NEW.id); END");
  auto raised = conn_->Execute("INSERT INTO t VALUES (-4)");
  ASSERT_FALSE(raised.ok());
  EXPECT_EQ(SqlState(raised.status()), "P0001");
  EXPECT_EQ(raised.status().message(), "id -4");
  auto broken = conn_->Execute("INSERT INTO t VALUES (4)");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(SqlState(broken.status()), "42P01");
  EXPECT_NE(broken.status().message().find("in trigger \"log\""), std::string::npos) << broken.status().message();
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "0");
}

// Two connections insert concurrently into a table whose trigger keeps a
// per-key total in another table: the row locks of the trigger's UPDATE
// serialise them and no increment is lost.
TEST_F(SqlTest, ConcurrentTriggerUpdatesOfOneTotal) {
  Ok("CREATE TABLE total(k INTEGER PRIMARY KEY, n INTEGER)");
  Ok("INSERT INTO total VALUES (1, 0)");
  Ok("CREATE TABLE item(id INTEGER PRIMARY KEY, k INTEGER)");
  Ok("CREATE TRIGGER count_item AFTER INSERT ON item BEGIN UPDATE total SET n = n + 1 WHERE k = NEW.k; END");
  constexpr int kPerThread = 50;
  auto other = db_->Connect();
  std::string failures[2];
  auto work = [&](Connection* conn, int base, std::string* failure) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string r = Run(conn, "INSERT INTO item VALUES (" + std::to_string(base + i) + ", 1)");
      if (!r.empty()) *failure += r + ";";
    }
  };
  std::thread t([&] { work(other.get(), 1000, &failures[1]); });
  work(conn_.get(), 0, &failures[0]);
  t.join();
  EXPECT_EQ(failures[0], "");
  EXPECT_EQ(failures[1], "");
  EXPECT_EQ(Run("SELECT n FROM total"), std::to_string(2 * kPerThread));
  EXPECT_EQ(Run("SELECT count(*) FROM item"), std::to_string(2 * kPerThread));
}

TEST_F(SqlTest, TwoPhaseCommit) {
  Ok("CREATE TABLE t(a INTEGER)");
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (1)");
  Ok("PREPARE TRANSACTION 'g1'");
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "0");
  Reopen();
  Ok("COMMIT PREPARED 'g1'");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "1");
  EXPECT_EQ(Run("ROLLBACK PREPARED 'g1'"), "error 42704");
}

TEST_F(SqlTest, PreparedStatements) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
  auto ins = conn_->Prepare("INSERT INTO t VALUES ($1, $2)");
  ASSERT_TRUE(ins.ok()) << ins.status().ToString();
  EXPECT_EQ((*ins)->parameter_count(), 2u);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE((*ins)->BindInt64(1, i).ok());
    ASSERT_TRUE((*ins)->BindText(2, "v" + std::to_string(i)).ok());
    ASSERT_TRUE((*ins)->Execute().ok());
  }
  EXPECT_EQ((*ins)->BindInt64(3, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SqlState((*ins)->BindText(2, "bad \xff byte")), "22021");
  auto sel = conn_->Prepare("SELECT v FROM t WHERE id = ? OR id = ?");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ((*sel)->parameter_count(), 2u);
  ASSERT_TRUE((*sel)->BindInt64(1, 2).ok());
  ASSERT_TRUE((*sel)->BindInt64(2, 3).ok());
  auto rs = (*sel)->Execute();
  ASSERT_TRUE(rs.ok());
  std::vector<std::string> got;
  while (*rs->Next()) got.push_back(rs->GetText(0));
  EXPECT_EQ(got, (std::vector<std::string>{"v2", "v3"}));
  // A schema change between executions is picked up.
  Ok("ALTER TABLE t RENAME COLUMN v TO w");
  EXPECT_EQ((*sel)->Execute().status().code(), StatusCode::kInvalidArgument);
  Ok("ALTER TABLE t RENAME COLUMN w TO v");
  EXPECT_TRUE((*sel)->Execute().ok());
}

// SQL-level PREPARE / EXECUTE, reached through the API's own parameters,
// belong to the connection; Reset() forgets them and rolls back.
TEST_F(SqlTest, NamedPreparedStatementsAndReset) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
  Ok("PREPARE ins(INTEGER, TEXT) AS INSERT INTO t VALUES ($1, $2)");
  auto exec = conn_->Prepare("EXECUTE ins($1, $2 || '!')");
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  EXPECT_EQ((*exec)->parameter_count(), 2u);
  ASSERT_TRUE((*exec)->BindText(1, "7").ok());
  ASSERT_TRUE((*exec)->BindText(2, "seven").ok());
  ASSERT_TRUE((*exec)->Execute().ok());
  EXPECT_EQ(Run(conn_.get(), "SELECT id + 1, v FROM t"), "8|seven!");
  // Another connection does not see the name.
  auto other = db_->Connect();
  EXPECT_EQ(Run(other.get(), "EXECUTE ins(1, 'x')"), "error 26000");

  Ok("BEGIN");
  Ok("EXECUTE ins(8, 'eight')");
  ASSERT_TRUE(conn_->Reset().ok());
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Run(conn_.get(), "SELECT count(*) FROM t"), "1");
  EXPECT_EQ(Run(conn_.get(), "EXECUTE ins(9, 'nine')"), "error 26000");
  // The name is free for the connection's next user.
  Ok("PREPARE ins AS SELECT 1");
  EXPECT_EQ(Run(conn_.get(), "EXECUTE ins"), "1");
}

TEST_F(SqlTest, CancelAndTimeout) {
  Ok("CREATE TABLE t(a INTEGER)");
  Ok("INSERT INTO t VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)");
  // A cross join of 10^7 rows takes long enough to cancel.
  const std::string slow = "SELECT count(*) FROM t a, t b, t c, t d, t e, t f, t g WHERE a.a + b.a > c.a";
  std::atomic<bool> done{false};
  std::thread canceller([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(20ms);
      conn_->Cancel();
    }
  });
  EXPECT_EQ(Run(slow), "error 57014");
  done = true;
  canceller.join();
  conn_->SetStatementTimeout(50ms);
  EXPECT_EQ(Run(slow), "error 57014");
  conn_->SetStatementTimeout(0ms);
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "10");
}

TEST_F(SqlTest, QueryMemoryLimit) {
  options_.query_memory_limit = 256 << 10;
  Reopen();
  Ok("CREATE TABLE t(a INTEGER, b TEXT)");
  Ok("INSERT INTO t SELECT x.column1 * 10 + y.column1, 'some text to fill memory' FROM "
     "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS x, "
     "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS y");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "100");
  EXPECT_EQ(Run("SELECT x.a, y.a FROM t x, t y ORDER BY x.b, y.a"), "error 53200");
  EXPECT_EQ(Run("SELECT count(*) FROM t x, t y"), "10000");
  // A correlated subquery re-sorts per outer row; each run gives its
  // memory back, so 100 runs fit where their sum would not.
  EXPECT_EQ(Run("SELECT sum((SELECT x.a FROM t AS x WHERE x.a >= t.a ORDER BY x.b, x.a LIMIT 1)) FROM t"),
            "4950");
}

TEST_F(SqlTest, WindowChargesTheMemoryBudget) {
  options_.query_memory_limit = 64 << 10;
  Reopen();
  const std::string numbered = " SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY n) AS r FROM c) AS w";
  EXPECT_EQ(Run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100)" + numbered), "100");
  // The window operator holds every row of its input.
  EXPECT_EQ(Run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20000)" + numbered),
            "error 53200");
}

TEST_F(SqlTest, RecursionLimit) {
  options_.recursion_limit = 100;
  Reopen();
  // 99 iterations after the anchor: within the limit.
  EXPECT_EQ(Run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100) "
                "SELECT count(*) FROM c"),
            "100");
  EXPECT_EQ(Run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 102) "
                "SELECT count(*) FROM c"),
            "error 54001");
  // A cycle walked with UNION ALL never ends by itself.
  Ok("CREATE TABLE edge (src INTEGER, dst INTEGER)");
  Ok("INSERT INTO edge VALUES (1, 2), (2, 1)");
  EXPECT_EQ(Run("WITH RECURSIVE w(node) AS (SELECT 1 UNION ALL SELECT dst FROM w JOIN edge ON src = node) "
                "SELECT count(*) FROM w"),
            "error 54001");
  // The rows of finished iterations are given back to the memory budget:
  // a long recursion that holds one row at a time fits a small budget.
  options_.recursion_limit = 1000000;
  options_.query_memory_limit = 64 << 10;
  Reopen();
  EXPECT_EQ(Run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20000) "
                "SELECT sum(n) FROM c"),
            "200010000");
  // Without ALL every row is remembered, and that is charged.
  EXPECT_EQ(Run("WITH RECURSIVE c(n) AS (SELECT 1 UNION SELECT n + 1 FROM c WHERE n < 20000) "
                "SELECT sum(n) FROM c"),
            "error 53200");
}

TEST_F(SqlTest, UpdateOrDeleteWithoutWhereIsLogged) {
  std::vector<std::string> warnings;
  ASSERT_TRUE(ConfigureLogging("error,sql=warn").ok());  // the fixture logs errors only
  SetLogSink([&](std::string_view module, LogLevel level, std::string_view message) {
    if (module == "sql" && level == LogLevel::kWarn) warnings.emplace_back(message);
  });
  Ok("CREATE TABLE t(a INTEGER)");
  Ok("INSERT INTO t VALUES (1), (2), (3)");
  Ok("UPDATE t SET a = a + 1 WHERE a > 1");
  Ok("DELETE FROM t WHERE a = 100");
  EXPECT_TRUE(warnings.empty());
  Ok("UPDATE t SET a = a * 10");
  Ok("DELETE FROM t");
  Ok("DELETE FROM t");
  SetLogSink(nullptr);
  (void)ConfigureLogging("error");
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0], "UPDATE without WHERE on table \"t\": 3 rows affected");
  EXPECT_EQ(warnings[1], "DELETE without WHERE on table \"t\": 3 rows affected");
  EXPECT_EQ(warnings[2], "DELETE without WHERE on table \"t\": 0 rows affected");
}

TEST_F(SqlTest, NestingIsLimited) {
  std::string deep(500, '(');
  deep = "SELECT " + deep + "1" + std::string(500, ')');
  EXPECT_EQ(Run(deep), "error 54001");
}

TEST_F(SqlTest, ConnectionsInThreads) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, worker INTEGER)");
  constexpr int kThreads = 4, kRows = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      auto conn = db_->Connect();
      for (int i = 0; i < kRows; ++i) {
        auto rs = conn->Execute("INSERT INTO t VALUES (" + std::to_string(w * 1000 + i) + ", " +
                                std::to_string(w) + ")");
        if (!rs.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Run("SELECT count(*), count(DISTINCT worker) FROM t"), "200|4");
}

}  // namespace
}  // namespace neuroquantum::testing

namespace neuroquantum::testing {
namespace {

// Concurrent DDL: each table gets its own id and tree (the id counter is
// locked, so the second CREATE waits for the first instead of drawing the
// same id).
TEST_F(SqlTest, ConcurrentCreateTableGetsDistinctTrees) {
  auto other = db_->Connect();
  Ok("BEGIN");
  Ok("CREATE TABLE a(x INTEGER)");
  std::thread second([&] { EXPECT_EQ(Run(other.get(), "CREATE TABLE b(y INTEGER)"), ""); });
  std::this_thread::sleep_for(100ms);
  Ok("INSERT INTO a VALUES (1)");
  Ok("COMMIT");
  second.join();
  Ok("INSERT INTO b VALUES (2), (3)");
  EXPECT_EQ(Run("SELECT count(*) FROM a"), "1");
  EXPECT_EQ(Run("SELECT count(*) FROM b"), "2");
  // The same name from two sessions: the second fails once the first
  // commits, rather than replacing it.
  Ok("BEGIN");
  Ok("CREATE TABLE c(x INTEGER)");
  std::thread same([&] { EXPECT_EQ(Run(other.get(), "CREATE TABLE c(z TEXT)"), "error 42P07"); });
  std::this_thread::sleep_for(100ms);
  Ok("COMMIT");
  same.join();
  EXPECT_EQ(Run("SELECT x FROM c"), "");
}

}  // namespace
}  // namespace neuroquantum::testing

namespace neuroquantum::testing {
namespace {

// Queries that read only indexed columns are answered from the index; they
// see exactly what a table read would (index entries are versioned too).
TEST_F(SqlTest, IndexOnlyScansSeeTheSnapshot) {
  Ok("CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)");
  Ok("CREATE INDEX tb ON t(b)");
  Ok("INSERT INTO t VALUES (1, 1, 'x'), (2, 2, 'y'), (3, 3, 'z'), (4, 4, 'w'), (5, 5, 'v')");
  EXPECT_EQ(Run("SELECT count(*), sum(b) FROM t WHERE b BETWEEN 2 AND 4"), "3|9");
  EXPECT_NE(Run("EXPLAIN SELECT count(*) FROM t WHERE b BETWEEN 2 AND 4").find("index only"), std::string::npos);
  EXPECT_EQ(Run("EXPLAIN SELECT c FROM t WHERE b = 2").find("index only"), std::string::npos);
  auto other = db_->Connect();
  EXPECT_EQ(Run(other.get(), "BEGIN"), "");
  EXPECT_EQ(Run(other.get(), "DELETE FROM t WHERE b = 3"), "");
  EXPECT_EQ(Run(other.get(), "UPDATE t SET b = 10 WHERE a = 2"), "");
  EXPECT_EQ(Run("SELECT count(*), sum(b) FROM t WHERE b BETWEEN 2 AND 4"), "3|9");
  EXPECT_EQ(Run(other.get(), "COMMIT"), "");
  EXPECT_EQ(Run("SELECT count(*), sum(b) FROM t WHERE b BETWEEN 2 AND 4"), "1|4");
  EXPECT_EQ(Run("SELECT b FROM t WHERE b > 3 ORDER BY b"), "4\n5\n10");
  EXPECT_EQ(Run("SELECT c FROM t WHERE b = 10"), "y");         // needs the row
}

}  // namespace
}  // namespace neuroquantum::testing

namespace neuroquantum::testing {
namespace {

// A transaction that keeps its catalog between statements still sees
// another session's committed schema change at its next statement (READ
// COMMITTED), and a prepared INSERT re-binds after it.
TEST_F(SqlTest, SchemaChangesReachOpenTransactions) {
  Ok("CREATE TABLE t(a INTEGER)");
  auto other = db_->Connect();
  auto ins = conn_->Prepare("INSERT INTO t VALUES ($1)");
  ASSERT_TRUE(ins.ok());
  Ok("BEGIN");
  ASSERT_TRUE((*ins)->BindInt64(1, 1).ok());
  ASSERT_TRUE((*ins)->Execute().ok());
  EXPECT_EQ(Run("SELECT * FROM t"), "1");
  EXPECT_EQ(Run(other.get(), "CREATE TABLE u(b INTEGER)"), "");
  EXPECT_EQ(Run("SELECT count(*) FROM u"), "0");
  Ok("COMMIT");
  EXPECT_EQ(Run(other.get(), "ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 7"), "");
  ASSERT_TRUE((*ins)->BindInt64(1, 2).ok());
  EXPECT_EQ((*ins)->Execute().status().code(), StatusCode::kInvalidArgument);  // 2 columns now, 1 value
  EXPECT_EQ(Run("SELECT * FROM t"), "1|7");
}

}  // namespace
}  // namespace neuroquantum::testing
