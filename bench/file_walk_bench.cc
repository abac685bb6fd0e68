// file_walk_bench: one file's graph walk, timed alone, with F files loaded in memory.
//
//   file_walk_bench --dir DATA_DIR --query Q.fvecs [--newest F] [--column embedding] [--ef 28]
//                   [--k 10] [--passes 3]
//
// Loads the vector column and index of the F most recently written *.parquet files of DATA_DIR
// (all of them without --newest), the way a warm table search holds them. Each query is searched in
// the one loaded file whose centroid is nearest (squared L2 to the AILK centroid), single-threaded,
// and only that LoadedVectorColumn::Search call is timed: no planning, no ids, no thread hand-off.
// This isolates what the number of resident files costs one walk (the caches and the TLB), which
// table_bench's whole-query latencies mix with everything else.
//
// A table that `table_bench --layout clustered` built keeps its ingested files in the same folder
// (expired snapshots are not deleted by the bench), so --newest picks the clustered ones: 10 for the
// 100k table, 100 for the 1M table.
//
// Prints one line per pass:
//   walk files=F resident_mb=... huge_mb=... ef=E k=K pass=P queries=Q p50_us=... p90_us=... p99_us=...
// where resident_mb counts the loaded rows and huge_mb what the kernel backs with huge pages.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/huge_pages.h"
#include "file/file_reader.h"
#include "bench_args.h"
#include "vecs_file.h"

using namespace ailake;

namespace {

using bench::ParseLong;

struct Args {
  std::string dir, query, column = "embedding";
  long newest = 0;  // 0 = every file
  long ef = 28, k = 10, passes = 3;
};

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string f = argv[i];
    const char* v = argv[i + 1];
    bool ok = true;
    if (f == "--dir") a->dir = v;
    else if (f == "--query") a->query = v;
    else if (f == "--column") a->column = v;
    else if (f == "--newest") ok = ParseLong(v, 1, 100000, &a->newest);
    else if (f == "--ef") ok = ParseLong(v, 1, 100000, &a->ef);
    else if (f == "--k") ok = ParseLong(v, 1, 10000, &a->k);
    else if (f == "--passes") ok = ParseLong(v, 1, 1000, &a->passes);
    else return false;
    if (!ok) return false;
  }
  return !a->dir.empty() && !a->query.empty();
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "file_walk_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: file_walk_bench --dir DATA_DIR --query Q.fvecs [--newest F] [--column embedding] [--ef 28] "
                 "[--k 10] [--passes 3]\n");
    return 2;
  }
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> paths;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(a.dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".parquet") paths.emplace_back(e.last_write_time(), e.path());
  }
  if (ec) return Fail("cannot list " + a.dir + ": " + ec.message());
  std::sort(paths.rbegin(), paths.rend());
  if (a.newest > 0 && paths.size() > static_cast<size_t>(a.newest)) paths.resize(static_cast<size_t>(a.newest));
  if (paths.empty()) return Fail(a.dir + " holds no .parquet file");

  std::vector<std::unique_ptr<file::AiLakeFileReader>> readers;
  std::vector<std::unique_ptr<file::LoadedVectorColumn>> columns;
  double resident = 0;
  for (const auto& p : paths) {
    auto reader = file::AiLakeFileReader::OpenPath(p.second);
    if (!reader.ok()) return Fail(reader.status().ToString());
    auto column = (*reader)->LoadColumn(a.column);
    if (!column.ok()) return Fail(p.second + ": " + column.status().ToString());
    if (!columns.empty() && (*column)->meta().model.dim != columns[0]->meta().model.dim) {
      return Fail(p.second + ": its dimension differs from the other files'");
    }
    resident += static_cast<double>((*column)->rows().size());
    columns.push_back(std::move(*column));
    readers.push_back(std::move(*reader));
  }
  const size_t dim = columns[0]->meta().model.dim;
  bench::Vecs q;
  if (!bench::ReadVecs(a.query, false, &q)) return Fail("cannot read " + a.query);
  if (q.dim != dim) return Fail(a.query + " is " + std::to_string(q.dim) + "-d, the files " + std::to_string(dim) + "-d");

  std::vector<size_t> nearest(q.count, 0);
  for (size_t i = 0; i < q.count; ++i) {
    const float* v = q.f.data() + i * dim;
    double best = -1;
    for (size_t f = 0; f < columns.size(); ++f) {
      const std::vector<float>& c = columns[f]->section().centroid;
      double d = 0;
      for (size_t j = 0; j < dim; ++j) d += (double(c[j]) - v[j]) * (double(c[j]) - v[j]);
      if (best < 0 || d < best) best = d, nearest[i] = f;
    }
  }
  for (long pass = 0; pass < a.passes; ++pass) {
    std::vector<double> us;
    us.reserve(q.count);
    for (size_t i = 0; i < q.count; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto hits = columns[nearest[i]]->Search(q.f.data() + i * dim, static_cast<size_t>(a.k), static_cast<size_t>(a.ef), false);
      const auto t1 = std::chrono::steady_clock::now();
      if (!hits.ok()) return Fail(hits.status().ToString());
      if (hits->empty()) return Fail("a search returned no rows");
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    const auto at = [&](double f) { return us[std::min(us.size() - 1, static_cast<size_t>(f * static_cast<double>(us.size())))]; };
    std::printf("walk files=%zu resident_mb=%.0f huge_mb=%lld ef=%ld k=%ld pass=%ld queries=%zu p50_us=%.1f p90_us=%.1f p99_us=%.1f\n",
                columns.size(), resident / 1e6, std::max<long long>(core::AnonHugePageBytes(), 0) >> 20, a.ef, a.k, pass,
                us.size(), at(0.5), at(0.9), at(0.99));
    std::fflush(stdout);
  }
  return 0;
}
