// Order-preserving ("memcmp-comparable") encoding of SQL values into B+ tree
// keys. The B+ tree compares keys with memcmp only; this module guarantees
//
//   sign(memcmp(Encode(a), Encode(b))) == sign(SqlCompare(a, b))
//
// for single values and for composite keys (lexicographic by column), with
// per-column ASC/DESC and NULLS FIRST/LAST. The same format is persisted in
// every index page, so the tag bytes below must never change.
// docs/architecture/key_encoding.md has the same specification plus the
// rationale.
//
// FORMAT (all bytes are shown in the *ascending* form; a DESC column stores
// the bitwise complement (x ^ 0xFF) of every byte of its ascending form).
//
// Every column starts with one tag byte (persisted: do not change):
//
//   tag   meaning                        payload
//   ----  -----------------------------  ------------------------------------
//   0x00  reserved, never written        -
//   0x01  NULL, sorts before all values  none
//   0x10  BOOLEAN false                  none
//   0x11  BOOLEAN true                   none
//   0x21  numeric -Infinity              none
//   0x22  numeric, negative finite       ~(exponent, mantissa)  (complemented)
//   0x23  numeric zero (also -0.0)       none
//   0x24  numeric, positive finite       exponent, mantissa
//   0x25  numeric +Infinity              none
//   0x26  numeric NaN (all NaNs)         none
//   0x30  TEXT                           escaped bytes, 0x00 0x01
//   0x38  BLOB                           escaped bytes, 0x00 0x01
//   0x40  DATE                           4 bytes: big-endian (days ^ 0x80000000)
//   0x48  TIMESTAMP                      8 bytes: big-endian (micros ^ 1<<63)
//   0xFE  NULL, sorts after all values   none
//   0xFF  reserved, never written        -
//
// Numerics. INTEGER (int64), DOUBLE and DECIMAL share one encoding, so equal
// values of different types encode to identical bytes (int64 1 == double
// 1.0 == DECIMAL "1.00"). A DOUBLE's value is the decimal given by its
// shortest round-trip representation (std::to_chars, scientific format),
// so double 0.1 equals DECIMAL "0.1" (not 0.1000000000000000055511151231...).
// Doubles keep their order among themselves and compare exactly with int64
// values up to 2^53; beyond that the shortest decimal may differ from the
// binary value (double -2^63 = "-9.223372036854776e18" < INT64_MIN). A finite
// non-zero |value| is normalised to 0.M × 100^E with base-100 digits
// M = m1 m2 ... mk, m1 != 0 and mk != 0 (no leading or trailing zeros):
//
//   exponent E (ordered signed varint, first byte decides the length):
//     0x04..0x07  E < -64:  n = 0x08 - byte (4..1) bytes follow, big-endian
//                 (2^(8n) - 1) - (-E), n minimal
//     0x40..0xC0  -64 <= E <= 64: the byte is 0x80 + E
//     0xF8..0xFB  E > 64:   n = byte - 0xF7 (1..4) bytes follow, big-endian E,
//                 n minimal
//   mantissa: one byte per base-100 digit m_i: 2*m_i + 1 for all but the last,
//     2*m_k for the last (even = terminator). Bytes are in 0x00..0xC7.
//
// For negative numbers the exponent and mantissa bytes (not the tag) are
// complemented, which reverses their order. Limits: at most
// kMaxDecimalDigits significant decimal digits and a scientific exponent
// (position of the leading digit) within ±kMaxDecimalExponent.
//
// TEXT and BLOB: every 0x00 byte of the value is written as 0x00 0xFF, every
// other byte as itself, then the terminator 0x00 0x01. This keeps memcmp
// (= Unicode code point order for UTF-8) order and makes the encoding
// prefix-free: "a" < "a\0" < "ab".
//
// Every column encoding is prefix-free (no encoding is a proper prefix of
// another), which is what makes both concatenation (composite keys) and
// complementing (DESC) order-correct.
//
// NULL placement: the default follows PostgreSQL (NULLS LAST for ASC, NULLS
// FIRST for DESC). Both default to tag 0xFE in the ascending form; explicit
// ASC NULLS FIRST and DESC NULLS LAST use tag 0x01.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"
#include "neuroquantum/status.h"

namespace neuroquantum::storage {

// Per-column sort direction.
enum class SortOrder : uint8_t { kAscending, kDescending };

// Per-column NULL placement. kDefault = PostgreSQL's: NULLS LAST for
// ascending, NULLS FIRST for descending columns.
enum class NullOrder : uint8_t { kDefault, kNullsFirst, kNullsLast };

// Maximum number of significant decimal digits of a numeric key value.
inline constexpr size_t kMaxDecimalDigits = 1000;
// Maximum |scientific exponent| of a numeric key value (1e1000000 is allowed,
// 1e1000001 is not). Doubles (|exp| <= 324) are always in range.
inline constexpr int64_t kMaxDecimalExponent = 1'000'000;

// Builds one (possibly composite) key by appending columns left to right.
//
// Thread safety: not thread-safe; one encoder per thread. Distinct objects
// are independent.
class KeyEncoder {
 public:
  KeyEncoder() = default;
  KeyEncoder(const KeyEncoder&) = default;
  KeyEncoder& operator=(const KeyEncoder&) = default;
  KeyEncoder(KeyEncoder&&) noexcept = default;
  KeyEncoder& operator=(KeyEncoder&&) noexcept = default;

