// Date/time operators and functions (functions.h, "Dates, times and
// intervals"): arithmetic with intervals, timestamps and times, the clock
// functions, EXTRACT/DATE_PART, DATE_TRUNC, DATE_ADD/DATE_SUB, DATEDIFF,
// DATE_FORMAT, STRFTIME and the MySQL field functions (YEAR(), ...).
//
// Every function here takes the statement's time as a second parameter;
// the registry entry (ScalarFunction::fn) passes the wall clock, and the
// executor passes the time it fixed for the statement through
// CallClockFunction.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>

#include "exec/functions.h"
#include "exec/internal/functions_internal.h"
#include "exec/interval.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace {

using internal::UndefinedFunctionError;

// 365.25 days: the year EXTRACT(EPOCH FROM interval) counts, as PostgreSQL.
constexpr int64_t kMicrosPerJulianYear = 31'557'600'000'000;

std::string TypeName(const Value& v) { return DataType::Of(v.kind()).ToString(); }

Status NotApplicable(std::string_view fn, const Value& v) {
  return UndefinedFunctionError(fmt::format("function {}() does not apply to type {}", fn, TypeName(v)));
}

Status BadUnit(std::string_view unit, std::string_view what) {
  return Status::InvalidArgument(fmt::format("unit \"{}\" not supported for {}", unit, what)).WithSqlState("22023");
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A field or unit name in its singular form: "Days" -> "day",
// "microseconds" -> "microsecond".
std::string UnitName(std::string_view text) {
  std::string u = LowerAscii(text);
  while (!u.empty() && u.back() == ' ') u.pop_back();
  while (!u.empty() && u.front() == ' ') u.erase(u.begin());
  if (u == "centuries") return "century";
  if (u == "millennia") return "millennium";
  if (u.size() > 3 && u.back() == 's' && u != "dows") u.pop_back();
  return u;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// A timestamp broken into calendar fields.
struct Civil {
  int64_t days = 0;  // since 1970-01-01
  int64_t year = 0;
  unsigned month = 1, day = 1;
  int64_t micros_of_day = 0;

  int hour() const { return static_cast<int>(micros_of_day / kMicrosPerHour); }
  int minute() const { return static_cast<int>(micros_of_day / kMicrosPerMinute % 60); }
  int second() const { return static_cast<int>(micros_of_day / kMicrosPerSecond % 60); }
  int64_t fraction() const { return micros_of_day % kMicrosPerSecond; }
  int dow() const { return static_cast<int>(FloorMod(days + 4, 7)); }  // 0 = Sunday; 1970-01-01 was a Thursday
  int isodow() const { return dow() == 0 ? 7 : dow(); }
  int doy() const { return static_cast<int>(days - DaysFromCivil(year, 1, 1) + 1); }
  // ISO 8601 week and its year: the week holding the year's first Thursday is week 1.
  void IsoWeek(int64_t* iso_year, int* week) const {
    int64_t thursday = days - (isodow() - 1) + 3;
    int64_t y;
    unsigned m, d;
    CivilFromDays(static_cast<int32_t>(thursday), &y, &m, &d);
    *iso_year = y;
    *week = static_cast<int>((thursday - DaysFromCivil(y, 1, 1)) / 7 + 1);
  }
};

Civil CivilOf(int64_t timestamp) {
  Civil c;
  SplitTimestamp(timestamp, &c.days, &c.micros_of_day);
  CivilFromDays(static_cast<int32_t>(c.days), &c.year, &c.month, &c.day);
  return c;
}

// A date's midnight in microseconds since the epoch; 22008 past the
// timestamp range.
Result<int64_t> DateMicros(int64_t days) {
  int64_t out;
  if (__builtin_mul_overflow(days, kMicrosPerDayI, &out)) return TimestampOutOfRange();
  return out;
}

// A date, timestamp or text (read as a timestamp) as microseconds since the
// epoch. Other kinds are 42883 naming `fn`.
Result<int64_t> TimestampArg(const Value& v, std::string_view fn) {
  switch (v.kind()) {
    case TypeId::kDate: return DateMicros(v.temporal());
    case TypeId::kTimestamp: return v.temporal();
    case TypeId::kText: return ParseTimestamp(v.str());
    default: return NotApplicable(fn, v);
  }
}

// Microseconds since midnight of a time, timestamp, date or text (a
// timestamp, else a time).
Result<int64_t> TimeOfDayArg(const Value& v, std::string_view fn) {
  if (v.kind() == TypeId::kTime) return v.temporal();
  if (v.kind() == TypeId::kText) {
    auto ts = ParseTimestamp(v.str());
    if (!ts.ok()) return ParseTime(v.str());
    return CivilOf(*ts).micros_of_day;
  }
  NQ_ASSIGN_OR_RETURN(int64_t ts, TimestampArg(v, fn));
  return CivilOf(ts).micros_of_day;
}

Result<std::string> TextArg(const Value& v, std::string_view fn) {
  if (v.kind() != TypeId::kText) {
    return UndefinedFunctionError(fmt::format("function {}() takes text here, not {}", fn, TypeName(v)));
  }
  return v.str();
}

Value Seconds6(Int128 micros) { return Value::Numeric(Decimal{micros, 6}); }

// ---- EXTRACT / DATE_PART

Result<Value> ExtractFromTimestamp(const std::string& unit, int64_t ts, bool is_date) {
  Civil c = CivilOf(ts);
  int64_t second_micros = c.micros_of_day % kMicrosPerMinute;
  if (unit == "year") return Value::Integer(c.year);
  if (unit == "quarter") return Value::Integer((c.month - 1) / 3 + 1);
  if (unit == "month") return Value::Integer(c.month);
  if (unit == "day") return Value::Integer(c.day);
  if (unit == "hour") return Value::Integer(c.hour());
  if (unit == "minute") return Value::Integer(c.minute());
  if (unit == "second") return Seconds6(second_micros);
  if (unit == "millisecond") return Value::Numeric(Decimal{second_micros, 3});
  if (unit == "microsecond") return Value::Integer(second_micros);
  if (unit == "dow") return Value::Integer(c.dow());
  if (unit == "isodow") return Value::Integer(c.isodow());
  if (unit == "doy") return Value::Integer(c.doy());
  if (unit == "week" || unit == "isoyear") {
    int64_t iso_year;
    int week;
    c.IsoWeek(&iso_year, &week);
    return Value::Integer(unit == "week" ? week : iso_year);
  }
  if (unit == "epoch") return is_date ? Value::Integer(FloorDiv(ts, kMicrosPerSecond)) : Seconds6(ts);
  return BadUnit(unit, is_date ? "type date" : "type timestamp");
}

Result<Value> ExtractFromTime(const std::string& unit, int64_t t) {
  if (unit == "hour") return Value::Integer(t / kMicrosPerHour);
  if (unit == "minute") return Value::Integer(t / kMicrosPerMinute % 60);
  if (unit == "second") return Seconds6(t % kMicrosPerMinute);
  if (unit == "millisecond") return Value::Numeric(Decimal{t % kMicrosPerMinute, 3});
  if (unit == "microsecond") return Value::Integer(t % kMicrosPerMinute);
  if (unit == "epoch") return Seconds6(t);
  return BadUnit(unit, "type time");
}

Result<Value> ExtractFromInterval(const std::string& unit, const Value& iv) {
  int32_t months = iv.months();
  int64_t micros = iv.temporal();
  int64_t rest = micros % kMicrosPerDayI;
  if (unit == "year") return Value::Integer(months / 12);
  if (unit == "quarter") return Value::Integer(months % 12 / 3 + 1);
  if (unit == "month") return Value::Integer(months % 12);
  if (unit == "day") return Value::Integer(micros / kMicrosPerDayI);
  if (unit == "hour") return Value::Integer(rest / kMicrosPerHour);
  if (unit == "minute") return Value::Integer(rest / kMicrosPerMinute % 60);
  if (unit == "second") return Seconds6(rest % kMicrosPerMinute);
  if (unit == "millisecond") return Value::Numeric(Decimal{rest % kMicrosPerMinute, 3});
  if (unit == "microsecond") return Value::Integer(rest % kMicrosPerMinute);
  if (unit == "epoch") {
    Int128 total = static_cast<Int128>(months / 12) * kMicrosPerJulianYear +
                   static_cast<Int128>(months % 12) * 30 * kMicrosPerDayI + micros;
    return Seconds6(total);
  }
  return BadUnit(unit, "type interval");
}

Result<Value> Extract(std::span<const Value> args, int64_t) {
  NQ_ASSIGN_OR_RETURN(std::string field, TextArg(args[0], "extract"));
  std::string unit = UnitName(field);
  const Value& x = args[1];
  switch (x.kind()) {
    case TypeId::kDate: {
      NQ_ASSIGN_OR_RETURN(int64_t ts, DateMicros(x.temporal()));
      return ExtractFromTimestamp(unit, ts, true);
    }
    case TypeId::kTimestamp: return ExtractFromTimestamp(unit, x.temporal(), false);
    case TypeId::kTime: return ExtractFromTime(unit, x.temporal());
    case TypeId::kInterval: return ExtractFromInterval(unit, x);
    case TypeId::kText: {
      NQ_ASSIGN_OR_RETURN(int64_t ts, ParseTimestamp(x.str()));
      return ExtractFromTimestamp(unit, ts, false);
    }
    default: return NotApplicable("extract", x);
  }
}

// ---- DATE_TRUNC

Result<Value> TruncTimestamp(const std::string& unit, int64_t ts) {
  Civil c = CivilOf(ts);
  int64_t day_start = c.days * kMicrosPerDayI;
  auto from_date = [](int64_t year, unsigned month, unsigned day) -> Result<Value> {
    if (year < kMinYear) return TimestampOutOfRange();
    return Value::Timestamp(int64_t{DaysFromCivil(year, month, day)} * kMicrosPerDayI);
  };
  if (unit == "microsecond") return Value::Timestamp(ts);
  if (unit == "millisecond") return Value::Timestamp(ts - FloorMod(ts, 1000));
  if (unit == "second") return Value::Timestamp(ts - FloorMod(ts, kMicrosPerSecond));
  if (unit == "minute") return Value::Timestamp(ts - FloorMod(ts, kMicrosPerMinute));
  if (unit == "hour") return Value::Timestamp(ts - FloorMod(ts, kMicrosPerHour));
  if (unit == "day") return Value::Timestamp(day_start);
  if (unit == "week") return Value::Timestamp(day_start - (c.isodow() - 1) * kMicrosPerDayI);
  if (unit == "month") return from_date(c.year, c.month, 1);
  if (unit == "quarter") return from_date(c.year, (c.month - 1) / 3 * 3 + 1, 1);
  if (unit == "year") return from_date(c.year, 1, 1);
  if (unit == "decade") return from_date(FloorDiv(c.year, 10) * 10, 1, 1);
  return BadUnit(unit, "DATE_TRUNC of a timestamp");
}

Result<Value> TruncInterval(const std::string& unit, const Value& iv) {
  int32_t months = iv.months();
  int64_t micros = iv.temporal();
  auto keep = [&](int64_t step) { return micros - micros % step; };  // toward zero, as PostgreSQL
  if (unit == "microsecond") return iv;
  if (unit == "millisecond") return Value::Interval(months, keep(1000));
  if (unit == "second") return Value::Interval(months, keep(kMicrosPerSecond));
  if (unit == "minute") return Value::Interval(months, keep(kMicrosPerMinute));
  if (unit == "hour") return Value::Interval(months, keep(kMicrosPerHour));
  if (unit == "day") return Value::Interval(months, keep(kMicrosPerDayI));
  if (unit == "month") return Value::Interval(months, 0);
  if (unit == "quarter") return Value::Interval(months - months % 3, 0);
  if (unit == "year") return Value::Interval(months - months % 12, 0);
  return BadUnit(unit, "DATE_TRUNC of an interval");
}

Result<Value> DateTrunc(std::span<const Value> args, int64_t) {
  NQ_ASSIGN_OR_RETURN(std::string text, TextArg(args[0], "date_trunc"));
  std::string unit = UnitName(text);
  if (args[1].kind() == TypeId::kInterval) return TruncInterval(unit, args[1]);
  NQ_ASSIGN_OR_RETURN(int64_t ts, TimestampArg(args[1], "date_trunc"));
  return TruncTimestamp(unit, ts);
}

// ---- arithmetic helpers shared with the operators

Result<Value> AddToTimestamp(int64_t ts, const Value& iv, bool subtract) {
  int64_t months = iv.months(), micros = iv.temporal();
  if (subtract) {
    months = -months;
    if (micros == std::numeric_limits<int64_t>::min()) return TimestampOutOfRange();
    micros = -micros;
  }
  NQ_ASSIGN_OR_RETURN(int64_t out, AddIntervalToTimestamp(ts, months, micros));
  return Value::Timestamp(out);
}

Result<Value> AddToTime(int64_t t, const Value& iv, bool subtract) {
  // The months of an interval do not move a time of day (PostgreSQL).
  int64_t delta = iv.temporal() % kMicrosPerDayI;
  return Value::Time(FloorMod(subtract ? t - delta : t + delta, kMicrosPerDayI));
}

Result<Value> IntervalSum(const Value& a, const Value& b, bool subtract) {
  int32_t months;
  int64_t micros;
  bool overflow = subtract ? __builtin_sub_overflow(a.months(), b.months(), &months)
                           : __builtin_add_overflow(a.months(), b.months(), &months);
  overflow |= subtract ? __builtin_sub_overflow(a.temporal(), b.temporal(), &micros)
                       : __builtin_add_overflow(a.temporal(), b.temporal(), &micros);
  if (overflow) return IntervalOutOfRange();
  return Value::Interval(months, micros);
}

// interval * factor or interval / factor. Integer factors multiply
// exactly; otherwise fractional months spill into 30-day months of
// microseconds, as in PostgreSQL.
Result<Value> ScaleInterval(const Value& iv, const Value& factor, bool divide) {
  if (factor.kind() == TypeId::kBigInt && !divide) {
    int64_t months, micros;
    if (__builtin_mul_overflow(static_cast<int64_t>(iv.months()), factor.integer(), &months) ||
        months < std::numeric_limits<int32_t>::min() || months > std::numeric_limits<int32_t>::max() ||
        __builtin_mul_overflow(iv.temporal(), factor.integer(), &micros)) {
      return IntervalOutOfRange();
    }
    return Value::Interval(static_cast<int32_t>(months), micros);
  }
  long double f = factor.kind() == TypeId::kBigInt    ? static_cast<long double>(factor.integer())
                  : factor.kind() == TypeId::kDouble ? static_cast<long double>(factor.dbl())
                                                     : static_cast<long double>(factor.numeric().ToDouble());
  if (divide) {
    if (f == 0) return internal::DivisionByZeroError();
    f = 1 / f;
  }
  if (!std::isfinite(static_cast<double>(f))) return IntervalOutOfRange();
  long double months = iv.months() * f;
  long double whole = std::trunc(months);
  long double micros = iv.temporal() * f + (months - whole) * 30 * kMicrosPerDayI;
  micros = std::nearbyint(micros);
  if (whole < std::numeric_limits<int32_t>::min() || whole > std::numeric_limits<int32_t>::max() ||
      micros < -9.2233720368547758e18L || micros > 9.2233720368547758e18L) {
    return IntervalOutOfRange();
  }
  return Value::Interval(static_cast<int32_t>(whole), static_cast<int64_t>(micros));
}

bool IsNumberKind(TypeId k) { return k == TypeId::kBigInt || k == TypeId::kDouble || k == TypeId::kNumeric; }

// Text met by a date/time operand in + or - takes the other operand's kind
// (a timestamp next to an interval); in * and / it is a number.
Result<Value> ReadTextAs(const Value& text, TypeId other) {
  switch (other) {
    case TypeId::kTime: return text.CastTo(DataType::Of(TypeId::kTime));
    case TypeId::kInterval:
    case TypeId::kTimestamp: return text.CastTo(DataType::Of(TypeId::kTimestamp));
    default: return text;
  }
}

// ---- DATE_ADD / DATE_SUB (MySQL)

Result<Value> ShiftDate(std::span<const Value> args, bool subtract, std::string_view fn) {
  Value iv = args[1];
  if (iv.kind() == TypeId::kBigInt) {  // a bare number counts days
    int64_t micros;
    if (__builtin_mul_overflow(iv.integer(), kMicrosPerDayI, &micros)) return DateOutOfRange();
    iv = Value::Interval(0, micros);
  } else if (iv.kind() == TypeId::kText) {
    NQ_ASSIGN_OR_RETURN(iv, ParseInterval(iv.str()));
  } else if (iv.kind() != TypeId::kInterval) {
    return NotApplicable(fn, iv);
  }
  Value x = args[0];
  if (x.kind() == TypeId::kText) {
    auto date = ParseDate(x.str());
    if (date.ok()) {
      x = Value::Date(*date);
    } else {
      NQ_ASSIGN_OR_RETURN(int64_t ts, ParseTimestamp(x.str()));
      x = Value::Timestamp(ts);
    }
  }
  switch (x.kind()) {
    case TypeId::kDate: {
      NQ_ASSIGN_OR_RETURN(int64_t midnight, DateMicros(x.temporal()));
      NQ_ASSIGN_OR_RETURN(Value ts, AddToTimestamp(midnight, iv, subtract));
      // Whole days keep a date a date (MySQL).
      if (iv.temporal() % kMicrosPerDayI == 0) return ts.CastTo(DataType::Of(TypeId::kDate));
      return ts;
    }
    case TypeId::kTimestamp: return AddToTimestamp(x.temporal(), iv, subtract);
    case TypeId::kTime: return AddToTime(x.temporal(), iv, subtract);
    default: return NotApplicable(fn, x);
  }
}

Result<Value> DateAdd(std::span<const Value> args, int64_t) { return ShiftDate(args, false, "date_add"); }
Result<Value> DateSub(std::span<const Value> args, int64_t) { return ShiftDate(args, true, "date_sub"); }

// DATEDIFF(a, b): whole days a - b (MySQL); times of day are ignored.
Result<Value> DateDiff(std::span<const Value> args, int64_t) {
  NQ_ASSIGN_OR_RETURN(int64_t a, TimestampArg(args[0], "datediff"));
  NQ_ASSIGN_OR_RETURN(int64_t b, TimestampArg(args[1], "datediff"));
  return Value::Integer(FloorDiv(a, kMicrosPerDayI) - FloorDiv(b, kMicrosPerDayI));
}

// ---- formatting

constexpr std::string_view kDayNames[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
constexpr std::string_view kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};

std::string YearText(int64_t year, int width) { return fmt::format("{:0{}}", year, width); }

// MySQL's DATE_FORMAT specifiers; an unknown one prints its letter.
Result<Value> DateFormat(std::span<const Value> args, int64_t) {
  NQ_ASSIGN_OR_RETURN(int64_t ts, TimestampArg(args[0], "date_format"));
  std::string format = internal::TextOf(args[1]);
  Civil c = CivilOf(ts);
  int hour12 = c.hour() % 12 == 0 ? 12 : c.hour() % 12;
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    char spec = format[++i];
    switch (spec) {
      case 'Y': out += YearText(c.year, 4); break;
      case 'y': out += fmt::format("{:02}", FloorMod(c.year, 100)); break;
      case 'm': out += fmt::format("{:02}", c.month); break;
      case 'c': out += fmt::format("{}", c.month); break;
      case 'd': out += fmt::format("{:02}", c.day); break;
      case 'e': out += fmt::format("{}", c.day); break;
      case 'H': out += fmt::format("{:02}", c.hour()); break;
      case 'k': out += fmt::format("{}", c.hour()); break;
      case 'h':
      case 'I': out += fmt::format("{:02}", hour12); break;
      case 'l': out += fmt::format("{}", hour12); break;
      case 'i': out += fmt::format("{:02}", c.minute()); break;
      case 's':
      case 'S': out += fmt::format("{:02}", c.second()); break;
      case 'f': out += fmt::format("{:06}", c.fraction()); break;
      case 'j': out += fmt::format("{:03}", c.doy()); break;
      case 'W': out += kDayNames[c.dow()]; break;
      case 'a': out += kDayNames[c.dow()].substr(0, 3); break;
      case 'w': out += fmt::format("{}", c.dow()); break;
      case 'M': out += kMonthNames[c.month - 1]; break;
      case 'b': out += kMonthNames[c.month - 1].substr(0, 3); break;
      case 'p': out += c.hour() < 12 ? "AM" : "PM"; break;
      case 'T': out += fmt::format("{:02}:{:02}:{:02}", c.hour(), c.minute(), c.second()); break;
      case 'r':
        out += fmt::format("{:02}:{:02}:{:02} {}", hour12, c.minute(), c.second(), c.hour() < 12 ? "AM" : "PM");
        break;
      default: out += spec; break;  // %% and unknown letters
    }
  }
  return Value::Text(std::move(out));
}

// SQLite's STRFTIME(format[, time]); the time defaults to 'now'.
Result<Value> Strftime(std::span<const Value> args, int64_t now) {
  std::string format = internal::TextOf(args[0]);
  int64_t ts = now;
  if (args.size() > 1) {
    if (args[1].kind() == TypeId::kText && LowerAscii(args[1].str()) == "now") {
      ts = now;
    } else {
      NQ_ASSIGN_OR_RETURN(ts, TimestampArg(args[1], "strftime"));
    }
  }
  Civil c = CivilOf(ts);
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    char spec = i + 1 < format.size() ? format[++i] : '\0';
    switch (spec) {
      case 'Y': out += YearText(c.year, 4); break;
      case 'm': out += fmt::format("{:02}", c.month); break;
      case 'd': out += fmt::format("{:02}", c.day); break;
      case 'H': out += fmt::format("{:02}", c.hour()); break;
      case 'M': out += fmt::format("{:02}", c.minute()); break;
      case 'S': out += fmt::format("{:02}", c.second()); break;
      case 'f': out += fmt::format("{:02}.{:03}", c.second(), c.fraction() / 1000); break;
      case 'j': out += fmt::format("{:03}", c.doy()); break;
      case 'w': out += fmt::format("{}", c.dow()); break;
      case 's': out += fmt::format("{}", FloorDiv(ts, kMicrosPerSecond)); break;
      case '%': out += '%'; break;
      default:
        return Status::InvalidArgument(spec == '\0' ? std::string("strftime: format ends with %")
                                                     : fmt::format("strftime: unknown conversion \"%{}\"", spec))
            .WithSqlState("22007");
    }
  }
  return Value::Text(std::move(out));
}

