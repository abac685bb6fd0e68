// k-means and balanced region assignment (vec/kmeans.h).
#include "vec/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/thread_pool.h"
#include "vec/distance.h"

namespace ailake::vec {

namespace {

// fn(begin, end) over [0, n) in blocks, on the pool when there is one. Blocks keep the per-call
// overhead of the pool's std::function small against a row's k distance computations.
template <typename Fn>
void ForBlocks(ThreadPool* pool, size_t n, Fn fn) {
  constexpr size_t kBlock = 256;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  auto one = [&](size_t b) { fn(b * kBlock, std::min(n, (b + 1) * kBlock)); };
  if (pool == nullptr || blocks <= 1) {
    for (size_t b = 0; b < blocks; ++b) one(b);
  } else {
    pool->ParallelFor(blocks, one);
  }
}

// Nearest centre of a clustering-space vector and its squared distance.
std::pair<uint32_t, float> Nearest(const Kernels& kern, const float* centroids, size_t k, size_t dim, const float* x) {
  uint32_t best = 0;
  float best_d = std::numeric_limits<float>::infinity();
  for (size_t c = 0; c < k; ++c) {
    const float d = kern.l2sq_f32(x, centroids + c * dim, dim);
    if (d < best_d) {
      best_d = d;
      best = static_cast<uint32_t>(c);
    }
  }
  return {best, best_d};
}

void NormalizeInPlace(float* v, size_t dim) {
  double n2 = 0;
  for (size_t i = 0; i < dim; ++i) n2 += double(v[i]) * v[i];
  if (n2 <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(n2));
  for (size_t i = 0; i < dim; ++i) v[i] *= inv;
}

// The out->m nearest centres of n rows (AddRegionCandidates); `raw`: the rows are as stored and
// are moved into the clustering space first, else they are in it already (training's sample).
void AddCandidates(const KMeansModel& model, const float* rows, size_t n, bool raw, RegionCandidates* out,
                   ThreadPool* pool) {
  const size_t k = model.k(), dim = model.dim;
  const size_t m = std::clamp<size_t>(out->m, 1, std::max<size_t>(1, k));
  out->m = m;
  const size_t base = out->region.size();
  out->region.resize(base + n * m, 0);
  out->distance.resize(base + n * m, 0.0f);
  const Kernels& kern = ActiveKernels();
  ForBlocks(pool, n, [&](size_t b, size_t e) {
    std::vector<float> buf(dim);
    std::vector<std::pair<float, uint32_t>> all(k);
    for (size_t i = b; i < e; ++i) {
      uint32_t* reg = out->region.data() + base + i * m;
      float* dist = out->distance.data() + base + i * m;
      const float* x = rows + i * dim;
      if (raw) {
        if (!ToClusterSpace(model.metric, x, dim, buf.data())) continue;  // region 0, distance 0
        x = buf.data();
      }
      for (size_t c = 0; c < k; ++c) all[c] = {kern.l2sq_f32(x, model.centroids.data() + c * dim, dim), uint32_t(c)};
      std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(m), all.end());
      for (size_t j = 0; j < m; ++j) {
        reg[j] = all[j].second;
        dist[j] = all[j].first;
      }
    }
  });
}

}  // namespace

bool ClustersDirections(VectorMetric metric) { return metric != VectorMetric::kEuclidean; }

bool ToClusterSpace(VectorMetric metric, const float* v, size_t dim, float* out) {
  for (size_t i = 0; i < dim; ++i) {
    if (!std::isfinite(v[i])) return false;
    out[i] = v[i];
  }
  if (ClustersDirections(metric)) NormalizeInPlace(out, dim);
  return true;
}

