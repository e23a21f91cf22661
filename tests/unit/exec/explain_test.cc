// EXPLAIN, EXPLAIN ANALYZE and ANALYZE through the embedding API.
#include <regex>
#include <thread>

#include "unit/exec/sql_test_util.h"

namespace neuroquantum::testing {
namespace {

class ExplainTest : public SqlTest {
 protected:
  // Estimates must not change under the test when a background ANALYZE
  // finishes (AutoAnalyze below turns it on).
  void SetUp() override {
    options_.auto_analyze = false;
    SqlTest::SetUp();
  }

  // Plans without their costs (CostsFollowTheModel checks those), so the
  // other tests say only what they are about.
  using SqlTest::Run;
  std::string Run(const std::string& sql) {
    const std::string out = SqlTest::Run(sql);
    if (!sql.starts_with("EXPLAIN")) return out;
    return std::regex_replace(out, std::regex("cost=[0-9]+ |\"Total Cost\": [0-9]+, "), "");
  }
  std::string RunWithCosts(const std::string& sql) { return SqlTest::Run(sql); }

  // 5000 rows: b = a % 10, c one of three strings, d NULL in every fourth.
  void Fill() {
    Ok("CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT, d DOUBLE)");
    Ok("INSERT INTO t SELECT x, x % 10, 'v' || (x % 3), CASE WHEN x % 4 = 0 THEN NULL ELSE x / 7.0 END "
       "FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 5000) SELECT x FROM r)");
  }
};

// Costs are rows handled: a full scan one per row, a filter one per row
// it checks, a lookup join its outer side plus each lookup (a seek and the
// row) plus its output (a tenth more per column it carries), each operator
// including its inputs.
TEST_F(ExplainTest, CostsFollowTheModel) {
  Fill();
  Ok("ANALYZE t");
  const std::string filtered = RunWithCosts("EXPLAIN SELECT * FROM t WHERE b = 3");
  EXPECT_NE(filtered.find("Project (4 columns) (cost=10500 rows=500)\n  Filter (cost=10000 rows=500)\n"
                          "    TableScan t (cost=5000 rows=5000)"),
            std::string::npos)
      << filtered;
  const std::string looked_up = RunWithCosts("EXPLAIN SELECT * FROM t x JOIN t y ON x.a = y.a WHERE x.b = 1");
  EXPECT_NE(looked_up.find("NestedLoop InnerJoin (index lookup) (cost=16650 rows=500)"), std::string::npos)
      << looked_up;
  EXPECT_NE(looked_up.find("TableScan t (primary key, 1 key column bounded) (cost=12 rows=1)"), std::string::npos)
      << looked_up;
  // A sort adds n log2 n to its input's cost; JSON carries the same.
  const std::string sorted = RunWithCosts("EXPLAIN SELECT a FROM t ORDER BY d");
  EXPECT_NE(sorted.find("Sort (1 keys) (cost=71439 rows=5000)"), std::string::npos) << sorted;
  const std::string json = RunWithCosts("EXPLAIN (FORMAT JSON) SELECT * FROM t WHERE b = 3");
  EXPECT_NE(json.find("\"Operator\": \"Filter\", \"Total Cost\": 10000, \"Plan Rows\": 500"), std::string::npos)
      << json;
  // Estimates past any integer type print whole: seven tables of 1000
  // rows (never analysed) crossed.
  Ok("CREATE TABLE e(x INTEGER)");
  const std::string crossed = RunWithCosts("EXPLAIN SELECT count(*) FROM e a, e b, e c, e d, e f, e g, e h");
  EXPECT_NE(crossed.find(" rows=1000000000000000000000)"), std::string::npos) << crossed;
  EXPECT_NE(crossed.find("HashAggregate (0 keys, 1 aggregates) (cost=4700000002402307"), std::string::npos) << crossed;
}

TEST_F(ExplainTest, AnalyzeCountsRowsLoopsAndTime) {
  Fill();
  Ok("CREATE TABLE u(b INTEGER PRIMARY KEY, name TEXT)");
  Ok("INSERT INTO u VALUES (1, 'one'), (2, 'two')");
  const std::string plan = Run("EXPLAIN ANALYZE SELECT t.a, u.name FROM t, u WHERE t.b = u.b AND t.a <= 100");
  // Rows are per loop; the last lines give the planning and execution time.
  EXPECT_NE(plan.find("Hash InnerJoin (rows=333) (actual rows=20 loops=1 time="), std::string::npos) << plan;
  // Never analysed: a range keeps a third of the default 1000 rows.
  EXPECT_NE(plan.find("TableScan t (primary key, 1 key column bounded) (rows=333) (actual rows=100 loops=1"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("TableScan u (rows=1000) (actual rows=2 loops=1"), std::string::npos) << plan;
  // For three rows of t, u (thought to hold 1000 rows) is read by its
  // primary key once per row: 3 loops, each finding its row.
  const std::string lookups =
      Run("EXPLAIN ANALYZE SELECT t.a, u.name FROM t, u WHERE t.b = u.b AND t.a IN (1, 2, 3)");
  EXPECT_NE(lookups.find("NestedLoop InnerJoin (index lookup) (rows=15) (actual rows=2 loops=1"), std::string::npos)
      << lookups;
  EXPECT_NE(lookups.find("TableScan u (primary key, 1 key column bounded) (rows=1) (actual rows=1 loops=3"),
            std::string::npos)
      << lookups;
  EXPECT_TRUE(std::regex_search(plan, std::regex("\nPlanning Time: [0-9]+\\.[0-9]{3} ms\nExecution Time: "
                                                 "[0-9]+\\.[0-9]{3} ms$")))
      << plan;

  // Once analysed, u is known to hold 2 rows: it becomes the side the
  // hash join materialises (the right one, printed second).
  Ok("ANALYZE");
  const std::string analysed = Run("EXPLAIN SELECT t.a, u.name FROM t, u WHERE t.b = u.b AND t.a <= 100");
  EXPECT_LT(analysed.find("TableScan t"), analysed.find("TableScan u")) << analysed;
  EXPECT_NE(analysed.find("Hash InnerJoin (rows=20)"), std::string::npos) << analysed;

  // A join condition in every branch of an OR is taken out as a join key.
  const std::string factored =
      Run("EXPLAIN SELECT t.a FROM t, u WHERE (t.b = u.b AND t.a < 10) OR (t.b = u.b AND u.name = 'two')");
  EXPECT_NE(factored.find("Hash InnerJoin"), std::string::npos) << factored;

  // A limit stops its input early.
  const std::string limited = Run("EXPLAIN ANALYZE SELECT a FROM t LIMIT 7");
  EXPECT_NE(limited.find("Limit (rows=7) (actual rows=7 loops=1"), std::string::npos) << limited;
  EXPECT_NE(limited.find("TableScan t (rows=5000) (actual rows=7 loops=1"), std::string::npos) << limited;

  // Plain EXPLAIN runs nothing and shows no counters.
  EXPECT_EQ(Run("EXPLAIN SELECT a FROM t").find("actual"), std::string::npos);
  // A runtime error of the query is the statement's error.
  EXPECT_EQ(Run("EXPLAIN ANALYZE SELECT 1 / (a - 7) FROM t"), "error 22012");
  // Only queries.
  EXPECT_EQ(Run("EXPLAIN ANALYZE DELETE FROM t"), "error 0A000");
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "5000");
}

TEST_F(ExplainTest, JsonFormat) {
  Fill();
  const std::string json = Run("EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM t WHERE b = 3");
  // Operators without an estimate of their own pass on their input's.
  EXPECT_EQ(json.rfind("[{\"Plan\": {\"Operator\": \"Project (1 columns)\", \"Plan Rows\": 1, \"Actual Rows\": 1, "
                       "\"Actual Loops\": 1, \"Actual Total Time\": ",
                       0),
            0u)
      << json;
  EXPECT_NE(json.find("{\"Operator\": \"HashAggregate (0 keys, 1 aggregates)\", \"Plan Rows\": 1,"), std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"Operator\": \"Filter\", \"Plan Rows\": 5, \"Actual Rows\": 500, \"Actual Loops\": 1"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"Execution Time\": "), std::string::npos) << json;
  const std::string plain = Run("EXPLAIN (FORMAT JSON) SELECT a FROM t");
  EXPECT_EQ(plain.find("Actual"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("Execution Time"), std::string::npos) << plain;
  EXPECT_NE(plain.find("\"Planning Time\": "), std::string::npos) << plain;
  // Option errors name the option.
  EXPECT_EQ(Run("EXPLAIN (FORMAT XML) SELECT 1"), "error 42601");
  EXPECT_EQ(Run("EXPLAIN (COSTS) SELECT 1"), "error 42601");
  EXPECT_EQ(Run("EXPLAIN (ANALYZE false) SELECT a FROM t LIMIT 1").find("actual"), std::string::npos);
}

TEST_F(ExplainTest, AnalyzeStatisticsDriveEstimates) {
  Fill();
  // Never analysed: a default row count and default selectivities.
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b = 3").find("Filter (rows=5)"), std::string::npos);
  EXPECT_EQ(Run("ANALYZE t"), "");
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b = 3").find("Filter (rows=500)"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE d IS NULL").find("Filter (rows=1250)"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE a > 4000").find("(rows=1000)"), std::string::npos);
  // Groups: the key's distinct values (b has 10, c 3), at most the input.
  EXPECT_NE(Run("EXPLAIN SELECT b, count(*) FROM t GROUP BY b").find("HashAggregate (1 keys, 1 aggregates) (rows=10)"),
            std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT b, c, count(*) FROM t GROUP BY b, c").find("(2 keys, 1 aggregates) (rows=30)"),
            std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT a, count(*) FROM t WHERE a < 3 GROUP BY a").find("1 aggregates) (rows=2)"),
            std::string::npos);

