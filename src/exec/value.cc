// Value: construction, comparison, text form.
#include "exec/value.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "exec/interval.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

const std::string& Value::EmptyString() {
  static const std::string* const empty = new std::string();
  return *empty;
}

namespace {

bool IsNumberKind(TypeId k) { return k == TypeId::kBigInt || k == TypeId::kDouble || k == TypeId::kNumeric; }

template <typename T>
int Sign(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Exact comparison of an int64 with a double (no rounding of the integer).
int CompareIntDouble(int64_t i, double d) {
  if (std::isnan(d)) return -1;  // NaN sorts above every number, as in PostgreSQL
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  double t = std::trunc(d);
  auto ti = static_cast<int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  return t < d ? -1 : (t > d ? 1 : 0);
}

int CompareDoubles(double a, double b) {
  // NaN equals NaN and is above everything else (PostgreSQL's order).
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) == std::isnan(b) ? 0 : (std::isnan(a) ? 1 : -1);
  return Sign(a, b);
}

int CompareNumbers(const Value& a, const Value& b) {
  TypeId x = a.kind(), y = b.kind();
  if (x == TypeId::kBigInt && y == TypeId::kBigInt) return Sign(a.integer(), b.integer());
  if (x == TypeId::kDouble || y == TypeId::kDouble) {
    if (x == TypeId::kDouble && y == TypeId::kDouble) return CompareDoubles(a.dbl(), b.dbl());
    if (x == TypeId::kBigInt) return CompareIntDouble(a.integer(), b.dbl());
    if (y == TypeId::kBigInt) return -CompareIntDouble(b.integer(), a.dbl());
    double da = x == TypeId::kDouble ? a.dbl() : a.numeric().ToDouble();
    double db = y == TypeId::kDouble ? b.dbl() : b.numeric().ToDouble();
    return CompareDoubles(da, db);
  }
  Decimal da = x == TypeId::kNumeric ? a.numeric() : Decimal{a.integer(), 0};
  Decimal db = y == TypeId::kNumeric ? b.numeric() : Decimal{b.integer(), 0};
  return da.Compare(db);
}

}  // namespace

Int128 Value::EpochMicros() const {
  return kind_ == TypeId::kDate ? static_cast<Int128>(int_) * kMicrosPerDayI : static_cast<Int128>(int_);
}

Result<std::optional<int>> Value::Compare(const Value& other) const {
  if (is_null() || other.is_null()) return std::optional<int>();
  if (IsNumberKind(kind_) && IsNumberKind(other.kind_)) return std::optional<int>(CompareNumbers(*this, other));
  if ((kind_ == TypeId::kDate && other.kind_ == TypeId::kTimestamp) ||
      (kind_ == TypeId::kTimestamp && other.kind_ == TypeId::kDate)) {
    return std::optional<int>(Sign(EpochMicros(), other.EpochMicros()));
  }
  if (kind_ != other.kind_) {
    return Status::InvalidArgument(fmt::format("cannot compare {} with {}", DataType::Of(kind_).ToString(),
                                               DataType::Of(other.kind_).ToString()))
        .WithSqlState("42883");
  }
  switch (kind_) {
    case TypeId::kBoolean:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp: return std::optional<int>(Sign(int_, other.int_));
    case TypeId::kInterval:
      return std::optional<int>(Sign(IntervalLength(months_, int_), IntervalLength(other.months_, other.int_)));
    case TypeId::kText:
    case TypeId::kBlob: {
      int c = str_.compare(other.str_);
      return std::optional<int>(c < 0 ? -1 : (c > 0 ? 1 : 0));
    }
    default: return Status::Internal("unexpected value kind in comparison");
  }
}

