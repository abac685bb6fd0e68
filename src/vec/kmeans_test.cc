// k-means and balanced assignment: planted clusters are recovered for every metric, training is
// deterministic (seed, thread count), every row gets exactly one region, capacities hold, and
// with room to spare the balanced assignment equals the nearest-centre one.
#include "vec/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "core/thread_pool.h"

namespace ailake::vec {
namespace {

struct Planted {
  std::vector<float> rows;     // n x dim
  std::vector<uint32_t> label;  // planted cluster of each row
};

// `clusters` well-separated groups; sizes given per cluster. Rows are centre + small noise, in
// shuffled order so no algorithm can lean on row order.
Planted MakePlanted(size_t dim, const std::vector<size_t>& sizes, float noise, uint64_t seed, float scale = 1.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::vector<std::vector<float>> centres(sizes.size(), std::vector<float>(dim));
  for (auto& c : centres) {
    double n2 = 0;
    for (auto& x : c) {
      x = g(rng);
      n2 += double(x) * x;
    }
    for (auto& x : c) x = static_cast<float>(x / std::sqrt(n2));
  }
  std::vector<std::pair<uint32_t, std::vector<float>>> all;
  for (size_t c = 0; c < sizes.size(); ++c) {
    for (size_t i = 0; i < sizes[c]; ++i) {
      std::vector<float> v(dim);
      for (size_t d = 0; d < dim; ++d) v[d] = scale * (centres[c][d] + noise * g(rng));
      all.emplace_back(static_cast<uint32_t>(c), std::move(v));
    }
  }
  std::shuffle(all.begin(), all.end(), rng);
  Planted p;
  for (auto& [l, v] : all) {
    p.label.push_back(l);
    p.rows.insert(p.rows.end(), v.begin(), v.end());
  }
  return p;
}

std::vector<uint32_t> Plain(const KMeansModel& m, const Planted& p) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < p.label.size(); ++i) out.push_back(NearestRegion(m, p.rows.data() + i * m.dim));
  return out;
}

// Every planted cluster maps to exactly one region and no two clusters share one.
void ExpectRecovered(const std::vector<uint32_t>& got, const Planted& p, size_t k) {
  std::map<uint32_t, std::set<uint32_t>> regions_of_label, labels_of_region;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_LT(got[i], k);
    regions_of_label[p.label[i]].insert(got[i]);
    labels_of_region[got[i]].insert(p.label[i]);
  }
  for (const auto& [l, r] : regions_of_label) EXPECT_EQ(r.size(), 1u) << "cluster " << l << " split";
  for (const auto& [r, l] : labels_of_region) EXPECT_EQ(l.size(), 1u) << "region " << r << " mixes clusters";
}

TEST(KMeans, RecoversPlantedClustersForEveryMetric) {
  for (VectorMetric metric :
       {VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDot, VectorMetric::kNormalizedCosine}) {
   for (uint64_t seed : {5, 6, 7, 8}) {
    SCOPED_TRACE(std::string(MetricName(metric)) + " seed " + std::to_string(seed));
    // Raw norms of 3 (not unit): cosine/dot must normalise, euclidean must not care.
    Planted p = MakePlanted(32, {300, 300, 300, 300, 300, 300}, 0.05f, 11 + seed, 3.0f);
    KMeansOptions o;
    o.k = 6;
    o.seed = seed;
    ThreadPool pool(2);
    auto m = TrainKMeans(metric, p.rows.data(), p.label.size(), 32, o, &pool);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_EQ(m->k(), 6u);
    if (ClustersDirections(metric)) {
      for (size_t c = 0; c < 6; ++c) {
        double n2 = 0;
        for (size_t d = 0; d < 32; ++d) n2 += double(m->centroids[c * 32 + d]) * m->centroids[c * 32 + d];
        EXPECT_NEAR(n2, 1.0, 1e-4);
      }
    }
    ExpectRecovered(Plain(*m, p), p, 6);
   }
  }
}

