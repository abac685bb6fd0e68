// IEEE 754 binary16 <-> binary32 conversion.
//
// FloatToHalf rounds to nearest, ties to even; overflow becomes +/-Inf; NaN stays NaN (quiet, sign
// kept); values below the smallest subnormal round to signed zero; subnormals are exact where
// representable. HalfToFloat is exact. Bulk versions use F16C/AVX-512 when the CPU has them.
//
// NaN rule, shared bit-for-bit by the scalar code and the hardware (vcvtph2ps / vcvtps2ph):
//   half -> float: sign kept, payload shifted up 13 bits, quiet bit (float bit 22) set.
//   float -> half: sign kept, top 10 payload bits kept, quiet bit (half bit 9) set; so a NaN whose
//                  payload lives only in the low 13 bits becomes the plain quiet NaN 0x7E00 | sign.
// The hardware conversions use an explicit round-to-nearest-even immediate, so MXCSR's rounding
// mode does not matter; ailake never sets MXCSR.DAZ/FTZ (with DAZ set, vcvtps2ph would read float
// subnormal inputs as zero, which only changes results that round to zero anyway).
#pragma once

#include <cstddef>
#include <cstdint>

#include "vec/distance.h"

namespace ailake::vec {

float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);

// Bulk conversions through the ActiveIsa() implementation. No alignment required.
void HalfToFloatN(const uint16_t* in, float* out, size_t n);
void FloatToHalfN(const float* in, uint16_t* out, size_t n);

// The bulk conversions of one instruction set; every one gives results bit-identical to the
// element-wise HalfToFloat / FloatToHalf (tested exhaustively on halves in f16_test.cc).
struct F16Converters {
  Isa isa;
  void (*half_to_float)(const uint16_t* in, float* out, size_t n);
  void (*float_to_half)(const float* in, uint16_t* out, size_t n);
};
// nullptr when this CPU cannot run `isa`.
const F16Converters* F16ConvertersFor(Isa isa);

}  // namespace ailake::vec
