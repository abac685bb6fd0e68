// `ailake compact` as separate processes: races against delete, migrate (atomic-replace), expire and
// another compact, and SIGKILL at random instants.
//
// Races: each round forks the racers (each runs cli::Run in its own process, with its own catalog
// objects), releases them together through a pipe barrier (they block reading a pipe the parent
// closes), and waits for them. After every round: every committed row is live exactly once, deleted
// rows never come back, `verify` passes. Across the rounds, the compactions must have met conflicts
// (a commit retried with carried deletes, or a re-plan) at least once: otherwise the race proved
// nothing. Rounds: 50 per race (AILAKE_SOAK=1: 500).
//
// Kills: a child runs `compact` with its progress lines going to a pipe; the parent reads up to a
// randomly chosen line, then waits a random few hundred microseconds (the injected fault: the kill
// time, not synchronisation) and SIGKILLs it. A kill counts as mid-operation when the child had
// printed its plan but not "committed". After each kill: the table is at its previous snapshot or
// at the compaction's, verify passes, every row is live once, deleted rows stay deleted, every
// object under data/ is a complete file (half-written outputs are never published), and a fresh
// compact finishes the job. At least 20 kills must land mid-operation.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <streambuf>

#include "cli/cli.h"
#include "embed/hash_embedder.h"
#include "file/file_reader.h"
#include "iceberg/snapshot_files.h"
#include "migrate/migrate_test_util.h"
#include "table/maintenance.h"
#include "table/table_delete.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using migrate::testing::AppendRows;
using migrate::testing::RowText;
using migrate::testing::TestWarehouse;

int Rounds(int normal) { return std::getenv("AILAKE_SOAK") ? normal * 10 : normal; }

// An unbuffered std::ostream over a file descriptor (a child's progress lines reach the parent as
// they are written, so a kill cannot lose them in a buffer).
class FdBuf : public std::streambuf {
 public:
  explicit FdBuf(int fd) : fd_(fd) {}

 protected:
  int overflow(int c) override {
    if (c == EOF) return 0;
    char ch = static_cast<char>(c);
    return ::write(fd_, &ch, 1) == 1 ? c : EOF;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::streamsize done = 0;
    while (done < n) {
      ssize_t w = ::write(fd_, s + done, static_cast<size_t>(n - done));
      if (w <= 0) break;
      done += w;
    }
    return done;
  }

 private:
  int fd_;
};

// Reads one line from fd (without the newline); false at EOF.
bool ReadLine(int fd, std::string* line);

struct RacerResult {
  int exit_code = -1;
  std::string out;
};

class CliCompactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wh_.ok());
    embedder_ = std::make_unique<embed::HashEmbedder>(8, 0);
  }

  std::vector<std::string> WithWh(std::vector<std::string> args) {
    args.push_back("--warehouse");
    args.push_back(wh_.dir());
    return args;
  }

  void MakeTable(const std::string& name) {
    table::TableOptions o;
    o.model = embedder_->model();
    auto t = table::Table::Create(wh_.catalog(), *catalog::TableIdent::Parse(name), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }

  // Runs each argv in its own forked process, all released at once; returns their exit codes and
  // stdout (written to a file by the child, read after it exited).
  std::vector<RacerResult> Race(const std::vector<std::vector<std::string>>& racers) {
    int barrier[2];
    EXPECT_EQ(pipe(barrier), 0);
    std::vector<pid_t> pids;
    std::vector<std::string> outs;
    for (size_t i = 0; i < racers.size(); ++i) {
      outs.push_back(wh_.dir() + "/racer-" + std::to_string(i) + ".out");
      pid_t pid = fork();
      if (pid == 0) {
        close(barrier[1]);
        char c;
        while (read(barrier[0], &c, 1) > 0) {
        }  // EOF: the parent closed the write end, everyone goes
        std::ostringstream o, e;
        int rc = cli::Run(racers[i], o, e);
        std::ofstream(outs[i]) << o.str() << e.str();
        _exit(rc);
      }
      pids.push_back(pid);
    }
    close(barrier[0]);
    close(barrier[1]);
    std::vector<RacerResult> results;
    for (size_t i = 0; i < pids.size(); ++i) {
      int st = 0;
      EXPECT_EQ(waitpid(pids[i], &st, 0), pids[i]);
      RacerResult r;
      r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      std::ifstream in(outs[i]);
      std::stringstream ss;
      ss << in.rdbuf();
      r.out = ss.str();
      results.push_back(std::move(r));
    }
    return results;
  }

  // A `compact` child whose progress lines (stderr) reach the parent through a pipe as written.
  struct CompactChild {
    pid_t pid = -1;
    int fd = -1;
    std::vector<std::string> lines;
    // Reads until `k` lines in all have arrived (or the pipe ends).
    void ReadUpTo(int k) {
      std::string line;
      while (static_cast<int>(lines.size()) < k && ReadLine(fd, &line)) lines.push_back(line);
    }
    // After the child exited: the rest of its lines; closes the pipe.
    void ReadRest() {
      std::string line;
      while (ReadLine(fd, &line)) lines.push_back(line);
      close(fd);
    }
    bool Printed(const std::string& prefix) const {
      for (const auto& l : lines) {
        if (l.rfind(prefix, 0) == 0) return true;
      }
      return false;
    }
    bool Planned() const { return Printed("compact: planned"); }
    bool Committed() const { return Printed("compact: committed"); }
  };
  CompactChild StartCompact(const std::string& name, int target_file_rows) {
    int progress[2];
    EXPECT_EQ(pipe(progress), 0);
    CompactChild c;
    c.pid = fork();
    if (c.pid == 0) {
      close(progress[0]);
      FdBuf buf(progress[1]);
      std::ostream err(&buf);
      std::ostringstream out;
      _exit(cli::Run(WithWh({"compact", name, "--target-file-rows", std::to_string(target_file_rows)}), out, err));
    }
    close(progress[1]);
    c.fd = progress[0];
    return c;
  }

  // Every data and delete file of every snapshot the table still has exists in the store.
  void ExpectRetainedFilesExist(const std::string& where) {
    Store& store = table_->catalog().store();
    for (const auto& snap : table_->metadata().snapshots) {
      auto files = iceberg::ReadSnapshotFiles(store, table_->locations(), &snap);
      ASSERT_TRUE(files.ok()) << where << ", snapshot " << snap.snapshot_id << ": " << files.status().ToString();
      for (const auto* list : {&files->data_files, &files->delete_files}) {
        for (const auto& e : *list) {
          auto key = table_->locations().KeyOf(e.file.file_path);
          ASSERT_TRUE(key.ok());
          auto there = store.Exists(*key);
          ASSERT_TRUE(there.ok() && *there) << where << ": " << e.file.file_path << " of retained snapshot "
                                           << snap.snapshot_id << " was deleted";
        }
      }
    }
  }

  // The compaction's JSON line from a racer's output; counts its conflicts into conflicts_.
  void CountConflicts(const RacerResult& r) {
    const auto nl = r.out.find('\n');
    auto j = json::parse(r.out.substr(0, nl), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    if (j["replans"].get<int>() > 0 || j["commit_attempts"].get<int>() > 1) ++conflicts_;
  }

  // Every id in `ids` live exactly once with its text; verify passes.
  void ExpectTable(table::Table& t, const std::set<int64_t>& ids, const std::string& where) {
    auto rows = migrate::testing::ScanTable(t, "");
    ASSERT_TRUE(rows.ok()) << where << ": " << rows.status().ToString();
    ASSERT_EQ(rows->size(), ids.size()) << where;
    for (int64_t i : ids) {
      auto it = rows->find("r" + std::to_string(i));
      ASSERT_NE(it, rows->end()) << where << ": r" << i << " is missing";
      ASSERT_EQ(it->second.text, RowText(i)) << where;
    }
    auto v = table::VerifyTable(t, table::VerifyOptions{.deep = true});
    ASSERT_TRUE(v.ok()) << where << ": " << v.status().ToString();
    ASSERT_TRUE(v->problems.empty()) << where << ": " << v->problems.front();
  }

  TestWarehouse wh_;
  std::unique_ptr<embed::HashEmbedder> embedder_;
  std::unique_ptr<table::Table> table_;
  int conflicts_ = 0;
};

// Compact vs delete: each round makes a table of four one-row files and races a compaction with a
// delete of one row. Planted bug: with the carried deletes not written (the loop over `carried` in
// table/compact.cc skipped), the deleted row came back in the first round (4 live rows, expected 3).
TEST_F(CliCompactTest, RaceWithDelete) {
  std::mt19937 rng(7);
  const int rounds = Rounds(50);
  for (int round = 0; round < rounds; ++round) {
    // A fresh tiny table per round keeps every commit cheap (metadata grows with each snapshot).
    const std::string name = "d" + std::to_string(round);
    MakeTable(name);
    std::set<int64_t> ids;
    for (int64_t k = 0; k < 4; ++k) {
      ASSERT_TRUE(AppendRows(*table_, *embedder_, k, 1, 0).ok());
      ids.insert(k);
    }
    const int64_t gone = static_cast<int64_t>(rng() % ids.size());
    auto res = Race({WithWh({"compact", name, "--format", "json", "--quiet"}),
                     WithWh({"delete", name, "--where", "id = 'r" + std::to_string(gone) + "'"})});
    ASSERT_EQ(res[0].exit_code, 0) << "round " << round << ": " << res[0].out;
    ASSERT_EQ(res[1].exit_code, 0) << "round " << round << ": " << res[1].out;
    CountConflicts(res[0]);
    ids.erase(gone);
    ExpectTable(*table_, ids, "round " + std::to_string(round));
    if (HasFatalFailure()) return;
  }
  std::cout << "[ compact ] compact vs delete: " << conflicts_ << " of " << rounds << " compactions met a conflict\n";
  EXPECT_GT(conflicts_, 0);
}

// Compact vs compact: both plan on the same files; one commits, the other re-plans (and then has
// at most the winner's file plus nothing to merge it with).
TEST_F(CliCompactTest, RaceWithCompact) {
  const int rounds = Rounds(50);
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "c" + std::to_string(round);
    MakeTable(name);
    std::set<int64_t> ids;
    for (int64_t k = 0; k < 4; ++k) {
      ASSERT_TRUE(AppendRows(*table_, *embedder_, k, 1, 0).ok());
      ids.insert(k);
    }
    auto res = Race({WithWh({"compact", name, "--format", "json", "--quiet"}),
                     WithWh({"compact", name, "--format", "json", "--quiet"})});
    for (const auto& r : res) {
      ASSERT_EQ(r.exit_code, 0) << "round " << round << ": " << r.out;
      CountConflicts(r);
    }
    ExpectTable(*table_, ids, "round " + std::to_string(round));
    if (HasFatalFailure()) return;
    auto files = migrate::testing::DataFilePaths(*table_);
    ASSERT_TRUE(files.ok());
    EXPECT_EQ(files->size(), 1u) << "round " << round;
  }
  std::cout << "[ compact ] compact vs compact: " << conflicts_ << " of " << 2 * rounds
            << " compactions met a conflict\n";
  EXPECT_GT(conflicts_, 0);
}

