#include "index/hnsw_blob.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "core/checked.h"

namespace ailake::index {

std::vector<uint8_t> EncodeHnswBlob(const HnswGraph& g) {
  const uint32_t n = g.node_count;
  uint64_t degree_bytes = 0, link_count = 0;
  for (uint32_t i = 0; i < n; ++i) {
    degree_bytes += static_cast<uint64_t>(g.levels[i]) + 1;
    for (uint32_t l = 0; l <= g.levels[i]; ++l) link_count += g.links(i, l)[0];
  }
  std::vector<uint8_t> out(kHnswHeaderBytes + n + degree_bytes + 4 * link_count);
  uint8_t* p = out.data();
  std::memcpy(p, kHnswMagic, 4);
  StoreLE<uint16_t>(p + 4, kHnswVersion);
  StoreLE<uint16_t>(p + 6, 0);
  StoreLE<uint32_t>(p + 8, n);
  StoreLE<uint32_t>(p + 12, g.m);
  StoreLE<uint32_t>(p + 16, g.ef_construction);
  StoreLE<uint32_t>(p + 20, g.max_level);
  StoreLE<uint32_t>(p + 24, g.entry_point);
  StoreLE<uint32_t>(p + 28, 0);
  StoreLE<uint64_t>(p + 32, g.seed);
  StoreLE<uint64_t>(p + 40, link_count);
  if (n > 0) std::memcpy(p + kHnswHeaderBytes, g.levels.data(), n);
  uint8_t* deg = p + kHnswHeaderBytes + n;
  uint8_t* ids = deg + degree_bytes;
  for (uint32_t l = 0; l <= g.max_level; ++l) {
    for (uint32_t i = 0; i < n; ++i) {
      if (g.levels[i] < l) continue;
      const uint32_t* list = g.links(i, l);
      *deg++ = static_cast<uint8_t>(list[0]);
      for (uint32_t j = 0; j < list[0]; ++j, ids += 4) StoreLE<uint32_t>(ids, list[1 + j]);
    }
  }
  return out;
}

namespace {
Status Bad(const std::string& what) { return Status::Corruption("hnsw index blob: " + what); }
}  // namespace

Result<HnswGraph> DecodeHnswBlob(std::span<const uint8_t> blob, uint64_t expected_nodes) {
  const uint8_t* p = blob.data();
  const uint64_t size = blob.size();
  if (size < kHnswHeaderBytes) return Bad("truncated header (" + std::to_string(size) + " bytes)");
  if (std::memcmp(p, kHnswMagic, 4) != 0) return Bad("bad magic");
  const auto version = LoadLE<uint16_t>(p + 4);
  if (version != kHnswVersion) return Bad("unsupported version " + std::to_string(version));
  if (LoadLE<uint16_t>(p + 6) != 0) return Bad("unknown flags");
  HnswGraph g;
  const auto n = LoadLE<uint32_t>(p + 8);
  g.m = LoadLE<uint32_t>(p + 12);
  g.ef_construction = LoadLE<uint32_t>(p + 16);
  g.max_level = LoadLE<uint32_t>(p + 20);
  g.entry_point = LoadLE<uint32_t>(p + 24);
  g.seed = LoadLE<uint64_t>(p + 32);
  const auto link_count = LoadLE<uint64_t>(p + 40);
  if (n != expected_nodes) {
    return Bad("covers " + std::to_string(n) + " nodes but the column has " + std::to_string(expected_nodes) +
               " rows");
  }
  if (n == kNoNode) return Bad("node count 2^32-1 is reserved");
  if (g.m < kMinHnswM || g.m > kMaxHnswM) return Bad("M " + std::to_string(g.m) + " outside [2, 127]");
  if (g.ef_construction == 0) return Bad("ef_construction is 0");
  if (g.max_level > kMaxHnswLevel) return Bad("max level " + std::to_string(g.max_level) + " above 31");
  if (LoadLE<uint32_t>(p + 28) != 0) return Bad("reserved field is not 0");

  // Levels.
  if (!RangeWithin(kHnswHeaderBytes, n, size)) return Bad("truncated node levels");
  const uint8_t* lv = p + kHnswHeaderBytes;
  uint64_t degree_bytes = 0;
  uint32_t seen_max = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (lv[i] > g.max_level) return Bad("node " + std::to_string(i) + " has level above the max level");
    seen_max = std::max<uint32_t>(seen_max, lv[i]);
    degree_bytes += static_cast<uint64_t>(lv[i]) + 1;
  }
  if (n == 0) {
    if (g.max_level != 0 || g.entry_point != kNoNode || link_count != 0) return Bad("inconsistent empty graph");
  } else {
    if (seen_max != g.max_level) return Bad("max level does not match the node levels");
    if (g.entry_point >= n) return Bad("entry point " + std::to_string(g.entry_point) + " out of range");
    if (lv[g.entry_point] != g.max_level) return Bad("entry point is not on the top level");
  }

  // Exact total size: header + levels + degrees + 4 * link_count.
  const uint64_t degrees_at = kHnswHeaderBytes + static_cast<uint64_t>(n);
  if (!RangeWithin(degrees_at, degree_bytes, size)) return Bad("truncated degrees");
  const uint64_t ids_at = degrees_at + degree_bytes;
  const auto id_bytes = CheckedMul(link_count, 4);
  if (!id_bytes || size - ids_at != *id_bytes) {
    return Bad("size " + std::to_string(size) + " does not match link count " + std::to_string(link_count));
  }
  // Upper storage in memory: (M+1) slots per upper level; must index with uint32 offsets.
  const uint64_t upper_slots = (degree_bytes - n) * (g.m + 1);
  if (upper_slots > 0xFFFFFFFFull) return Bad("too many upper-level lists");

  g.Allocate(std::vector<uint8_t>(lv, lv + n));
  const uint8_t* deg = p + degrees_at;
  const uint8_t* ids = p + ids_at;
  uint64_t links_used = 0;
  std::array<uint32_t, 256> sorted{};
  for (uint32_t l = 0; l <= g.max_level && n > 0; ++l) {
    const uint32_t cap = g.capacity(l);
    for (uint32_t i = 0; i < n; ++i) {
      if (g.levels[i] < l) continue;
      const uint32_t d = *deg++;
      if (d > cap) {
        return Bad("node " + std::to_string(i) + " level " + std::to_string(l) + " degree " + std::to_string(d) +
                   " above " + std::to_string(cap));
      }
      if (d > link_count - links_used) return Bad("degrees exceed the link count");
      uint32_t* list = g.links(i, l);
      list[0] = d;
      for (uint32_t j = 0; j < d; ++j, ids += 4) {
        const auto id = LoadLE<uint32_t>(ids);
        if (id >= n) return Bad("node " + std::to_string(i) + " links to " + std::to_string(id) + ", out of range");
        if (id == i) return Bad("node " + std::to_string(i) + " links to itself");
        if (g.levels[id] < l) {
          return Bad("node " + std::to_string(i) + " links on level " + std::to_string(l) + " to node " +
                     std::to_string(id) + " of level " + std::to_string(g.levels[id]));
        }
        list[1 + j] = id;
        sorted[j] = id;
      }
      std::sort(sorted.begin(), sorted.begin() + d);
      if (std::adjacent_find(sorted.begin(), sorted.begin() + d) != sorted.begin() + d) {
        return Bad("node " + std::to_string(i) + " has a duplicate neighbour on level " + std::to_string(l));
      }
      links_used += d;
    }
  }
  if (links_used != link_count) return Bad("link count does not match the degrees");
  return g;
}

}  // namespace ailake::index