  // Statistics are kept in the catalog: they survive a restart...
  Reopen();
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b = 3").find("Filter (rows=500)"), std::string::npos);
  // ...roll back with the transaction that gathered them...
  Ok("BEGIN");
  Ok("UPDATE t SET b = 3 WHERE a > 2500");
  Ok("ANALYZE");
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b = 3").find("Filter (rows=2750)"), std::string::npos);
  Ok("ROLLBACK");
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b = 3").find("Filter (rows=500)"), std::string::npos);
  // ...and go with the table.
  Ok("DROP TABLE t");
  Fill();
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b = 3").find("Filter (rows=5)"), std::string::npos);

  // Errors.
  EXPECT_EQ(Run("ANALYZE nope"), "error 42P01");
  Ok("CREATE VIEW v AS SELECT a FROM t");
  EXPECT_EQ(Run("ANALYZE v"), "error 42809");
  conn_->SetReadOnly(true);
  EXPECT_EQ(Run("ANALYZE t"), "error 25006");
}

// A lower and an upper bound on one column keep the rows between them:
// below(7) - below(2) = 0.78 - 0.28 of the rows by the histogram, not the
// product of the two fractions (0.72 * 0.78, 2808 rows).
TEST_F(ExplainTest, RangeBoundsOnOneColumnAreEstimatedTogether) {
  Fill();
  Ok("ANALYZE t");
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b > 2").find("Filter (rows=3594)"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b < 7").find("Filter (rows=3906)"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b > 2 AND b < 7").find("Filter (rows=2500)"), std::string::npos);
  // Written the other way round and apart, with c <> 'x' (2/3) between.
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE 7 > b AND c <> 'x' AND 2 < b").find("Filter (rows=1667)"),
            std::string::npos);
  // Crossed bounds keep nothing (printed as the least estimate, 1 row).
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b > 7 AND b < 2").find("Filter (rows=1)"), std::string::npos);
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE b > 2 AND b < 7"), "2000");
}

