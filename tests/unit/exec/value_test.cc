// Types, decimals, values: names, comparison across kinds, casts with
// their SQLSTATEs, canonical text, calendar arithmetic.
#include "exec/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace neuroquantum::exec {
namespace {

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : T{};
}

DataType Type(std::string_view name, std::vector<std::string> params = {}) {
  return Must(DataTypeFromName(name, params));
}

std::string CastText(const Value& v, const DataType& t, bool assignment = false) {
  auto r = v.CastTo(t, assignment);
  if (!r.ok()) return std::string("error ") + std::string(SqlState(r.status()));
  return r->ToString();
}

TEST(TypesTest, NamesAndAliasesMapToTypes) {
  EXPECT_EQ(Type("INT").id, TypeId::kBigInt);  // 64-bit, as in SQLite
  EXPECT_EQ(Type("INTEGER").id, TypeId::kBigInt);
  EXPECT_EQ(Type("INT4").id, TypeId::kInteger);
  EXPECT_EQ(Type("INT8").id, TypeId::kBigInt);
  EXPECT_EQ(Type("DOUBLE PRECISION").id, TypeId::kDouble);
  EXPECT_EQ(Type("FLOAT", {"10"}).id, TypeId::kReal);
  EXPECT_EQ(Type("FLOAT", {"30"}).id, TypeId::kDouble);
  EXPECT_EQ(Type("CHARACTER VARYING", {"12"}).ToString(), "VARCHAR(12)");
  EXPECT_EQ(Type("VARCHAR").id, TypeId::kText);  // no length: unbounded
  EXPECT_EQ(Type("CHAR").ToString(), "CHAR(1)");
  EXPECT_EQ(Type("DECIMAL", {"10", "2"}).ToString(), "NUMERIC(10,2)");
  EXPECT_EQ(Type("BYTEA").id, TypeId::kBlob);
  EXPECT_EQ(Type("INT", {"11"}).id, TypeId::kBigInt);  // MySQL display width
  auto unknown = DataTypeFromName("GEOMETRY", {});
  EXPECT_EQ(SqlState(unknown.status()), "42704");
  EXPECT_NE(unknown.status().ToString().find("GEOMETRY"), std::string::npos);
  std::vector<std::string> bad = {"40", "2"};
  EXPECT_EQ(SqlState(DataTypeFromName("NUMERIC", bad).status()), "22023");
  std::vector<std::string> inverted = {"2", "5"};
  EXPECT_EQ(SqlState(DataTypeFromName("NUMERIC", inverted).status()), "22023");
  std::vector<std::string> zero = {"0"};
  EXPECT_EQ(SqlState(DataTypeFromName("VARCHAR", zero).status()), "22023");
  EXPECT_EQ(SqlState(DataTypeFromName("DATE", zero).status()), "22023");
}

TEST(DecimalTest, ParsesRoundsComparesAndPrints) {
  EXPECT_EQ(Must(Decimal::Parse("12.340")).ToString(), "12.340");
  EXPECT_EQ(Must(Decimal::Parse("-0.05")).ToString(), "-0.05");
  EXPECT_EQ(Must(Decimal::Parse(".5")).ToString(), "0.5");
  EXPECT_EQ(Must(Decimal::Parse("1.5e3")).ToString(), "1500");
  EXPECT_EQ(Must(Decimal::Parse("15e-3")).ToString(), "0.015");
  EXPECT_EQ(Must(Must(Decimal::Parse("2.345")).Rescale(2)).ToString(), "2.35");
  EXPECT_EQ(Must(Must(Decimal::Parse("-2.345")).Rescale(2)).ToString(), "-2.35");
  EXPECT_EQ(Must(Must(Decimal::Parse("2.344")).Rescale(2)).ToString(), "2.34");
  EXPECT_EQ(SqlState(Decimal::Parse("1.2.3").status()), "22P02");
  EXPECT_EQ(SqlState(Decimal::Parse("").status()), "22P02");
  EXPECT_EQ(SqlState(Decimal::Parse(std::string(39, '9')).status()), "22003");
  EXPECT_TRUE(Decimal::Parse(std::string(38, '9')).ok());
  EXPECT_EQ(Must(Decimal::Parse("1.50")).Compare(Must(Decimal::Parse("1.5"))), 0);
  EXPECT_EQ(Must(Decimal::Parse("-3")).Compare(Must(Decimal::Parse("2.9"))), -1);
  // Scales whose alignment would overflow still compare exactly.
  Decimal big = Must(Decimal::Parse(std::string(38, '9')));
  Decimal tiny = Must(Decimal::Parse("0." + std::string(37, '0') + "1"));
  EXPECT_EQ(big.Compare(tiny), 1);
  EXPECT_EQ(tiny.Compare(big), -1);
  // At the edge of the alignment: 37 digits scaled by 10 still fit, 38 do not.
  Decimal nines37 = Must(Decimal::Parse(std::string(37, '9')));
  EXPECT_EQ(nines37.Compare(Must(Decimal::Parse(std::string(37, '9') + ".0"))), 0);
  EXPECT_EQ(nines37.Compare(Must(Decimal::Parse(std::string(36, '9') + "8.9"))), 1);
  EXPECT_EQ(Must(Decimal::Parse(std::string(36, '9') + "8.9")).Compare(nines37), -1);
  EXPECT_EQ(Must(Decimal::Parse("-" + std::string(38, '9'))).Compare(Must(Decimal::Parse("-0.5"))), -1);
  EXPECT_EQ(Must(Decimal::Parse("-0.5")).Compare(Must(Decimal::Parse("-" + std::string(38, '9')))), 1);
  EXPECT_EQ(Must(Decimal::Parse("-1.25")).Compare(Must(Decimal::Parse("-1.3"))), 1);
  EXPECT_EQ(Must(Decimal::Parse("0")).Compare(Must(Decimal::Parse("0.000"))), 0);
  EXPECT_EQ(SqlState(Must(Decimal::Parse(std::string(37, '9'))).Rescale(2).status()), "22003");
  EXPECT_EQ(Must(Must(Decimal::Parse(std::string(36, '9'))).Rescale(2)).Digits(), 38);
  EXPECT_DOUBLE_EQ(Must(Decimal::Parse("0.1")).ToDouble(), 0.1);
}

