// The scalar function registry and the numeric and NULL-handling
// functions; ROUND checked against values SQLite 3.40 returns.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "exec/functions.h"
#include "functions_test_util.h"

namespace neuroquantum::exec {
namespace {

using testing::Dbl;
using testing::Int;
using testing::Num;
using testing::ShowCall;
using testing::Txt;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(ScalarRegistryTest, LookupIsCaseInsensitive) {
  const ScalarFunction* abs = FindScalarFunction("ABS");
  ASSERT_NE(abs, nullptr);
  EXPECT_EQ(abs->name, "abs");
  EXPECT_EQ(FindScalarFunction("Abs"), abs);
  EXPECT_EQ(FindScalarFunction("abs "), nullptr);
  EXPECT_EQ(FindScalarFunction("nope"), nullptr);
  EXPECT_EQ(FindScalarFunction(""), nullptr);
  EXPECT_EQ(FindScalarFunction("count"), nullptr);  // an aggregate
}

TEST(ScalarRegistryTest, FlagsAndArity) {
  EXPECT_FALSE(FindScalarFunction("abs")->handles_null);
  EXPECT_TRUE(FindScalarFunction("coalesce")->handles_null);
  EXPECT_TRUE(FindScalarFunction("concat")->handles_null);
  EXPECT_TRUE(FindScalarFunction("typeof")->handles_null);
  EXPECT_FALSE(FindScalarFunction("random")->deterministic);
  EXPECT_TRUE(FindScalarFunction("round")->deterministic);
  EXPECT_EQ(FindScalarFunction("round")->min_args, 1);
  EXPECT_EQ(FindScalarFunction("round")->max_args, 2);
  EXPECT_EQ(FindScalarFunction("coalesce")->max_args, -1);
  // Calling with the wrong count is a Status, not a crash.
  EXPECT_EQ(ShowCall("abs", {}), "error 42883");
  EXPECT_EQ(ShowCall("abs", {Int(1), Int(2)}), "error 42883");
  EXPECT_EQ(ShowCall("replace", {Txt("a"), Txt("b")}), "error 42883");
  EXPECT_EQ(ShowCall("random", {Int(1)}), "error 42883");
}

TEST(NumericFunctionTest, Abs) {
  EXPECT_EQ(ShowCall("abs", {Int(-5)}), "integer:5");
  EXPECT_EQ(ShowCall("abs", {Int(kMin)}), "error 22003");
  EXPECT_EQ(ShowCall("abs", {Int(kMin + 1)}), "integer:9223372036854775807");
  EXPECT_EQ(ShowCall("abs", {Dbl(-2.5)}), "real:2.5");
  EXPECT_EQ(ShowCall("abs", {Dbl(-0.0)}), "real:0");
  EXPECT_EQ(ShowCall("abs", {Num("-1.50")}), "numeric:1.50");
  EXPECT_EQ(ShowCall("abs", {Txt("-3")}), "integer:3");
  EXPECT_EQ(ShowCall("abs", {Txt("x")}), "error 22P02");
  EXPECT_EQ(ShowCall("abs", {Value::Blob("x")}), "error 42883");
  EXPECT_EQ(ShowCall("abs", {Value()}), "null");
}

TEST(NumericFunctionTest, RoundKeepsKindsAndRoundsHalfAway) {
  EXPECT_EQ(ShowCall("round", {Dbl(2.5)}), "real:3");
  EXPECT_EQ(ShowCall("round", {Dbl(-2.5)}), "real:-3");
  EXPECT_EQ(ShowCall("round", {Dbl(0.5)}), "real:1");
  EXPECT_EQ(ShowCall("round", {Dbl(2.4)}), "real:2");
  EXPECT_EQ(ShowCall("round", {Int(5)}), "integer:5");
  EXPECT_EQ(ShowCall("round", {Int(1234), Int(-2)}), "integer:1234");
  EXPECT_EQ(ShowCall("round", {Num("2.345"), Int(2)}), "numeric:2.35");
  EXPECT_EQ(ShowCall("round", {Num("-2.345"), Int(2)}), "numeric:-2.35");
  EXPECT_EQ(ShowCall("round", {Num("2.5")}), "numeric:3");
  EXPECT_EQ(ShowCall("round", {Num("2.345"), Int(5)}), "numeric:2.345");
  EXPECT_EQ(ShowCall("round", {Num("0." + std::string(38, '9'))}), "numeric:1");
  EXPECT_EQ(ShowCall("round", {Num("-0." + std::string(38, '4'))}), "numeric:0");
  EXPECT_EQ(ShowCall("round", {Dbl(1e300), Int(2)}), "real:1e+300");
  EXPECT_EQ(ShowCall("round", {Dbl(NAN)}), "real:NaN");
  EXPECT_EQ(ShowCall("round", {Dbl(-INFINITY), Int(3)}), "real:-Infinity");
  EXPECT_EQ(ShowCall("round", {Txt("2.5")}), "real:3");
  EXPECT_EQ(ShowCall("round", {Dbl(2.5), Value()}), "null");
  EXPECT_EQ(ShowCall("round", {Dbl(2.5), Int(std::numeric_limits<int64_t>::max())}), "real:2.5");
}

TEST(NumericFunctionTest, RoundDoublesMatchSqlite) {
  struct Case {
    double x;
    int64_t digits;
    double expected;  // from SQLite 3.40.1
  };
  const Case cases[] = {
      {2.675, 2, 2.68},
      {0.125, 2, 0.13},
      {1.005, 2, 1.01},
      {8.9775, 3, 8.978},
      {728.3499999999999, 1, 728.4},
      {-0.071125, 5, -0.07113},
      {10655.0, 16, 10654.99999999999},
      {-6539851.968418982, 11, -6539851.968418981},
      {76.425, 19, 76.42499999999998},
      {0.30000000000000004, 20, 0.3},
      {1234.5, -2, 1235.0},
      {123.456, -1, 123.0},
      {4503599627370495.5, 0, 4503599627370496.0},
      {-4503599627370495.5, 0, -4503599627370496.0},
      {123456789012345678.0, 2, 123456789012345678.0},
      {3.14159, 3, 3.142},
      {1e-300, 30, 0.0},
      {0.49999999999999994, 0, 1.0},
  };
  for (const Case& c : cases) {
    auto r = testing::Call("round", {Dbl(c.x), Int(c.digits)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->dbl(), c.expected) << c.x << " to " << c.digits;
  }
  auto negative_zero = testing::Call("round", {Dbl(-0.0001), Int(2)});
  ASSERT_TRUE(negative_zero.ok());
  EXPECT_TRUE(std::signbit(negative_zero->dbl()));
}

TEST(NumericFunctionTest, CeilFloorMod) {
  EXPECT_EQ(ShowCall("ceil", {Dbl(1.2)}), "real:2");
  EXPECT_EQ(ShowCall("ceiling", {Dbl(-1.2)}), "real:-1");
  EXPECT_EQ(ShowCall("floor", {Dbl(-1.2)}), "real:-2");
  EXPECT_EQ(ShowCall("ceil", {Int(5)}), "integer:5");
  EXPECT_EQ(ShowCall("floor", {Num("-1.5")}), "numeric:-2");
  EXPECT_EQ(ShowCall("floor", {Num("1.5")}), "numeric:1");
  EXPECT_EQ(ShowCall("ceil", {Num("1.01")}), "numeric:2");
  EXPECT_EQ(ShowCall("ceil", {Num("-1.99")}), "numeric:-1");
  EXPECT_EQ(ShowCall("ceil", {Num("3.000")}), "numeric:3");
  EXPECT_EQ(ShowCall("floor", {Value::Date(0)}), "error 42883");
  EXPECT_EQ(ShowCall("mod", {Int(7), Int(3)}), "integer:1");
  EXPECT_EQ(ShowCall("mod", {Int(-7), Int(3)}), "integer:-1");
  EXPECT_EQ(ShowCall("mod", {Int(7), Int(0)}), "error 22012");
  EXPECT_EQ(ShowCall("mod", {Dbl(7.5), Int(2)}), "real:1.5");
  EXPECT_EQ(ShowCall("mod", {Int(7), Value()}), "null");
}

TEST(NumericFunctionTest, PowerSqrtSign) {
  EXPECT_EQ(ShowCall("power", {Int(2), Int(10)}), "real:1024");
  EXPECT_EQ(ShowCall("pow", {Int(-2), Int(3)}), "real:-8");
  EXPECT_EQ(ShowCall("power", {Num("1.5"), Int(2)}), "real:2.25");
  EXPECT_EQ(ShowCall("power", {Int(0), Int(0)}), "real:1");
  EXPECT_EQ(ShowCall("power", {Int(0), Int(-1)}), "error 2201F");
  EXPECT_EQ(ShowCall("power", {Int(-8), Dbl(1.0 / 3)}), "error 2201F");
  EXPECT_EQ(ShowCall("power", {Int(10), Int(400)}), "real:Infinity");
  EXPECT_EQ(ShowCall("sqrt", {Int(4)}), "real:2");
  EXPECT_EQ(ShowCall("sqrt", {Dbl(-1)}), "error 2201F");
  EXPECT_EQ(ShowCall("sqrt", {Dbl(-0.0)}), "real:-0");
  EXPECT_EQ(ShowCall("sqrt", {Value()}), "null");
  EXPECT_EQ(ShowCall("sign", {Int(-3)}), "integer:-1");
  EXPECT_EQ(ShowCall("sign", {Int(0)}), "integer:0");
  EXPECT_EQ(ShowCall("sign", {Dbl(2.5)}), "integer:1");
  EXPECT_EQ(ShowCall("sign", {Dbl(NAN)}), "null");
  EXPECT_EQ(ShowCall("sign", {Num("-0.5")}), "integer:-1");
  EXPECT_EQ(ShowCall("sign", {Txt("x")}), "error 22P02");
}

TEST(NumericFunctionTest, RandomIsAnInteger) {
  auto a = testing::Call("random", {});
  auto b = testing::Call("random", {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->kind(), TypeId::kBigInt);
  EXPECT_NE(a->integer(), b->integer());  // fails with probability 2^-64
}

TEST(NullFunctionTest, CoalesceIfnullNullif) {
  EXPECT_EQ(ShowCall("coalesce", {Value(), Value(), Int(3), Int(4)}), "integer:3");
  EXPECT_EQ(ShowCall("coalesce", {Value()}), "null");
  EXPECT_EQ(ShowCall("coalesce", {Txt(""), Int(1)}), "text:");
  EXPECT_EQ(ShowCall("ifnull", {Value(), Int(2)}), "integer:2");
  EXPECT_EQ(ShowCall("ifnull", {Int(1), Int(2)}), "integer:1");
  EXPECT_EQ(ShowCall("ifnull", {Value(), Value()}), "null");
  EXPECT_EQ(ShowCall("nullif", {Int(1), Int(1)}), "null");
  EXPECT_EQ(ShowCall("nullif", {Int(1), Dbl(1.0)}), "null");
  EXPECT_EQ(ShowCall("nullif", {Int(1), Int(2)}), "integer:1");
  EXPECT_EQ(ShowCall("nullif", {Value(), Int(1)}), "null");
  EXPECT_EQ(ShowCall("nullif", {Int(1), Value()}), "integer:1");
  EXPECT_EQ(ShowCall("nullif", {Int(1), Txt("1")}), "error 42883");
}

TEST(NullFunctionTest, GreatestLeastIgnoreNulls) {
  EXPECT_EQ(ShowCall("greatest", {Int(1), Value(), Int(3), Int(2)}), "integer:3");
  EXPECT_EQ(ShowCall("least", {Int(1), Value(), Int(3), Int(-2)}), "integer:-2");
  EXPECT_EQ(ShowCall("greatest", {Value(), Value()}), "null");
  EXPECT_EQ(ShowCall("greatest", {Int(1), Dbl(2.5), Num("2.4")}), "real:2.5");
  EXPECT_EQ(ShowCall("least", {Txt("b"), Txt("a"), Txt("c")}), "text:a");
  EXPECT_EQ(ShowCall("greatest", {Int(1), Int(1), Dbl(1)}), "integer:1");  // first of equals
  EXPECT_EQ(ShowCall("greatest", {Int(1), Txt("a")}), "error 42883");
}

TEST(NullFunctionTest, TypeofNamesEveryKind) {
  EXPECT_EQ(ShowCall("typeof", {Value()}), "text:null");
  EXPECT_EQ(ShowCall("typeof", {Int(1)}), "text:integer");
  EXPECT_EQ(ShowCall("typeof", {Dbl(1)}), "text:real");
  EXPECT_EQ(ShowCall("typeof", {Txt("")}), "text:text");
  EXPECT_EQ(ShowCall("typeof", {Value::Blob("")}), "text:blob");
  EXPECT_EQ(ShowCall("typeof", {Value::Boolean(false)}), "text:boolean");
  EXPECT_EQ(ShowCall("typeof", {Num("1")}), "text:numeric");
  EXPECT_EQ(ShowCall("typeof", {Value::Date(0)}), "text:date");
  EXPECT_EQ(ShowCall("typeof", {Value::Time(0)}), "text:time");
  EXPECT_EQ(ShowCall("typeof", {Value::Timestamp(0)}), "text:timestamp");
}

// Every registered function over awkward arguments, at every arity it
// accepts: a value or a Status, never a crash.
TEST(ScalarFuzzTest, OddArgumentsNeverCrash) {
  const char* names[] = {"length", "lower",  "upper", "substr", "trim",     "ltrim",    "rtrim",  "replace",
                         "instr",  "position", "concat", "lpad", "rpad",     "abs",      "round",  "ceil",
                         "floor",  "mod",    "power", "sqrt",   "sign",     "coalesce", "ifnull", "nullif",
                         "greatest", "least", "typeof"};
  std::vector<Value> odd = {Value(),         Int(kMin),          Int(-1),
                            Int(0),          Int(3),             Int(std::numeric_limits<int64_t>::max()),
                            Dbl(NAN),        Dbl(-INFINITY),     Dbl(-2.5),
                            Dbl(1e19),       Num("-0.005"),      Num(std::string(38, '9')),
                            Txt(""),         Txt("\xf0\x9f"),    Txt("é%_\\"),
                            Txt(" 7 "),      Value::Blob("\x80"), Value::Boolean(true),
                            Value::Date(-1), Value::Timestamp(kMin)};
  int calls = 0;
  for (const char* name : names) {
    const ScalarFunction* f = FindScalarFunction(name);
    ASSERT_NE(f, nullptr) << name;
    int max_args = f->max_args < 0 ? 3 : f->max_args;
    for (int n = f->min_args; n <= max_args; ++n) {
      std::vector<Value> args(static_cast<size_t>(n));
      // Odometer over the odd values, capped so three-argument functions stay quick.
      std::vector<size_t> index(static_cast<size_t>(n), 0);
      for (int step = 0; step < 2000; ++step) {
        for (int i = 0; i < n; ++i) args[static_cast<size_t>(i)] = odd[index[static_cast<size_t>(i)]];
        auto r = f->fn(args);
        if (!r.ok()) {
          EXPECT_EQ(SqlState(r.status()).size(), 5u) << name;
        }
        ++calls;
        int i = 0;
        while (i < n && ++index[static_cast<size_t>(i)] == odd.size()) index[static_cast<size_t>(i++)] = 0;
        if (i == n) break;
      }
    }
  }
  EXPECT_GT(calls, 1000);
}

}  // namespace
}  // namespace neuroquantum::exec