// ---- clock

Result<Value> Now(std::span<const Value>, int64_t now) { return Value::Timestamp(now); }
Result<Value> CurrentDate(std::span<const Value>, int64_t now) {
  return Value::Date(static_cast<int32_t>(FloorDiv(now, kMicrosPerDayI)));
}
Result<Value> CurrentTime(std::span<const Value>, int64_t now) {
  return Value::Time(FloorMod(now, kMicrosPerDayI));
}
Result<Value> UnixTimestamp(std::span<const Value> args, int64_t now) {
  int64_t ts = now;
  if (!args.empty()) {
    NQ_ASSIGN_OR_RETURN(ts, TimestampArg(args[0], "unix_timestamp"));
  }
  return Value::Integer(FloorDiv(ts, kMicrosPerSecond));
}

// ---- MySQL field functions

template <int (*kField)(const Civil&)>
Result<Value> DateField(std::span<const Value> args, int64_t) {
  NQ_ASSIGN_OR_RETURN(int64_t ts, TimestampArg(args[0], "date field"));
  return Value::Integer(kField(CivilOf(ts)));
}

int YearOf(const Civil& c) { return static_cast<int>(c.year); }
int MonthOf(const Civil& c) { return static_cast<int>(c.month); }
int DayOf(const Civil& c) { return static_cast<int>(c.day); }
int DayOfWeekOf(const Civil& c) { return c.dow() + 1; }  // 1 = Sunday (MySQL)
int DayOfYearOf(const Civil& c) { return c.doy(); }
int QuarterOf(const Civil& c) { return static_cast<int>((c.month - 1) / 3 + 1); }

