// Position deletes x `--where` filters x search mode (exact, HNSW, flat) x catalog (fs, sqlite), on
// files with many row groups.
//
// Every query is the exact vector of a row that was deleted, so a search that forgets the deletes
// returns that row first, at distance 0. The expected top k is computed here by brute force over the
// rows that are live and match the filter (vectors are f32 and random, so there are no ties).
//
// Planted bugs this file caught (each applied by hand, the test watched failing, then reverted; they
// are also mutants in scripts/mutate.sh):
//  - table_search.cc: the position deletes skipped while a `--where` filter is active
//    (`if (del != deletes.end() && !where)`): deleted rows come back in the filtered searches.
//  - predicate_file.cc: the row offset not advanced past a row group the statistics skip: DeleteWhere
//    marks the wrong rows, and filtered searches return rows that do not match.
//  - table_search.cc: the winners' columns read from the row group found without advancing `start`:
//    the fetched `n` disagrees with the hit's vector.
//  - table_delete.cc: rows an earlier delete removed counted (and deleted) again.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "parquet/reader.h"
#include "table/maintenance.h"
#include "table/table_delete.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

enum class Mode { kExact, kHnsw, kFlat };
const char* ModeName(Mode m) { return m == Mode::kExact ? "exact" : m == Mode::kHnsw ? "hnsw" : "flat"; }

constexpr int64_t kRows = 1200;        // 2 files x 600 rows, each file 6 row groups of 100 rows
constexpr int64_t kFileRows = 600;
constexpr int64_t kRowGroupRows = 100;
constexpr uint32_t kDim = 8;

// Row n: grp = n % 4; vector = N(0,1) per element from a generator seeded by n.
std::vector<float> VectorOf(int64_t n) {
  std::mt19937 rng(static_cast<uint32_t>(1000 + n));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(kDim);
  for (auto& x : v) x = normal(rng);
  return v;
}

double SqDist(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return s;
}

class DeletesFilters : public ::testing::TestWithParam<std::tuple<const char*, Mode>> {
 protected:
  void SetUp() override {
    auto cat = catalog::OpenCatalog(std::get<0>(GetParam()), dir_.string());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    cat_ = std::move(*cat);
    TableOptions o;
    o.model = {"rand", "", kDim, VectorMetric::kEuclidean, false};
    o.policy.precision = VectorPrecision::kF32;
    o.policy.index = std::get<1>(GetParam()) == Mode::kFlat ? IndexKind::kFlat : IndexKind::kHnsw;
    o.policy.hnsw_m = 16;
    o.policy.hnsw_ef_construction = 200;
    o.extra_columns = {{"n", "long"}, {"grp", "int"}};
    auto t = Table::Create(*cat_, *catalog::TableIdent::Parse("t"), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);

    TableWriterOptions wo;
    wo.target_file_rows = kFileRows;
    wo.row_group_rows = kRowGroupRows;
    auto w = TableWriter::Open(*table_, wo);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    auto schema = table_->DataSchema();
    ASSERT_TRUE(schema.ok());
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<float> vecs;
    for (int64_t n = 0; n < kRows; ++n) {
      b.columns[0].AppendString("r" + std::to_string(n));
      b.columns[1].AppendNull();
      b.columns[2].AppendString("text " + std::to_string(n));
      b.columns[3].AppendNull();
      b.columns[4].AppendInt64(n);
      b.columns[5].AppendInt32(static_cast<int32_t>(n % 4));
      auto v = VectorOf(n);
      vecs.insert(vecs.end(), v.begin(), v.end());
    }
    b.num_rows = kRows;
    ASSERT_TRUE((*w)->Append(b, vecs.data()).ok());
    auto c = (*w)->Commit();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
  }