// A sort under a constant LIMIT returns at most LIMIT + OFFSET rows.
TEST_F(ExplainTest, TopNSortEstimatesItsLimit) {
  Fill();
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t ORDER BY b LIMIT 5").find("Sort (1 keys, top-N) (rows=5)"),
            std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t ORDER BY b LIMIT 5 OFFSET 3").find("Sort (1 keys, top-N) (rows=8)"),
            std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE a < 3 ORDER BY b LIMIT 500").find("top-N) (rows=333)"),
            std::string::npos);
}

// A constant expression is computed once when planning: compared with a
// column it estimates like a literal (b < 1 + 1 as b < 2, from the
// histogram) and bounds a key range.
TEST_F(ExplainTest, ConstantExpressionsAreFolded) {
  Fill();
  EXPECT_EQ(Run("ANALYZE t"), "");
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b < 1 + 1").find("Filter (rows=1406)"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b < CAST('2' AS INTEGER)").find("Filter (rows=1406)"),
            std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE a > 4000 + abs(-500)").find("(rows=500)"), std::string::npos);
  // What may not be computed ahead stays as it is: a failing expression
  // fails only if it runs, RANDOM() differs row by row.
  EXPECT_EQ(Run("SELECT 1 / 0 FROM t WHERE a < 0"), "");
  EXPECT_EQ(Run("SELECT 1 / 0 FROM t WHERE a = 1"), "error 22012");
  EXPECT_EQ(Run("SELECT count(DISTINCT random()) > 1 FROM t"), "true");
}

