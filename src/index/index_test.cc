#include "index/index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>

#include "core/huge_pages.h"
#include "index/hnsw_index.h"
#include "index/test_data.h"

namespace ailake::index {
namespace {

using testing::MakeClustered;
using testing::TestData;

VectorStoragePolicy HnswPolicy(uint32_t m = 12, uint32_t efc = 80, uint64_t seed = 42, uint32_t threads = 1) {
  VectorStoragePolicy p;
  p.index = IndexKind::kHnsw;
  p.hnsw_m = m;
  p.hnsw_ef_construction = efc;
  p.hnsw_seed = seed;
  p.build_threads = threads;
  return p;
}

// A query near a data point (queries in practice look like the data).
std::vector<float> QueryNear(const TestData& d, size_t i, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<float> q(d.view.dim);
  for (size_t j = 0; j < q.size(); ++j) q[j] = d.f32[i * d.view.dim + j] + noise(rng);
  return q;
}

double Recall(const VectorIndex& approx, const VectorIndex& exact, const TestData& d, size_t k, size_t ef,
              const AllowedRows* allowed = nullptr, size_t queries = 40) {
  double hits = 0, total = 0;
  for (size_t qi = 0; qi < queries; ++qi) {
    auto q = QueryNear(d, (qi * 97) % d.view.count, static_cast<uint32_t>(qi));
    auto a = approx.Search(q.data(), k, ef, allowed);
    auto e = exact.Search(q.data(), k, ef, allowed);
    EXPECT_TRUE(a.ok() && e.ok());
    if (!a.ok() || !e.ok()) return 0;
    std::set<uint32_t> truth;
    for (const auto& n : *e) truth.insert(n.row);
    for (const auto& n : *a) hits += truth.count(n.row);
    total += static_cast<double>(e->size());
  }
  return total == 0 ? 1.0 : hits / total;
}

struct Combo {
  VectorMetric metric;
  VectorPrecision precision;
};

class RecallTest : public ::testing::TestWithParam<Combo> {};

TEST_P(RecallTest, HnswMatchesExactOnClusteredData) {
  const auto [metric, precision] = GetParam();
  TestData d = MakeClustered(1500, 24, precision, metric);
  auto hnsw = BuildIndex(d.view, HnswPolicy(), IndexKind::kHnsw);
  auto flat = BuildIndex(d.view, HnswPolicy(), IndexKind::kFlat);
  ASSERT_TRUE(hnsw.ok()) << hnsw.status().ToString();
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ((*hnsw)->kind(), IndexKind::kHnsw);
  const double r = Recall(**hnsw, **flat, d, 10, 64);
  EXPECT_GE(r, metric == VectorMetric::kDot ? 0.85 : 0.95) << MetricName(metric) << " " << PrecisionName(precision);

  // Results are sorted ascending and distances agree with the exact index.
  auto q = QueryNear(d, 3, 99);
  auto res = (*hnsw)->Search(q.data(), 10, 64, nullptr);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->size(), 10u);
  EXPECT_TRUE(std::is_sorted(res->begin(), res->end(),
                             [](const Neighbor& a, const Neighbor& b) { return a.distance < b.distance; }));
}

INSTANTIATE_TEST_SUITE_P(
    AllMetricsAndPrecisions, RecallTest,
    ::testing::Values(Combo{VectorMetric::kCosine, VectorPrecision::kF16},
                      Combo{VectorMetric::kCosine, VectorPrecision::kF32},
                      Combo{VectorMetric::kCosine, VectorPrecision::kI8},
                      Combo{VectorMetric::kEuclidean, VectorPrecision::kF16},
                      Combo{VectorMetric::kEuclidean, VectorPrecision::kF32},
                      Combo{VectorMetric::kEuclidean, VectorPrecision::kI8},
                      Combo{VectorMetric::kDot, VectorPrecision::kF16},
                      Combo{VectorMetric::kDot, VectorPrecision::kF32},
                      Combo{VectorMetric::kDot, VectorPrecision::kI8},
                      Combo{VectorMetric::kNormalizedCosine, VectorPrecision::kF16},
                      Combo{VectorMetric::kNormalizedCosine, VectorPrecision::kF32},
                      Combo{VectorMetric::kNormalizedCosine, VectorPrecision::kI8}),
    [](const ::testing::TestParamInfo<Combo>& info) {
      return std::string(MetricName(info.param.metric)) + "_" + std::string(PrecisionName(info.param.precision));
    });

TEST(FlatIndexTest, ExactDistancesMatchBruteForce) {
  TestData d = MakeClustered(300, 16, VectorPrecision::kF32, VectorMetric::kEuclidean);
  auto flat = BuildIndex(d.view, VectorStoragePolicy{}, IndexKind::kFlat);
  ASSERT_TRUE(flat.ok());
  auto q = QueryNear(d, 5, 1);
  auto res = (*flat)->Search(q.data(), 5, 0, nullptr);
  ASSERT_TRUE(res.ok());
  std::vector<std::pair<float, uint32_t>> all;
  for (uint32_t r = 0; r < 300; ++r) {
    float s = 0;
    for (size_t j = 0; j < 16; ++j) {
      const float diff = q[j] - d.f32[r * 16 + j];
      s += diff * diff;
    }
    all.push_back({s, r});
  }
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*res)[i].row, all[i].second);
    EXPECT_NEAR((*res)[i].distance, all[i].first, 1e-3);
  }
}

