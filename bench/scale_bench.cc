// scale_bench: a small and a large table's warm search latency, measured in the same run, in
// alternating blocks of fresh queries, so the ratio of their p50s does not mix two minutes of a
// noisy host (docs/BENCHMARKS.md, "The 1M/100k ratio in one run").
//
//   scale_bench --small WAREHOUSE --small-data DIR [--small-ef E] [--small-nprobe N] [--small-adaptive A]
//               --large WAREHOUSE --large-data DIR [--large-ef E] [--large-nprobe N] [--large-adaptive A]
//               [--block 1000] [--warmup 1] [--rounds 4] [--k 10] [--threads 2]
//
// Each WAREHOUSE holds the table "bench" that `table_bench --layout clustered --dir WAREHOUSE` built
// from DIR's base.fvecs; DIR also gives query.fvecs and groundtruth.ivecs (gen_dataset's names).
// Searches go through the public API (ailake::Table::Search, one query per call: cached plans, the
// file cache, one pool). Every file is loaded first (one search over all files of each table); then
// round r searches queries [r x block, (r + 1) x block) on both tables, the small one first in even
// rounds and the large one first in odd rounds, so no query repeats while (warmup + rounds) x block
// <= the query count and neither table always follows the other's cache footprint. The first
// --warmup rounds are searched and printed but left out of the summary, as table_bench's first pass
// is: a table's first queries after loading can run 2-3x slower than later ones.
//
// Blocks must be long: a table's block begins with the caches full of the other table's rows, and
// the small table, whose rows partly fit the last-level cache, pays for that longer than the large
// one, whose rows do not. With blocks of 50-100 queries the measured ratio was 0.2-0.3 lower than
// with blocks of 1000 (the steady state each table reaches when searched alone). The defaults need
// 5000 queries: `gen_dataset --nq 5000`.
//
// Prints one line per round (each table's p50 and their ratio) and a summary line per table:
//   round r=R [warmup ]small_p50_ms=... large_p50_ms=... ratio=...
//   table=small|large queries=... p50_ms=... p99_ms=... recall10=... files_searched=...
//   ratio pooled=... median_round=... min_round=... max_round=...
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "ailake/ailake.h"
#include "bench_args.h"
#include "vecs_file.h"

namespace {

using bench::ParseLong;

struct Side {
  std::string warehouse, data;
  ailake::SearchOptions o;
  bench::Vecs queries, gt;
  std::unique_ptr<ailake::Warehouse> wh;
  std::unique_ptr<ailake::Table> table;
  std::vector<double> all_ms;
  size_t hits = 0, truths = 0, files = 0, searches = 0;
};

struct Args {
  Side small, large;
  long block = 1000, warmup = 1, rounds = 4, k = 10, threads = 2;
};

bool ParseFactor(const char* s, double* out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s, &end);
  if (end == s || *end != '\0' || errno != 0 || !(v >= 0 && v <= 1000)) return false;
  *out = v;
  return true;
}

bool ParseSide(const std::string& flag, const char* v, const std::string& prefix, Side* s) {
  long n = 0;
  if (flag == prefix) s->warehouse = v;
  else if (flag == prefix + "-data") s->data = v;
  else if (flag == prefix + "-ef") {
    if (!ParseLong(v, 1, 100000, &n)) return false;
    s->o.ef = static_cast<size_t>(n);
  } else if (flag == prefix + "-nprobe") {
    if (!ParseLong(v, 0, 1000000, &n)) return false;
    s->o.nprobe = static_cast<size_t>(n);
  } else if (flag == prefix + "-adaptive") {
    return ParseFactor(v, &s->o.adaptive_probe);
  } else {
    return false;
  }
  return true;
}

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string f = argv[i];
    const char* v = argv[i + 1];
    bool ok = true;
    if (f == "--block") ok = ParseLong(v, 1, 1000000, &a->block);
    else if (f == "--warmup") ok = ParseLong(v, 0, 100000, &a->warmup);
    else if (f == "--rounds") ok = ParseLong(v, 1, 100000, &a->rounds);
    else if (f == "--k") ok = ParseLong(v, 1, 100, &a->k);
    else if (f == "--threads") ok = ParseLong(v, 1, 256, &a->threads);
    else if (f.rfind("--small", 0) == 0) ok = ParseSide(f, v, "--small", &a->small);
    else if (f.rfind("--large", 0) == 0) ok = ParseSide(f, v, "--large", &a->large);
    else ok = false;
    if (!ok) return false;
  }
  return !a->small.warehouse.empty() && !a->small.data.empty() && !a->large.warehouse.empty() && !a->large.data.empty();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Opens the side's table and data, and loads every file with one search over all of them.
