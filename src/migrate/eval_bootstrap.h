// Paired bootstrap confidence interval of a per-query metric difference (new - old) for
// `ailake eval`: resamples queries with replacement so the interval reflects how much the verdict
// depends on which queries were asked. Deterministic for a given seed (own index draw, not
// std::uniform_int_distribution, whose output differs between standard libraries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ailake::migrate {

struct BootstrapInterval {
  double mean_diff = 0;  // mean of (b[i] - a[i]) over all queries
  double low = 0;        // 2.5th percentile of the resampled means
  double high = 0;       // 97.5th percentile
  size_t queries = 0;
};

// a and b are the per-query values of the old and the new model (same length, same order).
BootstrapInterval PairedBootstrap(const std::vector<double>& a, const std::vector<double>& b, uint64_t seed,
                                  size_t rounds = 1000);

}  // namespace ailake::migrate
