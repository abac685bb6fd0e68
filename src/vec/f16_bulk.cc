// Bulk f16 conversion (scalar; SIMD variants are selected at runtime when available).
#include "vec/f16.h"

namespace ailake::vec {

void HalfToFloatN(const uint16_t* in, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = HalfToFloat(in[i]);
}
void FloatToHalfN(const float* in, uint16_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = FloatToHalf(in[i]);
}

}  // namespace ailake::vec
