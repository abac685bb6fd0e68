// Recall floors that separate a correct HNSW from a sloppy one.
//
// The dataset is hard on purpose: 2000 points from 30 overlapping clusters in 64 dimensions (centres
// spread no wider than the noise), a small graph (M 8, ef_construction 40), searches at ef 10, 20 and
// 40. There the correct build reaches 0.945-0.975 at ef 10 and >= 0.985 at ef 20, while a build
// whose neighbour selection is inverted falls to 0.48-0.64 at ef 10 (on the easy data of
// index_test.cc that bug still scored 0.94-0.9975). The floors below sit just under what the correct build reaches
// (builds are deterministic for a seed; the margin absorbs the different float sums of the scalar,
// AVX2 and AVX-512 kernels). AILAKE_RECALL_REPORT=1 prints the measured table to recalibrate after a
// deliberate change to the algorithm.
//
// Planted bugs this test caught (each applied by hand, watched failing, reverted; also mutants in
// scripts/mutate.sh):
//  - hnsw_index.cc SelectNeighbors: the coverage test inverted (`NodeDistance(c.id, r.id) > c.dist`):
//    recall at ef 10 fell far below the floors of every metric and precision.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>

#include "index/index.h"
#include "index/test_data.h"

namespace ailake::index {
namespace {

using testing::TestData;

constexpr size_t kCount = 2000, kDim = 64, kClusters = 30, kQueries = 150, kK = 10;

// Queries: half near stored vectors, half drawn like the data but not stored (fresh points of the
// same clusters, generated with another seed).
std::vector<std::vector<float>> Queries(const TestData& d, const TestData& fresh) {
  std::vector<std::vector<float>> qs;
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(0.0f, 0.1f);
  for (size_t i = 0; i < kQueries; ++i) {
    const TestData& src = i % 2 == 0 ? d : fresh;
    const size_t row = (i * 7919) % src.view.count;
    const size_t dim = src.view.dim;
    std::vector<float> q(dim);
    for (size_t j = 0; j < dim; ++j) q[j] = src.f32[row * dim + j] + (i % 2 == 0 ? noise(rng) : 0.0f);
    qs.push_back(std::move(q));
  }
  return qs;
}

double Recall(const VectorIndex& approx, const VectorIndex& exact, const std::vector<std::vector<float>>& qs,
              size_t ef) {
  double hits = 0, total = 0;
  for (const auto& q : qs) {
    auto a = approx.Search(q.data(), kK, ef, nullptr);
    auto e = exact.Search(q.data(), kK, ef, nullptr);
    EXPECT_TRUE(a.ok() && e.ok());
    if (!a.ok() || !e.ok()) return 0;
    std::set<uint32_t> truth;
    for (const auto& n : *e) truth.insert(n.row);
    for (const auto& n : *a) hits += static_cast<double>(truth.count(n.row));
    total += static_cast<double>(e->size());
  }
  return hits / total;
}

// count vectors around kClusters Gaussian centres drawn at the noise's own scale (so clusters overlap
// heavily, unlike test_data.h's well separated ones); the same seed gives the same centres, so
// `fresh` points come from the data's clusters. Normalised for the cosines.
TestData Make(size_t count, VectorPrecision precision, VectorMetric metric) {
  const size_t dim = kDim, clusters = kClusters;
  const float cs = 1.0f;
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centres(clusters * dim);
  for (auto& c : centres) c = normal(rng) * cs;
  TestData d;
  d.f32.resize(count * dim);
  for (size_t i = 0; i < count; ++i) {
    const size_t c = rng() % clusters;
    float norm = 0;
    for (size_t j = 0; j < dim; ++j) {
      float v = centres[c * dim + j] + normal(rng);
      d.f32[i * dim + j] = v;
      norm += v * v;
    }
    if (metric == VectorMetric::kNormalizedCosine || metric == VectorMetric::kCosine) {
      for (size_t j = 0; j < dim; ++j) d.f32[i * dim + j] /= std::sqrt(norm);
    }
  }
  d.rows.resize(count * vec::RowBytes(precision, dim) + 1);
  vec::EncodeRows(precision, d.f32.data(), dim, count, d.rows.data());
  d.view = VectorView{d.rows.data(), precision, dim, count, metric};
  return d;
}

struct Floors {
  VectorMetric metric;
  VectorPrecision precision;
  double ef10, ef20, ef40;
};

class RecallFloor : public ::testing::TestWithParam<Floors> {};

TEST_P(RecallFloor, HardDatasetAtSeveralEf) {
  const Floors f = GetParam();
  TestData d = Make(kCount, f.precision, f.metric);
  TestData fresh = Make(kQueries, VectorPrecision::kF32, f.metric);
  VectorStoragePolicy p;
  p.index = IndexKind::kHnsw;
  p.hnsw_m = 8;
  p.hnsw_ef_construction = 40;
  p.hnsw_seed = 42;
  p.build_threads = 1;
  auto hnsw = BuildIndex(d.view, p, IndexKind::kHnsw);
  auto flat = BuildIndex(d.view, p, IndexKind::kFlat);
  ASSERT_TRUE(hnsw.ok()) << hnsw.status().ToString();
  ASSERT_TRUE(flat.ok());
  const auto qs = Queries(d, fresh);
  const double r10 = Recall(**hnsw, **flat, qs, 10);
  const double r20 = Recall(**hnsw, **flat, qs, 20);
  const double r40 = Recall(**hnsw, **flat, qs, 40);
  const std::string name = std::string(MetricName(f.metric)) + "/" + std::string(PrecisionName(f.precision));
  if (const char* e = std::getenv("AILAKE_RECALL_REPORT"); e && *e == '1') {
    std::printf("recall %-22s ef10 %.4f ef20 %.4f ef40 %.4f\n", name.c_str(), r10, r20, r40);
  }
  EXPECT_GE(r10, f.ef10) << name << " ef 10";
  EXPECT_GE(r20, f.ef20) << name << " ef 20";
  EXPECT_GE(r40, f.ef40) << name << " ef 40";
  // More effort never loses recall by more than noise.
  EXPECT_GE(r40 + 0.01, r10) << name;
}

// Floors: the recall the correct build measured (AVX-512 kernels), minus about 0.015 at ef 10 and 0.01
// above, rounded down.
INSTANTIATE_TEST_SUITE_P(
    AllMetricsAndPrecisions, RecallFloor,
    ::testing::Values(Floors{VectorMetric::kCosine, VectorPrecision::kF32, 0.94, 0.975, 0.985},
                      Floors{VectorMetric::kCosine, VectorPrecision::kF16, 0.94, 0.975, 0.985},
                      Floors{VectorMetric::kCosine, VectorPrecision::kI8, 0.93, 0.975, 0.985},
                      Floors{VectorMetric::kEuclidean, VectorPrecision::kF32, 0.955, 0.985, 0.985},
                      Floors{VectorMetric::kEuclidean, VectorPrecision::kF16, 0.955, 0.985, 0.985},
                      Floors{VectorMetric::kEuclidean, VectorPrecision::kI8, 0.955, 0.985, 0.985},
                      Floors{VectorMetric::kDot, VectorPrecision::kF32, 0.945, 0.975, 0.98},
                      Floors{VectorMetric::kDot, VectorPrecision::kF16, 0.945, 0.975, 0.98},
                      Floors{VectorMetric::kDot, VectorPrecision::kI8, 0.945, 0.97, 0.98},
                      Floors{VectorMetric::kNormalizedCosine, VectorPrecision::kF32, 0.94, 0.975, 0.985},
                      Floors{VectorMetric::kNormalizedCosine, VectorPrecision::kF16, 0.94, 0.975, 0.985},
                      Floors{VectorMetric::kNormalizedCosine, VectorPrecision::kI8, 0.93, 0.975, 0.985}),
    [](const ::testing::TestParamInfo<Floors>& info) {
      return std::string(MetricName(info.param.metric)) + "_" + std::string(PrecisionName(info.param.precision));
    });

}  // namespace
}  // namespace ailake::index