  // Every data file really has several row groups (the point of this suite).
  void ExpectManyRowGroups() {
    auto files = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), table_->metadata().CurrentSnapshot());
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->data_files.size(), static_cast<size_t>(kRows / kFileRows));
    for (const auto& e : files->data_files) {
      auto key = table_->locations().KeyOf(e.file.file_path);
      ASSERT_TRUE(key.ok());
      auto r = parquet::ParquetReader::Open(*cat_->store().OpenReadable(*key));
      ASSERT_TRUE(r.ok());
      EXPECT_EQ((*r)->num_row_groups(), kFileRows / kRowGroupRows);
    }
  }

  // The reference: the k nearest rows (by n) among live rows passing `keep`.
  std::vector<int64_t> Expected(const std::vector<float>& q, size_t k, const std::set<int64_t>& deleted,
                                const std::function<bool(int64_t)>& keep) {
    std::vector<std::pair<double, int64_t>> all;
    for (int64_t n = 0; n < kRows; ++n) {
      if (!deleted.count(n) && keep(n)) all.push_back({SqDist(q, VectorOf(n)), n});
    }
    std::sort(all.begin(), all.end());
    std::vector<int64_t> out;
    for (size_t i = 0; i < std::min(k, all.size()); ++i) out.push_back(all[i].second);
    return out;
  }

  // Searches and checks: no deleted row, every row passes `keep`, each hit's fetched n has the
  // hit's distance (columns read from the right row group), and for exact/flat the exact top k.
  // Returns the recall against the reference.
  double Check(const std::vector<float>& q, const std::string& where, const std::set<int64_t>& deleted,
               const std::function<bool(int64_t)>& keep, const std::string& what, FileCache* cache = nullptr) {
    SCOPED_TRACE(what + " where='" + where + "'");
    const Mode mode = std::get<1>(GetParam());
    SearchOptions o;
    o.k = 10;
    o.ef = 64;
    o.exact = mode == Mode::kExact;
    o.where = where;
    o.columns = {"n", "grp", "id"};
    auto r = SearchTable(*table_, q.data(), o, cache);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return 0;
    EXPECT_EQ(r->values.num_rows, static_cast<int64_t>(r->hits.size()));
    std::vector<int64_t> got;
    for (size_t h = 0; h < r->hits.size(); ++h) {
      const int64_t n = r->values.columns[0].Value<int64_t>(static_cast<int64_t>(h));
      got.push_back(n);
      EXPECT_FALSE(deleted.count(n)) << "deleted row n=" << n << " came back (distance " << r->hits[h].distance << ")";
      EXPECT_TRUE(keep(n)) << "row n=" << n << " does not match the filter";
      EXPECT_EQ(r->values.columns[1].Value<int32_t>(static_cast<int64_t>(h)), n % 4);
      EXPECT_EQ(r->values.columns[2].StringValue(static_cast<int64_t>(h)), "r" + std::to_string(n));
      EXPECT_NEAR(r->hits[h].distance, SqDist(q, VectorOf(n)), 1e-3 * (1 + SqDist(q, VectorOf(n))))
          << "the fetched columns belong to another row than the hit";
    }
    const auto want = Expected(q, o.k, deleted, keep);
    if (mode != Mode::kHnsw) {
      EXPECT_EQ(got, want);
    } else {
      EXPECT_EQ(got.size(), want.size());
    }
    std::set<int64_t> truth(want.begin(), want.end());
    double hit = 0;
    for (int64_t n : got) hit += truth.count(n);
    return want.empty() ? 1.0 : hit / static_cast<double>(want.size());
  }

  test_util::TempDir tmp_{"delfilter", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<Table> table_;
};

TEST_P(DeletesFilters, DeletedRowsNeverComeBackWithOrWithoutAFilter) {
  ExpectManyRowGroups();
  // Delete grp 1 from n >= 250 on: rows in later row groups of both files, and whole row groups
  // that the statistics of `n` let the filter skip come before them.
  auto del = DeleteWhere(*table_, "grp = 1 AND n >= 250");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  std::set<int64_t> deleted;
  for (int64_t n = 250; n < kRows; ++n) {
    if (n % 4 == 1) deleted.insert(n);
  }
  EXPECT_EQ(del->rows_deleted, static_cast<int64_t>(deleted.size()));
  EXPECT_EQ(del->delete_files, 2u);
  // A second delete in another commit, so a file carries two delete files.
  auto del2 = DeleteWhere(*table_, "n IN (703, 1100, 1199, 5)");
  ASSERT_TRUE(del2.ok()) << del2.status().ToString();
  EXPECT_EQ(del2->rows_deleted, 4);
  for (int64_t n : {703, 1100, 1199, 5}) deleted.insert(n);
  // Rows deleted already are not deleted again: nothing new matches, so nothing is committed.
  auto again = DeleteWhere(*table_, "grp = 1 AND n >= 1150");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows_deleted, 0);
  EXPECT_EQ(again->snapshot_id, 0);
  ASSERT_TRUE(table_->Refresh().ok());

  auto verify = VerifyTable(*table_);
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_TRUE(verify->problems.empty()) << verify->problems[0];
  EXPECT_EQ(verify->rows, kRows);

  // Queries: deleted rows spread over files and row groups.
  const std::vector<int64_t> probes = {5, 253, 389, 461, 597, 601, 703, 845, 989, 1100, 1153, 1199};
  double recall = 0;
  int searches = 0;
  for (int64_t d : probes) {
    ASSERT_TRUE(deleted.count(d));
    const auto q = VectorOf(d);
    const std::string at = "probe n=" + std::to_string(d);
    recall += Check(q, "", deleted, [](int64_t) { return true; }, at + " no filter");
    recall += Check(q, "grp = 1", deleted, [](int64_t n) { return n % 4 == 1; }, at);
    recall += Check(q, "n >= 0", deleted, [](int64_t) { return true; }, at);
    recall += Check(q, "n >= 400 AND grp IN (1, 2)", deleted, [](int64_t n) { return n >= 400 && (n % 4 == 1 || n % 4 == 2); }, at);
    // Row groups the statistics skip precede the matching ones.
    recall += Check(q, "n >= 950", deleted, [](int64_t n) { return n >= 950; }, at);
    searches += 5;
  }
  // HNSW on 600-row files with ef 64: near-perfect (a wrong graph or filter shows up here too).
  EXPECT_GE(recall / searches, 0.97) << ModeName(std::get<1>(GetParam()));

  // Every live grp-1 row is still found, every deleted one is gone (a filter that matches only them).
  SearchOptions o;
  o.k = 100;
  o.exact = std::get<1>(GetParam()) == Mode::kExact;
  o.ef = 200;
  o.where = "grp = 1 AND n >= 250";
  auto none = SearchTable(*table_, VectorOf(253).data(), o, nullptr);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->hits.empty()) << none->hits.size() << " deleted rows returned";
}