template <int64_t kDivisor, int64_t kModulus>
Result<Value> TimeField(std::span<const Value> args, int64_t) {
  NQ_ASSIGN_OR_RETURN(int64_t t, TimeOfDayArg(args[0], "time field"));
  return Value::Integer(t / kDivisor % kModulus);
}

Result<Value> DateOf(std::span<const Value> args, int64_t) {
  if (args[0].kind() == TypeId::kDate) return args[0];
  NQ_ASSIGN_OR_RETURN(int64_t ts, TimestampArg(args[0], "date"));
  return Value::Date(static_cast<int32_t>(FloorDiv(ts, kMicrosPerDayI)));
}

Result<Value> TimeOf(std::span<const Value> args, int64_t) {
  NQ_ASSIGN_OR_RETURN(int64_t t, TimeOfDayArg(args[0], "time"));
  return Value::Time(t);
}

// ---- registry

using DateTimeFn = Result<Value> (*)(std::span<const Value> args, int64_t now);

template <DateTimeFn kFn, int kMin, int kMax>
Result<Value> Checked(std::span<const Value> args, int64_t now) {
  auto count = static_cast<int64_t>(args.size());
  if (count < kMin || (kMax >= 0 && count > kMax)) {
    return UndefinedFunctionError(fmt::format("function called with {} arguments", count));
  }
  for (const Value& v : args) {
    if (v.is_null()) return Value();
  }
  return kFn(args, now);
}

