#include "index/index.h"

#include <bit>
#include <cstring>
#include <string>

#include "core/checked.h"
#include "index/flat_index.h"
#include "index/hnsw_blob.h"
#include "index/hnsw_index.h"
#include "vec/quantize.h"

namespace ailake::index {

size_t VectorView::row_bytes() const { return vec::RowBytes(precision, dim); }

Status VectorView::Validate() const {
  if (dim == 0) return Status::InvalidArgument("vector view: dim is 0");
  switch (precision) {
    case VectorPrecision::kF32:
    case VectorPrecision::kF16:
    case VectorPrecision::kI8: break;
    default: return Status::InvalidArgument("vector view: unknown precision");
  }
  switch (metric) {
    case VectorMetric::kCosine:
    case VectorMetric::kEuclidean:
    case VectorMetric::kDot:
    case VectorMetric::kNormalizedCosine: break;
    default: return Status::InvalidArgument("vector view: unknown metric");
  }
  // Node ids are uint32 and 0xFFFFFFFF means "no node".
  if (count >= 0xFFFFFFFFull) return Status::InvalidArgument("vector view: too many rows for a uint32 node id");
  if (count > 0 && data == nullptr) return Status::InvalidArgument("vector view: null data");
  if (!CheckedMul(count, row_bytes())) return Status::InvalidArgument("vector view: size overflows");
  return Status::OK();
}

AllowedRows::AllowedRows(size_t n, bool all_allowed)
    : size_(n), words_((n + 63) / 64, all_allowed ? ~uint64_t{0} : 0) {
  if (all_allowed && (n & 63) != 0) words_.back() = (uint64_t{1} << (n & 63)) - 1;
}

size_t AllowedRows::CountAllowed() const {
  size_t c = 0;
  for (uint64_t w : words_) c += static_cast<size_t>(std::popcount(w));
  return c;
}

Result<std::unique_ptr<VectorIndex>> BuildIndex(const VectorView& view, const VectorStoragePolicy& policy,
                                                IndexKind kind) {
  AILAKE_RETURN_IF_ERROR(view.Validate());
  if (kind == IndexKind::kAuto) kind = view.count < policy.flat_threshold_rows ? IndexKind::kFlat : IndexKind::kHnsw;
  switch (kind) {
    case IndexKind::kFlat: return std::unique_ptr<VectorIndex>(new FlatIndex(view));
    case IndexKind::kHnsw: {
      HnswBuildParams params;
      params.m = policy.hnsw_m;
      params.ef_construction = policy.hnsw_ef_construction;
      params.seed = policy.hnsw_seed;
      params.threads = policy.build_threads;
      AILAKE_ASSIGN_OR_RETURN(auto hnsw, HnswIndex::Build(view, params));
      return std::unique_ptr<VectorIndex>(std::move(hnsw));
    }
    default: break;
  }
  return Status::InvalidArgument("build index: unknown index kind");
}

Result<std::unique_ptr<VectorIndex>> LoadIndex(IndexKind kind, std::span<const uint8_t> blob,
                                               const VectorView& view) {
  AILAKE_RETURN_IF_ERROR(view.Validate());
  if (kind == IndexKind::kAuto) {
    if (blob.size() >= 4 && std::memcmp(blob.data(), kFlatMagic, 4) == 0) kind = IndexKind::kFlat;
    else if (blob.size() >= 4 && std::memcmp(blob.data(), kHnswMagic, 4) == 0) kind = IndexKind::kHnsw;
    else return Status::Corruption("index blob: unknown magic");
  }
  switch (kind) {
    case IndexKind::kFlat: return FlatIndex::Load(blob, view);
    case IndexKind::kHnsw: return HnswIndex::Load(blob, view);
    default: break;
  }
  return Status::InvalidArgument("load index: unknown index kind");
}

}  // namespace ailake::index
