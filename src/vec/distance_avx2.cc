// AVX2 + FMA + F16C kernels (8 float lanes).
//
// Every function carries a target attribute instead of the file being built with -mavx2: the
// library must still load on CPUs without AVX2, and the dispatcher (distance.cc) only hands these
// out after DetectedIsa() said the CPU can run them.
//
// Shape of the single-sum kernels: four independent accumulators over 32 elements per iteration
// (hides the 4-cycle FMA latency; the dot+norm kernels keep two per sum), then 8 at a time into the first accumulator, then one zero-padded partial
// vector for the last n % 8 elements. Zero padding is neutral for all three ops (0*0, (0-0)^2).
// All loads are unaligned. f16 is widened with vcvtph2ps and int8 with vpmovsxbd + vcvtdq2ps, both
// exact; i8 dot and norm sums run on the raw integers and are scaled once at the end, i8 l2 scales
// each element (the difference needs the decoded value).
#include "vec/x86_intrinsics.h"

#include <cstring>

#include "vec/distance_isa.h"

#define AILAKE_AVX2 __attribute__((target("avx2,fma,f16c")))

#if defined(__x86_64__) || defined(__i386__)
namespace ailake::vec {

namespace {

enum class Op { kDot, kL2 };

AILAKE_AVX2 inline __m256 Load8(const float* p) { return _mm256_loadu_ps(p); }
AILAKE_AVX2 inline __m256 Load8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
// Eight int8 values widened to float (exact); the caller applies the row scale.
AILAKE_AVX2 inline __m256 Load8(const int8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// The first r (1..7) elements at p, the other lanes zero; never reads past p + r.
AILAKE_AVX2 inline __m256 LoadPartial(const float* p, size_t r) {
  // A sliding window over eight -1s then eight 0s gives the lane mask for r.
  static const int32_t kWindow[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kWindow + 8 - r));
  return _mm256_maskload_ps(p, mask);
}
AILAKE_AVX2 inline __m256 LoadPartial(const uint16_t* p, size_t r) {
  // No 16-bit masked load before AVX-512BW: stage through a zeroed buffer.
  alignas(16) uint16_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(buf, p, r * sizeof(uint16_t));
  return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(buf)));
}
AILAKE_AVX2 inline __m256 LoadPartial(const int8_t* p, size_t r) {
  alignas(8) int8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(buf, p, r);
  return Load8(buf);
}

AILAKE_AVX2 inline float HorizontalSum(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v);
  const __m128 hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

template <Op op>
AILAKE_AVX2 inline __m256 Step(__m256 acc, __m256 x, __m256 y) {
  if constexpr (op == Op::kL2) {
    const __m256 d = _mm256_sub_ps(x, y);
    return _mm256_fmadd_ps(d, d, acc);
  } else {
    return _mm256_fmadd_ps(x, y, acc);
  }
}

// sum over i of op(a[i], b[i]).
template <Op op, typename A, typename B>
AILAKE_AVX2 float Reduce(const A* a, const B* b, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = Step<op>(s0, Load8(a + i), Load8(b + i));
    s1 = Step<op>(s1, Load8(a + i + 8), Load8(b + i + 8));
    s2 = Step<op>(s2, Load8(a + i + 16), Load8(b + i + 16));
    s3 = Step<op>(s3, Load8(a + i + 24), Load8(b + i + 24));
  }
  for (; i + 8 <= n; i += 8) s0 = Step<op>(s0, Load8(a + i), Load8(b + i));
  if (i < n) s1 = Step<op>(s1, LoadPartial(a + i, n - i), LoadPartial(b + i, n - i));
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

// sum of a[i]^2 (each element loaded once).
template <typename A>
AILAKE_AVX2 float NormSq(const A* a, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 x0 = Load8(a + i), x1 = Load8(a + i + 8), x2 = Load8(a + i + 16), x3 = Load8(a + i + 24);
    s0 = _mm256_fmadd_ps(x0, x0, s0);
    s1 = _mm256_fmadd_ps(x1, x1, s1);
    s2 = _mm256_fmadd_ps(x2, x2, s2);
    s3 = _mm256_fmadd_ps(x3, x3, s3);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 x = Load8(a + i);
    s0 = _mm256_fmadd_ps(x, x, s0);
  }
  if (i < n) {
    const __m256 x = LoadPartial(a + i, n - i);
    s1 = _mm256_fmadd_ps(x, x, s1);
  }
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