TEST(IndexTest, AutoPicksFlatBelowThreshold) {
  TestData d = MakeClustered(100, 8, VectorPrecision::kF16, VectorMetric::kCosine);
  VectorStoragePolicy p;
  p.flat_threshold_rows = 101;
  auto small = BuildIndex(d.view, p);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)->kind(), IndexKind::kFlat);
  EXPECT_EQ((*small)->Serialize().size(), 16u);
  p.flat_threshold_rows = 100;
  auto big = BuildIndex(d.view, p);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->kind(), IndexKind::kHnsw);
}

TEST(IndexTest, MemoryBytesCountsTheGraphNormsAndScratch) {
  // 9000 nodes at M 12: level-0 lists take 9000 * 25 * 4 = 900000 bytes, under the huge-page
  // threshold; at M 16, 9000 * 33 * 4 = 1188000, over it, so they occupy a whole 2 MiB page.
  TestData d = MakeClustered(9000, 8, VectorPrecision::kF16, VectorMetric::kCosine);
  auto flat = BuildIndex(d.view, HnswPolicy(), IndexKind::kFlat);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ((*flat)->MemoryBytes(), 9000u * sizeof(float));  // the cosine inverse norms
  auto small = BuildIndex(d.view, HnswPolicy(12), IndexKind::kHnsw);
  auto large = BuildIndex(d.view, HnswPolicy(16), IndexKind::kHnsw);
  ASSERT_TRUE(small.ok() && large.ok());
  const size_t norms = 9000 * sizeof(float);
  EXPECT_GE((*small)->MemoryBytes(), norms + 900000u + 9000u);
  // Upper levels and pooled scratch are a few % more.
  EXPECT_LT((*small)->MemoryBytes(), norms + 900000u + 9000u + 200000u);
  EXPECT_GE((*large)->MemoryBytes(), norms + core::kHugePageBytes + 9000u);
  // After a search its scratch (one visited tag per node) is pooled, and counted.
  const auto q = testing::MakeQuery(8, 3);
  ASSERT_TRUE((*small)->Search(q.data(), 5, 32).ok());
  EXPECT_GE((*small)->MemoryBytes(), norms + 900000u + 9000u + 9000u * sizeof(uint16_t));
}