  // Appends a SQL NULL. `nulls` decides where NULL sorts relative to the
  // column's non-NULL values (see NullOrder); all keys of one index column
  // must use the same `order` and `nulls`.
  void AddNull(SortOrder order = SortOrder::kAscending, NullOrder nulls = NullOrder::kDefault);
  void AddBool(bool value, SortOrder order = SortOrder::kAscending);
  void AddInt64(int64_t value, SortOrder order = SortOrder::kAscending);
  // -0.0 encodes as 0; -inf < finite < +inf < NaN; all NaNs are equal.
  void AddDouble(double value, SortOrder order = SortOrder::kAscending);
  // `text` is a decimal literal: [+-]digits[.digits][(e|E)[+-]digits] (at
  // least one mantissa digit; ".5" and "5." are accepted), or, ignoring
  // case, "NaN", "[+-]Infinity", "[+-]inf". No surrounding whitespace.
  // Returns InvalidArgument naming the 0-based byte position of the first
  // bad character, or if the value has more than kMaxDecimalDigits
  // significant digits or its exponent is out of range. On error nothing is
  // appended.
  Status AddDecimal(std::string_view text, SortOrder order = SortOrder::kAscending);
  // UTF-8 text, ordered by bytes (= code points). Any bytes are accepted.
  void AddText(std::string_view value, SortOrder order = SortOrder::kAscending);
  void AddBlob(std::string_view value, SortOrder order = SortOrder::kAscending);
  // Days since 1970-01-01 (negative before).
  void AddDate(int32_t days, SortOrder order = SortOrder::kAscending);
  // Microseconds since 1970-01-01 00:00:00 UTC.
  void AddTimestamp(int64_t micros, SortOrder order = SortOrder::kAscending);

  // Returns the key, or OutOfRange if it is longer than `max_key_bytes`
  // (the message states both sizes). Consumes the encoder.
  Result<std::string> Finish(size_t max_key_bytes) &&;

  // The bytes appended so far.
  const std::string& buffer() const { return buffer_; }
  size_t size_bytes() const { return buffer_.size(); }
  void Clear() { buffer_.clear(); }

 private:
  // Complements buffer_[start..] if `order` is descending.
  void FinishColumn(size_t start, SortOrder order);

  std::string buffer_;
};

// Type of a decoded column. Numerics of all three SQL types decode as
// kNumeric (the encoding does not record which type produced them).
enum class KeyValueType : uint8_t { kNull, kBool, kNumeric, kText, kBlob, kDate, kTimestamp };

// One decoded column value.
//
// Thread safety: value type.
struct KeyValue {
  KeyValueType type = KeyValueType::kNull;
  bool bool_value = false;  // kBool
  int64_t int_value = 0;    // kDate: days; kTimestamp: microseconds
  // kText / kBlob: the raw bytes. kNumeric: the canonical decimal text:
  // "NaN", "Infinity", "-Infinity", "0", or [-]digits with no leading or
  // trailing zeros written plainly ("-12.34", "0.001", "1500") when that
  // needs at most 20 padding zeros, otherwise in scientific notation
  // ("1.5e+30", "-2e-30"). Feeding it to AddDecimal reproduces the bytes.
  std::string bytes;

  // REQUIRES: type == kNumeric (else InvalidArgument).
  // Returns the value as int64 if it is an integer in range, else OutOfRange.
  Result<int64_t> NumericAsInt64() const;
  // Returns the double that encodes to exactly this key value (so NaN and
  // +-Infinity too), else OutOfRange (too many digits or out of range).
  Result<double> NumericAsDouble() const;
};

// Walks an encoded key column by column. Safe on arbitrary bytes: never
// reads outside `key` and reports malformed input as Corruption, including
// non-canonical encodings (which would break the ordering guarantee).
//
// Thread safety: not thread-safe. Borrows `key`, which must outlive the
// decoder.
class KeyDecoder {
 public:
  explicit KeyDecoder(std::string_view key) : key_(key) {}

  // Decodes the next column, which was encoded with `order`.
  // On error the decoder's position is unspecified.
  Result<KeyValue> Next(SortOrder order = SortOrder::kAscending);

  bool AtEnd() const { return pos_ == key_.size(); }
  // Bytes consumed so far.
  size_t offset() const { return pos_; }

 private:
  Status ReadByte(uint8_t mask, uint8_t* byte);
  Status ReadEscaped(uint8_t mask, std::string* out);
  Status ReadNumeric(uint8_t mask, bool negative, std::string* canonical);
  Status ReadExponent(uint8_t mask, int64_t* exponent);
  Status ReadFixed(uint8_t mask, int width_bytes, uint64_t* value);
  Status Error(std::string_view what) const;

  std::string_view key_;
  size_t pos_ = 0;
};

// Decodes a whole key with one column per entry of `orders`. Corruption if
// the key is malformed, has fewer columns, or has trailing bytes.
Result<std::vector<KeyValue>> DecodeKey(std::string_view key, std::span<const SortOrder> orders);

// Returns the canonical text (see KeyValue::bytes) of a decimal literal
// accepted by KeyEncoder::AddDecimal, or its InvalidArgument error.
Result<std::string> CanonicalDecimal(std::string_view text);

}  // namespace neuroquantum::storage
