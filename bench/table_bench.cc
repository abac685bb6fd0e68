// table_bench: ingest and search figures for an ailake table (issue: tables).
//
//   table_bench [--rows 1000000] [--files 10] [--dim 384] [--queries 200] [--k 10] [--ef 64]
//               [--clusters 100] [--dir /tmp/ailake_table_bench] [--threads 0]
//
// Data: L2-normalised vectors around `clusters` random centres, ingested in cluster order (as when
// documents arrive grouped), so files hold a few clusters each and pruning has something to prune.
// Prints a table and one key=value line per measurement:
//   ingest rows=... files=... dim=... seconds=... rows_per_s=...
//   search k=... ef=... queries=... p50_ms=... p99_ms=... recall10=... pruned=...
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "catalog/catalog.h"
#include "table/table_search.h"
#include "table/table_writer.h"

using namespace ailake;

namespace {

struct Args {
  int64_t rows = 1000000;
  int64_t files = 10;
  int dim = 384;
  int queries = 200;
  int k = 10;
  int ef = 64;
  int clusters = 100;
  int threads = 0;
  std::string dir = "/tmp/ailake_table_bench";
};

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (f == "--rows") a->rows = std::stoll(v);
    else if (f == "--files") a->files = std::stoll(v);
    else if (f == "--dim") a->dim = std::stoi(v);
    else if (f == "--queries") a->queries = std::stoi(v);
    else if (f == "--k") a->k = std::stoi(v);
    else if (f == "--ef") a->ef = std::stoi(v);
    else if (f == "--clusters") a->clusters = std::stoi(v);
    else if (f == "--threads") a->threads = std::stoi(v);
    else if (f == "--dir") a->dir = v;
    else return false;
  }
  return a->rows > 0 && a->files > 0 && a->dim > 0 && a->queries > 0 && a->clusters > 0;
}

