// Vector indexes over one file's vector column: flat (exact scan) and HNSW (graph).
//
// An index never owns or stores vectors: node i is row i of the VectorView it was built or loaded
// over (Parquet row i of the file), and its blob holds only the graph. Lifetimes: the view's buffer
// must outlive the index.
//
//   auto idx = BuildIndex(view, policy, IndexKind::kAuto);   // flat below flat_threshold_rows
//   std::vector<uint8_t> blob = (*idx)->Serialize();          // goes into the file's AILK section
//   auto again = LoadIndex(IndexKind::kHnsw, blob, view);     // validates every byte first
//   auto hits = (*again)->Search(query, /*k=*/10, /*ef=*/64, /*allowed=*/nullptr);
//
// Blob layouts: index/flat_index.h and index/hnsw_blob.h. Searching is thread-safe (many threads
// may Search one index concurrently); building uses policy.build_threads threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"
#include "index/vector_view.h"

namespace ailake::index {

struct Neighbor {
  uint32_t row;
  float distance;  // metric distance, smaller is closer (types.h)
  bool operator==(const Neighbor&) const = default;
};

// A set of row ids a search may return (rows not in it — deleted rows, rows failing a predicate —
// are still walked through by graph searches, just never returned). Rows >= size() are excluded.
class AllowedRows {
 public:
  AllowedRows() = default;
  // n rows, all allowed when all_allowed, else none.
  explicit AllowedRows(size_t n, bool all_allowed = false);

  size_t size() const { return size_; }
  void Allow(uint32_t row) { if (row < size_) words_[row >> 6] |= uint64_t{1} << (row & 63); }
  void Disallow(uint32_t row) { if (row < size_) words_[row >> 6] &= ~(uint64_t{1} << (row & 63)); }
  bool Contains(uint32_t row) const { return row < size_ && ((words_[row >> 6] >> (row & 63)) & 1) != 0; }
  size_t CountAllowed() const;

 private:
  size_t size_ = 0;
  std::vector<uint64_t> words_;
};

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;

  virtual IndexKind kind() const = 0;
  // Number of nodes (== view.count).
  virtual size_t size() const = 0;

  // The k nearest allowed rows to query (view.dim floats), sorted by ascending distance (ties by row
  // id). Returns fewer than k when fewer rows are allowed. ef is the HNSW candidate-list size
  // (raised to k when smaller; ignored by flat). InvalidArgument for a null query or k == 0.
  virtual Result<std::vector<Neighbor>> Search(const float* query, size_t k, size_t ef,
                                               const AllowedRows* allowed = nullptr) const = 0;

  // The blob (graph only, never vectors) in the documented little-endian layout.
  virtual std::vector<uint8_t> Serialize() const = 0;

  // Bytes this index holds in memory besides the vectors it was built or loaded over (the graph,
  // per-row norms), for cache budgets.
  virtual size_t MemoryBytes() const = 0;
};

// Builds an index over view. kind kAuto picks flat when view.count < policy.flat_threshold_rows,
// else HNSW (hnsw_m, hnsw_ef_construction, hnsw_seed, build_threads). The result depends only on
// the data, the kind and those parameters — never on the thread count or scheduling — for a given
// distance-kernel ISA (vec/distance.h: floating-point sums differ between scalar/AVX2/AVX-512).
Result<std::unique_ptr<VectorIndex>> BuildIndex(const VectorView& view, const VectorStoragePolicy& policy,
                                                IndexKind kind = IndexKind::kAuto);

// Loads a blob written by Serialize over the same view. Validates everything (magic, version,
// sizes with checked arithmetic, degrees, neighbour ids, levels, entry point, node count ==
// view.count) before returning; a bad blob is a Corruption status, never undefined behaviour.
// kind must be kFlat or kHnsw (kAuto: detected from the blob's magic).
Result<std::unique_ptr<VectorIndex>> LoadIndex(IndexKind kind, std::span<const uint8_t> blob,
                                               const VectorView& view);

}  // namespace ailake::index
