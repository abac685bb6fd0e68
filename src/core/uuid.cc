#include "core/uuid.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <random>

namespace ailake {

namespace {
void FillRandom(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = getrandom(out + done, n - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      // getrandom cannot fail on Linux >= 3.17 with these flags; fall back rather than abort.
      std::random_device rd;
      for (; done < n; ++done) out[done] = static_cast<uint8_t>(rd());
      return;
    }
    done += static_cast<size_t>(r);
  }
}
}  // namespace

Uuid Uuid::Random() {
  Uuid u;
  FillRandom(u.bytes.data(), u.bytes.size());
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0F) | 0x40);  // version 4
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return u;
}

std::string Uuid::ToString() const {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes[i] >> 4]);
    s.push_back(kHex[bytes[i] & 0xF]);
  }
  return s;
}

int64_t RandomPositiveId() {
  uint64_t v = 0;
  do {
    FillRandom(reinterpret_cast<uint8_t*>(&v), sizeof(v));
    v &= 0x7FFFFFFFFFFFFFFFull;
  } while (v == 0);
  return static_cast<int64_t>(v);
}

}  // namespace ailake
