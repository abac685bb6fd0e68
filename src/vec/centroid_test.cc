// Centroid + radius: non-finite rows are ignored, the radius bounds every row (property test over
// random sets and all metrics), cosine centroids are unit length, stored rows = f32 input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "vec/centroid.h"
#include "vec/quantize.h"

namespace ailake::vec {
namespace {

const VectorMetric kMetrics[] = {VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDot,
                                 VectorMetric::kNormalizedCosine};

bool Directional(VectorMetric m) { return m == VectorMetric::kCosine || m == VectorMetric::kNormalizedCosine; }

// Distance (double) from a row to the centroid in the space the radius is defined in (centroid.h).
double DistanceToCentroid(VectorMetric m, const float* row, const std::vector<float>& c) {
  const size_t dim = c.size();
  double n2 = 0;
  for (size_t i = 0; i < dim; ++i) n2 += double(row[i]) * row[i];
  const double scale = Directional(m) && n2 > 0 ? 1.0 / std::sqrt(n2) : 1.0;
  double d2 = 0;
  for (size_t i = 0; i < dim; ++i) {
    const double d = row[i] * scale - c[i];
    d2 += d * d;
  }
  return std::sqrt(d2);
}

TEST(Centroid, RadiusBoundsEveryRow) {
  std::mt19937 rng(77);
  std::uniform_int_distribution<size_t> count_dist(1, 60);
  for (int trial = 0; trial < 60; ++trial) {
    const size_t dim = 1 + trial % 17, count = count_dist(rng);
    std::normal_distribution<float> g(trial % 3 == 0 ? 5.0f : 0.0f, trial % 2 ? 1e-3f : 10.0f);
    std::vector<float> data(dim * count);
    for (float& x : data) x = g(rng);
    for (VectorMetric m : kMetrics) {
      const CentroidRadius cr = ComputeCentroidRadius(m, data.data(), dim, count);
      ASSERT_EQ(cr.count, count);
      ASSERT_EQ(cr.centroid.size(), dim);
      double maxd = 0;
      for (size_t r = 0; r < count; ++r) {
        const double d = DistanceToCentroid(m, data.data() + r * dim, cr.centroid);
        ASSERT_LE(d, cr.radius) << MetricName(m) << " trial " << trial << " row " << r;
        maxd = std::max(maxd, d);
      }
      // And it is the bound, not just any bound: within rounding of the farthest row.
      EXPECT_LE(cr.radius, maxd * (1 + 1e-5) + 1e-6) << MetricName(m) << " trial " << trial;
    }
  }
}

TEST(Centroid, IgnoresNonFiniteRows) {
  const size_t dim = 3;
  std::vector<float> data = {1, 2, 3,  //
                             std::numeric_limits<float>::quiet_NaN(), 0, 0,
                             3, 4, 5,  //
                             0, HUGE_VALF, 0,
                             0, 0, -HUGE_VALF};
  for (VectorMetric m : kMetrics) {
    const CentroidRadius cr = ComputeCentroidRadius(m, data.data(), dim, 5);
    EXPECT_EQ(cr.count, 2u) << MetricName(m);
    const std::vector<float> finite = {1, 2, 3, 3, 4, 5};
    const CentroidRadius want = ComputeCentroidRadius(m, finite.data(), dim, 2);
    EXPECT_EQ(cr.centroid, want.centroid) << MetricName(m);
    EXPECT_EQ(cr.radius, want.radius) << MetricName(m);
    EXPECT_TRUE(std::isfinite(cr.radius));
  }
  const CentroidRadius e = ComputeCentroidRadius(VectorMetric::kEuclidean, data.data(), dim, 5);
  EXPECT_FLOAT_EQ(e.centroid[0], 2.0f);
  EXPECT_FLOAT_EQ(e.centroid[1], 3.0f);
  EXPECT_FLOAT_EQ(e.centroid[2], 4.0f);
}

TEST(Centroid, NoFiniteRows) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> data = {nan, 1, 2, nan};
  const CentroidRadius cr = ComputeCentroidRadius(VectorMetric::kEuclidean, data.data(), 2, 2);
  EXPECT_EQ(cr.count, 0u);
  EXPECT_EQ(cr.centroid, std::vector<float>(2, 0.0f));
  EXPECT_EQ(cr.radius, 0.0f);
}

TEST(Centroid, CosineCentroidIsUnitLength) {
  std::mt19937 rng(8);
  std::normal_distribution<float> g(0.3f, 2.0f);
  for (VectorMetric m : {VectorMetric::kCosine, VectorMetric::kNormalizedCosine}) {
    std::vector<float> data(32 * 50);
    for (float& x : data) x = g(rng);
    const CentroidRadius cr = ComputeCentroidRadius(m, data.data(), 32, 50);
    double n2 = 0;
    for (float x : cr.centroid) n2 += double(x) * x;
    EXPECT_NEAR(std::sqrt(n2), 1.0, 1e-6) << MetricName(m);
    // Unit rows and a unit centroid: no row is more than 2 away.
    EXPECT_LE(cr.radius, 2.0f + 1e-5f);
  }
}

TEST(Centroid, StoredRowsMatchDecodedInput) {
  std::mt19937 rng(10);
  std::normal_distribution<float> g;
  const size_t dim = 24, count = 40;
  std::vector<float> data(dim * count);
  for (float& x : data) x = g(rng);
  for (VectorPrecision p : {VectorPrecision::kF32, VectorPrecision::kF16, VectorPrecision::kI8}) {
    std::vector<uint8_t> rows(RowBytes(p, dim) * count);
    EncodeRows(p, data.data(), dim, count, rows.data());
    std::vector<float> decoded(dim * count);
    DecodeRows(p, rows.data(), dim, count, decoded.data());
    for (VectorMetric m : kMetrics) {
      const CentroidRadius a = ComputeCentroidRadiusRows(m, rows.data(), p, dim, count);
      const CentroidRadius b = ComputeCentroidRadius(m, decoded.data(), dim, count);
      EXPECT_EQ(a.centroid, b.centroid) << PrecisionName(p) << " " << MetricName(m);
      EXPECT_EQ(a.radius, b.radius) << PrecisionName(p) << " " << MetricName(m);
      EXPECT_EQ(a.count, count);
    }
  }
}

}  // namespace
}  // namespace ailake::vec
