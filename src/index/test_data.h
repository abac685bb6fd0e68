// Test helper: clustered random vectors stored in a given precision (tests only).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "index/vector_view.h"
#include "vec/quantize.h"

namespace ailake::index::testing {

struct TestData {
  std::vector<float> f32;      // count * dim, the source values
  std::vector<uint8_t> rows;   // encoded in precision
  VectorView view;
};

// count vectors around `clusters` Gaussian centres; normalised when the metric is a cosine.
inline TestData MakeClustered(size_t count, size_t dim, VectorPrecision precision, VectorMetric metric,
                              uint32_t seed = 7, size_t clusters = 12) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centres(clusters * dim);
  for (auto& c : centres) c = normal(rng) * 2.0f;
  TestData d;
  d.f32.resize(count * dim);
  for (size_t i = 0; i < count; ++i) {
    const size_t c = rng() % clusters;
    float norm = 0;
    for (size_t j = 0; j < dim; ++j) {
      float v = centres[c * dim + j] + normal(rng);
      d.f32[i * dim + j] = v;
      norm += v * v;
    }
    if (metric == VectorMetric::kNormalizedCosine || metric == VectorMetric::kCosine) {
      for (size_t j = 0; j < dim; ++j) d.f32[i * dim + j] /= std::sqrt(norm);
    }
  }
  d.rows.resize(count * vec::RowBytes(precision, dim) + 1);  // +1: never a null pointer
  vec::EncodeRows(precision, d.f32.data(), dim, count, d.rows.data());
  d.view = VectorView{d.rows.data(), precision, dim, count, metric};
  return d;
}

inline std::vector<float> MakeQuery(size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.5f);
  std::vector<float> q(dim);
  for (auto& v : q) v = normal(rng);
  return q;
}

}  // namespace ailake::index::testing
