// Operators: arithmetic across kinds with overflow and division by zero,
// negation, bitwise operators, ||, truth values, numeric prefixes.
#include "exec/functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "functions_test_util.h"

namespace neuroquantum::exec {
namespace {

using testing::Dbl;
using testing::Int;
using testing::Num;
using testing::Show;
using testing::Txt;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

std::string Op(ArithOp op, const Value& a, const Value& b) { return Show(Arithmetic(op, a, b)); }

TEST(ArithmeticTest, IntegersAreExactAndTruncateTowardZero) {
  EXPECT_EQ(Op(ArithOp::kAdd, Int(2), Int(3)), "integer:5");
  EXPECT_EQ(Op(ArithOp::kSubtract, Int(2), Int(3)), "integer:-1");
  EXPECT_EQ(Op(ArithOp::kMultiply, Int(-4), Int(3)), "integer:-12");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(7), Int(2)), "integer:3");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(-7), Int(2)), "integer:-3");
  EXPECT_EQ(Op(ArithOp::kIntegerDivide, Int(-7), Int(2)), "integer:-3");
  EXPECT_EQ(Op(ArithOp::kModulo, Int(7), Int(-3)), "integer:1");
  EXPECT_EQ(Op(ArithOp::kModulo, Int(-7), Int(3)), "integer:-1");
}

TEST(ArithmeticTest, IntegerOverflowIs22003) {
  EXPECT_EQ(Op(ArithOp::kAdd, Int(kMax), Int(1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kSubtract, Int(kMin), Int(1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kMultiply, Int(kMin), Int(-1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kMultiply, Int(int64_t{1} << 32), Int(int64_t{1} << 31)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(kMin), Int(-1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kIntegerDivide, Int(kMin), Int(-1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kModulo, Int(kMin), Int(-1)), "integer:0");
  EXPECT_EQ(Op(ArithOp::kAdd, Int(kMax), Int(0)), "integer:9223372036854775807");
  EXPECT_EQ(Op(ArithOp::kSubtract, Int(-1), Int(kMax)), "integer:-9223372036854775808");
}

TEST(ArithmeticTest, DivisionByZeroIs22012) {
  EXPECT_EQ(Op(ArithOp::kDivide, Int(1), Int(0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kModulo, Int(1), Int(0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kIntegerDivide, Int(1), Int(0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kDivide, Dbl(1), Dbl(0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(1), Dbl(-0.0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kModulo, Dbl(1.5), Int(0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("1.5"), Num("0.00")), "error 22012");
  EXPECT_EQ(Op(ArithOp::kModulo, Num("1.5"), Int(0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kIntegerDivide, Num("1.5"), Int(0)), "error 22012");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(0), Int(0)), "error 22012");
}

TEST(ArithmeticTest, FloatingWinsOverIntegerAndDecimal) {
  EXPECT_EQ(Op(ArithOp::kAdd, Int(1), Dbl(2.5)), "real:3.5");
  EXPECT_EQ(Op(ArithOp::kMultiply, Num("1.5"), Dbl(2)), "real:3");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(1), Dbl(4)), "real:0.25");
  EXPECT_EQ(Op(ArithOp::kModulo, Dbl(5.5), Int(2)), "real:1.5");  // fmod
  EXPECT_EQ(Op(ArithOp::kModulo, Dbl(-5.5), Int(2)), "real:-1.5");
  EXPECT_EQ(Op(ArithOp::kIntegerDivide, Dbl(7.5), Int(2)), "integer:3");
  EXPECT_EQ(Op(ArithOp::kIntegerDivide, Dbl(1e300), Int(1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kMultiply, Dbl(1e308), Int(10)), "real:Infinity");  // as SQLite, no error
}

TEST(ArithmeticTest, DecimalsStayExact) {
  EXPECT_EQ(Op(ArithOp::kAdd, Int(1), Num("1.50")), "numeric:2.50");
  EXPECT_EQ(Op(ArithOp::kAdd, Num("0.1"), Num("0.2")), "numeric:0.3");
  EXPECT_EQ(Op(ArithOp::kSubtract, Num("1.005"), Num("2")), "numeric:-0.995");
  EXPECT_EQ(Op(ArithOp::kMultiply, Num("1.5"), Num("-1.5")), "numeric:-2.25");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("1"), Num("3")), "numeric:0.3333333333333333");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("2"), Num("3")), "numeric:0.6666666666666667");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("-2"), Num("3")), "numeric:-0.6666666666666667");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("1.00"), Num("4")), "numeric:0.2500000000000000");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("7.5"), Num("2.5")), "numeric:3.0000000000000000");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("1." + std::string(20, '0')), Int(4)), "numeric:0.25000000000000000000");
  EXPECT_EQ(Op(ArithOp::kModulo, Num("-7.5"), Num("2")), "numeric:-1.5");
  EXPECT_EQ(Op(ArithOp::kIntegerDivide, Num("-7.5"), Num("2")), "integer:-3");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(10), Num("0.001")), "numeric:10000.000000000000");
}

