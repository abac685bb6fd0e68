// Random (version 4) UUIDs for unique output paths and table ids.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ailake {

struct Uuid {
  std::array<uint8_t, 16> bytes{};
  // Canonical 8-4-4-4-12 lowercase hex.
  std::string ToString() const;
  static Uuid Random();  // from the OS's CSPRNG (getrandom), so forked processes never collide
};

// A random 63-bit positive id (Iceberg snapshot ids): never from the clock (guide §8).
int64_t RandomPositiveId();

}  // namespace ailake
