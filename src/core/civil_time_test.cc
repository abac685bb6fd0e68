// Tests of the one calendar (core/civil_time.h): day numbers <-> dates over far more years than any
// caller needs, the strict date/time grammar (every malformed or impossible form refused), and the
// printers every output uses.
#include "core/civil_time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace ailake::civil {
namespace {

bool SameDate(const Date& a, const Date& b) { return a.year == b.year && a.month == b.month && a.day == b.day; }

// The day after d, by counting rather than by the era formulas under test.
Date NextDay(Date d) {
  if (d.day < DaysInMonth(d.year, d.month)) {
    ++d.day;
  } else if (d.month < 12) {
    ++d.month;
    d.day = 1;
  } else {
    ++d.year;
    d.month = 1;
    d.day = 1;
  }
  return d;
}

TEST(CivilTime, KnownDays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2024, 1, 1), 19723);
  EXPECT_EQ(DaysFromCivil(0, 3, 1), -719468);
  EXPECT_EQ(DaysFromCivil(0, 1, 1), -719528);
  EXPECT_EQ(DaysFromCivil(-1, 12, 31), -719529);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-719529), "-0001-12-31");
  EXPECT_EQ(FormatDate(DaysFromCivil(12345, 6, 7)), "12345-06-07");
  EXPECT_EQ(FormatDate(DaysFromCivil(-12345, 6, 7)), "-12345-06-07");
  EXPECT_EQ(FormatDate(std::numeric_limits<int32_t>::max()), "5881580-07-11");
  EXPECT_EQ(FormatDate(std::numeric_limits<int32_t>::min()), "-5877641-06-23");
}

TEST(CivilTime, LeapYears) {
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_TRUE(IsLeapYear(0));
  EXPECT_TRUE(IsLeapYear(-4));
  EXPECT_FALSE(IsLeapYear(-100));
  EXPECT_TRUE(IsLeapYear(-400));
  EXPECT_FALSE(ParseDate("1900-02-29").ok());
  EXPECT_TRUE(ParseDate("2000-02-29").ok());
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_FALSE(ParseDate("2023-02-29").ok());
  EXPECT_FALSE(ParseDate("2024-02-30").ok());
  EXPECT_EQ(*ParseDate("2024-03-01") - *ParseDate("2024-02-28"), 2);
  EXPECT_EQ(*ParseDate("1900-03-01") - *ParseDate("1900-02-28"), 1);
  EXPECT_EQ(*ParseDate("2001-01-01") - *ParseDate("2000-01-01"), 366);
  EXPECT_EQ(*ParseDate("1901-01-01") - *ParseDate("1900-01-01"), 365);
  EXPECT_EQ(FormatDate(DaysFromCivil(-4, 2, 29)), "-0004-02-29");
  EXPECT_EQ(FormatDate(DaysFromCivil(-4, 2, 29) + 1), "-0004-03-01");
}

// Every day from 3000 BC to 5000 AD, walked one at a time: each day number is the previous one's
// successor in the calendar, and converts back to itself.
TEST(CivilTime, EveryDayRoundTrips) {
  const int64_t first = DaysFromCivil(-3000, 1, 1), last = DaysFromCivil(5000, 12, 31);
  Date expect = CivilFromDays(first);
  ASSERT_TRUE(SameDate(expect, Date{-3000, 1, 1}));
  for (int64_t d = first; d <= last; ++d) {
    const Date got = CivilFromDays(d);
    ASSERT_TRUE(SameDate(got, expect)) << d << ": " << got.year << "-" << got.month << "-" << got.day;
    ASSERT_EQ(DaysFromCivil(got.year, got.month, got.day), d);
    expect = NextDay(expect);
  }
}

// Far from the epoch too: the widest day numbers the Parquet reader forms (INT64 microseconds,
// INT96 Julian days) and beyond.
TEST(CivilTime, WideDaysRoundTrip) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> any(-100000000000000LL, 100000000000000LL);
  for (int i = 0; i < 200000; ++i) {
    const int64_t d = any(rng);
    const Date c = CivilFromDays(d);
    ASSERT_GE(c.month, 1);
    ASSERT_LE(c.month, 12);
    ASSERT_GE(c.day, 1);
    ASSERT_LE(c.day, DaysInMonth(c.year, c.month));
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
    ASSERT_TRUE(SameDate(CivilFromDays(d + 1), NextDay(c))) << d;
  }
}

