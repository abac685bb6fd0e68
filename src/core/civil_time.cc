#include "core/civil_time.h"

namespace ailake::civil {

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's era algorithms ("chrono-Compatible Low-Level Date Algorithms"): 400-year eras of
// 146097 days, each counted from March 1 so the leap day is the era year's last day; 719468 is
// the day number of 1970-01-01 counted from 0000-03-01.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                         // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;       // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                 // [0, 146096]
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                      // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                    // [0, 11], March first
  Date out;
  out.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  out.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  out.year = yoe + era * 400 + (out.month <= 2 ? 1 : 0);
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
// Expanded years stop at 11 digits: their seconds (about 3.2 * 10^18) still fit an int64.
constexpr size_t kMaxYearDigits = 11;

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return at_ == s_.size(); }
  bool Eat(char c) {
    if (at_ < s_.size() && s_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  // Exactly n decimal digits.
  bool Digits(size_t n, int64_t* out) {
    if (RunOfDigits() < n) return false;
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) v = v * 10 + (s_[at_ + k] - '0');
    at_ += n;
    *out = v;
    return true;
  }
  // How many digits follow, from here.
  size_t RunOfDigits() const {
    size_t n = 0;
    while (at_ + n < s_.size() && s_[at_ + n] >= '0' && s_[at_ + n] <= '9') ++n;
    return n;
  }
  char peek() const { return at_ < s_.size() ? s_[at_] : '\0'; }
  void Skip(size_t n) { at_ = n < s_.size() - at_ ? at_ + n : s_.size(); }

 private:
  std::string_view s_;
  size_t at_ = 0;
};

// The text in quotes for an error message; long input (a whole CSV cell, say) is cut.
std::string Quoted(std::string_view s) {
  constexpr size_t kMax = 64;
  return "'" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...'" : "'");
}

Status Bad(std::string_view text, const char* why) { return Status::InvalidArgument(Quoted(text) + " " + why); }

bool Year(Cursor& c, YearDigits years, int64_t* y) {
  const bool negative = years == YearDigits::kExpanded && c.Eat('-');
  const size_t n = c.RunOfDigits();
  if (n < 4) return false;
  if (n > 4) {
    // Only the printed form: no sign but '-', no padding beyond four digits.
    if (years != YearDigits::kExpanded || n > kMaxYearDigits || c.peek() == '0') return false;
  }
  int64_t v;
  if (!c.Digits(n, &v)) return false;
  if (negative && v == 0) return false;  // "-0000" is never printed: year 0 is "0000"
  *y = negative ? -v : v;
  return true;
}

// "YYYY-MM-DD" at the cursor.
Status DatePart(std::string_view text, Cursor& c, YearDigits years, int64_t* days) {
  int64_t y, m, d;
  if (!Year(c, years, &y) || !c.Eat('-') || !c.Digits(2, &m) || !c.Eat('-') || !c.Digits(2, &d)) {
    return Bad(text, "is not a date");
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<int>(m))) return Bad(text, "is not a calendar date");
  *days = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
  return Status::OK();
}

