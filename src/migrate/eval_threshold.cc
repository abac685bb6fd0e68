#include "migrate/eval_threshold.h"

#include <algorithm>
#include <cmath>

#include "migrate/eval_metrics.h"

namespace ailake::migrate {

std::vector<ThresholdPoint> MapThresholds(std::vector<double> old_distances, std::vector<double> new_distances,
                                          std::vector<double> thresholds) {
  std::vector<ThresholdPoint> out;
  if (old_distances.empty() || new_distances.empty()) return out;
  std::sort(old_distances.begin(), old_distances.end());
  std::sort(new_distances.begin(), new_distances.end());
  if (thresholds.empty()) {
    for (double q : {10.0, 25.0, 50.0, 75.0, 90.0}) thresholds.push_back(*Percentile(old_distances, q));
  }
  for (double t : thresholds) {
    ThresholdPoint p;
    p.old_threshold = t;
    const auto kept = std::upper_bound(old_distances.begin(), old_distances.end(), t) - old_distances.begin();
    p.fraction = static_cast<double>(kept) / static_cast<double>(old_distances.size());
    // The new threshold keeps ceil(fraction * n) of the new hits: the order statistic at that rank.
    const auto need = static_cast<size_t>(std::ceil(p.fraction * static_cast<double>(new_distances.size()) - 1e-9));
    if (need == 0) {
      // Nothing kept: any distance below the smallest new one; report the value just under it.
      p.new_threshold = std::nextafter(new_distances.front(), -INFINITY);
    } else {
      p.new_threshold = new_distances[std::min(need, new_distances.size()) - 1];
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace ailake::migrate
