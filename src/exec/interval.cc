// Calendar arithmetic and interval text (interval.h).
#include "exec/interval.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "fmt/format.h"

namespace neuroquantum::exec {

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
}

Status DateOutOfRange() { return Status::OutOfRange("date out of range").WithSqlState("22008"); }
Status TimestampOutOfRange() { return Status::OutOfRange("timestamp out of range").WithSqlState("22008"); }
Status IntervalOutOfRange() { return Status::OutOfRange("interval out of range").WithSqlState("22008"); }

bool DateInRange(int64_t days) {
  static const int64_t kLow = DaysFromCivil(kMinYear, 1, 1);
  static const int64_t kHigh = DaysFromCivil(kMaxYear, 12, 31);
  return days >= kLow && days <= kHigh;
}

Result<int32_t> AddMonthsToDate(int32_t days, int64_t months) {
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  if (months > 12 * (kMaxYear - kMinYear + 1) || months < -12 * (kMaxYear - kMinYear + 1)) return DateOutOfRange();
  int64_t total = year * 12 + (month - 1) + months;
  int64_t new_year = total >= 0 ? total / 12 : -((-total + 11) / 12);
  auto new_month = static_cast<unsigned>(total - new_year * 12 + 1);
  if (new_year < kMinYear || new_year > kMaxYear) return DateOutOfRange();
  unsigned new_day = std::min(day, DaysInMonth(new_year, new_month));
  return DaysFromCivil(new_year, new_month, new_day);
}

void SplitTimestamp(int64_t timestamp, int64_t* days, int64_t* micros_of_day) {
  *days = timestamp / kMicrosPerDayI;
  *micros_of_day = timestamp % kMicrosPerDayI;
  if (*micros_of_day < 0) {
    *micros_of_day += kMicrosPerDayI;
    --*days;
  }
}

Result<int64_t> AddIntervalToTimestamp(int64_t timestamp, int64_t months, int64_t micros) {
  int64_t days, time;
  SplitTimestamp(timestamp, &days, &time);
  if (months != 0) {
    if (!DateInRange(days)) return TimestampOutOfRange();
    auto moved = AddMonthsToDate(static_cast<int32_t>(days), months);
    if (!moved.ok()) return TimestampOutOfRange();
    days = *moved;
  }
  int64_t base, out;
  if (__builtin_mul_overflow(days, kMicrosPerDayI, &base) || __builtin_add_overflow(base, time, &base) ||
      __builtin_add_overflow(base, micros, &out)) {
    return TimestampOutOfRange();
  }
  int64_t out_days, rest;
  SplitTimestamp(out, &out_days, &rest);
  if (!DateInRange(out_days)) return TimestampOutOfRange();
  return out;
}

Int128 IntervalLength(int32_t months, int64_t micros) {
  return static_cast<Int128>(months) * 30 * kMicrosPerDayI + micros;
}