TEST(ArithmeticTest, DecimalLimitsAre38Digits) {
  std::string nines(38, '9');
  EXPECT_EQ(Op(ArithOp::kAdd, Num(nines), Int(1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kSubtract, Num("-" + nines), Int(1)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kAdd, Num(nines), Int(-1)), "numeric:" + std::string(37, '9') + "8");
  EXPECT_EQ(Op(ArithOp::kMultiply, Num("1e37"), Int(100)), "error 22003");
  EXPECT_EQ(Op(ArithOp::kDivide, Num("1e37"), Num("0.0001")), "error 22003");
  // The product's 74 fractional digits are rounded to fit 38.
  Value third = Num("0." + std::string(37, '3'));
  auto square = Arithmetic(ArithOp::kMultiply, third, third);
  ASSERT_TRUE(square.ok());
  EXPECT_EQ(square->ToString(), "0.11111111111111111111111111111111111109");
  // Thirty-eight fractional digits dropped at once still round correctly.
  Value almost_one = Num("0." + std::string(38, '9'));
  EXPECT_EQ(Op(ArithOp::kAdd, almost_one, Int(1)), "numeric:2." + std::string(36, '0'));
  EXPECT_EQ(Op(ArithOp::kAdd, almost_one, Num("1e36")), "numeric:1000000000000000000000000000000000001");
  // Aligning scales that do not fit gives up fractional digits, not range.
  EXPECT_EQ(Op(ArithOp::kAdd, Num("1e35"), Num("0.25")), "numeric:100000000000000000000000000000000000.3");
}

// Operands below 2^63 take a shorter path; at its edges the results are
// the ones the 256-bit path gives.
TEST(ArithmeticTest, SmallDecimalsAtTheEdgesOfTheFastPath) {
  const std::string max = std::to_string(kMax);  // 9223372036854775807, 19 digits
  // Scales 18 apart are aligned exactly. 19 apart take the wide path,
  // which keeps a digit free for a carry and so rounds the 19th decimal.
  EXPECT_EQ(Op(ArithOp::kAdd, Num(max), Num("0." + std::string(17, '0') + "1")),
            "numeric:" + max + "." + std::string(17, '0') + "1");
  EXPECT_EQ(Op(ArithOp::kAdd, Num(max), Num("0." + std::string(18, '0') + "1")),
            "numeric:" + max + "." + std::string(18, '0'));
  EXPECT_EQ(Op(ArithOp::kSubtract, Num("-" + max), Num(max)), "numeric:-18446744073709551614");
  EXPECT_EQ(Op(ArithOp::kAdd, Num("-" + max + ".5"), Num("-0.5")), "numeric:-9223372036854775808.0");
  // 2^63 - 1 squared has 38 digits, the most a product of the path has.
  EXPECT_EQ(Op(ArithOp::kMultiply, Num(max), Num(max)), "numeric:85070591730234615847396907784232501249");
  EXPECT_EQ(Op(ArithOp::kMultiply, Num("-" + max), Num(max)), "numeric:-85070591730234615847396907784232501249");
  EXPECT_EQ(Op(ArithOp::kMultiply, Num("92233720368547758.07"), Num("92233720368547758.07")),
            "numeric:8507059173023461584739690778423250.1249");
  EXPECT_EQ(Op(ArithOp::kMultiply, Num("0.5"), Num("-0")), "numeric:0.0");
  // Integers mix with decimals at scale 0.
  EXPECT_EQ(Op(ArithOp::kSubtract, Int(1), Num("0.06")), "numeric:0.94");
  EXPECT_EQ(Op(ArithOp::kMultiply, Int(kMin), Num("1.0")), "numeric:-9223372036854775808.0");
}

TEST(DecimalToDoubleTest, CorrectlyRoundedOnBothPaths) {
  auto to_double = [](const char* text) {
    auto d = Decimal::Parse(text);
    EXPECT_TRUE(d.ok()) << text;
    return d.ok() ? d->ToDouble() : std::nan("");
  };
  EXPECT_EQ(to_double("0.07"), 0.07);
  EXPECT_EQ(to_double("-123456.789"), -123456.789);
  EXPECT_EQ(to_double("9007199254740993"), 9007199254740992.0);  // 2^53 + 1: the text path, to even
  EXPECT_EQ(to_double("0.00000000000000000000001"), 1e-23);    // scale 23: the text path
  EXPECT_EQ(to_double("12345678901234567890.123456789"), 12345678901234567890.123456789);
}

TEST(ArithmeticTest, TextBooleansAndNulls) {
  EXPECT_EQ(Op(ArithOp::kAdd, Txt(" 12 "), Int(1)), "integer:13");
  EXPECT_EQ(Op(ArithOp::kAdd, Txt("1.5e3"), Int(0)), "real:1500");
  EXPECT_EQ(Op(ArithOp::kAdd, Txt("-.5"), Int(0)), "real:-0.5");
  EXPECT_EQ(Op(ArithOp::kAdd, Txt("99999999999999999999"), Int(0)), "real:1e+20");
  EXPECT_EQ(Op(ArithOp::kAdd, Txt("abc"), Int(1)), "error 22P02");
  EXPECT_EQ(Op(ArithOp::kAdd, Txt("12abc"), Int(1)), "error 22P02");
  EXPECT_EQ(Op(ArithOp::kAdd, Txt(""), Int(1)), "error 22P02");
  EXPECT_EQ(Op(ArithOp::kAdd, Txt("1e"), Int(1)), "error 22P02");
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Boolean(true), Int(1)), "integer:2");
  EXPECT_EQ(Op(ArithOp::kAdd, Value(), Int(1)), "null");
  EXPECT_EQ(Op(ArithOp::kDivide, Int(1), Value()), "null");
  EXPECT_EQ(Op(ArithOp::kAdd, Value(), Value::Blob("x")), "null");
}

