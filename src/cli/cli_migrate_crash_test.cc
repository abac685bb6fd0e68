// `ailake migrate` killed with SIGKILL at random moments, for each strategy, then resumed.
//
// A table of 2000 rows in 10 files is migrated by a `command:` embedder (tests/embedders/
// logging_worker.py, which logs every text it is asked to embed) in batches of 20 texts with 2
// calls in flight. Each round forks a child that runs `cli::Run({"migrate", ...})` (or `migrate
// resume --embedder ...`) and SIGKILLs it after a random delay drawn from a seeded RNG over the
// length of one uninterrupted run (the delay is the injected fault, not synchronisation). After
// every kill the parent checks that the table loads, `verify` passes, every id is live exactly once,
// and `migrate status` works; that no text of a task that was finished before the round started was
// sent to the embedder during the round; and the per-batch crash safety (batch_checkpoint.h):
//   kept(k)   = texts of finished tasks + texts in the job's checkpoint segments after kill k
//   unkept(k) = texts sent so far that are not kept
// every kill loses at most batch x concurrency = 40 texts (|unkept(k) \ unkept(k-1)| <= 40), and a
// resumed run sends again only texts that were unkept. A kill counts as "mid-task" when, after it,
// a task without a record has checkpoint segments (the process's own progress, read back from
// the warehouse). A campaign ends when a round completes the job; its result must equal an
// uninterrupted run on an identical table, and the job's staging folder must hold only live
// (published) files; in-flight temp files are the subject of KilledTaskLeavesNoTempFileInStaging.
// Campaigns repeat (from a pristine copy of the table) until at least 20 mid-task kills landed. A
// separate scenario aborts after a kill.
//
// The test process makes itself a child subreaper, so the worker processes orphaned by a kill are
// re-parented to it and reaped (blocking waitpid) before the worker log is read or truncated.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "migrate/migrate_test_util.h"
#include "table/table.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using Out = testing::CliOut;

constexpr int kRows = 2000;
constexpr int kNewDim = 24;
constexpr const char* kNewModel = "logw-24@v1";
constexpr int kMinKills = 20;
constexpr int kBatch = 20;
constexpr int kConcurrency = 2;

// The logging worker's vector for `text` (see tests/embedders/logging_worker.py).
std::vector<float> WorkerVec(const std::string& text, size_t dim) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::vector<float> v;
  for (size_t j = 0; j < dim; ++j) {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    v.push_back(static_cast<float>(static_cast<double>(h >> 40) / static_cast<double>(1 << 23) - 1.0));
  }
  return v;
}

std::string RowText(int i) {
  static const char* kTopics[] = {"comet orbit telescope", "garlic butter oven", "router packet latency", "harbor tide keel"};
  return std::string(kTopics[i % 4]) + " chunk " + std::to_string(i) + " of the crash corpus";
}

std::string PathOfLocation(const std::string& location) {
  const std::string scheme = "file://";
  return location.rfind(scheme, 0) == 0 ? location.substr(scheme.size()) : location;
}

class CliMigrateCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_ / "wh").string();
    log_ = (dir_ / "worker.log").string();
    std::string jsonl;
    for (int i = 0; i < kRows; ++i) {
      jsonl += json({{"id", "r" + std::to_string(i)}, {"chunk_text", RowText(i)}}).dump() + "\n";
    }
    std::ofstream(dir_ / "rows.jsonl") << jsonl;
    // Orphaned embedder workers of a killed child become our children, so we can reap them.
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  }
  void TearDown() override {
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
  }

  Out Cli(std::vector<std::string> args, const std::string& wh) { return testing::RunCli(std::move(args), wh); }
  Out Cli(std::vector<std::string> args) { return Cli(std::move(args), wh_); }

  std::string Embedder(const std::string& log) const {
    return "command:" + std::string(AILAKE_SOURCE_DIR) + "/tests/embedders/logging_worker.py log=" + log +
           " dim=" + std::to_string(kNewDim);
  }
  std::vector<std::string> MigrateArgs(const std::string& strategy, const std::string& log) const {
    return {"migrate", "t", "--embedder", Embedder(log), "--new-model", kNewModel, "--strategy", strategy,
            "--batch-size", std::to_string(kBatch), "--concurrency", std::to_string(kConcurrency), "--quiet"};
  }
  std::vector<std::string> ResumeArgs() const { return {"migrate", "resume", "t", "--embedder", Embedder(log_), "--quiet"}; }

  // Texts held by the job's checkpoint segments (layout in migrate/batch_checkpoint.h), per task id.
  std::map<std::string, std::set<std::string>> SegmentTexts(const std::string& job) {
    std::map<uint64_t, std::string> by_hash;
    for (int i = 0; i < kRows; ++i) {
      uint64_t h = 14695981039346656037ull;
      for (unsigned char c : RowText(i)) {
        h ^= c;
        h *= 1099511628211ull;
      }
      by_hash[h] = RowText(i);
    }
    std::map<std::string, std::set<std::string>> out;
    const fs::path staging = fs::path(wh_) / "default/t/data" / ("migrate-" + job);
    if (!fs::exists(staging)) return out;
    for (const auto& e : fs::directory_iterator(staging)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("ckpt-", 0) != 0 || !name.ends_with(".seg")) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_GE(b.size(), 60u) << name;
      if (b.size() < 60) continue;
      uint32_t n = 0;
      std::memcpy(&n, b.data() + 16, 4);
      EXPECT_EQ(b.size(), 56 + n * (16 + 4ull * kNewDim) + 4) << name;
      if (b.size() != 56 + n * (16 + 4ull * kNewDim) + 4) continue;
      auto& texts = out[name.substr(5, 16)];
      for (uint32_t i = 0; i < n; ++i) {
        uint64_t h = 0;
        std::memcpy(&h, b.data() + 56 + 8ull * n + 8ull * i, 8);
        auto it = by_hash.find(h);
        EXPECT_NE(it, by_hash.end()) << name << ": a hash of no corpus text";
        if (it != by_hash.end()) texts.insert(it->second);
      }
    }
    return out;
  }
  static bool IsCorpusText(const std::string& t) { return t.find(" of the crash corpus") != std::string::npos; }

  void MakeTable(const std::string& wh) {
    ASSERT_EQ(Cli({"create", "t", "--dim", "32", "--model", "hash-32@seed0", "--target-file-rows", "200"}, wh).code, 0);
    auto ins = Cli({"insert", "t", (dir_ / "rows.jsonl").string(), "--embedder", "hash:dim=32,seed=0"}, wh);
    ASSERT_EQ(ins.code, 0) << ins.err;
    auto info = json::parse(Cli({"info", "t", "--format", "json"}, wh).out);
    ASSERT_EQ(info["rows"], kRows);
    ASSERT_EQ(info["data_files"], 10);
  }

  // Reaps every child (the killed CLI child's orphaned workers included); blocks until all exited.
  static void ReapAll() {
    int st = 0;
    while (waitpid(-1, &st, 0) > 0) {
    }
  }

  // Forks a child running `args`; kills it after `delay_us` (SIGKILL). Returns true when the kill
  // landed (the child did not exit by itself), and reaps the child and its workers.
  bool RunAndKill(const std::vector<std::string>& args, int delay_us, int* exit_code) {
    pid_t pid = fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork failed";
      return false;
    }
    if (pid == 0) {
      std::ostringstream o, e;
      int rc = cli::Run(args, o, e);
      _exit(rc);
    }
    usleep(static_cast<useconds_t>(delay_us));
    kill(pid, SIGKILL);
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    ReapAll();
    if (WIFSIGNALED(status)) return true;
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }

  std::vector<std::string> ReadLog() {
    std::vector<std::string> out;
    std::ifstream in(log_);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) out.push_back(json::parse(line).get<std::string>());
    }
    return out;
  }
  void TruncateLog() { std::ofstream(log_, std::ios::trunc).close(); }

  // Texts of a source data file, through `ailake cat`.
  const std::set<std::string>& TextsOf(const std::string& location) {
    auto it = texts_.find(location);
    if (it != texts_.end()) return it->second;
    auto r = Cli({"cat", PathOfLocation(location), "--columns", "chunk_text"}, "");
    EXPECT_EQ(r.code, 0) << r.err;
    std::set<std::string> s;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) s.insert(json::parse(line)["chunk_text"].get<std::string>());
    EXPECT_FALSE(s.empty()) << location;
    return texts_[location] = std::move(s);
  }

  // The table's live rows through the library (every id at most once, else Corruption).
  Result<std::map<std::string, migrate::testing::ScannedRow>> Scan(const std::string& wh, const std::string& column) {
    AILAKE_ASSIGN_OR_RETURN(auto cat, catalog::OpenCatalog("fs", wh));
    AILAKE_ASSIGN_OR_RETURN(auto ident, catalog::TableIdent::Parse("t"));
    AILAKE_ASSIGN_OR_RETURN(auto t, table::Table::Open(*cat, ident));
    return migrate::testing::ScanTable(*t, column);
  }

  // Every original row is live exactly once with its text.
  void ExpectAllRows(const std::string& where) {
    auto rows = Scan(wh_, "");
    ASSERT_TRUE(rows.ok()) << where << ": " << rows.status().ToString();
    ASSERT_EQ(rows->size(), static_cast<size_t>(kRows)) << where;
    for (int i = 0; i < kRows; ++i) {
      auto it = rows->find("r" + std::to_string(i));
      ASSERT_NE(it, rows->end()) << where << ": row r" << i << " is missing";
      ASSERT_EQ(it->second.text, RowText(i)) << where;
    }
  }

  // Live data files of the current snapshot, as local paths.
  std::set<std::string> LivePaths(const std::string& wh) {
    std::set<std::string> out;
    auto cat = catalog::OpenCatalog("fs", wh);
    EXPECT_TRUE(cat.ok());
    if (!cat.ok()) return out;
    auto t = table::Table::Open(**cat, *catalog::TableIdent::Parse("t"));
    EXPECT_TRUE(t.ok());
    if (!t.ok()) return out;
    auto files = iceberg::ReadSnapshotFiles((*cat)->store(), (*t)->locations(), (*t)->metadata().CurrentSnapshot());
    EXPECT_TRUE(files.ok());
    if (!files.ok()) return out;
    for (const auto* list : {&files->data_files, &files->delete_files}) {
      for (const auto& e : *list) out.insert(fs::weakly_canonical(PathOfLocation(e.file.file_path)).string());
    }
    return out;
  }

  // The objects in the job's staging folder that are not live. In-flight temp files of the local
  // store (".ailake-tmp-*", never listed by the store) are counted in *temp_files instead.
  std::vector<std::string> StagedNotLive(const std::string& wh, const std::string& job, size_t* temp_files) {
    std::vector<std::string> out;
    *temp_files = 0;
    const fs::path staging = fs::path(wh) / "default/t/data" / ("migrate-" + job);
    if (!fs::exists(staging)) return out;
    const auto live = LivePaths(wh);
    for (const auto& e : fs::recursive_directory_iterator(staging)) {
      if (!e.is_regular_file()) continue;
      if (e.path().filename().string().rfind(".ailake-tmp-", 0) == 0) {
        ++*temp_files;
        continue;
      }
      if (!live.count(fs::weakly_canonical(e.path()).string())) out.push_back(e.path().string());
    }
    return out;
  }

  json Status() {
    auto st = Cli({"migrate", "status", "t", "--format", "json"});
    EXPECT_EQ(st.code, 0) << st.err;
    return json::parse(st.out, nullptr, false);
  }

  // Texts of every task recorded as finished or committed.
  std::set<std::string> FinishedTexts(const json& status) {
    std::set<std::string> out;
    if (!status.value("running", false)) return out;
    for (const auto& t : status["tasks"]) {
      if (t["state"] == "pending") continue;
      const auto& s = TextsOf(t["source"].get<std::string>());
      out.insert(s.begin(), s.end());
    }
    return out;
  }

  // The final table equals the reference run: ids, texts, vectors, properties, schema.
  // `new_column_id_differs`: the table had an aborted job before, whose plan took the next field id
  // (Iceberg never reuses a field id), so the new column's id is one higher than the reference's.
  void ExpectEqualsReference(const std::string& ref_wh, const std::string& where, bool new_column_id_differs = false) {
    auto got = Scan(wh_, "embedding");
    auto want = Scan(ref_wh, "embedding");
    ASSERT_TRUE(got.ok()) << where << ": " << got.status().ToString();
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    ASSERT_EQ(got->size(), want->size()) << where;
    ASSERT_EQ(got->size(), static_cast<size_t>(kRows)) << where;
    for (const auto& [id, w] : *want) {
      auto g = got->find(id);
      ASSERT_NE(g, got->end()) << where << ": " << id << " missing";
      ASSERT_EQ(g->second.text, w.text) << where;
      ASSERT_FALSE(g->second.vector_null) << where << ": " << id;
      ASSERT_EQ(g->second.vector.size(), static_cast<size_t>(kNewDim)) << where;
      ASSERT_EQ(g->second.vector, w.vector) << where << ": " << id << " differs from the uninterrupted run";
      const auto expect = WorkerVec(g->second.text, kNewDim);
      for (int j = 0; j < kNewDim; ++j) {
        ASSERT_NEAR(g->second.vector[static_cast<size_t>(j)], expect[static_cast<size_t>(j)], 1e-3)
            << where << ": " << id << "[" << j << "] is not the new embedder's output";
      }
    }
    auto gi = json::parse(Cli({"info", "t", "--format", "json"}, wh_).out);
    auto wi = json::parse(Cli({"info", "t", "--format", "json"}, ref_wh).out);
    EXPECT_EQ(gi["model"], kNewModel) << where;
    EXPECT_EQ(gi["dim"], kNewDim) << where;
    ASSERT_TRUE(gi["properties"].contains("ailake.last-migration")) << where;
    ASSERT_TRUE(wi["properties"].contains("ailake.last-migration"));
    EXPECT_FALSE(gi["properties"].contains("ailake.migration")) << where;
    const std::string gjob = gi["properties"]["ailake.last-migration"], wjob = wi["properties"]["ailake.last-migration"];
    gi["properties"].erase("ailake.last-migration");
    wi["properties"].erase("ailake.last-migration");
    EXPECT_EQ(gi["properties"], wi["properties"]) << where;
    for (const char* k : {"vector_column", "text_column", "dim", "metric", "precision", "model", "rows"}) {
      EXPECT_EQ(gi[k], wi[k]) << where << ": " << k;
    }
    // Schema: same fields, ids, types; docs equal once the job ids are blanked out.
    auto schema_of = [&](const std::string& wh, const std::string& job) {
      std::vector<std::string> fields;
      auto cat = catalog::OpenCatalog("fs", wh);
      auto t = table::Table::Open(**cat, *catalog::TableIdent::Parse("t"));
      for (const auto& f : (*t)->schema().fields) {
        std::string doc = f.doc;
        if (auto p = doc.find(job); p != std::string::npos) doc.replace(p, job.size(), "<job>");
        const bool skip_id = new_column_id_differs && f.name == "embedding";
        fields.push_back((skip_id ? std::string("?") : std::to_string(f.id)) + " " + f.name + " " + iceberg::TypeToString(*f.type) +
                         (f.required ? " required " : " optional ") + doc);
      }
      return fields;
    };
    EXPECT_EQ(schema_of(wh_, gjob), schema_of(ref_wh, wjob)) << where;
    auto v = Cli({"verify", "t"});
    EXPECT_EQ(v.code, 0) << where << ": " << v.out << v.err;
  }

  // One uninterrupted run on a fresh identical table (the reference); returns its wall time.
  double ReferenceRun(const std::string& strategy, const std::string& ref_wh) {
    MakeTable(ref_wh);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = Cli(MigrateArgs(strategy, (dir_ / "ref.log").string()), ref_wh);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.code, 0) << r.err;
    return secs;
  }

  void RestorePristine() {
    fs::remove_all(wh_);
    fs::copy(dir_ / "pristine", wh_, fs::copy_options::recursive);
  }

  void CrashAndResume(const std::string& strategy);
  void AbortAfterKill(const std::string& strategy);

  test_util::TempDir tmp_{"migcrash"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string wh_, log_;
  std::map<std::string, std::set<std::string>> texts_;  // source location -> its texts
};