TEST(IndexTest, AllowedRowsFilterIsRespected) {
  TestData d = MakeClustered(2000, 16, VectorPrecision::kF16, VectorMetric::kEuclidean);
  auto hnsw = BuildIndex(d.view, HnswPolicy(), IndexKind::kHnsw);
  auto flat = BuildIndex(d.view, HnswPolicy(), IndexKind::kFlat);
  ASSERT_TRUE(hnsw.ok() && flat.ok());
  AllowedRows allowed(2000);
  for (uint32_t r = 0; r < 2000; r += 3) allowed.Allow(r);
  EXPECT_EQ(allowed.CountAllowed(), 667u);
  for (uint32_t qi = 0; qi < 20; ++qi) {
    auto q = QueryNear(d, qi * 31, qi);
    auto res = (*hnsw)->Search(q.data(), 10, 64, &allowed);
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->size(), 10u);
    for (const auto& n : *res) EXPECT_EQ(n.row % 3, 0u) << n.row;
  }
  EXPECT_GE(Recall(**hnsw, **flat, d, 10, 64, &allowed), 0.9);

  // Very selective: only 5 rows allowed; both indexes must find exactly those.
  AllowedRows five(2000);
  for (uint32_t r : {7u, 500u, 999u, 1500u, 1999u}) five.Allow(r);
  auto q = QueryNear(d, 0, 1);
  for (auto* idx : {hnsw->get(), flat->get()}) {
    auto res = idx->Search(q.data(), 10, 16, &five);
    ASSERT_TRUE(res.ok());
    std::set<uint32_t> rows;
    for (const auto& n : *res) rows.insert(n.row);
    EXPECT_EQ(rows, (std::set<uint32_t>{7, 500, 999, 1500, 1999}));
  }
  // Nothing allowed: empty result.
  AllowedRows none(2000);
  auto empty = (*hnsw)->Search(q.data(), 10, 16, &none);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(IndexTest, KLargerThanCountReturnsEveryRow) {
  TestData d = MakeClustered(50, 8, VectorPrecision::kF32, VectorMetric::kCosine);
  for (IndexKind kind : {IndexKind::kFlat, IndexKind::kHnsw}) {
    auto idx = BuildIndex(d.view, HnswPolicy(4, 16), kind);
    ASSERT_TRUE(idx.ok());
    auto q = QueryNear(d, 1, 1);
    auto res = (*idx)->Search(q.data(), 500, 10, nullptr);
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->size(), 50u) << IndexKindName(kind);
  }
}

TEST(IndexTest, EmptyAndOneRowIndexes) {
  std::vector<float> one = {1.0f, 2.0f, 3.0f};
  for (size_t count : {0u, 1u}) {
    VectorView view{reinterpret_cast<const uint8_t*>(one.data()), VectorPrecision::kF32, 3, count,
                    VectorMetric::kEuclidean};
    for (IndexKind kind : {IndexKind::kFlat, IndexKind::kHnsw}) {
      auto idx = BuildIndex(view, HnswPolicy(), kind);
      ASSERT_TRUE(idx.ok()) << idx.status().ToString();
      auto res = (*idx)->Search(one.data(), 3, 10, nullptr);
      ASSERT_TRUE(res.ok());
      ASSERT_EQ(res->size(), count);
      if (count == 1) {
        EXPECT_EQ((*res)[0].row, 0u);
        EXPECT_EQ((*res)[0].distance, 0.0f);
      }
      auto blob = (*idx)->Serialize();
      auto back = LoadIndex(kind, blob, view);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ((*back)->Serialize(), blob);
    }
  }
}