// Compact vs an atomic-replace migration of a small table (a new table per round): both finish;
// every row is live once, on the new model.
TEST_F(CliCompactTest, RaceWithMigrate) {
  const int rounds = Rounds(50);
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "m" + std::to_string(round);
    MakeTable(name);
    std::set<int64_t> ids;
    for (int k = 0; k < 6; ++k) {
      ASSERT_TRUE(AppendRows(*table_, *embedder_, 2 * k, 2, 0).ok());
      ids.insert(2 * k);
      ids.insert(2 * k + 1);
    }
    auto res = Race({WithWh({"compact", name, "--format", "json", "--quiet"}),
                     WithWh({"migrate", name, "--embedder", "hash:dim=8,seed=1", "--new-model", "hash-8@seed1",
                             "--quiet"})});
    ASSERT_EQ(res[0].exit_code, 0) << "round " << round << ": " << res[0].out;
    ASSERT_EQ(res[1].exit_code, 0) << "round " << round << ": " << res[1].out;
    CountConflicts(res[0]);
    ExpectTable(*table_, ids, "round " + std::to_string(round));
    if (HasFatalFailure()) return;
    ASSERT_EQ(table_->vectors().model.Id(), "hash-8@seed1");
    auto files = migrate::testing::CurrentFiles(*table_);
    ASSERT_TRUE(files.ok());
    for (const auto& e : files->data_files) {
      const auto& stats = files->vector_stats.at(e.file.file_path);
      EXPECT_EQ(stats.at(0).model + "@" + stats.at(0).model_version, "hash-8@seed1") << e.file.file_path;
    }
  }
  std::cout << "[ compact ] compact vs migrate: " << conflicts_ << " of " << rounds << " compactions met a conflict\n";
  EXPECT_GT(conflicts_, 0);
}

