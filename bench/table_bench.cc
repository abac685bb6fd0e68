// table_bench: ingest and search figures for an ailake table (issue: tables).
//
//   table_bench [--rows 1000000] [--files 10] [--dim 384] [--queries 200] [--k 10]
//               [--ef 64 | --ef-list 32,64,128,256] [--clusters 100] [--noise 0.03]
//               [--dir /tmp/ailake_table_bench] [--threads 0]
//               [--base B.fvecs --query Q.fvecs --gt G.ivecs] [--metric cosine|euclidean|dot]
//               [--layout ingested|clustered] [--nprobe-list 0,1,2,4] [--selectivity-list 0.01,0.5]
//               [--cluster-slack S]   (clustered: a region holds at most rows/files * (1 + S) rows)
//               [--reuse 1]   (external data: search the table an earlier run left in --dir, as is)
//               [--probe-patience P]   (SearchOptions::probe_patience for every search; 0 = off)
//               [--adaptive-list 0,0.05,0.1]   (SearchOptions::adaptive_probe per pass; 0 = off)
//               [--fresh-queries 1]   (external data: each pass searches the next --queries of Q)
//               [--precision f16|i8|f32]   (the table's stored vector precision; default f16)
//
// External data (--base/--query/--gt, e.g. from gen_dataset): the base vectors are ingested in
// file order (row id = base index) into --files files, the queries are the first --queries of Q,
// and recall@10 is measured against G (row ids, nearest first) instead of our own exact search.
// --fresh-queries 1: each search pass (nprobe x ef) takes the next --queries queries of Q instead
// of the first ones again, wrapping around at the end of Q. Repeating the same queries flatters a
// table larger than the CPU caches: part of its warmth stays with the rows those queries touched
// (docs/BENCHMARKS.md, "Where a 1M query's time goes"). Q needs --queries x passes queries for no
// pass to repeat another; not with --selectivity-list (its exact answers are per query).
// --layout clustered then rewrites the table into --files region files (compact --cluster,
// docs/ARCHITECTURE.md "Clustered layout") before searching; its time is printed.
// --adaptive-list: each nprobe x ef is measured at each adaptive probing factor (0 = off; default 0).
// --nprobe-list: each ef is measured at each nprobe (0 = every file the exact bound cannot skip; N =
// only the N files whose regions are nearest the query). --selectivity-list: after the unfiltered
// rows, each ef x nprobe is measured again with a filter keeping that share of the rows (a
// `bucket < T` predicate over a long column filled with a hash of the row number, so the kept rows
// are spread over every file and cluster); recall is against the exact filtered answer.
// Searches take the warm path of the public API (ailake::Table): cached snapshot plans, one thread
// pool, the file cache (table::SearchTableBatch with one query).
// Per ef, besides recall and latency: QPS (one query at a time, 1 / mean latency), files searched
// per query (after pruning), the process RSS (current and peak, from /proc/self/status) and the MB
// the kernel backs with huge pages (core/huge_pages.h).
//
// Data: L2-normalised vectors around `clusters` random unit centres, ingested in cluster order (as
// when documents arrive grouped), so files hold a few clusters each and pruning has something to
// prune. Each row is centre + noise * N(0,1) per dimension, then normalised; queries use 1.25 * noise
// (a query is near a topic, not a copy of a stored chunk). The noise vector's norm is about
// noise * sqrt(dim): at the default 0.03 and 384-d that is ~0.59 against the unit centre (cosine ~0.86
// to the centre, tight topics as text embeddings have). At 0.08 it is ~1.57, the noise swamps the
// centre and the rows are close to uniform on the sphere, where nearest neighbours are almost
// equidistant and graph indexes lose recall; use --noise 0.08 to reproduce that worst case.
//
// The same queries, and one exact (brute-force) answer each, are reused for every ef so the ef rows
// differ only in ef. Prints a table and one key=value line per measurement:
//   ingest rows=... files=... dim=... precision=... seconds=... rows_per_s=...
//   data clusters=... noise=... query_noise=...
//   exact p50_ms=... p99_ms=...
//   search layout=... k=... ef=... nprobe=... filter=... p50_ms=... p99_ms=... recall10=... files_searched=...
//     (one per filter x nprobe x ef)
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/huge_pages.h"
#include "core/thread_pool.h"
#include "table/compact.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "vecs_file.h"

using namespace ailake;

