// The synthetic warm-search table that api_search_bench and serve_bench share: rows near one of 64
// Gaussian centres (so pruning and HNSW behave like real embeddings), one HNSW file per
// ceil(rows / files) rows, built through the public API and reused when the folder already holds
// it with the same row count.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ailake/ailake.h"

namespace bench {

inline double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Draws vectors near one of 64 fixed centres (seed 7: every program sees the same data).
class ClusteredVectors {
 public:
  explicit ClusteredVectors(size_t dim) : dim_(dim), rng_(7), centres_(64 * dim) {
    for (auto& c : centres_) c = g_(rng_);
  }
  void Next(float* out) {
    const float* c = centres_.data() + (rng_() % 64) * dim_;
    for (size_t i = 0; i < dim_; ++i) out[i] = c[i] + 0.3f * g_(rng_);
  }

 private:
  size_t dim_;
  std::mt19937 rng_;
  std::normal_distribution<float> g_{0, 1};
  std::vector<float> centres_;
};

// The table "bench" of `rows` x `dim` in `files` files, from `gen`; nullptr after printing why.
inline std::unique_ptr<ailake::Table> OpenOrBuildTable(ailake::Warehouse& wh, const std::string& dir, size_t rows,
                                                       size_t dim, size_t files, ClusteredVectors& gen) {
  auto opened = wh.OpenTable("bench");
  if (opened.ok() && (*opened)->Info().ok() && (*opened)->Info()->live_rows == static_cast<int64_t>(rows)) {
    std::printf("reusing %s\n", dir.c_str());
    return std::move(*opened);
  }
  if (opened.ok()) (void)wh.DropTable("bench", true);
  ailake::CreateTableOptions co;
  co.model = {.name = "bench", .version = "1", .dim = static_cast<uint32_t>(dim)};
  co.storage.index = ailake::IndexKind::kHnsw;
  co.target_file_rows = static_cast<int64_t>((rows + files - 1) / files);
  auto t = wh.CreateTable("bench", co);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
    return nullptr;
  }
  std::unique_ptr<ailake::Table> table = std::move(*t);
  const auto t0 = std::chrono::steady_clock::now();
  const size_t chunk = static_cast<size_t>(co.target_file_rows);
  for (size_t start = 0; start < rows; start += chunk) {
    const size_t n = std::min(chunk, rows - start);
    ailake::RecordBatch b;
    b.columns = {{.name = "id", .type = ailake::ValueType::kString}, {.name = "chunk_text", .type = ailake::ValueType::kString}};
    std::vector<float> vecs(n * dim);
    for (size_t r = 0; r < n; ++r) {
      b.columns[0].AppendString("row-" + std::to_string(start + r));
      b.columns[1].AppendString("text of row " + std::to_string(start + r));
      gen.Next(vecs.data() + r * dim);
    }
    auto w = table->Add(b, vecs.data(), dim, {.mode = ailake::WriteMode::kAppend});
    if (!w.ok()) {
      std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
      return nullptr;
    }
  }
  std::printf("built %zu x %zu in %zu files: %.1f s\n", rows, dim, files, Ms(std::chrono::steady_clock::now() - t0) / 1000);
  return table;
}

}  // namespace bench
