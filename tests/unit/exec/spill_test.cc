// Operators past the query memory limit spill to disk: sorts write sorted
// runs and merge them (the same rows in the same stable order as in
// memory), GROUP BY and DISTINCT partition the rows they cannot hold.
// Hash joins do not spill yet and fail with 53200.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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
  EXPECT_EQ(Run("SELECT count(*), sum(a) FROM (SELECT DISTINCT a % 15000 AS a, c FROM t)"), "20000|124995000");
  // Duplicates on either side of the moment the table filled.
  EXPECT_EQ(Run("SELECT count(*) FROM (SELECT DISTINCT c FROM (SELECT c FROM t UNION ALL SELECT c FROM t))"),
            "20000");
  // A hash join's build side does not spill yet.
  EXPECT_EQ(Run("SELECT count(*) FROM t x JOIN t y ON x.c = y.c"), "error 53200");
}

// Peak memory of a process that sorts 60 MB of rows under a 4 MiB query
// limit and a 4 MiB buffer pool: far below the data, as spilling must keep
// it. In a child process, so the figure is the sort's alone. Sanitizers
// add shadow memory, so the bound is checked only without them.
TEST(SpillMemoryTest, LargeSortRunsInBoundedMemory) {
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
    ::_exit(check.rows == 250000 ? 0 : 8);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed at step " << WEXITSTATUS(status);
  rusage usage{};
  ASSERT_EQ(::getrusage(RUSAGE_CHILDREN, &usage), 0);
  const long peak_mib = usage.ru_maxrss / 1024;
  RecordProperty("peak_rss_mib", static_cast<int>(peak_mib));
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "peak RSS " << peak_mib << " MiB under a sanitizer: not checked";
#else
  EXPECT_LT(peak_mib, 48) << "peak RSS of the sorting process";
#endif
}

}  // namespace
}  // namespace neuroquantum::testing
