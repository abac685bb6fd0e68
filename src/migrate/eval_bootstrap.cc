#include "migrate/eval_bootstrap.h"

#include <algorithm>
#include <random>

#include "migrate/eval_metrics.h"

namespace ailake::migrate {

BootstrapInterval PairedBootstrap(const std::vector<double>& a, const std::vector<double>& b, uint64_t seed,
                                  size_t rounds) {
  BootstrapInterval out;
  const size_t n = std::min(a.size(), b.size());
  out.queries = n;
  if (n == 0) return out;
  std::vector<double> diff(n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    diff[i] = b[i] - a[i];
    sum += diff[i];
  }
  out.mean_diff = sum / static_cast<double>(n);
  std::mt19937_64 rng(seed);  // mt19937_64's sequence is fixed by the standard
  std::vector<double> means(rounds);
  for (size_t r = 0; r < rounds; ++r) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += diff[rng() % n];
    means[r] = s / static_cast<double>(n);
  }
  out.low = Percentile(means, 2.5).value_or(out.mean_diff);
  out.high = Percentile(means, 97.5).value_or(out.mean_diff);
  return out;
}

}  // namespace ailake::migrate