template <DateTimeFn kFn, int kMin, int kMax>
Result<Value> WithWallClock(std::span<const Value> args) {
  return Checked<kFn, kMin, kMax>(args, WallClockMicros());
}

struct Entry {
  ScalarFunction function;
  DateTimeFn call;    // Checked<>: takes the statement's time
  TypeId result;      // the static type, kNull when it depends on the arguments
};

template <DateTimeFn kFn, int kMin, int kMax, bool kClock = false>
constexpr Entry Def(std::string_view name, TypeId result) {
  return Entry{ScalarFunction{name, kMin, kMax, false, !kClock, &WithWallClock<kFn, kMin, kMax>},
               &Checked<kFn, kMin, kMax>, result};
}

constexpr std::array kEntries = {
    Def<Now, 0, 0, true>("now", TypeId::kTimestamp),
    Def<Now, 0, 0, true>("current_timestamp", TypeId::kTimestamp),
    Def<Now, 0, 0, true>("localtimestamp", TypeId::kTimestamp),
    Def<CurrentDate, 0, 0, true>("current_date", TypeId::kDate),
    Def<CurrentDate, 0, 0, true>("curdate", TypeId::kDate),
    Def<CurrentTime, 0, 0, true>("current_time", TypeId::kTime),
    Def<CurrentTime, 0, 0, true>("curtime", TypeId::kTime),
    Def<CurrentTime, 0, 0, true>("localtime", TypeId::kTime),
    Def<UnixTimestamp, 0, 1, true>("unix_timestamp", TypeId::kBigInt),
    Def<Strftime, 1, 2, true>("strftime", TypeId::kText),
    Def<Extract, 2, 2>("extract", TypeId::kNull),
    Def<Extract, 2, 2>("date_part", TypeId::kNull),
    Def<DateTrunc, 2, 2>("date_trunc", TypeId::kNull),
    Def<DateAdd, 2, 2>("date_add", TypeId::kNull),
    Def<DateSub, 2, 2>("date_sub", TypeId::kNull),
    Def<DateDiff, 2, 2>("datediff", TypeId::kBigInt),
    Def<DateFormat, 2, 2>("date_format", TypeId::kText),
    Def<DateField<YearOf>, 1, 1>("year", TypeId::kBigInt),
    Def<DateField<MonthOf>, 1, 1>("month", TypeId::kBigInt),
    Def<DateField<DayOf>, 1, 1>("day", TypeId::kBigInt),
    Def<DateField<DayOf>, 1, 1>("dayofmonth", TypeId::kBigInt),
    Def<DateField<DayOfWeekOf>, 1, 1>("dayofweek", TypeId::kBigInt),
    Def<DateField<DayOfYearOf>, 1, 1>("dayofyear", TypeId::kBigInt),
    Def<DateField<QuarterOf>, 1, 1>("quarter", TypeId::kBigInt),
    Def<TimeField<kMicrosPerHour, 24>, 1, 1>("hour", TypeId::kBigInt),
    Def<TimeField<kMicrosPerMinute, 60>, 1, 1>("minute", TypeId::kBigInt),
    Def<TimeField<kMicrosPerSecond, 60>, 1, 1>("second", TypeId::kBigInt),
    Def<DateOf, 1, 1>("date", TypeId::kDate),
    Def<TimeOf, 1, 1>("time", TypeId::kTime),
};

