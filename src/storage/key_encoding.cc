// Order-preserving key encoding: encoder, decoder and the decimal
// normalisation shared by INTEGER, DOUBLE and DECIMAL. The byte format is
// specified in key_encoding.h and docs/architecture/key_encoding.md.
#include "storage/key_encoding.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace neuroquantum::storage {
namespace {

// Tag bytes in ascending form. Persisted in every index: do not change.
constexpr uint8_t kTagNullLow = 0x01;
constexpr uint8_t kTagFalse = 0x10;
constexpr uint8_t kTagTrue = 0x11;
constexpr uint8_t kTagNegInf = 0x21;
constexpr uint8_t kTagNegative = 0x22;
constexpr uint8_t kTagZero = 0x23;
constexpr uint8_t kTagPositive = 0x24;
constexpr uint8_t kTagPosInf = 0x25;
constexpr uint8_t kTagNaN = 0x26;
constexpr uint8_t kTagText = 0x30;
constexpr uint8_t kTagBlob = 0x38;
constexpr uint8_t kTagDate = 0x40;
constexpr uint8_t kTagTimestamp = 0x48;
constexpr uint8_t kTagNullHigh = 0xFE;

// Base-100 exponent varint. Persisted: do not change.
constexpr int64_t kSmallExponentLimit = 64;   // |E| <= 64 takes one byte
constexpr uint8_t kSmallExponentBias = 0x80;  // byte = 0x80 + E
constexpr uint8_t kLargeNegativeBase = 0x08;  // byte = 0x08 - n, E < -64
constexpr uint8_t kLargePositiveBase = 0xF7;  // byte = 0xF7 + n, E > 64
constexpr int kMaxExponentBytes = 4;

// Mantissa: byte = 2 * digit + (1 if more digits follow). Persisted.
constexpr uint8_t kMaxMantissaByte = 2 * 99 + 1;
// kMaxDecimalDigits digits plus one alignment zero at each end.
constexpr size_t kMaxMantissaBytes = (kMaxDecimalDigits + 2) / 2;

// TEXT/BLOB escaping. Persisted: do not change.
constexpr uint8_t kEscape = 0x00;
constexpr uint8_t kEscapedZero = 0xFF;  // 0x00 0xFF = a 0x00 byte of the value
constexpr uint8_t kTerminator = 0x01;   // 0x00 0x01 = end of value

// Canonical decimal text switches to scientific notation beyond this.
constexpr int64_t kMaxPlainPaddingZeros = 20;
// Exponent digits beyond this value are saturated while parsing; any
// saturated exponent is far outside kMaxDecimalExponent.
constexpr int64_t kExponentSaturation = 1'000'000'000'000'000;

// A numeric value in normalised decimal form.
struct Decimal {
  enum class Kind : uint8_t { kNegInf, kFinite, kPosInf, kNaN };
  Kind kind = Kind::kFinite;
  bool negative = false;  // finite non-zero values only
  std::string digits;     // significant digits, no leading/trailing '0'; empty = 0
  int64_t point = 0;      // value = 0.<digits> × 10^point

  bool operator==(const Decimal&) const = default;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_word[i]) return false;
  }
  return true;
}

Status ParseError(std::string_view text, size_t pos, std::string_view what) {
  std::string msg = "invalid decimal: ";
  if (pos >= text.size()) {
    msg += what.empty() ? "unexpected end of text" : what;
  } else if (what.empty()) {
    auto byte = static_cast<unsigned char>(text[pos]);
    char buf[32];
    if (byte >= 0x20 && byte < 0x7F) {
      std::snprintf(buf, sizeof(buf), "unexpected character '%c'", byte);
    } else {
      std::snprintf(buf, sizeof(buf), "unexpected byte 0x%02X", byte);
    }
    msg += buf;
  } else {
    msg += what;
  }
  msg += " at position " + std::to_string(pos);
  return Status::InvalidArgument(msg);
}

bool ExponentInRange(int64_t point) {
  // The scientific exponent of 0.d1d2... × 10^point is point - 1.
  return point - 1 >= -kMaxDecimalExponent && point - 1 <= kMaxDecimalExponent;
}

// Strips trailing zeros; an all-zero value becomes the canonical zero.
void Normalize(Decimal* value) {
  while (!value->digits.empty() && value->digits.back() == '0') value->digits.pop_back();
  if (value->digits.empty()) *value = Decimal();
}

