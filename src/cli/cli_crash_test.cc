// Crash safety: a writer killed with SIGKILL at random moments never leaves the table between
// snapshots. After every kill the table loads, `verify` passes, and its row count is a whole number
// of inserts (each insert is one atomic commit). Also rollback, and verify catching a damaged file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "core/uuid.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

using Out = testing::CliOut;

class CliCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_ / "wh").string();
    // Rows without ids, inserted again and again in append mode: each insert adds kRowsPerInsert rows.
    std::string jsonl;
    for (int i = 0; i < kRowsPerInsert; ++i) {
      jsonl += "{\"chunk_text\":\"row " + std::to_string(i) + " about comets and orbits\"}\n";
    }
    std::ofstream(dir_ / "rows.jsonl") << jsonl;
  }
  Out Cli(std::vector<std::string> args, bool warehouse = true) {
    return testing::RunCli(std::move(args), warehouse ? wh_ : std::string());
  }
  static constexpr int kRowsPerInsert = 400;
  test_util::TempDir tmp_{"crash"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string wh_;
};

// The writer reports its own progress through a pipe: 'S' before each insert, 'D' after it returned
// success. After the kill the parent drains the pipe, so it knows whether the kill landed inside an
// insert (the last byte is 'S') and how many inserts completed. Then, every round:
//  - the table verifies and holds a whole number of inserts (an insert is one atomic commit);
//  - that number is the count of completed inserts, or one more (killed after its commit, before
//    'D'); exactly the count when the kill landed between inserts;
//  - the row count never shrinks from one round to the next;
// and over all rounds most kills landed inside an insert (else the test killed nothing that mattered).
// Planted bug this caught: TableWriter::Append committing each finished file on its own
// (scripts/mutate.sh, table-writer-commits-each-file): a kill between two files of one insert leaves
// a partial insert visible.
TEST_F(CliCrashTest, SigkillAtRandomMomentsNeverLeavesAHalfCommit) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "32", "--model", "hash-32@seed0", "--target-file-rows", "150"}).code, 0);
  std::mt19937 rng(12345);
  const int kRounds = 20;
  int kills_mid_insert = 0;
  int64_t completed = 0, prev_rows = 0;
  for (int round = 0; round < kRounds; ++round) {
    int progress[2];
    ASSERT_EQ(pipe(progress), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(progress[0]);
      for (;;) {
        if (write(progress[1], "S", 1) != 1) _exit(4);
        Out r = Cli({"insert", "t", (dir_ / "rows.jsonl").string(), "--embedder", "hash:dim=32", "--mode", "append", "--generate-ids"});
        if (r.code != 0) _exit(3);
        if (write(progress[1], "D", 1) != 1) _exit(4);
      }
    }
    close(progress[1]);
    // Wait (on the pipe) until the writer has started its first insert of this round.
    char c = 0;
    ASSERT_EQ(read(progress[0], &c, 1), 1);
    ASSERT_EQ(c, 'S');
    // The kill moment is the fault being injected (not synchronisation): anywhere in 0..250 ms.
    usleep(std::uniform_int_distribution<int>(0, 250000)(rng));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer exited by itself (status " << status << ")";
    char last = c;
    while (read(progress[0], &c, 1) == 1) {
      if (c == 'D') ++completed;
      last = c;
    }
    close(progress[0]);
    const bool mid_insert = last == 'S';
    kills_mid_insert += mid_insert ? 1 : 0;
    auto v = Cli({"verify", "t", "--format", "json"});
    ASSERT_EQ(v.code, 0) << "round " << round << ": " << v.out << v.err;
    auto j = nlohmann::json::parse(v.out);
    EXPECT_TRUE(j["ok"]);
    const int64_t rows = j["rows"].get<int64_t>();
    EXPECT_EQ(rows % kRowsPerInsert, 0) << "round " << round << ": a partial insert is visible";
    const int64_t inserts = rows / kRowsPerInsert;
    if (mid_insert) {
      EXPECT_TRUE(inserts == completed || inserts == completed + 1)
          << "round " << round << ": " << inserts << " inserts visible, " << completed << " completed";
      completed = inserts;  // a commit that landed before the kill counts from now on
    } else {
      EXPECT_EQ(inserts, completed) << "round " << round << ": killed between inserts";
    }
    EXPECT_GE(rows, prev_rows) << "round " << round << ": the table lost rows";
    prev_rows = rows;
  }
  EXPECT_GE(kills_mid_insert, kRounds / 2) << "most kills must land inside an insert, or the test proves little";
  std::printf("[          ] %d of %d kills landed mid-insert; %lld inserts visible\n", kills_mid_insert, kRounds,
              static_cast<long long>(prev_rows / kRowsPerInsert));
  // The table still takes writes after all that.
  ASSERT_EQ(Cli({"insert", "t", (dir_ / "rows.jsonl").string(), "--embedder", "hash:dim=32", "--mode", "append", "--generate-ids"}).code, 0);
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
}