// A warm search remembers each file's filter result (CachedFile::filters, at most 8 per file): with
// one cache kept across 12 distinct filters (evictions), repeated rounds, and a delete committed
// between rounds, every answer must still be the reference's (no deleted row, every row matching
// its own filter). Planted bugs, each seen failing: the deletes applied to the remembered mask
// instead of a copy (after the rollback, rows deleted in the later snapshot stay hidden although
// they are live again: the query row 777 itself goes missing); the memo keyed without the predicate
// text (every filter answered with the first one's rows: "does not match the filter").
TEST_P(DeletesFilters, AWarmCacheAnswersRepeatedFiltersLikeAColdSearch) {
  FileCache cache(1ull << 30);
  std::vector<std::pair<std::string, std::function<bool(int64_t)>>> filters;
  for (int i = 0; i < 12; ++i) {
    const int64_t lo = 90 * i;
    filters.push_back({"n >= " + std::to_string(lo) + " AND grp != " + std::to_string(i % 4),
                       [lo, i](int64_t n) { return n >= lo && n % 4 != i % 4; }});
  }
  const auto q = VectorOf(777);
  // `count` filters from the first, each searched twice in a row (the second one from the memo).
  auto round = [&](size_t count, const std::set<int64_t>& deleted, const std::string& what) {
    double recall = 0;
    for (size_t f = 0; f < count; ++f) {
      for (int rep = 0; rep < 2; ++rep) recall += Check(q, filters[f].first, deleted, filters[f].second, what, &cache);
    }
    return recall / static_cast<double>(2 * count);
  };
  const int64_t before = table_->metadata().CurrentSnapshot()->snapshot_id;
  // More filters than a file remembers (8): entries are evicted and evaluated again.
  EXPECT_GE(round(12, {}, "12 filters"), 0.95);
  EXPECT_GE(round(12, {}, "12 filters again"), 0.95);
  // Four filters, all remembered, across a delete and a rollback on the same cache.
  EXPECT_GE(round(4, {}, "4 filters"), 0.95);
  auto del = DeleteWhere(*table_, "n >= 300 AND n < 900");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  ASSERT_TRUE(table_->Refresh().ok());
  std::set<int64_t> deleted;
  for (int64_t n = 300; n < 900; ++n) deleted.insert(n);
  EXPECT_GE(round(4, deleted, "after a delete"), 0.95);
  // Back to the snapshot before the delete: the deleted rows are live again there.
  ASSERT_TRUE(RollbackTo(*cat_, table_->ident(), before).ok());
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_GE(round(4, {}, "after a rollback"), 0.95);
}

INSTANTIATE_TEST_SUITE_P(CatalogsAndModes, DeletesFilters,
                         ::testing::Combine(::testing::Values("fs", "sqlite"),
                                            ::testing::Values(Mode::kExact, Mode::kHnsw, Mode::kFlat)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" + ModeName(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace ailake::table
