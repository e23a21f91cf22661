// Tests for the order-preserving key encoding (src/storage/key_encoding.h):
// pinned bytes of the persisted format, named edge cases, and randomized
// property tests (fixed seeds) checking
//   sign(memcmp(enc(a), enc(b))) == sign(reference SQL compare(a, b)).
// The numeric reference works on base-10 digit strings, independently of
// the base-100 encoding; a DOUBLE's value is its shortest round-trip decimal.
#include "storage/key_encoding.h"

#include <gtest/gtest.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace neuroquantum::storage {
namespace {

constexpr SortOrder kAsc = SortOrder::kAscending;
constexpr SortOrder kDesc = SortOrder::kDescending;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

int Sign(int64_t v) { return (v > 0) - (v < 0); }

// memcmp order, shorter prefix first: what the B+ tree does.
int CompareBytes(const std::string& a, const std::string& b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return Sign(c);
  return Sign(static_cast<int64_t>(a.size()) - static_cast<int64_t>(b.size()));
}

std::string Hex(const std::string& bytes) {
  std::string out;
  char buf[4];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof(buf), "%02X ", c);
    out += buf;
  }
  return out;
}

// ------------------------------------------------------------ test values

// A number as plain base-10 digits: value = sign × 0.<digits> × 10^point.
struct RefNumber {
  int rank = 1;  // 0 = -inf, 1 = finite, 2 = +inf, 3 = NaN
  int sign = 0;  // -1, 0, +1 (finite only)
  std::string digits;
  int64_t point = 0;
};

struct TestValue {
  enum class Kind { kNull, kBool, kInt64, kDouble, kDecimal, kText, kBlob, kDate, kTimestamp };
  Kind kind = Kind::kNull;
  int64_t integer = 0;  // kBool (0/1), kInt64, kDate, kTimestamp
  double real = 0;
  std::string str;                       // kDecimal text, kText, kBlob
  mutable std::optional<RefNumber> ref;  // cache of RefFromValue()

  static TestValue Null() { return {}; }
  static TestValue Bool(bool v) { return Make(Kind::kBool, v ? 1 : 0, 0, ""); }
  static TestValue Int(int64_t v) { return Make(Kind::kInt64, v, 0, ""); }
  static TestValue Dbl(double v) { return Make(Kind::kDouble, 0, v, ""); }
  static TestValue Dec(std::string v) { return Make(Kind::kDecimal, 0, 0, std::move(v)); }
  static TestValue Text(std::string v) { return Make(Kind::kText, 0, 0, std::move(v)); }
  static TestValue Blob(std::string v) { return Make(Kind::kBlob, 0, 0, std::move(v)); }
  static TestValue Date(int32_t v) { return Make(Kind::kDate, v, 0, ""); }
  static TestValue Ts(int64_t v) { return Make(Kind::kTimestamp, v, 0, ""); }
  static TestValue Make(Kind kind, int64_t integer, double real, std::string str) {
    TestValue v;
    v.kind = kind;
    v.integer = integer;
    v.real = real;
    v.str = std::move(str);
    return v;
  }

  std::string DebugString() const {
    char buf[64];
    switch (kind) {
      case Kind::kNull: return "NULL";
      case Kind::kBool: return integer ? "true" : "false";
      case Kind::kInt64: return "int " + std::to_string(integer);
      case Kind::kDouble: std::snprintf(buf, sizeof(buf), "double %.17g", real); return buf;
      case Kind::kDecimal: return "decimal " + str;
      case Kind::kText: return "text[" + Hex(str) + "]";
      case Kind::kBlob: return "blob[" + Hex(str) + "]";
      case Kind::kDate: return "date " + std::to_string(integer);
      case Kind::kTimestamp: return "ts " + std::to_string(integer);
    }
    return "?";
  }
  bool IsNumeric() const {
    return kind == Kind::kInt64 || kind == Kind::kDouble || kind == Kind::kDecimal;
  }
};

struct Column {
  SortOrder order = kAsc;
  NullOrder nulls = NullOrder::kDefault;
};

void EncodeValue(KeyEncoder* encoder, const TestValue& v, Column col) {
  using Kind = TestValue::Kind;
  switch (v.kind) {
    case Kind::kNull: encoder->AddNull(col.order, col.nulls); break;
    case Kind::kBool: encoder->AddBool(v.integer != 0, col.order); break;
    case Kind::kInt64: encoder->AddInt64(v.integer, col.order); break;
    case Kind::kDouble: encoder->AddDouble(v.real, col.order); break;
    case Kind::kDecimal: {
      Status s = encoder->AddDecimal(v.str, col.order);
      EXPECT_TRUE(s.ok()) << v.str << ": " << s.ToString();
      break;
    }
    case Kind::kText: encoder->AddText(v.str, col.order); break;
    case Kind::kBlob: encoder->AddBlob(v.str, col.order); break;
    case Kind::kDate: encoder->AddDate(static_cast<int32_t>(v.integer), col.order); break;
    case Kind::kTimestamp: encoder->AddTimestamp(v.integer, col.order); break;
  }
}

std::string Encode(const TestValue& v, Column col = {}) {
  KeyEncoder encoder;
  EncodeValue(&encoder, v, col);
  return encoder.buffer();
}

std::string EncodeRow(const std::vector<TestValue>& row, const std::vector<Column>& cols) {
  KeyEncoder encoder;
  for (size_t i = 0; i < row.size(); ++i) EncodeValue(&encoder, row[i], cols[i]);
  return encoder.buffer();
}

// ------------------------------------------------- reference comparison

RefNumber RefFromText(std::string text) {
  RefNumber out;
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.erase(0, 1);
  }
  if (text == "nan") return {3, 0, "", 0};
  if (text == "inf" || text == "infinity") return {negative ? 0 : 2, 0, "", 0};
  int64_t exponent = 0;
  if (size_t e = text.find('e'); e != std::string::npos) {
    exponent = std::stoll(text.substr(e + 1));
    text.resize(e);
  }
  int64_t int_digits = static_cast<int64_t>(text.size());
  if (size_t dot = text.find('.'); dot != std::string::npos) {
    int_digits = static_cast<int64_t>(dot);
    text.erase(dot, 1);
  }
  size_t first = text.find_first_not_of('0');
  if (first == std::string::npos) return out;  // zero
  out.digits = text.substr(first);
  out.point = int_digits - static_cast<int64_t>(first) + exponent;
  out.digits.erase(out.digits.find_last_not_of('0') + 1);
  out.sign = negative ? -1 : 1;
  return out;
}