void Normalize(float* v, int dim) {
  double n = 0;
  for (int i = 0; i < dim; ++i) n += double(v[i]) * v[i];
  float inv = n > 0 ? static_cast<float>(1 / std::sqrt(n)) : 0;
  for (int i = 0; i < dim; ++i) v[i] *= inv;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr, "usage: table_bench [--rows N] [--files F] [--dim D] [--queries Q] [--k K] [--ef E] "
                         "[--clusters C] [--dir DIR] [--threads T]\n");
    return 2;
  }
  std::filesystem::remove_all(a.dir);
  auto cat = catalog::OpenCatalog("fs", a.dir);
  if (!cat.ok()) {
    std::fprintf(stderr, "%s\n", cat.status().ToString().c_str());
    return 1;
  }
  table::TableOptions o;
  o.model = {"bench-model", "1", static_cast<uint32_t>(a.dim), VectorMetric::kCosine, true};
  o.policy.precision = VectorPrecision::kF16;
  o.target_file_rows = (a.rows + a.files - 1) / a.files;
  auto t = table::Table::Create(**cat, *catalog::TableIdent::Parse("bench"), o);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
    return 1;
  }
  std::mt19937_64 rng(7);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> centres(static_cast<size_t>(a.clusters) * a.dim);
  for (auto& c : centres) c = g(rng);
  for (int c = 0; c < a.clusters; ++c) Normalize(centres.data() + static_cast<size_t>(c) * a.dim, a.dim);

  // Ingest in batches; row r belongs to cluster r * clusters / rows (cluster order).
  table::TableWriterOptions wo;
  wo.build_threads = static_cast<uint32_t>(a.threads);
  auto w = table::TableWriter::Open(**t, wo);
  auto schema = (*t)->DataSchema();
  const int64_t kBatch = 10000;
  std::vector<float> vec;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t start = 0; start < a.rows; start += kBatch) {
    const int64_t n = std::min(kBatch, a.rows - start);
    parquet::Batch b = parquet::Batch::Empty(*schema);
    vec.assign(static_cast<size_t>(n) * a.dim, 0);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = start + i;
      const int c = static_cast<int>(r * a.clusters / a.rows);
      float* v = vec.data() + i * a.dim;
      for (int d = 0; d < a.dim; ++d) v[d] = centres[static_cast<size_t>(c) * a.dim + d] + 0.08f * g(rng);
      Normalize(v, a.dim);
      b.columns[0].AppendString(std::to_string(r));
      b.columns[1].AppendString("doc-" + std::to_string(r / 20));
      b.columns[2].AppendString("chunk " + std::to_string(r) + " of cluster " + std::to_string(c));
      b.columns[3].AppendNull();
    }
    b.num_rows = n;
    Status st = (*w)->Append(b, vec.data());
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
  }
  auto committed = (*w)->Commit();
  if (!committed.ok()) {
    std::fprintf(stderr, "%s\n", committed.status().ToString().c_str());
    return 1;
  }
  const double ingest_s = Seconds(t0);
  const size_t files = (*w)->last_commit_files();
  std::printf("ingest: %lld rows, %zu files, %d-d f16, HNSW per file: %.1f s, %.0f rows/s\n",
              static_cast<long long>(a.rows), files, a.dim, ingest_s, a.rows / ingest_s);
  std::printf("ingest rows=%lld files=%zu dim=%d seconds=%.2f rows_per_s=%.0f\n", static_cast<long long>(a.rows), files,
              a.dim, ingest_s, a.rows / ingest_s);

  // Queries: perturbed members of random clusters.
  table::FileCache cache(64ull << 30);
  std::vector<double> lat;
  double recall_sum = 0;
  size_t pruned = 0, considered = 0;
  std::vector<float> q(static_cast<size_t>(a.dim));
  // Warm the cache (loading files is a one-time cost, reported separately).
  const auto tw = std::chrono::steady_clock::now();
  {
    table::SearchOptions warm;
    warm.prune = false;
    warm.k = 1;
    auto r = table::SearchTable(**t, centres.data(), warm, &cache);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
  }
  std::printf("first search (loads and validates every file): %.2f s\n", Seconds(tw));
  for (int qi = 0; qi < a.queries; ++qi) {
    const int c = static_cast<int>(rng() % static_cast<uint64_t>(a.clusters));
    for (int d = 0; d < a.dim; ++d) q[d] = centres[static_cast<size_t>(c) * a.dim + d] + 0.1f * g(rng);
    Normalize(q.data(), a.dim);
    table::SearchOptions exact;
    exact.k = static_cast<size_t>(a.k);
    exact.exact = true;
    exact.prune = false;
    auto truth = table::SearchTable(**t, q.data(), exact, &cache);
    table::SearchOptions fast;
    fast.k = static_cast<size_t>(a.k);
    fast.ef = static_cast<size_t>(a.ef);
    fast.threads = static_cast<size_t>(a.threads);
    const auto ts = std::chrono::steady_clock::now();
    auto got = table::SearchTable(**t, q.data(), fast, &cache);
    lat.push_back(Seconds(ts) * 1000.0);
    if (!truth.ok() || !got.ok()) {
      std::fprintf(stderr, "search failed\n");
      return 1;
    }
    std::set<std::pair<std::string, uint32_t>> want;
    for (const auto& h : truth->hits) want.insert({h.file, h.row});
    size_t hit = 0;
    for (const auto& h : got->hits) hit += want.count({h.file, h.row});
    recall_sum += static_cast<double>(hit) / static_cast<double>(std::max<size_t>(1, want.size()));
    pruned += got->files_pruned;
    considered += got->files_total;
  }
  std::sort(lat.begin(), lat.end());
  const double p50 = lat[lat.size() / 2], p99 = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
  const double recall = recall_sum / a.queries, prune_rate = considered ? double(pruned) / double(considered) : 0;
  std::printf("search: k=%d ef=%d over %d queries: p50 %.2f ms, p99 %.2f ms, recall@10 %.4f, files pruned %.1f%%\n",
              a.k, a.ef, a.queries, p50, p99, recall, prune_rate * 100);
  std::printf("search k=%d ef=%d queries=%d p50_ms=%.3f p99_ms=%.3f recall10=%.4f pruned=%.3f\n", a.k, a.ef, a.queries,
              p50, p99, recall, prune_rate);
  return 0;
}
