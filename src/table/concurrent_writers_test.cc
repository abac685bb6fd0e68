// 4 processes x 25 real appends (TableWriter, 10 rows each) through the fs and the sqlite catalog:
// 100 snapshots, every one of the 1000 rows present exactly once, no lost commit.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "parquet/reader.h"
#include "table/table_writer.h"
#include "testing/fork_child.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

class ConcurrentWriters : public ::testing::TestWithParam<const char*> {
 protected:
  test_util::TempDir tmp_{"cw", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
};

TEST_P(ConcurrentWriters, EveryRowOfEveryCommitLands) {
  const std::string kind = GetParam();
  const auto ident = *catalog::TableIdent::Parse("t");
  {
    // Created and closed before forking: a SQLite connection must never cross fork().
    auto cat = catalog::OpenCatalog(kind, dir_.string());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    TableOptions o;
    o.model = {"m", "", 4, VectorMetric::kEuclidean, false};
    ASSERT_TRUE(Table::Create(**cat, ident, o).ok());
  }
  const int kProcs = 4, kCommits = 25, kRows = 10;
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
      auto cat = catalog::OpenCatalog(kind, dir_.string());
      if (!cat.ok()) _exit(10);
      auto t = Table::Open(**cat, ident);
      if (!t.ok()) _exit(11);
      if (!racers.ArriveAndWait(p)) _exit(9);
      auto schema = (*t)->DataSchema();
      for (int i = 0; i < kCommits; ++i) {
        auto w = TableWriter::Open(**t, {});
        if (!w.ok()) _exit(12);
        parquet::Batch b = parquet::Batch::Empty(*schema);
        std::vector<float> v;
        for (int r = 0; r < kRows; ++r) {
          b.columns[0].AppendString("p" + std::to_string(p) + "-c" + std::to_string(i) + "-r" + std::to_string(r));
          b.columns[1].AppendNull();
          b.columns[2].AppendNull();
          b.columns[3].AppendNull();
          for (int d = 0; d < 4; ++d) v.push_back(static_cast<float>(p * 1000 + i * 10 + r + d));
        }
        b.num_rows = kRows;
        if (!(*w)->Append(b, v.data()).ok()) _exit(13);
        auto c = (*w)->Commit();
        if (!c.ok()) _exit(14);
        retries += c->attempts - 1;
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
  auto cat = catalog::OpenCatalog(kind, dir_.string());
  ASSERT_TRUE(cat.ok());
  auto t = Table::Open(**cat, ident);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->metadata().snapshots.size(), static_cast<size_t>(kProcs * kCommits));
  auto files = iceberg::ReadSnapshotFiles((*cat)->store(), (*t)->locations(), (*t)->metadata().CurrentSnapshot());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->data_files.size(), static_cast<size_t>(kProcs * kCommits));
  std::multiset<std::string> ids;
  for (const auto& e : files->data_files) {
    auto key = (*t)->locations().KeyOf(e.file.file_path);
    ASSERT_TRUE(key.ok());
    auto readable = (*cat)->store().OpenReadable(*key);
    ASSERT_TRUE(readable.ok());
    auto reader = parquet::ParquetReader::Open(*readable);
    ASSERT_TRUE(reader.ok());
    auto batch = (*reader)->ReadAll({0});
    ASSERT_TRUE(batch.ok());
    for (int64_t r = 0; r < batch->num_rows; ++r) ids.insert(std::string(batch->columns[0].StringValue(r)));
  }
  ASSERT_EQ(ids.size(), static_cast<size_t>(kProcs * kCommits * kRows));
  for (int p = 0; p < kProcs; ++p)
    for (int i = 0; i < kCommits; ++i)
      for (int r = 0; r < kRows; ++r)
        EXPECT_EQ(ids.count("p" + std::to_string(p) + "-c" + std::to_string(i) + "-r" + std::to_string(r)), 1u);
}

INSTANTIATE_TEST_SUITE_P(Catalogs, ConcurrentWriters, ::testing::Values("fs", "sqlite"));

}  // namespace
}  // namespace ailake::table