int64_t Pow10(int digits) {
  int64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

// v in decimal, zero-padded to at least `width` digits.
std::string Padded(uint64_t v, size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

}  // namespace

Result<int64_t> ParseDate(std::string_view text, YearDigits years) {
  Cursor c(text);
  int64_t days;
  AILAKE_RETURN_IF_ERROR(DatePart(text, c, years, &days));
  if (!c.done()) return Bad(text, "has text after the date");
  return days;
}

Result<Instant> ParseInstant(std::string_view text, YearDigits years) {
  Cursor c(text);
  int64_t days;
  AILAKE_RETURN_IF_ERROR(DatePart(text, c, years, &days));
  Instant t;
  t.seconds = days * kSecondsPerDay;
  if (c.done()) return t;
  if (!c.Eat('T') && !c.Eat(' ')) return Bad(text, "has text after the date");
  int64_t h, mi, sec = 0;
  if (!c.Digits(2, &h) || !c.Eat(':') || !c.Digits(2, &mi)) return Bad(text, "has no HH:MM time");
  if (c.Eat(':')) {
    if (!c.Digits(2, &sec)) return Bad(text, "has a malformed seconds field");
    if (c.Eat('.')) {
      const size_t n = c.RunOfDigits();
      if (n == 0) return Bad(text, "has no digits after the decimal point");
      int64_t frac = 0;
      (void)c.Digits(n < 9 ? n : 9, &frac);
      c.Skip(n < 9 ? 0 : n - 9);  // digits beyond nanoseconds: dropped
      t.nanos = static_cast<int32_t>(frac * Pow10(n < 9 ? static_cast<int>(9 - n) : 0));
      t.fraction_digits = static_cast<int>(n);
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return Bad(text, "is not a time of day");
  int64_t offset = 0;
  if (c.Eat('Z')) {
    // UTC
  } else if (c.peek() == '+' || c.peek() == '-') {
    const int64_t sign = c.peek() == '-' ? -1 : 1;
    c.Skip(1);
    int64_t oh, om;
    if (!c.Digits(2, &oh) || !c.Eat(':') || !c.Digits(2, &om) || oh > 23 || om > 59) {
      return Bad(text, "has a malformed UTC offset");
    }
    offset = sign * (oh * 3600 + om * 60);
  }
  if (!c.done()) return Bad(text, "has text after the time");
  // Local time = UTC + offset, so UTC = local - offset.
  t.seconds += h * 3600 + mi * 60 + sec - offset;
  t.has_time = true;
  return t;
}

Result<int64_t> ToUnits(const Instant& t, int64_t per_second) {
  int64_t v;
  if (__builtin_mul_overflow(t.seconds, per_second, &v) ||
      __builtin_add_overflow(v, t.nanos / (kNanosPerSecond / per_second), &v)) {
    return Status::OutOfRange("the time is outside the range of a 64-bit count of " +
                              std::string(per_second == 1           ? "seconds"
                                          : per_second == 1000      ? "milliseconds"
                                          : per_second == 1000000   ? "microseconds"
                                                                    : "nanoseconds") +
                              " since 1970");
  }
  return v;
}

std::string FormatDate(int64_t days) {
  const Date d = CivilFromDays(days);
  const std::string year = Padded(static_cast<uint64_t>(d.year < 0 ? -d.year : d.year), 4);
  return (d.year < 0 ? "-" : "") + year + "-" + Padded(static_cast<uint64_t>(d.month), 2) + "-" +
         Padded(static_cast<uint64_t>(d.day), 2);
}

std::string FormatClock(uint64_t value, int digits) {
  const uint64_t per = static_cast<uint64_t>(Pow10(digits));
  const uint64_t secs = value / per, frac = value % per;
  std::string out = Padded(secs / 3600, 2) + ":" + Padded(secs / 60 % 60, 2) + ":" + Padded(secs % 60, 2);
  if (digits > 0) out += "." + Padded(frac, static_cast<size_t>(digits));
  return out;
}

std::string FormatDateTime(int64_t days, uint64_t time_of_day, int digits, const DateTimeStyle& style) {
  std::string clock = FormatClock(time_of_day, digits);
  if (style.trim_fraction && digits > 0) {
    while (clock.back() == '0') clock.pop_back();
    if (clock.back() == '.') clock.pop_back();
  }
  return FormatDate(days) + style.separator + clock + (style.zulu ? "Z" : "");
}

namespace {
// Seconds since midnight, in [0, 86400), for any `secs` (no days * 86400 product to overflow).
int64_t SecondOfDay(int64_t secs) {
  const int64_t r = secs % kSecondsPerDay;
  return r < 0 ? r + kSecondsPerDay : r;
}
}  // namespace

std::string FormatDateTime(int64_t value, int digits, const DateTimeStyle& style) {
  // Through whole seconds: days * (units per day) can overflow near INT64_MIN, seconds cannot.
  const int64_t per = Pow10(digits);
  const int64_t secs = FloorDiv(value, per);
  int64_t frac = value % per;  // not value - secs * per: that product overflows near INT64_MIN
  if (frac < 0) frac += per;
  const int64_t days = FloorDiv(secs, kSecondsPerDay);
  return FormatDateTime(days, static_cast<uint64_t>(SecondOfDay(secs) * per + frac), digits, style);
}

std::string FormatInstant(int64_t seconds, int32_t nanos, const DateTimeStyle& style) {
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const uint64_t tod = static_cast<uint64_t>(SecondOfDay(seconds)) * kNanosPerSecond + static_cast<uint64_t>(nanos);
  return FormatDateTime(days, tod, 9, style);
}

}  // namespace ailake::civil