// Parses the AddDecimal grammar (see key_encoding.h) into *out.
Status ParseDecimal(std::string_view text, Decimal* out) {
  *out = Decimal();
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    negative = text[pos] == '-';
    ++pos;
  }
  std::string_view word = text.substr(pos);
  if (EqualsIgnoreCase(word, "infinity") || EqualsIgnoreCase(word, "inf")) {
    out->kind = negative ? Decimal::Kind::kNegInf : Decimal::Kind::kPosInf;
    return Status::OK();
  }
  if (pos == 0 && EqualsIgnoreCase(word, "nan")) {
    out->kind = Decimal::Kind::kNaN;
    return Status::OK();
  }
  bool any_digit = false;
  int64_t point = 0;
  for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
    any_digit = true;
    if (out->digits.empty() && text[pos] == '0') continue;  // leading zero
    out->digits.push_back(text[pos]);
    ++point;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      any_digit = true;
      if (out->digits.empty() && text[pos] == '0') {
        --point;  // 0.00d: each leading fraction zero moves the point left
      } else {
        out->digits.push_back(text[pos]);
      }
    }
  }
  if (!any_digit) return ParseError(text, pos, pos < text.size() ? "" : "missing digits");
  size_t exponent_pos = 0;
  int64_t exponent = 0;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    exponent_pos = pos++;
    bool exponent_negative = false;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      exponent_negative = text[pos] == '-';
      ++pos;
    }
    const size_t first_digit = pos;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      exponent = std::min(exponent * 10 + (text[pos] - '0'), kExponentSaturation);
    }
    if (pos == first_digit) {
      return ParseError(text, pos, pos < text.size() ? "" : "missing exponent digits");
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (pos != text.size()) return ParseError(text, pos, "");
  out->negative = negative;
  out->point = point + exponent;
  Normalize(out);
  if (out->digits.size() > kMaxDecimalDigits) {
    return Status::InvalidArgument("invalid decimal: " + std::to_string(out->digits.size()) +
                                   " significant digits, the maximum is " +
                                   std::to_string(kMaxDecimalDigits));
  }
  if (!out->digits.empty() && !ExponentInRange(out->point)) {
    return ParseError(text, exponent_pos,
                      "exponent out of range (|exponent| must be <= " +
                          std::to_string(kMaxDecimalExponent) + ")");
  }
  return Status::OK();
}

// Uses the shortest decimal that round-trips to `value` (see key_encoding.h).
Decimal DecimalFromDouble(double value) {
  Decimal out;
  if (std::isnan(value)) {
    out.kind = Decimal::Kind::kNaN;
  } else if (std::isinf(value)) {
    out.kind = value < 0 ? Decimal::Kind::kNegInf : Decimal::Kind::kPosInf;
  } else if (value != 0) {  // -0.0 == 0 stays the canonical zero
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
    assert(ec == std::errc());  // at most 24 chars
    [[maybe_unused]] Status status = ParseDecimal(std::string_view(buf, end - buf), &out);
    assert(status.ok());  // to_chars output is always valid decimal text
  }
  return out;
}

