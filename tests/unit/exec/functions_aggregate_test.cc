// Aggregates: COUNT, SUM, AVG, TOTAL, MIN, MAX, GROUP_CONCAT, STRING_AGG,
// with DISTINCT, NULLs and empty input; SUM and AVG as SQLite 3.40 reports
// them.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "exec/functions.h"
#include "functions_test_util.h"

namespace neuroquantum::exec {
namespace {

using testing::Dbl;
using testing::Int;
using testing::Num;
using testing::Show;
using testing::Txt;

// Runs an aggregate over rows of arguments and shows the result.
std::string Aggregate(std::string_view name, const std::vector<std::vector<Value>>& rows, bool distinct = false) {
  const AggregateFunction* f = FindAggregateFunction(name);
  EXPECT_NE(f, nullptr) << name;
  if (f == nullptr) return "missing";
  auto state = f->make(distinct);
  for (const auto& row : rows) {
    Status s = state->Add(row);
    if (!s.ok()) return "error " + std::string(SqlState(s));
  }
  return Show(state->Finish());
}

// One argument per row.
std::vector<std::vector<Value>> Column(std::vector<Value> values) {
  std::vector<std::vector<Value>> rows;
  for (Value& v : values) rows.push_back({std::move(v)});
  return rows;
}

TEST(AggregateRegistryTest, Lookup) {
  ASSERT_NE(FindAggregateFunction("COUNT"), nullptr);
  EXPECT_EQ(FindAggregateFunction("count")->min_args, 0);
  EXPECT_EQ(FindAggregateFunction("string_agg")->min_args, 2);
  EXPECT_EQ(FindAggregateFunction("group_concat")->max_args, 2);
  EXPECT_EQ(FindAggregateFunction("Sum")->name, "sum");
  EXPECT_EQ(FindAggregateFunction("median"), nullptr);
  EXPECT_EQ(FindAggregateFunction("abs"), nullptr);
}

TEST(CountTest, StarColumnAndDistinct) {
  EXPECT_EQ(Aggregate("count", {{}, {}, {}}), "integer:3");
  EXPECT_EQ(Aggregate("count", {}), "integer:0");
  EXPECT_EQ(Aggregate("count", Column({Int(1), Value(), Int(1), Dbl(1.0), Int(2)})), "integer:4");
  EXPECT_EQ(Aggregate("count", Column({Int(1), Value(), Int(1), Dbl(1.0), Int(2)}), true), "integer:2");
  EXPECT_EQ(Aggregate("count", Column({Value(), Value()}), true), "integer:0");
  EXPECT_EQ(Aggregate("count", Column({Txt("a"), Txt("A"), Txt("a")}), true), "integer:2");
}

TEST(SumTest, IntegersStayIntegers) {
  EXPECT_EQ(Aggregate("sum", Column({Int(1), Int(2), Value(), Int(3)})), "integer:6");
  EXPECT_EQ(Aggregate("sum", Column({Value::Boolean(true), Int(2)})), "integer:3");
  EXPECT_EQ(Aggregate("sum", {}), "null");
  EXPECT_EQ(Aggregate("sum", Column({Value(), Value()})), "null");
  EXPECT_EQ(Aggregate("sum", Column({Int(2), Int(2), Int(3)}), true), "integer:5");
}

TEST(SumTest, OverflowIs22003) {
  int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Aggregate("sum", Column({Int(max), Int(1)})), "error 22003");
  EXPECT_EQ(Aggregate("sum", Column({Int(std::numeric_limits<int64_t>::min()), Int(-1)})), "error 22003");
  // The running sum is exact: only the final result must fit.
  EXPECT_EQ(Aggregate("sum", Column({Int(max), Int(1), Int(-1)})), "integer:9223372036854775807");
  // With a double in the mix the result is a double, as in SQLite.
  EXPECT_EQ(Aggregate("sum", Column({Int(max), Int(max), Dbl(0)})), "real:18446744073709551616");
}

TEST(SumTest, DoublesAndDecimals) {
  EXPECT_EQ(Aggregate("sum", Column({Int(1), Dbl(2.5)})), "real:3.5");
  std::vector<Value> tenths(10, Dbl(0.1));
  EXPECT_EQ(Aggregate("sum", Column(tenths)), "real:0.9999999999999999");  // SQLite 3.40 sums plainly
  EXPECT_EQ(Aggregate("sum", Column({Num("1.25"), Num("2.5")})), "numeric:3.75");
  EXPECT_EQ(Aggregate("sum", Column({Num("1.25"), Int(2)})), "numeric:3.25");
  EXPECT_EQ(Aggregate("sum", Column({Num("1.25"), Dbl(0.5)})), "real:1.75");
  EXPECT_EQ(Aggregate("sum", Column({Num(std::string(38, '9')), Num("1")})), "error 22003");
}

TEST(SumTest, TextCountsAsItsNumber) {
  EXPECT_EQ(Aggregate("sum", Column({Txt("5"), Int(1)})), "integer:6");
  EXPECT_EQ(Aggregate("sum", Column({Txt(" 5 ")})), "integer:5");
  EXPECT_EQ(Aggregate("sum", Column({Txt("1.5")})), "real:1.5");
  EXPECT_EQ(Aggregate("sum", Column({Txt("12abc")})), "real:12");
  EXPECT_EQ(Aggregate("sum", Column({Txt("abc")})), "real:0");
  EXPECT_EQ(Aggregate("sum", Column({Value::Blob("1")})), "error 42883");
  EXPECT_EQ(Aggregate("sum", Column({Value::Date(1)})), "error 42883");
}

TEST(AvgTotalTest, DoublesAndEmptyInput) {
  EXPECT_EQ(Aggregate("avg", Column({Int(1), Int(2)})), "real:1.5");
  EXPECT_EQ(Aggregate("avg", Column({Int(1), Value(), Int(2)})), "real:1.5");
  EXPECT_EQ(Aggregate("avg", {}), "null");
  EXPECT_EQ(Aggregate("avg", Column({Value()})), "null");
  EXPECT_EQ(Aggregate("avg", Column({Int(1), Int(1), Int(4)}), true), "real:2.5");
  EXPECT_EQ(Aggregate("avg", Column({Num("0.5"), Num("1.5")})), "real:1");
  EXPECT_EQ(Aggregate("avg", Column({Int(9007199254740993), Int(1)})), "real:4503599627370496");
  EXPECT_EQ(Aggregate("total", {}), "real:0");
  EXPECT_EQ(Aggregate("total", Column({Value()})), "real:0");
  EXPECT_EQ(Aggregate("total", Column({Int(1), Int(2)})), "real:3");
  EXPECT_EQ(Aggregate("total", Column({Int(std::numeric_limits<int64_t>::max()), Int(1)})),
            "real:9223372036854775808");  // never overflows
  EXPECT_EQ(Aggregate("total", Column({Txt("2"), Txt("x")})), "real:2");
}

TEST(MinMaxTest, BySortOrderIgnoringNulls) {
  EXPECT_EQ(Aggregate("min", Column({Int(3), Value(), Int(1), Int(2)})), "integer:1");
  EXPECT_EQ(Aggregate("max", Column({Int(3), Value(), Int(1), Int(2)})), "integer:3");
  EXPECT_EQ(Aggregate("max", Column({Int(1), Dbl(2.5), Num("2.4")})), "real:2.5");
  EXPECT_EQ(Aggregate("min", Column({Txt("b"), Txt("a"), Txt("c")})), "text:a");
  EXPECT_EQ(Aggregate("max", Column({Int(1), Dbl(1.0)})), "integer:1");  // first of equals
  EXPECT_EQ(Aggregate("min", {}), "null");
  EXPECT_EQ(Aggregate("max", Column({Value()})), "null");
  EXPECT_EQ(Aggregate("max", Column({Int(1), Int(2)}), true), "integer:2");
  // Kinds that do not compare order by kind instead of failing.
  EXPECT_EQ(Aggregate("max", Column({Int(5), Txt("a")})), "text:a");
}

TEST(GroupConcatTest, TextFormsInInputOrder) {
  EXPECT_EQ(Aggregate("group_concat", Column({Txt("a"), Value(), Txt("b")})), "text:a,b");
  EXPECT_EQ(Aggregate("group_concat", Column({Int(1), Dbl(2.5), Num("0.10")})), "text:1,2.5,0.10");
  EXPECT_EQ(Aggregate("group_concat", {}), "null");
  EXPECT_EQ(Aggregate("group_concat", Column({Value()})), "null");
  EXPECT_EQ(Aggregate("group_concat", Column({Txt("")})), "text:");
  EXPECT_EQ(Aggregate("group_concat", {{Txt("a"), Txt("-")}, {Txt("b"), Txt("-")}}), "text:a-b");
  EXPECT_EQ(Aggregate("group_concat", {{Txt("a"), Value()}, {Txt("b"), Value()}}), "text:ab");
  EXPECT_EQ(Aggregate("string_agg", {{Txt("x"), Txt("; ")}, {Value(), Txt("; ")}, {Txt("y"), Txt("; ")}}),
            "text:x; y");
  EXPECT_EQ(Aggregate("group_concat", Column({Txt("b"), Txt("a"), Txt("b"), Txt("c"), Txt("a")}), true),
            "text:b,a,c");
  EXPECT_EQ(Aggregate("group_concat", Column({Int(1), Dbl(1.0), Int(2)}), true), "text:1,2");
  EXPECT_EQ(Aggregate("string_agg", {{Txt("é"), Txt("|")}, {Txt("é"), Txt("|")}, {Txt("ü"), Txt("|")}}, true),
            "text:é|ü");
}

TEST(AggregateStateTest, MemoryUsageGrows) {
  auto concat = FindAggregateFunction("group_concat")->make(false);
  size_t before = concat->memory_usage();
  std::vector<Value> row = {Txt(std::string(1000, 'x'))};
  ASSERT_TRUE(concat->Add(row).ok());
  EXPECT_GE(concat->memory_usage(), 1000u);
  EXPECT_GT(concat->memory_usage(), before);

  auto distinct = FindAggregateFunction("count")->make(true);
  size_t empty = distinct->memory_usage();
  for (int i = 0; i < 100; ++i) {
    std::vector<Value> args = {Int(i)};
    ASSERT_TRUE(distinct->Add(args).ok());
  }
  EXPECT_GT(distinct->memory_usage(), empty + 100 * sizeof(Value));
  EXPECT_EQ(Show(distinct->Finish()), "integer:100");
}

TEST(AggregateStateTest, MissingArgumentsAreErrors) {
  for (const char* name : {"sum", "avg", "total", "min", "max", "group_concat"}) {
    for (bool distinct : {false, true}) {
      auto state = FindAggregateFunction(name)->make(distinct);
      EXPECT_EQ(SqlState(state->Add({})), "42883") << name;
    }
  }
}

}  // namespace
}  // namespace neuroquantum::exec
