// Table statistics (exec/statistics.h) and the estimates made from them
// (exec/estimate.h).
#include "exec/statistics.h"

#include <gtest/gtest.h>

#include "exec/catalog.h"
#include "exec/estimate.h"

namespace neuroquantum::exec {
namespace {

ColumnInfo Col(std::string name, TypeId type) {
  ColumnInfo c;
  c.name = std::move(name);
  c.type = DataType::Of(type);
  return c;
}

TableInfo MakeTable() {
  TableInfo table;
  table.name = "t";
  table.columns = {Col("id", TypeId::kBigInt), Col("skewed", TypeId::kBigInt), Col("name", TypeId::kText),
                   Col("score", TypeId::kDouble)};
  return table;
}

// `rows` rows: id 0..rows-1; skewed is 7 in the even rows, else id % 100
// (the 50 odd numbers below 100, 7 among them);
// name one of three; score = id / 10 with every fourth NULL.
TableStats Collect(const TableInfo& table, int64_t rows) {
  StatsCollector collector(table, 42);
  for (int64_t i = 0; i < rows; ++i) {
    collector.Add({Value::Integer(i), Value::Integer(i % 2 == 0 ? 7 : i % 100),
                   Value::Text(std::string("n") + std::to_string(i % 3)),
                   i % 4 == 0 ? Value::Null() : Value::Double(static_cast<double>(i) / 10)});
  }
  return collector.Finish();
}

TEST(StatisticsTest, SmallTableIsCountedExactly) {
  const TableInfo table = MakeTable();
  const TableStats stats = Collect(table, 1000);
  EXPECT_EQ(stats.row_count, 1000u);
  ASSERT_EQ(stats.columns.size(), 4u);
  EXPECT_DOUBLE_EQ(stats.columns[0].distinct, 1000);
  EXPECT_DOUBLE_EQ(stats.columns[0].null_fraction, 0);
  EXPECT_TRUE(stats.columns[0].most_common.empty());  // every id once
  EXPECT_DOUBLE_EQ(stats.columns[3].null_fraction, 0.25);
  EXPECT_DOUBLE_EQ(stats.columns[2].distinct, 3);

  // 7 is over half the rows: the first most common value.
  const ColumnStats& skewed = stats.columns[1];
  EXPECT_DOUBLE_EQ(skewed.distinct, 50);
  ASSERT_FALSE(skewed.most_common.empty());
  EXPECT_EQ(skewed.most_common[0].integer(), 7);
  EXPECT_DOUBLE_EQ(skewed.most_common_fractions[0], 0.51);  // 500 even ids, and 7, 107, ..., 907

  // Equi-depth histogram: ascending bounds over the whole range.
  const ColumnStats& id = stats.columns[0];
  ASSERT_EQ(id.histogram.size(), StatsCollector::kBuckets + 1);
  EXPECT_EQ(id.histogram.front().integer(), 0);
  EXPECT_EQ(id.histogram.back().integer(), 999);
  for (size_t i = 1; i < id.histogram.size(); ++i) {
    EXPECT_LT(id.histogram[i - 1].integer(), id.histogram[i].integer());
  }
}

TEST(StatisticsTest, LargeTableIsSampledAndSketched) {
  const TableInfo table = MakeTable();
  const TableStats stats = Collect(table, 200000);
  EXPECT_EQ(stats.row_count, 200000u);
  // HyperLogLog with 4096 registers: about 1.6% standard error.
  EXPECT_NEAR(stats.columns[0].distinct, 200000, 200000 * 0.05);
  EXPECT_NEAR(stats.columns[1].distinct, 50, 3);
  EXPECT_DOUBLE_EQ(stats.columns[3].null_fraction, 0.25);  // counted over every row
  ASSERT_FALSE(stats.columns[1].most_common.empty());
  EXPECT_EQ(stats.columns[1].most_common[0].integer(), 7);
  EXPECT_NEAR(stats.columns[1].most_common_fractions[0], 0.51, 0.02);  // from the 30000-row sample
}

TEST(StatisticsTest, EmptyTable) {
  const TableInfo table = MakeTable();
  const TableStats stats = Collect(table, 0);
  EXPECT_EQ(stats.row_count, 0u);
  ASSERT_EQ(stats.columns.size(), 4u);
  EXPECT_DOUBLE_EQ(stats.columns[0].distinct, 0);
  EXPECT_TRUE(stats.columns[0].histogram.empty());
}

TEST(StatisticsTest, CatalogFormatRoundTripsAndFollowsColumnsByName) {
  const TableInfo table = MakeTable();
  const TableStats stats = Collect(table, 1000);
  const std::string bytes = EncodeTableStats(stats);

  auto decoded = DecodeTableStats(bytes, table);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_NE(*decoded, nullptr);
  EXPECT_EQ((*decoded)->row_count, 1000u);
  for (size_t c = 0; c < stats.columns.size(); ++c) {
    const ColumnStats& a = stats.columns[c];
    const ColumnStats& b = (*decoded)->columns[c];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.distinct, b.distinct);
    EXPECT_EQ(a.null_fraction, b.null_fraction);
    ASSERT_EQ(a.most_common.size(), b.most_common.size());
    for (size_t i = 0; i < a.most_common.size(); ++i) EXPECT_EQ(a.most_common[i].SortCompare(b.most_common[i]), 0);
    EXPECT_EQ(a.most_common_fractions, b.most_common_fractions);
    ASSERT_EQ(a.histogram.size(), b.histogram.size());
    for (size_t i = 0; i < a.histogram.size(); ++i) EXPECT_EQ(a.histogram[i].SortCompare(b.histogram[i]), 0);
  }

