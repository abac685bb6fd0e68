#include "vec/distance.h"

#include <cmath>
#include <vector>

#include "vec/quantize.h"

namespace ailake::vec {

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

const Kernels* KernelsFor(Isa isa) {
  if (isa == Isa::kScalar) return &ScalarKernels();
  return nullptr;  // SIMD paths are registered by distance_avx2.cc / distance_avx512.cc
}

const Kernels& ActiveKernels() {
  static const Kernels& k = ScalarKernels();
  return k;
}

namespace {
inline float CosineFromParts(float dot, float na2, float nb2) {
  if (na2 <= 0.0f || nb2 <= 0.0f) return 1.0f;
  return 1.0f - dot / std::sqrt(na2 * nb2);
}
}  // namespace

float Distance(VectorMetric metric, const float* a, const float* b, size_t n) {
  const Kernels& k = ActiveKernels();
  switch (metric) {
    case VectorMetric::kEuclidean: return k.l2sq_f32(a, b, n);
    case VectorMetric::kDot: return -k.dot_f32(a, b, n);
    case VectorMetric::kNormalizedCosine: return 1.0f - k.dot_f32(a, b, n);
    case VectorMetric::kCosine: return CosineFromParts(k.dot_f32(a, b, n), k.norm_sq_f32(a, n), k.norm_sq_f32(b, n));
  }
  return 0.0f;
}

void BatchDistance(VectorMetric metric, const float* query, const uint8_t* rows, VectorPrecision precision,
                   size_t dim, size_t count, float* out) {
  const Kernels& k = ActiveKernels();
  const size_t rb = RowBytes(precision, dim);
  const float qn2 = metric == VectorMetric::kCosine ? k.norm_sq_f32(query, dim) : 0.0f;
  std::vector<float> tmp;
  if (precision == VectorPrecision::kI8) tmp.resize(dim);
  for (size_t r = 0; r < count; ++r) {
    const uint8_t* row = rows + r * rb;
    float dot = 0, l2 = 0, xn2 = 0;
    if (precision == VectorPrecision::kF16) {
      const auto* h = reinterpret_cast<const uint16_t*>(row);
      if (metric == VectorMetric::kEuclidean) l2 = k.l2sq_f32_f16(query, h, dim);
      else dot = k.dot_f32_f16(query, h, dim);
      if (metric == VectorMetric::kCosine) xn2 = k.norm_sq_f16(h, dim);
    } else {
      const float* f;
      if (precision == VectorPrecision::kF32) {
        f = reinterpret_cast<const float*>(row);
      } else {
        DecodeRow(precision, row, dim, tmp.data());
        f = tmp.data();
      }
      if (metric == VectorMetric::kEuclidean) l2 = k.l2sq_f32(query, f, dim);
      else dot = k.dot_f32(query, f, dim);
      if (metric == VectorMetric::kCosine) xn2 = k.norm_sq_f32(f, dim);
    }
    switch (metric) {
      case VectorMetric::kEuclidean: out[r] = l2; break;
      case VectorMetric::kDot: out[r] = -dot; break;
      case VectorMetric::kNormalizedCosine: out[r] = 1.0f - dot; break;
      case VectorMetric::kCosine: out[r] = CosineFromParts(dot, qn2, xn2); break;
    }
  }
}

}  // namespace ailake::vec