TEST_F(CliCrashTest, RollbackAndVerifyFindsDamage) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "32", "--model", "hash-32@seed0"}).code, 0);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Cli({"insert", "t", (dir_ / "rows.jsonl").string(), "--embedder", "hash:dim=32", "--mode", "append", "--generate-ids"}).code, 0);
  }
  auto hist = nlohmann::json::parse(Cli({"history", "t", "--format", "json"}).out);
  ASSERT_EQ(hist.size(), 2u);
  const std::string first = std::to_string(hist[0]["snapshot_id"].get<int64_t>());
  ASSERT_EQ(Cli({"rollback", "t", "--to", first}).code, 0);
  auto info = nlohmann::json::parse(Cli({"info", "t", "--format", "json"}).out);
  EXPECT_EQ(info["rows"], kRowsPerInsert);
  EXPECT_EQ(std::to_string(info["current_snapshot_id"].get<int64_t>()), first);
  EXPECT_EQ(Cli({"rollback", "t", "--to", "42"}).code, 1);
  EXPECT_EQ(Cli({"rollback", "t"}).code, 2);
  ASSERT_EQ(Cli({"verify", "t"}).code, 0);
  // Damage every data file's AILK section (CRC-protected; after the rollback only one file is live,
  // and directory order must not decide which one this test damages): verify reports it, exits 1.
  std::vector<std::pair<std::string, long>> targets;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(wh_) / "default/t/data")) {
    auto inspect = nlohmann::json::parse(Cli({"inspect", e.path().string(), "--format", "json"}, false).out);
    targets.push_back({e.path().string(), inspect["ailk_sections"][0]["section_offset"].get<long>() + 100});
  }
  ASSERT_EQ(targets.size(), 2u);
  auto flip = [&](const std::string& path, long at) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(at);
    char c;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x55);
    f.seekp(at);
    f.write(&c, 1);
  };
  for (const auto& [path, at] : targets) flip(path, at);
  auto bad = Cli({"verify", "t"});
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("PROBLEM"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("checksum"), std::string::npos) << bad.out;
  for (const auto& [path, at] : targets) flip(path, at);  // undo
  ASSERT_EQ(Cli({"verify", "t"}).code, 0);
  // A truncated file no longer matches its manifest.
  for (const auto& [path, at] : targets) std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
  auto cut = Cli({"verify", "t"});
  EXPECT_EQ(cut.code, 1);
  EXPECT_NE(cut.out.find("differs from the manifest"), std::string::npos) << cut.out;
  // Rewriters size-check their sources as readers do: a migration or compaction never bakes the
  // rows of a swapped or damaged file into a new one.
  auto mig = Cli({"migrate", "t", "--embedder", "hash:dim=8", "--new-model", "hash-8@seed0", "--quiet"});
  EXPECT_EQ(mig.code, 1) << mig.out;
  EXPECT_NE(mig.err.find("differs from the manifest"), std::string::npos) << mig.err;
  ASSERT_EQ(Cli({"migrate", "abort", "t"}).code, 0);
  auto compact = Cli({"compact", "t", "--target-file-rows", "100000"});
  EXPECT_EQ(compact.code, 1) << compact.out;
  EXPECT_NE(compact.err.find("differs from the manifest"), std::string::npos) << compact.err;
}

}  // namespace
}  // namespace ailake::cli