// Compact vs expire (--older-than now --retain-last 1, default orphan grace): each round a compact
// child reports its steps on a pipe; after a random step (the plan, an output written, "committing")
// the parent freezes it (SIGSTOP: the injected fault is the pause, not synchronisation), runs a whole
// expire in that window, and lets the compaction go on (SIGCONT). So every round interleaves: expire
// plans and commits between the compaction's plan and its commit. Afterwards the compaction has
// finished, every row is live once, verify passes, and every file of every retained snapshot (data
// and delete files) still exists. Planted bug: expire ignoring the orphan grace period
// (orphans_older_than_ms forced to now in table/expire.cc) deleted the frozen compaction's written
// outputs (orphan cutoff forced to now + 1 s in table/expire.cc): the first round's table could not be
// read (its current snapshot names a deleted file).
TEST_F(CliCompactTest, RaceWithExpire) {
  std::mt19937 rng(11);
  const int rounds = Rounds(50);
  int windows = 0, expired_any = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "e" + std::to_string(round);
    MakeTable(name);
    std::set<int64_t> ids;
    for (int64_t k = 0; k < 6; ++k) {
      ASSERT_TRUE(AppendRows(*table_, *embedder_, 2 * k, 2, 0).ok());
      ids.insert(2 * k);
      ids.insert(2 * k + 1);
    }
    const int64_t gone = static_cast<int64_t>(rng() % 12);
    ASSERT_TRUE(table::DeleteWhere(*table_, "id = 'r" + std::to_string(gone) + "'").ok());
    ids.erase(gone);

    CompactChild child = StartCompact(name, 4);
    const int k = 1 + static_cast<int>(rng() % 5);  // 11 live rows -> 3 outputs: plan, 3 outputs, committing
    child.ReadUpTo(k);
    ASSERT_EQ(kill(child.pid, SIGSTOP), 0);
    const bool in_window = child.Planned() && !child.Committed();
    std::ostringstream eo, ee;
    const int erc = cli::Run(WithWh({"expire", name, "--older-than", "now", "--retain-last", "1", "--format", "json"}), eo, ee);
    ASSERT_EQ(kill(child.pid, SIGCONT), 0);
    int st = 0;
    ASSERT_EQ(waitpid(child.pid, &st, 0), child.pid);
    child.ReadRest();
    const std::string where = "round " + std::to_string(round) + " (expire after line " + std::to_string(k) + ")";
    ASSERT_EQ(erc, 0) << where << ": " << ee.str();
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << where << ": compact failed";
    if (in_window) ++windows;
    auto ex = json::parse(eo.str(), nullptr, false);
    ASSERT_FALSE(ex.is_discarded()) << eo.str();
    if (!ex["expired_snapshots"].empty()) ++expired_any;
    ASSERT_TRUE(table_->Refresh().ok());
    ASSERT_EQ(table_->metadata().CurrentSnapshot()->summary.at("operation"), "replace") << where;
    ExpectTable(*table_, ids, where);
    if (HasFatalFailure()) return;
    ExpectRetainedFilesExist(where);
    if (HasFatalFailure()) return;
  }
  std::cout << "[ compact ] compact vs expire: " << windows << " of " << rounds
            << " expires ran between the compaction's plan and its commit, " << expired_any << " removed snapshots\n";
  EXPECT_GE(windows, rounds / 2);
  EXPECT_GT(expired_any, 0);
}

// Reads one line from fd (without the newline); false at EOF.
bool ReadLine(int fd, std::string* line) {
  line->clear();
  char c;
  while (true) {
    ssize_t n = read(fd, &c, 1);
    if (n <= 0) return !line->empty();
    if (c == '\n') return true;
    line->push_back(c);
  }
}

