// Checked arithmetic for sizes and offsets read from storage. Every byte read from a file is
// untrusted: an offset + length computed from it must go through these before it indexes anything.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

namespace ailake {

// Returns nullopt on overflow.
inline std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}
// True when [offset, offset+length) lies inside [0, size).
inline bool RangeWithin(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// Little-endian loads/stores (all ailake on-disk integers are little-endian).
template <typename T>
inline T LoadLE(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;  // x86-64 and aarch64 Linux are little-endian; static_assert below guards the rest.
}
template <typename T>
inline void StoreLE(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ailake assumes a little-endian host");

}  // namespace ailake
