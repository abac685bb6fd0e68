// Shared helpers for the file-layer tests: deterministic clustered vectors and a small table of
// data columns.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "parquet/batch.h"

namespace ailake::file::testing {

// n x dim clustered vectors (8 clusters), deterministic for a seed.
inline std::vector<float> ClusteredVectors(size_t n, size_t dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.15f);
  std::vector<float> centers(8 * dim);
  for (auto& c : centers) c = noise(rng) * 6.0f;
  std::vector<float> out(n * dim);
  for (size_t i = 0; i < n; ++i) {
    size_t c = rng() % 8;
    for (size_t d = 0; d < dim; ++d) out[i * dim + d] = centers[c * dim + d] + noise(rng);
  }
  return out;
}

inline parquet::Schema DataSchema() {
  parquet::Schema s;
  s.fields = {parquet::Field::Make("id", parquet::DataType::kInt64, false),
              parquet::Field::Make("chunk_text", parquet::DataType::kString),
              parquet::Field::Make("score", parquet::DataType::kDouble)};
  return s;
}

inline parquet::Batch DataBatch(int64_t start, int64_t n) {
  parquet::Batch b = parquet::Batch::Empty(DataSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.columns[0].AppendInt64(i);
    if (i % 7 == 3) b.columns[1].AppendNull();
    else b.columns[1].AppendString("chunk number " + std::to_string(i) + (i % 2 ? " odd" : " even"));
    b.columns[2].AppendDouble(static_cast<double>(i) * 0.25);
  }
  b.num_rows = n;
  return b;
}

}  // namespace ailake::file::testing