TEST(ValueTest, CompareAcrossNumberKindsAndThreeValuedNull) {
  auto cmp = [](const Value& a, const Value& b) { return Must(a.Compare(b)); };
  EXPECT_EQ(cmp(Value::Integer(2), Value::Double(2.5)), std::optional<int>(-1));
  EXPECT_EQ(cmp(Value::Double(2.0), Value::Integer(2)), std::optional<int>(0));
  EXPECT_EQ(cmp(Value::Numeric(Must(Decimal::Parse("2.50"))), Value::Double(2.5)), std::optional<int>(0));
  EXPECT_EQ(cmp(Value::Integer(3), Value::Numeric(Must(Decimal::Parse("2.999")))), std::optional<int>(1));
  // Exact: 2^53 + 1 differs from the double 2^53.
  EXPECT_EQ(cmp(Value::Integer((int64_t{1} << 53) + 1), Value::Double(9007199254740992.0)), std::optional<int>(1));
  EXPECT_EQ(cmp(Value::Integer(std::numeric_limits<int64_t>::max()), Value::Double(1e19)), std::optional<int>(-1));
  EXPECT_EQ(cmp(Value::Null(), Value::Integer(1)), std::nullopt);
  EXPECT_EQ(cmp(Value::Text("abc"), Value::Text("abd")), std::optional<int>(-1));
  EXPECT_EQ(cmp(Value::Text("Z"), Value::Text("a")), std::optional<int>(-1));  // binary collation
  EXPECT_EQ(SqlState(Value::Date(1).Compare(Value::Integer(1)).status()), "42883");
  EXPECT_EQ(cmp(Value::Double(NAN), Value::Double(1e308)), std::optional<int>(1));
  // Sorting: NULL first, and mixed kinds still get a total order.
  EXPECT_LT(Value::Null().SortCompare(Value::Integer(-5)), 0);
  EXPECT_EQ(Value::Null().SortCompare(Value::Null()), 0);
  EXPECT_NE(Value::Date(1).SortCompare(Value::Text("x")), 0);
  EXPECT_EQ(Value::Date(1).SortCompare(Value::Text("x")), -Value::Text("x").SortCompare(Value::Date(1)));
}

