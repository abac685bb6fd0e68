// Corruption tests for the HNSW blob loader: every damaged blob must give a clean Corruption status
// or (when the damage happens to leave a valid graph) an index that searches without fault. Run
// under ASan/UBSan (build with -DAILAKE_SANITIZE=ON) to catch what a clean status could hide.
#include "index/hnsw_blob.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/checked.h"
#include "index/hnsw_index.h"
#include "index/index.h"
#include "index/test_data.h"

namespace ailake::index {
namespace {

using testing::MakeClustered;
using testing::TestData;

struct Fixture {
  TestData data = MakeClustered(80, 8, VectorPrecision::kF32, VectorMetric::kEuclidean, 3, 4);
  std::vector<uint8_t> blob;
  Fixture() {
    VectorStoragePolicy p;
    p.hnsw_m = 3;  // small M: many upper-level nodes, full lists, pruning
    p.hnsw_ef_construction = 16;
    p.hnsw_seed = 5;
    p.build_threads = 1;
    auto idx = BuildIndex(data.view, p, IndexKind::kHnsw);
    EXPECT_TRUE(idx.ok());
    blob = (*idx)->Serialize();
  }
  uint32_t n() const { return static_cast<uint32_t>(data.view.count); }
  size_t degrees_at() const { return kHnswHeaderBytes + n(); }
  size_t degree_bytes() const {
    size_t d = 0;
    for (uint32_t i = 0; i < n(); ++i) d += blob[kHnswHeaderBytes + i] + 1u;
    return d;
  }
  size_t ids_at() const { return degrees_at() + degree_bytes(); }
};

// Loads; when that works, searching must work and return valid rows.
void LoadAndMaybeSearch(const Fixture& f, std::span<const uint8_t> bytes, bool* loaded = nullptr) {
  auto idx = LoadIndex(IndexKind::kHnsw, bytes, f.data.view);
  if (loaded != nullptr) *loaded = idx.ok();
  if (!idx.ok()) {
    EXPECT_EQ(idx.status().code(), StatusCode::kCorruption) << idx.status().ToString();
    EXPECT_FALSE(idx.status().message().empty());
    return;
  }
  std::vector<float> q(f.data.f32.begin(), f.data.f32.begin() + 8);
  AllowedRows odd(f.n());
  for (uint32_t r = 1; r < f.n(); r += 2) odd.Allow(r);
  for (const AllowedRows* allowed : {static_cast<const AllowedRows*>(nullptr), static_cast<const AllowedRows*>(&odd)}) {
    auto res = (*idx)->Search(q.data(), 5, 10, allowed);
    ASSERT_TRUE(res.ok());
    for (const auto& nb : *res) EXPECT_LT(nb.row, f.n());
  }
}

TEST(HnswBlobTest, RoundTripAndLayout) {
  Fixture f;
  ASSERT_GT(f.blob.size(), kHnswHeaderBytes);
  EXPECT_EQ(std::memcmp(f.blob.data(), "AKHN", 4), 0);
  EXPECT_EQ(LoadLE<uint32_t>(f.blob.data() + 8), f.n());
  EXPECT_EQ(LoadLE<uint32_t>(f.blob.data() + 12), 3u);
  EXPECT_EQ(LoadLE<uint32_t>(f.blob.data() + 16), 16u);
  EXPECT_EQ(LoadLE<uint64_t>(f.blob.data() + 32), 5u);
  const uint64_t links = LoadLE<uint64_t>(f.blob.data() + 40);
  EXPECT_EQ(f.blob.size(), f.ids_at() + 4 * links);
  EXPECT_GT(LoadLE<uint32_t>(f.blob.data() + 20), 0u) << "fixture should have upper levels";
  auto g = DecodeHnswBlob(f.blob, f.n());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(EncodeHnswBlob(*g), f.blob);
}

TEST(HnswBlobTest, EveryTruncationAndExtensionFails) {
  Fixture f;
  for (size_t len = 0; len < f.blob.size(); ++len) {
    bool loaded = true;
    LoadAndMaybeSearch(f, std::span<const uint8_t>(f.blob.data(), len), &loaded);
    EXPECT_FALSE(loaded) << "truncated to " << len;
  }
  auto longer = f.blob;
  longer.push_back(0);
  EXPECT_EQ(DecodeHnswBlob(longer, f.n()).status().code(), StatusCode::kCorruption);
}

TEST(HnswBlobTest, EveryByteFlipIsAnErrorOrAWorkingIndex) {
  Fixture f;
  size_t rejected = 0, total = 0;
  for (size_t i = 0; i < f.blob.size(); ++i) {
    for (uint8_t mask : {0x01, 0x02, 0x10, 0x80, 0xFF}) {
      auto bad = f.blob;
      bad[i] ^= mask;
      bool loaded = false;
      LoadAndMaybeSearch(f, bad, &loaded);
      rejected += loaded ? 0 : 1;
      ++total;
    }
  }
  // Most flips break an invariant; the rest (a neighbour id swapped for another valid one, the
  // seed) leave a valid graph.
  EXPECT_GT(rejected, total / 3);
}

TEST(HnswBlobTest, ManyRandomMultiByteCorruptions) {
  Fixture f;
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  for (int iter = 0; iter < 3000; ++iter) {
    auto bad = f.blob;
    const int edits = 1 + static_cast<int>(next() % 8);
    for (int e = 0; e < edits; ++e) bad[next() % bad.size()] = static_cast<uint8_t>(next());
    LoadAndMaybeSearch(f, bad);
  }
}

TEST(HnswBlobTest, TargetedCorruptions) {
  Fixture f;
  auto expect_bad = [&](const char* what, auto&& edit) {
    auto bad = f.blob;
    edit(bad);
    auto r = DecodeHnswBlob(bad, f.n());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << what;
  };
  const uint32_t max_level = LoadLE<uint32_t>(f.blob.data() + 20);
  const uint32_t entry = LoadLE<uint32_t>(f.blob.data() + 24);
  expect_bad("magic", [](auto& b) { b[0] = 'X'; });
  expect_bad("version", [](auto& b) { StoreLE<uint16_t>(b.data() + 4, 2); });
  expect_bad("flags", [](auto& b) { StoreLE<uint16_t>(b.data() + 6, 1); });
  expect_bad("node count", [&](auto& b) { StoreLE<uint32_t>(b.data() + 8, f.n() + 1); });
  expect_bad("M too small", [](auto& b) { StoreLE<uint32_t>(b.data() + 12, 1); });
  expect_bad("M too large", [](auto& b) { StoreLE<uint32_t>(b.data() + 12, 128); });
  expect_bad("ef_construction 0", [](auto& b) { StoreLE<uint32_t>(b.data() + 16, 0); });
  expect_bad("max level above 31", [](auto& b) { StoreLE<uint32_t>(b.data() + 20, 40); });
  expect_bad("max level too high", [&](auto& b) { StoreLE<uint32_t>(b.data() + 20, max_level + 1); });
  expect_bad("entry out of range", [&](auto& b) { StoreLE<uint32_t>(b.data() + 24, f.n()); });
  expect_bad("entry 0xFFFFFFFF", [](auto& b) { StoreLE<uint32_t>(b.data() + 24, 0xFFFFFFFFu); });
  expect_bad("reserved", [](auto& b) { StoreLE<uint32_t>(b.data() + 28, 1); });
  expect_bad("link count huge", [](auto& b) { StoreLE<uint64_t>(b.data() + 40, ~uint64_t{0}); });
  expect_bad("link count +1", [](auto& b) { StoreLE<uint64_t>(b.data() + 40, LoadLE<uint64_t>(b.data() + 40) + 1); });
  // Entry point on a lower level.
  uint32_t low = 0;
  while (f.blob[kHnswHeaderBytes + low] == max_level) ++low;
  expect_bad("entry not on top level", [&](auto& b) { StoreLE<uint32_t>(b.data() + 24, low); });
  expect_bad("level above max", [&](auto& b) { b[kHnswHeaderBytes + low] = static_cast<uint8_t>(max_level + 1); });
  expect_bad("entry level lowered", [&](auto& b) { b[kHnswHeaderBytes + entry] = 0; });
  // Degree above capacity (level 0 capacity 2M = 6).
  expect_bad("degree above 2M", [&](auto& b) { b[f.degrees_at()] = 7; });
  expect_bad("degree 255", [&](auto& b) { b[f.degrees_at()] = 255; });
  // Neighbour ids: out of range, self, duplicate, wrong level.
  const uint8_t d0 = f.blob[f.degrees_at()];  // node 0's level-0 degree; its ids come first
  ASSERT_GE(d0, 2);
  expect_bad("id out of range", [&](auto& b) { StoreLE<uint32_t>(b.data() + f.ids_at(), f.n()); });
  expect_bad("id 0xFFFFFFFF", [&](auto& b) { StoreLE<uint32_t>(b.data() + f.ids_at(), 0xFFFFFFFFu); });
  expect_bad("self link", [&](auto& b) { StoreLE<uint32_t>(b.data() + f.ids_at(), 0); });
  expect_bad("duplicate", [&](auto& b) {
    StoreLE<uint32_t>(b.data() + f.ids_at() + 4, LoadLE<uint32_t>(b.data() + f.ids_at()));
  });
  // The first non-empty level-1 list: point it at a level-0 node.
  {
    const size_t n = f.n();
    // Find the first level-1 list with a neighbour: its ids follow every level-0 id.
    size_t at = f.ids_at(), deg_at = f.degrees_at();
    for (uint32_t i = 0; i < n; ++i) at += 4 * f.blob[deg_at + i];
    size_t level1_deg_at = deg_at + n;
    bool done = false;
    for (uint32_t i = 0; i < n && !done; ++i) {
      if (f.blob[kHnswHeaderBytes + i] < 1) continue;
      const uint8_t d = f.blob[level1_deg_at++];
      if (d > 0) {
        uint32_t level0_node = 0;
        while (f.blob[kHnswHeaderBytes + level0_node] != 0 || level0_node == i) ++level0_node;
        expect_bad("upper link to a level-0 node", [&](auto& b) { StoreLE<uint32_t>(b.data() + at, level0_node); });
        done = true;
      }
      at += 4 * d;
    }
    EXPECT_TRUE(done);
  }
}

TEST(HnswBlobTest, FlatBlobValidation) {
  Fixture f;
  auto flat = BuildIndex(f.data.view, VectorStoragePolicy{}, IndexKind::kFlat);
  ASSERT_TRUE(flat.ok());
  const auto blob = (*flat)->Serialize();
  ASSERT_TRUE(LoadIndex(IndexKind::kFlat, blob, f.data.view).ok());
  for (size_t len = 0; len < blob.size(); ++len) {
    EXPECT_FALSE(LoadIndex(IndexKind::kFlat, std::span<const uint8_t>(blob.data(), len), f.data.view).ok());
  }
  for (size_t i = 0; i < blob.size(); ++i) {
    auto bad = blob;
    bad[i] ^= 0x40;
    EXPECT_EQ(LoadIndex(IndexKind::kFlat, bad, f.data.view).status().code(), StatusCode::kCorruption) << i;
  }
  EXPECT_EQ(LoadIndex(IndexKind::kAuto, std::span<const uint8_t>(), f.data.view).status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace ailake::index
