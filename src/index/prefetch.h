// Cache hints for the graph walk's random reads (rows and adjacency lists).
#pragma once

#include <cstddef>

namespace ailake::index {

// Hints the CPU to start loading the cache lines of [p, p + bytes). Callers pass a range inside one
// live buffer (a row, a list), so no hinted address lies outside memory the index owns.
inline void PrefetchBytes(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off, 0, 3);
}

}  // namespace ailake::index