int Value::SortCompare(const Value& other) const {
  if (is_null() || other.is_null()) return is_null() == other.is_null() ? 0 : (is_null() ? -1 : 1);
  // The kinds sorts meet most, without Compare's Result (as Compare orders them).
  if (kind_ == other.kind_) {
    if (kind_ == TypeId::kBigInt) return Sign(int_, other.int_);
    if (kind_ == TypeId::kText || kind_ == TypeId::kBlob) {
      const int c = str_.compare(other.str_);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  auto c = Compare(other);
  if (c.ok()) return **c;
  return Sign(static_cast<int>(kind_), static_cast<int>(other.kind_));
}

namespace {

std::string DoubleText(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, end);
}

std::string FractionText(int64_t micros) {
  if (micros == 0) return "";
  std::string f = fmt::format(".{:06}", micros);
  while (f.back() == '0') f.pop_back();
  return f;
}

std::string TimeText(int64_t micros) {
  int64_t s = micros / 1'000'000;
  return fmt::format("{:02}:{:02}:{:02}{}", s / 3600, s / 60 % 60, s % 60, FractionText(micros % 1'000'000));
}

std::string DateText(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 1) return fmt::format("{:04}-{:02}-{:02} BC", 1 - y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

constexpr int64_t kMicrosPerDay = 86'400'000'000;

}  // namespace

std::string Value::ToString() const {
  switch (kind_) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return int_ != 0 ? "true" : "false";
    case TypeId::kBigInt: return std::to_string(int_);
    case TypeId::kDouble: return DoubleText(double_);
    case TypeId::kNumeric: return numeric().ToString();
    case TypeId::kText: return str_;
    case TypeId::kBlob: {
      std::string out = "\\x";
      for (unsigned char c : str_) out += fmt::format("{:02x}", c);
      return out;
    }
    case TypeId::kDate: return DateText(static_cast<int32_t>(int_));
    case TypeId::kTime: return TimeText(int_);
    case TypeId::kTimestamp: {
      int64_t days = int_ / kMicrosPerDay, rest = int_ % kMicrosPerDay;
      if (rest < 0) {
        rest += kMicrosPerDay;
        --days;
      }
      return DateText(static_cast<int32_t>(days)) + " " + TimeText(rest);
    }
    case TypeId::kInterval: return IntervalText(months_, int_);
    default: return "?";
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date, by counting 400-year
// eras from 0000-03-01 (March-based years put the leap day last).
int32_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  auto year_of_era = static_cast<unsigned>(year - era * 400);                          // [0, 399]
  unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<int32_t>(era * 146097 + static_cast<int64_t>(day_of_era) - 719468);
}

void CivilFromDays(int32_t days, int64_t* year, unsigned* month, unsigned* day) {
  int64_t z = static_cast<int64_t>(days) + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto day_of_era = static_cast<unsigned>(z - era * 146097);
  unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned mp = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(year_of_era) + era * 400 + (*month <= 2 ? 1 : 0);
}

namespace {

Status BadDateTime(std::string_view type, std::string_view text) {
  return Status::InvalidArgument(fmt::format("invalid input syntax for type {}: \"{}\"", type, text))
      .WithSqlState("22007");
}

Status DateTimeRange(std::string_view type, std::string_view text) {
  return Status::OutOfRange(fmt::format("{} field value out of range: \"{}\"", type, text)).WithSqlState("22008");
}

// Reads exactly `width` digits (or, with width 0, one or more).
bool ReadNumber(std::string_view text, size_t* pos, size_t width, int64_t* out) {
  size_t start = *pos;
  int64_t v = 0;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9' && (width == 0 || *pos - start < width)) {
    v = v * 10 + (text[*pos] - '0');
    if (v > 1'000'000'000) return false;
    ++*pos;
  }
  if (*pos == start || (width != 0 && *pos - start != width)) return false;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

Result<int32_t> ParseDateAt(std::string_view text, size_t* pos, std::string_view whole) {
  int64_t y, m, d;
  if (!ReadNumber(text, pos, 0, &y) || !Expect(text, pos, '-') || !ReadNumber(text, pos, 2, &m) ||
      !Expect(text, pos, '-') || !ReadNumber(text, pos, 2, &d)) {
    return BadDateTime("date", whole);
  }
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1 || y > 294276 || m < 1 || m > 12 || d < 1 ||
      d > kDays[m - 1] + ((m == 2 && leap) ? 1 : 0)) {
    return DateTimeRange("date", whole);
  }
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

Result<int64_t> ParseTimeAt(std::string_view text, size_t* pos, std::string_view whole) {
  int64_t h, mi, s = 0, frac = 0;
  if (!ReadNumber(text, pos, 2, &h) || !Expect(text, pos, ':') || !ReadNumber(text, pos, 2, &mi)) {
    return BadDateTime("time", whole);
  }
  if (*pos < text.size() && text[*pos] == ':') {
    ++*pos;
    if (!ReadNumber(text, pos, 2, &s)) return BadDateTime("time", whole);
    if (*pos < text.size() && text[*pos] == '.') {
      ++*pos;
      size_t start = *pos;
      int digits = 0;
      while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
        if (digits < 6) frac = frac * 10 + (text[*pos] - '0');
        ++digits;
        ++*pos;
      }
      if (*pos == start) return BadDateTime("time", whole);
      for (; digits < 6; ++digits) frac *= 10;
    }
  }
  if (h > 23 || mi > 59 || s > 59) return DateTimeRange("time", whole);
  return ((h * 60 + mi) * 60 + s) * 1'000'000 + frac;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<int32_t> ParseDate(std::string_view text) {
  std::string_view t = Trim(text);
  size_t pos = 0;
  NQ_ASSIGN_OR_RETURN(int32_t days, ParseDateAt(t, &pos, text));
  if (pos != t.size()) return BadDateTime("date", text);
  return days;
}

Result<int64_t> ParseTime(std::string_view text) {
  std::string_view t = Trim(text);
  size_t pos = 0;
  NQ_ASSIGN_OR_RETURN(int64_t micros, ParseTimeAt(t, &pos, text));
  if (pos != t.size()) return BadDateTime("time", text);
  return micros;
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  std::string_view t = Trim(text);
  size_t pos = 0;
  NQ_ASSIGN_OR_RETURN(int32_t days, ParseDateAt(t, &pos, text));
  int64_t micros = 0;
  if (pos < t.size()) {
    if (t[pos] != ' ' && t[pos] != 'T') return BadDateTime("timestamp", text);
    ++pos;
    NQ_ASSIGN_OR_RETURN(micros, ParseTimeAt(t, &pos, text));
  }
  if (pos != t.size()) return BadDateTime("timestamp", text);
  return int64_t{days} * kMicrosPerDay + micros;
}

}  // namespace neuroquantum::exec