std::string FormatDecimal(const Decimal& value) {
  switch (value.kind) {
    case Decimal::Kind::kNaN: return "NaN";
    case Decimal::Kind::kPosInf: return "Infinity";
    case Decimal::Kind::kNegInf: return "-Infinity";
    case Decimal::Kind::kFinite: break;
  }
  if (value.digits.empty()) return "0";
  std::string out = value.negative ? "-" : "";
  const std::string& digits = value.digits;
  const auto length = static_cast<int64_t>(digits.size());
  const int64_t point = value.point;
  if (point <= 0 && -point <= kMaxPlainPaddingZeros) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (point > 0 && point < length) {
    out.append(digits, 0, static_cast<size_t>(point));
    out += '.';
    out.append(digits, static_cast<size_t>(point));
  } else if (point >= length && point - length <= kMaxPlainPaddingZeros) {
    out += digits;
    out.append(static_cast<size_t>(point - length), '0');
  } else {
    out += digits[0];
    if (length > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += point - 1 < 0 ? "e-" : "e+";
    out += std::to_string(point - 1 < 0 ? 1 - point : point - 1);
  }
  return out;
}

void PutBigEndian(std::string* dst, uint64_t value, int width_bytes) {
  for (int i = width_bytes - 1; i >= 0; --i) {
    dst->push_back(static_cast<char>(static_cast<uint8_t>(value >> (8 * i))));
  }
}

void PutExponent(std::string* dst, int64_t exponent) {
  if (exponent >= -kSmallExponentLimit && exponent <= kSmallExponentLimit) {
    dst->push_back(static_cast<char>(kSmallExponentBias + exponent));
    return;
  }
  const uint64_t magnitude = static_cast<uint64_t>(exponent < 0 ? -exponent : exponent);
  int width_bytes = 1;
  while (width_bytes < 8 && (magnitude >> (8 * width_bytes)) != 0) ++width_bytes;
  assert(width_bytes <= kMaxExponentBytes);  // ExponentInRange() was checked
  if (exponent > 0) {
    dst->push_back(static_cast<char>(kLargePositiveBase + width_bytes));
    PutBigEndian(dst, magnitude, width_bytes);
  } else {
    // Larger magnitudes must sort first: store (2^(8n) - 1) - magnitude.
    dst->push_back(static_cast<char>(kLargeNegativeBase - width_bytes));
    PutBigEndian(dst, ~magnitude, width_bytes);  // low n bytes of ~m
  }
}

// Appends the ascending encoding (tag included) of `value`.
void PutNumeric(std::string* dst, const Decimal& value) {
  switch (value.kind) {
    case Decimal::Kind::kNaN: dst->push_back(static_cast<char>(kTagNaN)); return;
    case Decimal::Kind::kPosInf: dst->push_back(static_cast<char>(kTagPosInf)); return;
    case Decimal::Kind::kNegInf: dst->push_back(static_cast<char>(kTagNegInf)); return;
    case Decimal::Kind::kFinite: break;
  }
  if (value.digits.empty()) {
    dst->push_back(static_cast<char>(kTagZero));
    return;
  }
  dst->push_back(static_cast<char>(value.negative ? kTagNegative : kTagPositive));
  const size_t start = dst->size();
  // 0.d1d2... × 10^P == 0.(0)d1d2... × 100^ceil(P/2): an odd P needs one
  // leading zero so the digits align to base-100 pairs.
  const bool odd = value.point % 2 != 0;
  PutExponent(dst, odd ? (value.point + 1) / 2 : value.point / 2);
  const std::string& digits = value.digits;
  const size_t aligned = digits.size() + (odd ? 1 : 0);
  const size_t pairs = (aligned + 1) / 2;
  auto digit_at = [&](size_t index) -> int {
    if (odd) {
      if (index == 0) return 0;
      --index;
    }
    return index < digits.size() ? digits[index] - '0' : 0;
  };
  for (size_t pair = 0; pair < pairs; ++pair) {
    const int centimal = 10 * digit_at(2 * pair) + digit_at(2 * pair + 1);
    const int more = pair + 1 < pairs ? 1 : 0;
    dst->push_back(static_cast<char>(2 * centimal + more));
  }
  if (value.negative) {
    // Complementing a prefix-free encoding reverses its order.
    for (size_t i = start; i < dst->size(); ++i) (*dst)[i] = static_cast<char>(~(*dst)[i]);
  }
}

// PutNumeric(dst, DecimalFromInt64(value)) without the digit string: the
// digits aligned to base-100 pairs are the base-100 digits of the
// magnitude, the exponent is their count, and trailing zero pairs go.
void PutInt64Numeric(std::string* dst, int64_t value) {
  if (value == 0) {
    dst->push_back(static_cast<char>(kTagZero));
    return;
  }
  const bool negative = value < 0;
  // 0 - x in uint64 is well defined for INT64_MIN.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  uint8_t centimals[10];  // least significant first; 2^64 < 100^10
  int count = 0;
  while (magnitude != 0) {
    centimals[count++] = static_cast<uint8_t>(magnitude % 100);
    magnitude /= 100;
  }
  int low = 0;  // trailing zero pairs are not stored
  while (centimals[low] == 0) ++low;
  char out[2 + 10];
  size_t n = 0;
  out[n++] = static_cast<char>(negative ? kTagNegative : kTagPositive);
  static_assert(10 <= kSmallExponentLimit, "an int64 exponent takes the one-byte form");
  out[n++] = static_cast<char>(kSmallExponentBias + count);
  for (int i = count - 1; i >= low; --i) out[n++] = static_cast<char>(2 * centimals[i] + (i > low ? 1 : 0));
  if (negative) {
    // Complementing a prefix-free encoding reverses its order.
    for (size_t i = 1; i < n; ++i) out[i] = static_cast<char>(~out[i]);
  }
  dst->append(out, n);
}

void PutEscaped(std::string* dst, uint8_t tag, std::string_view value) {
  dst->push_back(static_cast<char>(tag));
  for (char c : value) {
    dst->push_back(c);
    if (c == static_cast<char>(kEscape)) dst->push_back(static_cast<char>(kEscapedZero));
  }
  dst->push_back(static_cast<char>(kEscape));
  dst->push_back(static_cast<char>(kTerminator));
}

}  // namespace

