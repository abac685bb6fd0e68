// Migration of files with many row groups (row groups of 64 rows in files of 300, so deleted rows sit
// at the start, in the middle and at the end of row groups and the row groups do not line up with
// the embedding batches), for both strategies, with the old column kept and without.
//
// Planted bug this caught (applied by hand, watched failing, reverted; also the mutant
// migrate-row-offset-not-advanced in scripts/mutate.sh): rewrite_file.cc not advancing `base_row`
// between row groups, so the deleted positions were applied to the wrong rows of every row group but
// the first (deleted rows came back, live rows vanished or the task failed its row count check).
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

#include "embed/hash_embedder.h"
#include "migrate/migrate_test_util.h"
#include "migrate/migration_job.h"
#include "parquet/reader.h"
#include "table/maintenance.h"
#include "table/table_delete.h"

namespace ailake::migrate {
namespace {

using testing::AppendRows;
using testing::RowText;
using testing::ScanTable;

constexpr int64_t kRows = 900, kFileRows = 300, kRowGroupRows = 64;

class MigrationRowGroups : public ::testing::TestWithParam<std::tuple<Strategy, bool>> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wh_.ok());
    auto t = wh_.CreateTable("docs", old_embedder_.model());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
    ASSERT_TRUE(AppendRows(*table_, old_embedder_, 0, kRows, kFileRows, 0, kRowGroupRows).ok());
  }

  // Checks the live data files' row groups (the precondition of this suite).
  void ExpectRowGroupsAtLeast(int want) {
    auto files = testing::CurrentFiles(*table_);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    ASSERT_FALSE(files->data_files.empty());
    for (const auto& e : files->data_files) {
      auto key = table_->locations().KeyOf(e.file.file_path);
      ASSERT_TRUE(key.ok());
      auto r = parquet::ParquetReader::Open(*wh_.store().OpenReadable(*key));
      ASSERT_TRUE(r.ok());
      EXPECT_GE((*r)->num_row_groups(), want) << e.file.file_path;
    }
  }

  static void ExpectVector(const std::vector<float>& got, embed::Embedder& e, const std::string& text,
                           const std::string& what) {
    std::vector<float> want;
    ASSERT_TRUE(e.Embed({text}, &want).ok());
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t d = 0; d < want.size(); ++d) {
      ASSERT_NEAR(got[d], want[d], 2e-3 * std::max(1.0f, std::fabs(want[d]))) << what << " element " << d;
    }
  }

  testing::TestWarehouse wh_;
  std::unique_ptr<table::Table> table_;
  embed::HashEmbedder old_embedder_{32, 0};
  embed::HashEmbedder new_embedder_{24, 5};
};

TEST_P(MigrationRowGroups, DeletedRowsStayDeletedAndEveryOtherRowIsRewritten) {
  const auto [strategy, keep_old] = GetParam();
  ExpectRowGroupsAtLeast(static_cast<int>(kFileRows / kRowGroupRows));
  // Positions inside each file (files hold rows [0,300), [300,600), [600,900)): first and last row
  // of a row group, a run across a row-group boundary, the file's last row, a whole row group.
  std::set<int64_t> deleted = {0, 63, 64, 127, 128, 190, 191, 192, 193, 299, 300, 365, 470, 599, 640, 899};
  for (int64_t i = 704; i < 768; ++i) deleted.insert(i);  // row group 1 of the third file, whole
  std::string in;
  for (int64_t i : deleted) in += (in.empty() ? "'r" : ", 'r") + std::to_string(i) + "'";
  auto del = table::DeleteWhere(*table_, "id IN (" + in + ")");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  ASSERT_EQ(del->rows_deleted, static_cast<int64_t>(deleted.size()));

  MigrationOptions o;
  o.embedder_spec = "hash:dim=24,seed=5";
  o.new_model.name = "hash-24";
  o.new_model.version = "seed5";
  o.strategy = strategy;
  o.keep_old_column = keep_old;
  if (keep_old) o.new_column = "embedding_v2";
  o.batch_size = 50;  // batches straddle row groups
  o.concurrency = 2;
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->texts_embedded, kRows - static_cast<int64_t>(deleted.size()));

  const std::string new_column = keep_old ? "embedding_v2" : "embedding";
  auto rows = ScanTable(*table_, new_column);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), static_cast<size_t>(kRows) - deleted.size());
  for (int64_t i = 0; i < kRows; ++i) {
    auto it = rows->find("r" + std::to_string(i));
    if (deleted.count(i)) {
      EXPECT_EQ(it, rows->end()) << "deleted row r" << i << " came back";
      continue;
    }
    ASSERT_NE(it, rows->end()) << "row r" << i << " is missing";
    ASSERT_EQ(it->second.text, RowText(i));
    ExpectVector(it->second.vector, new_embedder_, RowText(i), "new vector of r" + std::to_string(i));
  }
  if (keep_old) {
    // The old column travelled row-aligned with its rows.
    auto old_rows = ScanTable(*table_, "embedding");
    ASSERT_TRUE(old_rows.ok()) << old_rows.status().ToString();
    EXPECT_EQ(old_rows->size(), rows->size());
    for (const auto& [id, row] : *old_rows) ExpectVector(row.vector, old_embedder_, row.text, "old vector of " + id);
  }
  auto v = table::VerifyTable(*table_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->problems.empty()) << v->problems.front();

  // A filtered search over the migrated table finds a row of a late row group, never a deleted one.
  std::vector<float> q;
  ASSERT_TRUE(new_embedder_.Embed({RowText(833)}, &q).ok());
  table::SearchOptions so;
  so.k = 5;
  so.exact = true;
  so.model = new_embedder_.model();
  so.where = "id >= 'r8'";
  so.columns = {"id"};
  auto hits = table::SearchTable(*table_, q.data(), so, nullptr);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->hits.empty());
  EXPECT_EQ(hits->values.columns[0].StringValue(0), "r833");
  for (int64_t h = 0; h < hits->values.num_rows; ++h) {
    const std::string id(hits->values.columns[0].StringValue(h));
    EXPECT_FALSE(deleted.count(std::stoll(id.substr(1)))) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(StrategiesAndColumns, MigrationRowGroups,
                         ::testing::Combine(::testing::Values(Strategy::kAtomicReplace, Strategy::kDualWriteThenCutover),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) == Strategy::kAtomicReplace ? "AtomicReplace"
                                                                                                : "DualWrite") +
                                  (std::get<1>(info.param) ? "_KeepOld" : "_InPlace");
                         });

}  // namespace
}  // namespace ailake::migrate