TEST_F(CliCompactTest, KilledAtRandomInstants) {
  constexpr int kMinMidKills = 20;
  const int max_rounds = Rounds(100);
  std::mt19937 rng(20261202);
  int mid_kills = 0, after_commit = 0, rounds = 0, temp_leftovers = 0, at_next = 0;
  for (int round = 0; round < max_rounds && mid_kills < kMinMidKills * (std::getenv("AILAKE_SOAK") ? 10 : 1); ++round) {
    ++rounds;
    const std::string name = "k" + std::to_string(round);
    MakeTable(name);
    // 12 files of 4 rows, 3 rows deleted: 45 live rows -> 3 outputs of at most 16 rows.
    std::set<int64_t> ids;
    for (int k = 0; k < 12; ++k) {
      ASSERT_TRUE(AppendRows(*table_, *embedder_, 4 * k, 4, 0).ok());
      for (int i = 0; i < 4; ++i) ids.insert(4 * k + i);
    }
    ASSERT_TRUE(table::DeleteWhere(*table_, "id IN ('r1', 'r22', 'r47')").ok());
    for (int64_t i : {1, 22, 47}) ids.erase(i);
    const int64_t before = migrate::testing::CurrentSnapshotId(*table_);

    CompactChild child = StartCompact(name, 16);
    // Kill after line k (1 = the plan, 2-4 = outputs written, 5 = committing) plus 0-600 us
    // (0-5000 us after "committing", so that some kills land around the catalog's publish).
    const int k = 1 + static_cast<int>(rng() % 5);
    const int extra_us = static_cast<int>(rng() % (k == 5 ? 5000 : 600));
    child.ReadUpTo(k);
    usleep(static_cast<useconds_t>(extra_us));
    kill(child.pid, SIGKILL);
    int st = 0;
    ASSERT_EQ(waitpid(child.pid, &st, 0), child.pid);
    child.ReadRest();
    const bool planned = child.Planned(), committed = child.Committed();
    if (WIFSIGNALED(st) && planned && !committed) ++mid_kills;
    if (committed) ++after_commit;

    const std::string where = "round " + std::to_string(round) + " (after line " + std::to_string(k) + " + " +
                              std::to_string(extra_us) + " us)";
    // Previous or next snapshot, nothing else.
    const int64_t now = migrate::testing::CurrentSnapshotId(*table_);
    if (now != before) {
      ++at_next;
      const iceberg::Snapshot* s = table_->metadata().CurrentSnapshot();
      ASSERT_EQ(s->parent_snapshot_id.value_or(0), before) << where;
      ASSERT_EQ(s->summary.at("operation"), "replace") << where;
      ASSERT_TRUE(committed || WIFSIGNALED(st)) << where;
    } else {
      ASSERT_FALSE(committed) << where << ": the child printed 'committed' but the table did not move";
    }
    ExpectTable(*table_, ids, where);
    if (HasFatalFailure()) return;
    // Every published object under data/ is a complete file; the store's in-flight temporaries
    // (never listed, never addressable) are counted.
    const fs::path data = fs::path(wh_.dir()) / "default" / name / "data";
    for (const auto& e : fs::directory_iterator(data)) {
      const std::string fname = e.path().filename().string();
      if (fname.rfind(".ailake-tmp-", 0) == 0) {
        ++temp_leftovers;
        continue;
      }
      auto reader = file::AiLakeFileReader::OpenPath(e.path().string());
      ASSERT_TRUE(reader.ok()) << where << ": " << fname << ": " << reader.status().ToString();
    }
    // A fresh run finishes the job.
    std::ostringstream o, e;
    ASSERT_EQ(cli::Run(WithWh({"compact", name, "--target-file-rows", "16", "--quiet"}), o, e), 0) << e.str();
    ExpectTable(*table_, ids, where + ", then compacted again");
    if (HasFatalFailure()) return;
    auto files = migrate::testing::CurrentFiles(*table_);
    ASSERT_TRUE(files.ok());
    EXPECT_EQ(files->data_files.size(), 3u) << where;
    EXPECT_EQ(files->delete_files.size(), 0u) << where;
  }
  std::cout << "[ compact ] " << rounds << " kill rounds: " << mid_kills << " landed mid-operation, " << after_commit
            << " after the commit; the table was at the compaction's snapshot after " << at_next << " and at the previous one after the others; "
            << temp_leftovers << " unpublished temporary file(s) left for orphan cleanup\n";
  EXPECT_GE(mid_kills, kMinMidKills);
}

}  // namespace
}  // namespace ailake::cli
