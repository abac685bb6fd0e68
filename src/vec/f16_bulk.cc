// Bulk f16 conversion with runtime dispatch: scalar, F16C (8 lanes) and AVX-512F (16 lanes, masked
// tail). SIMD functions carry function-level target attributes (no global -m flags) and are only
// reached after DetectedIsa() confirmed the CPU runs them.
#include <cstring>

#include "vec/distance_isa.h"
#include "vec/f16.h"

#if defined(__x86_64__) || defined(__i386__)
#include "vec/x86_intrinsics.h"
#define AILAKE_VEC_X86 1
#define AILAKE_F16C __attribute__((target("avx2,f16c")))
#define AILAKE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#endif

namespace ailake::vec {

namespace {

using internal::LoadUnaligned;

// Element-wise; in/out may be misaligned (stored rows sit at any byte offset).
void HalfToFloatScalar(const uint16_t* in, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float f = HalfToFloat(LoadUnaligned(in + i));
    std::memcpy(out + i, &f, sizeof f);
  }
}
void FloatToHalfScalar(const float* in, uint16_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uint16_t h = FloatToHalf(LoadUnaligned(in + i));
    std::memcpy(out + i, &h, sizeof h);
  }
}

#ifdef AILAKE_VEC_X86
// Round to nearest even, and do not raise (or depend on) floating-point exception flags.
constexpr int kRoundNearestEven = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

AILAKE_F16C void HalfToFloatF16c(const uint16_t* in, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  HalfToFloatScalar(in + i, out + i, n - i);  // bit-identical by the shared NaN rule (f16.h)
}
AILAKE_F16C void FloatToHalfF16c(const float* in, uint16_t* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(in + i), kRoundNearestEven));
  FloatToHalfScalar(in + i, out + i, n - i);
}

AILAKE_AVX512 void HalfToFloatAvx512(const uint16_t* in, float* out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(out + i, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i))));
  if (i < n) {
    const auto m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(out + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, in + i)));
  }
}
AILAKE_AVX512 void FloatToHalfAvx512(const float* in, uint16_t* out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm512_cvtps_ph(_mm512_loadu_ps(in + i), kRoundNearestEven));
  }
  if (i < n) {
    const auto m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm256_mask_storeu_epi16(out + i, m, _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, in + i), kRoundNearestEven));
  }
}
#endif

const F16Converters kScalar{Isa::kScalar, HalfToFloatScalar, FloatToHalfScalar};
#ifdef AILAKE_VEC_X86
const F16Converters kF16c{Isa::kAvx2, HalfToFloatF16c, FloatToHalfF16c};
const F16Converters kAvx512{Isa::kAvx512, HalfToFloatAvx512, FloatToHalfAvx512};
#endif

const F16Converters& Active() {
  // ActiveIsa() never exceeds DetectedIsa(), so this is never nullptr.
  static const F16Converters& c = *F16ConvertersFor(ActiveIsa());
  return c;
}

}  // namespace

const F16Converters* F16ConvertersFor(Isa isa) {
  if (isa > DetectedIsa()) return nullptr;
  switch (isa) {
    case Isa::kScalar: return &kScalar;
#ifdef AILAKE_VEC_X86
    case Isa::kAvx2: return &kF16c;
    case Isa::kAvx512: return &kAvx512;
#else
    default: return nullptr;
#endif
  }
  return nullptr;
}

void HalfToFloatN(const uint16_t* in, float* out, size_t n) { Active().half_to_float(in, out, n); }
void FloatToHalfN(const float* in, uint16_t* out, size_t n) { Active().float_to_half(in, out, n); }

}  // namespace ailake::vec
