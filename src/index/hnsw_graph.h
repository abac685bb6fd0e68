// HnswGraph: the in-memory HNSW graph (adjacency only; vectors live in the VectorView).
//
// Memory layout, chosen for search speed (one multiply to reach a node's list, no pointer chase):
//   level 0:   level0[node * (2M + 1)]        = degree, followed by 2M neighbour-id slots
//   level l>0: upper[upper_offset[node] + (l - 1) * (M + 1)] = degree, followed by M slots
//              (only nodes with level > 0 have upper lists; upper_offset is kNoUpper otherwise)
// Invariants (established by the builder, checked by DecodeHnswBlob before a graph is used):
//   every degree <= capacity of its level; every id < node_count, != the node itself, of a node
//   whose level >= l, with no duplicate in one list; entry_point has level == max_level, which is
//   the maximum of all levels; node_count == 0 <=> entry_point == kNoNode.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/huge_pages.h"
#include "index/prefetch.h"

namespace ailake::index {

inline constexpr uint32_t kNoNode = 0xFFFFFFFFu;
inline constexpr uint32_t kNoUpper = 0xFFFFFFFFu;
// Levels are drawn with multiplier 1/ln(M): P(level >= L) = M^-L, so level 31 is never reached in
// practice; the cap keeps a level in one byte and bounds the per-node upper storage.
inline constexpr uint32_t kMaxHnswLevel = 31;
// Degrees are stored in one byte on disk, so 2M <= 254.
inline constexpr uint32_t kMinHnswM = 2;
inline constexpr uint32_t kMaxHnswM = 127;

struct HnswGraph {
  uint32_t m = 16;                 // upper-level capacity; level 0 holds 2M
  uint32_t ef_construction = 200;
  uint64_t seed = 0;
  uint32_t node_count = 0;
  uint32_t max_level = 0;
  uint32_t entry_point = kNoNode;
  std::vector<uint8_t> levels;          // per node
  core::HugeVector<uint32_t> level0;   // node_count * (2M + 1); on huge pages (searches read it at random)
  std::vector<uint32_t> upper_offset;   // per node, into upper, or kNoUpper
  std::vector<uint32_t> upper;

  uint32_t capacity(uint32_t level) const { return level == 0 ? 2 * m : m; }

  // Memory the adjacency occupies (level0 as its huge-page mapping really takes it).
  size_t MemoryBytes() const {
    return levels.capacity() + core::HugeFootprint(level0) + (upper_offset.capacity() + upper.capacity()) * sizeof(uint32_t);
  }

  // Sizes level0/upper/upper_offset for the given levels (all degrees 0).
  void Allocate(std::vector<uint8_t> node_levels) {
    levels = std::move(node_levels);
    node_count = static_cast<uint32_t>(levels.size());
    level0.assign(static_cast<size_t>(node_count) * (2 * m + 1), 0);
    upper_offset.assign(node_count, kNoUpper);
    size_t total = 0;
    for (uint32_t i = 0; i < node_count; ++i) {
      if (levels[i] == 0) continue;
      upper_offset[i] = static_cast<uint32_t>(total);
      total += static_cast<size_t>(levels[i]) * (m + 1);
    }
    upper.assign(total, 0);
  }

  // Pointer to [degree, id, id, ...] of node at level (level <= levels[node]).
  uint32_t* links(uint32_t node, uint32_t level) {
    if (level == 0) return level0.data() + static_cast<size_t>(node) * (2 * m + 1);
    return upper.data() + upper_offset[node] + static_cast<size_t>(level - 1) * (m + 1);
  }
  const uint32_t* links(uint32_t node, uint32_t level) const {
    return const_cast<HnswGraph*>(this)->links(node, level);
  }
  // Hints the CPU to start loading a node's list (at most its first 4 cache lines: 2M = 32 ids
  // plus the degree fill 3).
  void PrefetchLinks(uint32_t node, uint32_t level) const {
    PrefetchBytes(links(node, level), std::min<size_t>((static_cast<size_t>(capacity(level)) + 1) * sizeof(uint32_t), 256));
  }
};

}  // namespace ailake::index
