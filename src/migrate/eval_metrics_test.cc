// Hand-worked checks of the eval metrics (eval_metrics.h, eval_bootstrap.h, eval_threshold.h):
// every expected value below is computed on paper in the comment next to it.
#include <gtest/gtest.h>

#include <cmath>

#include "migrate/eval_bootstrap.h"
#include "migrate/eval_metrics.h"
#include "migrate/eval_threshold.h"

namespace ailake::migrate {
namespace {

using Ids = std::vector<std::string>;

TEST(EvalMetrics, RankHitsBreaksTiesByIdAndDropsRepeats) {
  auto ranked = RankHits({{"c", 0.5}, {"b", 0.5}, {"a", 0.9}, {"b", 0.1}, {"d", 0.2}});
  // b first at 0.1 (its later 0.5 copy is dropped), d 0.2, then the 0.5 tie c/b -> only c left, a.
  EXPECT_EQ(ranked, (Ids{"b", "d", "c", "a"}));
  auto tie = RankHits({{"z", 1}, {"y", 1}, {"x", 1}});
  EXPECT_EQ(tie, (Ids{"x", "y", "z"}));
}

TEST(EvalMetrics, RecallCountsRelevantInTopK) {
  Judgments j{{"a", 1}, {"b", 2}, {"c", 0}, {"d", 1}};  // 3 relevant (c judged not relevant)
  EXPECT_DOUBLE_EQ(*RecallAtK({"a", "c", "x", "b"}, j, 2), 1.0 / 3);  // a
  EXPECT_DOUBLE_EQ(*RecallAtK({"a", "c", "x", "b"}, j, 4), 2.0 / 3);  // a, b
  // k larger than the result list: only what was returned counts.
  EXPECT_DOUBLE_EQ(*RecallAtK({"d"}, j, 100), 1.0 / 3);
  EXPECT_DOUBLE_EQ(*RecallAtK({}, j, 10), 0.0);  // empty result
  EXPECT_FALSE(RecallAtK({"a"}, Judgments{{"a", 0}}, 10).has_value());  // no relevant doc
  EXPECT_FALSE(RecallAtK({"a"}, Judgments{}, 10).has_value());
}

TEST(EvalMetrics, NdcgUsesGradedGainAndLogDiscount) {
  Judgments j{{"a", 3}, {"b", 2}, {"c", 1}};
  // Ideal order a,b,c: 3/1 + 2/log2(3) + 1/2.
  const double ideal = 3 + 2 / std::log2(3.0) + 0.5;
  EXPECT_DOUBLE_EQ(*NdcgAtK({"a", "b", "c"}, j, 3), 1.0);
  // c,x,a: 1/1 + 0 + 3/2.
  EXPECT_NEAR(*NdcgAtK({"c", "x", "a"}, j, 3), (1 + 1.5) / ideal, 1e-12);
  // k = 1 truncates both DCG and the ideal: 1/3.
  EXPECT_NEAR(*NdcgAtK({"c", "a"}, j, 1), 1.0 / 3, 1e-12);
  // k larger than results and than the judged set: ideal stops at 3 docs.
  EXPECT_NEAR(*NdcgAtK({"b"}, j, 50), 2 / ideal, 1e-12);
  EXPECT_DOUBLE_EQ(*NdcgAtK({}, j, 10), 0.0);
  EXPECT_FALSE(NdcgAtK({"a"}, Judgments{{"a", 0}}, 10).has_value());
}

TEST(EvalMetrics, MrrIsReciprocalRankOfFirstRelevantWithinK) {
  Judgments j{{"b", 1}, {"d", 1}};
  EXPECT_DOUBLE_EQ(*MrrAtK({"a", "b", "d"}, j, 10), 0.5);
  EXPECT_DOUBLE_EQ(*MrrAtK({"a", "c", "d"}, j, 3), 1.0 / 3);
  EXPECT_DOUBLE_EQ(*MrrAtK({"a", "c", "d"}, j, 2), 0.0);  // relevant hit beyond k
  EXPECT_DOUBLE_EQ(*MrrAtK({}, j, 2), 0.0);
  EXPECT_FALSE(MrrAtK({"b"}, Judgments{}, 2).has_value());
}

TEST(EvalMetrics, OverlapIsJaccardOfTopK) {
  EXPECT_DOUBLE_EQ(OverlapAtK({"a", "b", "c"}, {"c", "b", "a"}, 3), 1.0);  // order does not matter
  EXPECT_DOUBLE_EQ(OverlapAtK({"a", "b", "c"}, {"a", "x", "y"}, 3), 1.0 / 5);
  EXPECT_DOUBLE_EQ(OverlapAtK({"a", "b", "c"}, {"a", "x", "b"}, 2), 1.0 / 3);  // {a,b} vs {a,x}
  EXPECT_DOUBLE_EQ(OverlapAtK({"a"}, {"a", "b"}, 10), 0.5);                   // k beyond results
  EXPECT_DOUBLE_EQ(OverlapAtK({}, {}, 10), 1.0);
  EXPECT_DOUBLE_EQ(OverlapAtK({"a"}, {}, 10), 0.0);
}

TEST(EvalMetrics, RankBiasedOverlap) {
  EXPECT_NEAR(RankBiasedOverlap({"a", "b", "c"}, {"a", "b", "c"}), 1.0, 1e-12);
  EXPECT_NEAR(RankBiasedOverlap({"a", "b"}, {"x", "y"}), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(RankBiasedOverlap({}, {}), 1.0);
  // a,b vs b,a with p = 0.5: X1 = 0, X2 = 2 -> (1-p)/p * (0*p + (2/2)*p^2) + 1 * p^2 = 0.25 + 0.25.
  EXPECT_NEAR(RankBiasedOverlap({"a", "b"}, {"b", "a"}, 0.5), 0.5, 1e-12);
  // Swapping the top pair costs more than swapping the bottom pair (top-weighted).
  const double top = RankBiasedOverlap({"a", "b", "c", "d"}, {"b", "a", "c", "d"});
  const double bottom = RankBiasedOverlap({"a", "b", "c", "d"}, {"a", "b", "d", "c"});
  EXPECT_LT(top, bottom);
  EXPECT_LT(bottom, 1.0);
}

TEST(EvalMetrics, PercentileInterpolatesLinearly) {
  EXPECT_FALSE(Percentile({}, 50).has_value());
  EXPECT_DOUBLE_EQ(*Percentile({7}, 90), 7);
  EXPECT_DOUBLE_EQ(*Percentile({4, 1, 3, 2}, 50), 2.5);   // between 2 and 3
  EXPECT_DOUBLE_EQ(*Percentile({4, 1, 3, 2}, 0), 1);
  EXPECT_DOUBLE_EQ(*Percentile({4, 1, 3, 2}, 100), 4);
  EXPECT_DOUBLE_EQ(*Percentile({0, 10}, 25), 2.5);
  EXPECT_FALSE(MeanOf({std::nullopt}).has_value());
  EXPECT_DOUBLE_EQ(*MeanOf({1.0, std::nullopt, 0.0}), 0.5);  // queries without judgments skipped
}

TEST(EvalBootstrap, DeterministicForASeedAndBracketsTheMean) {
  std::vector<double> a{0.1, 0.5, 0.3, 0.9, 0.2, 0.4, 0.6, 0.0};
  std::vector<double> b{0.3, 0.6, 0.2, 1.0, 0.5, 0.4, 0.9, 0.1};
  auto x = PairedBootstrap(a, b, 42);
  auto y = PairedBootstrap(a, b, 42);
  EXPECT_EQ(x.low, y.low);
  EXPECT_EQ(x.high, y.high);
  // mean of b - a = (0.2+0.1-0.1+0.1+0.3+0+0.3+0.1)/8 = 1.0/8.
  EXPECT_NEAR(x.mean_diff, 0.125, 1e-12);
  EXPECT_LE(x.low, x.mean_diff);
  EXPECT_GE(x.high, x.mean_diff);
  EXPECT_LT(x.low, x.high);
  auto z = PairedBootstrap(a, b, 7);
  EXPECT_TRUE(z.low != x.low || z.high != x.high);  // the seed is actually used
  // Identical models: zero difference, zero-width interval.
  auto same = PairedBootstrap(a, a, 1);
  EXPECT_EQ(same.low, 0);
  EXPECT_EQ(same.high, 0);
  EXPECT_EQ(PairedBootstrap({}, {}, 1).queries, 0u);
}

TEST(EvalThreshold, MapsOldThresholdToSameShareOfNewHits) {
  // Old distances 0.1..0.4, new distances on another scale 10..40.
  auto points = MapThresholds({0.4, 0.1, 0.3, 0.2}, {30, 10, 40, 20}, {0.2, 0.35, 0.05, 1.0});
  ASSERT_EQ(points.size(), 4u);
  EXPECT_DOUBLE_EQ(points[0].fraction, 0.5);  // 0.1, 0.2 <= 0.2
  EXPECT_DOUBLE_EQ(points[0].new_threshold, 20);
  EXPECT_DOUBLE_EQ(points[1].fraction, 0.75);
  EXPECT_DOUBLE_EQ(points[1].new_threshold, 30);
  EXPECT_DOUBLE_EQ(points[2].fraction, 0.0);
  EXPECT_LT(points[2].new_threshold, 10);
  EXPECT_DOUBLE_EQ(points[3].fraction, 1.0);
  EXPECT_DOUBLE_EQ(points[3].new_threshold, 40);
  EXPECT_EQ(MapThresholds({}, {1}).size(), 0u);
  EXPECT_EQ(MapThresholds({1, 2, 3}, {1, 2, 3}).size(), 5u);  // default percentiles
}

}  // namespace
}  // namespace ailake::migrate