// An OR over two tables whose every branch has a condition on t alone
// implies their OR on t, which filters t's scan before the join; the rows
// are those of the OR alone.
TEST_F(ExplainTest, OrOverTablesFiltersEachTable) {
  Fill();
  Ok("CREATE TABLE u(b INTEGER PRIMARY KEY, name TEXT)");
  Ok("INSERT INTO u VALUES (1, 'one'), (2, 'two')");
  Ok("ANALYZE");
  const std::string query = "SELECT count(*) FROM t, u WHERE (t.b = 1 AND u.name = 'one') OR (t.b = 2 AND u.name = 'two')";
  const std::string plan = Run("EXPLAIN ANALYZE " + query);
  EXPECT_NE(plan.find("  Filter (rows=950) (actual rows=1000 loops=1"), std::string::npos) << plan;
  EXPECT_EQ(Run(query), "1000");
  // A branch with nothing on t alone implies nothing for t.
  const std::string wide = query + " OR t.a = u.b";
  EXPECT_EQ(Run("EXPLAIN " + wide).find("Filter (rows=950)"), std::string::npos);
  EXPECT_EQ(Run(wide), "1000");
}

// Subqueries are printed below the operator whose expression holds them,
// after its inputs, in text and in JSON.
TEST_F(ExplainTest, SubqueriesAppearUnderTheirOperator) {
  Fill();
  Ok("CREATE TABLE u(b INTEGER PRIMARY KEY, name TEXT)");
  Ok("INSERT INTO u VALUES (1, 'one'), (2, 'two')");
  const std::string plan = Run(
      "EXPLAIN SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.b = t.b AND u.name <> t.c) AND "
      "a IN (SELECT b FROM u)");
  const size_t filter = plan.find("Filter");
  const size_t scan = plan.find("  TableScan t");
  const size_t exists = plan.find("  SubPlan (EXISTS, correlated, memoized)\n");
  const size_t in = plan.find("  SubPlan (IN, runs once)\n");
  ASSERT_NE(exists, std::string::npos) << plan;
  ASSERT_NE(in, std::string::npos) << plan;
  EXPECT_LT(filter, scan);
  EXPECT_LT(scan, exists);
  EXPECT_NE(plan.find("TableScan u (primary key, 1 key column bounded)"), std::string::npos) << plan;
  const std::string json = Run("EXPLAIN (FORMAT JSON) SELECT a, (SELECT name FROM u WHERE u.b = t.b) FROM t");
  EXPECT_NE(json.find("\"Parent Relationship\": \"SubPlan\", \"Subplan Name\": \"SubPlan (scalar, correlated, "
                      "memoized)\""),
            std::string::npos)
      << json;
}

