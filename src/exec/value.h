// Value: one SQL value — NULL or a boolean, integer, floating, exact decimal,
// text, blob, date, time or timestamp — with SQL comparison, casts and the
// canonical text form (docs/adr/0004-qsql-execution.md).
//
// Integers of every width are held as int64 (the column type bounds them on
// write); REAL and DOUBLE as double; NUMERIC as a 128-bit integer scaled by
// 10^scale; DATE as days since 1970-01-01; TIME as microseconds since
// midnight; TIMESTAMP as microseconds since 1970-01-01 00:00:00 (no time
// zone); INTERVAL as months plus microseconds (exec/interval.h). Errors
// carry PostgreSQL's SQLSTATEs: 22003 numeric value out of
// range, 22P02 invalid text representation, 22001 string too long, 22007
// invalid date/time format, 22008 date/time field out of range, 42846
// cannot cast.
//
// Thread safety: value type.
#pragma once

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "exec/types.h"
#include "neuroquantum/result.h"

namespace neuroquantum::exec {

// 128-bit integers are a GCC/Clang extension; __extension__ keeps
// -Wpedantic quiet about it.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// An exact decimal: unscaled / 10^scale, at most 38 digits.
struct Decimal {
  Int128 unscaled = 0;
  uint8_t scale = 0;

  // Parses [+-]digits[.digits][e[+-]digits]. 22P02 if malformed, 22003 if
  // it needs more than 38 digits.
  static Result<Decimal> Parse(std::string_view text);
  // The same number with `scale` digits after the point, rounding half away
  // from zero when digits are dropped. 22003 on overflow.
  Result<Decimal> Rescale(int new_scale) const;
  // Number of significant digits left of the point.
  int IntegerDigits() const;
  // Number of digits of the unscaled integer (0 for zero).
  int Digits() const;
  double ToDouble() const;
  std::string ToString() const;
  // Sign of this - other (-1, 0, 1); exact.
  int Compare(const Decimal& other) const;
};

class Value {
 public:
  Value() : wide_{0, 0} {}  // NULL
  Value(const Value& other) { CopyFrom(other); }
  Value(Value&& other) noexcept { MoveFrom(std::move(other)); }
  Value& operator=(const Value& other) {
    if (this == &other) return *this;
    if (holds_string() && other.holds_string()) {
      CopyHeader(other);
      str_ = other.str_;
      return *this;
    }
    DestroyString();
    CopyFrom(other);
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this == &other) return *this;
    if (holds_string() && other.holds_string()) {
      CopyHeader(other);
      str_ = std::move(other.str_);
      return *this;
    }
    DestroyString();
    MoveFrom(std::move(other));
    return *this;
  }
  ~Value() { DestroyString(); }
  static Value Null() { return Value(); }
  static Value Boolean(bool v) { return OfInt(TypeId::kBoolean, v ? 1 : 0); }
  static Value Integer(int64_t v) { return OfInt(TypeId::kBigInt, v); }
  static Value Double(double v) {
    Value out;
    out.kind_ = TypeId::kDouble;
    out.double_ = v;
    return out;
  }
  static Value Numeric(Decimal v) {
    Value out;
    out.kind_ = TypeId::kNumeric;
    out.scale_ = v.scale;
    const auto bits = static_cast<UInt128>(v.unscaled);
    out.wide_[0] = static_cast<uint64_t>(bits);
    out.wide_[1] = static_cast<uint64_t>(bits >> 64);
    return out;
  }
  static Value Text(std::string v) { return OfString(TypeId::kText, std::move(v)); }
  static Value Blob(std::string v) { return OfString(TypeId::kBlob, std::move(v)); }
  static Value Date(int32_t days) { return OfInt(TypeId::kDate, days); }
  static Value Time(int64_t micros) { return OfInt(TypeId::kTime, micros); }
  static Value Timestamp(int64_t micros) { return OfInt(TypeId::kTimestamp, micros); }
  // An INTERVAL: calendar months and microseconds (days are folded into
  // the microseconds; exec/interval.h).
  static Value Interval(int32_t months, int64_t micros) {
    Value out = OfInt(TypeId::kInterval, micros);
    out.months_ = months;
    return out;
  }
  // In-place forms of Null, OfInt's kinds, Double and Numeric, for loops
  // that overwrite the values of a row.
  void SetNull() {
    if (holds_string()) [[unlikely]] DestroyString();
    kind_ = TypeId::kNull;
    scale_ = 0;
    months_ = 0;
    wide_[0] = wide_[1] = 0;
  }
  void SetInt(TypeId kind, int64_t v) {
    if (holds_string()) [[unlikely]] DestroyString();
    kind_ = kind;
    scale_ = 0;
    months_ = 0;
    int_ = v;
  }
  void SetDouble(double v) {
    if (holds_string()) [[unlikely]] DestroyString();
    kind_ = TypeId::kDouble;
    double_ = v;
  }
  [[gnu::always_inline]] void SetNumeric(const Decimal& v) {
    if (holds_string()) [[unlikely]] DestroyString();
    kind_ = TypeId::kNumeric;
    scale_ = v.scale;
    const auto bits = static_cast<UInt128>(v.unscaled);
    wide_[0] = static_cast<uint64_t>(bits);
    wide_[1] = static_cast<uint64_t>(bits >> 64);
  }
  // Makes this a text (kText) or blob (kBlob) value of `bytes`, reusing
  // the string already held: what decoding rows in a loop wants.
  void AssignString(TypeId kind, std::string_view bytes) {
    if (holds_string()) {
      str_.assign(bytes);
    } else {
      new (&str_) std::string(bytes);
    }
    kind_ = kind;
  }

