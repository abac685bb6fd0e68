// Snapshot expiry: old snapshots go, the files only they referenced go, everything the retained
// snapshots need stays (and still verifies), time travel to an expired snapshot is a clear error.
#include "table/expire.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/uuid.h"
#include "embed/hash_embedder.h"
#include "iceberg/snapshot_files.h"
#include "table/maintenance.h"
#include "table/table_delete.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

class ExpireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cat_ = std::move(*catalog::OpenCatalog("fs", dir_.string()));
    TableOptions o;
    o.model = embedder_.model();
    auto t = Table::Create(*cat_, *catalog::TableIdent::Parse("docs"), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }

  void Append(int64_t start, int64_t n) {
    auto w = TableWriter::Open(*table_);
    ASSERT_TRUE(w.ok());
    auto schema = table_->DataSchema();
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<std::string> texts;
    for (int64_t i = start; i < start + n; ++i) {
      texts.push_back("row " + std::to_string(i) + " about comets");
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendNull();
      b.columns[2].AppendString(texts.back());
      b.columns[3].AppendNull();
    }
    b.num_rows = n;
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<float> v;
    ASSERT_TRUE(embedder_.Embed(views, &v).ok());
    ASSERT_TRUE((*w)->Append(b, v.data()).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }

  // Every data/delete file and manifest the snapshot needs exists in the store.
  void ExpectComplete(const iceberg::Snapshot& s) {
    Store& store = cat_->store();
    auto files = iceberg::ReadSnapshotFiles(store, table_->locations(), &s);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    for (const auto& e : files->data_files) {
      EXPECT_TRUE(*store.Exists(*table_->locations().KeyOf(e.file.file_path))) << e.file.file_path;
    }
    for (const auto& e : files->delete_files) {
      EXPECT_TRUE(*store.Exists(*table_->locations().KeyOf(e.file.file_path))) << e.file.file_path;
    }
  }

  size_t DataObjects() {
    auto l = cat_->store().List(table_->table_key() + "/data/");
    return l.ok() ? l->size() : 0;
  }

  test_util::TempDir tmp_{"expire", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<Table> table_;
  embed::HashEmbedder embedder_{16, 0};
};

TEST_F(ExpireTest, ExpiresOldSnapshotsAndOnlyTheirFiles) {
  Append(0, 50);
  const int64_t first = *table_->metadata().current_snapshot_id;
  Append(50, 50);
  ASSERT_TRUE(DeleteWhere(*table_, "id = 'r3'").ok());
  Append(100, 50);
  ASSERT_EQ(table_->metadata().snapshots.size(), 4u);
  const size_t before = DataObjects();

  ExpireOptions dry;
  dry.older_than_ms = INT64_MAX;
  dry.retain_last = 2;
  dry.dry_run = true;
  auto d = ExpireSnapshots(*table_, dry);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->expired_snapshots.size(), 2u);
  EXPECT_EQ(DataObjects(), before);
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().snapshots.size(), 4u);

  // Appends never remove files: expiring the two oldest snapshots frees only their manifest lists.
  ExpireOptions o = dry;
  o.dry_run = false;
  auto r = ExpireSnapshots(*table_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->expired_snapshots.size(), 2u);
  EXPECT_EQ(r->data_files_deleted, 0u);
  EXPECT_EQ(DataObjects(), before);
  EXPECT_EQ(table_->metadata().snapshots.size(), 2u);
  for (const auto& s : table_->metadata().snapshots) ExpectComplete(s);
  auto v = VerifyTable(*table_);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty());
  EXPECT_EQ(v->rows, 150);

  SearchOptions so;
  so.snapshot_id = first;
  std::vector<float> q;
  ASSERT_TRUE(embedder_.Embed({"comets"}, &q).ok());
  auto gone = SearchTable(*table_, q.data(), so, nullptr);
  EXPECT_FALSE(gone.ok());
}

TEST_F(ExpireTest, FilesRemovedByARewriteAreDeletedOnceNoSnapshotNeedsThem) {
  Append(0, 40);
  Append(40, 40);
  // Rewrite: replace the first file with a copy holding its rows (like a migration task would).
  auto files = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), table_->metadata().CurrentSnapshot());
  ASSERT_TRUE(files.ok());
  const auto old_entry = files->data_files[0];
  Append(80, 10);
  iceberg::TableChange change;
  change.operation = "overwrite";
  change.remove_files = {old_entry.file.file_path};
  ASSERT_TRUE(CommitChange(*cat_, table_->ident(), change).ok());
  ASSERT_TRUE(table_->Refresh().ok());
  const std::string old_key = *table_->locations().KeyOf(old_entry.file.file_path);
  ASSERT_TRUE(*cat_->store().Exists(old_key));

  ExpireOptions o;
  o.older_than_ms = INT64_MAX;
  o.retain_last = 1;
  auto r = ExpireSnapshots(*table_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->expired_snapshots.size(), 3u);
  EXPECT_EQ(r->data_files_deleted, 1u);
  EXPECT_GT(r->bytes_freed, 0);
  EXPECT_FALSE(*cat_->store().Exists(old_key));
  ExpectComplete(*table_->metadata().CurrentSnapshot());
  auto v = VerifyTable(*table_);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty());
  EXPECT_EQ(v->rows, 50);

  // Nothing older is left: a second run expires nothing and deletes nothing.
  auto again = ExpireSnapshots(*table_, o);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->expired_snapshots.empty());
  ExpireOptions bad;
  bad.retain_last = 0;
  EXPECT_EQ(ExpireSnapshots(*table_, bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ailake::table