// EXISTS linked to the enclosing row by one equality runs once into a hash
// set that each row probes, when that costs less than a lookup per row;
// its correlated form answers the rows the set cannot (another kind).
TEST_F(ExplainTest, ExistsOnOneEqualityIsHashed) {
  Fill();
  Ok("CREATE TABLE u(b INTEGER, name TEXT)");  // no key on b: a lookup reads all of u
  Ok("INSERT INTO u VALUES (1, 'one'), (2, 'two'), (NULL, 'none')");
  Ok("ANALYZE");
  const std::string query = "SELECT count(*) FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.b = t.b)";
  const std::string plan = Run("EXPLAIN ANALYZE " + query);
  const size_t hashed = plan.find("SubPlan (EXISTS, hashed, runs once) (probes=5000)\n");
  const size_t fallback = plan.find("SubPlan (EXISTS, correlated, memoized, where the hash cannot answer) (rows=0)");
  ASSERT_NE(hashed, std::string::npos) << plan;
  ASSERT_NE(fallback, std::string::npos) << plan;
  EXPECT_LT(hashed, fallback);
  EXPECT_NE(plan.find("TableScan u (rows=3) (actual rows=3 loops=1 "), std::string::npos) << plan;
  EXPECT_EQ(Run(query), "4000");
  // Doubles probing a set of integers: each row asks the subquery.
  const std::string mixed = Run("EXPLAIN ANALYZE SELECT count(*) FROM t WHERE EXISTS "
                                "(SELECT 1 FROM u WHERE u.b = t.d)");
  EXPECT_NE(mixed.find("(probes=1250)"), std::string::npos) << mixed;  // NULL d: no match, no question
  EXPECT_NE(mixed.find("where the hash cannot answer) (rows=3750)"), std::string::npos) << mixed;
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.b = t.d)"), "2");  // 7/7.0, 14/7.0
  // With an index on u.b, a lookup per row is cheaper than reading u.
  Ok("CREATE TABLE v(b INTEGER PRIMARY KEY, name TEXT)");
  Ok("INSERT INTO v SELECT a, c FROM t");
  Ok("ANALYZE");
  const std::string lookup = Run("EXPLAIN SELECT a FROM t WHERE a < 10 AND EXISTS (SELECT 1 FROM v WHERE v.b = t.b)");
  EXPECT_EQ(lookup.find("hashed"), std::string::npos) << lookup;
  // Only a WHERE weighs the two: elsewhere the subquery stays correlated.
  const std::string listed = Run("EXPLAIN SELECT a, EXISTS (SELECT 1 FROM u WHERE u.b = t.b) FROM t");
  EXPECT_EQ(listed.find("hashed"), std::string::npos) << listed;
  // The subquery is bound a second time for its hash; what it reads must
  // not be, or nested levels would double the work each: 30 levels of
  // common table expressions, each an EXISTS over the one before.
  std::string with = "WITH c0 AS (SELECT b FROM u)";
  for (int i = 1; i <= 30; ++i) {
    with += fmt::format(", c{} AS (SELECT b FROM u WHERE EXISTS (SELECT 1 FROM c{} WHERE c{}.b = u.b))", i, i - 1,
                        i - 1);
  }
  EXPECT_EQ(Run(with + " SELECT count(*) FROM c30"), "2");
}

// A correlated subquery runs once per distinct enclosing value it reads;
// the other rows take the answer from memory.
TEST_F(ExplainTest, CorrelatedSubqueryIsMemoized) {
  Fill();
  Ok("CREATE TABLE u(b INTEGER, name TEXT)");
  Ok("INSERT INTO u VALUES (1, 'one'), (2, 'two'), (2, 'deux')");
  const std::string query = "SELECT b, (SELECT count(*) FROM u WHERE u.b = t.b) AS n FROM t WHERE a <= 100";
  const std::string plan = Run("EXPLAIN ANALYZE " + query);
  // 100 rows, 10 values of b.
  EXPECT_NE(plan.find("SubPlan (scalar, correlated, memoized) (memo hits=90 misses=10)"), std::string::npos) << plan;
  EXPECT_NE(plan.find("TableScan u (rows=1000) (actual rows=3 loops=10"), std::string::npos) << plan;
  EXPECT_EQ(Run("SELECT b, n, count(*) FROM (" + query + ") GROUP BY b, n ORDER BY b LIMIT 3"),
            "0|0|10\n1|1|10\n2|2|10");
  // Values that rarely repeat: memoization stops after 1024 misses.
  const std::string unique = Run("EXPLAIN ANALYZE SELECT (SELECT count(*) FROM u WHERE u.b = t.a) FROM t");
  EXPECT_NE(unique.find("(memo hits=0 misses=1024, stopped)"), std::string::npos) << unique;
  EXPECT_EQ(Run("SELECT sum((SELECT count(*) FROM u WHERE u.b = t.a)) FROM t"), "3");
  // A prepared query forgets its answers between executions.
  auto prepared = conn_->Prepare("SELECT sum((SELECT count(*) FROM u WHERE u.b = t.b)) FROM t");
  ASSERT_TRUE(prepared.ok());
  auto sum = [&] {
    auto rs = (*prepared)->Execute();
    EXPECT_TRUE(rs.ok() && *rs->Next());
    return rs.ok() ? rs->GetText(0) : "";
  };
  EXPECT_EQ(sum(), "1500");
  Ok("INSERT INTO u VALUES (3, 'three')");
  EXPECT_EQ(sum(), "2000");
}