TEST(ArithmeticTest, KindsWithoutArithmeticAre42883) {
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Blob("x"), Int(1)), "error 42883");
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Date(0), Value::Blob("x")), "error 42883");
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Time(0), Int(1)), "error 42883");
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Timestamp(0), Int(1)), "error 42883");
  EXPECT_EQ(Op(ArithOp::kMultiply, Value::Date(0), Int(2)), "error 42883");
  EXPECT_EQ(Op(ArithOp::kSubtract, Int(1), Value::Date(0)), "error 42883");
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Date(0), Dbl(1.5)), "error 42883");
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Date(0), Value::Date(0)), "error 42883");
}

TEST(ArithmeticTest, DatesMoveByWholeDays) {
  EXPECT_EQ(Op(ArithOp::kAdd, Value::Date(0), Int(31)), "date:1970-02-01");
  EXPECT_EQ(Op(ArithOp::kAdd, Int(-1), Value::Date(0)), "date:1969-12-31");
  EXPECT_EQ(Op(ArithOp::kSubtract, Value::Date(0), Txt("1")), "date:1969-12-31");
  EXPECT_EQ(Op(ArithOp::kSubtract, Value::Date(10), Value::Date(3)), "integer:7");
  EXPECT_EQ(Show(Arithmetic(ArithOp::kAdd, Value::Date(0), Int(kMax))), "error 22008");
  EXPECT_EQ(Show(Arithmetic(ArithOp::kSubtract, Value::Date(0), Int(kMin))), "error 22008");
}

