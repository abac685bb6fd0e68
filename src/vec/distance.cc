// Runtime dispatch of the distance kernels, and the metric-level entry points built on them.
#include "vec/distance.h"

#include <cmath>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define AILAKE_VEC_X86 1
#endif

#include "core/logging.h"
#include "vec/distance_isa.h"
#include "vec/quantize.h"

namespace ailake::vec {

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

std::optional<Isa> ParseIsa(std::string_view name) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (name == IsaName(isa)) return isa;
  return std::nullopt;
}

namespace {

Isa DetectCpu() {
#ifdef AILAKE_VEC_X86
  // __builtin_cpu_supports also checks (XGETBV) that the OS saves the YMM/ZMM state.
  __builtin_cpu_init();
  // clang 14 has no "f16c" for __builtin_cpu_supports: read CPUID leaf 1 ECX bit 29 directly
  // (F16C only needs the YMM state the avx2 check already covers).
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
  // The levels nest (KernelsFor hands out every ISA up to the detected one), so avx512 also
  // requires the avx2 set; every real AVX-512 CPU has it.
  if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl")) {
    return Isa::kAvx512;
  }
  if (avx2) return Isa::kAvx2;
#endif
  return Isa::kScalar;
}

}  // namespace

// An unknown AILAKE_ISA value is reported and ignored; a value above what the CPU runs is clamped
// (an unsupported instruction would kill the process).
Isa internal::SelectIsa(Isa detected, const char* env) {
  if (env == nullptr || *env == '\0') return detected;
  const std::optional<Isa> wanted = ParseIsa(env);
  if (!wanted) {
    LogWarn(std::string("AILAKE_ISA=") + env + " is not one of scalar|avx2|avx512; using " +
            std::string(IsaName(detected)));
    return detected;
  }
  if (*wanted > detected) {
    LogInfo(std::string("AILAKE_ISA=") + env + " is not supported by this CPU; using " +
            std::string(IsaName(detected)));
    return detected;
  }
  return *wanted;
}

Isa DetectedIsa() {
  static const Isa isa = DetectCpu();
  return isa;
}

Isa ActiveIsa() {
  static const Isa isa = internal::SelectIsa(DetectedIsa(), std::getenv("AILAKE_ISA"));
  return isa;
}

const Kernels* KernelsFor(Isa isa) {
  if (isa > DetectedIsa()) return nullptr;
  switch (isa) {
    case Isa::kScalar: return &ScalarKernels();
#ifdef AILAKE_VEC_X86
    case Isa::kAvx2: return &internal::Avx2Kernels();
    case Isa::kAvx512: return &internal::Avx512Kernels();
#else
    default: return nullptr;
#endif
  }
  return nullptr;
}

const Kernels& ActiveKernels() {
  // ActiveIsa() <= DetectedIsa(), so KernelsFor cannot return nullptr here.
  static const Kernels& k = *KernelsFor(ActiveIsa());
  return k;
}