// A trigger runs its statements on one context: the SELECT before its
// UPDATE must not leave memoization on for the UPDATE, whose subquery
// reads rows the UPDATE itself changes.
TEST_F(ExplainTest, TriggerWritesAfterASelectAreNotMemoized) {
  for (const char* table : {"direct", "fired"}) {
    Ok(std::string("CREATE TABLE ") + table + "(id INTEGER PRIMARY KEY, g INTEGER, n INTEGER)");
    Ok(std::string("INSERT INTO ") + table + " VALUES (1, 1, 1), (2, 1, 2), (3, 2, 5), (4, 1, 0)");
  }
  const std::string update = " SET n = (SELECT max(n) FROM {} t2 WHERE t2.g = {}.g) + 1";
  auto format = [&](const char* table) {
    std::string u = update;
    for (size_t at; (at = u.find("{}")) != std::string::npos;) u.replace(at, 2, table);
    return std::string("UPDATE ") + table + u;
  };
  Ok("CREATE TABLE log(x INTEGER)");
  Ok("CREATE TRIGGER log_ins AFTER INSERT ON log BEGIN SELECT 1 WHERE NEW.x < 0; " + format("fired") + "; END");
  Ok(format("direct"));
  Ok("INSERT INTO log VALUES (1)");
  EXPECT_EQ(Run("SELECT n FROM fired ORDER BY id"), Run("SELECT n FROM direct ORDER BY id"));
}