void CliMigrateCrashTest::CrashAndResume(const std::string& strategy) {
  const std::string ref_wh = (dir_ / "ref").string();
  const double run_s = ReferenceRun(strategy, ref_wh);
  ASSERT_FALSE(HasFatalFailure());
  MakeTable(wh_);
  ASSERT_FALSE(HasFatalFailure());
  fs::copy(wh_, dir_ / "pristine", fs::copy_options::recursive);
  // Kill moments span one whole uninterrupted run (and a little beyond, so some rounds complete).
  const int max_delay_us = static_cast<int>(run_s * 1.2e6);
  std::mt19937 rng(strategy == "atomic-replace" ? 20240601u : 20240602u);
  std::uniform_int_distribution<int> delay(0, max_delay_us);

  int kills = 0, mid_task_kills = 0, campaigns = 0, rounds_total = 0, checked_no_reembed = 0;
  size_t texts_logged_in_checked_rounds = 0;  // the log is really written: the check below has teeth
  size_t max_lost_per_kill = 0, resent_total = 0;
  while (mid_task_kills < kMinKills) {
    // A bound on retries, not on correctness: kills drawn over a whole run land before the first
    // task more often when process start is slow (ASan, a loaded machine); 20 mid-task kills are
    // still required.
    ASSERT_LT(campaigns, 80) << "too many campaigns";
    ++campaigns;
    RestorePristine();
    std::set<std::string> sent;    // every corpus text sent to the embedder in this campaign
    std::set<std::string> unkept;  // of those, the ones neither in a finished task nor a checkpoint
    bool done = false;
    for (int round = 0; !done; ++round) {
      const std::string where = strategy + " campaign " + std::to_string(campaigns) + " round " + std::to_string(round);
      ASSERT_LT(round, 120) << where << ": the job makes no progress";
      // What to run: a fresh migrate until a job is published, then resume.
      std::vector<std::string> args = MigrateArgs(strategy, log_);
      std::set<std::string> finished;
      if (round > 0) {
        json st = Status();
        ASSERT_FALSE(st.is_discarded()) << where;
        if (st["running"]) {
          args = ResumeArgs();
          finished = FinishedTexts(st);
        } else if (!st["last_job_id"].get<std::string>().empty()) {
          done = true;  // the kill landed after the cutover commit
          break;
        }
      }
      TruncateLog();
      args.push_back("--warehouse");
      args.push_back(wh_);
      int exit_code = -1;
      const bool killed = RunAndKill(args, delay(rng), &exit_code);
      ++rounds_total;
      if (killed) {
        ++kills;
      } else {
        ASSERT_EQ(exit_code, 0) << where << ": the migration failed by itself";
        done = true;
      }
      // No text of a task finished before this round was sent to the embedder during it, and a text
      // sent again was one the previous kill lost (never one a checkpoint kept).
      const auto logged = ReadLog();
      for (const auto& text : logged) {
        if (!IsCorpusText(text)) continue;
        ASSERT_EQ(finished.count(text), 0u) << where << ": '" << text << "' belongs to a task finished before the round";
        if (sent.count(text)) {
          ++resent_total;
          ASSERT_EQ(unkept.count(text), 1u) << where << ": '" << text << "' was kept by a checkpoint but sent again";
        }
        sent.insert(text);
      }
      if (!finished.empty()) {
        ++checked_no_reembed;
        texts_logged_in_checked_rounds += logged.size();
      }
      // The table is whole after every round.
      auto v = Cli({"verify", "t", "--format", "json"});
      ASSERT_EQ(v.code, 0) << where << ": " << v.out << v.err;
      EXPECT_EQ(json::parse(v.out)["rows"], kRows) << where;
      ExpectAllRows(where);
      ASSERT_FALSE(HasFatalFailure());
      json st = Status();
      ASSERT_FALSE(st.is_discarded()) << where;
      if (st["running"]) {
        EXPECT_EQ(st["new_model"], kNewModel);
        EXPECT_EQ(st["strategy"], strategy);
        EXPECT_EQ(st["rows_total"], kRows) << where;
        if (killed) {
          // What the kill lost: texts sent but kept neither by a finished task nor by a checkpoint.
          std::set<std::string> kept = FinishedTexts(st);
          std::set<std::string> recorded;
          for (const auto& t : st["tasks"]) {
            if (t["state"] != "pending") recorded.insert(t["task"].get<std::string>());
          }
          bool mid_task = false;
          for (const auto& [task, texts] : SegmentTexts(st["job_id"])) {
            kept.insert(texts.begin(), texts.end());
            mid_task = mid_task || (!texts.empty() && !recorded.count(task));
          }
          std::set<std::string> now_unkept;
          size_t lost = 0;
          for (const auto& t : sent) {
            if (kept.count(t)) continue;
            now_unkept.insert(t);
            lost += unkept.count(t) ? 0 : 1;
          }
          ASSERT_LE(lost, static_cast<size_t>(kBatch * kConcurrency))
              << where << ": the kill lost more embedded texts than the calls in flight";
          max_lost_per_kill = std::max(max_lost_per_kill, lost);
          unkept = std::move(now_unkept);
          mid_task_kills += mid_task ? 1 : 0;
        }
      }
    }
    // The campaign's job is complete: equal to the uninterrupted run, nothing staged left behind.
    const std::string where = strategy + " campaign " + std::to_string(campaigns);
    json st = Status();
    ASSERT_FALSE(st["running"]) << where;
    ExpectEqualsReference(ref_wh, where);
    ASSERT_FALSE(HasFatalFailure());
    size_t temp_files = 0;
    auto leftovers = StagedNotLive(wh_, st["last_job_id"], &temp_files);
    EXPECT_TRUE(leftovers.empty()) << where << ": staged files not live after completion, e.g. " << leftovers.front();
    EXPECT_EQ(temp_files, 0u) << where << ": half-written outputs of killed tasks left in staging";
    auto again = Cli({"migrate", "resume", "t", "--embedder", Embedder(log_)});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("no migration is running"), std::string::npos) << again.err;
  }
  EXPECT_GE(mid_task_kills, kMinKills);
  EXPECT_GT(checked_no_reembed, 0);
  EXPECT_GT(texts_logged_in_checked_rounds, 0u);
  std::cout << "[          ] " << strategy << ": " << kills << " kills (" << mid_task_kills << " mid-task) in "
            << rounds_total << " rounds over " << campaigns << " campaigns (one run " << run_s
            << " s); at most " << max_lost_per_kill << " texts lost per kill, " << resent_total << " sent again in all\n";
}

