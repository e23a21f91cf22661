// Calendar maths, intervals and the date/time functions (exec/interval.h,
// functions_datetime.cc).
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "exec/functions.h"
#include "exec/interval.h"
#include "exec/row_codec.h"

namespace neuroquantum::exec {
namespace {

int32_t Day(int64_t y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d); }

std::string DateText(Result<int32_t> days) {
  if (!days.ok()) return std::string("error ") + std::string(SqlState(days.status()));
  return Value::Date(*days).ToString();
}

std::string Text(const Result<Value>& v) {
  if (!v.ok()) return std::string("error ") + std::string(SqlState(v.status()));
  return v->ToString();
}

Value Iv(std::string_view text) {
  auto v = ParseInterval(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

Result<Value> Call(std::string_view name, std::vector<Value> args) {
  const ScalarFunction* f = FindScalarFunction(name);
  if (f == nullptr) return Status::NotFound(std::string(name));
  return f->fn(args);
}

TEST(CalendarTest, LeapYearRules) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_TRUE(IsLeapYear(2000));   // divisible by 400
  EXPECT_FALSE(IsLeapYear(1900));  // divisible by 100 only
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_EQ(DaysInMonth(2024, 2), 29u);
  EXPECT_EQ(DaysInMonth(1900, 2), 28u);
  EXPECT_EQ(DaysInMonth(2023, 4), 30u);
}

TEST(CalendarTest, AddMonthsClampsToTheMonthsEnd) {
  EXPECT_EQ(DateText(AddMonthsToDate(Day(2024, 1, 31), 1)), "2024-02-29");
  EXPECT_EQ(DateText(AddMonthsToDate(Day(2023, 1, 31), 1)), "2023-02-28");
  EXPECT_EQ(DateText(AddMonthsToDate(Day(2024, 2, 29), 12)), "2025-02-28");
  EXPECT_EQ(DateText(AddMonthsToDate(Day(2024, 2, 29), 48)), "2028-02-29");
  EXPECT_EQ(DateText(AddMonthsToDate(Day(2024, 3, 31), -1)), "2024-02-29");
  EXPECT_EQ(DateText(AddMonthsToDate(Day(2024, 1, 15), -13)), "2022-12-15");
  EXPECT_EQ(DateText(AddMonthsToDate(Day(294276, 12, 1), 1)), "error 22008");
}

TEST(CalendarTest, TimestampPlusIntervalMovesMonthsThenTime) {
  int64_t ts = int64_t{Day(2024, 1, 31)} * kMicrosPerDayI + 23 * kMicrosPerHour;
  auto moved = AddIntervalToTimestamp(ts, 1, 2 * kMicrosPerHour);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(Value::Timestamp(*moved).ToString(), "2024-03-01 01:00:00");
  EXPECT_FALSE(AddIntervalToTimestamp(std::numeric_limits<int64_t>::max() - 5, 0, 10).ok());
}

TEST(IntervalTest, ParsesAndPrintsCanonically) {
  EXPECT_EQ(Iv("1 day 2 hours").ToString(), "1 day 02:00:00");
  EXPECT_EQ(Iv("1 year 2 mons 3 days 04:05:06.5").ToString(), "1 year 2 mons 3 days 04:05:06.5");
  EXPECT_EQ(Iv("-1 days -02:00:00").ToString(), "-1 days -02:00:00");
  EXPECT_EQ(Iv("P1Y2M3W4DT5H6M7.5S").ToString(), "1 year 2 mons 25 days 05:06:07.5");
  EXPECT_EQ(Iv("2 hours ago").ToString(), "-02:00:00");
  EXPECT_EQ(Iv("1.5 days").ToString(), "1 day 12:00:00");
  EXPECT_EQ(Iv("3").ToString(), "00:00:03");  // a bare number is seconds
  EXPECT_EQ(Iv("0 days").ToString(), "00:00:00");
  // Every printed form reads back to the same value.
  for (const char* text : {"1 year 2 mons 3 days 04:05:06.5", "-1 days -02:00:00", "1 mon -1 days", "7 days"}) {
    Value v = Iv(text);
    EXPECT_EQ(Iv(v.ToString()).ToString(), v.ToString());
  }
}

TEST(IntervalTest, RejectsBadText) {
  EXPECT_EQ(Text(ParseInterval("")), "error 22007");
  EXPECT_EQ(Text(ParseInterval("1 fortnight")), "error 22007");
  EXPECT_EQ(Text(ParseInterval("day")), "error 22007");
  EXPECT_EQ(Text(ParseInterval("10:61")), "error 22008");
  EXPECT_EQ(Text(ParseInterval("3000000000 months")), "error 22008");
  EXPECT_EQ(Text(ParseInterval("P")), "error 22007");
}

TEST(IntervalTest, ComparesByThirtyDayMonths) {
  auto cmp = [](std::string_view a, std::string_view b) { return **Iv(a).Compare(Iv(b)); };
  EXPECT_EQ(cmp("1 month", "30 days"), 0);
  EXPECT_EQ(cmp("1 month", "31 days"), -1);
  EXPECT_EQ(cmp("-1 hour", "0 seconds"), -1);
  EXPECT_EQ(cmp("1 year", "360 days"), 0);
}

TEST(IntervalTest, CastsWithText) {
  auto v = Value::Text("2 days").CastTo(DataType::Of(TypeId::kInterval));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->kind(), TypeId::kInterval);
  EXPECT_EQ(Text(v->CastTo(DataType::Of(TypeId::kText))), "2 days");
  EXPECT_EQ(Text(Value::Integer(3).CastTo(DataType::Of(TypeId::kInterval))), "error 42846");
}

TEST(IntervalTest, RowRecordsRoundTrip) {
  std::vector<DataType> types{DataType::Of(TypeId::kInterval), DataType::Of(TypeId::kInterval)};
  std::vector<Value> row{Iv("-14 mons 3 days 00:00:00.000001"),
                         Value::Interval(std::numeric_limits<int32_t>::min(), std::numeric_limits<int64_t>::max())};
  auto record = EncodeRow(row, types);
  ASSERT_TRUE(record.ok());
  auto back = DecodeRow(*record, types);
  ASSERT_TRUE(back.ok());
  for (size_t i = 0; i < row.size(); ++i) {
    EXPECT_EQ((*back)[i].months(), row[i].months());
    EXPECT_EQ((*back)[i].temporal(), row[i].temporal());
  }
}

TEST(DateTimeArithmeticTest, Operators) {
  Value jan31 = Value::Date(Day(2024, 1, 31));
  EXPECT_EQ(Text(Arithmetic(ArithOp::kAdd, jan31, Iv("1 month"))), "2024-02-29 00:00:00");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kAdd, Iv("1 day"), jan31)), "2024-02-01 00:00:00");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kSubtract, Iv("1 day"), Iv("3 hours"))), "21:00:00");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kMultiply, Iv("1 mon 1 hour"), Value::Integer(-2))), "-2 mons -02:00:00");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kDivide, Iv("1 mon"), Value::Integer(2))), "15 days");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kDivide, Iv("1 day"), Value::Integer(0))), "error 22012");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kAdd, Value::Time(23 * kMicrosPerHour), Iv("2 hours"))), "01:00:00");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kSubtract, Value::Timestamp(0), Value::Timestamp(kMicrosPerDayI + 1))),
            "-1 days -00:00:00.000001");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kAdd, Value::Timestamp(0), Value::Integer(1))), "error 42883");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kAdd, Iv("1 day"), Value::Text("2024-01-01"))), "2024-01-02 00:00:00");
  EXPECT_EQ(Text(Negate(Iv("1 year -1 day"))), "-1 years 1 day");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kMultiply, Value::Text("3"), Iv("1 day"))), "3 days");
  EXPECT_EQ(Text(Arithmetic(ArithOp::kMultiply, Iv("100000000 years"), Value::Integer(1000))), "error 22008");
}

