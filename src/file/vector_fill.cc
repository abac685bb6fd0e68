#include "file/vector_fill.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "vec/f16.h"
#include "vec/quantize.h"
#include "parquet/value_json.h"

namespace ailake::file {

vec::CentroidRadius CentroidOfPresentRows(VectorMetric metric, VectorPrecision precision, size_t dim,
                                          std::span<const uint8_t> rows, const std::vector<uint8_t>& nulls,
                                          size_t count) {
  const size_t rb = vec::RowBytes(precision, dim);
  const bool any_null = std::any_of(nulls.begin(), nulls.end(), [](uint8_t b) { return b != 0; });
  if (!any_null) return vec::ComputeCentroidRadiusRows(metric, rows.data(), precision, dim, count);
  std::vector<uint8_t> present;
  size_t n = 0;
  for (size_t r = 0; r < count; ++r) {
    if (nulls[r]) continue;
    present.insert(present.end(), rows.begin() + static_cast<std::ptrdiff_t>(r * rb),
                   rows.begin() + static_cast<std::ptrdiff_t>((r + 1) * rb));
    ++n;
  }
  vec::CentroidRadius cr = vec::ComputeCentroidRadiusRows(metric, present.data(), precision, dim, n);
  if (cr.centroid.size() != dim) cr.centroid.assign(dim, 0.0f);
  return cr;
}

void FillNullRows(VectorPrecision precision, size_t dim, const std::vector<float>& centroid,
                  const std::vector<uint8_t>& nulls, std::span<uint8_t> rows) {
  const size_t rb = vec::RowBytes(precision, dim);
  std::vector<uint8_t> encoded(rb);
  vec::EncodeRow(precision, centroid.data(), dim, encoded.data());
  for (size_t r = 0; r < nulls.size(); ++r) {
    if (nulls[r]) std::memcpy(rows.data() + r * rb, encoded.data(), rb);
  }
}

Status CheckStorable(VectorPrecision precision, const float* v, size_t dim) {
  for (size_t i = 0; i < dim; ++i) {
    const float x = v[i];
    const bool finite = std::isfinite(x);
    // FloatToHalf rounds to nearest: exactly the values it turns into an infinity are refused.
    if (finite && (precision != VectorPrecision::kF16 || std::isfinite(vec::HalfToFloat(vec::FloatToHalf(x))))) continue;
    std::string shown;
    parquet::AppendJsonFloat(x, &shown);
    if (!finite) return Status::InvalidArgument("element " + std::to_string(i) + " is " + shown + ", not a finite number");
    return Status::InvalidArgument("element " + std::to_string(i) + " is " + shown +
                                   ", outside the f16 range (magnitudes up to 65504); scale the vector or store the "
                                   "column as f32 (create --precision f32)");
  }
  return Status::OK();
}

void NormalizeInPlace(float* v, size_t dim) {
  double n2 = 0;
  for (size_t i = 0; i < dim; ++i) n2 += double(v[i]) * v[i];
  if (n2 <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(n2));
  for (size_t i = 0; i < dim; ++i) v[i] *= inv;
}

}  // namespace ailake::file