namespace {

Status BadInterval(std::string_view text) {
  return Status::InvalidArgument(fmt::format("invalid input syntax for type interval: \"{}\"", text))
      .WithSqlState("22007");
}

Status IntervalFieldRange(std::string_view text) {
  return Status::OutOfRange(fmt::format("interval field value out of range: \"{}\"", text)).WithSqlState("22008");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// A unit: how many months or microseconds one of it is (exactly one of
// the two is non-zero).
struct Unit {
  int64_t months = 0;
  int64_t micros = 0;
};

bool LookupUnit(std::string_view word, Unit* unit) {
  struct Entry {
    std::string_view name;
    int64_t months;
    int64_t micros;
  };
  static constexpr Entry kUnits[] = {
      {"microsecond", 0, 1},          {"microseconds", 0, 1},          {"us", 0, 1},
      {"millisecond", 0, 1000},       {"milliseconds", 0, 1000},       {"ms", 0, 1000},
      {"second", 0, kMicrosPerSecond}, {"seconds", 0, kMicrosPerSecond}, {"sec", 0, kMicrosPerSecond},
      {"secs", 0, kMicrosPerSecond},  {"s", 0, kMicrosPerSecond},      {"minute", 0, kMicrosPerMinute},
      {"minutes", 0, kMicrosPerMinute}, {"min", 0, kMicrosPerMinute},   {"mins", 0, kMicrosPerMinute},
      {"m", 0, kMicrosPerMinute},     {"hour", 0, kMicrosPerHour},     {"hours", 0, kMicrosPerHour},
      {"hr", 0, kMicrosPerHour},      {"hrs", 0, kMicrosPerHour},      {"h", 0, kMicrosPerHour},
      {"day", 0, kMicrosPerDayI},     {"days", 0, kMicrosPerDayI},     {"d", 0, kMicrosPerDayI},
      {"week", 0, 7 * kMicrosPerDayI}, {"weeks", 0, 7 * kMicrosPerDayI}, {"w", 0, 7 * kMicrosPerDayI},
      {"quarter", 3, 0},              {"quarters", 3, 0},
      {"month", 1, 0},                {"months", 1, 0},                {"mon", 1, 0},
      {"mons", 1, 0},                 {"year", 12, 0},                 {"years", 12, 0},
      {"yr", 12, 0},                  {"yrs", 12, 0},                  {"y", 12, 0},
      {"decade", 120, 0},             {"decades", 120, 0},             {"century", 1200, 0},
      {"centuries", 1200, 0},         {"millennium", 12000, 0},        {"millennia", 12000, 0},
      {"millenniums", 12000, 0},
  };
  for (const Entry& e : kUnits) {
    if (e.name == word) {
      unit->months = e.months;
      unit->micros = e.micros;
      return true;
    }
  }
  return false;
}

// Accumulates the parts of an interval being read; Int128 so that a sum
// of in-range parts never wraps before the final range check.
struct Accumulator {
  Int128 months = 0;
  Int128 micros = 0;
  bool overflow = false;

  // Adds sign * (whole + fraction) units.
  void Add(bool negative, int64_t whole, double fraction, const Unit& unit) {
    Int128 m = 0, us = 0;
    if (unit.months != 0) {
      m = static_cast<Int128>(whole) * unit.months;
      double fm = fraction * static_cast<double>(unit.months);
      double whole_fm = std::trunc(fm);
      m += static_cast<Int128>(whole_fm);
      us = static_cast<Int128>(std::llround((fm - whole_fm) * 30 * static_cast<double>(kMicrosPerDayI)));
    } else {
      us = static_cast<Int128>(whole) * unit.micros +
           static_cast<Int128>(std::llround(fraction * static_cast<double>(unit.micros)));
    }
    months += negative ? -m : m;
    micros += negative ? -us : us;
    Int128 limit = static_cast<Int128>(1) << 100;
    if (months > limit || months < -limit || micros > limit || micros < -limit) overflow = true;
  }
};

// Reads [digits][.digits] at *pos; false when there is no digit at all or
// the whole part exceeds 10^15.
bool ReadDecimal(std::string_view s, size_t* pos, int64_t* whole, double* fraction) {
  size_t start = *pos;
  *whole = 0;
  *fraction = 0;
  while (*pos < s.size() && IsDigit(s[*pos])) {
    *whole = *whole * 10 + (s[*pos] - '0');
    if (*whole > 1'000'000'000'000'000) return false;
    ++*pos;
  }
  bool any = *pos > start;
  if (*pos < s.size() && s[*pos] == '.') {
    ++*pos;
    double scale = 0.1;
    while (*pos < s.size() && IsDigit(s[*pos])) {
      *fraction += (s[*pos] - '0') * scale;
      scale /= 10;
      any = true;
      ++*pos;
    }
  }
  return any;
}

// [-]H+:MM[:SS[.ffffff]] starting at *pos (after the sign).
bool ReadClock(std::string_view s, size_t* pos, bool negative, Accumulator* acc, bool* range_error) {
  int64_t hours = 0, minutes = 0, seconds = 0;
  size_t start = *pos;
  while (*pos < s.size() && IsDigit(s[*pos])) {
    hours = hours * 10 + (s[*pos] - '0');
    if (hours > 2'000'000'000) return false;
    ++*pos;
  }
  if (*pos == start || *pos >= s.size() || s[*pos] != ':') return false;
  ++*pos;
  auto two_digits = [&](int64_t* out) {
    size_t b = *pos;
    *out = 0;
    while (*pos < s.size() && IsDigit(s[*pos]) && *pos - b < 2) *out = *out * 10 + (s[(*pos)++] - '0');
    return *pos > b;
  };
  if (!two_digits(&minutes)) return false;
  double fraction = 0;
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
    if (!two_digits(&seconds)) return false;
    if (*pos < s.size() && s[*pos] == '.') {
      int64_t ignored = 0;
      if (!ReadDecimal(s, pos, &ignored, &fraction)) return false;
    }
  }
  if (minutes > 59 || seconds > 59) {
    *range_error = true;
    return false;
  }
  Unit us{0, 1};
  int64_t whole = hours * kMicrosPerHour + minutes * kMicrosPerMinute + seconds * kMicrosPerSecond;
  acc->Add(negative, whole, fraction * kMicrosPerSecond, us);
  return true;
}

Result<Value> Finish(const Accumulator& acc, bool ago, std::string_view text) {
  Int128 months = ago ? -acc.months : acc.months;
  Int128 micros = ago ? -acc.micros : acc.micros;
  if (acc.overflow || months < std::numeric_limits<int32_t>::min() || months > std::numeric_limits<int32_t>::max() ||
      micros < std::numeric_limits<int64_t>::min() || micros > std::numeric_limits<int64_t>::max()) {
    return IntervalFieldRange(text);
  }
  return Value::Interval(static_cast<int32_t>(months), static_cast<int64_t>(micros));
}

// ISO 8601: P[nY][nM][nW][nD][T[nH][nM][nS]], numbers optionally signed
// and fractional.
Result<Value> ParseIso(std::string_view s, std::string_view text) {
  Accumulator acc;
  size_t pos = 1;  // past 'P'
  bool time = false, any = false;
  while (pos < s.size()) {
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(s[pos])));
    if (c == 'T' && !time) {
      time = true;
      ++pos;
      continue;
    }
    bool negative = false;
    if (s[pos] == '-' || s[pos] == '+') negative = s[pos++] == '-';
    int64_t whole;
    double fraction;
    if (!ReadDecimal(s, &pos, &whole, &fraction) || pos >= s.size()) return BadInterval(text);
    char designator = static_cast<char>(std::toupper(static_cast<unsigned char>(s[pos++])));
    Unit unit;
    switch (designator) {
      case 'Y': unit.months = time ? 0 : 12; break;
      case 'M': unit.months = time ? 0 : 1; unit.micros = time ? kMicrosPerMinute : 0; break;
      case 'W': unit.micros = time ? 0 : 7 * kMicrosPerDayI; break;
      case 'D': unit.micros = time ? 0 : kMicrosPerDayI; break;
      case 'H': unit.micros = time ? kMicrosPerHour : 0; break;
      case 'S': unit.micros = time ? kMicrosPerSecond : 0; break;
      default: break;
    }
    if (unit.months == 0 && unit.micros == 0) return BadInterval(text);
    acc.Add(negative, whole, fraction, unit);
    any = true;
  }
  if (!any) return BadInterval(text);
  return Finish(acc, false, text);
}

}  // namespace

