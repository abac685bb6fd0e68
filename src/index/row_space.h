// RowSpace: metric distances over the rows of a VectorView, for index builds and searches.
//
// Two shapes of distance are needed:
//   QueryDistance(q, row)   an f32 query against a stored row (searches, and the search half of an
//                           insert, where the inserted row is decoded to f32 once);
//   NodeDistance(a, b)      two stored rows (the neighbour-selection heuristic during builds).
// Query distances go through vec::ActiveKernels() (runtime-dispatched SIMD) for every precision.
// The vec layer has no kernels for two int8 rows, so NodeDistance's i8 ones (builds only) live
// privately in row_space.cc as plain loops; all follow vec/quantize.h's row layout (dim int8 then
// a float32 scale).
//
// Cosine needs |x|: inverse norms of every row are computed once at construction (kept in memory,
// never stored in a blob). Per types.h a zero-norm vector is at distance 1 from everything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "index/prefetch.h"
#include "index/vector_view.h"
#include "vec/distance.h"

namespace ailake::index {

class RowSpace {
 public:
  // view must be valid (VectorView::Validate) and outlive this object. threads > 1 spreads the
  // inverse-norm pass over that many threads (cosine only).
  explicit RowSpace(const VectorView& view, size_t threads = 1);

  const VectorView& view() const { return view_; }
  size_t dim() const { return view_.dim; }
  size_t count() const { return view_.count; }

  // 1/|q| for cosine (0 when |q| == 0); unused (0) for the other metrics.
  float QueryInvNorm(const float* q) const;
  float QueryDistance(const float* q, float q_inv_norm, uint32_t row) const;
  float NodeDistance(uint32_t a, uint32_t b) const;
  // Decodes a row to f32 (dim floats).
  void DecodeRow(uint32_t row, float* out) const;
  // Hints the CPU to start loading a row (searches call this a few neighbours ahead).
  // The inverse norms this object keeps (the rows are the view's, not counted).
  size_t MemoryBytes() const { return inv_norms_.capacity() * sizeof(float); }
  void Prefetch(uint32_t row) const { PrefetchBytes(view_.data + static_cast<size_t>(row) * row_bytes_, prefetch_bytes_); }

 private:
  float Finish(float raw, float inv_a, float inv_b) const;

  VectorView view_;
  const vec::Kernels* kernels_;
  size_t row_bytes_;
  size_t prefetch_bytes_;
  std::vector<float> inv_norms_;  // cosine only: 1/|row| or 0
};

}  // namespace ailake::index