// Shortest round-trip digits. Only the scientific form guarantees them: the
// default format may pick fixed notation, which prints large integral
// doubles exactly ("9223372036854773760", not "9.223372036854774e+18").
std::string ShortestDouble(double v) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  return std::string(buf, result.ptr);
}

RefNumber RefFromValueUncached(const TestValue& v) {
  switch (v.kind) {
    case TestValue::Kind::kInt64: return RefFromText(std::to_string(v.integer));
    case TestValue::Kind::kDouble:
      if (std::isnan(v.real)) return {3, 0, "", 0};
      if (std::isinf(v.real)) return {v.real < 0 ? 0 : 2, 0, "", 0};
      return RefFromText(ShortestDouble(v.real));
    default: return RefFromText(v.str);
  }
}

const RefNumber& RefFromValue(const TestValue& v) {
  if (!v.ref) v.ref = RefFromValueUncached(v);
  return *v.ref;
}

int RefCompareNumbers(const RefNumber& a, const RefNumber& b) {
  if (a.rank != b.rank) return Sign(a.rank - b.rank);
  if (a.rank != 1) return 0;
  if (a.sign != b.sign) return Sign(a.sign - b.sign);
  if (a.sign == 0) return 0;
  int magnitude = Sign(a.point - b.point);
  if (magnitude == 0) magnitude = Sign(a.digits.compare(b.digits));
  return a.sign * magnitude;
}

// SQL comparison of two values of one column (numerics may mix types).
int RefCompare(const TestValue& a, const TestValue& b, Column col) {
  using Kind = TestValue::Kind;
  const bool a_null = a.kind == Kind::kNull;
  const bool b_null = b.kind == Kind::kNull;
  if (a_null || b_null) {
    if (a_null && b_null) return 0;
    const bool nulls_first = col.nulls == NullOrder::kNullsFirst ||
                             (col.nulls == NullOrder::kDefault && col.order == kDesc);
    return (a_null == nulls_first) ? -1 : 1;
  }
  int c = 0;
  if (a.IsNumeric()) {
    c = RefCompareNumbers(RefFromValue(a), RefFromValue(b));
  } else if (a.kind == Kind::kText || a.kind == Kind::kBlob) {
    c = CompareBytes(a.str, b.str);  // binary collation
  } else {
    c = (a.integer > b.integer) - (a.integer < b.integer);  // bool, date, timestamp
  }
  return col.order == kDesc ? -c : c;
}

int RefCompareRows(const std::vector<TestValue>& a, const std::vector<TestValue>& b,
                   const std::vector<Column>& cols) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (int c = RefCompare(a[i], b[i], cols[i]); c != 0) return c;
  }
  return 0;
}

// ------------------------------------------------------ random generators

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  uint64_t Bits() { return rng_(); }
  int64_t Range(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool OneIn(int n) { return Range(0, n - 1) == 0; }

  int64_t Int64() {
    switch (Range(0, 6)) {
      case 0: return Range(-1000, 1000);
      case 1: return static_cast<int64_t>(Bits());
      case 2: return (int64_t{1} << 53) + Range(-5, 5);
      case 3: return -(int64_t{1} << 53) + Range(-5, 5);
      case 4: return kInt64Max - Range(0, 2000);
      case 5: return kInt64Min + Range(0, 2000);
      default: {
        int64_t v = 1;
        for (int64_t i = Range(0, 18); i > 0; --i) v *= 10;
        return v * Range(-9, 9);
      }
    }
  }

  double Double() {
    switch (Range(0, 8)) {
      case 0: {
        double v;
        uint64_t bits = Bits();
        std::memcpy(&v, &bits, sizeof(v));  // anything: NaN, inf, denormal
        return v;
      }
      case 1: return static_cast<double>(Range(-1000, 1000)) / 10.0;
      case 2: return std::ldexp(1.0, 53) + static_cast<double>(Range(-8, 8));
      case 3:
        return std::ldexp(static_cast<double>(Range(-3, 3)) + 0.0, 63) *
               (1.0 + static_cast<double>(Range(-4, 4)) * 0x1p-52);
      case 4: return static_cast<double>(Int64());
      case 5: {
        const double specials[] = {0.0,
                                   -0.0,
                                   kInf,
                                   -kInf,
                                   kNaN,
                                   -kNaN,
                                   0.1,
                                   -0.1,
                                   5e-324,
                                   -5e-324,
                                   1.7976931348623157e308,
                                   9.3e18};
        return specials[Range(0, 11)];
      }
      case 6:
        return std::ldexp(static_cast<double>(Range(-(1 << 20), 1 << 20)),
                          static_cast<int>(Range(-80, 80)));
      case 7: return std::nextafter(static_cast<double>(Int64()), Range(0, 1) ? kInf : -kInf);
      default: return std::ldexp(1.0, 63) * (Range(0, 1) ? 1 : -1);
    }
  }

  // Decimal text, often equal to an int64 or double, often with leading and
  // trailing zeros, exponents and up to 30 (sometimes 1000) digits.
  std::string Decimal() {
    switch (Range(0, 6)) {
      case 0: return std::to_string(Int64()) + (Range(0, 1) ? ".000" : "");
      case 1: {
        double v = Double();
        if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v < 0 ? "-Infinity" : "inf");
        return ShortestDouble(v);
      }
      case 2: {
        double v = Double();
        if (!std::isfinite(v) || std::fabs(v) > 1e30 || std::fabs(v) < 1e-30) return "0.0";
        char buf[400];
        auto result = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
        return std::string(buf, result.ptr) + "00";
      }
      case 3: return DigitString(Range(1, 1000), true);
      default: return DigitString(Range(1, 30), Range(0, 1) == 0);
    }
  }

  std::string Text() {
    static const char kAlphabet[] = {'\0', '\x01', 'a', 'b', '\xfe', '\xff'};
    std::string out;
    for (int64_t n = Range(0, 6); n > 0; --n) out.push_back(kAlphabet[Range(0, 5)]);
    return out;
  }

  TestValue Numeric() {
    switch (Range(0, 2)) {
      case 0: return TestValue::Int(Int64());
      case 1: return TestValue::Dbl(Double());
      default: return TestValue::Dec(Decimal());
    }
  }

 private:
  std::string DigitString(int64_t digits, bool with_exponent) {
    std::string out = Range(0, 2) == 0 ? "-" : (OneIn(5) ? "+" : "");
    if (OneIn(3)) out += "00";
    const int64_t point = Range(0, digits);
    for (int64_t i = 0; i < digits; ++i) {
      if (i == point) out += '.';
      // Few distinct digits so that close values are common.
      out.push_back(static_cast<char>('0' + (OneIn(3) ? 0 : Range(0, 9))));
    }
    if (OneIn(3)) out += "000";
    if (with_exponent) out += "e" + std::to_string(Range(-40, 40));
    return out;
  }

  std::mt19937_64 rng_;
};