  // The kind of value held: kNull, kBoolean, kBigInt (all integers),
  // kDouble, kNumeric, kText, kBlob, kDate, kTime, kTimestamp or
  // kInterval.
  TypeId kind() const { return kind_; }
  bool is_null() const { return kind_ == TypeId::kNull; }

  // Accessors; REQUIRES: the matching kind.
  bool boolean() const { return int_ != 0; }
  int64_t integer() const { return int_; }
  double dbl() const { return double_; }
  Decimal numeric() const {
    Decimal d;
    d.unscaled = static_cast<Int128>((static_cast<UInt128>(wide_[1]) << 64) | wide_[0]);
    d.scale = scale_;
    return d;
  }
  // Text or blob bytes; empty for the other kinds.
  const std::string& str() const { return holds_string() ? str_ : EmptyString(); }
  int64_t temporal() const { return int_; }    // days or microseconds
  // A date (as its midnight) or timestamp in microseconds since the epoch;
  // 128 bits, so that no date overflows. REQUIRES: kDate or kTimestamp.
  Int128 EpochMicros() const;
  int32_t months() const { return months_; }  // kInterval; micros in temporal()

  // SQL comparison: nullopt when either side is NULL, else the sign of
  // this - other. Numbers compare by value across integer, floating and
  // decimal; text and blobs bytewise (binary collation); a date with a
  // timestamp as that date's midnight; intervals by their length with
  // 30-day months (exec/interval.h). InvalidArgument
  // (42883) for kinds that do not compare (e.g. a date with a number).
  Result<std::optional<int>> Compare(const Value& other) const;
  // A total order for sorting and grouping: NULL first, then by Compare;
  // values of kinds that do not compare order by kind.
  int SortCompare(const Value& other) const;

  // Converts to `type`. `assignment` (storing into a column) makes a string
  // longer than VARCHAR(n) an error (22001) where an explicit CAST cuts it.
  Result<Value> CastTo(const DataType& type, bool assignment = false) const;

  // Canonical text: integers in decimal, doubles in the shortest form that
  // reads back to the same double ("Infinity", "-Infinity", "NaN"),
  // decimals with their scale, "true"/"false", dates "YYYY-MM-DD", times
  // "HH:MM:SS[.ffffff]", timestamps "YYYY-MM-DD HH:MM:SS[.ffffff]", blobs as
  // "\x" and hex digits, intervals as "1 year 2 mons 3 days 04:05:06"
  // (exec/interval.h). NULL prints as "NULL".
  std::string ToString() const;

 private:
  // The kinds held in int_: booleans, integers, dates, times, timestamps.
  static Value OfInt(TypeId kind, int64_t v) {
    Value out;
    out.kind_ = kind;
    out.int_ = v;
    return out;
  }
  static Value OfString(TypeId kind, std::string v) {
    Value out;
    new (&out.str_) std::string(std::move(v));
    out.kind_ = kind;
    return out;
  }

  bool holds_string() const { return kind_ == TypeId::kText || kind_ == TypeId::kBlob; }
  static const std::string& EmptyString();
  void CopyHeader(const Value& other) {
    kind_ = other.kind_;
    scale_ = other.scale_;
    months_ = other.months_;
  }
  // REQUIRES: no string is held (construction, or after DestroyString).
  // The string is built before the kind says there is one, so a failed
  // allocation leaves a value with nothing to destroy.
  void CopyFrom(const Value& other) {
    if (other.holds_string()) {
      new (&str_) std::string(other.str_);
    } else {
      wide_[0] = other.wide_[0];
      wide_[1] = other.wide_[1];
    }
    CopyHeader(other);
  }
  void MoveFrom(Value&& other) {
    CopyHeader(other);
    if (other.holds_string()) {
      new (&str_) std::string(std::move(other.str_));
    } else {
      wide_[0] = other.wide_[0];
      wide_[1] = other.wide_[1];
    }
  }
  void DestroyString() {
    if (!holds_string()) return;
    str_.~basic_string();
    kind_ = TypeId::kNull;
  }

  // One payload per kind, chosen by kind_: 40 bytes a value, which every
  // row held by a sort, hash table or result multiplies.
  TypeId kind_ = TypeId::kNull;
  uint8_t scale_ = 0;   // kNumeric
  int32_t months_ = 0;  // kInterval
  union {
    int64_t int_;         // booleans, integers, dates, times, timestamps, interval microseconds
    double double_;       // kDouble
    uint64_t wide_[2];    // kNumeric: the unscaled integer, low word first
    std::string str_;     // kText, kBlob
  };
};
static_assert(sizeof(Value) <= 40, "Value grew");

// Calendar helpers (proleptic Gregorian).
int32_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int32_t days, int64_t* year, unsigned* month, unsigned* day);
// Parse "YYYY-MM-DD", "HH:MM:SS[.ffffff]", "YYYY-MM-DD[ T]HH:MM:SS[.ffffff]".
Result<int32_t> ParseDate(std::string_view text);
Result<int64_t> ParseTime(std::string_view text);
Result<int64_t> ParseTimestamp(std::string_view text);

}  // namespace neuroquantum::exec
