// IEEE 754 binary16 <-> binary32 conversion.
//
// FloatToHalf rounds to nearest, ties to even; overflow becomes +/-Inf; NaN stays NaN (quiet, sign
// kept); values below the smallest subnormal round to signed zero; subnormals are exact where
// representable. HalfToFloat is exact. Bulk versions use F16C/AVX-512 when the CPU has them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ailake::vec {

float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);

void HalfToFloatN(const uint16_t* in, float* out, size_t n);
void FloatToHalfN(const float* in, uint16_t* out, size_t n);

}  // namespace ailake::vec
