// HnswIndex: hierarchical navigable small-world graph (Malkov & Yashunin, 2016) over a VectorView.
// The whole algorithm — level draw, layer search, neighbour-selection heuristic, deterministic
// parallel build, filtered search — is in hnsw_index.cc; the blob layout is in hnsw_blob.h.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "index/hnsw_graph.h"
#include "index/index.h"
#include "index/row_space.h"

namespace ailake::index {

struct HnswBuildParams {
  uint32_t m = 16;
  uint32_t ef_construction = 200;
  uint64_t seed = 42;
  size_t threads = 1;  // 0 = hardware concurrency; the graph does not depend on it
};

class HnswIndex final : public VectorIndex {
 public:
  static Result<std::unique_ptr<HnswIndex>> Build(const VectorView& view, const HnswBuildParams& params);
  static Result<std::unique_ptr<VectorIndex>> Load(std::span<const uint8_t> blob, const VectorView& view);

  ~HnswIndex() override;

  IndexKind kind() const override { return IndexKind::kHnsw; }
  size_t size() const override { return graph_.node_count; }
  Result<std::vector<Neighbor>> Search(const float* query, size_t k, size_t ef,
                                       const AllowedRows* allowed) const override;
  std::vector<uint8_t> Serialize() const override;
  // The graph, the inverse norms and the pooled search scratch (one visited tag per node each).
  size_t MemoryBytes() const override;

  const HnswGraph& graph() const { return graph_; }

  struct SearchContext;  // per-thread scratch: visited tags, heaps (hnsw_index.cc)

 private:
  HnswIndex(const VectorView& view, size_t threads);
  std::unique_ptr<SearchContext> AcquireContext() const;
  void ReleaseContext(std::unique_ptr<SearchContext> ctx) const;

  RowSpace space_;
  HnswGraph graph_;
  // Reused search scratch, so a query allocates only its result vector.
  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<SearchContext>> pool_;

  friend class HnswBuilder;
};

}  // namespace ailake::index