// ---------------------------------------------------------------- encoder

void KeyEncoder::FinishColumn(size_t start, SortOrder order) {
  if (order != SortOrder::kDescending) return;
  for (size_t i = start; i < buffer_.size(); ++i) buffer_[i] = static_cast<char>(~buffer_[i]);
}

void KeyEncoder::AddNull(SortOrder order, NullOrder nulls) {
  // In ascending form NULL is high unless it must end up first in an ASC
  // column or last in a DESC column (complementing flips high and low).
  const bool low = (order == SortOrder::kAscending && nulls == NullOrder::kNullsFirst) ||
                   (order == SortOrder::kDescending && nulls == NullOrder::kNullsLast);
  const size_t start = buffer_.size();
  buffer_.push_back(static_cast<char>(low ? kTagNullLow : kTagNullHigh));
  FinishColumn(start, order);
}

void KeyEncoder::AddBool(bool value, SortOrder order) {
  const size_t start = buffer_.size();
  buffer_.push_back(static_cast<char>(value ? kTagTrue : kTagFalse));
  FinishColumn(start, order);
}

void KeyEncoder::AddInt64(int64_t value, SortOrder order) {
  const size_t start = buffer_.size();
  PutInt64Numeric(&buffer_, value);
  FinishColumn(start, order);
}

void KeyEncoder::AddDouble(double value, SortOrder order) {
  const size_t start = buffer_.size();
  PutNumeric(&buffer_, DecimalFromDouble(value));
  FinishColumn(start, order);
}

Status KeyEncoder::AddDecimal(std::string_view text, SortOrder order) {
  Decimal value;
  NQ_RETURN_IF_ERROR(ParseDecimal(text, &value));
  const size_t start = buffer_.size();
  PutNumeric(&buffer_, value);
  FinishColumn(start, order);
  return Status::OK();
}

void KeyEncoder::AddText(std::string_view value, SortOrder order) {
  const size_t start = buffer_.size();
  PutEscaped(&buffer_, kTagText, value);
  FinishColumn(start, order);
}

void KeyEncoder::AddBlob(std::string_view value, SortOrder order) {
  const size_t start = buffer_.size();
  PutEscaped(&buffer_, kTagBlob, value);
  FinishColumn(start, order);
}

void KeyEncoder::AddDate(int32_t days, SortOrder order) {
  const size_t start = buffer_.size();
  buffer_.push_back(static_cast<char>(kTagDate));
  // Flipping the sign bit maps two's complement order onto unsigned order.
  PutBigEndian(&buffer_, static_cast<uint32_t>(days) ^ 0x80000000u, 4);
  FinishColumn(start, order);
}

void KeyEncoder::AddTimestamp(int64_t micros, SortOrder order) {
  const size_t start = buffer_.size();
  buffer_.push_back(static_cast<char>(kTagTimestamp));
  PutBigEndian(&buffer_, static_cast<uint64_t>(micros) ^ (uint64_t{1} << 63), 8);
  FinishColumn(start, order);
}

Result<std::string> KeyEncoder::Finish(size_t max_key_bytes) && {
  if (buffer_.size() > max_key_bytes) {
    return Status::OutOfRange("encoded key is " + std::to_string(buffer_.size()) +
                              " bytes, which exceeds the limit of " +
                              std::to_string(max_key_bytes) + " bytes");
  }
  return std::move(buffer_);
}

// ---------------------------------------------------------------- decoder

Status KeyDecoder::Error(std::string_view what) const {
  return Status::Corruption("key decode at offset " + std::to_string(pos_) + ": " +
                            std::string(what));
}

Status KeyDecoder::ReadByte(uint8_t mask, uint8_t* byte) {
  if (pos_ >= key_.size()) return Error("truncated key");
  *byte = static_cast<uint8_t>(key_[pos_++]) ^ mask;
  return Status::OK();
}

Status KeyDecoder::ReadFixed(uint8_t mask, int width_bytes, uint64_t* value) {
  *value = 0;
  for (int i = 0; i < width_bytes; ++i) {
    uint8_t byte = 0;
    NQ_RETURN_IF_ERROR(ReadByte(mask, &byte));
    *value = (*value << 8) | byte;
  }
  return Status::OK();
}