  // The table changed since: a column dropped, one retyped, one added.
  TableInfo changed = MakeTable();
  changed.columns.erase(changed.columns.begin() + 2);                // name
  changed.columns[1].type = DataType::Of(TypeId::kText);            // skewed
  changed.columns.push_back(Col("added", TypeId::kBigInt));
  auto followed = DecodeTableStats(bytes, changed);
  ASSERT_TRUE(followed.ok()) << followed.status().ToString();
  ASSERT_EQ((*followed)->columns.size(), 4u);
  EXPECT_EQ((*followed)->columns[0].distinct, 1000);         // id kept
  EXPECT_EQ((*followed)->columns[1].distinct, 0);            // retyped: none
  EXPECT_DOUBLE_EQ((*followed)->columns[2].null_fraction, 0.25);  // score kept
  EXPECT_EQ((*followed)->columns[3].distinct, 0);            // added: none

  // Damaged bytes are corruption; a later format is ignored.
  EXPECT_FALSE(DecodeTableStats(bytes.substr(0, bytes.size() / 2), table).ok());
  EXPECT_FALSE(DecodeTableStats("", table).ok());
  auto later = DecodeTableStats(std::string(1, '\x09'), table);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, nullptr);
}

BoundExprPtr Column(int index) {
  auto e = std::make_unique<BoundExpr>(BoundKind::kColumn);
  e->index = index;
  return e;
}

BoundExprPtr Constant(Value v) {
  auto e = std::make_unique<BoundExpr>(BoundKind::kConstant);
  e->constant = std::move(v);
  return e;
}

BoundExprPtr Compare(CompareOp op, BoundExprPtr a, BoundExprPtr b) {
  auto e = std::make_unique<BoundExpr>(BoundKind::kCompare);
  e->op = static_cast<uint8_t>(op);
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

BoundExprPtr Logical(BoundKind kind, BoundExprPtr a, BoundExprPtr b) {
  auto e = std::make_unique<BoundExpr>(kind);
  e->args.push_back(std::move(a));
  if (b) e->args.push_back(std::move(b));
  return e;
}

TEST(EstimateTest, SelectivityFromStatistics) {
  const TableInfo table = MakeTable();
  const TableStats stats = Collect(table, 10000);

  // A most common value takes its frequency; others share the rest.
  auto common = Compare(CompareOp::kEq, Column(1), Constant(Value::Integer(7)));
  EXPECT_NEAR(EstimateSelectivity(*common, &stats), 0.51, 0.01);
  auto rare = Compare(CompareOp::kEq, Column(1), Constant(Value::Integer(13)));
  EXPECT_NEAR(EstimateSelectivity(*rare, &stats), 0.49 / 49, 0.002);
  // Written the other way round.
  auto flipped = Compare(CompareOp::kLt, Constant(Value::Integer(2500)), Column(0));
  EXPECT_NEAR(EstimateSelectivity(*flipped, &stats), 0.75, 0.02);

  // Ranges interpolate in the histogram.
  auto below = Compare(CompareOp::kLt, Column(0), Constant(Value::Integer(2500)));
  EXPECT_NEAR(EstimateSelectivity(*below, &stats), 0.25, 0.02);
  auto above_all = Compare(CompareOp::kGt, Column(0), Constant(Value::Integer(20000)));
  EXPECT_NEAR(EstimateSelectivity(*above_all, &stats), 0, 1e-9);

  // NULLs, AND, OR and NOT.
  auto is_null = std::make_unique<BoundExpr>(BoundKind::kIsNull);
  is_null->args.push_back(Column(3));
  EXPECT_DOUBLE_EQ(EstimateSelectivity(*is_null, &stats), 0.25);
  auto both = Logical(BoundKind::kAnd, Compare(CompareOp::kLt, Column(0), Constant(Value::Integer(5000))),
                      Compare(CompareOp::kEq, Column(2), Constant(Value::Text("n1"))));
  EXPECT_NEAR(EstimateSelectivity(*both, &stats), 0.5 / 3, 0.02);
  auto either = Logical(BoundKind::kOr, Compare(CompareOp::kEq, Column(2), Constant(Value::Text("n1"))),
                        Compare(CompareOp::kEq, Column(2), Constant(Value::Text("n2"))));
  EXPECT_NEAR(EstimateSelectivity(*either, &stats), 1 - (2.0 / 3) * (2.0 / 3), 0.02);
  auto negated = Logical(BoundKind::kNot, Compare(CompareOp::kEq, Column(2), Constant(Value::Text("n1"))), nullptr);
  EXPECT_NEAR(EstimateSelectivity(*negated, &stats), 2.0 / 3, 0.02);

  // Without statistics: PostgreSQL's defaults.
  EXPECT_DOUBLE_EQ(EstimateSelectivity(*rare, nullptr), 0.005);
  EXPECT_DOUBLE_EQ(EstimateSelectivity(*below, nullptr), 1.0 / 3);
  TableInfo never_analysed = MakeTable();
  EXPECT_EQ(EstimateTableRows(never_analysed), kDefaultTableRows);
}

}  // namespace
}  // namespace neuroquantum::exec