// What FormatDate prints, ParseDate reads back: four-digit years always, others when expanded
// years are allowed.
TEST(CivilTime, PrintedDatesParseBack) {
  for (int64_t d = DaysFromCivil(0, 1, 1); d <= DaysFromCivil(9999, 12, 31); d += 7) {
    const std::string text = FormatDate(d);
    ASSERT_EQ(text.size(), 10u) << text;
    ASSERT_EQ(*ParseDate(text), d) << text;
  }
  EXPECT_EQ(*ParseDate("9999-12-31"), DaysFromCivil(9999, 12, 31));
  EXPECT_EQ(*ParseDate("0000-01-01"), DaysFromCivil(0, 1, 1));
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> any(-10000000000LL, 10000000000LL);
  for (int i = 0; i < 100000; ++i) {
    const int64_t d = any(rng);
    const std::string text = FormatDate(d);
    auto back = ParseDate(text, YearDigits::kExpanded);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().message();
    ASSERT_EQ(*back, d) << text;
    auto instant = ParseInstant(text + "T00:00:00.000000Z", YearDigits::kExpanded);
    ASSERT_TRUE(instant.ok()) << text;
    ASSERT_EQ(instant->seconds, d * kSecondsPerDay);
  }
  EXPECT_EQ(*ParseDate("-0001-03-01", YearDigits::kExpanded), DaysFromCivil(-1, 3, 1));
  EXPECT_EQ(*ParseDate("12345-01-01", YearDigits::kExpanded), DaysFromCivil(12345, 1, 1));
  // Forms the printer never writes stay refused even so.
  for (const char* bad : {"-0000-01-01", "+2024-01-01", "012345-01-01", "-012345-01-01", "123456789012-01-01", "-1-01-01",
                          "202-01-01"}) {
    EXPECT_FALSE(ParseDate(bad, YearDigits::kExpanded).ok()) << bad;
  }
  // Four-digit years only by default.
  for (const char* bad : {"-0001-03-01", "12345-01-01"}) EXPECT_FALSE(ParseDate(bad).ok()) << bad;
}

TEST(CivilTime, InvalidDatesAreRefused) {
  for (const char* bad : {"", "2024", "2024-01", "2024-1-01", "2024-01-1", "24-01-01", "2024/01/01", "2024-00-10",
                          "2024-13-01", "2024-01-00", "2024-01-32", "2024-04-31", "2023-02-31", "2023-02-29", "1900-02-29",
                          " 2024-01-01", "2024-01-01 ", "2024-01-01T00:00", "2024-01-01Z", "2024-01-01x", "２０２４-01-01",
                          "2024-0a-01", "2024--1-01", "+024-01-01"}) {
    auto r = ParseDate(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' gave " << (r.ok() ? *r : 0);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(r.status().message().rfind("'" + std::string(bad) + "' ", 0), 0u) << r.status().message();
    }
  }
  EXPECT_EQ(ParseDate("2023-02-31").status().message(), "'2023-02-31' is not a calendar date");
  EXPECT_EQ(ParseDate("2023-2-3").status().message(), "'2023-2-3' is not a date");
  EXPECT_EQ(ParseDate("2023-02-03x").status().message(), "'2023-02-03x' has text after the date");
  // Long input is quoted only in part.
  const std::string long_text = "2023-02-31" + std::string(1000, 'x');
  EXPECT_LT(ParseDate(long_text).status().message().size(), 100u);
}