// What is not memoized: a subquery calling a volatile function gives a new
// value each time; 0.0 and -0.0 are equal but not the same value.
TEST_F(ExplainTest, MemoizationKeepsVolatileAndDistinctValuesApart) {
  Fill();
  const std::string volatile_query = "SELECT count(DISTINCT (SELECT random() + t.b)) FROM t";
  EXPECT_EQ(Run("EXPLAIN " + volatile_query).find("memoized"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN " + volatile_query).find("SubPlan (scalar, correlated)"), std::string::npos);
  EXPECT_EQ(Run(volatile_query), "5000");
  // A volatile function deeper down counts too.
  EXPECT_EQ(Run("EXPLAIN SELECT (SELECT (SELECT random() + t.b)) FROM t").find("memoized"), std::string::npos);
  Ok("CREATE TABLE z(x DOUBLE)");
  Ok("INSERT INTO z VALUES (0.0), (CAST('-0' AS DOUBLE)), (0.0), (CAST('-0' AS DOUBLE))");
  EXPECT_EQ(Run("SELECT (SELECT CAST(z.x AS TEXT)) FROM z"), "0\n-0\n0\n-0");
}

// Rows read in key order come grouped by the key's leading columns: GROUP
// BY over them needs no hash table.
TEST_F(ExplainTest, AggregateOverKeyOrderNeedsNoHashTable) {
  Fill();
  EXPECT_NE(Run("EXPLAIN SELECT a, count(*) FROM t GROUP BY a").find("GroupAggregate (1 keys"), std::string::npos);
  EXPECT_NE(Run("EXPLAIN SELECT b, count(*) FROM t GROUP BY b").find("HashAggregate (1 keys"), std::string::npos);
  const std::string by_hash = Run("SELECT b, c, count(*), sum(a) FROM t GROUP BY b, c ORDER BY b, c");
  Ok("CREATE INDEX t_bc ON t(b, c)");
  // Through the index (b bounded), in either order of the keys.
  const std::string query = "SELECT b, c, count(*), sum(a) FROM t WHERE b >= 0 GROUP BY c, b ORDER BY b, c";
  const std::string plan = Run("EXPLAIN " + query);
  EXPECT_NE(plan.find("GroupAggregate (2 keys"), std::string::npos) << plan;
  EXPECT_NE(plan.find("IndexScan t using t_bc"), std::string::npos) << plan;
  EXPECT_EQ(Run(query), by_hash);
  EXPECT_EQ(Run("SELECT count(*) FROM (SELECT a FROM t GROUP BY a)"), "5000");
  // A NOCASE key's order is not that of its comparison: its groups are
  // hashed.
  Ok("CREATE TABLE n(s TEXT COLLATE NOCASE, v INTEGER, PRIMARY KEY (s, v))");
  EXPECT_NE(Run("EXPLAIN SELECT s, count(*) FROM n GROUP BY s").find("HashAggregate"), std::string::npos);
}

// Grouped input is aggregated as it is read: a LIMIT stops the scan one
// row after its last group, and each group is emitted whole.
TEST_F(ExplainTest, GroupedInputIsAggregatedAsItIsRead) {
  Fill();
  const std::string plan = Run("EXPLAIN ANALYZE SELECT a, count(*) FROM t GROUP BY a LIMIT 3");
  const std::regex grouped(R"(GroupAggregate \(1 keys, 1 aggregates\) \(rows=\d+\) \(actual rows=3 loops=1 )");
  EXPECT_TRUE(std::regex_search(plan, grouped)) << plan;
  EXPECT_TRUE(std::regex_search(plan, std::regex(R"(TableScan t \(rows=\d+\) \(actual rows=4 loops=1 )"))) << plan;
  Ok("CREATE TABLE g(k INTEGER, i INTEGER, v INTEGER, PRIMARY KEY (k, i))");
  // No input: no groups.
  EXPECT_EQ(Run("SELECT k, sum(v) FROM g GROUP BY k"), "");
  Ok("INSERT INTO g VALUES (1, 1, 10), (1, 2, NULL), (2, 1, 5), (3, 1, 7), (3, 2, 8), (3, 3, 9)");
  EXPECT_NE(Run("EXPLAIN SELECT k, sum(v) FROM g GROUP BY k").find("GroupAggregate"), std::string::npos);
  EXPECT_EQ(Run("SELECT k, count(*), count(v), sum(v), count(DISTINCT v % 2) FROM g GROUP BY k"),
            "1|2|1|10|1\n2|1|1|5|1\n3|3|3|24|2");
  // Re-opened for every outer row by a correlated subquery.
  EXPECT_EQ(Run("SELECT k, (SELECT max(s) FROM (SELECT i, sum(v) AS s FROM g WHERE g.k = o.k GROUP BY i)) "
                "FROM g AS o GROUP BY k"),
            "1|10\n2|5\n3|9");
  // An error in the last group is raised, not lost with the group.
  Ok("INSERT INTO g VALUES (4, 1, 9223372036854775807), (4, 2, 1)");
  EXPECT_EQ(Run("SELECT k, sum(v) FROM g GROUP BY k"), "error 22003");
}

// A key named twice is one key: GROUP BY b, b over rows sorted by (a, b)
// is not grouped by its input order.
TEST_F(ExplainTest, RepeatedGroupKeyIsNotTakenForTheKeyOrder) {
  Ok("CREATE TABLE p(a INTEGER, b INTEGER, PRIMARY KEY (a, b))");
  Ok("INSERT INTO p VALUES (1, 1), (2, 1), (3, 2)");
  EXPECT_NE(Run("EXPLAIN SELECT b, count(*) FROM p GROUP BY b, b").find("HashAggregate"), std::string::npos);
  EXPECT_EQ(Run("SELECT b, count(*) FROM p GROUP BY b, p.b ORDER BY b"), "1|2\n2|1");
  EXPECT_NE(Run("EXPLAIN SELECT a, count(*) FROM p GROUP BY a, a").find("GroupAggregate"), std::string::npos);
  EXPECT_EQ(Run("SELECT count(*) FROM (SELECT b, a FROM p GROUP BY b, a, b)"), "3");
}

// col IN (uncorrelated subquery) bounds a key: the subquery runs when the
// scan opens and its values become the key ranges.
TEST_F(ExplainTest, InSubqueryBoundsAKey) {
  Fill();
  Ok("CREATE TABLE u(b INTEGER, name TEXT)");
  Ok("INSERT INTO u VALUES (1, 'one'), (2, 'two'), (2, 'deux'), (NULL, 'none'), (9999, 'far')");
  const std::string query = "SELECT count(*), sum(a) FROM t WHERE a IN (SELECT b FROM u)";
  const std::string plan = Run("EXPLAIN ANALYZE " + query);
  EXPECT_NE(plan.find("TableScan t (primary key, 1 key column bounded) (rows=500) (actual rows=2 loops=1"),
            std::string::npos)
      << plan;
  EXPECT_EQ(Run(query), "2|3");
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE a NOT IN (SELECT b FROM u WHERE b IS NOT NULL)"), "4998");
  // Values of another kind cannot be encoded as the key: everything is
  // read and filtered instead.
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE a IN (SELECT name FROM u)"), "0");
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE a IN (SELECT '7' UNION SELECT 8.0)"), "2");
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE a IN (SELECT b FROM u WHERE b > 5000)"), "0");
}

// DatabaseOptions::rewrite_queries off: the same answers, planned as
// written.
class UnrewrittenTest : public ExplainTest {
 protected:
  void SetUp() override {
    options_.rewrite_queries = false;
    ExplainTest::SetUp();
  }
};

TEST_F(UnrewrittenTest, QueriesRunAsWritten) {
  Fill();
  Ok("CREATE TABLE u(b INTEGER, name TEXT)");
  Ok("INSERT INTO u VALUES (1, 'one'), (2, 'two')");
  Ok("ANALYZE");
  // Not folded: 1 + 1 is not a constant the estimate can read.
  EXPECT_NE(Run("EXPLAIN SELECT * FROM t WHERE b < 1 + 1").find("Filter (rows=1667)"), std::string::npos);
  // The IN subquery filters every row instead of bounding the key.
  const std::string in = Run("EXPLAIN SELECT count(*) FROM t WHERE a IN (SELECT b FROM u)");
  EXPECT_NE(in.find("TableScan t (rows=5000)"), std::string::npos) << in;
  EXPECT_EQ(Run("SELECT count(*) FROM t WHERE a IN (SELECT b FROM u)"), "2");
  // Correlated subqueries run for every row.
  const std::string correlated = "SELECT sum((SELECT count(*) FROM u WHERE u.b = t.b)) FROM t";
  const std::string plan = Run("EXPLAIN ANALYZE " + correlated);
  EXPECT_NE(plan.find("SubPlan (scalar, correlated)\n"), std::string::npos) << plan;
  EXPECT_NE(plan.find("loops=5000"), std::string::npos) << plan;
  EXPECT_EQ(Run(correlated), "1000");
  // EXISTS is not hashed.
  const std::string exists = "SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.b = t.b)";
  EXPECT_EQ(Run("EXPLAIN " + exists).find("hashed"), std::string::npos);
  EXPECT_EQ(Run(exists), "1000");
}

TEST_F(ExplainTest, AutoAnalyzeAfterEnoughWrites) {
  options_.auto_analyze = true;
  Reopen();
  Fill();  // 5000 rows: over the 50 writes a never-analysed table needs
  // The statistics arrive in the background; each statement of this
  // session picks up the catalog they are in.
  std::string plan;
  for (int i = 0; i < 200; ++i) {
    plan = Run("EXPLAIN SELECT * FROM t WHERE b = 3");
    if (plan.find("Filter (rows=500)") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(plan.find("Filter (rows=500)"), std::string::npos) << plan;

  // 1000 more written rows are over 50 + 10% of the 5000 analysed: the
  // next ANALYZE sees b = 3 in 1400 rows.
  Ok("UPDATE t SET b = 3 WHERE a <= 400");
  Ok("UPDATE t SET b = 3 WHERE a > 400 AND a <= 1000");
  for (int i = 0; i < 200; ++i) {
    plan = Run("EXPLAIN SELECT * FROM t WHERE b = 3");
    if (plan.find("Filter (rows=500)") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(plan.find("Filter (rows=1400)"), std::string::npos) << plan;

  // ANALYZE leaves the schema version alone, so DDL in a REPEATABLE READ
  // transaction that began before an ANALYZE committed still goes through.
  auto other = db_->Connect();
  Ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
  Ok("SELECT count(*) FROM t");
  EXPECT_EQ(Run(other.get(), "ANALYZE t"), "");  // as the background one does
  Ok("CREATE TABLE other(x INTEGER)");
  Ok("COMMIT");
}

}  // namespace
}  // namespace neuroquantum::testing
