// Test helper: the vectors of tests/embedders/logging_worker.py, recomputed in C++ (the CLI tests
// serve the same vectors over HTTP and check search results against them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ailake::cli::testing {

// h = FNV-1a 64 of the UTF-8 bytes; per element h = h * 6364136223846793005 + 1442695040888963407,
// v = (h >> 40) / 2^23 - 1 (exact in float32, in [-1, 1)).
inline std::vector<float> WorkerVec(const std::string& text, size_t dim) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::vector<float> v;
  for (size_t j = 0; j < dim; ++j) {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    v.push_back(static_cast<float>(static_cast<double>(h >> 40) / static_cast<double>(1 << 23) - 1.0));
  }
  return v;
}

}  // namespace ailake::cli::testing