TEST(DateTimeFunctionsTest, ExtractFields) {
  Value ts = Value::Timestamp(int64_t{Day(2024, 2, 29)} * kMicrosPerDayI + 13 * kMicrosPerHour + 1'500'000);
  EXPECT_EQ(Text(Call("extract", {Value::Text("year"), ts})), "2024");
  EXPECT_EQ(Text(Call("extract", {Value::Text("doy"), ts})), "60");
  EXPECT_EQ(Text(Call("extract", {Value::Text("second"), ts})), "1.500000");
  EXPECT_EQ(Text(Call("extract", {Value::Text("dow"), ts})), "4");  // a Thursday
  EXPECT_EQ(Text(Call("date_part", {Value::Text("Week"), Value::Date(Day(2021, 1, 3))})), "53");
  EXPECT_EQ(Text(Call("extract", {Value::Text("isoyear"), Value::Date(Day(2021, 1, 3))})), "2020");
  EXPECT_EQ(Text(Call("extract", {Value::Text("epoch"), Iv("1 year")})), "31557600.000000");
  EXPECT_EQ(Text(Call("extract", {Value::Text("dow"), Iv("1 day")})), "error 22023");
  EXPECT_EQ(Text(Call("extract", {Value::Text("year"), Value::Integer(1)})), "error 42883");
}

