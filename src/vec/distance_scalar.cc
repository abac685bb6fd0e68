// The scalar reference kernels: the definition every SIMD path is tested against. Plain sequential
// float sums; elements are read through memcpy because rows may sit at any byte offset.
#include "vec/distance.h"
#include "vec/distance_isa.h"
#include "vec/f16.h"

namespace ailake::vec {

namespace {
using internal::LoadUnaligned;

// Element i of a row as a float, whatever its storage type.
inline float At(const float* p, size_t i) { return LoadUnaligned(p + i); }
inline float At(const uint16_t* p, size_t i) { return HalfToFloat(LoadUnaligned(p + i)); }

template <typename A, typename B>
float Dot(const A* a, const B* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += At(a, i) * At(b, i);
  return s;
}
template <typename A, typename B>
float L2(const A* a, const B* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) {
    const float d = At(a, i) - At(b, i);
    s += d * d;
  }
  return s;
}
template <typename A>
float NormSq(const A* a, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) {
    const float x = At(a, i);
    s += x * x;
  }
  return s;
}
// Same sums as Dot and NormSq, in one pass.
template <typename B>
float DotNorm(const float* q, const B* x, size_t n, float* x_norm_sq) {
  float dot = 0, nx = 0;
  for (size_t i = 0; i < n; ++i) {
    const float xi = At(x, i);
    dot += At(q, i) * xi;
    nx += xi * xi;
  }
  *x_norm_sq = nx;
  return dot;
}
// i8: each element is decoded exactly as DecodeRow does (float(x) * scale), then as for f32.
float DotF32I8(const float* q, const int8_t* x, float scale, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += At(q, i) * (static_cast<float>(x[i]) * scale);
  return s;
}
float L2F32I8(const float* q, const int8_t* x, float scale, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) {
    const float d = At(q, i) - static_cast<float>(x[i]) * scale;
    s += d * d;
  }
  return s;
}
float DotNormF32I8(const float* q, const int8_t* x, float scale, size_t n, float* x_norm_sq) {
  float dot = 0, nx = 0;
  for (size_t i = 0; i < n; ++i) {
    const float xi = static_cast<float>(x[i]) * scale;
    dot += At(q, i) * xi;
    nx += xi * xi;
  }
  *x_norm_sq = nx;
  return dot;
}
}  // namespace

const Kernels& ScalarKernels() {
  static const Kernels k{Isa::kScalar,
                         Dot<float, float>,
                         L2<float, float>,
                         Dot<float, uint16_t>,
                         L2<float, uint16_t>,
                         Dot<uint16_t, uint16_t>,
                         L2<uint16_t, uint16_t>,
                         NormSq<float>,
                         NormSq<uint16_t>,
                         DotNorm<float>,
                         DotNorm<uint16_t>,
                         DotF32I8,
                         L2F32I8,
                         DotNormF32I8};
  return k;
}

}  // namespace ailake::vec