TEST(KMeans, DeterministicAcrossThreadCountsAndRuns) {
 for (double balance : {-1.0, 0.2}) {
  SCOPED_TRACE("balance_slack " + std::to_string(balance));
  Planted p = MakePlanted(24, {500, 200, 700, 100}, 0.3f, 3);
  KMeansOptions o;
  o.k = 5;
  o.sample_rows = 900;  // a real sample (fewer than the 1500 rows)
  o.seed = 42;
  o.balance_slack = balance;
  auto a = TrainKMeans(VectorMetric::kCosine, p.rows.data(), p.label.size(), 24, o, nullptr);
  ThreadPool pool(3);
  auto b = TrainKMeans(VectorMetric::kCosine, p.rows.data(), p.label.size(), 24, o, &pool);
  auto c = TrainKMeans(VectorMetric::kCosine, p.rows.data(), p.label.size(), 24, o, &pool);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->centroids, b->centroids);
  EXPECT_EQ(b->centroids, c->centroids);
  o.seed = 43;
  auto d = TrainKMeans(VectorMetric::kCosine, p.rows.data(), p.label.size(), 24, o, &pool);
  ASSERT_TRUE(d.ok());
  EXPECT_NE(a->centroids, d->centroids);  // the seed is used
 }
}

// One tight planted cluster holds 60% of the rows, 3 times a region's capacity. Plain k-means gives
// it one centre, so the balanced assignment must push most of its rows into regions whose centres
// are elsewhere; balanced training moves centres into it until nearly every row fits in the
// region of its nearest centre (what makes nearest-centre routing find a row's file).
TEST(KMeans, BalancedTrainingPutsRowsInTheirNearestRegion) {
  for (VectorMetric metric : {VectorMetric::kCosine, VectorMetric::kEuclidean}) {
    for (uint64_t seed : {1, 2, 3}) {
      SCOPED_TRACE(std::string(MetricName(metric)) + " seed " + std::to_string(seed));
      std::vector<size_t> sizes(10, 200);
      sizes[0] = 3000;  // of 4800 rows
      Planted p = MakePlanted(16, sizes, 0.05f, 100 + seed);
      const size_t n = p.label.size(), k = 10;
      const double slack = 1.0;  // capacity 960
      ThreadPool pool(2);
      auto home_fraction = [&](const KMeansModel& m) {
        RegionCandidates c;
        c.m = 8;
        AddRegionCandidates(m, p.rows.data(), n, &c, &pool);
        const std::vector<uint32_t> a = BalancedAssign(m, c, slack);
        std::vector<size_t> count(k, 0);
        size_t home = 0;
        for (size_t i = 0; i < n; ++i) {
          ++count[a[i]];
          home += a[i] == c.region[i * c.m];
        }
        for (size_t r = 0; r < k; ++r) EXPECT_LE(count[r], RegionCapacity(n, k, slack));
        return double(home) / double(n);
      };
      KMeansOptions o;
      o.k = k;
      o.seed = seed;
      auto plain = TrainKMeans(metric, p.rows.data(), n, 16, o, &pool);
      o.balance_slack = slack;
      auto balanced = TrainKMeans(metric, p.rows.data(), n, 16, o, &pool);
      ASSERT_TRUE(plain.ok() && balanced.ok());
      const double plain_home = home_fraction(*plain), balanced_home = home_fraction(*balanced);
      EXPECT_LT(plain_home, 0.8);  // the data does exercise the overflow
      EXPECT_GE(balanced_home, 0.95) << "plain k-means: " << plain_home;
      // The large cluster got the ceil(3000 / 960) = 4 regions it needs.
      std::set<uint32_t> big;
      for (size_t i = 0; i < n; ++i) {
        if (p.label[i] == 0) big.insert(NearestRegion(*balanced, p.rows.data() + i * 16));
      }
      EXPECT_GE(big.size(), 4u);
    }
  }
}

TEST(KMeans, RejectsMoreRegionsThanFiniteRows) {
  std::vector<float> rows = {1, 0, 0, 1, NAN, 0};
  KMeansOptions o;
  o.k = 3;
  auto m = TrainKMeans(VectorMetric::kEuclidean, rows.data(), 3, 2, o, nullptr);
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  o.k = 0;
  EXPECT_FALSE(TrainKMeans(VectorMetric::kEuclidean, rows.data(), 3, 2, o, nullptr).ok());
  o.k = 2;
  auto ok = TrainKMeans(VectorMetric::kEuclidean, rows.data(), 3, 2, o, nullptr);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(NearestRegion(*ok, rows.data() + 4), 0u);  // the non-finite row
}

