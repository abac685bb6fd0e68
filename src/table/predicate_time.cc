#include "table/predicate_time.h"

#include <cstdio>

namespace ailake::table {

namespace {

// Reads exactly n decimal digits at s[*at]; advances *at.
bool Digits(std::string_view s, size_t* at, size_t n, int64_t* out) {
  if (*at + n > s.size()) return false;
  int64_t v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[*at + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *at += n;
  *out = v;
  return true;
}

bool Leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, int64_t m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && Leap(y) ? 29 : kDays[m - 1];
}

// Parses the date part at s[*at]; advances *at.
bool DatePart(std::string_view s, size_t* at, int64_t* days) {
  int64_t y, m, d;
  if (!Digits(s, at, 4, &y) || *at >= s.size() || s[(*at)++] != '-') return false;
  if (!Digits(s, at, 2, &m) || *at >= s.size() || s[(*at)++] != '-') return false;
  if (!Digits(s, at, 2, &d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// Inverse of DaysFromCivil (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string FormatIsoDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

bool ParseIsoDate(std::string_view s, int64_t* days) {
  size_t at = 0;
  return DatePart(s, &at, days) && at == s.size();
}

bool ParseIsoTimestamp(std::string_view s, int64_t* seconds, int32_t* nanos) {
  size_t at = 0;
  int64_t days;
  if (!DatePart(s, &at, &days)) return false;
  int64_t secs = days * 86400;
  int32_t ns = 0;
  if (at < s.size()) {
    if (s[at] != ' ' && s[at] != 'T' && s[at] != 't') return false;
    ++at;
    int64_t hh, mm, ss;
    if (!Digits(s, &at, 2, &hh) || at >= s.size() || s[at++] != ':') return false;
    if (!Digits(s, &at, 2, &mm) || at >= s.size() || s[at++] != ':') return false;
    if (!Digits(s, &at, 2, &ss)) return false;
    if (hh > 23 || mm > 59 || ss > 59) return false;  // no leap seconds: epoch time has none
    secs += hh * 3600 + mm * 60 + ss;
    if (at < s.size() && s[at] == '.') {
      ++at;
      size_t n = 0;
      int64_t frac = 0;
      while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
        if (++n > 9) return false;
        frac = frac * 10 + (s[at++] - '0');
      }
      if (n == 0) return false;
      for (size_t k = n; k < 9; ++k) frac *= 10;
      ns = static_cast<int32_t>(frac);
    }
    if (at < s.size()) {
      const char z = s[at];
      if (z == 'Z' || z == 'z') {
        ++at;
      } else if (z == '+' || z == '-') {
        ++at;
        int64_t oh, om;
        if (!Digits(s, &at, 2, &oh) || at >= s.size() || s[at++] != ':' || !Digits(s, &at, 2, &om)) return false;
        if (oh > 23 || om > 59) return false;
        // Local time = UTC + offset, so UTC = local - offset.
        secs += (z == '+' ? -1 : 1) * (oh * 3600 + om * 60);
      }
    }
  }
  if (at != s.size()) return false;
  *seconds = secs;
  *nanos = ns;
  return true;
}

std::string FormatIsoTimestamp(int64_t seconds, int32_t nanos) {
  const int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  const int64_t rem = seconds - days * 86400;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s %02lld:%02lld:%02lld", FormatIsoDate(days).c_str(),
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  std::string out = buf;
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%09d", nanos);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

}  // namespace ailake::table
