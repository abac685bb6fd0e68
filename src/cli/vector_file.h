// Query vectors for the CLI: .fvecs files (each vector: int32 dim, then dim float32, little-endian),
// as used by ANN benchmark datasets.
#pragma once

#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake::cli {

struct FvecsData {
  size_t dim = 0;
  size_t count = 0;
  std::vector<float> values;  // count x dim
};

// Reads at most max_vectors vectors; every record must have the same dim (1..65536).
Result<FvecsData> ReadFvecs(const std::string& path, size_t max_vectors = 1 << 20);

}  // namespace ailake::cli