TEST(KMeans, DuplicatePointsStillGiveKCentres) {
  std::vector<float> rows(40 * 4, 1.0f);  // 40 copies of one point
  KMeansOptions o;
  o.k = 4;
  auto m = TrainKMeans(VectorMetric::kEuclidean, rows.data(), 40, 4, o, nullptr);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->k(), 4u);
}

TEST(BalancedAssign, EveryRowOnceAndCapacitiesHold) {
  // Skewed planted clusters (one holds 60% of the rows): plain assignment would overflow it.
  Planted p = MakePlanted(16, {1200, 300, 200, 150, 150}, 0.2f, 9);
  const size_t n = p.label.size(), k = 5;
  KMeansOptions o;
  o.k = k;
  ThreadPool pool(2);
  auto m = TrainKMeans(VectorMetric::kEuclidean, p.rows.data(), n, 16, o, &pool);
  ASSERT_TRUE(m.ok());
  for (size_t cand : {size_t{1}, size_t{2}, size_t{5}}) {
    for (double slack : {0.0, 0.05, 0.3}) {
      SCOPED_TRACE("candidates " + std::to_string(cand) + " slack " + std::to_string(slack));
      RegionCandidates c;
      c.m = cand;
      AddRegionCandidates(*m, p.rows.data(), n / 2, &c, &pool);  // two calls append in row order
      AddRegionCandidates(*m, p.rows.data() + (n / 2) * 16, n - n / 2, &c, nullptr);
      ASSERT_EQ(c.rows(), n);
      std::vector<uint32_t> a = BalancedAssign(*m, c, slack);
      ASSERT_EQ(a.size(), n);
      const size_t cap = RegionCapacity(n, k, slack);
      EXPECT_LE(cap, static_cast<size_t>(std::ceil(double(n) / k * (1 + slack))) + 1);
      std::vector<size_t> count(k, 0);
      for (uint32_t r : a) {
        ASSERT_LT(r, k);
        ++count[r];
      }
      size_t total = 0;
      for (size_t r = 0; r < k; ++r) {
        EXPECT_LE(count[r], cap);
        total += count[r];
      }
      EXPECT_EQ(total, n);
    }
  }
}

TEST(BalancedAssign, WithRoomToSpareEqualsNearestCentre) {
  Planted p = MakePlanted(16, {100, 100, 100, 100}, 0.3f, 4);
  const size_t n = p.label.size();
  KMeansOptions o;
  o.k = 4;
  auto m = TrainKMeans(VectorMetric::kCosine, p.rows.data(), n, 16, o, nullptr);
  ASSERT_TRUE(m.ok());
  RegionCandidates c;
  c.m = 2;
  AddRegionCandidates(*m, p.rows.data(), n, &c, nullptr);
  EXPECT_EQ(BalancedAssign(*m, c, 1.0), Plain(*m, p));  // capacity 2x the mean: nothing overflows
}

TEST(BalancedAssign, OverflowGoesToTheNextNearestRegion) {
  // Two regions on a line at 0 and 10; five rows near 0, one near 10. Capacity 3 (n=6, k=2,
  // slack 0): the two rows near 0 with the least to lose (closest to the middle) move to 10.
  KMeansModel m;
  m.metric = VectorMetric::kEuclidean;
  m.dim = 1;
  m.centroids = {0.0f, 10.0f};
  std::vector<float> rows = {0.1f, 4.0f, 0.2f, 9.0f, 3.0f, 0.3f};
  RegionCandidates c;
  c.m = 2;
  AddRegionCandidates(m, rows.data(), rows.size(), &c, nullptr);
  EXPECT_EQ(BalancedAssign(m, c, 0.0), (std::vector<uint32_t>{0, 1, 0, 1, 1, 0}));
}

}  // namespace
}  // namespace ailake::vec
