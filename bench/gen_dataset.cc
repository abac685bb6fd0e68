// gen_dataset: deterministic clustered, L2-normalised, text-embedding-like vectors with exact top-k
// ground truth, for bench/ann_bench.
//
//   gen_dataset --out DIR [--n 100000] [--nq 1000] [--dim 384] [--k 100] [--topics 256]
//               [--subtopics 8] [--seed 1] [--threads N]
//               [--kind topics|lowrank] [--clusters 100] [--rank 16] [--zipf 1.1]
// writes DIR/base.fvecs, DIR/query.fvecs, DIR/groundtruth.ivecs (fvecs: per vector an int32 dim then
// dim float32; ivecs: an int32 k then k int32 row ids, nearest first).
//
// Model of "text-embedding-like": real sentence embeddings are unit vectors whose energy is
// concentrated in a few hundred directions with a decaying spectrum and that form a hierarchy of
// topics. So: topic centres and per-topic subtopic offsets are Gaussian; a vector is
// topic + 0.6 * subtopic + 1.6 * noise, every dimension scaled by a power-law spectrum
// 1/sqrt(1 + d/96), then L2-normalised. Queries come from the same distribution with other
// random streams. Every random number is a pure function of (seed, stream, index), so output is
// identical for any thread count. Ground truth is the exact inner product (== cosine on unit
// vectors) with the vec kernels, ties broken by row id.
//
// --kind lowrank: vectors with a low intrinsic dimension, as real text embeddings have (their
// neighbours are not equidistant, unlike a full-rank Gaussian blob). All vectors share one mean
// direction m (embedding spaces are anisotropic: random texts have a clearly positive cosine).
// Cluster t (of --clusters) has a unit centre c_t and its own --rank orthogonal-ish unit
// directions b_tj with decaying scales; cluster sizes follow a power law (P(t) ~ (t+1)^-zipf).
// A vector is 0.7 m + c_t + sum_j (0.45 / sqrt(j+1)) z_j b_tj + 0.08 n / sqrt(dim)-ish noise,
// L2-normalised (z, n standard normal). Queries come from the same distribution.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "vec/distance.h"

namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A small counter-based Gaussian stream (Box-Muller over SplitMix64).
class Gauss {
 public:
  Gauss(uint64_t seed, uint64_t stream, uint64_t index) : state_(SplitMix64(seed ^ SplitMix64(stream * 0x1000003 + index))) {}
  double Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(Bits() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(Bits() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2 * M_PI * u2);
  }
  uint64_t Bits() { return SplitMix64(state_++); }

 private:
  uint64_t state_;
  double spare_ = 0;
  bool has_spare_ = false;
};

struct Options {
  std::string out;
  size_t n = 100000, nq = 1000, dim = 384, k = 100, topics = 256, subtopics = 8, threads = 0;
  uint64_t seed = 1;
  std::string kind = "topics";
  size_t clusters = 100, rank = 16;
  double zipf = 1.1;
};