bool Prepare(const char* name, const Args& a, Side* s) {
  if (!bench::ReadVecs(s->data + "/query.fvecs", false, &s->queries) ||
      !bench::ReadVecs(s->data + "/groundtruth.ivecs", true, &s->gt)) {
    std::fprintf(stderr, "scale_bench: cannot read %s/query.fvecs and groundtruth.ivecs\n", s->data.c_str());
    return false;
  }
  const size_t need = static_cast<size_t>(a.block * (a.warmup + a.rounds));
  if (s->queries.count < need || s->gt.count < need || s->gt.dim < static_cast<size_t>(a.k)) {
    std::fprintf(stderr, "scale_bench: %s has %zu queries (%zu ground truth rows of %zu); --block x (--warmup + --rounds) needs %zu\n",
                 s->data.c_str(), s->queries.count, s->gt.count, s->gt.dim, need);
    return false;
  }
  auto wh = ailake::Warehouse::Open(s->warehouse);
  if (!wh.ok()) {
    std::fprintf(stderr, "scale_bench: %s\n", wh.status().ToString().c_str());
    return false;
  }
  s->wh = std::move(*wh);
  auto t = s->wh->OpenTable("bench");
  if (!t.ok()) {
    std::fprintf(stderr, "scale_bench: %s: %s\n", s->warehouse.c_str(), t.status().ToString().c_str());
    return false;
  }
  s->table = std::move(*t);
  s->o.k = static_cast<size_t>(a.k);
  s->o.threads = static_cast<size_t>(a.threads);
  ailake::SearchOptions all = s->o;
  all.nprobe = 0;
  all.adaptive_probe = 0;
  all.prune = false;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = s->table->Search(s->queries.f.data(), s->queries.dim, all);
  if (!r.ok()) {
    std::fprintf(stderr, "scale_bench: %s\n", r.status().ToString().c_str());
    return false;
  }
  std::printf("%s: %s, %zu files loaded in %.2f s; ef %zu nprobe %zu adaptive %g\n", name, s->warehouse.c_str(),
              r->files_total, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), s->o.ef,
              s->o.nprobe, s->o.adaptive_probe);
  return true;
}

// Searches queries [first, first + n) of the side one at a time; returns their latencies, and
// counts them in the side's summary when `counted`.
bool RunBlock(Side* s, size_t first, size_t n, size_t k, bool counted, std::vector<double>* ms) {
  ms->clear();
  for (size_t q = first; q < first + n; ++q) {
    const float* v = s->queries.f.data() + q * s->queries.dim;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = s->table->Search(v, s->queries.dim, s->o);
    const double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok()) {
      std::fprintf(stderr, "scale_bench: %s\n", r.status().ToString().c_str());
      return false;
    }
    ms->push_back(took);
    if (!counted) continue;
    // Recall@k against the exact top k: table_bench gives each row its position in base.fvecs as
    // its id.
    std::unordered_set<std::string> truth;
    for (size_t j = 0; j < k; ++j) truth.insert(std::to_string(s->gt.i[q * s->gt.dim + j]));
    for (const auto& id : r->ids) s->hits += truth.count(id);
    s->truths += k;
    s->files += r->files_searched;
    ++s->searches;
  }
  if (counted) s->all_ms.insert(s->all_ms.end(), ms->begin(), ms->end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: scale_bench --small WAREHOUSE --small-data DIR [--small-ef E] [--small-nprobe N] [--small-adaptive A]\n"
                 "                   --large WAREHOUSE --large-data DIR [--large-ef E] [--large-nprobe N] [--large-adaptive A]\n"
                 "                   [--block 1000] [--warmup 1] [--rounds 4] [--k 10] [--threads 2]\n");
    return 2;
  }
  if (!Prepare("small", a, &a.small) || !Prepare("large", a, &a.large)) return 1;
  std::vector<double> ratios, small_ms, large_ms;
  const size_t block = static_cast<size_t>(a.block), k = static_cast<size_t>(a.k);
  for (long r = 0; r < a.warmup + a.rounds; ++r) {
    const bool counted = r >= a.warmup;
    const size_t first = static_cast<size_t>(r) * block;
    Side* order[2] = {&a.small, &a.large};
    if (r % 2 == 1) std::swap(order[0], order[1]);
    for (Side* s : order) {
      if (!RunBlock(s, first, block, k, counted, s == &a.small ? &small_ms : &large_ms)) return 1;
    }
    const double ps = Percentile(small_ms, 0.5), pl = Percentile(large_ms, 0.5);
    if (counted) ratios.push_back(pl / ps);
    std::printf("round r=%ld %ssmall_p50_ms=%.3f large_p50_ms=%.3f ratio=%.2f\n", r, counted ? "" : "warmup ", ps, pl,
                pl / ps);
  }
  for (const auto& [name, s] : {std::pair<const char*, Side*>{"small", &a.small}, {"large", &a.large}}) {
    std::printf("table=%s queries=%zu p50_ms=%.3f p99_ms=%.3f recall10=%.4f files_searched=%.3f\n", name, s->searches,
                Percentile(s->all_ms, 0.5), Percentile(s->all_ms, 0.99),
                static_cast<double>(s->hits) / static_cast<double>(s->truths),
                static_cast<double>(s->files) / static_cast<double>(s->searches));
  }
  std::printf("ratio pooled=%.2f median_round=%.2f min_round=%.2f max_round=%.2f\n",
              Percentile(a.large.all_ms, 0.5) / Percentile(a.small.all_ms, 0.5), Percentile(ratios, 0.5),
              *std::min_element(ratios.begin(), ratios.end()), *std::max_element(ratios.begin(), ratios.end()));
  return 0;
}
