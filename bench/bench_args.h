// Flag values for the benchmark programs that take `--flag value` pairs (file_walk_bench,
// scale_bench): strtol rather than std::stol, so a bad value is a usage error, not an exception.
#pragma once

#include <cerrno>
#include <cstdlib>

namespace bench {

// False unless `s` is a whole base-10 integer in [lo, hi].
inline bool ParseLong(const char* s, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace bench