Result<Value> ParseInterval(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  if (s.empty()) return BadInterval(text);
  if (s[0] == 'P' || s[0] == 'p') return ParseIso(s, text);
  size_t pos = 0;
  if (s[0] == '@') ++pos;
  Accumulator acc;
  bool ago = false, any = false, clock = false;
  while (true) {
    while (pos < s.size() && IsSpace(s[pos])) ++pos;
    if (pos >= s.size()) break;
    if (ago) return BadInterval(text);  // nothing may follow "ago"
    if (IsAlpha(s[pos])) {
      size_t b = pos;
      while (pos < s.size() && IsAlpha(s[pos])) ++pos;
      std::string word;
      for (size_t i = b; i < pos; ++i) word += Lower(s[i]);
      if (word != "ago" || !any) return BadInterval(text);
      ago = true;
      continue;
    }
    bool negative = false;
    if (s[pos] == '-' || s[pos] == '+') negative = s[pos++] == '-';
    // A clock part: digits followed by ':'.
    size_t look = pos;
    while (look < s.size() && IsDigit(s[look])) ++look;
    if (look < s.size() && look > pos && s[look] == ':') {
      bool range_error = false;
      if (clock || !ReadClock(s, &pos, negative, &acc, &range_error)) {
        return range_error ? IntervalFieldRange(text) : BadInterval(text);
      }
      clock = true;
      any = true;
      continue;
    }
    int64_t whole;
    double fraction;
    if (!ReadDecimal(s, &pos, &whole, &fraction)) {
      return pos < s.size() && IsDigit(s[pos]) ? IntervalFieldRange(text) : BadInterval(text);
    }
    while (pos < s.size() && IsSpace(s[pos])) ++pos;
    Unit unit{0, kMicrosPerSecond};  // a bare number is seconds
    if (pos < s.size() && IsAlpha(s[pos])) {
      size_t b = pos;
      while (pos < s.size() && IsAlpha(s[pos])) ++pos;
      std::string word;
      for (size_t i = b; i < pos; ++i) word += Lower(s[i]);
      if (word == "ago") {
        pos = b;  // "5 ago": seconds, then ago
      } else if (!LookupUnit(word, &unit)) {
        return BadInterval(text);
      }
    }
    acc.Add(negative, whole, fraction, unit);
    any = true;
  }
  if (!any) return BadInterval(text);
  return Finish(acc, ago, text);
}

std::string IntervalText(int32_t months, int64_t micros) {
  std::string out;
  auto part = [&](int64_t n, std::string_view singular, std::string_view plural) {
    if (n == 0) return;
    if (!out.empty()) out += ' ';
    out += fmt::format("{} {}", n, n == 1 ? singular : plural);
  };
  part(months / 12, "year", "years");
  part(months % 12, "mon", "mons");
  int64_t days = micros / kMicrosPerDayI;
  int64_t time = micros % kMicrosPerDayI;
  part(days, "day", "days");
  if (time != 0 || out.empty()) {
    if (!out.empty()) out += ' ';
    uint64_t t = time < 0 ? static_cast<uint64_t>(-time) : static_cast<uint64_t>(time);
    uint64_t seconds = t / kMicrosPerSecond, fraction = t % kMicrosPerSecond;
    out += fmt::format("{}{:02}:{:02}:{:02}", time < 0 ? "-" : "", seconds / 3600, seconds / 60 % 60, seconds % 60);
    if (fraction != 0) {
      std::string f = fmt::format(".{:06}", fraction);
      while (f.back() == '0') f.pop_back();
      out += f;
    }
  }
  return out;
}

}  // namespace neuroquantum::exec
