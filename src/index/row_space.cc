#include "index/row_space.h"

#include <algorithm>
#include <cmath>

#include "core/thread_pool.h"
#include "vec/quantize.h"

namespace ailake::index {

namespace {

// --- private int8 kernels (row = dim x int8, then float32 scale) ---------------------------------

float DotI8I8(const uint8_t* a, const uint8_t* b, size_t dim) {
  const auto* x = reinterpret_cast<const int8_t*>(a);
  const auto* y = reinterpret_cast<const int8_t*>(b);
  // |x*y| <= 127^2 < 2^14, so an int32 sum of 64K products cannot overflow; flush into 64 bits
  // every 64K elements so any dim is safe.
  int32_t acc = 0;
  int64_t wide = 0;
  for (size_t i = 0; i < dim; ++i) {
    acc += static_cast<int32_t>(x[i]) * static_cast<int32_t>(y[i]);
    if ((i & 0xFFFF) == 0xFFFF) {
      wide += acc;
      acc = 0;
    }
  }
  wide += acc;
  return static_cast<float>(wide) * vec::I8RowScale(a, dim) * vec::I8RowScale(b, dim);
}

float L2sqI8I8(const uint8_t* a, const uint8_t* b, size_t dim) {
  const auto* x = reinterpret_cast<const int8_t*>(a);
  const auto* y = reinterpret_cast<const int8_t*>(b);
  const float sa = vec::I8RowScale(a, dim), sb = vec::I8RowScale(b, dim);
  float acc = 0;
  for (size_t i = 0; i < dim; ++i) {
    const float d = sa * static_cast<float>(x[i]) - sb * static_cast<float>(y[i]);
    acc += d * d;
  }
  return acc;
}

float NormSqI8(const uint8_t* row, size_t dim) {
  const auto* x = reinterpret_cast<const int8_t*>(row);
  float acc = 0;
  for (size_t i = 0; i < dim; ++i) acc += static_cast<float>(x[i]) * static_cast<float>(x[i]);
  const float s = vec::I8RowScale(row, dim);
  return acc * s * s;
}

float InvSqrtOrZero(float norm_sq) {
  // A non-finite or zero norm gives 0: such a vector is at distance 1 from everything (types.h).
  if (!(norm_sq > 0.0f) || !std::isfinite(norm_sq)) return 0.0f;
  return 1.0f / std::sqrt(norm_sq);
}

}  // namespace

RowSpace::RowSpace(const VectorView& view, size_t threads)
    : view_(view), kernels_(&vec::ActiveKernels()), row_bytes_(view.row_bytes()) {
  // Hint the whole row (up to 16 lines): a warm search of a table larger than the last-level
  // cache finds most rows in DRAM, and waiting for the hardware prefetcher to pick up the rest of
  // a row after its first lines cost more than the 12 prefetch instructions of a 384-d f16 row
  // (docs/BENCHMARKS.md, "Prefetching").
  prefetch_bytes_ = std::min<size_t>(row_bytes_, 1024);
  if (view_.metric != VectorMetric::kCosine) return;
  inv_norms_.resize(view_.count);
  auto one = [&](size_t r) {
    const uint8_t* p = view_.data + r * row_bytes_;
    float n2 = 0;
    switch (view_.precision) {
      case VectorPrecision::kF32: n2 = kernels_->norm_sq_f32(reinterpret_cast<const float*>(p), view_.dim); break;
      case VectorPrecision::kF16: n2 = kernels_->norm_sq_f16(reinterpret_cast<const uint16_t*>(p), view_.dim); break;
      case VectorPrecision::kI8: n2 = NormSqI8(p, view_.dim); break;
    }
    inv_norms_[r] = InvSqrtOrZero(n2);
  };
  if (threads > 1 && view_.count > 4096) {
    ThreadPool pool(threads - 1);
    pool.ParallelFor(view_.count, one);
  } else {
    for (size_t r = 0; r < view_.count; ++r) one(r);
  }
}

float RowSpace::QueryInvNorm(const float* q) const {
  if (view_.metric != VectorMetric::kCosine) return 0.0f;
  return InvSqrtOrZero(kernels_->norm_sq_f32(q, view_.dim));
}

inline float RowSpace::Finish(float raw, float inv_a, float inv_b) const {
  float d = raw;
  switch (view_.metric) {
    case VectorMetric::kEuclidean: d = raw; break;
    case VectorMetric::kDot: d = -raw; break;
    case VectorMetric::kNormalizedCosine: d = 1.0f - raw; break;
    case VectorMetric::kCosine: d = (inv_a == 0.0f || inv_b == 0.0f) ? 1.0f : 1.0f - raw * inv_a * inv_b; break;
  }
  // Rows come from files: a NaN element must not break the ordering every heap and sort relies on
  // (a strict weak order), so NaN sorts last as +inf.
  return d != d ? __builtin_inff() : d;
}

float RowSpace::QueryDistance(const float* q, float q_inv_norm, uint32_t row) const {
  const uint8_t* p = view_.data + static_cast<size_t>(row) * row_bytes_;
  const size_t dim = view_.dim;
  const bool l2 = view_.metric == VectorMetric::kEuclidean;
  float raw = 0;
  switch (view_.precision) {
    case VectorPrecision::kF16: {
      const auto* h = reinterpret_cast<const uint16_t*>(p);
      raw = l2 ? kernels_->l2sq_f32_f16(q, h, dim) : kernels_->dot_f32_f16(q, h, dim);
      break;
    }
    case VectorPrecision::kF32: {
      const auto* f = reinterpret_cast<const float*>(p);
      raw = l2 ? kernels_->l2sq_f32(q, f, dim) : kernels_->dot_f32(q, f, dim);
      break;
    }
    case VectorPrecision::kI8: {
      const auto* x = reinterpret_cast<const int8_t*>(p);
      const float scale = vec::I8RowScale(p, dim);
      raw = l2 ? kernels_->l2sq_f32_i8(q, x, scale, dim) : kernels_->dot_f32_i8(q, x, scale, dim);
      break;
    }
  }
  return Finish(raw, q_inv_norm, inv_norms_.empty() ? 0.0f : inv_norms_[row]);
}

float RowSpace::NodeDistance(uint32_t a, uint32_t b) const {
  const uint8_t* pa = view_.data + static_cast<size_t>(a) * row_bytes_;
  const uint8_t* pb = view_.data + static_cast<size_t>(b) * row_bytes_;
  const size_t dim = view_.dim;
  const bool l2 = view_.metric == VectorMetric::kEuclidean;
  float raw = 0;
  switch (view_.precision) {
    case VectorPrecision::kF16: {
      const auto* ha = reinterpret_cast<const uint16_t*>(pa);
      const auto* hb = reinterpret_cast<const uint16_t*>(pb);
      raw = l2 ? kernels_->l2sq_f16_f16(ha, hb, dim) : kernels_->dot_f16_f16(ha, hb, dim);
      break;
    }
    case VectorPrecision::kF32: {
      const auto* fa = reinterpret_cast<const float*>(pa);
      const auto* fb = reinterpret_cast<const float*>(pb);
      raw = l2 ? kernels_->l2sq_f32(fa, fb, dim) : kernels_->dot_f32(fa, fb, dim);
      break;
    }
    case VectorPrecision::kI8: raw = l2 ? L2sqI8I8(pa, pb, dim) : DotI8I8(pa, pb, dim); break;
  }
  if (inv_norms_.empty()) return Finish(raw, 0.0f, 0.0f);
  return Finish(raw, inv_norms_[a], inv_norms_[b]);
}

void RowSpace::DecodeRow(uint32_t row, float* out) const {
  vec::DecodeRow(view_.precision, view_.data + static_cast<size_t>(row) * row_bytes_, view_.dim, out);
}

}  // namespace ailake::index