bool WriteVecs(const std::string& path, const void* data, size_t count, size_t dim, size_t elem) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const auto d = static_cast<int32_t>(dim);
  const auto* p = static_cast<const uint8_t*>(data);
  bool ok = true;
  for (size_t i = 0; i < count && ok; ++i) {
    ok = std::fwrite(&d, 4, 1, f) == 1 && std::fwrite(p + i * dim * elem, elem, dim, f) == dim;
  }
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--out") o.out = next();
    else if (a == "--n") o.n = std::strtoull(next(), nullptr, 10);
    else if (a == "--nq") o.nq = std::strtoull(next(), nullptr, 10);
    else if (a == "--dim") o.dim = std::strtoull(next(), nullptr, 10);
    else if (a == "--k") o.k = std::strtoull(next(), nullptr, 10);
    else if (a == "--topics") o.topics = std::strtoull(next(), nullptr, 10);
    else if (a == "--subtopics") o.subtopics = std::strtoull(next(), nullptr, 10);
    else if (a == "--seed") o.seed = std::strtoull(next(), nullptr, 10);
    else if (a == "--threads") o.threads = std::strtoull(next(), nullptr, 10);
    else if (a == "--kind") o.kind = next();
    else if (a == "--clusters") o.clusters = std::strtoull(next(), nullptr, 10);
    else if (a == "--rank") o.rank = std::strtoull(next(), nullptr, 10);
    else if (a == "--zipf") o.zipf = std::strtod(next(), nullptr);
    else {
      std::fprintf(stderr, "usage: gen_dataset --out DIR [--n N] [--nq N] [--dim D] [--k K] [--topics T] "
                           "[--subtopics S] [--seed S] [--threads N]\n");
      return 2;
    }
  }
  if (o.out.empty() || o.n == 0 || o.dim == 0 || o.topics == 0 || o.subtopics == 0 || o.clusters == 0 ||
      (o.kind != "topics" && o.kind != "lowrank") || !(o.zipf >= 0)) {
    std::fprintf(stderr, "gen_dataset: --out is required and sizes must be positive\n");
    return 2;
  }
  o.k = std::min(o.k, o.n);
  const size_t dim = o.dim;
  ailake::ThreadPool pool(o.threads);

  std::vector<double> spectrum(dim);
  for (size_t d = 0; d < dim; ++d) spectrum[d] = 1.0 / std::sqrt(1.0 + static_cast<double>(d) / 96.0);
  // Topic centres (stream 1) and subtopic offsets (stream 2).
  std::vector<double> topic(o.topics * dim), sub(o.topics * o.subtopics * dim);
  for (size_t t = 0; t < o.topics; ++t) {
    Gauss g(o.seed, 1, t);
    for (size_t d = 0; d < dim; ++d) topic[t * dim + d] = g.Next();
  }
  for (size_t s = 0; s < o.topics * o.subtopics; ++s) {
    Gauss g(o.seed, 2, s);
    for (size_t d = 0; d < dim; ++d) sub[s * dim + d] = g.Next();
  }
  auto make = [&](uint64_t stream, size_t index, float* out) {
    Gauss g(o.seed, stream, index);
    const uint64_t pick = g.Bits();
    // Zipf-ish topic popularity: squaring a uniform favours low topic ids.
    const double u = static_cast<double>(pick >> 11) * 0x1.0p-53;
    const size_t t = std::min(o.topics - 1, static_cast<size_t>(u * u * static_cast<double>(o.topics)));
    const size_t s = t * o.subtopics + (g.Bits() % o.subtopics);
    double norm = 0;
    std::vector<double> v(dim);
    for (size_t d = 0; d < dim; ++d) {
      v[d] = spectrum[d] * (topic[t * dim + d] + 0.6 * sub[s * dim + d] + 1.6 * g.Next());
      norm += v[d] * v[d];
    }
    norm = std::sqrt(norm);
    for (size_t d = 0; d < dim; ++d) out[d] = static_cast<float>(v[d] / norm);
  };
  // lowrank: the shared mean (stream 5), cluster centres (6), per-cluster directions (7), and
  // the cumulative power-law cluster sizes.
  auto unit = [&](uint64_t stream, size_t index, double* out) {
    Gauss g(o.seed, stream, index);
    double n2 = 0;
    for (size_t d = 0; d < dim; ++d) {
      out[d] = g.Next();
      n2 += out[d] * out[d];
    }
    for (size_t d = 0; d < dim; ++d) out[d] /= std::sqrt(n2);
  };
  std::vector<double> mean(dim), centre, dirs, cumulative;
  if (o.kind == "lowrank") {
    unit(5, 0, mean.data());
    centre.resize(o.clusters * dim);
    dirs.resize(o.clusters * o.rank * dim);
    for (size_t t = 0; t < o.clusters; ++t) unit(6, t, centre.data() + t * dim);
    for (size_t j = 0; j < o.clusters * o.rank; ++j) unit(7, j, dirs.data() + j * dim);
    double total = 0;
    for (size_t t = 0; t < o.clusters; ++t) {
      total += std::pow(static_cast<double>(t + 1), -o.zipf);
      cumulative.push_back(total);
    }
    for (auto& c : cumulative) c /= total;
  }
  auto make_lowrank = [&](uint64_t stream, size_t index, float* out) {
    Gauss g(o.seed, stream, index);
    const double u = static_cast<double>(g.Bits() >> 11) * 0x1.0p-53;
    const size_t t = std::min(o.clusters - 1, static_cast<size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) -
                                                                   cumulative.begin()));
    std::vector<double> v(dim);
    for (size_t d = 0; d < dim; ++d) v[d] = 0.7 * mean[d] + centre[t * dim + d];
    for (size_t j = 0; j < o.rank; ++j) {
      const double z = 0.45 / std::sqrt(static_cast<double>(j + 1)) * g.Next();
      const double* b = dirs.data() + (t * o.rank + j) * dim;
      for (size_t d = 0; d < dim; ++d) v[d] += z * b[d];
    }
    const double iso = 0.08 / std::sqrt(static_cast<double>(dim));
    double norm = 0;
    for (size_t d = 0; d < dim; ++d) {
      v[d] += iso * g.Next();
      norm += v[d] * v[d];
    }
    norm = std::sqrt(norm);
    for (size_t d = 0; d < dim; ++d) out[d] = static_cast<float>(v[d] / norm);
  };
  std::vector<float> base(o.n * dim), query(o.nq * dim);
  if (o.kind == "lowrank") {
    pool.ParallelFor(o.n, [&](size_t i) { make_lowrank(3, i, base.data() + i * dim); });
    pool.ParallelFor(o.nq, [&](size_t i) { make_lowrank(4, i, query.data() + i * dim); });
  } else {
    pool.ParallelFor(o.n, [&](size_t i) { make(3, i, base.data() + i * dim); });
    pool.ParallelFor(o.nq, [&](size_t i) { make(4, i, query.data() + i * dim); });
  }

  // Exact ground truth: largest inner product first (ties: smaller row id).
  const auto& kern = ailake::vec::ActiveKernels();
  std::vector<int32_t> gt(o.nq * o.k);
  pool.ParallelFor(o.nq, [&](size_t qi) {
    std::vector<std::pair<float, uint32_t>> all(o.n);
    for (size_t r = 0; r < o.n; ++r) {
      all[r] = {-kern.dot_f32(query.data() + qi * dim, base.data() + r * dim, dim), static_cast<uint32_t>(r)};
    }
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(o.k), all.end());
    for (size_t j = 0; j < o.k; ++j) gt[qi * o.k + j] = static_cast<int32_t>(all[j].second);
  });

  const bool ok = WriteVecs(o.out + "/base.fvecs", base.data(), o.n, dim, 4) &&
                  WriteVecs(o.out + "/query.fvecs", query.data(), o.nq, dim, 4) &&
                  WriteVecs(o.out + "/groundtruth.ivecs", gt.data(), o.nq, o.k, 4);
  if (!ok) {
    std::fprintf(stderr, "gen_dataset: cannot write into %s\n", o.out.c_str());
    return 1;
  }
  std::printf("wrote %zu base, %zu query vectors (dim %zu, %s) and top-%zu ground truth to %s (kernels: %s)\n", o.n,
              o.nq, dim, o.kind.c_str(), o.k, o.out.c_str(), std::string(ailake::vec::IsaName(kern.isa)).c_str());
  return 0;
}
