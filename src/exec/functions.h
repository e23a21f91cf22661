// Operators, scalar functions and aggregates over Values: the semantics of
// QSQL expressions (docs/reference/qsql.md, "Expressions").
//
// Conventions:
//   - NULL in, NULL out, unless a function says otherwise (COALESCE,
//     IFNULL, CONCAT, ...).
//   - Integer arithmetic is exact; overflow is 22003, never a wrap.
//     Integer division truncates toward zero. Division or modulo by zero is
//     22012.
//   - Integer with floating gives floating; integer or decimal with decimal
//     gives decimal; decimal with floating gives floating.
//   - Text used as a number: arithmetic accepts text that is a whole number
//     literal (" 12 ", "1.5e3"); other text is 22P02. The summing
//     aggregates (SUM, AVG, TOTAL) follow SQLite instead: text counts as
//     its leading numeric prefix, 0 when it has none.
//   - Booleans take part in arithmetic as 0 and 1.
//   - Kinds without arithmetic (blobs) are 42883. Dates take whole days:
//     date +/- integer is a date (22008 past the range), integer + date a
//     date, date - date the integer number of days.
//   - Date/time arithmetic (functions_datetime.cc; PostgreSQL's rules, no
//     time zones): date or timestamp +/- interval is a timestamp (months
//     first, clamped to the month's end, then the microseconds);
//     timestamp - timestamp (or a date, as its midnight) an interval;
//     time +/- interval a time (wrapping at midnight; months ignored);
//     time - time an interval; date + time a timestamp; interval +/-
//     interval, interval * number, number * interval, interval / number
//     (fractional months spill into 30-day months), -interval. Text next
//     to an interval or timestamp reads as a timestamp, next to a time as
//     a time. Results past the range are 22008; other kinds are 42883.
//   - Floating-point results follow IEEE (1e308 * 10 is Infinity, as in
//     SQLite); only division and modulo by zero are errors.
//
// Implementation: functions_arith.cc, functions_decimal.cc,
// functions_string.cc, functions_string_scalar.cc, functions_numeric.cc,
// functions_scalar.cc, aggregates.cc; shared helpers in
// internal/functions_internal.h.
//
// Thread safety: functions are pure, except RANDOM (thread-local
// generator); aggregate states are single-threaded objects.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "exec/value.h"
#include "neuroquantum/result.h"