const Entry* EntryOf(const ScalarFunction& f) {
  for (const Entry& e : kEntries) {
    if (&e.function == &f) return &e;
  }
  return nullptr;
}

bool SameName(std::string_view lower, std::string_view name) {
  return lower.size() == name.size() && std::equal(lower.begin(), lower.end(), name.begin(), [](char a, char b) {
           return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
         });
}

}  // namespace

int64_t WallClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsClockFunction(const ScalarFunction& f) {
  return !f.deterministic && EntryOf(f) != nullptr;
}

Result<Value> CallClockFunction(const ScalarFunction& f, std::span<const Value> args, int64_t now_micros) {
  const Entry* e = EntryOf(f);
  if (e == nullptr) return f.fn(args);
  return e->call(args, now_micros);
}

DataType DateTimeResultType(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (SameName(e.function.name, name)) return DataType::Of(e.result);
  }
  return DataType::Of(TypeId::kNull);
}

namespace internal {

const ScalarFunction* FindDateTimeFunction(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (SameName(e.function.name, name)) return &e.function;
  }
  return nullptr;
}

bool IsDateTimeOperation(const Value& a, const Value& b) {
  auto temporal = [](TypeId k) { return k == TypeId::kTime || k == TypeId::kTimestamp || k == TypeId::kInterval; };
  return temporal(a.kind()) || temporal(b.kind());
}

