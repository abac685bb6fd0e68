// Calendar helpers for predicate literals: ISO dates/timestamps <-> days/seconds since the Unix epoch
// in the proleptic Gregorian calendar, UTC. Pure functions; they never throw and reject anything that
// is not a real calendar date or time of day.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ailake::table {

// Days since 1970-01-01 of a civil date (month 1-12, day 1-31; not validated here).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
// "YYYY-MM-DD" of a day number.
std::string FormatIsoDate(int64_t days);

// "YYYY-MM-DD" (years 0000-9999). False on anything else, including 2023-02-29.
bool ParseIsoDate(std::string_view s, int64_t* days);
// "YYYY-MM-DD", or that followed by ' ' or 'T', "HH:MM:SS", an optional fraction of 1-9 digits and an
// optional zone: 'Z' or +HH:MM / -HH:MM. Result: seconds since the epoch (UTC) and nanoseconds [0, 1e9).
bool ParseIsoTimestamp(std::string_view s, int64_t* seconds, int32_t* nanos);
// "YYYY-MM-DD HH:MM:SS[.fffffffff]" (fraction trimmed of trailing zeros).
std::string FormatIsoTimestamp(int64_t seconds, int32_t nanos);

}  // namespace ailake::table