TEST(IndexTest, BadArguments) {
  TestData d = MakeClustered(20, 4, VectorPrecision::kF32, VectorMetric::kCosine);
  auto idx = BuildIndex(d.view, HnswPolicy(), IndexKind::kHnsw);
  ASSERT_TRUE(idx.ok());
  std::vector<float> q = {1, 2, 3, 4};
  EXPECT_EQ((*idx)->Search(nullptr, 1, 1, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*idx)->Search(q.data(), 0, 1, nullptr).status().code(), StatusCode::kInvalidArgument);
  q[2] = std::nanf("");
  EXPECT_EQ((*idx)->Search(q.data(), 1, 1, nullptr).status().code(), StatusCode::kInvalidArgument);
  auto flat = BuildIndex(d.view, HnswPolicy(), IndexKind::kFlat);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ((*flat)->Search(q.data(), 1, 1, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(BuildIndex(d.view, HnswPolicy(1), IndexKind::kHnsw).ok());
  EXPECT_FALSE(BuildIndex(d.view, HnswPolicy(200), IndexKind::kHnsw).ok());
  VectorView bad = d.view;
  bad.dim = 0;
  EXPECT_FALSE(BuildIndex(bad, HnswPolicy(), IndexKind::kHnsw).ok());
  bad = d.view;
  bad.data = nullptr;
  EXPECT_FALSE(BuildIndex(bad, HnswPolicy(), IndexKind::kFlat).ok());
}

TEST(IndexTest, SameSeedSameBytesForAnyThreadCount) {
  TestData d = MakeClustered(3000, 16, VectorPrecision::kF16, VectorMetric::kCosine);
  auto a = BuildIndex(d.view, HnswPolicy(8, 40, 7, 1), IndexKind::kHnsw);
  auto b = BuildIndex(d.view, HnswPolicy(8, 40, 7, 1), IndexKind::kHnsw);
  auto c = BuildIndex(d.view, HnswPolicy(8, 40, 7, 2), IndexKind::kHnsw);
  auto e = BuildIndex(d.view, HnswPolicy(8, 40, 7, 4), IndexKind::kHnsw);
  auto other = BuildIndex(d.view, HnswPolicy(8, 40, 8, 2), IndexKind::kHnsw);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && e.ok() && other.ok());
  const auto blob = (*a)->Serialize();
  EXPECT_EQ(blob, (*b)->Serialize());
  EXPECT_EQ(blob, (*c)->Serialize());
  EXPECT_EQ(blob, (*e)->Serialize());
  EXPECT_NE(blob, (*other)->Serialize());
}

TEST(IndexTest, LoadedIndexSearchesIdentically) {
  TestData d = MakeClustered(2500, 16, VectorPrecision::kF16, VectorMetric::kNormalizedCosine);
  auto built = BuildIndex(d.view, HnswPolicy(), IndexKind::kHnsw);
  ASSERT_TRUE(built.ok());
  const auto blob = (*built)->Serialize();
  for (IndexKind kind : {IndexKind::kHnsw, IndexKind::kAuto}) {
    auto loaded = LoadIndex(kind, blob, d.view);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ((*loaded)->kind(), IndexKind::kHnsw);
    EXPECT_EQ((*loaded)->Serialize(), blob);
    for (uint32_t qi = 0; qi < 20; ++qi) {
      auto q = QueryNear(d, qi * 11, qi);
      auto x = (*built)->Search(q.data(), 10, 32, nullptr);
      auto y = (*loaded)->Search(q.data(), 10, 32, nullptr);
      ASSERT_TRUE(x.ok() && y.ok());
      EXPECT_EQ(*x, *y);
    }
  }
  // The wrong kind or a different row count is a Corruption error.
  EXPECT_EQ(LoadIndex(IndexKind::kFlat, blob, d.view).status().code(), StatusCode::kCorruption);
  VectorView fewer = d.view;
  fewer.count -= 1;
  EXPECT_EQ(LoadIndex(IndexKind::kHnsw, blob, fewer).status().code(), StatusCode::kCorruption);
}

TEST(IndexTest, BlobIsSmallComparedWithF16Vectors) {
  // 384-d f16 rows are 768 B; the graph must stay under 20% of that. Random clustered data at a
  // smaller scale than the benchmark, same M.
  TestData d = MakeClustered(2000, 384, VectorPrecision::kF16, VectorMetric::kCosine);
  auto idx = BuildIndex(d.view, HnswPolicy(16, 40, 42, 2), IndexKind::kHnsw);
  ASSERT_TRUE(idx.ok());
  const double ratio = static_cast<double>((*idx)->Serialize().size()) / static_cast<double>(2000 * 768);
  EXPECT_LT(ratio, 0.20) << ratio;
}

}  // namespace
}  // namespace ailake::index