TEST(NegateTest, AllKinds) {
  EXPECT_EQ(Show(Negate(Int(5))), "integer:-5");
  EXPECT_EQ(Show(Negate(Int(kMax))), "integer:-9223372036854775807");
  EXPECT_EQ(Show(Negate(Int(kMin))), "error 22003");
  EXPECT_EQ(Show(Negate(Dbl(2.5))), "real:-2.5");
  EXPECT_EQ(Show(Negate(Num("-1.50"))), "numeric:1.50");
  EXPECT_EQ(Show(Negate(Value::Boolean(true))), "integer:-1");
  EXPECT_EQ(Show(Negate(Txt("3"))), "integer:-3");
  EXPECT_EQ(Show(Negate(Txt("x"))), "error 22P02");
  EXPECT_EQ(Show(Negate(Value::Date(1))), "error 42883");
  EXPECT_EQ(Show(Negate(Value())), "null");
}

TEST(BitwiseTest, OperatorsAndShifts) {
  EXPECT_EQ(Show(Bitwise(BitOp::kAnd, Int(6), Int(3))), "integer:2");
  EXPECT_EQ(Show(Bitwise(BitOp::kOr, Int(6), Int(3))), "integer:7");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftLeft, Int(1), Int(63))), "integer:-9223372036854775808");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftLeft, Int(1), Int(64))), "integer:0");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftLeft, Int(-1), Int(1))), "integer:-2");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftRight, Int(-8), Int(1))), "integer:-4");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftRight, Int(-8), Int(70))), "integer:-1");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftRight, Int(8), Int(70))), "integer:0");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftLeft, Int(5), Int(-1))), "integer:2");  // SQLite: the other way
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftRight, Int(5), Int(-2))), "integer:20");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftLeft, Int(-5), Int(kMin))), "integer:-1");
  EXPECT_EQ(Show(Bitwise(BitOp::kShiftRight, Int(5), Int(kMin))), "integer:0");
  EXPECT_EQ(Show(Bitwise(BitOp::kAnd, Dbl(5.7), Int(3))), "integer:1");  // truncated, as SQLite
  EXPECT_EQ(Show(Bitwise(BitOp::kAnd, Txt("12"), Int(4))), "integer:4");
  EXPECT_EQ(Show(Bitwise(BitOp::kAnd, Txt("x"), Int(4))), "error 22P02");
  EXPECT_EQ(Show(Bitwise(BitOp::kOr, Value::Blob("x"), Int(4))), "error 42883");
  EXPECT_EQ(Show(Bitwise(BitOp::kOr, Value(), Int(4))), "null");
  EXPECT_EQ(Show(BitNot(Int(0))), "integer:-1");
  EXPECT_EQ(Show(BitNot(Int(kMin))), "integer:9223372036854775807");
  EXPECT_EQ(Show(BitNot(Value())), "null");
  EXPECT_EQ(Show(BitNot(Value::Date(0))), "error 42883");
}

TEST(ConcatTest, TextFormsJoined) {
  EXPECT_EQ(Show(Concat(Txt("a"), Int(1))), "text:a1");
  EXPECT_EQ(Show(Concat(Dbl(1.5), Txt("x"))), "text:1.5x");
  EXPECT_EQ(Show(Concat(Value::Boolean(true), Value::Date(0))), "text:true1970-01-01");
  EXPECT_EQ(Show(Concat(Value(), Txt("a"))), "null");
  EXPECT_EQ(Show(Concat(Txt("a"), Value())), "null");
  EXPECT_EQ(Show(Concat(Value::Blob("a"), Value::Blob("b"))), "blob:\\x6162");
  EXPECT_EQ(Show(Concat(Txt("é"), Txt("ü"))), "text:éü");
}

