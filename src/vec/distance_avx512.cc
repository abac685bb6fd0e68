// AVX-512 kernels (16 float lanes); needs AVX-512F, plus BW+VL for the 16-bit masked tail loads.
//
// Same shape as distance_avx2.cc: function-level target attributes (the library must load on CPUs
// without AVX-512; distance.cc hands these out only after DetectedIsa() said avx512), four
// accumulators over 64 elements per iteration (two per sum in the dot+norm kernels), then 16 at a time, then one masked load for the last
// n % 16 elements. Masked-off lanes are zero (neutral for every op) and are never read from memory,
// so the tail cannot fault at the end of a page. f16 is widened with vcvtph2ps and int8 with
// vpmovsxbd + vcvtdq2ps, both exact; i8 dot and norm sums run on the raw integers and are scaled once
// at the end, i8 l2 scales each element (the difference needs the decoded value).
#include "vec/x86_intrinsics.h"

#include "vec/distance_isa.h"

#define AILAKE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

#if defined(__x86_64__) || defined(__i386__)
namespace ailake::vec {

namespace {

enum class Op { kDot, kL2 };

AILAKE_AVX512 inline __m512 Load16(const float* p) { return _mm512_loadu_ps(p); }
AILAKE_AVX512 inline __m512 Load16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
// Sixteen int8 values widened to float (exact); the caller applies the row scale.
AILAKE_AVX512 inline __m512 Load16(const int8_t* p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}
AILAKE_AVX512 inline __m512 LoadMasked(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
AILAKE_AVX512 inline __m512 LoadMasked(const int8_t* p, __mmask16 m) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p)));
}
AILAKE_AVX512 inline __m512 LoadMasked(const uint16_t* p, __mmask16 m) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}
// Lanes 0..r-1 set, for 0 < r < 16.
inline __mmask16 TailMask(size_t r) { return static_cast<__mmask16>((1u << r) - 1u); }

template <Op op>
AILAKE_AVX512 inline __m512 Step(__m512 acc, __m512 x, __m512 y) {
  if constexpr (op == Op::kL2) {
    const __m512 d = _mm512_sub_ps(x, y);
    return _mm512_fmadd_ps(d, d, acc);
  } else {
    return _mm512_fmadd_ps(x, y, acc);
  }
}