Status KeyDecoder::ReadEscaped(uint8_t mask, std::string* out) {
  for (;;) {
    uint8_t byte = 0;
    NQ_RETURN_IF_ERROR(ReadByte(mask, &byte));
    if (byte != kEscape) {
      out->push_back(static_cast<char>(byte));
      continue;
    }
    NQ_RETURN_IF_ERROR(ReadByte(mask, &byte));
    if (byte == kTerminator) return Status::OK();
    if (byte != kEscapedZero) return Error("bad escape sequence in text/blob");
    out->push_back(static_cast<char>(kEscape));
  }
}

Status KeyDecoder::ReadExponent(uint8_t mask, int64_t* exponent) {
  uint8_t first = 0;
  NQ_RETURN_IF_ERROR(ReadByte(mask, &first));
  if (first >= kSmallExponentBias - kSmallExponentLimit &&
      first <= kSmallExponentBias + kSmallExponentLimit) {
    *exponent = int64_t{first} - kSmallExponentBias;
    return Status::OK();
  }
  int width_bytes = 0;
  bool positive = false;
  if (first > kLargePositiveBase && first <= kLargePositiveBase + kMaxExponentBytes) {
    width_bytes = first - kLargePositiveBase;
    positive = true;
  } else if (first < kLargeNegativeBase && first >= kLargeNegativeBase - kMaxExponentBytes) {
    width_bytes = kLargeNegativeBase - first;
  } else {
    return Error("bad numeric exponent byte");
  }
  uint64_t raw = 0;
  NQ_RETURN_IF_ERROR(ReadFixed(mask, width_bytes, &raw));
  const uint64_t all_ones = (uint64_t{1} << (8 * width_bytes)) - 1;  // width <= 4
  const uint64_t magnitude = positive ? raw : all_ones - raw;
  const uint64_t minimum =
      width_bytes == 1 ? kSmallExponentLimit + 1 : uint64_t{1} << (8 * (width_bytes - 1));
  if (magnitude < minimum) return Error("non-minimal numeric exponent");
  *exponent = positive ? static_cast<int64_t>(magnitude) : -static_cast<int64_t>(magnitude);
  return Status::OK();
}

Status KeyDecoder::ReadNumeric(uint8_t mask, bool negative, std::string* canonical) {
  // Negative magnitudes are stored complemented on top of the column mask.
  const uint8_t magnitude_mask = negative ? mask ^ 0xFF : mask;
  int64_t exponent = 0;
  NQ_RETURN_IF_ERROR(ReadExponent(magnitude_mask, &exponent));
  Decimal value;
  value.negative = negative;
  for (size_t pair = 0;; ++pair) {
    if (pair == kMaxMantissaBytes) return Error("numeric mantissa too long");
    uint8_t byte = 0;
    NQ_RETURN_IF_ERROR(ReadByte(magnitude_mask, &byte));
    if (byte > kMaxMantissaByte) return Error("numeric mantissa byte out of range");
    const int centimal = byte >> 1;
    const bool last = (byte & 1) == 0;
    if (centimal == 0 && (pair == 0 || last)) return Error("non-normalised numeric mantissa");
    value.digits.push_back(static_cast<char>('0' + centimal / 10));
    value.digits.push_back(static_cast<char>('0' + centimal % 10));
    if (last) break;
  }
  value.point = 2 * exponent;
  if (value.digits.front() == '0') {  // odd decimal point position
    value.digits.erase(0, 1);
    --value.point;
  }
  if (value.digits.back() == '0') value.digits.pop_back();
  if (value.digits.size() > kMaxDecimalDigits) return Error("numeric has too many digits");
  if (!ExponentInRange(value.point)) return Error("numeric exponent out of range");
  *canonical = FormatDecimal(value);
  return Status::OK();
}

