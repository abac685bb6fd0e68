// Warm search through the public API: a table of N rows x D dims in F files (HNSW per file), then
// single queries (ids only, and ids + text) and batches, timed after a warm-up pass.
//
//   api_search_bench [--rows 100000] [--dim 384] [--files 10] [--queries 200] [--dir PATH] [--keep]
// The table is built once per --dir and reused when it already holds the rows (--keep leaves it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "ailake/ailake.h"
#include "bench_table.h"

namespace {

using bench::Ms;

void Report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  std::printf("%-28s n=%zu  mean %.3f ms  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms\n", what, ms.size(), sum / ms.size(),
              ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]);
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 100000, dim = 384, files = 10, queries = 200;
  std::string dir = (std::filesystem::temp_directory_path() / "ailake_api_search_bench").string();
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (!std::strcmp(argv[i], "--rows")) rows = std::stoul(next());
    else if (!std::strcmp(argv[i], "--dim")) dim = std::stoul(next());
    else if (!std::strcmp(argv[i], "--files")) files = std::stoul(next());
    else if (!std::strcmp(argv[i], "--queries")) queries = std::stoul(next());
    else if (!std::strcmp(argv[i], "--dir")) dir = next();
    else if (!std::strcmp(argv[i], "--keep")) keep = true;
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  auto wh = ailake::Warehouse::Open(dir, {.create = true});
  if (!wh.ok()) return std::fprintf(stderr, "%s\n", wh.status().ToString().c_str()), 1;
  bench::ClusteredVectors gen(dim);
  std::unique_ptr<ailake::Table> table = bench::OpenOrBuildTable(**wh, dir, rows, dim, files, gen);
  if (!table) return 1;
  std::vector<float> qs(queries * dim);
  for (size_t q = 0; q < queries; ++q) gen.Next(qs.data() + q * dim);
  ailake::SearchOptions ids_only;
  ids_only.k = 10;
  ailake::SearchOptions with_text = ids_only;
  with_text.columns = {"chunk_text"};

  auto t0 = std::chrono::steady_clock::now();
  auto first = table->Search(qs.data(), dim, ids_only);
  if (!first.ok()) return std::fprintf(stderr, "%s\n", first.status().ToString().c_str()), 1;
  std::printf("cold first query: %.1f ms (searched %zu of %zu files)\n", Ms(std::chrono::steady_clock::now() - t0),
              first->files_searched, first->files_total);
  for (size_t q = 0; q < queries; ++q) (void)table->Search(qs.data() + q * dim, dim, ids_only);  // warm every file
  std::printf("cache: %.1f MB\n", table->cache_bytes() / 1e6);
  for (auto* o : {&ids_only, &with_text}) {
    std::vector<double> ms;
    size_t searched = 0;
    for (size_t q = 0; q < queries; ++q) {
      auto s = std::chrono::steady_clock::now();
      auto r = table->Search(qs.data() + q * dim, dim, *o);
      ms.push_back(Ms(std::chrono::steady_clock::now() - s));
      if (!r.ok()) return std::fprintf(stderr, "%s\n", r.status().ToString().c_str()), 1;
      searched += r->files_searched;
    }
    Report(o == &ids_only ? "warm Search (ids)" : "warm Search (ids + text)", ms);
    std::printf("  files searched per query: %.2f\n", double(searched) / queries);
  }
  for (size_t batch : {size_t(16), size_t(64)}) {
    std::vector<double> ms;
    for (size_t q = 0; q + batch <= queries; q += batch) {
      auto s = std::chrono::steady_clock::now();
      auto r = table->SearchBatch(qs.data() + q * dim, batch, dim, ids_only);
      ms.push_back(Ms(std::chrono::steady_clock::now() - s) / batch);
      if (!r.ok()) return std::fprintf(stderr, "%s\n", r.status().ToString().c_str()), 1;
    }
    Report(batch == 16 ? "SearchBatch(16) per query" : "SearchBatch(64) per query", ms);
  }
  if (!keep) {
    table.reset();
    (void)(*wh)->DropTable("bench", true);
  }
  return 0;
}