template <Op op, typename A, typename B>
AILAKE_AVX512 float Reduce(const A* a, const B* b, size_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = Step<op>(s0, Load16(a + i), Load16(b + i));
    s1 = Step<op>(s1, Load16(a + i + 16), Load16(b + i + 16));
    s2 = Step<op>(s2, Load16(a + i + 32), Load16(b + i + 32));
    s3 = Step<op>(s3, Load16(a + i + 48), Load16(b + i + 48));
  }
  for (; i + 16 <= n; i += 16) s0 = Step<op>(s0, Load16(a + i), Load16(b + i));
  if (i < n) {
    const __mmask16 m = TailMask(n - i);
    s1 = Step<op>(s1, LoadMasked(a + i, m), LoadMasked(b + i, m));
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

template <typename A>
AILAKE_AVX512 float NormSq(const A* a, size_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512 x0 = Load16(a + i), x1 = Load16(a + i + 16), x2 = Load16(a + i + 32), x3 = Load16(a + i + 48);
    s0 = _mm512_fmadd_ps(x0, x0, s0);
    s1 = _mm512_fmadd_ps(x1, x1, s1);
    s2 = _mm512_fmadd_ps(x2, x2, s2);
    s3 = _mm512_fmadd_ps(x3, x3, s3);
  }
  for (; i + 16 <= n; i += 16) {
    const __m512 x = Load16(a + i);
    s0 = _mm512_fmadd_ps(x, x, s0);
  }
  if (i < n) {
    const __m512 x = LoadMasked(a + i, TailMask(n - i));
    s1 = _mm512_fmadd_ps(x, x, s1);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

template <typename B>
AILAKE_AVX512 float DotNorm(const float* q, const B* x, size_t n, float* x_norm_sq) {
  __m512 d0 = _mm512_setzero_ps(), d1 = _mm512_setzero_ps();
  __m512 n0 = _mm512_setzero_ps(), n1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 x0 = Load16(x + i), x1 = Load16(x + i + 16);
    d0 = _mm512_fmadd_ps(Load16(q + i), x0, d0);
    d1 = _mm512_fmadd_ps(Load16(q + i + 16), x1, d1);
    n0 = _mm512_fmadd_ps(x0, x0, n0);
    n1 = _mm512_fmadd_ps(x1, x1, n1);
  }
  for (; i + 16 <= n; i += 16) {
    const __m512 xv = Load16(x + i);
    d0 = _mm512_fmadd_ps(Load16(q + i), xv, d0);
    n0 = _mm512_fmadd_ps(xv, xv, n0);
  }
  if (i < n) {
    const __mmask16 m = TailMask(n - i);
    const __m512 xv = LoadMasked(x + i, m);
    d1 = _mm512_fmadd_ps(LoadMasked(q + i, m), xv, d1);
    n1 = _mm512_fmadd_ps(xv, xv, n1);
  }
  *x_norm_sq = _mm512_reduce_add_ps(_mm512_add_ps(n0, n1));
  return _mm512_reduce_add_ps(_mm512_add_ps(d0, d1));
}

// sum of (q[i] - x[i] * scale)^2: the scale must be applied per element before subtracting.
AILAKE_AVX512 float L2I8(const float* q, const int8_t* x, float scale, size_t n) {
  const __m512 s = _mm512_set1_ps(scale);
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = Step<Op::kL2>(s0, Load16(q + i), _mm512_mul_ps(Load16(x + i), s));
    s1 = Step<Op::kL2>(s1, Load16(q + i + 16), _mm512_mul_ps(Load16(x + i + 16), s));
    s2 = Step<Op::kL2>(s2, Load16(q + i + 32), _mm512_mul_ps(Load16(x + i + 32), s));
    s3 = Step<Op::kL2>(s3, Load16(q + i + 48), _mm512_mul_ps(Load16(x + i + 48), s));
  }
  for (; i + 16 <= n; i += 16) s0 = Step<Op::kL2>(s0, Load16(q + i), _mm512_mul_ps(Load16(x + i), s));
  if (i < n) {
    const __mmask16 m = TailMask(n - i);
    s1 = Step<Op::kL2>(s1, LoadMasked(q + i, m), _mm512_mul_ps(LoadMasked(x + i, m), s));
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AILAKE_AVX512 float DotF32(const float* a, const float* b, size_t n) { return Reduce<Op::kDot>(a, b, n); }
AILAKE_AVX512 float L2F32(const float* a, const float* b, size_t n) { return Reduce<Op::kL2>(a, b, n); }
AILAKE_AVX512 float DotF32F16(const float* a, const uint16_t* b, size_t n) { return Reduce<Op::kDot>(a, b, n); }
AILAKE_AVX512 float L2F32F16(const float* a, const uint16_t* b, size_t n) { return Reduce<Op::kL2>(a, b, n); }
AILAKE_AVX512 float DotF16F16(const uint16_t* a, const uint16_t* b, size_t n) { return Reduce<Op::kDot>(a, b, n); }
AILAKE_AVX512 float L2F16F16(const uint16_t* a, const uint16_t* b, size_t n) { return Reduce<Op::kL2>(a, b, n); }
AILAKE_AVX512 float NormSqF32(const float* a, size_t n) { return NormSq(a, n); }
AILAKE_AVX512 float NormSqF16(const uint16_t* a, size_t n) { return NormSq(a, n); }
AILAKE_AVX512 float DotNormF32(const float* q, const float* x, size_t n, float* x_norm_sq) {
  return DotNorm(q, x, n, x_norm_sq);
}
AILAKE_AVX512 float DotNormF32F16(const float* q, const uint16_t* x, size_t n, float* x_norm_sq) {
  return DotNorm(q, x, n, x_norm_sq);
}

// i8 dot and norm: sums of the raw int8 values (exact widening), scaled once at the end.
AILAKE_AVX512 float DotF32I8(const float* q, const int8_t* x, float scale, size_t n) {
  return Reduce<Op::kDot>(q, x, n) * scale;
}
AILAKE_AVX512 float L2F32I8(const float* q, const int8_t* x, float scale, size_t n) { return L2I8(q, x, scale, n); }
AILAKE_AVX512 float DotNormF32I8(const float* q, const int8_t* x, float scale, size_t n, float* x_norm_sq) {
  float raw_norm;
  const float dot = DotNorm(q, x, n, &raw_norm);
  *x_norm_sq = raw_norm * scale * scale;
  return dot * scale;
}

}  // namespace

const Kernels& internal::Avx512Kernels() {
  static const Kernels k{Isa::kAvx512, DotF32,    L2F32,     DotF32F16,    L2F32F16, DotF16F16,
                         L2F16F16,     NormSqF32, NormSqF16, DotNormF32,   DotNormF32F16,
                         DotF32I8,     L2F32I8,   DotNormF32I8};
  return k;
}

}  // namespace ailake::vec
#endif  // x86
