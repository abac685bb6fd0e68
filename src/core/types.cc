#include "ailake/types.h"

namespace ailake {

std::string_view MetricName(VectorMetric m) {
  switch (m) {
    case VectorMetric::kCosine: return "cosine";
    case VectorMetric::kEuclidean: return "euclidean";
    case VectorMetric::kDot: return "dot";
    case VectorMetric::kNormalizedCosine: return "normalized_cosine";
  }
  return "unknown";
}

std::string_view PrecisionName(VectorPrecision p) {
  switch (p) {
    case VectorPrecision::kF32: return "f32";
    case VectorPrecision::kF16: return "f16";
    case VectorPrecision::kI8: return "i8";
  }
  return "unknown";
}

Result<VectorMetric> ParseMetric(std::string_view s) {
  if (s == "cosine") return VectorMetric::kCosine;
  if (s == "euclidean" || s == "l2") return VectorMetric::kEuclidean;
  if (s == "dot" || s == "ip" || s == "inner_product") return VectorMetric::kDot;
  if (s == "normalized_cosine" || s == "normalized-cosine") return VectorMetric::kNormalizedCosine;
  return Status::InvalidArgument("unknown metric '" + std::string(s) +
                                 "': use cosine, euclidean, dot or normalized_cosine");
}

Result<VectorPrecision> ParsePrecision(std::string_view s) {
  if (s == "f32" || s == "float32") return VectorPrecision::kF32;
  if (s == "f16" || s == "float16") return VectorPrecision::kF16;
  if (s == "i8" || s == "int8") return VectorPrecision::kI8;
  return Status::InvalidArgument("unknown precision '" + std::string(s) + "': use f32, f16 or i8");
}

Result<VectorMetric> MetricFromCode(uint32_t code) {
  if (code > 3) return Status::Corruption("metric code " + std::to_string(code) + " is not 0..3");
  return static_cast<VectorMetric>(code);
}

Result<VectorPrecision> PrecisionFromCode(uint32_t code) {
  if (code > 2) return Status::Corruption("precision code " + std::to_string(code) + " is not 0..2");
  return static_cast<VectorPrecision>(code);
}

size_t PrecisionElementSize(VectorPrecision p) {
  switch (p) {
    case VectorPrecision::kF32: return 4;
    case VectorPrecision::kF16: return 2;
    case VectorPrecision::kI8: return 1;
  }
  return 0;
}

std::string EmbeddingModelInfo::Id() const { return version.empty() ? name : name + "@" + version; }

Result<EmbeddingModelInfo> EmbeddingModelInfo::ParseId(std::string_view s) {
  EmbeddingModelInfo info;
  auto at = s.find('@');
  info.name = std::string(s.substr(0, at));
  if (at != std::string_view::npos) info.version = std::string(s.substr(at + 1));
  if (info.name.empty()) {
    return Status::InvalidArgument("model '" + std::string(s) + "' has an empty name: use NAME[@VERSION]");
  }
  return info;
}

std::string_view IndexKindName(IndexKind k) {
  switch (k) {
    case IndexKind::kAuto: return "auto";
    case IndexKind::kFlat: return "flat";
    case IndexKind::kHnsw: return "hnsw";
  }
  return "unknown";
}

Result<IndexKind> ParseIndexKind(std::string_view s) {
  if (s == "auto") return IndexKind::kAuto;
  if (s == "flat") return IndexKind::kFlat;
  if (s == "hnsw") return IndexKind::kHnsw;
  return Status::InvalidArgument("unknown index kind '" + std::string(s) + "': use auto, flat or hnsw");
}

}  // namespace ailake
