// Operators: arithmetic, negation, bitwise, ||, truth values, and the
// conversions of operands they share (functions.h, functions_internal.h).
#include <cmath>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "exec/functions.h"
#include "exec/internal/functions_internal.h"
#include "exec/interval.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace internal {

Status OutOfRangeError(std::string_view what) {
  return Status::OutOfRange(fmt::format("{} out of range", what)).WithSqlState("22003");
}

Status DivisionByZeroError() { return Status::InvalidArgument("division by zero").WithSqlState("22012"); }

Status UndefinedFunctionError(std::string_view what) {
  return Status::InvalidArgument(what).WithSqlState("42883");
}

std::string TextOf(const Value& v) { return v.kind() == TypeId::kText ? v.str() : v.ToString(); }

std::string_view OpName(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: return "+";
    case ArithOp::kSubtract: return "-";
    case ArithOp::kMultiply: return "*";
    case ArithOp::kDivide: return "/";
    case ArithOp::kModulo: return "%";
    case ArithOp::kIntegerDivide: return "DIV";
  }
  return "?";
}

}  // namespace internal

namespace {

using internal::OpName;

using internal::DivisionByZeroError;
using internal::OutOfRangeError;
using internal::UndefinedFunctionError;

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the longest number at the start of `s`:
// [+-] (digits [. digits] | . digits) [(e|E) [+-] digits]; 0 if none.
// *integer says whether it has neither a point nor an exponent.
size_t ScanNumber(std::string_view s, bool* integer) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  bool any_digits = i > start;
  *integer = true;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (any_digits || j > i + 1) {
      any_digits = true;
      *integer = false;
      i = j;
    }
  }
  if (!any_digits) return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    size_t digits = j;
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (j > digits) {
      *integer = false;
      i = j;
    }
  }
  return i;
}

// The value of a scanned number: an integer when it is one and fits, else
// a double (infinite when too large, as SQLite reads it).
Value ConvertNumber(std::string_view number, bool integer) {
  if (integer) {
    std::string_view digits = number;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc() && end == digits.data() + digits.size()) return Value::Integer(v);
  }
  std::string copy(number);  // strtod wants a terminated string
  return Value::Double(std::strtod(copy.c_str(), nullptr));
}

}  // namespace

Value NumericPrefix(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  bool integer = true;
  size_t length = ScanNumber(text, &integer);
  if (length == 0) return Value::Integer(0);
  return ConvertNumber(text.substr(0, length), integer);
}

namespace internal {

// Whether `text`, less surrounding white space, is exactly one number; if
// so, *out is its value.
bool ParseWholeNumber(std::string_view text, Value* out) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  bool integer = true;
  size_t length = ScanNumber(text, &integer);
  if (length == 0 || length != text.size()) return false;
  *out = ConvertNumber(text, integer);
  return true;
}

Result<Value> ToNumber(const Value& v, std::string_view op) {
  switch (v.kind()) {
    case TypeId::kNull:
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kNumeric: return v;
    case TypeId::kBoolean: return Value::Integer(v.boolean() ? 1 : 0);
    case TypeId::kText: {
      Value number;
      if (ParseWholeNumber(v.str(), &number)) return number;
      return Status::InvalidArgument(fmt::format("invalid input syntax for a number: \"{}\"", v.str()))
          .WithSqlState("22P02");
    }
    default:
      return UndefinedFunctionError(
          fmt::format("{} does not apply to type {}", op, DataType::Of(v.kind()).ToString()));
  }
}

