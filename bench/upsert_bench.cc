// upsert_bench: upsert by id into a large table (table/upsert.h).
//
//   upsert_bench [--rows 1000000] [--files 10] [--row-group-rows 10000] [--dim 64] [--upsert 1000]
//                [--dir /tmp/ailake_upsert_bench]
//
// Builds a table of `rows` rows (ids k000000000.. in order, `files` files of row groups of
// `row-group-rows`, flat indexes so the build is cheap), then runs two upserts of `upsert` rows
// from a JSON Lines file, half of them live ids and half new ones:
//   contiguous  the live ids are consecutive (a re-load of one document's chunks): few row groups
//   random      the live ids are spread uniformly over the table: up to one row group per id
// Each is timed end to end (read the input, write the new file, look the ids up, write the
// position deletes, commit). Prints one key=value line per upsert:
//   upsert rows=... table_rows=... spread=... seconds=... rows_per_s=... replaced=...
//          files_opened=... files=... row_groups_read=... row_groups_of_opened_files=...
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "table/table_writer.h"
#include "table/upsert.h"

using namespace ailake;

namespace {

struct Args {
  int64_t rows = 1000000;
  int64_t files = 10;
  int64_t row_group_rows = 10000;
  int64_t dim = 64;
  int64_t upsert = 1000;
  std::string dir = "/tmp/ailake_upsert_bench";
};

bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    bool ok = true;
    if (f == "--rows") ok = ParseInt(v, &a->rows);
    else if (f == "--files") ok = ParseInt(v, &a->files);
    else if (f == "--row-group-rows") ok = ParseInt(v, &a->row_group_rows);
    else if (f == "--dim") ok = ParseInt(v, &a->dim);
    else if (f == "--upsert") ok = ParseInt(v, &a->upsert);
    else if (f == "--dir") a->dir = v;
    else return false;
    if (!ok) return false;
  }
  return a->rows > 0 && a->files > 0 && a->files <= a->rows && a->row_group_rows > 0 && a->dim > 0 &&
         a->dim <= 4096 && a->upsert >= 2 && a->upsert / 2 <= a->rows;
}

std::string Id(int64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "k%09lld", static_cast<long long>(i));
  return buf;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int Fail(const Status& st) {
  std::fprintf(stderr, "%s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr, "usage: upsert_bench [--rows N] [--files F] [--row-group-rows R] [--dim D] [--upsert U] "
                         "[--dir DIR]\n");
    return 2;
  }
  std::filesystem::remove_all(a.dir);
  std::filesystem::create_directories(a.dir);
  auto cat = catalog::OpenCatalog("fs", a.dir + "/wh");
  if (!cat.ok()) return Fail(cat.status());
  table::TableOptions o;
  o.model = {"bench", "1", static_cast<uint32_t>(a.dim), VectorMetric::kEuclidean, false};
  o.policy.index = IndexKind::kFlat;
  auto t = table::Table::Create(**cat, *catalog::TableIdent::Parse("t"), o);
  if (!t.ok()) return Fail(t.status());

  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal;
  const auto t_build = std::chrono::steady_clock::now();
  {
    table::TableWriterOptions wo;
    wo.target_file_rows = (a.rows + a.files - 1) / a.files;
    wo.row_group_rows = a.row_group_rows;
    auto w = table::TableWriter::Open(**t, wo);
    if (!w.ok()) return Fail(w.status());
    auto schema = (*t)->DataSchema();
    if (!schema.ok()) return Fail(schema.status());
    const int64_t kBatch = 50000;
    for (int64_t start = 0; start < a.rows; start += kBatch) {
      const int64_t n = std::min(kBatch, a.rows - start);
      parquet::Batch b = parquet::Batch::Empty(*schema);
      std::vector<float> v(static_cast<size_t>(n * a.dim));
      for (auto& x : v) x = normal(rng);
      for (int64_t i = 0; i < n; ++i) {
        b.columns[0].AppendString(Id(start + i));
        b.columns[1].AppendString("doc-" + std::to_string((start + i) / 8));
        b.columns[2].AppendString("chunk text of row " + std::to_string(start + i));
        b.columns[3].AppendNull();
      }
      b.num_rows = n;
      Status st = (*w)->Append(b, v.data());
      if (!st.ok()) return Fail(st);
    }
    auto c = (*w)->Commit();
    if (!c.ok()) return Fail(c.status());
  }
  std::printf("table rows=%lld files=%lld row_group_rows=%lld dim=%lld build_seconds=%.1f\n",
              static_cast<long long>(a.rows), static_cast<long long>(a.files), static_cast<long long>(a.row_group_rows),
              static_cast<long long>(a.dim), Seconds(t_build));

  int64_t next_new = a.rows;
  for (const char* spread : {"contiguous", "random"}) {
    const int64_t live = a.upsert / 2;
    std::set<int64_t> ids;
    if (std::string(spread) == "contiguous") {
      const int64_t first = a.rows / 3;
      for (int64_t i = 0; i < live && first + i < a.rows; ++i) ids.insert(first + i);
    } else {
      std::uniform_int_distribution<int64_t> pick(0, a.rows - 1);
      while (static_cast<int64_t>(ids.size()) < live) ids.insert(pick(rng));
    }
    while (static_cast<int64_t>(ids.size()) < a.upsert) ids.insert(next_new++);
    const std::string input = a.dir + "/upsert-" + spread + ".jsonl";
    {
      std::ofstream out(input);
      for (int64_t id : ids) {
        out << "{\"id\":\"" << Id(id) << "\",\"chunk_text\":\"updated\",\"embedding\":[";
        for (int64_t d = 0; d < a.dim; ++d) out << (d ? "," : "") << normal(rng);
        out << "]}\n";
      }
    }
    table::UpsertOptions uo;
    uo.mode = table::WriteMode::kUpsert;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = table::IngestWithMode(**t, input, nullptr, {}, uo);
    const double secs = Seconds(t0);
    if (!r.ok()) return Fail(r.status());
    std::printf("upsert rows=%lld table_rows=%lld spread=%s seconds=%.3f rows_per_s=%.0f replaced=%lld "
                "files_opened=%lld files=%lld row_groups_read=%lld row_groups_of_opened_files=%lld\n",
                static_cast<long long>(a.upsert), static_cast<long long>(a.rows), spread, secs,
                static_cast<double>(a.upsert) / secs, static_cast<long long>(r->replaced),
                static_cast<long long>(r->lookup.files_opened), static_cast<long long>(r->lookup.files),
                static_cast<long long>(r->lookup.row_groups_read), static_cast<long long>(r->lookup.row_groups));
  }
  std::filesystem::remove_all(a.dir);
  return 0;
}