TEST(DateTimeFunctionsTest, TruncFormatAndFields) {
  Value ts = Value::Timestamp(int64_t{Day(2024, 8, 15)} * kMicrosPerDayI + 10 * kMicrosPerHour);
  EXPECT_EQ(Text(Call("date_trunc", {Value::Text("quarter"), ts})), "2024-07-01 00:00:00");
  EXPECT_EQ(Text(Call("date_trunc", {Value::Text("decade"), ts})), "2020-01-01 00:00:00");
  EXPECT_EQ(Text(Call("date_format", {ts, Value::Text("%d/%m/%Y %h%p %x")})), "15/08/2024 10AM x");
  EXPECT_EQ(Text(Call("strftime", {Value::Text("%j|%w"), ts})), "228|4");
  EXPECT_EQ(Text(Call("dayofweek", {ts})), "5");
  EXPECT_EQ(Text(Call("quarter", {ts})), "3");
  EXPECT_EQ(Text(Call("datediff", {Value::Date(Day(2025, 1, 1)), Value::Date(Day(2024, 1, 1))})), "366");
  EXPECT_EQ(Text(Call("date_add", {Value::Date(Day(2024, 1, 31)), Iv("1 mon")})), "2024-02-29");
  EXPECT_EQ(Text(Call("date_sub", {Value::Date(Day(2024, 1, 1)), Iv("1 hour")})), "2023-12-31 23:00:00");
}

TEST(DateTimeFunctionsTest, ClockFunctionsTakeTheStatementsTime) {
  const ScalarFunction* now = FindScalarFunction("now");
  ASSERT_NE(now, nullptr);
  EXPECT_TRUE(IsClockFunction(*now));
  EXPECT_FALSE(now->deterministic);
  int64_t fixed = int64_t{Day(2024, 6, 1)} * kMicrosPerDayI + 5;
  EXPECT_EQ(Text(CallClockFunction(*now, {}, fixed)), "2024-06-01 00:00:00.000005");
  EXPECT_EQ(Text(CallClockFunction(*FindScalarFunction("CURRENT_DATE"), {}, fixed)), "2024-06-01");
  EXPECT_EQ(Text(CallClockFunction(*FindScalarFunction("curtime"), {}, fixed)), "00:00:00.000005");
  std::vector<Value> format{Value::Text("%Y")};
  EXPECT_EQ(Text(CallClockFunction(*FindScalarFunction("strftime"), format, fixed)), "2024");
  EXPECT_FALSE(IsClockFunction(*FindScalarFunction("year")));
  // The wall clock is after 2020.
  auto wall = now->fn({});
  ASSERT_TRUE(wall.ok());
  EXPECT_GT(wall->temporal(), int64_t{Day(2020, 1, 1)} * kMicrosPerDayI);
}

}  // namespace
}  // namespace neuroquantum::exec