// dot(q, x) and |x|^2 in one pass; two accumulators each (eight live registers in the main loop).
template <typename B>
AILAKE_AVX2 float DotNorm(const float* q, const B* x, size_t n, float* x_norm_sq) {
  __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
  __m256 n0 = _mm256_setzero_ps(), n1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 x0 = Load8(x + i), x1 = Load8(x + i + 8);
    d0 = _mm256_fmadd_ps(Load8(q + i), x0, d0);
    d1 = _mm256_fmadd_ps(Load8(q + i + 8), x1, d1);
    n0 = _mm256_fmadd_ps(x0, x0, n0);
    n1 = _mm256_fmadd_ps(x1, x1, n1);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 xv = Load8(x + i);
    d0 = _mm256_fmadd_ps(Load8(q + i), xv, d0);
    n0 = _mm256_fmadd_ps(xv, xv, n0);
  }
  if (i < n) {
    const __m256 xv = LoadPartial(x + i, n - i);
    d1 = _mm256_fmadd_ps(LoadPartial(q + i, n - i), xv, d1);
    n1 = _mm256_fmadd_ps(xv, xv, n1);
  }
  *x_norm_sq = HorizontalSum(_mm256_add_ps(n0, n1));
  return HorizontalSum(_mm256_add_ps(d0, d1));
}

// sum of (q[i] - x[i] * scale)^2: the scale must be applied per element before subtracting.
AILAKE_AVX2 float L2I8(const float* q, const int8_t* x, float scale, size_t n) {
  const __m256 s = _mm256_set1_ps(scale);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = Step<Op::kL2>(s0, Load8(q + i), _mm256_mul_ps(Load8(x + i), s));
    s1 = Step<Op::kL2>(s1, Load8(q + i + 8), _mm256_mul_ps(Load8(x + i + 8), s));
    s2 = Step<Op::kL2>(s2, Load8(q + i + 16), _mm256_mul_ps(Load8(x + i + 16), s));
    s3 = Step<Op::kL2>(s3, Load8(q + i + 24), _mm256_mul_ps(Load8(x + i + 24), s));
  }
  for (; i + 8 <= n; i += 8) s0 = Step<Op::kL2>(s0, Load8(q + i), _mm256_mul_ps(Load8(x + i), s));
  if (i < n) s1 = Step<Op::kL2>(s1, LoadPartial(q + i, n - i), _mm256_mul_ps(LoadPartial(x + i, n - i), s));
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

// Non-template entry points: the Kernels table needs plain function pointers with the exact types.
AILAKE_AVX2 float DotF32(const float* a, const float* b, size_t n) { return Reduce<Op::kDot>(a, b, n); }
AILAKE_AVX2 float L2F32(const float* a, const float* b, size_t n) { return Reduce<Op::kL2>(a, b, n); }
AILAKE_AVX2 float DotF32F16(const float* a, const uint16_t* b, size_t n) { return Reduce<Op::kDot>(a, b, n); }
AILAKE_AVX2 float L2F32F16(const float* a, const uint16_t* b, size_t n) { return Reduce<Op::kL2>(a, b, n); }
AILAKE_AVX2 float DotF16F16(const uint16_t* a, const uint16_t* b, size_t n) { return Reduce<Op::kDot>(a, b, n); }
AILAKE_AVX2 float L2F16F16(const uint16_t* a, const uint16_t* b, size_t n) { return Reduce<Op::kL2>(a, b, n); }
AILAKE_AVX2 float NormSqF32(const float* a, size_t n) { return NormSq(a, n); }
AILAKE_AVX2 float NormSqF16(const uint16_t* a, size_t n) { return NormSq(a, n); }
AILAKE_AVX2 float DotNormF32(const float* q, const float* x, size_t n, float* x_norm_sq) {
  return DotNorm(q, x, n, x_norm_sq);
}
AILAKE_AVX2 float DotNormF32F16(const float* q, const uint16_t* x, size_t n, float* x_norm_sq) {
  return DotNorm(q, x, n, x_norm_sq);
}

// i8 dot and norm: sums of the raw int8 values (exact widening), scaled once at the end.
AILAKE_AVX2 float DotF32I8(const float* q, const int8_t* x, float scale, size_t n) {
  return Reduce<Op::kDot>(q, x, n) * scale;
}
AILAKE_AVX2 float L2F32I8(const float* q, const int8_t* x, float scale, size_t n) { return L2I8(q, x, scale, n); }
AILAKE_AVX2 float DotNormF32I8(const float* q, const int8_t* x, float scale, size_t n, float* x_norm_sq) {
  float raw_norm;
  const float dot = DotNorm(q, x, n, &raw_norm);
  *x_norm_sq = raw_norm * scale * scale;
  return dot * scale;
}

}  // namespace

const Kernels& internal::Avx2Kernels() {
  static const Kernels k{Isa::kAvx2,  DotF32,    L2F32,      DotF32F16,     L2F32F16, DotF16F16,
                         L2F16F16,    NormSqF32, NormSqF16,  DotNormF32,    DotNormF32F16,
                         DotF32I8,    L2F32I8,   DotNormF32I8};
  return k;
}

}  // namespace ailake::vec
#endif  // x86