Result<KMeansModel> TrainKMeans(VectorMetric metric, const float* data, size_t n, size_t dim,
                                const KMeansOptions& options, ThreadPool* pool) {
  if (options.k == 0) return Status::InvalidArgument("k-means needs at least one region");
  if (dim == 0) return Status::InvalidArgument("k-means needs a dimension of at least 1");
  const Kernels& kern = ActiveKernels();
  std::mt19937_64 rng(options.seed);

  // The sample: a partial Fisher-Yates shuffle of the row numbers, then sorted (reads in order).
  std::vector<size_t> rows(n);
  std::iota(rows.begin(), rows.end(), size_t{0});
  const size_t want = options.sample_rows == 0 ? n : std::min(n, options.sample_rows);
  if (want < n) {
    for (size_t i = 0; i < want; ++i) {
      std::uniform_int_distribution<size_t> pick(i, n - 1);
      std::swap(rows[i], rows[pick(rng)]);
    }
    rows.resize(want);
    std::sort(rows.begin(), rows.end());
  }
  std::vector<float> sample;
  sample.reserve(rows.size() * dim);
  std::vector<float> buf(dim);
  for (size_t r : rows) {
    if (!ToClusterSpace(metric, data + r * dim, dim, buf.data())) continue;
    sample.insert(sample.end(), buf.begin(), buf.end());
  }
  const size_t s = sample.size() / dim;
  const size_t k = options.k;
  if (s < k) {
    return Status::InvalidArgument("k-means: " + std::to_string(k) + " regions need at least as many finite rows; the "
                                   "sample has " + std::to_string(s));
  }

  KMeansModel model;
  model.metric = metric;
  model.dim = dim;
  model.centroids.assign(k * dim, 0.0f);
  auto centre = [&](size_t c) { return model.centroids.data() + c * dim; };
  auto point = [&](size_t i) { return sample.data() + i * dim; };

  // Greedy k-means++ (as scikit-learn does it): each next centre is the best, by the resulting
  // total squared distance, of 2 + ln(k) sample points drawn with probability proportional to
  // their squared distance to the nearest centre so far. Plain k-means++ puts two centres into
  // one well-separated cluster often enough to matter; the trials make that rare.
  std::vector<float> d2(s, std::numeric_limits<float>::infinity());
  std::vector<float> trial_d2(s);
  const size_t trials = 2 + static_cast<size_t>(std::log(static_cast<double>(k)));
  auto draw = [&]() -> size_t {
    double total = 0;
    for (size_t i = 0; i < s; ++i) total += d2[i];
    if (!(total > 0) || !std::isfinite(total)) return std::uniform_int_distribution<size_t>(0, s - 1)(rng);
    double target = std::uniform_real_distribution<double>(0.0, total)(rng);
    size_t last_positive = 0;
    for (size_t i = 0; i < s; ++i) {
      if (d2[i] <= 0) continue;
      last_positive = i;
      target -= d2[i];
      if (target < 0) return i;
    }
    return last_positive;
  };
  for (size_t c = 0; c < k; ++c) {
    size_t best = 0;
    double best_potential = std::numeric_limits<double>::infinity();
    std::vector<float> best_d2;
    for (size_t t = 0; t < (c == 0 ? 1 : trials); ++t) {
      const size_t cand = draw();
      const float* cp = point(cand);
      ForBlocks(pool, s, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) trial_d2[i] = std::min(d2[i], kern.l2sq_f32(point(i), cp, dim));
      });
      double potential = 0;
      for (size_t i = 0; i < s; ++i) potential += trial_d2[i];
      if (potential < best_potential) {
        best_potential = potential;
        best = cand;
        best_d2 = trial_d2;
      }
    }
    std::copy(point(best), point(best) + dim, centre(c));
    d2 = std::move(best_d2);
  }

  // Lloyd iterations. Assignment is per point (parallel, order-free); the update sums in point
  // order in double, so the result does not depend on the thread count.
  std::vector<uint32_t> assign(s, std::numeric_limits<uint32_t>::max());
  std::vector<double> sums(k * dim);
  std::vector<size_t> counts(k);
  // Moves every centre to the mean of its points (`assign`); d2 holds each point's squared
  // distance to its centre, for re-seeding an empty region.
  auto update = [&]() {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (size_t i = 0; i < s; ++i) {
      double* sum = sums.data() + size_t{assign[i]} * dim;
      const float* p = point(i);
      for (size_t j = 0; j < dim; ++j) sum[j] += p[j];
      ++counts[assign[i]];
    }
    for (size_t c = 0; c < k; ++c) {
      if (counts[c] == 0) {
        // Re-seed an empty region with the point farthest from its centre (then it is no longer far).
        const size_t far = static_cast<size_t>(std::max_element(d2.begin(), d2.end()) - d2.begin());
        std::copy(point(far), point(far) + dim, centre(c));
        d2[far] = 0;
        continue;
      }
      float* cc = centre(c);
      for (size_t j = 0; j < dim; ++j) cc[j] = static_cast<float>(sums[c * dim + j] / static_cast<double>(counts[c]));
      if (ClustersDirections(metric)) NormalizeInPlace(cc, dim);
    }
  };
  // Assigns every point its nearest centre; returns how many points changed region.
  auto assign_nearest = [&]() {
    std::vector<uint8_t> changed(s, 0);
    ForBlocks(pool, s, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        auto [c, d] = Nearest(kern, model.centroids.data(), k, dim, point(i));
        changed[i] = c != assign[i];
        assign[i] = c;
        d2[i] = d;
      }
    });
    return static_cast<size_t>(std::count(changed.begin(), changed.end(), 1));
  };
  auto lloyd = [&](size_t iterations) {
    for (size_t it = 0; it < iterations; ++it) {
      const size_t moved = assign_nearest();
      update();
      if (it > 0 && static_cast<double>(moved) <= options.tolerance * static_cast<double>(s)) break;
    }
  };
  lloyd(options.max_iterations);

  // Balanced training (file comment). First, while some centre's cell holds more than a region's
  // capacity of the sample, the centre with the smallest cell gives up its points (they go to
  // their next nearest centres) and moves into the largest cell, which is split in two along its
  // principal direction; a few Lloyd iterations settle the centres again. Every step is a pure
  // function of the sample, so the result stays independent of the thread count.
  if (options.balance_slack >= 0 && k > 1) {
    const size_t cap = RegionCapacity(s, k, options.balance_slack);
    std::vector<double> dir(dim), next(dim), mean(dim), side_a(dim), side_b(dim);
    std::vector<size_t> members;
    for (size_t round = 0; round < 4 * k; ++round) {
      assign_nearest();
      std::fill(counts.begin(), counts.end(), 0);
      for (size_t i = 0; i < s; ++i) ++counts[assign[i]];
      const size_t big = static_cast<size_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
      if (counts[big] <= cap) break;
      const size_t small = static_cast<size_t>(std::min_element(counts.begin(), counts.end()) - counts.begin());
      members.clear();
      for (size_t i = 0; i < s; ++i) {
        if (assign[i] == big) members.push_back(i);
      }
      // Principal direction of the cell by power iteration, from its farthest point's offset.
      std::fill(mean.begin(), mean.end(), 0.0);
      size_t far = members[0];
      for (size_t i : members) {
        for (size_t j = 0; j < dim; ++j) mean[j] += point(i)[j];
        if (d2[i] > d2[far]) far = i;
      }
      for (size_t j = 0; j < dim; ++j) mean[j] /= static_cast<double>(members.size());
      for (size_t j = 0; j < dim; ++j) dir[j] = point(far)[j] - mean[j];
      for (int iter = 0; iter < 8; ++iter) {
        std::fill(next.begin(), next.end(), 0.0);
        for (size_t i : members) {
          double proj = 0;
          for (size_t j = 0; j < dim; ++j) proj += (point(i)[j] - mean[j]) * dir[j];
          for (size_t j = 0; j < dim; ++j) next[j] += proj * (point(i)[j] - mean[j]);
        }
        double n2 = 0;
        for (double x : next) n2 += x * x;
        if (!(n2 > 0)) break;
        const double inv = 1.0 / std::sqrt(n2);
        for (size_t j = 0; j < dim; ++j) dir[j] = next[j] * inv;
      }
      std::fill(side_a.begin(), side_a.end(), 0.0);
      std::fill(side_b.begin(), side_b.end(), 0.0);
      size_t na = 0, nb = 0;
      for (size_t i : members) {
        double proj = 0;
        for (size_t j = 0; j < dim; ++j) proj += (point(i)[j] - mean[j]) * dir[j];
        std::vector<double>& side = proj > 0 ? side_a : side_b;
        (proj > 0 ? na : nb) += 1;
        for (size_t j = 0; j < dim; ++j) side[j] += point(i)[j];
      }
      if (na == 0 || nb == 0) break;  // identical points: no split can shrink the cell
      for (size_t j = 0; j < dim; ++j) {
        centre(big)[j] = static_cast<float>(side_a[j] / static_cast<double>(na));
        centre(small)[j] = static_cast<float>(side_b[j] / static_cast<double>(nb));
      }
      if (ClustersDirections(metric)) {
        NormalizeInPlace(centre(big), dim);
        NormalizeInPlace(centre(small), dim);
      }
      lloyd(5);
    }
  }
  // Then Lloyd iterations on the balanced assignment itself (each centre moves to the mean of the
  // rows the capacities let it have), which settles the centres of the regions that must still
  // take overflow.
  if (options.balance_slack >= 0 && k > 1) {
    for (size_t it = 0; it < options.max_iterations; ++it) {
      RegionCandidates cand;
      cand.m = std::min<size_t>(k, 8);
      AddCandidates(model, sample.data(), s, false, &cand, pool);
      const std::vector<uint32_t> balanced = BalancedAssign(model, cand, options.balance_slack);
      size_t moved = 0;
      for (size_t i = 0; i < s; ++i) moved += balanced[i] != assign[i];
      assign = balanced;
      ForBlocks(pool, s, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) d2[i] = kern.l2sq_f32(point(i), centre(assign[i]), dim);
      });
      update();
      if (static_cast<double>(moved) <= options.tolerance * static_cast<double>(s)) break;
    }
  }
  return model;
}