namespace {

struct Args {
  int64_t rows = 1000000;
  int64_t files = 10;
  int64_t dim = 384;
  int64_t queries = 200;
  int64_t k = 10;
  std::vector<int64_t> efs = {64};
  std::vector<int64_t> nprobes = {0};
  int64_t probe_patience = 0;
  std::vector<double> adaptive = {0};  // SearchOptions::adaptive_probe values (0 = off)
  std::vector<double> selectivities;
  int64_t clusters = 100;
  double noise = 0.03;
  int64_t threads = 0;
  std::string dir = "/tmp/ailake_table_bench";
  std::string base, query, gt;      // external data (all three or none)
  std::string layout = "ingested";  // ingested | clustered
  std::string metric = "cosine";
  std::string precision = "f16";    // the table's stored precision (a new table only)
  double cluster_slack = -1;        // < 0 = compaction's default
  bool reuse = false;               // search the table an earlier run left in --dir (external data only)
  bool fresh = false;               // each pass searches the next --queries queries (external data only)
};

using bench::ReadVecs;
using bench::Vecs;

// VmRSS and VmHWM of this process in MB (0 when /proc is unavailable).
std::pair<double, double> RssMb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return {0, 0};
  char line[256];
  double rss = 0, hwm = 0;
  while (std::fgets(line, sizeof line, f)) {
    long kb = 0;
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) rss = kb / 1024.0;
    if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) hwm = kb / 1024.0;
  }
  std::fclose(f);
  return {rss, hwm};
}

// strtoll/strtod rather than std::stoll/stod: a bad flag value is a usage error, not an exception
// escaping main.
bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// "a,b,c" -> {a, b, c}: every entry must parse with `one` and be accepted by `ok`.
template <typename T, typename Parser, typename Check>
bool ParseCommaList(const std::string& s, std::vector<T>* out, Parser one, Check ok) {
  out->clear();
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t comma = std::min(s.find(',', pos), s.size());
    T v{};
    if (!one(s.substr(pos, comma - pos), &v) || !ok(v)) return false;
    out->push_back(v);
    pos = comma + 1;
  }
  return !out->empty();
}

// "32,64,128" -> {32, 64, 128}; every entry must be a positive integer (or zero, when allowed).
bool ParseList(const std::string& s, std::vector<int64_t>* out, bool allow_zero = false) {
  return ParseCommaList(s, out, ParseInt, [&](int64_t v) { return v >= (allow_zero ? 0 : 1); });
}

// "0,0.1" -> {0, 0.1}; every entry finite and >= 0.
bool ParseFactors(const std::string& s, std::vector<double>* out) {
  return ParseCommaList(s, out, ParseDouble, [](double v) { return std::isfinite(v) && v >= 0; });
}

// "0.01,0.5" -> {0.01, 0.5}; every entry in (0, 1].
bool ParseFractions(const std::string& s, std::vector<double>* out) {
  return ParseCommaList(s, out, ParseDouble, [](double v) { return v > 0 && v <= 1; });
}

// The `bucket` value of row r: uniform over [0, kFilterSpan) and independent of the row's cluster
// and file, so `bucket < s * kFilterSpan` keeps a share s of every file.
constexpr int64_t kFilterSpan = 1000000;
int64_t FilterValue(int64_t r) {
  uint64_t h = static_cast<uint64_t>(r) + 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return static_cast<int64_t>((h ^ (h >> 31)) % kFilterSpan);
}