void CliMigrateCrashTest::AbortAfterKill(const std::string& strategy) {
  const std::string ref_wh = (dir_ / "ref").string();
  const double run_s = ReferenceRun(strategy, ref_wh);
  ASSERT_FALSE(HasFatalFailure());
  MakeTable(wh_);
  ASSERT_FALSE(HasFatalFailure());
  std::mt19937 rng(strategy == "atomic-replace" ? 77u : 78u);
  std::uniform_int_distribution<int> delay(0, static_cast<int>(run_s * 1e6));
  // Kill rounds until the job has done some of its work (a task finished) but not all of it.
  json st;
  for (int round = 0;; ++round) {
    ASSERT_LT(round, 60) << "never caught the job half done";
    st = Status();
    std::vector<std::string> args = MigrateArgs(strategy, log_);
    if (st["running"]) {
      if (st["finished"].get<int>() + st["committed"].get<int>() > 0) break;
      args = ResumeArgs();
    } else if (!st["last_job_id"].get<std::string>().empty()) {
      // Completed before a kill landed: start over on a fresh table.
      fs::remove_all(wh_);
      MakeTable(wh_);
      ASSERT_FALSE(HasFatalFailure());
      continue;
    }
    args.push_back("--warehouse");
    args.push_back(wh_);
    int exit_code = -1;
    if (!RunAndKill(args, delay(rng), &exit_code)) {
      ASSERT_EQ(exit_code, 0);
    }
  }
  const std::string job = st["job_id"];
  const int committed = st["committed"];
  if (strategy != "atomic-replace") {
    EXPECT_EQ(committed, 0) << "dual-write commits nothing before the cutover";
  }
  std::cout << "[          ] " << strategy << ": aborting job " << job << " with " << st["finished"] << " finished and "
            << committed << " committed task(s)\n";
  // With committed work a plain abort asks for a choice (exit 2); --rollback puts the table back at
  // the job's base snapshot. The committed outputs stay in staging (the rolled-back snapshots name
  // them, for time travel) but are no longer live; everything else staged is gone.
  auto ab = Cli({"migrate", "abort", "t"});
  if (committed > 0) {
    ASSERT_EQ(ab.code, 2) << ab.err;
    EXPECT_NE(ab.err.find("--rollback"), std::string::npos) << ab.err;
    ab = Cli({"migrate", "abort", "t", "--rollback"});
  }
  ASSERT_EQ(ab.code, 0) << ab.err;
  EXPECT_NE(ab.out.find(job), std::string::npos) << ab.out;
  // The table is whole, no job runs, and the staging folder holds only the committed outputs.
  auto v = Cli({"verify", "t"});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  ExpectAllRows("after abort");
  json after = Status();
  EXPECT_FALSE(after["running"]);
  EXPECT_EQ(after["state"], "aborted");
  EXPECT_EQ(after["rolled_back"], committed > 0);
  size_t temp_files = 0;
  auto leftovers = StagedNotLive(wh_, job, &temp_files);
  EXPECT_EQ(leftovers.size(), static_cast<size_t>(committed)) << "staged files other than the committed outputs after abort";
  EXPECT_EQ(temp_files, 0u) << "half-written outputs of killed tasks left in staging after abort";
  const fs::path staging = fs::path(wh_) / "default/t/data" / ("migrate-" + job);
  size_t live_staged = 0;
  if (fs::exists(staging)) {
    for (const auto& e : fs::directory_iterator(staging)) {
      if (e.is_regular_file() && e.path().filename().string().rfind(".ailake-tmp-", 0) != 0) ++live_staged;
    }
  }
  EXPECT_EQ(live_staged, static_cast<size_t>(committed)) << "the staging folder holds exactly the committed outputs";
  if (strategy != "atomic-replace") {
    EXPECT_EQ(live_staged, 0u);
  }
  auto resume = Cli({"migrate", "resume", "t", "--embedder", Embedder(log_)});
  EXPECT_EQ(resume.code, 1);
  EXPECT_NE(resume.err.find("no migration is running"), std::string::npos) << resume.err;
  // A new job on the aborted table completes, and equals the uninterrupted run.
  TruncateLog();
  auto again = Cli(MigrateArgs(strategy, log_));
  ASSERT_EQ(again.code, 0) << again.err;
  ExpectEqualsReference(ref_wh, "migrated again after the abort", true);
}