Result<int64_t> ToIntegerArg(const Value& v, std::string_view op) {
  NQ_ASSIGN_OR_RETURN(Value number, ToNumber(v, op));
  switch (number.kind()) {
    case TypeId::kBigInt: return number.integer();
    case TypeId::kDouble: {
      double d = std::trunc(number.dbl());
      if (std::isnan(d)) return int64_t{0};
      if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
      if (d >= 9223372036854775808.0) return std::numeric_limits<int64_t>::max();
      return static_cast<int64_t>(d);
    }
    case TypeId::kNumeric: {
      Decimal d = number.numeric().unscaled < 0 ? DecimalCeil(number.numeric()) : DecimalFloor(number.numeric());
      if (d.unscaled < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
      if (d.unscaled > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
      return static_cast<int64_t>(d.unscaled);
    }
    default: return Status::Internal("ToNumber returned a non-number");  // unreachable: v is not NULL
  }
}

}  // namespace internal

namespace {

Result<Value> IntegerArithmetic(ArithOp op, int64_t a, int64_t b) {
  int64_t out = 0;
  switch (op) {
    case ArithOp::kAdd:
      if (__builtin_add_overflow(a, b, &out)) return OutOfRangeError("bigint");
      return Value::Integer(out);
    case ArithOp::kSubtract:
      if (__builtin_sub_overflow(a, b, &out)) return OutOfRangeError("bigint");
      return Value::Integer(out);
    case ArithOp::kMultiply:
      if (__builtin_mul_overflow(a, b, &out)) return OutOfRangeError("bigint");
      return Value::Integer(out);
    case ArithOp::kDivide:
    case ArithOp::kIntegerDivide:
      if (b == 0) return DivisionByZeroError();
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return OutOfRangeError("bigint");
      return Value::Integer(a / b);
    case ArithOp::kModulo:
      if (b == 0) return DivisionByZeroError();
      return Value::Integer(b == -1 ? 0 : a % b);  // INT64_MIN % -1 traps in hardware
  }
  return Status::Internal("unknown arithmetic operator");
}

Result<Value> DoubleArithmetic(ArithOp op, double a, double b) {
  switch (op) {
    case ArithOp::kAdd: return Value::Double(a + b);
    case ArithOp::kSubtract: return Value::Double(a - b);
    case ArithOp::kMultiply: return Value::Double(a * b);
    case ArithOp::kDivide:
      if (b == 0) return DivisionByZeroError();
      return Value::Double(a / b);
    case ArithOp::kModulo:
      if (b == 0) return DivisionByZeroError();
      return Value::Double(std::fmod(a, b));
    case ArithOp::kIntegerDivide: {
      if (b == 0) return DivisionByZeroError();
      double q = std::trunc(a / b);
      if (!(q >= -9223372036854775808.0 && q < 9223372036854775808.0)) return OutOfRangeError("bigint");
      return Value::Integer(static_cast<int64_t>(q));
    }
  }
  return Status::Internal("unknown arithmetic operator");
}

Result<Value> DecimalArithmetic(ArithOp op, const Decimal& a, const Decimal& b) {
  Result<Decimal> out = Decimal{};
  switch (op) {
    case ArithOp::kAdd: out = internal::DecimalAdd(a, b); break;
    case ArithOp::kSubtract: out = internal::DecimalSubtract(a, b); break;
    case ArithOp::kMultiply: out = internal::DecimalMultiply(a, b); break;
    case ArithOp::kDivide: out = internal::DecimalDivide(a, b); break;
    case ArithOp::kModulo: out = internal::DecimalModulo(a, b); break;
    case ArithOp::kIntegerDivide: {
      NQ_ASSIGN_OR_RETURN(Decimal q, internal::DecimalIntegerDivide(a, b));
      if (q.unscaled < std::numeric_limits<int64_t>::min() || q.unscaled > std::numeric_limits<int64_t>::max()) {
        return OutOfRangeError("bigint");
      }
      return Value::Integer(static_cast<int64_t>(q.unscaled));
    }
  }
  if (!out.ok()) return out.status();
  return Value::Numeric(*out);
}

double AsDouble(const Value& v) {
  if (v.kind() == TypeId::kBigInt) return static_cast<double>(v.integer());
  if (v.kind() == TypeId::kNumeric) return v.numeric().ToDouble();
  return v.dbl();
}

Decimal AsDecimal(const Value& v) {
  return v.kind() == TypeId::kNumeric ? v.numeric() : Decimal{v.integer(), 0};
}

// date ± integer days, integer + date, date - date (days between).
Result<Value> DateArithmetic(ArithOp op, const Value& a, const Value& b) {
  if (a.kind() == TypeId::kDate && b.kind() == TypeId::kDate && op == ArithOp::kSubtract) {
    return Value::Integer(a.temporal() - b.temporal());
  }
  bool date_first = a.kind() == TypeId::kDate;
  const Value& date = date_first ? a : b;
  const Value& other = date_first ? b : a;
  bool allowed = op == ArithOp::kAdd || (op == ArithOp::kSubtract && date_first);
  Result<Value> days = allowed ? internal::ToNumber(other, OpName(op)) : Value();
  if (!days.ok()) return days.status();
  if (!allowed || days->kind() != TypeId::kBigInt) {
    return UndefinedFunctionError(fmt::format("operator does not exist: {} {} {}", DataType::Of(a.kind()).ToString(),
                                              OpName(op), DataType::Of(b.kind()).ToString()));
  }
  int64_t result = 0;
  bool overflow = op == ArithOp::kSubtract ? __builtin_sub_overflow(date.temporal(), days->integer(), &result)
                                           : __builtin_add_overflow(date.temporal(), days->integer(), &result);
  if (overflow || !DateInRange(result)) return Status::OutOfRange("date out of range").WithSqlState("22008");
  return Value::Date(static_cast<int32_t>(result));
}

}  // namespace

Result<Value> Arithmetic(ArithOp op, const Value& a, const Value& b) {
  // The common cases first, without converting copies.
  const bool exact_a = a.kind() == TypeId::kBigInt || a.kind() == TypeId::kNumeric;
  const bool exact_b = b.kind() == TypeId::kBigInt || b.kind() == TypeId::kNumeric;
  if (exact_a && exact_b) {
    if (a.kind() == TypeId::kBigInt && b.kind() == TypeId::kBigInt) {
      return IntegerArithmetic(op, a.integer(), b.integer());
    }
    return DecimalArithmetic(op, AsDecimal(a), AsDecimal(b));
  }
  if (a.is_null() || b.is_null()) return Value();
  if (internal::IsDateTimeOperation(a, b)) return internal::DateTimeArithmetic(op, a, b);
  if (a.kind() == TypeId::kDate || b.kind() == TypeId::kDate) return DateArithmetic(op, a, b);
  NQ_ASSIGN_OR_RETURN(Value x, internal::ToNumber(a, OpName(op)));
  NQ_ASSIGN_OR_RETURN(Value y, internal::ToNumber(b, OpName(op)));
  if (x.kind() == TypeId::kBigInt && y.kind() == TypeId::kBigInt) {
    return IntegerArithmetic(op, x.integer(), y.integer());
  }
  if (x.kind() == TypeId::kDouble || y.kind() == TypeId::kDouble) {
    return DoubleArithmetic(op, AsDouble(x), AsDouble(y));
  }
  return DecimalArithmetic(op, AsDecimal(x), AsDecimal(y));
}

Result<Value> Negate(const Value& v) {
  if (v.kind() == TypeId::kInterval) return internal::NegateInterval(v);
  NQ_ASSIGN_OR_RETURN(Value x, internal::ToNumber(v, "unary -"));
  switch (x.kind()) {
    case TypeId::kBigInt:
      if (x.integer() == std::numeric_limits<int64_t>::min()) return OutOfRangeError("bigint");
      return Value::Integer(-x.integer());
    case TypeId::kDouble: return Value::Double(-x.dbl());
    case TypeId::kNumeric: return Value::Numeric(Decimal{-x.numeric().unscaled, x.numeric().scale});
    default: return x;  // NULL
  }
}

namespace {

int64_t Shift(int64_t value, int64_t amount, bool left) {
  if (amount < 0) {  // a negative amount shifts the other way, as in SQLite
    left = !left;
    amount = amount == std::numeric_limits<int64_t>::min() ? 64 : -amount;
  }
  if (amount >= 64) return left || value >= 0 ? 0 : -1;
  if (left) return static_cast<int64_t>(static_cast<uint64_t>(value) << amount);  // bits fall off, no overflow
  return value >> amount;  // arithmetic shift (C++20)
}

}  // namespace

Result<Value> Bitwise(BitOp op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value();
  static constexpr std::string_view kNames[] = {"&", "|", "<<", ">>"};
  std::string_view name = kNames[static_cast<int>(op)];
  NQ_ASSIGN_OR_RETURN(int64_t x, internal::ToIntegerArg(a, name));
  NQ_ASSIGN_OR_RETURN(int64_t y, internal::ToIntegerArg(b, name));
  switch (op) {
    case BitOp::kAnd: return Value::Integer(x & y);
    case BitOp::kOr: return Value::Integer(x | y);
    case BitOp::kShiftLeft: return Value::Integer(Shift(x, y, true));
    case BitOp::kShiftRight: return Value::Integer(Shift(x, y, false));
  }
  return Status::Internal("unknown bitwise operator");
}

Result<Value> BitNot(const Value& v) {
  if (v.is_null()) return Value();
  NQ_ASSIGN_OR_RETURN(int64_t x, internal::ToIntegerArg(v, "~"));
  return Value::Integer(~x);
}

Result<Value> Concat(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value();
  if (a.kind() == TypeId::kBlob && b.kind() == TypeId::kBlob) return Value::Blob(a.str() + b.str());
  return Value::Text(internal::TextOf(a) + internal::TextOf(b));
}

std::optional<bool> Truth(const Value& v) {
  switch (v.kind()) {
    case TypeId::kNull: return std::nullopt;
    case TypeId::kBoolean: return v.boolean();
    case TypeId::kBigInt: return v.integer() != 0;
    case TypeId::kDouble: return v.dbl() != 0;
    case TypeId::kNumeric: return v.numeric().unscaled != 0;
    case TypeId::kText:
    case TypeId::kBlob: return Truth(NumericPrefix(v.str()));
    default: return true;  // dates, times, timestamps are values, never zero
  }
}

}  // namespace neuroquantum::exec