// `bucket < T` keeping about `share` of the rows.
std::string FilterFor(double share) {
  return "bucket < " + std::to_string(static_cast<int64_t>(share * kFilterSpan));
}

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    bool ok = true;
    int64_t ef = 0;
    if (f == "--rows") ok = ParseInt(v, &a->rows);
    else if (f == "--files") ok = ParseInt(v, &a->files);
    else if (f == "--dim") ok = ParseInt(v, &a->dim);
    else if (f == "--queries") ok = ParseInt(v, &a->queries);
    else if (f == "--k") ok = ParseInt(v, &a->k);
    else if (f == "--ef") {
      ok = ParseInt(v, &ef) && ef > 0;
      a->efs = {ef};
    }
    else if (f == "--ef-list") ok = ParseList(v, &a->efs);
    else if (f == "--nprobe-list") ok = ParseList(v, &a->nprobes, /*allow_zero=*/true);
    else if (f == "--adaptive-list") ok = ParseFactors(v, &a->adaptive);
    else if (f == "--probe-patience") ok = ParseInt(v, &a->probe_patience) && a->probe_patience >= 0;
    else if (f == "--selectivity-list") ok = ParseFractions(v, &a->selectivities);
    else if (f == "--cluster-slack") ok = ParseDouble(v, &a->cluster_slack) && a->cluster_slack >= 0;
    else if (f == "--reuse") {
      ok = v == "0" || v == "1";
      a->reuse = v == "1";
    }
    else if (f == "--fresh-queries") {
      ok = v == "0" || v == "1";
      a->fresh = v == "1";
    }
    else if (f == "--clusters") ok = ParseInt(v, &a->clusters);
    else if (f == "--noise") ok = ParseDouble(v, &a->noise);
    else if (f == "--threads") ok = ParseInt(v, &a->threads);
    else if (f == "--dir") a->dir = v;
    else if (f == "--base") a->base = v;
    else if (f == "--query") a->query = v;
    else if (f == "--gt") a->gt = v;
    else if (f == "--layout") a->layout = v;
    else if (f == "--metric") a->metric = v;
    else if (f == "--precision") a->precision = v;
    else return false;
    if (!ok) return false;
  }
  // Upper bounds keep the int/size_t conversions below exact; they are far beyond any useful run.
  const bool external = !a->base.empty() || !a->query.empty() || !a->gt.empty();
  if (external && (a->base.empty() || a->query.empty() || a->gt.empty())) return false;
  if (a->layout != "ingested" && a->layout != "clustered") return false;
  if (a->reuse && !external) return false;  // synthetic queries depend on the ingest's random stream
  if (a->fresh && (!external || !a->selectivities.empty())) return false;
  return a->rows > 0 && a->files > 0 && a->dim > 0 && a->dim <= 65536 && a->queries > 0 && a->k > 0 &&
         a->clusters > 0 && a->clusters <= a->rows && a->noise >= 0 && a->threads >= 0;
}