// -------------------------------------------------- pinned format bytes

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(KeyEncodingFormatTest, PinnedBytes) {
  EXPECT_EQ(Encode(TestValue::Null()), Bytes({0xFE}));
  EXPECT_EQ(Encode(TestValue::Null(), {kDesc}), Bytes({0x01}));
  EXPECT_EQ(Encode(TestValue::Null(), {kAsc, NullOrder::kNullsFirst}), Bytes({0x01}));
  EXPECT_EQ(Encode(TestValue::Bool(false)), Bytes({0x10}));
  EXPECT_EQ(Encode(TestValue::Bool(true)), Bytes({0x11}));
  EXPECT_EQ(Encode(TestValue::Int(0)), Bytes({0x23}));
  EXPECT_EQ(Encode(TestValue::Int(1)), Bytes({0x24, 0x81, 0x02}));
  EXPECT_EQ(Encode(TestValue::Int(-1)), Bytes({0x22, 0x7E, 0xFD}));
  EXPECT_EQ(Encode(TestValue::Dec("123.45")), Bytes({0x24, 0x82, 0x03, 0x2F, 0x5A}));
  EXPECT_EQ(Encode(TestValue::Dec("1e200")), Bytes({0x24, 0xF8, 0x65, 0x02}));
  EXPECT_EQ(Encode(TestValue::Dec("1e-200")), Bytes({0x24, 0x07, 0x9C, 0x02}));
  EXPECT_EQ(Encode(TestValue::Dbl(-kInf)), Bytes({0x21}));
  EXPECT_EQ(Encode(TestValue::Dbl(kInf)), Bytes({0x25}));
  EXPECT_EQ(Encode(TestValue::Dbl(kNaN)), Bytes({0x26}));
  EXPECT_EQ(Encode(TestValue::Text(std::string("a\0", 2))),
            Bytes({0x30, 'a', 0x00, 0xFF, 0x00, 0x01}));
  EXPECT_EQ(Encode(TestValue::Blob("")), Bytes({0x38, 0x00, 0x01}));
  EXPECT_EQ(Encode(TestValue::Date(0)), Bytes({0x40, 0x80, 0x00, 0x00, 0x00}));
  EXPECT_EQ(Encode(TestValue::Date(-1)), Bytes({0x40, 0x7F, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(Encode(TestValue::Ts(1)), Bytes({0x48, 0x80, 0, 0, 0, 0, 0, 0, 0x01}));
  EXPECT_EQ(Encode(TestValue::Int(1), {kDesc}), Bytes({0xDB, 0x7E, 0xFD}));
}

// ----------------------------------------------------- named edge cases

void ExpectAllEqual(const std::vector<TestValue>& values) {
  for (const auto& v : values) {
    EXPECT_EQ(Hex(Encode(v)), Hex(Encode(values[0]))) << v.DebugString();
  }
}

// Checks that `values` are strictly increasing in ascending and strictly
// decreasing in descending encoding.
void ExpectStrictlyIncreasing(const std::vector<TestValue>& values) {
  for (size_t i = 1; i < values.size(); ++i) {
    EXPECT_LT(CompareBytes(Encode(values[i - 1]), Encode(values[i])), 0)
        << values[i - 1].DebugString() << " vs " << values[i].DebugString();
    EXPECT_GT(CompareBytes(Encode(values[i - 1], {kDesc}), Encode(values[i], {kDesc})), 0)
        << values[i - 1].DebugString() << " vs " << values[i].DebugString();
  }
}

TEST(KeyEncodingTest, EqualNumericsOfDifferentTypesEncodeEqual) {
  ExpectAllEqual({TestValue::Int(1), TestValue::Dbl(1.0), TestValue::Dec("1.00"),
                  TestValue::Dec("1e0"), TestValue::Dec("0.1e1"), TestValue::Dec("+001.000"),
                  TestValue::Dec("100E-2"), TestValue::Dec(".1e+1"), TestValue::Dec("1.")});
  ExpectAllEqual({TestValue::Int(-1500), TestValue::Dbl(-1500.0), TestValue::Dec("-1.5e3")});
  ExpectAllEqual({TestValue::Int(kInt64Min), TestValue::Dec("-9223372036854775808.0")});
}

// Integers take a path of their own (no digit string); it must give the
// bytes of the same number written as a decimal, in both orders: every
// digit count, trailing zeros, both signs and the extremes.
TEST(KeyEncodingTest, IntegersEncodeLikeTheirDecimalText) {
  std::vector<int64_t> values = {0, 1, 9, 10, 11, 99, 100, 101, 110, 1000, 1010, 12345, 120000,
                                 kInt64Max, kInt64Max - 1, kInt64Min, kInt64Min + 1};
  int64_t power = 1;
  for (int digits = 1; digits <= 18; ++digits) {
    power *= 10;
    for (int64_t v : {power - 1, power, power + 1, power / 2, 7 * power, power * 9 + 5}) values.push_back(v);
  }
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    values.push_back(static_cast<int64_t>(rng() >> (rng() % 64)));
  }
  for (int64_t magnitude : std::vector<int64_t>(values)) {
    if (magnitude != kInt64Min) values.push_back(-magnitude);
  }
  for (int64_t v : values) {
    for (SortOrder order : {SortOrder::kAscending, SortOrder::kDescending}) {
      KeyEncoder as_int;
      as_int.AddInt64(v, order);
      KeyEncoder as_text;
      ASSERT_TRUE(as_text.AddDecimal(std::to_string(v), order).ok());
      auto a = std::move(as_int).Finish(1000);
      auto b = std::move(as_text).Finish(1000);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(*a, *b) << v;
    }
  }
}

TEST(KeyEncodingTest, NegativeZeroEqualsZero) {
  ExpectAllEqual({TestValue::Int(0), TestValue::Dbl(0.0), TestValue::Dbl(-0.0),
                  TestValue::Dec("-0"), TestValue::Dec("0.000"), TestValue::Dec("-0e10"),
                  TestValue::Dec("0e99999999999999999999999")});
}

TEST(KeyEncodingTest, DoubleUsesShortestRoundTripDecimal) {
  ExpectAllEqual({TestValue::Dbl(0.1), TestValue::Dec("0.1"), TestValue::Dec("0.10")});
  // The exact binary value of 0.1 is a different (larger) decimal.
  ExpectStrictlyIncreasing(
      {TestValue::Dec("0.1"), TestValue::Dec("0.1000000000000000055511151231257827")});
  ExpectAllEqual({TestValue::Dbl(1e300), TestValue::Dec("1e300")});
}

TEST(KeyEncodingTest, NaNAndInfinityPlacement) {
  ExpectStrictlyIncreasing(
      {TestValue::Dbl(-kInf), TestValue::Dec("-1e1000000"), TestValue::Dbl(-1.7976931348623157e308),
       TestValue::Int(-1), TestValue::Dbl(-5e-324), TestValue::Int(0), TestValue::Dbl(5e-324),
       TestValue::Int(kInt64Max), TestValue::Dbl(1.7976931348623157e308),
       TestValue::Dec("1e1000000"), TestValue::Dbl(kInf), TestValue::Dbl(kNaN)});
  double other_nan;
  const uint64_t bits = 0xFFF8'0000'0000'1234ull;  // negative NaN with payload
  std::memcpy(&other_nan, &bits, sizeof(bits));
  ExpectAllEqual({TestValue::Dbl(kNaN), TestValue::Dbl(other_nan), TestValue::Dec("NaN"),
                  TestValue::Dec("nan")});
  ExpectAllEqual({TestValue::Dbl(-kInf), TestValue::Dec("-Infinity"), TestValue::Dec("-inf")});
}

TEST(KeyEncodingTest, Int64ExtremesAgainstDoubles) {
  // 2^63 as a double is "9.223372036854776e18" > INT64_MAX.
  ExpectStrictlyIncreasing({TestValue::Int(kInt64Max - 1), TestValue::Int(kInt64Max),
                            TestValue::Dbl(9223372036854775807.0), TestValue::Dbl(9.3e18)});
  // Documented consequence of the shortest-decimal rule: double -2^63 is
  // "-9.223372036854776e18", which is below INT64_MIN.
  ExpectStrictlyIncreasing({TestValue::Dbl(-9223372036854775808.0), TestValue::Int(kInt64Min),
                            TestValue::Int(kInt64Min + 1)});
  // Around 2^53 doubles are exact integers.
  const int64_t two53 = int64_t{1} << 53;
  ExpectStrictlyIncreasing({TestValue::Int(two53 - 1), TestValue::Dbl(std::ldexp(1.0, 53)),
                            TestValue::Int(two53 + 1), TestValue::Dbl(std::ldexp(1.0, 53) + 2)});
  ExpectAllEqual({TestValue::Int(two53), TestValue::Dbl(std::ldexp(1.0, 53))});
  ExpectAllEqual({TestValue::Int(two53 + 2), TestValue::Dbl(std::ldexp(1.0, 53) + 2)});
}

TEST(KeyEncodingTest, LongDecimals) {
  ExpectStrictlyIncreasing(
      {TestValue::Dec("-123456789012345678901234567890"), TestValue::Int(kInt64Min),
       TestValue::Dec("-0.000000000000000000000000000001"),
       TestValue::Dec("0.000000000000000000000000000001"), TestValue::Int(kInt64Max),
       TestValue::Dec("123456789012345678901234567889.9"),
       TestValue::Dec("123456789012345678901234567890"),
       TestValue::Dec("123456789012345678901234567890.000000000000000000001")});
  const std::string thousand(1000, '7');
  ExpectStrictlyIncreasing({TestValue::Dec(thousand), TestValue::Dec(thousand + "e1")});
  ExpectAllEqual({TestValue::Dec(thousand), TestValue::Dec(thousand + ".000000")});
}

TEST(KeyEncodingTest, ExponentBoundaries) {
  // Straddles the exponent varint's length changes: one byte up to
  // |E| = 64 (1e127 / 1e-130), two bytes from |E| = 256 (1e510 / 1e-513).
  const int scientific_exponents[] = {-999999, -600, -514, -513, -512, -511, -133,  -132,
                                      -131,    -130, -129, -1,   0,    1,    126,   127,
                                      128,     129,  508,  509,  510,  511,  999999};
  std::vector<TestValue> positives, negatives;
  for (int e : scientific_exponents) {
    for (const char* mantissa : {"1", "9.99"}) {
      positives.push_back(TestValue::Dec(std::string(mantissa) + "e" + std::to_string(e)));
      negatives.insert(negatives.begin(),
                       TestValue::Dec("-" + std::string(mantissa) + "e" + std::to_string(e)));
    }
  }
  ExpectStrictlyIncreasing(positives);
  ExpectStrictlyIncreasing(negatives);
}

TEST(KeyEncodingTest, TextOrderIsBinaryAndPrefixFree) {
  using namespace std::string_literals;
  std::vector<TestValue> texts;
  for (const std::string& s : {""s, "\0"s, "\0\0"s, "\0\x01"s, "\x01"s, "a"s, "a\0"s, "a\0\0"s,
                               "a\0b"s, "a\x01"s, "ab"s, "b"s, "\xc3\xa9"s, "\xff"s, "\xff\xff"s}) {
    texts.push_back(TestValue::Text(s));
  }
  ExpectStrictlyIncreasing(texts);
  for (auto& t : texts) t.kind = TestValue::Kind::kBlob;
  ExpectStrictlyIncreasing(texts);
}

TEST(KeyEncodingTest, BoolDateTimestampOrder) {
  ExpectStrictlyIncreasing({TestValue::Bool(false), TestValue::Bool(true)});
  ExpectStrictlyIncreasing({TestValue::Date(std::numeric_limits<int32_t>::min()),
                            TestValue::Date(-1), TestValue::Date(0), TestValue::Date(1),
                            TestValue::Date(std::numeric_limits<int32_t>::max())});
  ExpectStrictlyIncreasing({TestValue::Ts(kInt64Min), TestValue::Ts(-1), TestValue::Ts(0),
                            TestValue::Ts(1), TestValue::Ts(kInt64Max)});
}

TEST(KeyEncodingTest, NullPlacementFollowsPostgres) {
  const TestValue null = TestValue::Null();
  for (const TestValue& v :
       {TestValue::Dbl(kNaN), TestValue::Text("\xff\xff"), TestValue::Ts(kInt64Max),
        TestValue::Bool(true), TestValue::Dbl(-kInf), TestValue::Text("")}) {
    SCOPED_TRACE(v.DebugString());
    // ASC default: NULLS LAST. DESC default: NULLS FIRST.
    EXPECT_GT(CompareBytes(Encode(null, {kAsc}), Encode(v, {kAsc})), 0);
    EXPECT_LT(CompareBytes(Encode(null, {kDesc}), Encode(v, {kDesc})), 0);
    // Explicit placements.
    for (SortOrder order : {kAsc, kDesc}) {
      EXPECT_LT(CompareBytes(Encode(null, {order, NullOrder::kNullsFirst}), Encode(v, {order})), 0);
      EXPECT_GT(CompareBytes(Encode(null, {order, NullOrder::kNullsLast}), Encode(v, {order})), 0);
    }
  }
}

TEST(KeyEncodingTest, CompositeKeysAreLexicographic) {
  const std::vector<Column> cols = {{kAsc}, {kDesc}, {kAsc, NullOrder::kNullsFirst}};
  const std::vector<std::vector<TestValue>> rows = {
      {TestValue::Int(1), TestValue::Text("b"), TestValue::Null()},
      {TestValue::Int(1), TestValue::Text("b"), TestValue::Ts(-5)},
      {TestValue::Dbl(1.0), TestValue::Text(std::string("a\0", 2)), TestValue::Ts(-5)},
      {TestValue::Dec("1.0"), TestValue::Text("a"), TestValue::Ts(0)},
      {TestValue::Int(1), TestValue::Null(), TestValue::Null()},
  };
  // Column 1 is DESC with default NULLS FIRST, so the NULL row sorts before
  // every other row with key column 0 == 1.
  std::vector<std::vector<TestValue>> expected = {rows[4], rows[0], rows[1], rows[2], rows[3]};
  for (size_t i = 1; i < expected.size(); ++i) {
    EXPECT_LT(CompareBytes(EncodeRow(expected[i - 1], cols), EncodeRow(expected[i], cols)), 0) << i;
  }
  // A short first column must not bleed into the second: ("a", "b") vs ("ab", "").
  const std::vector<Column> text_cols = {{kAsc}, {kAsc}};
  EXPECT_LT(CompareBytes(EncodeRow({TestValue::Text("a"), TestValue::Text("b")}, text_cols),
                         EncodeRow({TestValue::Text("ab"), TestValue::Text("")}, text_cols)),
            0);
}

TEST(KeyEncodingTest, FinishEnforcesMaxKeySize) {
  KeyEncoder encoder;
  encoder.AddText(std::string(10, 'x'));  // 1 + 10 + 2 = 13 bytes
  ASSERT_EQ(encoder.size_bytes(), 13u);
  KeyEncoder copy = encoder;
  Result<std::string> ok = std::move(copy).Finish(13);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 13u);
  Result<std::string> too_big = std::move(encoder).Finish(12);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kOutOfRange);
  const std::string msg(too_big.status().message());
  EXPECT_NE(msg.find("13 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("12 bytes"), std::string::npos) << msg;
}

TEST(KeyEncodingTest, InvalidDecimalTextNamesPosition) {
  const struct {
    const char* text;
    const char* fragment;
  } cases[] = {
      {"", "position 0"},    {"-", "position 1"},         {"1.2.3", "position 3"},
      {"abc", "position 0"}, {"1e", "position 2"},        {"1e+", "position 3"},
      {" 1", "position 0"},  {"1x", "position 1"},        {"1 ", "position 1"},
      {".", "position 1"},   {"-nan", "position 1"},      {"1e5.5", "position 3"},
      {"--1", "position 1"}, {"1e1000001", "position 1"}, {"0.1e-1000000", "position 3"},
      {"12\x01", "0x01"},
  };
  for (const auto& c : cases) {
    KeyEncoder encoder;
    encoder.AddInt64(7);
    Status s = encoder.AddDecimal(c.text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(s.ToString().find(c.fragment), std::string::npos) << c.text << " -> " << s.ToString();
    EXPECT_EQ(encoder.buffer(), Encode(TestValue::Int(7))) << "nothing appended on error";
  }
}

TEST(KeyEncodingTest, DecimalDigitAndExponentLimits) {
  KeyEncoder encoder;
  EXPECT_TRUE(encoder.AddDecimal(std::string(1000, '9')).ok());
  EXPECT_TRUE(encoder.AddDecimal("0.00" + std::string(1000, '9') + "0000").ok());
  EXPECT_EQ(encoder.AddDecimal(std::string(1001, '9')).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(encoder.AddDecimal("1e1000000").ok());
  EXPECT_TRUE(encoder.AddDecimal("-9.99e-1000000").ok());
  EXPECT_TRUE(encoder.AddDecimal("0.01e-999998").ok());  // = 1e-1000000
  EXPECT_FALSE(encoder.AddDecimal("0.01e-999999").ok());
  EXPECT_FALSE(encoder.AddDecimal("10e999999999999999999999").ok());
}

TEST(KeyEncodingTest, CanonicalDecimalText) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"-12.3400", "-12.34"},
      {"1e5", "100000"},
      {"0.0010", "0.001"},
      {"-0", "0"},
      {"+7", "7"},
      {"1e20", "100000000000000000000"},
      {"1e21", "1e+21"},
      {"1.5e-30", "1.5e-30"},
      {"1e-21", "0.000000000000000000001"},
      {"1e-22", "1e-22"},
      {"12345.678e-2", "123.45678"},
      {"INF", "Infinity"},
      {"nan", "NaN"},
      {"-Infinity", "-Infinity"},
      {"9223372036854775807", "9223372036854775807"},
  };
  for (const auto& c : cases) {
    Result<std::string> r = CanonicalDecimal(c.in);
    ASSERT_TRUE(r.ok()) << c.in;
    EXPECT_EQ(*r, c.out) << c.in;
  }
}

// --------------------------------------------------------------- decoder

KeyValue DecodeOne(const std::string& key, SortOrder order = kAsc) {
  std::vector<SortOrder> orders = {order};
  Result<std::vector<KeyValue>> r = DecodeKey(key, orders);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " key " << Hex(key);
  return r.ok() ? (*r)[0] : KeyValue{};
}

TEST(KeyDecoderTest, NumericHelpers) {
  auto numeric = [](const std::string& text) {
    KeyEncoder encoder;
    EXPECT_TRUE(encoder.AddDecimal(text).ok());
    return DecodeOne(encoder.buffer());
  };
  EXPECT_EQ(*numeric("9223372036854775807").NumericAsInt64(), kInt64Max);
  EXPECT_EQ(*numeric("-9223372036854775808").NumericAsInt64(), kInt64Min);
  EXPECT_EQ(*numeric("1e18").NumericAsInt64(), 1'000'000'000'000'000'000);
  EXPECT_EQ(*numeric("-0").NumericAsInt64(), 0);
  EXPECT_EQ(numeric("9223372036854775808").NumericAsInt64().status().code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(numeric("1e19").NumericAsInt64().status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(numeric("1.5").NumericAsInt64().status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(numeric("NaN").NumericAsInt64().status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(*numeric("0.1").NumericAsDouble(), 0.1);
  EXPECT_EQ(*numeric("-2.5e300").NumericAsDouble(), -2.5e300);
  EXPECT_EQ(*numeric("-Infinity").NumericAsDouble(), -kInf);
  EXPECT_TRUE(std::isnan(*numeric("NaN").NumericAsDouble()));
  EXPECT_FALSE(numeric("0.10000000000000001").NumericAsDouble().ok());
  EXPECT_FALSE(numeric("1e400").NumericAsDouble().ok());
  EXPECT_FALSE(numeric("1e-400").NumericAsDouble().ok());
  KeyValue text = DecodeOne(Encode(TestValue::Text("1")));
  EXPECT_EQ(text.NumericAsInt64().status().code(), StatusCode::kInvalidArgument);
}

TEST(KeyDecoderTest, RejectsMalformedKeys) {
  const std::string cases[] = {
      Bytes({}),                                          // no column
      Bytes({0x00}),                                      // reserved tag
      Bytes({0x99}),                                      // unknown tag
      Bytes({0x30, 'a'}),                                 // unterminated text
      Bytes({0x30, 'a', 0x00, 0x02}),                     // bad escape
      Bytes({0x40, 0x80, 0x00}),                          // truncated date
      Bytes({0x24}),                                      // missing exponent
      Bytes({0x24, 0x81}),                                // missing mantissa
      Bytes({0x24, 0x81, 0x03}),                          // unterminated mantissa
      Bytes({0x24, 0x81, 0x00}),                          // zero digit as last digit
      Bytes({0x24, 0x81, 0x01, 0x02}),                    // leading zero digit
      Bytes({0x24, 0x81, 0xC8}),                          // digit > 99
      Bytes({0x24, 0xF8, 0x40, 0x02}),                    // non-minimal exponent 64
      Bytes({0x24, 0xF9, 0x00, 0xFF, 0x02}),              // non-minimal 2-byte exponent
      Bytes({0x24, 0xFB, 0x7F, 0xFF, 0xFF, 0xFF, 0x02}),  // exponent out of range
      Bytes({0x24, 0x08, 0x02}),                          // bad exponent byte
      Bytes({0x23, 0x23}),                                // trailing bytes
  };
  for (const std::string& key : cases) {
    std::vector<SortOrder> orders = {kAsc};
    Result<std::vector<KeyValue>> r = DecodeKey(key, orders);
    EXPECT_FALSE(r.ok()) << Hex(key);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << Hex(key);
    }
  }
}

TEST(KeyDecoderTest, DecodesEveryTypeBothOrders) {
  for (SortOrder order : {kAsc, kDesc}) {
    KeyEncoder encoder;
    encoder.AddNull(order);
    encoder.AddBool(true, order);
    encoder.AddDouble(-0.1, order);
    encoder.AddText(std::string("x\0y", 3), order);
    encoder.AddBlob("\xff", order);
    encoder.AddDate(-719162, order);
    encoder.AddTimestamp(kInt64Min, order);
    std::vector<SortOrder> orders(7, order);
    Result<std::vector<KeyValue>> r = DecodeKey(encoder.buffer(), orders);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const std::vector<KeyValue>& v = *r;
    EXPECT_EQ(v[0].type, KeyValueType::kNull);
    EXPECT_EQ(v[1].type, KeyValueType::kBool);
    EXPECT_TRUE(v[1].bool_value);
    EXPECT_EQ(v[2].type, KeyValueType::kNumeric);
    EXPECT_EQ(v[2].bytes, "-0.1");
    EXPECT_EQ(v[3].type, KeyValueType::kText);
    EXPECT_EQ(v[3].bytes, std::string("x\0y", 3));
    EXPECT_EQ(v[4].type, KeyValueType::kBlob);
    EXPECT_EQ(v[4].bytes, "\xff");
    EXPECT_EQ(v[5].type, KeyValueType::kDate);
    EXPECT_EQ(v[5].int_value, -719162);
    EXPECT_EQ(v[6].type, KeyValueType::kTimestamp);
    EXPECT_EQ(v[6].int_value, kInt64Min);
    // Too few columns requested -> trailing bytes.
    orders.pop_back();
    EXPECT_TRUE(DecodeKey(encoder.buffer(), orders).status().IsCorruption());
  }
}

// ------------------------------------------------------ property tests

// Checks every ordered pair; returns how many pairs of values of different
// types compared equal (so callers can check that ties were exercised).
int CheckPairs(const std::vector<TestValue>& values, Column col) {
  std::vector<std::string> keys;
  for (const auto& v : values) keys.push_back(Encode(v, col));
  int failures = 0;
  int cross_type_ties = 0;
  for (size_t i = 0; i < values.size() && failures < 10; ++i) {
    for (size_t j = 0; j < values.size(); ++j) {
      const int expected = RefCompare(values[i], values[j], col);
      const int actual = CompareBytes(keys[i], keys[j]);
      if (expected == 0 && values[i].kind != values[j].kind) ++cross_type_ties;
      if (expected != actual && ++failures <= 10) {
        ADD_FAILURE() << values[i].DebugString() << " vs " << values[j].DebugString()
                      << ": expected " << expected << " got " << actual << "\n  " << Hex(keys[i])
                      << "\n  " << Hex(keys[j]);
      }
    }
  }
  return cross_type_ties;
}

TEST(KeyEncodingPropertyTest, MixedNumericsMatchReferenceOrder) {
  Gen gen(20240601);
  std::vector<TestValue> values;
  for (int i = 0; i < 900; ++i) values.push_back(gen.Numeric());
  for (int i = 0; i < 60; ++i) values.push_back(TestValue::Null());
  for (Column col : {Column{kAsc}, Column{kDesc}, Column{kAsc, NullOrder::kNullsFirst},
                     Column{kDesc, NullOrder::kNullsLast}}) {
    SCOPED_TRACE(static_cast<int>(col.order) * 10 + static_cast<int>(col.nulls));
    EXPECT_GT(CheckPairs(values, col), 500);
  }
}

TEST(KeyEncodingPropertyTest, NativeComparisonsAgree) {
  // Where the C++ comparison is exact, it must agree with the encoding.
  Gen gen(7);
  auto native_rank = [](double d) { return std::isnan(d) ? 1 : 0; };
  for (int i = 0; i < 20000; ++i) {
    const int64_t a = gen.Int64(), b = gen.Int64();
    ASSERT_EQ(CompareBytes(Encode(TestValue::Int(a)), Encode(TestValue::Int(b))), (a > b) - (a < b))
        << a << " " << b;
    const double x = gen.Double(), y = gen.Double();
    int expected = native_rank(x) - native_rank(y);
    if (expected == 0 && !std::isnan(x)) expected = (x > y) - (x < y);
    ASSERT_EQ(CompareBytes(Encode(TestValue::Dbl(x)), Encode(TestValue::Dbl(y))), expected)
        << x << " " << y;
    const int64_t small = gen.Range(-(int64_t{1} << 53), int64_t{1} << 53);
    if (!std::isnan(x) && std::fabs(x) <= 0x1p53) {
      const auto as_double = static_cast<double>(small);  // exact below 2^53
      ASSERT_EQ(CompareBytes(Encode(TestValue::Int(small)), Encode(TestValue::Dbl(x))),
                (as_double > x) - (as_double < x))
          << small << " " << x;
    }
  }
}

TEST(KeyEncodingPropertyTest, TextAndBlobMatchBinaryOrder) {
  Gen gen(99);
  std::vector<TestValue> texts, blobs;
  for (int i = 0; i < 600; ++i) {
    texts.push_back(TestValue::Text(gen.Text()));
    blobs.push_back(TestValue::Blob(gen.Text()));
  }
  texts.push_back(TestValue::Null());
  CheckPairs(texts, {kAsc});
  CheckPairs(texts, {kDesc});
  CheckPairs(blobs, {kDesc, NullOrder::kNullsLast});
}

// Random rows for a random 1-3 column schema.
struct Schema {
  std::vector<TestValue::Kind> kinds;
  std::vector<Column> cols;
};

Schema RandomSchema(Gen* gen) {
  using Kind = TestValue::Kind;
  const Kind kinds[] = {Kind::kInt64,     Kind::kText, Kind::kBool,  Kind::kDate,
                        Kind::kTimestamp, Kind::kBlob, Kind::kDouble};
  Schema schema;
  for (int64_t n = gen->Range(1, 3); n > 0; --n) {
    schema.kinds.push_back(kinds[gen->Range(0, 6)]);
    const NullOrder nulls[] = {NullOrder::kDefault, NullOrder::kNullsFirst, NullOrder::kNullsLast};
    schema.cols.push_back({gen->Range(0, 1) ? kAsc : kDesc, nulls[gen->Range(0, 2)]});
  }
  return schema;
}

// Small domains so that earlier columns tie often.
TestValue RandomValue(Gen* gen, TestValue::Kind kind) {
  using Kind = TestValue::Kind;
  if (gen->OneIn(6)) return TestValue::Null();
  switch (kind) {
    case Kind::kInt64: {  // "numeric column": any numeric type
      switch (gen->Range(0, 2)) {
        case 0: return TestValue::Int(gen->Range(-3, 3));
        case 1: return TestValue::Dbl(static_cast<double>(gen->Range(-6, 6)) / 2);
        default: return TestValue::Dec(std::to_string(gen->Range(-30, 30)) + "e-1");
      }
    }
    case Kind::kDouble: return TestValue::Dbl(gen->Double());
    case Kind::kText: return TestValue::Text(gen->Text().substr(0, 2));
    case Kind::kBlob: return TestValue::Blob(gen->Text());
    case Kind::kBool: return TestValue::Bool(gen->Range(0, 1) != 0);
    case Kind::kDate: return TestValue::Date(static_cast<int32_t>(gen->Range(-2, 2)));
    default:
      return TestValue::Ts(gen->OneIn(2) ? gen->Range(-2, 2) : static_cast<int64_t>(gen->Bits()));
  }
}

TEST(KeyEncodingPropertyTest, CompositeKeysMatchLexicographicOrder) {
  Gen gen(31337);
  for (int schema_index = 0; schema_index < 40; ++schema_index) {
    const Schema schema = RandomSchema(&gen);
    std::vector<std::vector<TestValue>> rows;
    std::vector<std::string> keys;
    for (int i = 0; i < 150; ++i) {
      std::vector<TestValue> row;
      for (auto kind : schema.kinds) row.push_back(RandomValue(&gen, kind));
      keys.push_back(EncodeRow(row, schema.cols));
      rows.push_back(std::move(row));
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t j = 0; j < rows.size(); ++j) {
        const int expected = RefCompareRows(rows[i], rows[j], schema.cols);
        ASSERT_EQ(CompareBytes(keys[i], keys[j]), expected)
            << "schema " << schema_index << " rows " << i << "," << j << "\n  " << Hex(keys[i])
            << "\n  " << Hex(keys[j]);
      }
    }
  }
}

// Re-encodes a decoded column; NULL's tag depends on the null order, which
// the decoder does not report, so both placements are tried.
bool ReencodesTo(const KeyValue& v, SortOrder order, const std::string& expected) {
  KeyEncoder encoder;
  switch (v.type) {
    case KeyValueType::kNull: {
      KeyEncoder other;
      other.AddNull(order, NullOrder::kNullsFirst);
      encoder.AddNull(order, NullOrder::kNullsLast);
      return other.buffer() == expected || encoder.buffer() == expected;
    }
    case KeyValueType::kBool: encoder.AddBool(v.bool_value, order); break;
    case KeyValueType::kNumeric:
      if (!encoder.AddDecimal(v.bytes, order).ok()) return false;
      break;
    case KeyValueType::kText: encoder.AddText(v.bytes, order); break;
    case KeyValueType::kBlob: encoder.AddBlob(v.bytes, order); break;
    case KeyValueType::kDate: encoder.AddDate(static_cast<int32_t>(v.int_value), order); break;
    case KeyValueType::kTimestamp: encoder.AddTimestamp(v.int_value, order); break;
  }
  return encoder.buffer() == expected;
}

TEST(KeyDecoderPropertyTest, RoundTrip) {
  Gen gen(4242);
  for (int i = 0; i < 3000; ++i) {
    const TestValue value = gen.OneIn(2)
                                ? gen.Numeric()
                                : RandomValue(&gen, static_cast<TestValue::Kind>(gen.Range(1, 8)));
    const SortOrder order = gen.Range(0, 1) ? kAsc : kDesc;
    const std::string key = Encode(value, {order});
    const KeyValue decoded = DecodeOne(key, order);
    ASSERT_TRUE(ReencodesTo(decoded, order, key)) << value.DebugString() << " " << Hex(key);
    switch (value.kind) {
      case TestValue::Kind::kInt64:
        EXPECT_EQ(decoded.bytes, std::to_string(value.integer));
        EXPECT_EQ(*decoded.NumericAsInt64(), value.integer);
        break;
      case TestValue::Kind::kDouble: {
        Result<double> d = decoded.NumericAsDouble();
        ASSERT_TRUE(d.ok()) << value.DebugString() << " -> " << decoded.bytes;
        if (std::isnan(value.real)) {
          EXPECT_TRUE(std::isnan(*d));
        } else {
          EXPECT_EQ(*d, value.real) << decoded.bytes;  // -0.0 == 0.0 here
        }
        break;
      }
      case TestValue::Kind::kDecimal: EXPECT_EQ(decoded.bytes, *CanonicalDecimal(value.str)); break;
      case TestValue::Kind::kText:
      case TestValue::Kind::kBlob: EXPECT_EQ(decoded.bytes, value.str); break;
      case TestValue::Kind::kDate:
      case TestValue::Kind::kTimestamp: EXPECT_EQ(decoded.int_value, value.integer); break;
      case TestValue::Kind::kBool: EXPECT_EQ(decoded.bool_value, value.integer != 0); break;
      case TestValue::Kind::kNull: EXPECT_EQ(decoded.type, KeyValueType::kNull); break;
    }
  }
}

// Walks `key` column by column; whatever decodes must re-encode to exactly
// the bytes it was decoded from (the decoder accepts only canonical forms).
// Returns the number of decoded columns with a payload (longer than a tag).
int DecodeAndCheck(const std::string& key, const std::vector<SortOrder>& orders) {
  KeyDecoder decoder(key);
  int with_payload = 0;
  for (SortOrder order : orders) {
    const size_t start = decoder.offset();
    Result<KeyValue> value = decoder.Next(order);
    if (!value.ok()) {
      EXPECT_EQ(value.status().code(), StatusCode::kCorruption) << Hex(key);
      break;
    }
    EXPECT_LE(decoder.offset(), key.size());
    EXPECT_TRUE(ReencodesTo(*value, order, key.substr(start, decoder.offset() - start)))
        << Hex(key) << " column at " << start;
    if (decoder.offset() - start > 1) ++with_payload;
  }
  return with_payload;
}

TEST(KeyDecoderPropertyTest, GarbageNeverCrashes) {
  Gen gen(0xBADC0DE);
  const int kTags[] = {0x01, 0x10, 0x11, 0x21, 0x22, 0x23, 0x24,
                       0x25, 0x26, 0x30, 0x38, 0x40, 0x48, 0xFE};
  int with_payload = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string key;
    for (int64_t n = gen.Range(0, 24); n > 0; --n) {
      int byte = static_cast<int>(gen.Range(0, 255));
      if (gen.OneIn(3)) byte = kTags[gen.Range(0, 13)];
      if (gen.OneIn(4)) byte = static_cast<int>(gen.Range(0, 3)) * 0x55 % 256;  // 00 55 AA FF
      if (gen.OneIn(2) && gen.OneIn(2)) byte ^= 0xFF;
      key.push_back(static_cast<char>(byte));
    }
    std::vector<SortOrder> orders;
    for (int c = 0; c < 4; ++c) orders.push_back(gen.Range(0, 1) ? kAsc : kDesc);
    with_payload += DecodeAndCheck(key, orders);
  }
  // The generator is biased towards valid tags so that payload parsing
  // (escapes, exponents, mantissas) is reached, not just tag rejection.
  EXPECT_GT(with_payload, 200);
}

TEST(KeyDecoderPropertyTest, MutatedKeysNeverCrash) {
  Gen gen(555);
  for (int i = 0; i < 5000; ++i) {
    const Schema schema = RandomSchema(&gen);
    std::vector<TestValue> row;
    for (auto kind : schema.kinds) {
      row.push_back(gen.OneIn(3) ? gen.Numeric() : RandomValue(&gen, kind));
    }
    std::string key = EncodeRow(row, schema.cols);
    std::vector<SortOrder> orders;
    for (const Column& col : schema.cols) orders.push_back(col.order);
    ASSERT_TRUE(DecodeKey(key, orders).ok()) << Hex(key);
    DecodeAndCheck(key, orders);
    const auto size = static_cast<int64_t>(key.size());
    switch (gen.Range(0, 2)) {
      case 0: key.resize(static_cast<size_t>(gen.Range(0, size))); break;
      case 1: key[gen.Range(0, size - 1)] ^= static_cast<char>(1 << gen.Range(0, 7)); break;
      default: key.push_back(static_cast<char>(gen.Range(0, 255)));
    }
    DecodeAndCheck(key, orders);
  }
}

}  // namespace
}  // namespace neuroquantum::storage