Result<KeyValue> KeyDecoder::Next(SortOrder order) {
  const uint8_t mask = order == SortOrder::kDescending ? 0xFF : 0x00;
  uint8_t tag = 0;
  NQ_RETURN_IF_ERROR(ReadByte(mask, &tag));
  KeyValue value;
  uint64_t raw = 0;
  switch (tag) {
    case kTagNullLow:
    case kTagNullHigh: value.type = KeyValueType::kNull; break;
    case kTagFalse:
    case kTagTrue:
      value.type = KeyValueType::kBool;
      value.bool_value = tag == kTagTrue;
      break;
    case kTagNegInf:
    case kTagZero:
    case kTagPosInf:
    case kTagNaN:
      value.type = KeyValueType::kNumeric;
      value.bytes = tag == kTagNegInf   ? "-Infinity"
                    : tag == kTagZero   ? "0"
                    : tag == kTagPosInf ? "Infinity"
                                        : "NaN";
      break;
    case kTagNegative:
    case kTagPositive:
      value.type = KeyValueType::kNumeric;
      NQ_RETURN_IF_ERROR(ReadNumeric(mask, tag == kTagNegative, &value.bytes));
      break;
    case kTagText:
    case kTagBlob:
      value.type = tag == kTagText ? KeyValueType::kText : KeyValueType::kBlob;
      NQ_RETURN_IF_ERROR(ReadEscaped(mask, &value.bytes));
      break;
    case kTagDate:
      value.type = KeyValueType::kDate;
      NQ_RETURN_IF_ERROR(ReadFixed(mask, 4, &raw));
      value.int_value = static_cast<int32_t>(static_cast<uint32_t>(raw) ^ 0x80000000u);
      break;
    case kTagTimestamp:
      value.type = KeyValueType::kTimestamp;
      NQ_RETURN_IF_ERROR(ReadFixed(mask, 8, &raw));
      value.int_value = static_cast<int64_t>(raw ^ (uint64_t{1} << 63));
      break;
    default: {
      --pos_;  // report the offset of the tag itself
      char buf[48];
      std::snprintf(buf, sizeof(buf), "unknown column tag 0x%02X", tag);
      return Error(buf);
    }
  }
  return value;
}

Result<std::vector<KeyValue>> DecodeKey(std::string_view key, std::span<const SortOrder> orders) {
  KeyDecoder decoder(key);
  std::vector<KeyValue> values;
  values.reserve(orders.size());
  for (SortOrder order : orders) {
    NQ_ASSIGN_OR_RETURN(KeyValue value, decoder.Next(order));
    values.push_back(std::move(value));
  }
  if (!decoder.AtEnd()) {
    return Status::Corruption("key decode: " + std::to_string(key.size() - decoder.offset()) +
                              " trailing bytes after " + std::to_string(orders.size()) +
                              " columns");
  }
  return values;
}

Result<std::string> CanonicalDecimal(std::string_view text) {
  Decimal value;
  NQ_RETURN_IF_ERROR(ParseDecimal(text, &value));
  return FormatDecimal(value);
}

// ---------------------------------------------------------------- KeyValue

Result<int64_t> KeyValue::NumericAsInt64() const {
  if (type != KeyValueType::kNumeric) return Status::InvalidArgument("key value is not numeric");
  Decimal value;
  NQ_RETURN_IF_ERROR(ParseDecimal(bytes, &value));
  if (value.kind != Decimal::Kind::kFinite) return Status::OutOfRange(bytes + " is not an integer");
  const auto length = static_cast<int64_t>(value.digits.size());
  if (value.point < length) return Status::OutOfRange(bytes + " is not an integer");
  if (value.point > 19) return Status::OutOfRange(bytes + " is outside the int64 range");
  uint64_t magnitude = 0;  // < 10^19 < 2^64: cannot overflow
  for (int64_t i = 0; i < value.point; ++i) {
    magnitude = magnitude * 10 + (i < length ? static_cast<uint64_t>(value.digits[i] - '0') : 0);
  }
  const uint64_t limit = value.negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return Status::OutOfRange(bytes + " is outside the int64 range");
  // Modular conversion (well defined in C++20) handles INT64_MIN.
  return value.negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

Result<double> KeyValue::NumericAsDouble() const {
  if (type != KeyValueType::kNumeric) return Status::InvalidArgument("key value is not numeric");
  Decimal value;
  NQ_RETURN_IF_ERROR(ParseDecimal(bytes, &value));
  switch (value.kind) {
    case Decimal::Kind::kNaN: return std::numeric_limits<double>::quiet_NaN();
    case Decimal::Kind::kPosInf: return std::numeric_limits<double>::infinity();
    case Decimal::Kind::kNegInf: return -std::numeric_limits<double>::infinity();
    case Decimal::Kind::kFinite: break;
  }
  double result = 0;
  auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), result);
  if (ec != std::errc() || end != bytes.data() + bytes.size() ||
      DecimalFromDouble(result) != value) {
    return Status::OutOfRange(bytes + " is not exactly a double");
  }
  return result;
}

}  // namespace neuroquantum::storage
