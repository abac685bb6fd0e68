// Vocabulary shared by every layer: metrics, precisions, embedding-model identity, storage policy.
#pragma once

#include "ailake/export.h"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ailake/status.h"

namespace ailake {

// Numeric values are the AILK metric codes on disk (docs/FORMAT.md); never renumber.
// All distances are "smaller is closer":
//   kCosine            1 - dot(a,b) / (|a| |b|)      (0 when either vector has zero norm: distance 1)
//   kEuclidean         squared L2 distance |a-b|^2   (monotone in L2; sqrt only for display)
//   kDot               -dot(a,b)                     (maximum inner product)
//   kNormalizedCosine  1 - dot(a,b); vectors are stored L2-normalised, so this equals cosine
enum class VectorMetric : uint8_t { kCosine = 0, kEuclidean = 1, kDot = 2, kNormalizedCosine = 3 };

// Numeric values are the AILK precision codes on disk.
enum class VectorPrecision : uint8_t { kF32 = 0, kF16 = 1, kI8 = 2 };

AILAKE_EXPORT std::string_view MetricName(VectorMetric m);         // "cosine", "euclidean", "dot", "normalized_cosine"
AILAKE_EXPORT std::string_view PrecisionName(VectorPrecision p);   // "f32", "f16", "i8"
AILAKE_EXPORT Result<VectorMetric> ParseMetric(std::string_view s);        // accepts the names above (and "l2", "ip")
AILAKE_EXPORT Result<VectorPrecision> ParsePrecision(std::string_view s);
AILAKE_EXPORT Result<VectorMetric> MetricFromCode(uint32_t code);
AILAKE_EXPORT Result<VectorPrecision> PrecisionFromCode(uint32_t code);

// Bytes one element occupies in a stored vector (i8 vectors also carry a per-vector scale; see
// vec/quantize.h for the exact row layout).
AILAKE_EXPORT size_t PrecisionElementSize(VectorPrecision p);

// Identity of the model that produced a vector column. Two columns are searchable together only if
// name and version match exactly (guide §5: search never mixes models).
struct AILAKE_EXPORT EmbeddingModelInfo {
  std::string name{};         // e.g. "hash-256", "text-embedding-3-small"
  std::string version{};      // free-form; empty allowed
  uint32_t dim = 0;
  VectorMetric metric = VectorMetric::kCosine;
  bool normalized = false;  // the model emits unit vectors

  // "name@version" or "name" when version is empty.
  std::string Id() const;
  bool SameModel(const EmbeddingModelInfo& o) const { return name == o.name && version == o.version; }
  // Parses "NAME[@VERSION]".
  static Result<EmbeddingModelInfo> ParseId(std::string_view s);
};

enum class IndexKind : uint8_t { kAuto = 0, kFlat = 1, kHnsw = 2 };
AILAKE_EXPORT std::string_view IndexKindName(IndexKind k);
AILAKE_EXPORT Result<IndexKind> ParseIndexKind(std::string_view s);

// How a vector column is stored and indexed.
struct VectorStoragePolicy {
  VectorPrecision precision = VectorPrecision::kF16;
  IndexKind index = IndexKind::kAuto;
  // kAuto picks flat below this many rows (a graph does not pay for itself on small files).
  uint64_t flat_threshold_rows = 4096;
  uint32_t hnsw_m = 16;
  uint32_t hnsw_ef_construction = 200;
  uint64_t hnsw_seed = 42;
  uint32_t build_threads = 0;  // 0 = hardware concurrency
};

}  // namespace ailake
