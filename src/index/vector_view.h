// VectorView: a non-owning view of one file's vector column, decoded once into a contiguous buffer.
//
// Row i of the view is Parquet row i of the file and node i of any index built over it; the index
// blob never stores vectors (guide §3). The file layer hands the index this view; the buffer must
// outlive every index built or loaded over it.
//
// Row layout per precision is vec/quantize.h's (f32: dim floats; f16: dim binary16; i8: dim int8 +
// float32 scale), so row r starts at data + r * RowBytes(precision, dim).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ailake/status.h"
#include "ailake/types.h"

namespace ailake::index {

struct VectorView {
  const uint8_t* data = nullptr;
  VectorPrecision precision = VectorPrecision::kF16;
  size_t dim = 0;
  size_t count = 0;
  VectorMetric metric = VectorMetric::kCosine;

  size_t row_bytes() const;
  const uint8_t* row(size_t r) const { return data + r * row_bytes(); }

  // InvalidArgument unless dim > 0, count fits a uint32 node id (below 2^32 - 1), data is non-null
  // when count > 0, and count * row_bytes does not overflow.
  Status Validate() const;
};

}  // namespace ailake::index
