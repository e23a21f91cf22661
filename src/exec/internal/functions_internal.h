// Helpers shared by the files that implement exec/functions.h:
// functions_arith.cc (operators), functions_decimal.cc (exact decimal
// arithmetic), functions_string.cc and functions_numeric.cc (scalar
// functions), functions_scalar.cc (the registry) and aggregates.cc.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "exec/functions.h"
#include "exec/value.h"
#include "neuroquantum/result.h"

namespace neuroquantum::exec::internal {

// Errors with their SQLSTATEs.
Status OutOfRangeError(std::string_view what);          // 22003
Status DivisionByZeroError();                           // 22012
Status UndefinedFunctionError(std::string_view what);   // 42883

// The text form a value takes in string functions and ||: text as is,
// everything else as Value::ToString (the same as CAST(v AS TEXT)).
// REQUIRES: !v.is_null().
std::string TextOf(const Value& v);

// A value as an operand of arithmetic: NULL, an integer, a double or a
// decimal. Booleans become 0 and 1; text must be a whole number literal
// (22P02 otherwise; integer-valued unless it has '.', an exponent or does
// not fit in 64 bits); other kinds are 42883, naming `op`.
Result<Value> ToNumber(const Value& v, std::string_view op);
// The operator's SQL spelling ("+", "DIV", ...), for messages.
std::string_view OpName(ArithOp op);

// Whether `text`, less surrounding white space, is exactly one number (the
// syntax ToNumber accepts); if so, *out is its value.
bool ParseWholeNumber(std::string_view text, Value* out);

// A value as an integer argument (lengths, positions, digits, shifts):
// doubles and decimals are truncated toward zero and clamped to the int64
// range (NaN is 0). Errors as ToNumber. REQUIRES: !v.is_null().
Result<int64_t> ToIntegerArg(const Value& v, std::string_view op);

// Exact decimal arithmetic; results have at most 38 digits (22003 past
// that). Add and Subtract keep the larger scale, Multiply the sum of the
// scales, both reduced (rounding half away from zero) when the integer
// digits need the room. Divide gives at least 16 significant digits and no
// fewer fractional digits than either operand (PostgreSQL's rule). Modulo takes the sign of
// the dividend. Divide and Modulo by zero are 22012.
Result<Decimal> DecimalAdd(const Decimal& a, const Decimal& b);
Result<Decimal> DecimalSubtract(const Decimal& a, const Decimal& b);
Result<Decimal> DecimalMultiply(const Decimal& a, const Decimal& b);
Result<Decimal> DecimalDivide(const Decimal& a, const Decimal& b);
Result<Decimal> DecimalModulo(const Decimal& a, const Decimal& b);
// a / b truncated toward zero to a whole number (scale 0).
Result<Decimal> DecimalIntegerDivide(const Decimal& a, const Decimal& b);
// `d` with `new_scale` fractional digits, rounded half away from zero.
// REQUIRES: 0 <= new_scale <= d.scale. (Unlike Decimal::Rescale, safe when
// all 38 digits are dropped.)
Decimal DecimalRoundDown(const Decimal& d, int new_scale);
// The whole number at or below (floor) or at or above (ceil) `d`.
Decimal DecimalFloor(const Decimal& d);
Decimal DecimalCeil(const Decimal& d);

// Longest string a function builds (LPAD, REPLACE, ...); longer is 54000.
inline constexpr size_t kMaxStringBytes = size_t{1} << 28;
Status StringTooLongError();

// UTF-8. Malformed bytes count as one character each and decode to
// 0x110000 + byte, a value no well-formed sequence produces, so every
// function below is total.
inline constexpr char32_t kMalformedBase = 0x110000;
// Decodes the character at text[*pos] and advances *pos past it.
// REQUIRES: *pos < text.size().
char32_t DecodeUtf8(std::string_view text, size_t* pos);
// Appends the UTF-8 encoding of `c` (malformed bytes as themselves).
void AppendUtf8(char32_t c, std::string* out);
// Number of characters.
size_t Utf8Length(std::string_view text);
// Byte offset of character `index` (text.size() when past the end).
size_t Utf8Offset(std::string_view text, size_t index);

// The scalar functions of each family, registered by functions_scalar.cc.
// Each takes its arguments already checked for count and, unless it
// handles NULL, for NULLs.
using ScalarFn = Result<Value> (*)(std::span<const Value> args);
namespace string_fn {
Result<Value> Length(std::span<const Value> args);
Result<Value> Lower(std::span<const Value> args);
Result<Value> Upper(std::span<const Value> args);
Result<Value> Substr(std::span<const Value> args);
Result<Value> Trim(std::span<const Value> args);
Result<Value> LTrim(std::span<const Value> args);
Result<Value> RTrim(std::span<const Value> args);
Result<Value> Replace(std::span<const Value> args);
Result<Value> Instr(std::span<const Value> args);
Result<Value> Position(std::span<const Value> args);
Result<Value> ConcatAll(std::span<const Value> args);
Result<Value> LPad(std::span<const Value> args);
Result<Value> RPad(std::span<const Value> args);
}  // namespace string_fn
namespace numeric_fn {
Result<Value> Abs(std::span<const Value> args);
Result<Value> Round(std::span<const Value> args);
Result<Value> Ceil(std::span<const Value> args);
Result<Value> Floor(std::span<const Value> args);
Result<Value> Mod(std::span<const Value> args);
Result<Value> Power(std::span<const Value> args);
Result<Value> Sqrt(std::span<const Value> args);
Result<Value> Sign(std::span<const Value> args);
Result<Value> Random(std::span<const Value> args);
}  // namespace numeric_fn

// Date/time functions and operators (functions_datetime.cc).
const ScalarFunction* FindDateTimeFunction(std::string_view name);
// Whether Arithmetic(op, a, b) is date/time arithmetic: a time, timestamp
// or interval on either side.
bool IsDateTimeOperation(const Value& a, const Value& b);
Result<Value> DateTimeArithmetic(ArithOp op, const Value& a, const Value& b);
Result<Value> NegateInterval(const Value& v);

}  // namespace neuroquantum::exec::internal
