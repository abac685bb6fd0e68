#include "migrate/eval_metrics.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace ailake::migrate {
namespace {

size_t RelevantCount(const Judgments& judged) {
  size_t n = 0;
  for (const auto& [id, grade] : judged) n += grade > 0 ? 1 : 0;
  return n;
}

double Grade(const Judgments& judged, const std::string& id) {
  auto it = judged.find(id);
  return it == judged.end() ? 0.0 : it->second;
}

}  // namespace

std::vector<std::string> RankHits(std::vector<RankedHit> hits) {
  std::stable_sort(hits.begin(), hits.end(), [](const RankedHit& a, const RankedHit& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    return a.id < b.id;
  });
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (auto& h : hits) {
    if (seen.insert(h.id).second) out.push_back(std::move(h.id));
  }
  return out;
}

std::optional<double> RecallAtK(const std::vector<std::string>& ranked, const Judgments& judged, size_t k) {
  const size_t relevant = RelevantCount(judged);
  if (relevant == 0) return std::nullopt;
  size_t found = 0;
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) found += Grade(judged, ranked[i]) > 0 ? 1 : 0;
  return static_cast<double>(found) / static_cast<double>(relevant);
}

std::optional<double> NdcgAtK(const std::vector<std::string>& ranked, const Judgments& judged, size_t k) {
  std::vector<double> grades;
  for (const auto& [id, grade] : judged) {
    if (grade > 0) grades.push_back(grade);
  }
  if (grades.empty()) return std::nullopt;
  std::sort(grades.rbegin(), grades.rend());
  double ideal = 0;
  for (size_t i = 0; i < std::min(k, grades.size()); ++i) ideal += grades[i] / std::log2(static_cast<double>(i) + 2);
  double dcg = 0;
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) {
    const double g = Grade(judged, ranked[i]);
    if (g > 0) dcg += g / std::log2(static_cast<double>(i) + 2);
  }
  return ideal > 0 ? dcg / ideal : 0.0;
}

std::optional<double> MrrAtK(const std::vector<std::string>& ranked, const Judgments& judged, size_t k) {
  if (RelevantCount(judged) == 0) return std::nullopt;
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) {
    if (Grade(judged, ranked[i]) > 0) return 1.0 / static_cast<double>(i + 1);
  }
  return 0.0;
}

double OverlapAtK(const std::vector<std::string>& a, const std::vector<std::string>& b, size_t k) {
  std::unordered_set<std::string> sa(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(std::min(k, a.size())));
  std::unordered_set<std::string> sb(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(std::min(k, b.size())));
  if (sa.empty() && sb.empty()) return 1.0;
  size_t common = 0;
  for (const auto& id : sa) common += sb.count(id);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

double RankBiasedOverlap(const std::vector<std::string>& a, const std::vector<std::string>& b, double p) {
  const size_t depth = std::max(a.size(), b.size());
  if (depth == 0) return 1.0;
  std::unordered_set<std::string> seen_a, seen_b;
  size_t common = 0;  // |a[:d] ∩ b[:d]|
  double sum = 0, weight = p;
  double agreement = 0;
  for (size_t d = 1; d <= depth; ++d) {
    const bool has_a = d <= a.size(), has_b = d <= b.size();
    if (has_a && has_b && a[d - 1] == b[d - 1]) {
      ++common;
      seen_a.insert(a[d - 1]);
      seen_b.insert(b[d - 1]);
    } else {
      if (has_a) {
        common += seen_b.count(a[d - 1]);
        seen_a.insert(a[d - 1]);
      }
      if (has_b) {
        common += seen_a.count(b[d - 1]);
        seen_b.insert(b[d - 1]);
      }
    }
    agreement = static_cast<double>(common) / static_cast<double>(d);
    sum += agreement * weight;
    weight *= p;
  }
  // RBO_ext: the agreement at the last depth is assumed to continue for ever (weight p^depth),
  // which makes identical lists score exactly 1.
  return (1 - p) / p * sum + agreement * std::pow(p, static_cast<double>(depth));
}

std::optional<double> Percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo));
}

std::optional<double> MeanOf(const std::vector<std::optional<double>>& values) {
  double sum = 0;
  size_t n = 0;
  for (const auto& v : values) {
    if (v) {
      sum += *v;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

}  // namespace ailake::migrate
