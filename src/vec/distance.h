// Distance kernels with runtime CPU dispatch.
//
// Every metric is "smaller is closer" (see ailake/types.h for the exact formulas). Kernels exist for
// f32, f16 and i8 data; the query side is always f32 (queries are few, data is many). Which
// instruction set runs is picked once at startup from CPUID (AVX-512F+BW+VL > AVX2+FMA+F16C > scalar) and
// may be forced lower with AILAKE_ISA=scalar|avx2|avx512 (never higher than the CPU supports).
// Every SIMD path is tested against the scalar reference in distance_test.cc.
//
// Pointers need no alignment (f16 rows inside a Parquet page sit at any byte offset): SIMD paths use
// unaligned loads and the scalar path reads through memcpy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ailake/types.h"

namespace ailake::vec {

enum class Isa : uint8_t { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };
std::string_view IsaName(Isa isa);
// "scalar" | "avx2" | "avx512" (the AILAKE_ISA spellings).
std::optional<Isa> ParseIsa(std::string_view name);
// The best ISA this CPU (and OS, which must save the wide registers) can run, ignoring AILAKE_ISA.
// avx2 means AVX2+FMA+F16C; avx512 means AVX-512F+BW+VL.
Isa DetectedIsa();
// The ISA ActiveKernels() and the bulk f16 conversions use: DetectedIsa(), lowered by AILAKE_ISA
// when that names a lower one. Fixed at first use.
Isa ActiveIsa();

// The primitive kernels of one instruction set. n is the dimension; no alignment is required.
struct Kernels {
  Isa isa;
  float (*dot_f32)(const float* a, const float* b, size_t n);
  float (*l2sq_f32)(const float* a, const float* b, size_t n);
  // Query f32 against a stored f16 row.
  float (*dot_f32_f16)(const float* a, const uint16_t* b, size_t n);
  float (*l2sq_f32_f16)(const float* a, const uint16_t* b, size_t n);
  // Two stored f16 rows (index builds).
  float (*dot_f16_f16)(const uint16_t* a, const uint16_t* b, size_t n);
  float (*l2sq_f16_f16)(const uint16_t* a, const uint16_t* b, size_t n);
  // Squared norms, for cosine.
  float (*norm_sq_f32)(const float* a, size_t n);
  float (*norm_sq_f16)(const uint16_t* a, size_t n);
  // Cosine in one pass over the row: returns dot(q, x) and stores |x|^2 in *x_norm_sq (the query
  // norm is computed once per search by the caller).
  float (*dot_norm_f32)(const float* q, const float* x, size_t n, float* x_norm_sq);
  float (*dot_norm_f32_f16)(const float* q, const uint16_t* x, size_t n, float* x_norm_sq);
  // Query f32 against a stored i8 row: x holds the dim int8 values, scale the row's float32 scale
  // (vec/quantize.h), and the row means x[i] * scale. Results are as for the decoded f32 row.
  float (*dot_f32_i8)(const float* q, const int8_t* x, float scale, size_t n);
  float (*l2sq_f32_i8)(const float* q, const int8_t* x, float scale, size_t n);
  float (*dot_norm_f32_i8)(const float* q, const int8_t* x, float scale, size_t n, float* x_norm_sq);
};

// Best kernels for this CPU (respecting AILAKE_ISA).
const Kernels& ActiveKernels();
// Kernels of a given ISA, or nullptr when this CPU (or this build) cannot run it.
const Kernels* KernelsFor(Isa isa);
// The scalar reference; always available.
const Kernels& ScalarKernels();

// Metric distance between two f32 vectors.
float Distance(VectorMetric metric, const float* a, const float* b, size_t n);

// One query against `count` rows stored contiguously in `precision` (row layout: vec/quantize.h,
// RowBytes). Writes count distances to out. For cosine the query norm is computed once. The metric
// and precision are resolved once per call, not per row (one tight loop per combination).
void BatchDistance(VectorMetric metric, const float* query, const uint8_t* rows, VectorPrecision precision,
                   size_t dim, size_t count, float* out);

}  // namespace ailake::vec
