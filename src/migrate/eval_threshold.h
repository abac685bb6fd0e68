// Threshold mapping for `ailake eval` without judgments: a user who filters hits with
// "distance <= t" on the old model needs the new model's distance that keeps the same share of hits,
// because distances of two models are not on the same scale.
#pragma once

#include <vector>

namespace ailake::migrate {

struct ThresholdPoint {
  double old_threshold = 0;
  double fraction = 0;       // share of the old model's top-k hit distances <= old_threshold
  double new_threshold = 0;  // smallest new-model distance with at least that share of its top-k hits
};

// old_distances / new_distances: every top-k hit distance of every query, per model. When
// thresholds is empty the old model's 10/25/50/75/90th percentiles are used.
std::vector<ThresholdPoint> MapThresholds(std::vector<double> old_distances, std::vector<double> new_distances,
                                          std::vector<double> thresholds = {});

}  // namespace ailake::migrate
