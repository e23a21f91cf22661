// Operators past the query memory limit spill to disk: sorts write sorted
// runs and merge them (the same rows in the same stable order as in
// memory), GROUP BY, DISTINCT and hash joins partition the rows they cannot
// hold.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "unit/exec/sql_test_util.h"

namespace neuroquantum::testing {
namespace {

class SpillTest : public SqlTest {
 protected:
  void SetUp() override {
    options_.query_memory_limit = 256 << 10;  // 256 KiB
    options_.auto_analyze = false;
    SqlTest::SetUp();
  }
  // n rows: b repeats every 97 values, c is filler text. In steps of 1000
  // rows, which the recursive query holds within the budget.
  void Fill(int n) {
    Ok("CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)");
    for (int from = 1; from <= n; from += 1000) {
      Ok("INSERT INTO t SELECT x, (x * 7919) % 97, 'row ' || x || ' of some filler text' FROM (WITH RECURSIVE "
         "r(x) AS (SELECT " + std::to_string(from) + " UNION ALL SELECT x + 1 FROM r WHERE x < " +
         std::to_string(std::min(n, from + 999)) + ") SELECT x FROM r)");
    }
  }
};

// Checks streamed rows (b, a, c): b descending, ties in input order (a
// ascending), c matching a. A result held in memory would be charged to
// the budget too, so the rows are streamed.
class DescendingChecker : public RowSink {
 public:
  Status OnRow(const ResultSet& row) override {
    const int64_t b = row.GetInt64(0), a = row.GetInt64(1);
    if (b > last_b_ || (b == last_b_ && a <= last_a_)) {
      return Status::Internal("out of order at row " + std::to_string(rows));
    }
    if (row.GetText(2) != "row " + std::to_string(a) + " of some filler text") return Status::Internal("bad text");
    last_b_ = b;
    last_a_ = a;
    ++rows;
    return Status::OK();
  }
  int64_t rows = 0;

