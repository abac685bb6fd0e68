#include "vec/centroid.h"

#include <cmath>

#include "vec/quantize.h"

namespace ailake::vec {

namespace {
bool RowFinite(const float* v, size_t dim) {
  for (size_t i = 0; i < dim; ++i)
    if (!std::isfinite(v[i])) return false;
  return true;
}
bool UsesDirection(VectorMetric m) { return m == VectorMetric::kCosine || m == VectorMetric::kNormalizedCosine; }
void Normalize(std::vector<float>& v) {
  double n2 = 0;
  for (float x : v) n2 += double(x) * x;
  if (n2 <= 0) return;
  float inv = static_cast<float>(1.0 / std::sqrt(n2));
  for (float& x : v) x *= inv;
}

// Two passes over rows produced by `get(r, buf)` (returns false to skip a row).
template <typename Get>
CentroidRadius Compute(VectorMetric metric, size_t dim, size_t count, Get get) {
  CentroidRadius cr;
  std::vector<double> sum(dim, 0.0);
  std::vector<float> row(dim);
  const bool dir = UsesDirection(metric);
  for (size_t r = 0; r < count; ++r) {
    get(r, row.data());
    if (!RowFinite(row.data(), dim)) continue;
    if (dir) Normalize(row);
    for (size_t i = 0; i < dim; ++i) sum[i] += row[i];
    ++cr.count;
  }
  cr.centroid.assign(dim, 0.0f);
  if (cr.count == 0) return cr;
  for (size_t i = 0; i < dim; ++i) cr.centroid[i] = static_cast<float>(sum[i] / static_cast<double>(cr.count));
  if (dir) Normalize(cr.centroid);
  double maxd = 0;
  for (size_t r = 0; r < count; ++r) {
    get(r, row.data());
    if (!RowFinite(row.data(), dim)) continue;
    if (dir) Normalize(row);
    double d2 = 0;
    for (size_t i = 0; i < dim; ++i) {
      double d = double(row[i]) - cr.centroid[i];
      d2 += d * d;
    }
    maxd = std::fmax(maxd, std::sqrt(d2));
  }
  // Round up a hair so float error never makes the bound too tight.
  cr.radius = static_cast<float>(maxd * (1.0 + 1e-6) + 1e-7);
  return cr;
}
}  // namespace

CentroidRadius ComputeCentroidRadius(VectorMetric metric, const float* data, size_t dim, size_t count) {
  return Compute(metric, dim, count, [&](size_t r, float* out) {
    for (size_t i = 0; i < dim; ++i) out[i] = data[r * dim + i];
  });
}

CentroidRadius ComputeCentroidRadiusRows(VectorMetric metric, const uint8_t* rows, VectorPrecision precision,
                                         size_t dim, size_t count) {
  const size_t rb = RowBytes(precision, dim);
  return Compute(metric, dim, count, [&](size_t r, float* out) { DecodeRow(precision, rows + r * rb, dim, out); });
}

}  // namespace ailake::vec