// A value holds one payload at a time: copies, moves and assignments
// between kinds keep each value whole (the string payload is built and
// destroyed with the kind that holds it).
TEST(ValueTest, CopiesMovesAndAssignmentsAcrossKinds) {
  const std::string long_text(100, 'x');
  Decimal big = Must(Decimal::Parse("-12345678901234567890123456789.123456789"));
  std::vector<Value> values = {Value::Null(),        Value::Integer(-7),   Value::Double(2.5),
                               Value::Numeric(big),  Value::Text("short"), Value::Blob(long_text),
                               Value::Interval(3, 4), Value::Date(19000)};
  for (const Value& a : values) {
    for (const Value& b : values) {
      Value x = a;
      x = b;
      EXPECT_EQ(x.kind(), b.kind());
      EXPECT_EQ(x.ToString(), b.ToString());
      Value y = a;
      Value moved = b;
      y = std::move(moved);
      EXPECT_EQ(y.ToString(), b.ToString());
      Value z(std::move(y));
      EXPECT_EQ(z.ToString(), b.ToString());
    }
  }
  Value self = Value::Text(long_text);
  const Value& alias = self;
  self = alias;
  EXPECT_EQ(self.str(), long_text);
  EXPECT_EQ(Value::Numeric(big).numeric().Compare(big), 0);
  EXPECT_EQ(Value::Numeric(big).numeric().scale, big.scale);
  // str() of a kind without bytes is empty rather than another payload.
  EXPECT_EQ(Value::Integer(42).str(), "");
  EXPECT_LE(sizeof(Value), 40u);
}