namespace {

// 1 / |x| from |x|^2, or 0 when the norm is zero (or not a positive number): per types.h a
// zero-norm vector is at cosine distance 1 from everything.
inline float InvNorm(float norm_sq) { return norm_sq > 0.0f ? 1.0f / std::sqrt(norm_sq) : 0.0f; }

// sqrt is taken of each squared norm separately: the product of two large squared norms could
// overflow float where the product of the norms does not.
inline float CosineDistance(float dot, float inv_norm_a, float inv_norm_b) {
  if (inv_norm_a == 0.0f || inv_norm_b == 0.0f) return 1.0f;
  return 1.0f - dot * inv_norm_a * inv_norm_b;
}

// The kernels one element type needs, pulled out of Kernels once per call.
template <typename Elem>
struct RowKernels {
  float (*dot)(const float*, const Elem*, size_t);
  float (*l2sq)(const float*, const Elem*, size_t);
  float (*dot_norm)(const float*, const Elem*, size_t, float*);
};

// `count` rows of Elem, `stride` bytes apart. One loop per metric, so the per-row work is a single
// kernel call plus the finishing arithmetic.
template <typename Elem>
void RowsLoop(VectorMetric metric, const RowKernels<Elem>& k, const float* q, float q_inv_norm, const uint8_t* rows,
              size_t stride, size_t dim, size_t count, float* out) {
  auto row = [&](size_t r) { return reinterpret_cast<const Elem*>(rows + r * stride); };
  switch (metric) {
    case VectorMetric::kEuclidean:
      for (size_t r = 0; r < count; ++r) out[r] = k.l2sq(q, row(r), dim);
      return;
    case VectorMetric::kDot:
      for (size_t r = 0; r < count; ++r) out[r] = -k.dot(q, row(r), dim);
      return;
    case VectorMetric::kNormalizedCosine:
      for (size_t r = 0; r < count; ++r) out[r] = 1.0f - k.dot(q, row(r), dim);
      return;
    case VectorMetric::kCosine:
      for (size_t r = 0; r < count; ++r) {
        float x_norm_sq;
        const float dot = k.dot_norm(q, row(r), dim, &x_norm_sq);
        out[r] = CosineDistance(dot, q_inv_norm, InvNorm(x_norm_sq));
      }
      return;
  }
}

// i8 rows: dim int8 values then the row's float32 scale (vec/quantize.h); the kernels apply it.
void RowsLoopI8(VectorMetric metric, const Kernels& k, const float* q, float q_inv_norm, const uint8_t* rows,
                size_t stride, size_t dim, size_t count, float* out) {
  auto values = [&](size_t r) { return reinterpret_cast<const int8_t*>(rows + r * stride); };
  auto scale = [&](size_t r) { return I8RowScale(rows + r * stride, dim); };
  switch (metric) {
    case VectorMetric::kEuclidean:
      for (size_t r = 0; r < count; ++r) out[r] = k.l2sq_f32_i8(q, values(r), scale(r), dim);
      return;
    case VectorMetric::kDot:
      for (size_t r = 0; r < count; ++r) out[r] = -k.dot_f32_i8(q, values(r), scale(r), dim);
      return;
    case VectorMetric::kNormalizedCosine:
      for (size_t r = 0; r < count; ++r) out[r] = 1.0f - k.dot_f32_i8(q, values(r), scale(r), dim);
      return;
    case VectorMetric::kCosine:
      for (size_t r = 0; r < count; ++r) {
        float x_norm_sq;
        const float dot = k.dot_norm_f32_i8(q, values(r), scale(r), dim, &x_norm_sq);
        out[r] = CosineDistance(dot, q_inv_norm, InvNorm(x_norm_sq));
      }
      return;
  }
}

}  // namespace

float Distance(VectorMetric metric, const float* a, const float* b, size_t n) {
  const Kernels& k = ActiveKernels();
  switch (metric) {
    case VectorMetric::kEuclidean: return k.l2sq_f32(a, b, n);
    case VectorMetric::kDot: return -k.dot_f32(a, b, n);
    case VectorMetric::kNormalizedCosine: return 1.0f - k.dot_f32(a, b, n);
    case VectorMetric::kCosine: {
      float b_norm_sq;
      const float dot = k.dot_norm_f32(a, b, n, &b_norm_sq);
      return CosineDistance(dot, InvNorm(k.norm_sq_f32(a, n)), InvNorm(b_norm_sq));
    }
  }
  return 0.0f;
}

void BatchDistance(VectorMetric metric, const float* query, const uint8_t* rows, VectorPrecision precision,
                   size_t dim, size_t count, float* out) {
  const Kernels& k = ActiveKernels();
  const size_t stride = RowBytes(precision, dim);
  const float q_inv_norm = metric == VectorMetric::kCosine ? InvNorm(k.norm_sq_f32(query, dim)) : 0.0f;
  switch (precision) {
    case VectorPrecision::kF32: {
      const RowKernels<float> f32{k.dot_f32, k.l2sq_f32, k.dot_norm_f32};
      RowsLoop(metric, f32, query, q_inv_norm, rows, stride, dim, count, out);
      return;
    }
    case VectorPrecision::kF16: {
      const RowKernels<uint16_t> f16{k.dot_f32_f16, k.l2sq_f32_f16, k.dot_norm_f32_f16};
      RowsLoop(metric, f16, query, q_inv_norm, rows, stride, dim, count, out);
      return;
    }
    case VectorPrecision::kI8:
      RowsLoopI8(metric, k, query, q_inv_norm, rows, stride, dim, count, out);
      return;
  }
}

}  // namespace ailake::vec