 private:
  int64_t last_b_ = INT64_MAX, last_a_ = 0;
};

TEST_F(SpillTest, SortBeyondTheLimitSpillsAndStaysStable) {
  Fill(20000);
  // About 3 MB of rows against a 256 KiB budget: a dozen runs and more.
  DescendingChecker checker;
  auto rs = conn_->ExecuteStreaming("SELECT b, a, c FROM t ORDER BY b DESC", &checker);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(checker.rows, 20000);
  // A result held in memory (Execute) is charged like any rows: 20,000 of
  // them are over the limit.
  EXPECT_EQ(Run("SELECT b, a, c FROM t ORDER BY b DESC"), "error 53200");
  // Sorted output feeding more work, NULLs and mixed kinds included.
  Ok("UPDATE t SET c = NULL WHERE a % 5 = 0");
  EXPECT_EQ(Run("SELECT count(*), sum(a) FROM (SELECT a, c FROM t ORDER BY c NULLS FIRST, a)"), "20000|200010000");
  EXPECT_EQ(Run("SELECT a FROM (SELECT a, c FROM t ORDER BY c NULLS FIRST, a) LIMIT 2"), "5\n10");
  EXPECT_EQ(Run("SELECT a FROM (SELECT a FROM t ORDER BY 1.5 * a DESC) LIMIT 1"), "20000");
}

// CREATE INDEX sorts its entries like ORDER BY: past the budget it spills,
// and the index still holds every row, in order; a duplicate in a UNIQUE
// index still stops it (23505) with no index left behind.
TEST_F(SpillTest, CreateIndexBeyondTheLimitSpills) {
  Fill(20000);
  Ok("CREATE INDEX t_c ON t(c)");
  EXPECT_EQ(Run("SELECT count(*), sum(a) FROM t WHERE c >= 'row 1' AND c < 'row 2'"), "11111|151509596");
  EXPECT_EQ(Run("SELECT a FROM t WHERE c = 'row 12345 of some filler text'"), "12345");
  EXPECT_EQ(Run("SELECT count(*) FROM t INDEXED BY t_c WHERE c > ''"), "20000");
  EXPECT_EQ(Run("CREATE UNIQUE INDEX t_b ON t(b)"), "error 23505");
  Ok("CREATE INDEX t_b ON t(b)");  // the name is free again
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE b = 5"), Run("SELECT count(*) FROM t NOT INDEXED WHERE b + 0 = 5"));
  Ok("CREATE UNIQUE INDEX t_ac ON t(a, c)");
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE a = 777 AND c = 'row 777 of some filler text'"), "1");
}

// Under a 12 KiB limit each run holds about 70 rows: 40,000 rows make
// more than twice as many runs as are merged at once (256), so the sort
// merges runs 1-256 into one, then 257-512 into another, and merges those
// with the rest at the end. Order and stability hold across passes.
TEST_F(SpillTest, SortMergesRunsInPasses) {
  Fill(40000);
  options_.query_memory_limit = 12 << 10;
  Reopen();
  DescendingChecker checker;
  auto rs = conn_->ExecuteStreaming("SELECT b, a, c FROM t ORDER BY b DESC", &checker);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(checker.rows, 40000);
  // The spilled bytes count the merged runs too: the rows once are about
  // 2,000 kB, and each merged row is written once more.
  const std::string plan = Run("EXPLAIN ANALYZE SELECT b, a, c FROM t ORDER BY b DESC");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(plan, m, std::regex("Sort [^\n]* spilled=([0-9]+) kB"))) << plan;
  EXPECT_GT(std::stoi(m[1]), 3000) << plan;
  EXPECT_LT(std::stoi(m[1]), 4000) << plan;
}

// GROUP BY and DISTINCT past the limit set the rows of new keys aside in
// partitions by hash and group each partition afterwards: every group
// once, with its whole aggregates.
TEST_F(SpillTest, GroupingAndDistinctSpillPartitions) {
  Fill(20000);
  // 20,000 groups of one row each (c is unique), about 3 MB of keys.
  EXPECT_EQ(Run("SELECT count(*), sum(n), sum(s), min(s), max(s) FROM (SELECT c, count(*) AS n, sum(a) AS s FROM t "
                "GROUP BY c)"),
            "20000|20000|200010000|1|20000");
  // 5,000 groups of four rows each, 5,000 rows apart in the input: rows of
  // a group arrive before and after the table fills.
  const std::string key = "(a % 5000) || ' and padding to make the key longer'";
  EXPECT_EQ(Run("SELECT count(*), sum(n), min(n), max(n), sum(total) FROM (SELECT " + key +
                " AS k, count(*) AS n, sum(a) AS total FROM t GROUP BY " + key + ")"),
            "5000|20000|4|4|200010000");
  EXPECT_EQ(Run("SELECT count(*) FROM (SELECT DISTINCT c FROM t)"), "20000");
  const std::string plan = Run("EXPLAIN ANALYZE SELECT count(*) FROM (SELECT DISTINCT c FROM t)");
  EXPECT_TRUE(std::regex_search(plan, std::regex("Distinct[^\n]* spilled=[1-9][0-9]* kB\\)"))) << plan;
  EXPECT_EQ(Run("SELECT count(*), sum(a) FROM (SELECT DISTINCT a % 15000 AS a, c FROM t)"), "20000|124995000");
  // Duplicates on either side of the moment the table filled.
  EXPECT_EQ(Run("SELECT count(*) FROM (SELECT DISTINCT c FROM (SELECT c FROM t UNION ALL SELECT c FROM t))"),
            "20000");
}

// A hash join whose right side outgrows the limit partitions both sides
// by key and joins each pair of partitions: about 3 MB of rows against
// 256 KiB takes two levels of partitions. NULL keys match nothing but
// come out of the outer joins.
TEST_F(SpillTest, HashJoinsPartitionBothSides) {
  Fill(20000);
  EXPECT_EQ(Run("SELECT count(*), sum(x.a), sum(x.a - y.a), sum(x.b = y.b) FROM t x JOIN t y ON x.c = y.c"),
            "20000|200010000|0|20000");
  // EXPLAIN ANALYZE reports what the join wrote to its spill files.
  const std::string plan = Run("EXPLAIN ANALYZE SELECT count(*) FROM t x JOIN t y ON x.c = y.c");
  EXPECT_TRUE(std::regex_search(plan, std::regex("Hash InnerJoin [^\n]* spilled=[1-9][0-9]* kB\\)"))) << plan;
  // A condition beyond the key, checked on each pair.
  EXPECT_EQ(Run("SELECT count(*) FROM t x JOIN t y ON x.c = y.c AND x.b <> y.b"), "0");
  Ok("UPDATE t SET c = NULL WHERE a % 5 = 0");
  EXPECT_EQ(Run("SELECT count(*), count(y.a) FROM t x JOIN t y ON x.c = y.c"), "16000|16000");
  EXPECT_EQ(Run("SELECT count(*), count(x.a), count(y.a) FROM t x LEFT JOIN t y ON x.c = y.c"), "20000|20000|16000");
  EXPECT_EQ(Run("SELECT count(*), count(x.a), count(y.a) FROM t x RIGHT JOIN t y ON x.c = y.c"),
            "20000|16000|20000");
  EXPECT_EQ(Run("SELECT count(*), count(x.a), count(y.a), sum(x.a IS NULL AND y.a IS NULL) FROM t x FULL JOIN t y "
                "ON x.c = y.c"),
            "24000|20000|20000|0");
  // Partitions where one side has no rows: only even rows on the left.
  EXPECT_EQ(Run("SELECT count(*), count(x.a) FROM (SELECT * FROM t WHERE a % 2 = 0) x RIGHT JOIN t y "
                "ON x.c = y.c"),
            "20000|8000");
  // Every row with one key: splitting cannot make the partition smaller,
  // so past the deepest level the join fails with the budget's error.
  Ok("CREATE TABLE u(a INTEGER PRIMARY KEY, k INTEGER, c TEXT)");
  Ok("INSERT INTO u SELECT a, 1, c FROM t");
  EXPECT_EQ(Run("SELECT count(*) FROM u x JOIN u y ON x.k = y.k"), "error 53200");
}

// INSERT ... SELECT and CREATE TABLE ... AS read their whole source before
// writing (so a table copied into itself sees its old rows only): past the
// limit the source rows wait in a spill file.
TEST_F(SpillTest, InsertAndCreateTableAsSpillTheirSource) {
  Fill(20000);
  Ok("CREATE TABLE copy(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)");
  Ok("INSERT INTO copy SELECT * FROM t");
  EXPECT_EQ(Run("SELECT count(*), sum(a), sum(b), count(DISTINCT c) FROM copy"), Run("SELECT count(*), sum(a), "
                                                                                      "sum(b), count(DISTINCT c) "
                                                                                      "FROM t"));
  Ok("INSERT INTO t SELECT a + 20000, b, c FROM t");
  EXPECT_EQ(Run("SELECT count(*), max(a) FROM t"), "40000|40000");
  Ok("CREATE TABLE made AS SELECT a, c, CASE WHEN a > 39990 THEN 1.5 END AS late FROM t");
  EXPECT_EQ(Run("SELECT count(*), sum(a), count(late), sum(late), typeof(max(late)) FROM made"),
            "40000|800020000|10|15.0|numeric");
}

// The source rows held in memory give their share of the budget back as
// they are inserted, so a trigger fired for each row still has memory for
// its own work (here a sort); a view's INSTEAD OF INSERT spills its
// source the same way.
TEST_F(SpillTest, InsertedSourceRowsFreeTheirMemory) {
  Fill(20000);
  Ok("CREATE TABLE small(v INTEGER PRIMARY KEY)");
  Ok("INSERT INTO small SELECT a FROM t WHERE a <= 1000");
  Ok("CREATE TABLE dst(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)");
  Ok("CREATE TABLE log(a INTEGER PRIMARY KEY, least INTEGER)");
  Ok("CREATE TRIGGER dst_ins AFTER INSERT ON dst WHEN NEW.a % 1000 = 0 BEGIN "
     "INSERT INTO log SELECT NEW.a, (SELECT v FROM (SELECT v, c FROM small, (SELECT NEW.c AS c) ORDER BY c, v DESC) "
     "LIMIT 1); END");
  Ok("INSERT INTO dst SELECT * FROM t");
  EXPECT_EQ(Run("SELECT count(*), sum(a) FROM dst"), "20000|200010000");
  EXPECT_EQ(Run("SELECT count(*), min(least), max(least) FROM log"), "20|1000|1000");
  Ok("CREATE VIEW every AS SELECT a, b, c FROM dst");
  Ok("CREATE TRIGGER every_ins INSTEAD OF INSERT ON every BEGIN INSERT INTO dst VALUES (NEW.a + 20000, NEW.b, NEW.c); "
     "END");
  Ok("INSERT INTO every SELECT * FROM t");
  EXPECT_EQ(Run("SELECT count(*), max(a) FROM dst"), "40000|40000");
}

// Joins of every kind, spilled under the 256 KiB limit, give what they
// give in memory (a second database with the default limit): duplicate
// and NULL keys, keys on one side only, two-column keys, conditions
// beyond the keys.
TEST_F(SpillTest, SpilledJoinsAgreeWithJoinsInMemory) {
  DatabaseOptions roomy;
  roomy.auto_analyze = false;
  auto big = Database::Open(tmp_.Path("roomy"), roomy);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  auto wide = (*big)->Connect();
  auto both = [&](const std::string& sql) {
    Ok(sql);
    ASSERT_EQ(Run(wide.get(), sql), "") << sql;
  };
  auto rows = [](int from, int to, const std::string& columns) {
    return "SELECT " + columns + " FROM (WITH RECURSIVE r(x) AS (SELECT " + std::to_string(from) +
           " UNION ALL SELECT x + 1 FROM r WHERE x < " + std::to_string(to) + ") SELECT x FROM r)";
  };
  both("CREATE TABLE l(a INTEGER PRIMARY KEY, k INTEGER, s TEXT, pad TEXT)");
  both("CREATE TABLE r(a INTEGER PRIMARY KEY, k INTEGER, s TEXT, pad TEXT)");
  for (int from = 1; from <= 3000; from += 1000) {
    both("INSERT INTO l " + rows(from, from + 999,
                                 "x, CASE WHEN x % 11 = 0 THEN NULL ELSE (x * 31) % 700 END, 'v' || (x % 50), "
                                 "'left row ' || x || ' and its padding'"));
    both("INSERT INTO r " + rows(from, from + 999,
                                 "x, CASE WHEN x % 13 = 0 THEN NULL ELSE (x * 17) % 900 END, 'v' || (x % 60), "
                                 "'right row ' || x || ' and its padding'"));
  }
  const std::string select =
      "SELECT count(*), count(l.a), count(r.a), sum(l.a), sum(r.a), sum(l.a * 3 + r.a), min(r.pad), max(l.pad) ";
  for (const char* kind : {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"}) {
    for (const char* on : {"l.k = r.k", "l.k = r.k AND l.s = r.s", "l.s = r.s AND l.a < r.a - 2500"}) {
      const std::string sql = select + "FROM l " + kind + " r ON " + on;
      const std::string expected = Run(wide.get(), sql);
      ASSERT_EQ(expected.find("error"), std::string::npos) << sql;
      EXPECT_EQ(Run(sql), expected) << sql;
      const std::string plan = Run("EXPLAIN ANALYZE " + sql);
      EXPECT_NE(plan.find("spilled="), std::string::npos) << plan;
    }
  }
}

// Peak memory of a process that sorts 60 MB of rows, and joins them with
// themselves, under a 4 MiB query limit and a 4 MiB buffer pool: far below
// the data, as spilling must keep it. In a child process, so the figure is
// the queries' alone. Sanitizers add shadow memory (and make the work take
// minutes), so the test runs only without them; the tests above run the
// same spilling code under them.
TEST(SpillMemoryTest, LargeSortAndJoinRunInBoundedMemory) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "peak RSS is not meaningful under a sanitizer";
#endif
  TempDir tmp("nq_spill_rss_");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    DatabaseOptions options;
    options.query_memory_limit = 4u << 20;
    options.storage.buffer_pool_mib = 4;
    options.auto_analyze = false;
    auto db = Database::Open(tmp.path() + "/db", options);
    if (!db.ok()) ::_exit(2);
    auto conn = (*db)->Connect();
    auto ok = [&](const std::string& sql) { return conn->Execute(sql).ok(); };
    if (!ok("CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)")) ::_exit(3);
    for (int from = 1; from <= 250000; from += 10000) {
      if (!ok("INSERT INTO t SELECT x, (x * 7919) % 100003, lpad(x, 200, '0') FROM (WITH RECURSIVE r(x) AS "
              "(SELECT " + std::to_string(from) + " UNION ALL SELECT x + 1 FROM r WHERE x < " +
              std::to_string(from + 9999) + ") SELECT x FROM r)")) {
        ::_exit(4);
      }
    }
    struct Ascending : RowSink {
      Status OnRow(const ResultSet& row) override {
        if (row.GetInt64(0) < last) return Status::Internal("out of order");
        last = row.GetInt64(0);
        ++rows;
        return Status::OK();
      }
      int64_t rows = 0, last = -1;
    } check;
    auto rs = conn->ExecuteStreaming("SELECT b, c FROM t ORDER BY b, c", &check);
    if (!rs.ok()) ::_exit(5);
    if (check.rows != 250000) ::_exit(8);
    // A hash join of the 60 MB with itself: both sides partitioned.
    auto joined = conn->Execute("SELECT count(*), sum(x.b - y.b) FROM t x JOIN t y ON x.c = y.c");
    if (!joined.ok()) ::_exit(9);
    auto row = joined->Next();
    if (!row.ok() || !*row || joined->GetInt64(0) != 250000 || joined->GetInt64(1) != 0) ::_exit(10);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed at step " << WEXITSTATUS(status);
  rusage usage{};
  ASSERT_EQ(::getrusage(RUSAGE_CHILDREN, &usage), 0);
  const long peak_mib = usage.ru_maxrss / 1024;
  RecordProperty("peak_rss_mib", static_cast<int>(peak_mib));
  EXPECT_LT(peak_mib, 48) << "peak RSS of the sorting and joining process";
}

}  // namespace
}  // namespace neuroquantum::testing