TEST(CivilTime, Instants) {
  auto at = [](const char* text) {
    auto r = ParseInstant(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
    return r.ok() ? *r : Instant{};
  };
  const int64_t day = DaysFromCivil(2026, 12, 2) * kSecondsPerDay;
  EXPECT_EQ(at("2026-12-02").seconds, day);
  EXPECT_FALSE(at("2026-12-02").has_time);
  EXPECT_TRUE(at("2026-12-02T00:00").has_time);
  EXPECT_EQ(at("2026-12-02T18:38").seconds, day + 18 * 3600 + 38 * 60);
  EXPECT_EQ(at("2026-12-02 18:38:11").seconds, day + 18 * 3600 + 38 * 60 + 11);
  EXPECT_EQ(at("2026-12-02T18:38:11Z").seconds, day + 18 * 3600 + 38 * 60 + 11);
  EXPECT_EQ(at("2026-12-02T18:38Z").seconds, day + 18 * 3600 + 38 * 60);
  EXPECT_EQ(at("2026-12-02T20:38:11+02:00").seconds, at("2026-12-02T18:38:11Z").seconds);
  EXPECT_EQ(at("2026-12-02T00:30-01:00").seconds, at("2026-12-02T01:30").seconds);
  EXPECT_EQ(at("2026-12-02T00:00:00+23:59").seconds, day - 23 * 3600 - 59 * 60);
  EXPECT_EQ(at("1969-12-31T23:59:59").seconds, -1);
  EXPECT_EQ(at("0000-01-01T00:00:00").seconds, DaysFromCivil(0, 1, 1) * kSecondsPerDay);
  EXPECT_EQ(at("9999-12-31T23:59:59.999999999Z").nanos, 999999999);
}

TEST(CivilTime, FractionsTruncate) {
  auto at = [](const char* text) { return *ParseInstant(text); };
  EXPECT_EQ(at("2024-01-01T00:00:00.5").nanos, 500000000);
  EXPECT_EQ(at("2024-01-01T00:00:00.5").fraction_digits, 1);
  EXPECT_EQ(at("2024-01-01T00:00:00.000000001").nanos, 1);
  EXPECT_EQ(at("2024-01-01T00:00:00.1234567899999").nanos, 123456789);  // dropped, not rounded
  EXPECT_EQ(at("2024-01-01T00:00:00.1234567899999").fraction_digits, 13);
  EXPECT_EQ(at("2024-01-01T00:00:00.0000000009").nanos, 0);
  // Into units: finer digits dropped towards the past, also before the epoch.
  EXPECT_EQ(*ToUnits(at("1970-01-01T00:00:01.999999Z"), 1000), 1999);
  EXPECT_EQ(*ToUnits(at("1970-01-01T00:00:01.999999Z"), 1000000), 1999999);
  EXPECT_EQ(*ToUnits(at("1970-01-01T00:00:01.999999Z"), 1), 1);
  EXPECT_EQ(*ToUnits(at("1969-12-31T23:59:59.9999"), 1000), -1);
  EXPECT_EQ(*ToUnits(at("1969-12-31T23:59:59.9999"), 1000000), -100);
  EXPECT_EQ(*ToUnits(at("1969-12-31T23:59:59.9999"), 1000000000), -100000);
  EXPECT_EQ(*ToUnits(at("2026-12-02T18:38:11.583999Z"), 1000), 1796169600000 + (18 * 3600 + 38 * 60 + 11) * 1000LL + 583);
  // Out of an int64's reach: refused, not wrapped.
  auto far = ParseInstant("99999999999-01-01", YearDigits::kExpanded);
  ASSERT_TRUE(far.ok()) << far.status().message();
  EXPECT_TRUE(ToUnits(*far, 1).ok());
  EXPECT_EQ(ToUnits(*far, 1000).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(ToUnits(*ParseInstant("2300-01-01"), 1000000000).status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(ToUnits(*ParseInstant("2262-04-11T23:47:16.854775807"), 1000000000).ok());
  EXPECT_FALSE(ToUnits(*ParseInstant("2262-04-11T23:47:16.854775808"), 1000000000).ok());
}

TEST(CivilTime, InvalidInstantsAreRefused) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "is not a date"},
      {"yesterday", "is not a date"},
      {"2026-13-01", "is not a calendar date"},
      {"2026-02-30T00:00", "is not a calendar date"},
      {"2025-02-29", "is not a calendar date"},
      {"2026-12-02T24:00:00", "is not a time of day"},
      {"2026-12-02T24:00", "is not a time of day"},
      {"2026-12-02T18:60", "is not a time of day"},
      {"2026-12-02T18:59:60", "is not a time of day"},  // no leap seconds
      {"2026-12-02junk", "has text after the date"},
      {"2026-12-02Z", "has text after the date"},
      {"2026-12-02t18:38", "has text after the date"},
      {"2026-12-02T18", "has no HH:MM time"},
      {"2026-12-02T", "has no HH:MM time"},
      {"2026-12-02 ", "has no HH:MM time"},
      {"2026-12-02T8:38", "has no HH:MM time"},
      {"2026-12-02T18:3", "has no HH:MM time"},
      {"2026-12-02T18:38:1", "has a malformed seconds field"},
      {"2026-12-02T18:38:", "has a malformed seconds field"},
      {"2026-12-02T18:38:11.", "has no digits after the decimal point"},
      {"2026-12-02T18:38.5", "has text after the time"},  // a fraction needs seconds
      {"2026-12-02T18:38:11 junk", "has text after the time"},
      {"2026-12-02T18:38:11z", "has text after the time"},
      {"2026-12-02T18:38:11ZZ", "has text after the time"},
      {"2026-12-02T18:38:11Z+01:00", "has text after the time"},
      {"2026-12-02T18:38:11+2", "has a malformed UTC offset"},
      {"2026-12-02T18:38:11+02", "has a malformed UTC offset"},
      {"2026-12-02T18:38:11+0200", "has a malformed UTC offset"},
      {"2026-12-02T18:38:11+24:00", "has a malformed UTC offset"},
      {"2026-12-02T18:38:11-01:60", "has a malformed UTC offset"},
      {"2026-12-02T18:38:11+02:00 ", "has text after the time"},
  };
  for (const auto& [text, why] : cases) {
    auto r = ParseInstant(text);
    EXPECT_FALSE(r.ok()) << "'" << text << "' gave " << (r.ok() ? r->seconds : 0);
    if (!r.ok()) {
      EXPECT_EQ(r.status().message(), "'" + std::string(text) + "' " + why) << text;
    }
  }
}

