// The HNSW index blob: our own on-disk layout of an HnswGraph (graph only — node i is row i of the
// file's vector column, whose vectors are never stored here).
//
// All integers little-endian. Version 1:
//
//   offset  size  field
//   0       4     magic "AKHN"
//   4       2     version (1)
//   6       2     flags (0; anything else is rejected)
//   8       4     node_count N (must equal the vector column's row count)
//   12      4     M (2..127): level-0 lists hold up to 2M ids, upper levels up to M
//   16      4     ef_construction (>= 1; informational)
//   20      4     max_level L (<= 31)
//   24      4     entry_point (< N, a node of level L; 0xFFFFFFFF iff N == 0)
//   28      4     reserved (0)
//   32      8     seed (informational: what the build drew levels from)
//   40      8     link_count: total neighbour ids over all levels
//   48      N     levels: one byte per node, each <= L, with max == L when N > 0
//   48+N    D     degrees: for l = 0..L, for every node with level >= l in ascending id order, one
//                 byte: the number of its neighbours on level l (<= 2M at l = 0, <= M above).
//                 D = sum over nodes of (level + 1).
//   48+N+D  4*link_count  neighbour ids (uint32), list after list in the same order as degrees.
//
// The blob is exactly 48 + N + D + 4*link_count bytes (no trailing bytes). Each list is a CSR row
// whose offsets are the prefix sums of the degrees, rebuilt on load (offsets are not stored: one
// byte per list instead of four). Every neighbour id is < N, differs from its node, belongs to a node
// whose level is >= the list's level, and appears at most once per list.
//
// Size at 384-d f16 (768 B per vector) with M=16: ~4 B per level-0 link + 2 B per node + upper
// levels (~1/M of nodes); measured in hnsw_test.cc and reported by bench/ann_bench.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ailake/status.h"
#include "index/hnsw_graph.h"

namespace ailake::index {

inline constexpr uint8_t kHnswMagic[4] = {'A', 'K', 'H', 'N'};
inline constexpr uint16_t kHnswVersion = 1;
inline constexpr size_t kHnswHeaderBytes = 48;

std::vector<uint8_t> EncodeHnswBlob(const HnswGraph& graph);

// Parses and fully validates a blob; expected_nodes is the vector column's row count.
Result<HnswGraph> DecodeHnswBlob(std::span<const uint8_t> blob, uint64_t expected_nodes);

}  // namespace ailake::index