Result<Value> DateTimeArithmetic(ArithOp op, const Value& a_in, const Value& b_in) {
  Value a = a_in, b = b_in;
  bool scaling = op == ArithOp::kMultiply || op == ArithOp::kDivide;
  if (a.kind() == TypeId::kText) {
    NQ_ASSIGN_OR_RETURN(a, scaling ? ToNumber(a, OpName(op)) : ReadTextAs(a, b.kind()));
  } else if (b.kind() == TypeId::kText) {
    NQ_ASSIGN_OR_RETURN(b, scaling ? ToNumber(b, OpName(op)) : ReadTextAs(b, a.kind()));
  }
  TypeId x = a.kind(), y = b.kind();
  bool add = op == ArithOp::kAdd, sub = op == ArithOp::kSubtract;
  auto instant = [](TypeId k) { return k == TypeId::kDate || k == TypeId::kTimestamp; };
  auto micros_of = [](const Value& v) -> Result<int64_t> {
    return v.kind() == TypeId::kDate ? DateMicros(v.temporal()) : Result<int64_t>(v.temporal());
  };
  if (x == TypeId::kInterval && y == TypeId::kInterval && (add || sub)) return IntervalSum(a, b, sub);
  if (x == TypeId::kInterval && IsNumberKind(y) && (op == ArithOp::kMultiply || op == ArithOp::kDivide)) {
    return ScaleInterval(a, b, op == ArithOp::kDivide);
  }
  if (IsNumberKind(x) && y == TypeId::kInterval && op == ArithOp::kMultiply) return ScaleInterval(b, a, false);
  if (instant(x) && y == TypeId::kInterval && (add || sub)) {
    NQ_ASSIGN_OR_RETURN(int64_t ts, micros_of(a));
    return AddToTimestamp(ts, b, sub);
  }
  if (x == TypeId::kInterval && instant(y) && add) {
    NQ_ASSIGN_OR_RETURN(int64_t ts, micros_of(b));
    return AddToTimestamp(ts, a, false);
  }
  if (x == TypeId::kTime && y == TypeId::kInterval && (add || sub)) return AddToTime(a.temporal(), b, sub);
  if (x == TypeId::kInterval && y == TypeId::kTime && add) return AddToTime(b.temporal(), a, false);
  if (instant(x) && instant(y) && sub) {
    NQ_ASSIGN_OR_RETURN(int64_t ta, micros_of(a));
    NQ_ASSIGN_OR_RETURN(int64_t tb, micros_of(b));
    int64_t diff;
    if (__builtin_sub_overflow(ta, tb, &diff)) return IntervalOutOfRange();
    return Value::Interval(0, diff);
  }
  if (x == TypeId::kTime && y == TypeId::kTime && sub) return Value::Interval(0, a.temporal() - b.temporal());
  if (add && ((x == TypeId::kDate && y == TypeId::kTime) || (x == TypeId::kTime && y == TypeId::kDate))) {
    const Value& date = x == TypeId::kDate ? a : b;
    const Value& time = x == TypeId::kDate ? b : a;
    NQ_ASSIGN_OR_RETURN(int64_t midnight, DateMicros(date.temporal()));
    if (midnight > std::numeric_limits<int64_t>::max() - kMicrosPerDayI) return TimestampOutOfRange();
    return Value::Timestamp(midnight + time.temporal());
  }
  return UndefinedFunctionError(
      fmt::format("operator does not exist: {} {} {}", TypeName(a_in), OpName(op), TypeName(b_in)));
}

Result<Value> NegateInterval(const Value& v) {
  if (v.months() == std::numeric_limits<int32_t>::min() || v.temporal() == std::numeric_limits<int64_t>::min()) {
    return IntervalOutOfRange();
  }
  return Value::Interval(-v.months(), -v.temporal());
}

}  // namespace internal

}  // namespace neuroquantum::exec