namespace neuroquantum::exec {

// kModulo on integers takes the sign of the dividend (C); with a floating
// operand it is fmod. kIntegerDivide (DIV) always gives an integer: the
// quotient truncated toward zero, 22003 if it does not fit in 64 bits.
// Decimal results have at most 38 digits (22003); a decimal quotient has
// at least 16 significant digits and no fewer fractional digits than
// either operand, as in PostgreSQL (7.5 / 2.5 = 3.0000000000000000).
enum class ArithOp : uint8_t { kAdd, kSubtract, kMultiply, kDivide, kModulo, kIntegerDivide };

Result<Value> Arithmetic(ArithOp op, const Value& a, const Value& b);
Result<Value> Negate(const Value& v);
// Bitwise operators on integers: &, |, <<, >>, ~ (shifts by >= 64 give 0,
// or -1 for a negative value shifted right; a negative amount shifts the
// other way, as in SQLite). Floating and decimal operands are truncated
// toward zero and clamped to 64 bits, as SQLite does; text converts as for
// arithmetic.
enum class BitOp : uint8_t { kAnd, kOr, kShiftLeft, kShiftRight };
Result<Value> Bitwise(BitOp op, const Value& a, const Value& b);
Result<Value> BitNot(const Value& v);
// a || b: the text forms joined; NULL if either is NULL. Two blobs join
// into a blob.
Result<Value> Concat(const Value& a, const Value& b);

// Truth value of a condition: nullopt for NULL; numbers are true when not
// zero; text converts as a number (SQLite), so 'abc' is false. Dates,
// times and timestamps are true.
std::optional<bool> Truth(const Value& v);

// The numeric value of text under SQLite's rule: its longest leading
// prefix that is a number (after leading spaces), else 0. Integer-valued
// when the prefix has no '.', exponent or overflow, else double.
Value NumericPrefix(std::string_view text);

// LIKE: '%' any run, '_' one character (UTF-8 aware). `escape` makes the
// next character literal; a pattern ending in the escape matches nothing
// (SQLite). `ignore_case` folds ASCII letters only. Malformed UTF-8 bytes
// count as one character each.
bool LikeMatch(std::string_view text, std::string_view pattern,
               std::optional<char32_t> escape, bool ignore_case);
// GLOB: '*', '?', '[...]' classes; case-sensitive. In a class, '^' first
// negates, ']' first is literal, 'a-z' is a range of code points; a class
// without its closing ']' makes the pattern match nothing (SQLite).
bool GlobMatch(std::string_view text, std::string_view pattern);

// Comparison under a collation: "binary" (bytes), "nocase" (ASCII case
// folded) or "rtrim" (trailing spaces ignored); names are case-insensitive
// and apply to two texts, other kinds compare as Value::Compare. Same
// contract as Value::Compare; an unknown collation is 42704.
Result<std::optional<int>> CompareCollated(const Value& a, const Value& b, std::string_view collation);

// Scalar functions, looked up by name (case-insensitive; registered in
// lower case). Registered: length (char_length, character_length), lower,
// upper, substr (substring), trim, ltrim, rtrim, replace, instr, position,
// concat, lpad, rpad, abs, round, ceil (ceiling), floor, mod, power (pow),
// sqrt, sign, random, coalesce, ifnull, nullif, greatest, least, typeof;
// and the date/time functions of functions_datetime.cc: now,
// current_timestamp, localtimestamp, current_date, curdate, current_time,
// curtime, localtime, unix_timestamp, extract, date_part, date_trunc,
// date_add, date_sub, datediff, date_format, strftime, year, month, day,
// dayofmonth, dayofweek, dayofyear, quarter, hour, minute, second, date,
// time.
// Semantics worth knowing:
//   - SUBSTR is SQLite's (1-based, negative start from the end, negative
//     length takes characters before start); blobs count bytes.
//   - INSTR(haystack, needle); POSITION(needle, haystack), which is how the
//     parser passes POSITION(needle IN haystack). Both 1-based, 0 if absent.
//   - LPAD/RPAD cut a longer string to `len` characters (PostgreSQL);
//     len <= 0 gives ''; an empty fill returns the string. Results past
//     256 MiB are 54000 (also REPLACE, CONCAT).
//   - ROUND: digits clamped to [0, 30]; doubles round like SQLite 3.40
//     (half away from zero on the 16-significant-digit decimal form);
//     decimals round half away from zero; integers are returned unchanged.
//   - CEIL/FLOOR keep the kind (decimals get scale 0). SIGN is an integer
//     (-1, 0, 1; NULL for NaN). POWER and SQRT return doubles; 0 to a
//     negative power, a negative base to a fractional power and SQRT of a
//     negative are 2201F.
//   - GREATEST/LEAST skip NULLs; kinds that do not compare are 42883, as
//     is NULLIF on them.
//   - TYPEOF: null, integer, real, text, blob, boolean, numeric, date,
//     time, timestamp, interval.
//   - Date/time functions take dates, timestamps and text read as a
//     timestamp (22007 if it is not one); 42883 for other kinds.
//     EXTRACT(field FROM x) (the parser passes extract('field', x)) and
//     DATE_PART('field', x): year, quarter, month, week (ISO), isoyear,
//     day, hour, minute (integers), second (NUMERIC with 6 decimals, the
//     fraction included), millisecond(s) (NUMERIC, 3 decimals),
//     microsecond(s) (integer, seconds included), dow (0 = Sunday), isodow
//     (7 = Sunday), doy, epoch (seconds; an integer for a date, NUMERIC
//     otherwise); times and intervals take the clock and calendar fields
//     that exist for them (an interval's epoch counts 365.25-day years and
//     30-day months); other fields are 22023. DATE_TRUNC('unit', x):
//     microsecond .. decade of a timestamp (week starts on Monday) as a
//     timestamp; of an interval, an interval. DATE_ADD/DATE_SUB(x,
//     interval or days): MySQL, a date stays a date when the interval is
//     whole days. DATEDIFF(a, b): days a - b. DATE_FORMAT(x, fmt): MySQL
//     specifiers %Y %y %m %c %d %e %H %k %h %I %l %i %s %S %f %j %W %a %w
//     %M %b %p %T %r %%, any other letter prints as itself. STRFTIME(fmt[,
//     x]): SQLite specifiers %Y %m %d %H %M %S %f %j %w %s %%, x may be
//     'now' (the default); another specifier is 22007. YEAR .. SECOND,
//     DAYOFWEEK (1 = Sunday), DAYOFYEAR, QUARTER: integers (MySQL).
//   - Clock functions (NOW, CURRENT_*, LOCAL*, CURDATE, CURTIME,
//     UNIX_TIMESTAMP, STRFTIME) are not deterministic: the executor calls
//     them through CallClockFunction with the time it fixed for the
//     statement, so every call in one statement sees the same instant;
//     `fn` itself reads the wall clock.
// `fn` checks its argument count itself (42883 when wrong) and, when not
// `handles_null`, returns NULL on a NULL argument, so calling it directly
// is safe.
struct ScalarFunction {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number
  // Functions that return non-NULL for NULL input (COALESCE, IFNULL,
  // CONCAT, TYPEOF, ...) set this; the others are skipped on NULL input by
  // the caller, which then returns NULL without calling `fn`.
  bool handles_null;
  bool deterministic;  // false for RANDOM
  Result<Value> (*fn)(std::span<const Value> args);
};
// nullptr when there is no such function.
const ScalarFunction* FindScalarFunction(std::string_view name);
// A trigger's RAISE(): arguments (0) for IGNORE, which fails with
// kRaiseIgnoreState for the trigger runner to catch, or (1, message),
// which fails with SQLSTATE P0001 and the message.
const ScalarFunction* RaiseFunction();
inline constexpr std::string_view kRaiseIgnoreState = "P0IGN";

// Microseconds since 1970-01-01 00:00:00 UTC, now.
int64_t WallClockMicros();
// Whether `f` reads the clock; if so the executor calls it through
// CallClockFunction with the statement's time (microseconds since the
// epoch). CallClockFunction on any other function is `f.fn(args)`.
bool IsClockFunction(const ScalarFunction& f);
Result<Value> CallClockFunction(const ScalarFunction& f, std::span<const Value> args, int64_t now_micros);
// The static result type of a date/time function, kNull when it depends
// on the arguments or `name` is not one.
DataType DateTimeResultType(std::string_view name);

// Aggregate functions: COUNT, SUM, AVG, MIN, MAX, TOTAL, GROUP_CONCAT,
// STRING_AGG. One AggregateState accumulates one group.
//   - SUM: integers give an integer (the running sum is exact; 22003 only
//     if the final sum does not fit), any double gives a double (summed in
//     input order, as SQLite 3.40), decimals a decimal; NULL when there was
//     no non-NULL input. Blobs and date/time kinds are 42883.
//   - AVG: double, NULL on empty input. TOTAL: double, 0.0 on empty input.
//   - MIN/MAX: by Value::SortCompare, NULLs ignored; the first of equal
//     values is kept.
//   - GROUP_CONCAT(x[, sep = ',']), STRING_AGG(x, sep): text forms in input
//     order, NULL x skipped, a NULL separator is empty; NULL when no x was
//     non-NULL.
//   - DISTINCT compares the whole argument list; the first-seen row of
//     equal ones is aggregated.
//   - Add with too few arguments is 42883.
class AggregateState {
 public:
  virtual ~AggregateState() = default;
  // `args` are the argument values for one input row (empty for COUNT(*)).
  virtual Status Add(std::span<const Value> args) = 0;
  virtual Result<Value> Finish() = 0;
  // Bytes held, for the query memory budget.
  virtual size_t memory_usage() const = 0;
};

struct AggregateFunction {
  std::string_view name;
  int min_args;
  int max_args;
  // Makes an empty state; `distinct` drops repeated argument values
  // (by Value::SortCompare equality) before accumulating.
  std::unique_ptr<AggregateState> (*make)(bool distinct);
};
// nullptr when there is no such aggregate. COUNT(*) is "count" with no args.
const AggregateFunction* FindAggregateFunction(std::string_view name);

}  // namespace neuroquantum::exec