void Normalize(float* v, int64_t dim) {
  double n = 0;
  for (int64_t i = 0; i < dim; ++i) n += double(v[i]) * v[i];
  float inv = n > 0 ? static_cast<float>(1 / std::sqrt(n)) : 0;
  for (int64_t i = 0; i < dim; ++i) v[i] *= inv;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// p50 and p99 of latencies in ms (sorts in place; never empty: --queries > 0).
std::pair<double, double> Percentiles(std::vector<double>* lat) {
  std::sort(lat->begin(), lat->end());
  return {(*lat)[lat->size() / 2], (*lat)[std::min(lat->size() - 1, lat->size() * 99 / 100)]};
}

int Fail(const Status& st) {
  std::fprintf(stderr, "%s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr, "usage: table_bench [--rows N] [--files F] [--dim D] [--queries Q] [--k K] "
                         "[--ef E | --ef-list E1,E2,...] [--clusters C] [--noise S] [--dir DIR] [--threads T] "
                         "[--base B.fvecs --query Q.fvecs --gt G.ivecs] [--metric M] [--layout ingested|clustered] "
                         "[--nprobe-list N1,N2,...] [--probe-patience P] [--adaptive-list A1,A2,...] [--selectivity-list S1,S2,...] [--cluster-slack S] [--reuse 1] "
                         "[--fresh-queries 1] [--precision f16|i8|f32]\n");
    return 2;
  }
  const bool external = !a.base.empty();
  Vecs base, queries, gt;
  if (external) {
    if (!ReadVecs(a.base, false, &base) || !ReadVecs(a.query, false, &queries) || !ReadVecs(a.gt, true, &gt)) {
      std::fprintf(stderr, "table_bench: cannot read %s / %s / %s as fvecs/fvecs/ivecs\n", a.base.c_str(),
                   a.query.c_str(), a.gt.c_str());
      return 2;
    }
    if (queries.dim != base.dim || gt.count < queries.count || gt.dim < static_cast<size_t>(a.k)) {
      std::fprintf(stderr, "table_bench: query dim, ground truth count or its k does not fit the base\n");
      return 2;
    }
    a.rows = static_cast<int64_t>(base.count);
    a.dim = static_cast<int64_t>(base.dim);
    a.queries = std::min<int64_t>(a.queries, static_cast<int64_t>(queries.count));
  }
  auto metric = ParseMetric(a.metric);
  if (!metric.ok()) return Fail(metric.status());
  auto precision = ParsePrecision(a.precision);
  if (!precision.ok()) return Fail(precision.status());
  std::error_code ec;
  if (!a.reuse) std::filesystem::remove_all(a.dir, ec);  // a stale table from an earlier run; absent is fine
  auto cat = catalog::OpenCatalog("fs", a.dir);
  if (!cat.ok()) return Fail(cat.status());
  table::TableOptions o;
  o.model = {"bench-model", "1", static_cast<uint32_t>(a.dim), *metric, *metric == VectorMetric::kCosine};
  o.policy.precision = *precision;
  o.target_file_rows = (a.rows + a.files - 1) / a.files;
  o.extra_columns = {{"bucket", "long"}};
  auto t = a.reuse ? table::Table::Open(**cat, *catalog::TableIdent::Parse("bench"))
                   : table::Table::Create(**cat, *catalog::TableIdent::Parse("bench"), o);
  if (!t.ok()) return Fail(t.status());
  const size_t dim = static_cast<size_t>(a.dim);
  const float noise = static_cast<float>(a.noise), query_noise = 1.25f * noise;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> centres(static_cast<size_t>(a.clusters) * dim);
  for (auto& c : centres) c = g(rng);
  for (int64_t c = 0; c < a.clusters; ++c) Normalize(centres.data() + static_cast<size_t>(c) * dim, a.dim);

  // Ingest in batches. Synthetic: row r belongs to cluster r * clusters / rows (cluster order).
  // External: row r is base vector r.
  size_t files = 0;
  if (!a.reuse) {
    table::TableWriterOptions wo;
    wo.build_threads = static_cast<uint32_t>(a.threads);
    auto w = table::TableWriter::Open(**t, wo);
    if (!w.ok()) return Fail(w.status());
    auto schema = (*t)->DataSchema();
    const int64_t kBatch = 10000;
    std::vector<float> vec;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t start = 0; start < a.rows; start += kBatch) {
      const int64_t n = std::min(kBatch, a.rows - start);
      parquet::Batch b = parquet::Batch::Empty(*schema);
      vec.assign(static_cast<size_t>(n) * dim, 0);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t r = start + i;
        const int64_t c = external ? 0 : r * a.clusters / a.rows;
        float* v = vec.data() + static_cast<size_t>(i) * dim;
        if (external) {
          std::memcpy(v, base.f.data() + static_cast<size_t>(r) * dim, dim * sizeof(float));
        } else {
          const float* centre = centres.data() + static_cast<size_t>(c) * dim;
          for (size_t d = 0; d < dim; ++d) v[d] = centre[d] + noise * g(rng);
          Normalize(v, a.dim);
        }
        b.columns[0].AppendString(std::to_string(r));
        b.columns[1].AppendString("doc-" + std::to_string(r / 20));
        b.columns[2].AppendString("chunk " + std::to_string(r) + " of cluster " + std::to_string(c));
        b.columns[3].AppendNull();
        b.columns[4].AppendInt64(FilterValue(r));
      }
      b.num_rows = n;
      Status st = (*w)->Append(b, vec.data());
      if (!st.ok()) return Fail(st);
    }
    auto committed = (*w)->Commit();
    if (!committed.ok()) return Fail(committed.status());
    const double ingest_s = Seconds(t0);
    files = (*w)->last_commit_files();
    const std::string prec(PrecisionName(*precision));
    std::printf("ingest: %lld rows, %zu files, %lld-d %s, HNSW per file: %.1f s, %.0f rows/s\n",
                static_cast<long long>(a.rows), files, static_cast<long long>(a.dim), prec.c_str(), ingest_s,
                a.rows / ingest_s);
    std::printf("ingest rows=%lld files=%zu dim=%lld precision=%s seconds=%.2f rows_per_s=%.0f\n",
                static_cast<long long>(a.rows), files, static_cast<long long>(a.dim), prec.c_str(), ingest_s,
                a.rows / ingest_s);
    if (external) {
      std::printf("data base=%s queries=%lld gt=%s\n", a.base.c_str(), static_cast<long long>(a.queries), a.gt.c_str());
    } else {
      std::printf("data clusters=%lld noise=%.4f query_noise=%.4f\n", static_cast<long long>(a.clusters), a.noise,
                  1.25 * a.noise);
    }
    if (a.layout == "clustered") {
      table::CompactOptions co;
      co.cluster = true;
      co.cluster_files = a.files;
      co.build_threads = static_cast<uint32_t>(a.threads);
      co.cluster_threads = static_cast<size_t>(a.threads);
      if (a.cluster_slack >= 0) co.cluster_slack = a.cluster_slack;
      const auto tc = std::chrono::steady_clock::now();
      auto c = table::CompactTable(**t, co);
      if (!c.ok()) return Fail(c.status().WithContext("clustering"));
      files = c->files_added;
      std::printf("cluster regions=%zu files=%zu seconds=%.2f rows=%lld\n", c->regions, files, Seconds(tc),
                  static_cast<long long>(c->rows_written));
    }
  }  // !a.reuse
  if (!a.reuse) std::printf("layout %s files=%zu\n", a.layout.c_str(), files);
  std::fflush(stdout);  // long runs are polled through a redirected file

  table::FileCache cache(64ull << 30);
  // The warm path of the public API (ailake::Table): snapshot plans cached, one pool for every query.
  table::SnapshotPlanCache plans;
  ThreadPool pool(static_cast<size_t>(a.threads));
  const table::SearchContext ctx{&cache, &plans, &pool};
  auto search_one = [&](const float* q, const table::SearchOptions& so) -> Result<table::SearchResult> {
    AILAKE_ASSIGN_OR_RETURN(auto rs, table::SearchTableBatch(**t, q, 1, so, ctx));
    return std::move(rs[0]);
  };
  // Warm the cache (loading files is a one-time cost, reported separately).
  const auto tw = std::chrono::steady_clock::now();
  {
    table::SearchOptions warm;
    warm.prune = false;
    warm.k = 1;
    auto r = search_one(external ? queries.f.data() : centres.data(), warm);
    if (!r.ok()) return Fail(r.status());
    if (a.reuse) {
      files = r->files_total;
      std::printf("reused the table in %s: %zu files\n", a.dir.c_str(), files);
    }
  }
  std::printf("first search (loads and validates every file): %.2f s\n", Seconds(tw));

  // Queries: external, or perturbed members of random clusters, drawn once so every ef sees the same ones.
  // With --fresh-queries all `held` queries of Q are kept, and pass p searches queries
  // [p * nq, p * nq + nq) modulo `held`; else every pass searches the first nq.
  const size_t nq = static_cast<size_t>(a.queries);
  const size_t held = a.fresh ? queries.count : nq;
  std::vector<float> qs(held * dim);
  if (a.fresh) {
    std::printf("fresh queries: each pass searches the next %zu of the %zu queries (they come round again after %zu passes)\n",
                nq, held, std::max<size_t>(1, held / nq));
  }
  if (external) {
    std::memcpy(qs.data(), queries.f.data(), held * dim * sizeof(float));
  } else {
    for (size_t qi = 0; qi < nq; ++qi) {
      const size_t c = static_cast<size_t>(rng() % static_cast<uint64_t>(a.clusters));
      float* q = qs.data() + qi * dim;
      for (size_t d = 0; d < dim; ++d) q[d] = centres[c * dim + d] + query_noise * g(rng);
      Normalize(q, a.dim);
    }
  }

  // Truth by row id: the ground-truth file's top k, or (synthetic) brute force over every row of
  // every file, timed for context beside the HNSW rows. Filtered runs always use brute force with the
  // same filter (the ground-truth file knows no filter).
  auto exact_truth = [&](const std::string& where, std::vector<std::set<std::string>>* truth,
                         std::vector<double>* lat) -> Status {
    truth->assign(held, {});
    for (size_t qi = 0; qi < held; ++qi) {
      if (external && where.empty()) {
        for (int64_t j = 0; j < a.k; ++j) (*truth)[qi].insert(std::to_string(gt.i[qi * gt.dim + static_cast<size_t>(j)]));
        continue;
      }
      table::SearchOptions exact;
      exact.k = static_cast<size_t>(a.k);
      exact.exact = true;
      exact.prune = false;
      exact.threads = static_cast<size_t>(a.threads);
      exact.columns = {"id"};
      exact.where = where;
      const auto ts = std::chrono::steady_clock::now();
      auto r = search_one(qs.data() + qi * dim, exact);
      lat->push_back(Seconds(ts) * 1000.0);
      if (!r.ok()) return r.status().WithContext("exact search");
      for (size_t h = 0; h < r->hits.size(); ++h) {
        (*truth)[qi].insert(std::string(r->values.columns[0].StringValue(static_cast<int64_t>(h))));
      }
    }
    return Status::OK();
  };
  std::vector<std::set<std::string>> truth;
  std::vector<double> lat;
  if (Status st = exact_truth("", &truth, &lat); !st.ok()) return Fail(st);
  if (!external) {
    const auto [exact_p50, exact_p99] = Percentiles(&lat);
    std::printf("exact (brute force, %lld queries): p50 %.2f ms, p99 %.2f ms\n", static_cast<long long>(a.queries),
                exact_p50, exact_p99);
    std::printf("exact p50_ms=%.3f p99_ms=%.3f\n", exact_p50, exact_p99);
  }
  std::fflush(stdout);

  std::vector<double> shares = {0};  // 0 = no filter
  shares.insert(shares.end(), a.selectivities.begin(), a.selectivities.end());
  size_t pass = 0;
  for (const double share : shares) {
    const std::string where = share > 0 ? FilterFor(share) : "";
    if (share > 0) {
      lat.clear();
      if (Status st = exact_truth(where, &truth, &lat); !st.ok()) return Fail(st);
      std::printf("filter \"%s\" (selectivity %.3f)\n", where.c_str(), share);
    }
    for (const int64_t nprobe : a.nprobes) {
     for (const double adaptive : a.adaptive) {
      for (const int64_t ef : a.efs) {
        lat.clear();
        double recall_sum = 0;
        size_t pruned = 0, considered = 0, searched = 0;
        const size_t first_query = a.fresh ? (pass * nq) % held : 0;
        ++pass;
        for (size_t j = 0; j < nq; ++j) {
          const size_t qi = (first_query + j) % held;
          table::SearchOptions fast;
          fast.k = static_cast<size_t>(a.k);
          fast.ef = static_cast<size_t>(ef);
          fast.nprobe = static_cast<size_t>(nprobe);
          fast.probe_patience = static_cast<size_t>(a.probe_patience);
          fast.adaptive_probe = adaptive;
          fast.threads = static_cast<size_t>(a.threads);
          fast.columns = {"id"};
          fast.where = where;
          const auto ts = std::chrono::steady_clock::now();
          auto got = search_one(qs.data() + qi * dim, fast);
          lat.push_back(Seconds(ts) * 1000.0);
          if (!got.ok()) return Fail(got.status().WithContext("search ef=" + std::to_string(ef)));
          size_t hit = 0;
          for (size_t h = 0; h < got->hits.size(); ++h) {
            hit += truth[qi].count(std::string(got->values.columns[0].StringValue(static_cast<int64_t>(h))));
          }
          recall_sum += static_cast<double>(hit) / static_cast<double>(std::max<size_t>(1, truth[qi].size()));
          pruned += got->files_pruned;
          considered += got->files_total;
          searched += got->files_searched;
        }
        double total_ms = 0;
        for (double l : lat) total_ms += l;
        const double qps = total_ms > 0 ? 1000.0 * static_cast<double>(nq) / total_ms : 0;
        const auto [p50, p99] = Percentiles(&lat);
        const double recall = recall_sum / static_cast<double>(nq);
        const double prune_rate = considered ? double(pruned) / double(considered) : 0;
        const double per_query = static_cast<double>(searched) / static_cast<double>(nq);
        const auto [rss, hwm] = RssMb();
        const double huge_mb = static_cast<double>(std::max<long long>(core::AnonHugePageBytes(), 0)) / (1 << 20);
        std::printf("search: k=%lld ef=%lld nprobe=%lld patience=%lld adaptive=%g filter=%.3f over %lld queries: p50 %.2f ms, "
                    "p99 %.2f ms, %.0f QPS, recall@10 %.4f, files searched %.2f/query (%.1f%% of %zu), pruned %.1f%%, "
                    "RSS %.0f MB (peak %.0f, %.0f MB on huge pages)\n",
                    static_cast<long long>(a.k), static_cast<long long>(ef), static_cast<long long>(nprobe),
                    static_cast<long long>(a.probe_patience), adaptive, share,
                    static_cast<long long>(a.queries), p50, p99, qps, recall, per_query,
                    files ? 100.0 * per_query / static_cast<double>(files) : 0.0, files, prune_rate * 100, rss, hwm, huge_mb);
        std::printf("search layout=%s k=%lld ef=%lld nprobe=%lld patience=%lld adaptive=%g filter=%.3f queries=%lld first_query=%zu "
                    "p50_ms=%.3f p99_ms=%.3f qps=%.1f recall10=%.4f files_searched=%.3f pruned=%.3f rss_mb=%.0f peak_rss_mb=%.0f huge_mb=%.0f\n",
                    a.layout.c_str(), static_cast<long long>(a.k), static_cast<long long>(ef),
                    static_cast<long long>(nprobe), static_cast<long long>(a.probe_patience), adaptive, share, static_cast<long long>(a.queries),
                    first_query, p50, p99, qps, recall,
                    per_query, prune_rate, rss, hwm, huge_mb);
        std::fflush(stdout);
      }
     }
    }
  }
  return 0;
}
