#include "vec/quantize.h"

#include <cmath>
#include <cstring>
#include <string>

#include "vec/f16.h"

namespace ailake::vec {

size_t RowBytes(VectorPrecision precision, size_t dim) {
  switch (precision) {
    case VectorPrecision::kF32: return 4 * dim;
    case VectorPrecision::kF16: return 2 * dim;
    case VectorPrecision::kI8: return dim + 4;
  }
  return 0;
}

void EncodeRow(VectorPrecision precision, const float* in, size_t dim, uint8_t* out) {
  switch (precision) {
    case VectorPrecision::kF32:
      std::memcpy(out, in, 4 * dim);
      return;
    case VectorPrecision::kF16:
      // The bulk conversion accepts any alignment (rows sit at any byte offset).
      FloatToHalfN(in, reinterpret_cast<uint16_t*>(out), dim);
      return;
    case VectorPrecision::kI8: {
      float maxabs = 0;
      for (size_t i = 0; i < dim; ++i) maxabs = std::fmax(maxabs, std::fabs(in[i]));
      const float scale = maxabs > 0 ? maxabs / 127.0f : 0.0f;
      for (size_t i = 0; i < dim; ++i) {
        long q = scale > 0 ? std::lround(in[i] / scale) : 0;
        if (q > 127) q = 127;
        if (q < -127) q = -127;
        out[i] = static_cast<uint8_t>(static_cast<int8_t>(q));
      }
      std::memcpy(out + dim, &scale, 4);
      return;
    }
  }
}

void DecodeRow(VectorPrecision precision, const uint8_t* in, size_t dim, float* out) {
  switch (precision) {
    case VectorPrecision::kF32:
      std::memcpy(out, in, 4 * dim);
      return;
    case VectorPrecision::kF16:
      HalfToFloatN(reinterpret_cast<const uint16_t*>(in), out, dim);
      return;
    case VectorPrecision::kI8: {
      const float scale = I8RowScale(in, dim);
      for (size_t i = 0; i < dim; ++i) out[i] = static_cast<float>(static_cast<int8_t>(in[i])) * scale;
      return;
    }
  }
}

void EncodeRows(VectorPrecision precision, const float* in, size_t dim, size_t count, uint8_t* out) {
  const size_t rb = RowBytes(precision, dim);
  if (precision == VectorPrecision::kF16) {
    FloatToHalfN(in, reinterpret_cast<uint16_t*>(out), dim * count);
    return;
  }
  for (size_t r = 0; r < count; ++r) EncodeRow(precision, in + r * dim, dim, out + r * rb);
}

void DecodeRows(VectorPrecision precision, const uint8_t* in, size_t dim, size_t count, float* out) {
  const size_t rb = RowBytes(precision, dim);
  if (precision == VectorPrecision::kF16) {
    HalfToFloatN(reinterpret_cast<const uint16_t*>(in), out, dim * count);
    return;
  }
  for (size_t r = 0; r < count; ++r) DecodeRow(precision, in + r * rb, dim, out + r * dim);
}

Status CheckFinite(const float* data, size_t dim, size_t count) {
  for (size_t r = 0; r < count; ++r) {
    for (size_t i = 0; i < dim; ++i) {
      if (!std::isfinite(data[r * dim + i])) {
        return Status::InvalidArgument("vector " + std::to_string(r) + " has a non-finite value (" +
                                       std::to_string(data[r * dim + i]) + ") at element " + std::to_string(i) +
                                       ": embeddings must be finite; fix or drop this row");
      }
    }
  }
  return Status::OK();
}

}  // namespace ailake::vec
