// Retrieval-quality metrics for `ailake eval` (docs/EVAL.md): one query's ranked ids against graded
// judgments, or two models' ranked ids against each other when there are no judgments. Pure
// functions so the numbers can be checked by hand (eval_test.cc) independently of any table.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ailake::migrate {

// doc id -> grade; a grade > 0 means relevant (BEIR/TREC convention, 0 = judged not relevant).
using Judgments = std::unordered_map<std::string, double>;

// One search hit as the metrics see it: the ranked list is made from these by RankHits.
struct RankedHit {
  std::string id;
  double distance = 0;
};

// Orders hits by distance, ties by id, and drops repeated ids (a row found twice counts once), so a
// metric never depends on the order a search happened to return equal distances in.
std::vector<std::string> RankHits(std::vector<RankedHit> hits);

// |relevant in top k| / |relevant|; nullopt when the query has no relevant document (such a query
// carries no recall information and is left out of the mean, as trec_eval does).
std::optional<double> RecallAtK(const std::vector<std::string>& ranked, const Judgments& judged, size_t k);
// DCG@k / ideal DCG@k with linear gain (grade / log2(rank + 1)); nullopt without relevant docs.
std::optional<double> NdcgAtK(const std::vector<std::string>& ranked, const Judgments& judged, size_t k);
// 1 / rank of the first relevant hit within k, 0 when none; nullopt without relevant docs.
std::optional<double> MrrAtK(const std::vector<std::string>& ranked, const Judgments& judged, size_t k);

// Jaccard of the two top-k sets; 1 when both are empty (two models agreeing on "nothing").
double OverlapAtK(const std::vector<std::string>& a, const std::vector<std::string>& b, size_t k);
// Rank-biased overlap (Webber et al. 2010), extrapolated form over the evaluated depth: 1 for
// identical lists, 0 for disjoint ones, weighting the top ranks more (p = persistence).
double RankBiasedOverlap(const std::vector<std::string>& a, const std::vector<std::string>& b, double p = 0.9);

// Percentile q in [0, 100] with linear interpolation between order statistics (NumPy's default);
// nullopt for an empty sample.
std::optional<double> Percentile(std::vector<double> values, double q);

// Mean of the values that are present; nullopt when none is.
std::optional<double> MeanOf(const std::vector<std::optional<double>>& values);

}  // namespace ailake::migrate