TEST(TruthTest, SqliteRules) {
  EXPECT_EQ(Truth(Value()), std::nullopt);
  EXPECT_EQ(Truth(Value::Boolean(false)), false);
  EXPECT_EQ(Truth(Int(0)), false);
  EXPECT_EQ(Truth(Int(-3)), true);
  EXPECT_EQ(Truth(Dbl(0.0)), false);
  EXPECT_EQ(Truth(Dbl(0.5)), true);
  EXPECT_EQ(Truth(Num("0.00")), false);
  EXPECT_EQ(Truth(Num("0.01")), true);
  EXPECT_EQ(Truth(Txt("abc")), false);
  EXPECT_EQ(Truth(Txt("1abc")), true);
  EXPECT_EQ(Truth(Txt(" 0.0 ")), false);
  EXPECT_EQ(Truth(Txt("0.1")), true);
  EXPECT_EQ(Truth(Value::Blob("1")), true);
  EXPECT_EQ(Truth(Value::Date(0)), true);
}

TEST(NumericPrefixTest, LongestLeadingNumber) {
  EXPECT_EQ(Show(NumericPrefix("12abc")), "integer:12");
  EXPECT_EQ(Show(NumericPrefix("  -3.5e2x")), "real:-350");
  EXPECT_EQ(Show(NumericPrefix("\t+7")), "integer:7");
  EXPECT_EQ(Show(NumericPrefix("abc")), "integer:0");
  EXPECT_EQ(Show(NumericPrefix("")), "integer:0");
  EXPECT_EQ(Show(NumericPrefix(".")), "integer:0");
  EXPECT_EQ(Show(NumericPrefix("-")), "integer:0");
  EXPECT_EQ(Show(NumericPrefix("1e")), "integer:1");
  EXPECT_EQ(Show(NumericPrefix("1e+")), "integer:1");
  EXPECT_EQ(Show(NumericPrefix("5.")), "real:5");
  EXPECT_EQ(Show(NumericPrefix(".5.5")), "real:0.5");
  EXPECT_EQ(Show(NumericPrefix("0x10")), "integer:0");
  EXPECT_EQ(Show(NumericPrefix("-9223372036854775808")), "integer:-9223372036854775808");
  EXPECT_EQ(Show(NumericPrefix("9223372036854775808")), "real:9223372036854775808");
  EXPECT_EQ(Show(NumericPrefix("1e999")), "real:Infinity");
  EXPECT_EQ(Show(NumericPrefix("-1e-999")), "real:-0");
}

// Every operator over every pair of awkward values: a value or a Status
// with a SQLSTATE, never a crash (the sanitizer build checks for UB too).
TEST(OperatorFuzzTest, OddValuesNeverCrash) {
  std::vector<Value> odd = {Value(),
                            Value::Boolean(true),
                            Int(0),
                            Int(-1),
                            Int(kMin),
                            Int(kMax),
                            Dbl(0.0),
                            Dbl(-0.0),
                            Dbl(std::nan("")),
                            Dbl(INFINITY),
                            Dbl(-INFINITY),
                            Dbl(1e-310),
                            Dbl(9.3e18),
                            Num("0"),
                            Num(std::string(38, '9')),
                            Num("-0." + std::string(37, '9') + "1"),
                            Num("1e-38"),
                            Txt(""),
                            Txt(" 1e400 "),
                            Txt("\xff\xfe"),
                            Txt("-9223372036854775808"),
                            Value::Blob(std::string(3, '\0')),
                            Value::Date(std::numeric_limits<int32_t>::max()),
                            Value::Date(std::numeric_limits<int32_t>::min()),
                            Value::Time(0),
                            Value::Timestamp(kMin)};
  const ArithOp arith[] = {ArithOp::kAdd,    ArithOp::kSubtract, ArithOp::kMultiply,
                           ArithOp::kDivide, ArithOp::kModulo,   ArithOp::kIntegerDivide};
  const BitOp bits[] = {BitOp::kAnd, BitOp::kOr, BitOp::kShiftLeft, BitOp::kShiftRight};
  int errors = 0;
  for (const Value& a : odd) {
    (void)Truth(a);
    errors += !Negate(a).ok() + !BitNot(a).ok();
    for (const Value& b : odd) {
      for (ArithOp op : arith) {
        auto r = Arithmetic(op, a, b);
        if (!r.ok()) {
          ++errors;
          EXPECT_EQ(SqlState(r.status()).size(), 5u);
        }
      }
      for (BitOp op : bits) errors += !Bitwise(op, a, b).ok();
      errors += !Concat(a, b).ok();
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace neuroquantum::exec
