// Stored row layouts of a vector column (FIXED_LEN_BYTE_ARRAY in Parquet), all little-endian:
//   f32: dim x float32                                    RowBytes = 4*dim
//   f16: dim x binary16                                   RowBytes = 2*dim
//   i8 : dim x int8 q[i], then float32 scale              RowBytes = dim + 4
//        decoded value x[i] = q[i] * scale; scale = max|x| / 127 (0 for an all-zero vector),
//        q[i] = round-half-away(x[i] / scale) clamped to [-127, 127]. The scale travels with each
//        row so an i8 column stays decodable by anyone who reads docs/FORMAT.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ailake/status.h"
#include "ailake/types.h"

namespace ailake::vec {

size_t RowBytes(VectorPrecision precision, size_t dim);

// The float32 scale of an i8 row (its bytes after the dim int8 values; unaligned for most dims).
inline float I8RowScale(const uint8_t* row, size_t dim) {
  float s;
  std::memcpy(&s, row + dim, sizeof s);
  return s;
}

// Encodes one f32 vector into its row bytes (out has RowBytes(precision, dim) bytes).
void EncodeRow(VectorPrecision precision, const float* in, size_t dim, uint8_t* out);
// Decodes one row back to f32.
void DecodeRow(VectorPrecision precision, const uint8_t* in, size_t dim, float* out);

// Bulk versions over `count` contiguous rows.
void EncodeRows(VectorPrecision precision, const float* in, size_t dim, size_t count, uint8_t* out);
void DecodeRows(VectorPrecision precision, const uint8_t* in, size_t dim, size_t count, float* out);

// InvalidArgument naming the first non-finite element (row, index) if any; vectors written to a
// table must be finite.
Status CheckFinite(const float* data, size_t dim, size_t count);

}  // namespace ailake::vec
