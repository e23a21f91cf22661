// Calendar arithmetic and INTERVAL values (docs/reference/qsql.md, "Dates,
// times and intervals").
//
// There are no time zones: dates, times and timestamps are wall-clock
// values without daylight saving, so a day is always 86400 seconds. An
// INTERVAL is therefore two numbers: a count of months (int32) and a count
// of microseconds (int64); days are folded into the microseconds as
// 86400 * 10^6 each. Month arithmetic goes through the calendar and clamps
// to the end of the month (2024-01-31 + 1 month = 2024-02-29); the
// microsecond part is plain addition.
//
// Intervals compare (and group, and hash) by a normalised length: a month
// counts as 30 days, as in PostgreSQL, so '1 month' = '30 days'.
//
// Text forms:
//   - Output: PostgreSQL's style, "1 year 2 mons 3 days 04:05:06.5",
//     "-1 days -02:00:00", "00:00:00" for zero. Parts that are zero are
//     left out; a time part is printed when not zero (or when all are).
//   - Input: any run of `number unit` (units: microsecond(s), us,
//     millisecond(s), ms, second(s), sec(s), s, minute(s), min(s), m,
//     hour(s), hr(s), h, day(s), d, week(s), w, month(s), mon(s), year(s),
//     yr(s), y, decade(s), century, centuries, millennium, millennia) and
//     at most one `[-]HH:MM[:SS[.ffffff]]`, optionally followed by `ago`
//     (negates); a bare number is seconds; PostgreSQL's own output form
//     reads back. ISO 8601 durations "P1Y2M3W4DT5H6M7.5S" also read.
//     Fractions spill down: 1.5 years = 1 year 6 mons, 1.5 months =
//     1 mon 15 days, 1.5 days = 36 hours. 22007 for malformed text, 22008
//     when a field does not fit.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "exec/value.h"
#include "neuroquantum/result.h"

namespace neuroquantum::exec {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kMicrosPerDayI = 24 * kMicrosPerHour;

// Date range accepted by arithmetic: 4713-01-01 BC (astronomical year
// -4712) to 294276-12-31, PostgreSQL's limits.
inline constexpr int64_t kMinYear = -4712;
inline constexpr int64_t kMaxYear = 294276;

bool IsLeapYear(int64_t year);
unsigned DaysInMonth(int64_t year, unsigned month);

// 22008 "date out of range" / "timestamp out of range" / "interval out of
// range".
Status DateOutOfRange();
Status TimestampOutOfRange();
Status IntervalOutOfRange();

// `days` plus `months` calendar months, the day clamped to the last day of
// the target month. 22008 past the date range.
Result<int32_t> AddMonthsToDate(int32_t days, int64_t months);
// A timestamp (microseconds since the epoch) plus an interval: months
// first (keeping the time of day), then microseconds. 22008 past the range.
Result<int64_t> AddIntervalToTimestamp(int64_t timestamp, int64_t months, int64_t micros);
// Splits a timestamp into days since the epoch and microseconds of the day
// (0 <= *micros_of_day < one day).
void SplitTimestamp(int64_t timestamp, int64_t* days, int64_t* micros_of_day);
// Whether a date (as days) lies within [kMinYear, kMaxYear].
bool DateInRange(int64_t days);

// The normalised length of an interval in microseconds (30-day months).
Int128 IntervalLength(int32_t months, int64_t micros);

// Interval text (see the header comment).
Result<Value> ParseInterval(std::string_view text);
std::string IntervalText(int32_t months, int64_t micros);

}  // namespace neuroquantum::exec