uint32_t NearestRegion(const KMeansModel& model, const float* v) {
  std::vector<float> x(model.dim);
  if (!ToClusterSpace(model.metric, v, model.dim, x.data())) return 0;
  return Nearest(ActiveKernels(), model.centroids.data(), model.k(), model.dim, x.data()).first;
}

void AddRegionCandidates(const KMeansModel& model, const float* rows, size_t n, RegionCandidates* out,
                         ThreadPool* pool) {
  AddCandidates(model, rows, n, true, out, pool);
}

size_t RegionCapacity(size_t n, size_t k, double slack) {
  if (k == 0) return 0;
  const double per = static_cast<double>(n) / static_cast<double>(k) * (1.0 + std::max(0.0, slack));
  // Never below ceil(n / k): k regions must hold every row.
  return std::max((n + k - 1) / k, static_cast<size_t>(std::ceil(per)));
}

std::vector<uint32_t> BalancedAssign(const KMeansModel& model, const RegionCandidates& candidates, double slack) {
  const size_t n = candidates.rows(), m = candidates.m, k = model.k(), dim = model.dim;
  std::vector<uint32_t> out(n, 0);
  if (n == 0 || k == 0) return out;
  const size_t cap = RegionCapacity(n, k, slack);
  // Rows with most to lose by missing their nearest centre choose first; ties in row order.
  std::vector<float> regret(n, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    if (m >= 2) regret[i] = candidates.distance[i * m + 1] - candidates.distance[i * m];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return regret[a] > regret[b]; });
  std::vector<size_t> count(k, 0);
  // For the fallback: regions by distance of their centre from region r's centre (computed on use).
  std::vector<std::vector<uint32_t>> by_centre(k);
  const Kernels& kern = ActiveKernels();
  for (size_t i : order) {
    bool placed = false;
    for (size_t j = 0; j < m && !placed; ++j) {
      const uint32_t r = candidates.region[i * m + j];
      if (count[r] < cap) {
        out[i] = r;
        ++count[r];
        placed = true;
      }
    }
    if (placed) continue;
    const uint32_t home = candidates.region[i * m];
    auto& near = by_centre[home];
    if (near.empty()) {
      std::vector<std::pair<float, uint32_t>> d(k);
      const float* hc = model.centroids.data() + size_t{home} * dim;
      for (size_t c = 0; c < k; ++c) d[c] = {kern.l2sq_f32(hc, model.centroids.data() + c * dim, dim), uint32_t(c)};
      std::sort(d.begin(), d.end());
      for (const auto& [dist, c] : d) near.push_back(c);
    }
    for (uint32_t r : near) {
      if (count[r] < cap) {
        out[i] = r;
        ++count[r];
        break;
      }
    }
  }
  return out;
}

}  // namespace ailake::vec
