// Civil time: ailake's one calendar. Every date and timestamp that is parsed from text or printed as
// text goes through here, so `insert`, `--where`, `--as-of`/`--older-than` and `cat`/`search` output
// agree on what a date is.
//
//   Calendar  proleptic Gregorian, UTC, no leap seconds (epoch time has none). Day 0 is 1970-01-01.
//             Years are astronomical: year 0 is 1 BC, year -1 is 2 BC.
//   Dates     "YYYY-MM-DD": exactly four year digits, two month digits, two day digits; the day must
//             exist in that month (2023-02-29 and 2023-02-31 are refused; 2024-02-29 is a date).
//             With YearDigits::kExpanded the year may also be written the way FormatDate prints
//             years outside 0000..9999: a '-' for negative years and more than four digits without
//             a leading zero ("-0001-03-01", "12345-01-01"), so every printed date reads back.
//   Instants  a date alone (its midnight, UTC), or a date, 'T' or ' ', "HH:MM", optionally ":SS" and
//             then optionally '.' and one or more fraction digits, and optionally a zone: 'Z' or
//             "+HH:MM"/"-HH:MM" (local time = UTC + offset). Hours 00-23, minutes and seconds 00-59,
//             offsets up to 23:59. Nothing may follow; lower-case 't'/'z' and "24:00" are refused.
//             Fraction digits beyond the ninth are dropped (truncated); Instant says how many there
//             were, for callers that must not drop any.
//   Printing  FormatDate: "YYYY-MM-DD", years outside 0000..9999 with as many digits as needed and a
//             '-' when negative. FormatDateTime: the date, a separator, "HH:MM:SS", the fraction and
//             optionally 'Z' (see DateTimeStyle).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ailake/status.h"

namespace ailake::civil {

inline constexpr int64_t kSecondsPerDay = 86400;

struct Date {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..DaysInMonth(year, month)
};

bool IsLeapYear(int64_t year);
// 28..31; month must be 1..12.
int DaysInMonth(int64_t year, int month);
// Days since 1970-01-01 of a valid date. Exact for |year| up to 10^12 (far past what any caller
// needs: an int64 of seconds spans about 2.9 * 10^11 years).
int64_t DaysFromCivil(int64_t year, int month, int day);
// The date of a day number; exact for |days| up to 10^14 (INT64 nanoseconds, microseconds or
// milliseconds since the epoch, divided into days, are all within that).
Date CivilFromDays(int64_t days);

// Floor division (b > 0): the day or second that contains a negative instant is the earlier one.
int64_t FloorDiv(int64_t a, int64_t b);

enum class YearDigits { kFour, kExpanded };

// An instant named by text.
struct Instant {
  int64_t seconds = 0;      // since 1970-01-01T00:00:00Z
  int32_t nanos = 0;        // [0, 10^9): the first nine fraction digits
  int fraction_digits = 0;  // as many as the text gave (more than 9 means some were dropped)
  bool has_time = false;    // false for a date alone (then seconds is its midnight)
};

// Days since the epoch of "YYYY-MM-DD" (nothing else). The error (InvalidArgument) quotes the text
// and says what is wrong, e.g. "'2023-02-31' is not a calendar date".
Result<int64_t> ParseDate(std::string_view text, YearDigits years = YearDigits::kFour);
// A date or a date and time, as described above. Errors as ParseDate's.
Result<Instant> ParseInstant(std::string_view text, YearDigits years = YearDigits::kFour);
// The instant in units of 1/per_second seconds (1, 1000, 10^6 or 10^9), dropping finer fraction
// digits (towards the past); OutOfRange when it does not fit an int64.
Result<int64_t> ToUnits(const Instant& t, int64_t per_second);

// "YYYY-MM-DD" (see Printing above).
std::string FormatDate(int64_t days);

struct DateTimeStyle {
  char separator = 'T';
  bool zulu = true;            // append 'Z'
  bool trim_fraction = false;  // drop trailing zero fraction digits (and the '.' when none remain)
};
// "HH:MM:SS" and, when digits > 0, '.' and the last `digits` decimal digits of value's sub-second
// part. value counts 10^-digits seconds and is not wrapped at a day: 25 hours print as "25:00:00".
std::string FormatClock(uint64_t value, int digits);
// days since the epoch plus time_of_day (in 10^-digits seconds, less than one day).
std::string FormatDateTime(int64_t days, uint64_t time_of_day, int digits, const DateTimeStyle& style = {});
// value counts 10^-digits seconds since the epoch (digits 0..9); any int64 prints.
std::string FormatDateTime(int64_t value, int digits, const DateTimeStyle& style = {});
// An Instant's seconds and nanos, with nine fraction digits before the style trims them.
std::string FormatInstant(int64_t seconds, int32_t nanos, const DateTimeStyle& style = {});

}  // namespace ailake::civil
