// Conflict-safe commits through the SQLite catalog: 4 processes x 25 appends, nothing lost (the same
// scenario commit_test.cc runs through the fs catalog).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "testing/fork_child.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

using catalog::Catalog;
using catalog::TableIdent;

iceberg::AddedFile FakeFile(Catalog& cat, const TableIdent& id, const std::string& name, int64_t rows) {
  iceberg::AddedFile f;
  f.file.file_path = cat.LocationOf(Catalog::TableKey(id) + "/data/" + name + ".parquet");
  f.file.record_count = rows;
  f.file.file_size_in_bytes = rows * 10;
  f.file.value_counts = {{1, rows}};
  iceberg::FileVectorStats s;
  s.column = "embedding";
  s.model = "m";
  s.dim = 2;
  s.centroid = {1.0f, 0.0f};
  s.radius = 0.5f;
  s.rows_with_vector = static_cast<uint64_t>(rows);
  f.vector_stats = {s};
  return f;
}

class SqliteCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    id_ = *TableIdent::Parse("db.t");
    iceberg::TableMetadata m;
    m.table_uuid = Uuid::Random().ToString();
    m.location = cat_->LocationOf(Catalog::TableKey(id_));
    iceberg::Schema s;
    s.fields.push_back({1, "id", true, iceberg::Type::Primitive(iceberg::TypeId::kLong), ""});
    m.schemas = {s};
    m.last_column_id = 1;
    auto created = cat_->CreateTable(id_, m);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  void TearDown() override {
    cat_.reset();
  }
  void Reopen() {
    cat_.reset();
    auto c = catalog::OpenCatalog("sqlite", dir_.string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cat_ = std::move(*c);
  }

  test_util::TempDir tmp_{"sqlcommit", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<Catalog> cat_;
  TableIdent id_;
};

// 4 processes x 25 appends through the sqlite catalog: 100 snapshots, every file present, no lost
// commit. The parent closes its connection before fork (SQLite connections must not cross fork).
TEST_F(SqliteCommitTest, ConcurrentAppendersLoseNothing) {
  const int kProcs = 4, kCommits = 25;
  cat_.reset();
  // Racers are released together (a pipe gate) and report the races they lost: a run in which no
  // commit ever had to retry would have tested nothing. (Planted: serialising the children's commits
  // with an flock made the retry assertion fail.)
  test_util::Racers racers(kProcs);
  ASSERT_TRUE(racers.ok());
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      racers.EnterChild(p);
      int64_t retries = 0;
      auto c = catalog::OpenCatalog("sqlite", dir_.string());
      if (!c.ok()) _exit(10);
      if (!racers.ArriveAndWait(p)) _exit(9);
      for (int i = 0; i < kCommits; ++i) {
        iceberg::TableChange ch;
        ch.add_data_files = {FakeFile(**c, id_, "p" + std::to_string(p) + "-" + std::to_string(i), 1 + i)};
        auto r = CommitChange(**c, id_, ch, RetryOptions{1000, 1, 50});
        if (!r.ok()) _exit(11);
        retries += r->attempts - 1;
      }
      if (!racers.Report(p, retries)) _exit(8);
      _exit(0);
    }
    pids.push_back(pid);
  }
  const bool all_arrived = racers.ReleaseWhenAllArrived();
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_TRUE(all_arrived);
  EXPECT_GT(racers.Collect(), 0) << "no commit lost a race: the racers never raced";
  Reopen();
  auto t = cat_->LoadTable(id_);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->metadata.snapshots.size(), static_cast<size_t>(kProcs * kCommits));
  EXPECT_EQ(t->metadata.last_sequence_number, kProcs * kCommits);
  EXPECT_EQ(t->version, 1 + kProcs * kCommits);
  EXPECT_EQ(t->metadata.metadata_log.size(), static_cast<size_t>(kProcs * kCommits));
  auto files = iceberg::ReadSnapshotFiles(cat_->store(), {cat_->warehouse_uri(), Catalog::TableKey(id_)}, t->metadata.CurrentSnapshot());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::set<std::string> paths;
  for (const auto& e : files->data_files) paths.insert(e.file.file_path);
  EXPECT_EQ(paths.size(), static_cast<size_t>(kProcs * kCommits));
  for (int p = 0; p < kProcs; ++p)
    for (int i = 0; i < kCommits; ++i)
      EXPECT_TRUE(paths.count(FakeFile(*cat_, id_, "p" + std::to_string(p) + "-" + std::to_string(i), 1).file.file_path));
  const int64_t expected_rows = kProcs * (kCommits * (kCommits + 1) / 2);
  EXPECT_EQ(t->metadata.CurrentSnapshot()->summary.at("total-records"), std::to_string(expected_rows));
  // Losing attempts cleaned up after themselves: one manifest list per snapshot, and one metadata
  // file per version (the create plus 100 commits).
  auto lists = cat_->store().List("db/t/metadata/snap-");
  ASSERT_TRUE(lists.ok());
  EXPECT_EQ(lists->size(), static_cast<size_t>(kProcs * kCommits));
  int metadata_files = 0;
  auto all = cat_->store().List("db/t/metadata/");
  ASSERT_TRUE(all.ok());
  for (const auto& o : *all) metadata_files += o.key.find(".metadata.json") != std::string::npos;
  EXPECT_EQ(metadata_files, 1 + kProcs * kCommits);
}

}  // namespace
}  // namespace ailake::table