TEST(ValueTest, CanonicalText) {
  EXPECT_EQ(Value::Integer(-42).ToString(), "-42");
  EXPECT_EQ(Value::Double(0.1).ToString(), "0.1");
  EXPECT_EQ(Value::Double(1.0 / 3).ToString(), "0.3333333333333333");
  EXPECT_EQ(Value::Double(1e100).ToString(), "1e+100");
  EXPECT_EQ(Value::Double(INFINITY).ToString(), "Infinity");
  EXPECT_EQ(Value::Double(-INFINITY).ToString(), "-Infinity");
  EXPECT_EQ(Value::Double(NAN).ToString(), "NaN");
  EXPECT_EQ(Value::Boolean(true).ToString(), "true");
  EXPECT_EQ(Value::Blob(std::string("\x01\xab", 2)).ToString(), "\\x01ab");
  EXPECT_EQ(Value::Null().ToString(), "NULL");
  EXPECT_EQ(Value::Date(0).ToString(), "1970-01-01");
  EXPECT_EQ(Value::Time(3'723'000'500).ToString(), "01:02:03.0005");
  EXPECT_EQ(Value::Timestamp(-1).ToString(), "1969-12-31 23:59:59.999999");
}

TEST(ValueTest, CalendarRoundTripsAndLeapYears) {
  for (int32_t d = -800000; d <= 800000; d += 997) {
    int64_t y;
    unsigned m, day;
    CivilFromDays(d, &y, &m, &day);
    ASSERT_EQ(DaysFromCivil(y, m, day), d);
  }
  EXPECT_EQ(DaysFromCivil(2000, 3, 1) - DaysFromCivil(2000, 2, 28), 2);  // 2000 is a leap year
  EXPECT_EQ(DaysFromCivil(1900, 3, 1) - DaysFromCivil(1900, 2, 28), 1);  // 1900 is not
  EXPECT_EQ(Must(ParseDate("2024-02-29")), DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(SqlState(ParseDate("2023-02-29").status()), "22008");
  EXPECT_EQ(SqlState(ParseDate("2023-13-01").status()), "22008");
  EXPECT_EQ(SqlState(ParseDate("2023/01/01").status()), "22007");
  EXPECT_EQ(Must(ParseTime("23:59:59.5")), 86'399'500'000);
  EXPECT_EQ(SqlState(ParseTime("24:00:00").status()), "22008");
  EXPECT_EQ(Value::Timestamp(Must(ParseTimestamp("2024-01-31T10:20:30"))).ToString(), "2024-01-31 10:20:30");
  EXPECT_EQ(SqlState(ParseTimestamp("2024-01-31 10:20:30x").status()), "22007");
}

TEST(ValueCastTest, IntegersCheckRangeAndRound) {
  EXPECT_EQ(CastText(Value::Integer(40000), Type("SMALLINT")), "error 22003");
  EXPECT_EQ(CastText(Value::Integer(-32768), Type("SMALLINT")), "-32768");
  EXPECT_EQ(CastText(Value::Double(2.5), Type("INTEGER")), "2");   // half to even
  EXPECT_EQ(CastText(Value::Double(3.5), Type("INTEGER")), "4");
  EXPECT_EQ(CastText(Value::Double(1e19), Type("BIGINT")), "error 22003");
  EXPECT_EQ(CastText(Value::Double(NAN), Type("BIGINT")), "error 22003");
  EXPECT_EQ(CastText(Value::Numeric(Must(Decimal::Parse("-2.5"))), Type("INTEGER")), "-3");  // half away
  EXPECT_EQ(CastText(Value::Text(" +17 "), Type("INTEGER")), "17");
  EXPECT_EQ(CastText(Value::Text("1.5"), Type("INTEGER")), "error 22P02");
  EXPECT_EQ(CastText(Value::Text("99999999999999999999"), Type("BIGINT")), "error 22003");
  EXPECT_EQ(CastText(Value::Text(""), Type("INTEGER")), "error 22P02");
  EXPECT_EQ(CastText(Value::Boolean(true), Type("INTEGER")), "1");
  EXPECT_EQ(CastText(Value::Date(3), Type("INTEGER")), "error 42846");
  EXPECT_TRUE(Must(Value::Null().CastTo(Type("INTEGER"))).is_null());
}

TEST(ValueCastTest, FloatingNumericAndStrings) {
  EXPECT_EQ(CastText(Value::Text("1e3"), Type("DOUBLE")), "1000");
  EXPECT_EQ(CastText(Value::Text("abc"), Type("REAL")), "error 22P02");
  EXPECT_EQ(CastText(Value::Double(1e300), Type("REAL")), "error 22003");
  EXPECT_EQ(CastText(Value::Double(0.1), Type("REAL")), "0.10000000149011612");
  EXPECT_EQ(CastText(Value::Text("12.345"), Type("NUMERIC", {"5", "2"})), "12.35");
  EXPECT_EQ(CastText(Value::Text("1234.5"), Type("NUMERIC", {"5", "2"})), "error 22003");
  EXPECT_EQ(CastText(Value::Integer(7), Type("NUMERIC", {"4", "2"})), "7.00");
  EXPECT_EQ(CastText(Value::Double(0.1), Type("NUMERIC")), "0.1");
  EXPECT_EQ(CastText(Value::Double(INFINITY), Type("NUMERIC")), "error 22003");
  EXPECT_EQ(CastText(Value::Text("x"), Type("NUMERIC")), "error 22P02");
  EXPECT_EQ(CastText(Value::Integer(12345), Type("VARCHAR", {"3"})), "123");
  EXPECT_EQ(CastText(Value::Text("héllo"), Type("VARCHAR", {"3"}), true), "error 22001");
  EXPECT_EQ(CastText(Value::Text("hé  "), Type("VARCHAR", {"2"}), true), "hé");  // blanks may go
  EXPECT_EQ(CastText(Value::Text("héllo"), Type("VARCHAR", {"2"})), "hé");        // explicit: cut by characters
  EXPECT_EQ(CastText(Value::Text("ab"), Type("CHAR", {"4"})), "ab  ");
  EXPECT_EQ(CastText(Value::Text(" Yes "), Type("BOOLEAN")), "true");
  EXPECT_EQ(CastText(Value::Text("off"), Type("BOOLEAN")), "false");
  EXPECT_EQ(CastText(Value::Text("maybe"), Type("BOOLEAN")), "error 22P02");
  EXPECT_EQ(CastText(Value::Text("ab"), Type("BLOB")), "\\x6162");
}

TEST(ValueCastTest, DatesTimesAndTimestamps) {
  EXPECT_EQ(CastText(Value::Text("2024-02-29"), Type("DATE")), "2024-02-29");
  EXPECT_EQ(CastText(Value::Text("2024-02-30"), Type("DATE")), "error 22008");
  EXPECT_EQ(CastText(Value::Text("2024-02-29 13:14:15.25"), Type("TIMESTAMP")), "2024-02-29 13:14:15.25");
  EXPECT_EQ(CastText(Value::Timestamp(Must(ParseTimestamp("1969-12-31 23:00:00"))), Type("DATE")), "1969-12-31");
  EXPECT_EQ(CastText(Value::Timestamp(Must(ParseTimestamp("1969-12-31 23:00:00"))), Type("TIME")), "23:00:00");
  EXPECT_EQ(CastText(Value::Date(Must(ParseDate("2000-01-02"))), Type("TIMESTAMP")), "2000-01-02 00:00:00");
  EXPECT_EQ(CastText(Value::Integer(5), Type("DATE")), "error 42846");
}

}  // namespace
}  // namespace neuroquantum::exec

namespace neuroquantum::exec {
namespace {

// Dropping all 38 digits rounds without overflowing twice the remainder.
TEST(DecimalTest, RescaleDroppingEveryDigitRounds) {
  auto big = Decimal::Parse("0.99999999999999999999999999999999999999");
  ASSERT_TRUE(big.ok());
  auto r = big->Rescale(0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ToString(), "1");
  auto small = Decimal::Parse("-0.49999999999999999999999999999999999999");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->Rescale(0)->ToString(), "0");
}

}  // namespace
}  // namespace neuroquantum::exec
