// Centroid and radius of a set of vectors: the per-file summary that lets search skip whole files.
//
// centroid = mean of the finite rows (rows with any NaN/Inf are ignored, as are null rows the
// caller does not pass). radius = max over those rows of the metric-appropriate distance to the
// centroid: Euclidean (not squared) distance for kEuclidean and kDot, and for kCosine /
// kNormalizedCosine the Euclidean distance between L2-normalised row and the normalised centroid
// direction, so a search can bound distances with the triangle inequality (guide §6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ailake/types.h"

namespace ailake::vec {

struct CentroidRadius {
  std::vector<float> centroid;  // dim floats; for cosine metrics, unit length (or zero)
  float radius = 0.0f;
  uint64_t count = 0;  // finite rows that contributed
};

CentroidRadius ComputeCentroidRadius(VectorMetric metric, const float* data, size_t dim, size_t count);
// Same over stored rows (decodes per row; no full-size temporary).
CentroidRadius ComputeCentroidRadiusRows(VectorMetric metric, const uint8_t* rows, VectorPrecision precision,
                                         size_t dim, size_t count);

}  // namespace ailake::vec