TEST(CivilTime, Formatting) {
  EXPECT_EQ(FormatDateTime(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatDateTime(-1, 3), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatDateTime(1704067200123456LL, 6), "2024-01-01T00:00:00.123456Z");
  EXPECT_EQ(FormatDateTime(5, 9), "1970-01-01T00:00:00.000000005Z");
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(FormatDateTime(kMin, 9), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(FormatDateTime(kMax, 9), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(FormatDateTime(kMin, 6), "-290308-12-21T19:59:05.224192Z");
  EXPECT_EQ(FormatDateTime(kMax, 6), "294247-01-10T04:00:54.775807Z");
  EXPECT_EQ(FormatDateTime(kMin, 3), "-292275055-05-16T16:47:04.192Z");
  EXPECT_EQ(FormatDateTime(kMax, 0), "292277026596-12-04T15:30:07Z");
  EXPECT_EQ(FormatDateTime(kMin, 0), "-292277022657-01-27T08:29:52Z");
  const DateTimeStyle sql{' ', false, true};
  EXPECT_EQ(FormatInstant(0, 0, sql), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatInstant(-1, 500000000, sql), "1969-12-31 23:59:59.5");
  EXPECT_EQ(FormatInstant(12, 123456789, sql), "1970-01-01 00:00:12.123456789");
  EXPECT_EQ(FormatInstant(12, 1000, {}), "1970-01-01T00:00:12.000001000Z");
  EXPECT_EQ(FormatClock(0, 3), "00:00:00.000");
  EXPECT_EQ(FormatClock(25 * 3600, 0), "25:00:00");  // not wrapped
  EXPECT_EQ(FormatClock(86399999999ULL, 6), "23:59:59.999999");
  // Printed instants read back exactly.
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> any(DaysFromCivil(0, 1, 1) * kSecondsPerDay * 1000000,
                                              DaysFromCivil(9999, 12, 31) * kSecondsPerDay * 1000000);
  for (int i = 0; i < 100000; ++i) {
    const int64_t us = any(rng);
    const std::string text = FormatDateTime(us, 6);
    auto back = ParseInstant(text);
    ASSERT_TRUE(back.ok()) << text;
    ASSERT_EQ(*ToUnits(*back, 1000000), us) << text;
  }
}

}  // namespace
}  // namespace ailake::civil