// Focused: a task killed mid-way leaves its half-written output in the job's staging folder as the
// local store's in-flight temp file (the output is opened before the first batch is embedded).
// Completing or aborting the job must leave nothing behind in that job-private folder.
TEST_F(CliMigrateCrashTest, KilledTaskLeavesNoTempFileInStaging) {
  for (const std::string end : {"resume", "abort"}) {
    SCOPED_TRACE(end);
    fs::remove_all(wh_);
    MakeTable(wh_);
    ASSERT_FALSE(HasFatalFailure());
    const std::string fifo = (dir_ / "hang.fifo").string();
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const int fd = open(fifo.c_str(), O_RDWR);  // never blocks; read() below waits for the worker
    ASSERT_GE(fd, 0);
    // One worker, one file at a time; the worker hangs on its 4th request (probe + 2 batches served):
    // the 3rd batch of the first task, whose staged output is open.
    std::vector<std::string> args = {"migrate", "t", "--embedder", Embedder(log_) + " hang-after=3 fifo=" + fifo,
                                     "--new-model", kNewModel, "--strategy", "dual-write-then-cutover",
                                     "--batch-size", "50", "--concurrency", "1", "--file-parallelism", "1",
                                     "--quiet", "--warehouse", wh_};
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::ostringstream o, e;
      _exit(cli::Run(args, o, e));
    }
    char c = 0;
    ASSERT_EQ(read(fd, &c, 1), 1);  // the worker is inside the task's 3rd batch
    close(fd);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    ReapAll();
    json st = Status();
    ASSERT_TRUE(st["running"]);
    const std::string job = st["job_id"];
    size_t temp_files = 0;
    auto leftovers = StagedNotLive(wh_, job, &temp_files);
    EXPECT_EQ(leftovers.size(), 2u) << "the two batches the worker served are checkpointed";
    for (const auto& l : leftovers) EXPECT_NE(l.find("/ckpt-"), std::string::npos) << l;
    ASSERT_GE(temp_files, 1u) << "precondition: the killed task's output is in flight";
    std::vector<std::string> end_args = {"migrate", end, "t"};
    if (end == "resume") end_args = {"migrate", "resume", "t", "--embedder", Embedder(log_) + " hang-after=3 fifo=" + fifo};
    auto r = Cli(end_args);
    ASSERT_EQ(r.code, 0) << r.err;
    ExpectAllRows("after " + end);
    leftovers = StagedNotLive(wh_, job, &temp_files);
    EXPECT_TRUE(leftovers.empty()) << leftovers.front();
    EXPECT_EQ(temp_files, 0u) << "the killed task's partial output (" << fs::path(wh_) / "default/t/data" / ("migrate-" + job)
                              << "/.ailake-tmp-*) is left behind after 'migrate " << end << "'";
  }
}

TEST_F(CliMigrateCrashTest, AtomicReplaceSurvivesSigkillAndResumes) { CrashAndResume("atomic-replace"); }
TEST_F(CliMigrateCrashTest, DualWriteSurvivesSigkillAndResumes) { CrashAndResume("dual-write-then-cutover"); }
TEST_F(CliMigrateCrashTest, AtomicReplaceAbortAfterKill) { AbortAfterKill("atomic-replace"); }
TEST_F(CliMigrateCrashTest, DualWriteAbortAfterKill) { AbortAfterKill("dual-write-then-cutover"); }

}  // namespace
}  // namespace ailake::cli
