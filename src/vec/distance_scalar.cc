// The scalar reference kernels: the definition every SIMD path is tested against.
#include "vec/distance.h"
#include "vec/f16.h"

namespace ailake::vec {

namespace {
float DotF32(const float* a, const float* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}
float L2F32(const float* a, const float* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) {
    float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}
float DotF32F16(const float* a, const uint16_t* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += a[i] * HalfToFloat(b[i]);
  return s;
}
float L2F32F16(const float* a, const uint16_t* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) {
    float d = a[i] - HalfToFloat(b[i]);
    s += d * d;
  }
  return s;
}
float DotF16F16(const uint16_t* a, const uint16_t* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += HalfToFloat(a[i]) * HalfToFloat(b[i]);
  return s;
}
float L2F16F16(const uint16_t* a, const uint16_t* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) {
    float d = HalfToFloat(a[i]) - HalfToFloat(b[i]);
    s += d * d;
  }
  return s;
}
float NormSqF32(const float* a, size_t n) { return DotF32(a, a, n); }
float NormSqF16(const uint16_t* a, size_t n) { return DotF16F16(a, a, n); }
}  // namespace

const Kernels& ScalarKernels() {
  static const Kernels k{Isa::kScalar, DotF32, L2F32, DotF32F16, L2F32F16, DotF16F16, L2F16F16, NormSqF32, NormSqF16};
  return k;
}

}  // namespace ailake::vec
