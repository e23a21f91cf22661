// Numeric scalar functions: ABS, ROUND, CEIL, FLOOR, MOD, POWER, SQRT,
// SIGN, RANDOM. Arguments convert as operands of arithmetic (ToNumber).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "exec/functions.h"
#include "exec/internal/functions_internal.h"

namespace neuroquantum::exec::internal::numeric_fn {

namespace {

Status InvalidPowerError(std::string_view what) {
  return Status::InvalidArgument(what).WithSqlState("2201F");
}

// One digit of SQLite's printf: the integer part of *value, which then
// moves to the next digit. After `*count` significant digits the rest are 0.
char NextDigit(long double* value, int* count) {
  if (*count <= 0) return '0';
  --*count;
  int digit = std::min(static_cast<int>(*value), 9);
  *value = (*value - digit) * 10.0L;
  return static_cast<char>('0' + digit);
}

// `r` printed with `precision` fractional digits the way SQLite's round()
// prints it ("%!.*f"): add half a unit of the last digit plus a relative
// nudge of 3e-16 (so 2.675 rounds up, as written), then take at most 16
// significant digits, truncating. Matching this keeps ROUND on doubles
// equal to SQLite's. REQUIRES: |r| <= 2^52, precision in [1, 30].
std::string FormatLikeSqlite(double r, int precision) {
  std::string out;
  long double value = r;
  if (r < 0) {
    out.push_back('-');
    value = -value;
  }
  static constexpr double kHalfUnits[] = {5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05,
                                          5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10};
  double rounder = kHalfUnits[precision % 10];
  for (int i = precision; i >= 10; i -= 10) rounder *= 1.0e-10;
  double magnitude = static_cast<double>(value);
  uint64_t bits;
  std::memcpy(&bits, &magnitude, sizeof bits);
  int binary_exponent = -1023 + static_cast<int>((bits >> 52) & 0x7ff);
  if (precision + binary_exponent / 3 < 15) rounder += static_cast<double>(value * 3e-16L);
  value += rounder;
  int exponent = 0;  // value = digits * 10^exponent with value in [1, 10)
  if (value > 0) {
    long double scale = 1.0;
    while (value >= 1e10L * scale) {
      scale *= 1e10L;
      exponent += 10;
    }
    while (value >= 10.0L * scale) {
      scale *= 10.0L;
      ++exponent;
    }
    value /= scale;
    while (value < 1e-8L) {
      value *= 1e8L;
      exponent -= 8;
    }
    while (value < 1.0L) {
      value *= 10.0L;
      --exponent;
    }
  }
  int significant = 16;
  if (exponent < 0) {
    out.push_back('0');
  } else {
    for (int e = exponent; e >= 0; --e) out.push_back(NextDigit(&value, &significant));
  }
  out.push_back('.');
  int left = precision;
  for (int e = exponent + 1; e < 0 && left > 0; ++e, --left) out.push_back('0');
  for (; left > 0; --left) out.push_back(NextDigit(&value, &significant));
  return out;
}

double RoundDouble(double r, int64_t digits) {
  if (!(r >= -4503599627370496.0 && r <= 4503599627370496.0)) return r;  // no fraction (or NaN)
  if (digits == 0) return static_cast<double>(static_cast<int64_t>(r + (r < 0 ? -0.5 : 0.5)));
  return std::strtod(FormatLikeSqlite(r, static_cast<int>(digits)).c_str(), nullptr);
}

double AsDouble(const Value& v) {
  if (v.kind() == TypeId::kBigInt) return static_cast<double>(v.integer());
  if (v.kind() == TypeId::kNumeric) return v.numeric().ToDouble();
  return v.dbl();
}

}  // namespace

Result<Value> Abs(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(Value x, ToNumber(args[0], "abs"));
  switch (x.kind()) {
    case TypeId::kBigInt:
      if (x.integer() == std::numeric_limits<int64_t>::min()) return OutOfRangeError("bigint");
      return Value::Integer(x.integer() < 0 ? -x.integer() : x.integer());
    case TypeId::kDouble: return Value::Double(std::fabs(x.dbl()));
    case TypeId::kNumeric: {
      Decimal d = x.numeric();
      if (d.unscaled < 0) d.unscaled = -d.unscaled;
      return Value::Numeric(d);
    }
    default: return x;
  }
}

// ROUND(x[, digits]): half away from zero. Digits below 0 count as 0 and
// above 30 as 30 (SQLite). Integers are returned as they are.
Result<Value> Round(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(Value x, ToNumber(args[0], "round"));
  int64_t digits = 0;
  if (args.size() > 1) {
    NQ_ASSIGN_OR_RETURN(digits, ToIntegerArg(args[1], "round"));
  }
  digits = std::clamp<int64_t>(digits, 0, 30);
  switch (x.kind()) {
    case TypeId::kDouble: return Value::Double(RoundDouble(x.dbl(), digits));
    case TypeId::kNumeric: {
      if (digits >= x.numeric().scale) return x;
      return Value::Numeric(DecimalRoundDown(x.numeric(), static_cast<int>(digits)));
    }
    default: return x;
  }
}

Result<Value> Ceil(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(Value x, ToNumber(args[0], "ceil"));
  if (x.kind() == TypeId::kDouble) return Value::Double(std::ceil(x.dbl()));
  if (x.kind() == TypeId::kNumeric) return Value::Numeric(DecimalCeil(x.numeric()));
  return x;
}

Result<Value> Floor(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(Value x, ToNumber(args[0], "floor"));
  if (x.kind() == TypeId::kDouble) return Value::Double(std::floor(x.dbl()));
  if (x.kind() == TypeId::kNumeric) return Value::Numeric(DecimalFloor(x.numeric()));
  return x;
}

Result<Value> Mod(std::span<const Value> args) { return Arithmetic(ArithOp::kModulo, args[0], args[1]); }

Result<Value> Power(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(Value base, ToNumber(args[0], "power"));
  NQ_ASSIGN_OR_RETURN(Value exponent, ToNumber(args[1], "power"));
  double x = AsDouble(base), y = AsDouble(exponent);
  if (x == 0 && y < 0) return InvalidPowerError("zero raised to a negative power is undefined");
  if (x < 0 && std::isfinite(y) && std::trunc(y) != y) {
    return InvalidPowerError("a negative number raised to a non-integer power yields a complex result");
  }
  return Value::Double(std::pow(x, y));
}

Result<Value> Sqrt(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(Value x, ToNumber(args[0], "sqrt"));
  double d = AsDouble(x);
  if (d < 0) return InvalidPowerError("cannot take square root of a negative number");
  return Value::Double(std::sqrt(d));
}

// SIGN(x): -1, 0 or 1 as an integer, whatever the kind of x (SQLite);
// NULL for NaN.
Result<Value> Sign(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(Value x, ToNumber(args[0], "sign"));
  switch (x.kind()) {
    case TypeId::kBigInt: return Value::Integer(x.integer() < 0 ? -1 : (x.integer() > 0 ? 1 : 0));
    case TypeId::kDouble:
      if (std::isnan(x.dbl())) return Value();
      return Value::Integer(x.dbl() < 0 ? -1 : (x.dbl() > 0 ? 1 : 0));
    case TypeId::kNumeric: {
      Int128 u = x.numeric().unscaled;
      return Value::Integer(u < 0 ? -1 : (u > 0 ? 1 : 0));
    }
    default: return x;
  }
}

Result<Value> Random(std::span<const Value>) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return Value::Integer(static_cast<int64_t>(generator()));
}

}  // namespace neuroquantum::exec::internal::numeric_fn
