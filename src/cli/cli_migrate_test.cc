// `ailake migrate` end to end through the CLI: the demo flow, --dry-run, dual vector columns during
// an atomic-replace job, a distributed run (plan / run-task in separate processes / commit),
// inserts racing the migration, embedder faults (a dying command worker, an HTTP server that
// throttles, fails or is not there), bad arguments, and the null-text policies.
// Killed runs and resume are in cli_migrate_crash_test.cc.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "cli/worker_vectors_test_util.h"
#include "core/uuid.h"
#include "embed/embedder.h"
#include "migrate/migrate_test_util.h"
#include "table/table.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using Out = testing::CliOut;

using testing::WorkerVec;  // the logging worker's vector for a text

std::string RowText(int i) {
  static const char* kTopics[] = {"galaxy telescope orbit comet", "garlic oven butter roast",
                                  "router packet latency socket", "tide harbor keel anchor"};
  return std::string(kTopics[(i / 7) % 4]) + " note " + std::to_string(i);
}

class CliMigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_ / "wh").string();
    log_ = (dir_ / "worker.log").string();
  }

  Out Cli(std::vector<std::string> args, bool warehouse = true) {
    return testing::RunCli(std::move(args), warehouse ? wh_ : std::string());
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = (dir_ / name).string();
    std::ofstream(p) << content;
    return p;
  }
  // Rows [start, start + n): id "<prefix><i>", text RowText(i) (null when i is in `null_texts`).
  std::string Jsonl(const std::string& name, int start, int n, const std::string& prefix = "r",
                    const std::set<int>& null_texts = {}) {
    std::string s;
    for (int i = start; i < start + n; ++i) {
      json row = {{"id", prefix + std::to_string(i)}, {"chunk_text", RowText(i)}};
      if (null_texts.count(i)) row["chunk_text"] = nullptr;
      s += row.dump() + "\n";
    }
    return Write(name, s);
  }
  // A table "t" (hash-32@seed0, cosine) with `rows` rows in files of `file_rows`.
  void MakeTable(int rows, int file_rows, const std::set<int>& null_texts = {}) {
    ASSERT_EQ(Cli({"create", "t", "--dim", "32", "--model", "hash-32@seed0", "--target-file-rows",
                   std::to_string(file_rows)}).code, 0);
    auto ins = Cli({"insert", "t", Jsonl("rows.jsonl", 0, rows, "r", null_texts), "--embedder", "hash:dim=32,seed=0"});
    ASSERT_EQ(ins.code, 0) << ins.err;
  }
  std::string Worker(const std::string& extra = "", int dim = 16) const {
    return "command:" + std::string(AILAKE_SOURCE_DIR) + "/tests/embedders/logging_worker.py log=" + log_ +
           " dim=" + std::to_string(dim) + (extra.empty() ? "" : " " + extra);
  }
  json Info() {
    auto r = Cli({"info", "t", "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out);
  }
  json Search(const std::vector<std::string>& extra, int* code = nullptr, std::string* err = nullptr) {
    std::vector<std::string> args = {"search", "t", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Cli(args);
    if (code) *code = r.code;
    if (err) *err = r.err;
    if (!code) {
      EXPECT_EQ(r.code, 0) << r.err;
    }
    return r.code == 0 ? json::parse(r.out) : json();
  }
  Result<std::map<std::string, migrate::testing::ScannedRow>> Scan(const std::string& column) {
    AILAKE_ASSIGN_OR_RETURN(auto cat, catalog::OpenCatalog("fs", wh_));
    AILAKE_ASSIGN_OR_RETURN(auto t, table::Table::Open(*cat, *catalog::TableIdent::Parse("t")));
    return migrate::testing::ScanTable(*t, column);
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
  // Every file under the table folder (metadata and data), for "nothing was written" checks.
  std::set<std::string> TableFiles() {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(wh_) / "default/t")) out.insert(e.path().string());
    return out;
  }
  bool MigrationsFolderExists() { return fs::exists(fs::path(wh_) / "default/t/metadata/migrations"); }
  // Files left in the job's staging folder that are not live data files.
  size_t StagedFiles(const std::string& job) {
    const fs::path staging = fs::path(wh_) / "default/t/data" / ("migrate-" + job);
    if (!fs::exists(staging)) return 0;
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(staging)) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
  static std::vector<float> HashVec(const std::string& spec, const std::string& text) {
    auto e = embed::MakeEmbedder(spec);
    std::vector<float> v;
    EXPECT_TRUE(e.ok() && (*e)->Embed({text}, &v).ok());
    return v;
  }
  static void ExpectNear(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t j = 0; j < got.size(); ++j) ASSERT_NEAR(got[j], want[j], 2e-3) << what << "[" << j << "]";
  }

  test_util::TempDir tmp_{"climigrate"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string wh_, log_;
};

// ---- 1. the demo flow --------------------------------------------------------------------------

TEST_F(CliMigrateTest, DemoFlowOnTheSampleCorpus) {
  const std::string corpus = std::string(AILAKE_SOURCE_DIR) + "/data/sample_corpus.jsonl";
  ASSERT_TRUE(fs::exists(corpus)) << corpus;
  ASSERT_EQ(Cli({"create", "t", "--dim", "256", "--model", "hash-256@seed0", "--target-file-rows", "1000"}).code, 0);
  auto ins = Cli({"insert", "t", corpus, "--embedder", "hash:dim=256,seed=0"});
  ASSERT_EQ(ins.code, 0) << ins.err;
  const json before = Info();
  const int64_t rows = before["rows"];
  const size_t files = before["data_files"];
  ASSERT_EQ(rows, 3000);
  ASSERT_EQ(files, 3u);
  auto m = Cli({"migrate", "t", "--embedder", "hash:dim=384,seed=0", "--new-model", "hash-384@seed0", "--new-metric",
                "dot", "--format", "json", "--quiet"});
  ASSERT_EQ(m.code, 0) << m.err;
  auto mj = json::parse(m.out);
  EXPECT_TRUE(mj["cut_over"]);
  EXPECT_EQ(mj["tasks_run"], files);
  EXPECT_EQ(mj["rows"], rows);
  EXPECT_EQ(mj["texts_embedded"], rows);
  EXPECT_EQ(mj["model"], "hash-384@seed0");

  // A row's own text finds it with the new embedder.
  std::string text_17;
  {
    std::ifstream in(corpus);
    std::string line;
    for (int i = 0; std::getline(in, line); ++i) {
      if (i == 17) text_17 = json::parse(line)["chunk_text"];
    }
  }
  ASSERT_FALSE(text_17.empty());
  auto hit = Search({"--text", text_17, "--embedder", "hash:dim=384,seed=0", "-k", "5"});
  ASSERT_EQ(hit["results"].size(), 5u);
  EXPECT_EQ(hit["results"][0]["id"], "17");
  EXPECT_EQ(hit["files"]["total"], files);
  // The old embedder is refused, naming the model.
  int code = 0;
  std::string err;
  Search({"--text", text_17, "--embedder", "hash:dim=256,seed=0"}, &code, &err);
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("hash-256@seed0"), std::string::npos) << err;
  EXPECT_NE(err.find("hash-384@seed0"), std::string::npos) << err;

  const json after = Info();
  EXPECT_EQ(after["dim"], 384);
  EXPECT_EQ(after["metric"], "dot");
  EXPECT_EQ(after["model"], "hash-384@seed0");
  EXPECT_EQ(after["rows"], rows);
  EXPECT_FALSE(after["properties"].contains("ailake.migration"));
  EXPECT_EQ(after["properties"]["ailake.last-migration"], json::parse(m.out)["job_id"]);
  // History: the insert, then one overwrite per rewritten file (atomic-replace), each keeping the total.
  auto h = Cli({"history", "t", "--format", "json"});
  ASSERT_EQ(h.code, 0);
  auto hj = json::parse(h.out);
  ASSERT_EQ(hj.size(), 1 + files);
  EXPECT_EQ(hj[0]["summary"]["operation"], "append");
  for (size_t i = 1; i < hj.size(); ++i) {
    EXPECT_EQ(hj[i]["summary"]["operation"], "overwrite");
    EXPECT_EQ(hj[i]["summary"]["total-records"], std::to_string(rows));
  }
  EXPECT_TRUE(hj.back()["current"]);
  auto text = Cli({"history", "t"});
  EXPECT_NE(text.out.find("overwrite"), std::string::npos);
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  auto st = Cli({"migrate", "status", "t"});
  EXPECT_EQ(st.code, 0);
  EXPECT_NE(st.out.find(": finished"), std::string::npos) << "the last job is shown after completion: " << st.out;
  EXPECT_NE(st.out.find("hash-384@seed0"), std::string::npos) << st.out;
}

// ---- 2. --dry-run --------------------------------------------------------------------------------

TEST_F(CliMigrateTest, DryRunReportsCostsAndWritesNothing) {
  MakeTable(500, 100);
  ASSERT_FALSE(HasFatalFailure());
  int64_t chars = 0;
  for (int i = 0; i < 500; ++i) chars += static_cast<int64_t>(RowText(i).size());
  const json before = Info();
  const auto files_before = TableFiles();
  const std::vector<std::string> base = {"migrate", "t", "--dry-run", "--embedder", "hash:dim=48,seed=1",
                                         "--new-model", "hash-48@seed1"};

  auto text = Cli(base);
  ASSERT_EQ(text.code, 0) << text.err;
  for (const std::string& s : std::vector<std::string>{"dry run (atomic-replace) to hash-48@seed1, 48-d; nothing was written",
                              "files to rewrite:   5", "rows:               500 (0 with a null text)",
                              "characters:         " + std::to_string(chars),
                              "(~" + std::to_string((chars + 3) / 4) + " tokens", "estimated time:",
                              "peak extra storage: ~", "embedder rate:"}) {
    EXPECT_NE(text.out.find(s), std::string::npos) << "missing '" << s << "' in:\n" << text.out;
  }
  auto j = Cli([&] {
    auto a = base;
    a.insert(a.end(), {"--format", "json"});
    return a;
  }());
  ASSERT_EQ(j.code, 0) << j.err;
  auto d = json::parse(j.out);
  EXPECT_EQ(d["strategy"], "atomic-replace");
  EXPECT_EQ(d["files"], 5);
  EXPECT_EQ(d["rows"], 500);
  EXPECT_EQ(d["null_texts"], 0);
  EXPECT_EQ(d["chars"], chars);
  EXPECT_EQ(d["est_tokens"], (chars + 3) / 4);
  EXPECT_GT(d["rows_per_s"].get<double>(), 0);
  EXPECT_GT(d["est_seconds"].get<double>(), 0);
  EXPECT_EQ(d["source_bytes"], before["bytes"]);
  EXPECT_GT(d["peak_extra_bytes"].get<int64_t>(), 0);
  EXPECT_GT(d["peak_staged_bytes"].get<int64_t>(), 0);
  EXPECT_LT(d["peak_staged_bytes"].get<int64_t>(), d["peak_extra_bytes"].get<int64_t>())
      << "atomic-replace stages only the files in flight";
  EXPECT_EQ(d["new_dim"], 48);
  EXPECT_EQ(d["new_model"], "hash-48@seed1");
  // Dual write stages every new file until the cutover.
  auto dual = Cli([&] {
    auto a = base;
    a.insert(a.end(), {"--format", "json", "--strategy", "dual-write-then-cutover"});
    return a;
  }());
  ASSERT_EQ(dual.code, 0) << dual.err;
  auto dd = json::parse(dual.out);
  EXPECT_EQ(dd["peak_staged_bytes"], dd["est_new_bytes"]);
  // A dry run fails where the real run would.
  auto bad = Cli({"migrate", "t", "--dry-run", "--embedder", "hash:dim=48,seed=1", "--new-model", "hash-48@seed1",
                  "--text-column", "nope"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("nope"), std::string::npos) << bad.err;
  // Nothing was written: same metadata version, not one new file, no migrations folder, no job.
  const json after = Info();
  EXPECT_EQ(after["metadata"], before["metadata"]);
  EXPECT_EQ(after["current_snapshot_id"], before["current_snapshot_id"]);
  EXPECT_EQ(after["properties"], before["properties"]);
  EXPECT_EQ(TableFiles(), files_before);
  EXPECT_FALSE(MigrationsFolderExists());
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_FALSE(st["running"]);
  EXPECT_EQ(st["last_job_id"], "");
}

// ---- 3. --keep-old-column: old-model searches keep working on every file -------------------------

TEST_F(CliMigrateTest, KeepOldColumnServesBothModelsDuringAndAfter) {
  MakeTable(500, 100);
  ASSERT_FALSE(HasFatalFailure());
  const std::string old_e = "hash:dim=32,seed=0", new_e = "hash:dim=48,seed=1";
  auto plan = Cli({"migrate", "plan", "t", "--embedder", new_e, "--new-model", "hash-48@seed1", "--keep-old-column",
                   "--new-column", "embedding_v2", "--format", "json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto pj = json::parse(plan.out);
  ASSERT_EQ(pj["tasks"].size(), 5u);
  for (int i = 0; i < 2; ++i) {
    auto r = Cli({"migrate", "run-task", "t", "--task", pj["tasks"][i]["task"], "--format", "json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["rows"], 100);
  }
  // Commit: the two finished tasks are committed, then it stops because three files remain. That
  // is a success (exit 0) that says what remains, not an error.
  auto c = Cli({"migrate", "commit", "t"});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("committed 2, 3 remaining"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("run-task"), std::string::npos) << c.out;
  EXPECT_EQ(c.err, "");
  // run-task of a task that is already committed returns its record (no embedding, exit 0).
  auto again = Cli({"migrate", "run-task", "t", "--task", pj["tasks"][0]["task"], "--format", "json"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["task"], pj["tasks"][0]["task"]);
  EXPECT_EQ(json::parse(again.out)["rows"], 100);
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  ASSERT_TRUE(st["running"]);
  EXPECT_EQ(st["committed"], 2);
  EXPECT_EQ(st["pending"], 3);
  EXPECT_EQ(Info()["data_files"], 5);
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);

  // During the job: the old model (declared with --model) is served by every file.
  const std::string q = RowText(123);
  auto old_all = Search({"--text", q, "--model", "hash-32@seed0", "--embedder", old_e, "-k", "500"});
  EXPECT_EQ(old_all["files"]["total"], 5);
  EXPECT_EQ(old_all["files"]["searched"], 5);
  EXPECT_EQ(old_all["results"].size(), 500u) << "every row of every file is reachable with the old model";
  EXPECT_EQ(old_all["results"][0]["id"], "r123");
  // The new model: only the two committed files so far; the output says the other three were skipped.
  auto new_part = Search({"--text", q, "--embedder", new_e, "-k", "500"});
  EXPECT_EQ(new_part["files"]["total"], 5);
  EXPECT_EQ(new_part["files"]["searched"], 2);
  EXPECT_EQ(new_part["files"]["skipped_other_model"], 3);
  EXPECT_EQ(new_part["files"]["other_models"], json({{"hash-32@seed0", 3}}));
  EXPECT_EQ(new_part["results"].size(), 200u);

  auto resume = Cli({"migrate", "resume", "t", "--format", "json", "--quiet"});
  ASSERT_EQ(resume.code, 0) << resume.err;
  EXPECT_EQ(json::parse(resume.out)["tasks_run"], 3);
  const json info = Info();
  EXPECT_EQ(info["vector_column"], "embedding_v2");
  EXPECT_EQ(info["model"], "hash-48@seed1");
  EXPECT_EQ(info["dim"], 48);
  // After: both the old embedder (its own model, no --model needed) and the new one, on every file.
  for (const auto& e : {old_e, new_e}) {
    auto r = Search({"--text", q, "--embedder", e, "-k", "500"});
    EXPECT_EQ(r["files"]["total"], 5) << e;
    EXPECT_EQ(r["results"].size(), 500u) << e;
    EXPECT_EQ(r["results"][0]["id"], "r123") << e;
  }
  // Both columns hold the right vectors.
  auto v2 = Scan("embedding_v2");
  auto v1 = Scan("embedding");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  ASSERT_EQ(v2->size(), 500u);
  for (int i : {0, 250, 499}) {
    const std::string id = "r" + std::to_string(i);
    ExpectNear(v2->at(id).vector, HashVec(new_e, RowText(i)), id + " new");
    ExpectNear(v1->at(id).vector, HashVec(old_e, RowText(i)), id + " old");
  }
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
}

// ---- 4. distributed: plan, run-task in separate processes, commit ------------------------------

TEST_F(CliMigrateTest, DistributedRunTasksInSeparateProcessesThenCommit) {
  MakeTable(500, 100);
  ASSERT_FALSE(HasFatalFailure());
  const std::string new_e = "hash:dim=48,seed=1";
  const json before = Info();
  auto plan = Cli({"migrate", "plan", "t", "--embedder", new_e, "--new-model", "hash-48@seed1", "--strategy",
                   "dual-write-then-cutover", "--format", "json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto pj = json::parse(plan.out);
  const std::string job = pj["job_id"];
  ASSERT_EQ(pj["tasks"].size(), 5u);
  std::set<std::string> sources;
  for (const auto& t : pj["tasks"]) {
    EXPECT_EQ(t["rows"], 100);
    sources.insert(t["source"].get<std::string>());
  }
  EXPECT_EQ(sources.size(), 5u);
  // One process per task, all at once.
  std::vector<pid_t> pids;
  for (const auto& t : pj["tasks"]) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::ostringstream o, e;
      _exit(cli::Run({"migrate", "run-task", "t", "--task", t["task"].get<std::string>(), "--warehouse", wh_}, o, e));
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "run-task process exited with " << status;
  }
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_EQ(st["finished"], 5);
  EXPECT_EQ(st["pending"], 0);
  EXPECT_EQ(st["committed"], 0);
  // The embedder's calls of the five worker processes, summed from their task records.
  EXPECT_EQ(st["embed_stats"]["texts"], 500) << st["embed_stats"].dump();
  EXPECT_GE(st["embed_stats"]["calls"].get<int64_t>(), 5) << st["embed_stats"].dump();
  EXPECT_EQ(st["embed_stats"]["errors"], 0) << st["embed_stats"].dump();
  // Dual write: nothing is visible before the commit.
  EXPECT_EQ(Info()["current_snapshot_id"], before["current_snapshot_id"]);
  EXPECT_EQ(Info()["model"], "hash-32@seed0");
  // A finished task is never run again: run-task returns its record.
  auto again = Cli({"migrate", "run-task", "t", "--task", pj["tasks"][0]["task"], "--format", "json"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["source"], pj["tasks"][0]["source"]);

  auto c = Cli({"migrate", "commit", "t", "--format", "json"});
  ASSERT_EQ(c.code, 0) << c.err;
  auto cj = json::parse(c.out);
  EXPECT_TRUE(cj["cut_over"]);
  EXPECT_EQ(cj["tasks_committed"], 5);
  EXPECT_EQ(cj["tasks_run"], 0);
  EXPECT_EQ(cj["texts_embedded"], 0);
  auto status = Cli({"migrate", "status", "t"});
  EXPECT_EQ(status.code, 0);
  EXPECT_NE(status.out.find(": finished"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(job), std::string::npos) << status.out;
  const json info = Info();
  EXPECT_EQ(info["model"], "hash-48@seed1");
  EXPECT_EQ(info["rows"], 500);
  EXPECT_EQ(info["data_files"], 5);
  auto rows = Scan("embedding");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 500u);
  for (int i = 0; i < 500; i += 37) {
    const std::string id = "r" + std::to_string(i);
    ASSERT_EQ(rows->at(id).text, RowText(i));
    ExpectNear(rows->at(id).vector, HashVec(new_e, RowText(i)), id);
  }
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  EXPECT_EQ(StagedFiles(job), 5u) << "the five committed outputs, nothing else";
}

// ---- 5. inserts racing the migration -------------------------------------------------------------

TEST_F(CliMigrateTest, ConcurrentInsertsAreMigratedOrRefused) {
  MakeTable(1000, 200);
  ASSERT_FALSE(HasFatalFailure());
  constexpr int kInserts = 6, kRowsPerInsert = 40;
  std::vector<std::string> inputs;
  for (int k = 0; k < kInserts; ++k) {
    inputs.push_back(Jsonl("ins" + std::to_string(k) + ".jsonl", 10000 + k * kRowsPerInsert, kRowsPerInsert, "a"));
  }
  // A slow model (20 ms per batch of 50, two workers) so the inserts overlap the job.
  auto plan = Cli({"migrate", "plan", "t", "--embedder", Worker("ms=20"), "--new-model", "logw-16@v1", "--batch-size",
                   "50", "--concurrency", "2"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  int go[2], ack[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(ack), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(go[1]);
    close(ack[0]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(9);
    for (int k = 0; k < kInserts; ++k) {
      std::ostringstream o, e;
      int rc = cli::Run({"insert", "t", inputs[static_cast<size_t>(k)], "--embedder", "hash:dim=32,seed=0",
                         "--warehouse", wh_}, o, e);
      std::ofstream(dir_ / ("ins" + std::to_string(k) + ".result")) << rc << "\n" << e.str();
      if (k == 0 && write(ack[1], "i", 1) != 1) _exit(9);  // the first insert committed (or failed)
    }
    _exit(0);
  }
  close(go[0]);
  close(ack[1]);
  ASSERT_EQ(write(go[1], "g", 1), 1);  // the plan is committed: start inserting
  char c;
  ASSERT_EQ(read(ack[0], &c, 1), 1);   // insert 0 landed after the plan, before the run
  auto run = Cli({"migrate", "resume", "t", "--embedder", Worker("ms=20"), "--format", "json", "--quiet"});
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(go[1]);
  close(ack[0]);
  ASSERT_EQ(run.code, 0) << run.err;

  std::set<std::string> expected;
  for (int i = 0; i < 1000; ++i) expected.insert("r" + std::to_string(i));
  std::set<std::string> refused;
  int ok = 0;
  for (int k = 0; k < kInserts; ++k) {
    std::ifstream in(dir_ / ("ins" + std::to_string(k) + ".result"));
    int rc = -1;
    in >> rc;
    std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (int i = 0; i < kRowsPerInsert; ++i) {
      (rc == 0 ? expected : refused).insert("a" + std::to_string(10000 + k * kRowsPerInsert + i));
    }
    if (rc == 0) {
      ++ok;
      continue;
    }
    EXPECT_NE(k, 0) << "insert 0 ran before the migration started: " << err;
    // Lost the race with the cutover: a clear error (the schema changed under it, or it was embedded
    // with the table's former model).
    EXPECT_TRUE(err.find("schema changed") != std::string::npos || err.find("is not the table's model") != std::string::npos)
        << "insert " << k << " failed with: " << err;
  }
  EXPECT_GE(ok, 1);
  auto rows = Scan("embedding");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), expected.size());
  for (const auto& id : expected) {
    auto it = rows->find(id);
    ASSERT_NE(it, rows->end()) << id << " is missing";
    ASSERT_FALSE(it->second.vector_null) << id;
    ExpectNear(it->second.vector, WorkerVec(it->second.text, 16), id + " is not embedded by the new model");
  }
  for (const auto& id : refused) EXPECT_EQ(rows->count(id), 0u) << id << " came from a refused insert";
  const json info = Info();
  EXPECT_EQ(info["model"], "logw-16@v1");
  EXPECT_EQ(info["rows"], static_cast<int64_t>(expected.size()));
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_FALSE(st["running"]);
  std::cout << "[          ] " << ok << " of " << kInserts << " inserts committed; run: " << run.out;
}

// ---- 6. embedder faults ---------------------------------------------------------------------------

TEST_F(CliMigrateTest, DyingCommandWorkerFailsCleanlyAndAbortLetsAGoodWorkerFinish) {
  MakeTable(600, 200);
  ASSERT_FALSE(HasFatalFailure());
  const json before = Info();
  // Dual write: the worker dies on its 4th request (probe + 2 batches served) -> nothing visible.
  auto m = Cli({"migrate", "t", "--embedder", Worker("die-after=3"), "--new-model", "logw-16@v1", "--strategy",
                "dual-write-then-cutover", "--batch-size", "50", "--concurrency", "1", "--file-parallelism", "1"});
  EXPECT_EQ(m.code, 1) << m.err;
  EXPECT_NE(m.err.find("logging_worker.py"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("dying on purpose"), std::string::npos) << "the worker's stderr is quoted: " << m.err;
  EXPECT_NE(m.err.find("migrate resume"), std::string::npos) << m.err;
  json after = Info();
  EXPECT_EQ(after["current_snapshot_id"], before["current_snapshot_id"]);
  EXPECT_EQ(after["model"], "hash-32@seed0");
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  ASSERT_TRUE(st["running"]);
  const std::string job = st["job_id"];
  EXPECT_EQ(st["finished"], 0);
  // A command embedder is never taken from job.json: resume without --embedder is refused, naming it.
  auto r = Cli({"migrate", "resume", "t"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("logging_worker.py"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--embedder"), std::string::npos) << r.err;
  // Another worker than the job's is refused (exit 2); the job's own is the same (dying) worker and
  // fails again (exit 1).
  r = Cli({"migrate", "resume", "t", "--embedder", Worker("die-after=6")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is not the one"), std::string::npos) << r.err;
  r = Cli({"migrate", "resume", "t", "--embedder", Worker("die-after=3")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("logging_worker.py"), std::string::npos) << r.err;
  // Abort, then a new job with a good worker.
  auto ab = Cli({"migrate", "abort", "t"});
  ASSERT_EQ(ab.code, 0) << ab.err;
  EXPECT_EQ(StagedFiles(job), 0u);
  auto good = Cli({"migrate", "t", "--embedder", Worker(), "--new-model", "logw-16@v1", "--strategy",
                   "dual-write-then-cutover", "--quiet"});
  ASSERT_EQ(good.code, 0) << good.err;
  EXPECT_EQ(Info()["model"], "logw-16@v1");
  auto rows = Scan("embedding");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 600u);
  ExpectNear(rows->at("r5").vector, WorkerVec(RowText(5), 16), "r5");
}

TEST_F(CliMigrateTest, DyingCommandWorkerUnderAtomicReplaceLeavesAValidTable) {
  MakeTable(600, 200);
  ASSERT_FALSE(HasFatalFailure());
  // One file at a time, one worker: probe + 4 batches of file 1 + 1 of file 2, then it dies.
  auto m = Cli({"migrate", "t", "--embedder", Worker("die-after=6"), "--new-model", "logw-16@v1", "--batch-size", "50",
                "--concurrency", "1", "--file-parallelism", "1"});
  EXPECT_EQ(m.code, 1) << m.err;
  EXPECT_NE(m.err.find("logging_worker.py"), std::string::npos) << m.err;
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  auto rows = Scan("");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 600u);
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  ASSERT_TRUE(st["running"]);
  EXPECT_EQ(st["committed"], 1) << "the first file was rewritten and committed before the worker died";
  // The table stays searchable with the old model on the files not yet migrated.
  auto s = Search({"--text", RowText(500), "--embedder", "hash:dim=32,seed=0", "-k", "1"});
  EXPECT_EQ(s["files"]["total"], 3);
  EXPECT_EQ(s["files"]["skipped_other_model"], 1);
  EXPECT_EQ(s["results"][0]["id"], "r500");
}

// A minimal HTTP/1.1 server on 127.0.0.1 for the http embedder (libcurl) to talk to. (cpp-httplib,
// which embed_tests uses, is a compiled library in Debian that cli_tests does not link.) One
// connection at a time, "Connection: close" on every response; `handler` gets the request number
// (from 0) and the JSON body and returns the status, extra header lines and the body.
struct HttpReply {
  int status = 200;
  std::string headers;  // "Name: value\r\n" lines
  std::string body;
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply(int n, const json& req)>;
  explicit HttpServer(Handler h) : handler_(std::move(h)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~HttpServer() {
    stopping_ = true;
    if (fd_ >= 0) shutdown(fd_, SHUT_RDWR);  // wakes accept()
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }
  std::string Spec(const std::string& model) const {
    return "http:http://127.0.0.1:" + std::to_string(port_) + ",model=" + model;
  }
  int port() const { return port_; }
  int requests() const { return count_; }
  // An OpenAI-style reply with the logging worker's vectors, in reverse order (clients sort by index).
  static HttpReply Ok(const json& req, size_t dim) {
    json data = json::array();
    for (size_t i = req["input"].size(); i-- > 0;) {
      data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", WorkerVec(req["input"][i], dim)}});
    }
    return {200, "", json({{"object", "list"}, {"data", data}}).dump()};
  }

 private:
  void Loop() {
    while (!stopping_) {
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (stopping_) return;
        continue;
      }
      timeval tv{10, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      Serve(c);
      close(c);
    }
  }
  static bool SendAll(int c, const std::string& s) {
    size_t at = 0;
    while (at < s.size()) {
      ssize_t n = send(c, s.data() + at, s.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return false;
      at += static_cast<size_t>(n);
    }
    return true;
  }
  void Serve(int c) {
    std::string in;
    char buf[65536];
    size_t head_end;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
    }
    std::string head = in.substr(0, head_end);
    for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t length = 0;
    if (auto p = head.find("content-length:"); p != std::string::npos) length = std::stoul(head.substr(p + 15));
    if (head.find("100-continue") != std::string::npos && !SendAll(c, "HTTP/1.1 100 Continue\r\n\r\n")) return;
    std::string body = in.substr(head_end + 4);
    while (body.size() < length) {
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      body.append(buf, static_cast<size_t>(n));
    }
    HttpReply r = handler_(count_++, json::parse(body, nullptr, false));
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + (r.status == 200 ? " OK" : " Error") +
                      "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(r.body.size()) + "\r\n" + r.headers + "\r\n" + r.body;
    SendAll(c, out);
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> count_{0};
};

TEST_F(CliMigrateTest, HttpEmbedderThrottledOnceThenServed) {
  MakeTable(300, 100);
  ASSERT_FALSE(HasFatalFailure());
  std::atomic<int> throttled{0};
  HttpServer server([&](int n, const json& req) {
    if (n == 0) {
      ++throttled;
      return HttpReply{429, "Retry-After: 1\r\n", "{\"error\":\"slow down\"}"};
    }
    return HttpServer::Ok(req, 16);
  });
  ASSERT_GT(server.port(), 0);
  auto m = Cli({"migrate", "t", "--embedder", server.Spec("emb-x"), "--new-model", "emb-x@1", "--batch-size", "64",
                "--format", "json", "--quiet"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(throttled.load(), 1);
  EXPECT_GE(server.requests(), 2 + 300 / 64);
  EXPECT_EQ(Info()["model"], "emb-x@1");
  auto rows = Scan("embedding");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 300u);
  for (const auto& [id, r] : *rows) ExpectNear(r.vector, WorkerVec(r.text, 16), id);
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
}

// `migrate status` reports the embedder's calls, latency and errors from the task records the
// migrating process wrote: two requests answered 500 (retried) in a run that succeeds, and an error
// body echoing the URL's password, which never reaches the status.
TEST_F(CliMigrateTest, HttpEmbedderRetriesAreCountedInMigrateStatus) {
  MakeTable(300, 100);
  ASSERT_FALSE(HasFatalFailure());
  std::atomic<int> failed{0};
  HttpServer server([&](int n, const json& req) {
    if (n == 2 || n == 5) {  // after the dimension probe (request 0)
      ++failed;
      return HttpReply{500, "Retry-After: 0\r\n", "{\"error\":\"model overloaded for user:s3cretpw\"}"};
    }
    return HttpServer::Ok(req, 16);
  });
  ASSERT_GT(server.port(), 0);
  const std::string spec = "http:http://user:s3cretpw@127.0.0.1:" + std::to_string(server.port()) + ",model=emb-x";
  auto m = Cli({"migrate", "t", "--embedder", spec, "--new-model", "emb-x@1", "--batch-size", "64", "--quiet"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(failed.load(), 2);
  auto st = Cli({"migrate", "status", "t", "--format", "json"});
  ASSERT_EQ(st.code, 0) << st.err;
  const json e = json::parse(st.out)["embed_stats"];
  EXPECT_EQ(e["calls"], 6) << "3 files of 100 rows in batches of 64: " << e.dump();
  EXPECT_EQ(e["texts"], 300) << e.dump();
  EXPECT_EQ(e["failed_calls"], 0) << e.dump();
  EXPECT_EQ(e["retries"], 2) << e.dump();
  EXPECT_EQ(e["errors"], 2) << e.dump();
  EXPECT_GT(e["mean_ms"].get<double>(), 0.0) << e.dump();
  EXPECT_GE(e["p95_ms"].get<double>(), 0.0) << e.dump();
  EXPECT_GE(e["max_ms"].get<double>(), e["mean_ms"].get<double>()) << e.dump();
  const std::string last = e["last_error"];
  EXPECT_NE(last.find("HTTP 500"), std::string::npos) << last;
  EXPECT_NE(last.find("model overloaded"), std::string::npos) << last;
  EXPECT_GT(e["last_error_ms"].get<int64_t>(), 0);
  EXPECT_EQ(st.out.find("s3cretpw"), std::string::npos) << "the password leaked into the status: " << st.out;
  auto text = Cli({"migrate", "status", "t"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("embedder calls: 6 (300 texts)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("errors 2 (0 failed calls, 2 retries)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("last embedder error: "), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("s3cretpw"), std::string::npos) << text.out;
}

// A run stopped by an embedder that keeps failing: the failed calls (of tasks that got no record)
// are in the status all the same, from the job document the failing run saved.
TEST_F(CliMigrateTest, HttpEmbedderFailedCallsAreCountedInMigrateStatus) {
  MakeTable(300, 100);
  ASSERT_FALSE(HasFatalFailure());
  HttpServer server([&](int n, const json& req) {
    if (n >= 3) return HttpReply{500, "Retry-After: 0\r\n", "{\"error\":\"model crashed\"}"};
    return HttpServer::Ok(req, 16);  // the probe and two batches
  });
  ASSERT_GT(server.port(), 0);
  auto m = Cli({"migrate", "t", "--embedder", server.Spec("emb-x"), "--new-model", "emb-x@1", "--batch-size", "64",
                "--embed-retries", "1"});
  EXPECT_EQ(m.code, 1) << m.err;
  auto st = Cli({"migrate", "status", "t", "--format", "json"});
  ASSERT_EQ(st.code, 0) << st.err;
  const json j = json::parse(st.out);
  EXPECT_EQ(j["state"], "stopped");
  const json& e = j["embed_stats"];
  EXPECT_GE(e["failed_calls"].get<int64_t>(), 1) << e.dump();
  EXPECT_EQ(e["retries"], e["failed_calls"]) << "each failed call was retried once: " << e.dump();
  EXPECT_EQ(e["calls"].get<int64_t>(), e["failed_calls"].get<int64_t>() + 2) << e.dump();
  EXPECT_EQ(e["errors"].get<int64_t>(), 2 * e["failed_calls"].get<int64_t>()) << e.dump();
  EXPECT_GT(e["mean_ms"].get<double>(), 0.0) << e.dump();
  EXPECT_NE(e["last_error"].get<std::string>().find("model crashed"), std::string::npos) << e.dump();
}

TEST_F(CliMigrateTest, HttpEmbedderAlways500FailsAfterRetriesAndTouchesNothing) {
  MakeTable(300, 100);
  ASSERT_FALSE(HasFatalFailure());
  HttpServer server([](int, const json&) { return HttpReply{500, "", "{\"error\":\"model crashed\"}"}; });
  const json before = Info();
  const auto files_before = TableFiles();
  auto m = Cli({"migrate", "t", "--embedder", server.Spec("emb-x"), "--new-model", "emb-x@1", "--embed-retries", "2"});
  EXPECT_EQ(m.code, 1) << m.err;
  EXPECT_NE(m.err.find("500"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("3 attempts"), std::string::npos) << m.err;
  EXPECT_EQ(server.requests(), 3) << "one request and two retries";
  EXPECT_EQ(Info()["metadata"], before["metadata"]);
  EXPECT_EQ(TableFiles(), files_before);
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
}

TEST_F(CliMigrateTest, HttpEmbedderUnreachableIsAClearError) {
  MakeTable(100, 100);
  ASSERT_FALSE(HasFatalFailure());
  // A port nobody listens on: bind one, note it, close it.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const std::string port = std::to_string(ntohs(a.sin_port));
  close(s);
  const json before = Info();
  auto m = Cli({"migrate", "t", "--embedder", "http:http://127.0.0.1:" + port + ",model=m", "--new-model", "m@1",
                "--embed-retries", "1"});
  EXPECT_EQ(m.code, 1) << m.err;
  EXPECT_NE(m.err.find("127.0.0.1:" + port), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("onnect"), std::string::npos) << "names the connection failure: " << m.err;
  EXPECT_EQ(Info()["metadata"], before["metadata"]);
  EXPECT_FALSE(MigrationsFolderExists());
}

// ---- 7. bad arguments ----------------------------------------------------------------------------

TEST_F(CliMigrateTest, BadArgumentsAreUsageErrors) {
  MakeTable(100, 100);
  ASSERT_FALSE(HasFatalFailure());
  const json before = Info();
  const std::vector<std::string> ok = {"migrate", "t", "--embedder", "hash:dim=8", "--new-model", "h8@1"};
  auto with = [&](std::vector<std::string> extra, std::vector<std::string> base) {
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
  };
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> phrases;
  };
  const std::vector<Case> cases = {
      {{"migrate", "t", "--new-model", "h8@1"}, {"--embedder"}},
      {{"migrate", "t", "--embedder", "hash:dim=8"}, {"--new-model"}},
      {with({"--batch-size", "0"}, ok), {"batch-size"}},
      {with({"--strategy", "bogus"}, ok), {"bogus", "atomic-replace", "dual-write-then-cutover"}},
      {with({"--null-text", "bogus"}, ok), {"bogus", "skip", "fail"}},
      {with({"--text-column", "nope"}, ok), {"'nope'", "does not exist"}},
      {with({"--keep-old-column"}, ok), {"--new-column"}},
      {with({"--new-dim", "9"}, ok), {"dim 9", "returns 8"}},
      {with({"--format", "yaml"}, ok), {"--format"}},
      {{"migrate", "t", "--embedder", "telepathy:x", "--new-model", "h8@1"}, {"telepathy"}},
      {{"migrate", "t", "--embedder", "hash:dim=32,seed=0", "--new-model", "hash-32@seed0"}, {"already embedded"}},
  };
  for (const auto& c : cases) {
    auto r = Cli(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.code, 2) << joined << "\n" << r.err;
    for (const auto& p : c.phrases) EXPECT_NE(r.err.find(p), std::string::npos) << joined << ": " << r.err;
  }
  // Nothing was planned by any of them.
  EXPECT_EQ(Info()["metadata"], before["metadata"]);
  EXPECT_FALSE(MigrationsFolderExists());
  // No job: resume, abort, commit and run-task say so (exit 1).
  for (const std::string sub : {"resume", "abort", "commit"}) {
    auto r = Cli({"migrate", sub, "t"});
    EXPECT_EQ(r.code, 1) << sub;
    EXPECT_NE(r.err.find("no migration is running"), std::string::npos) << sub << ": " << r.err;
  }
  auto rt = Cli({"migrate", "run-task", "t", "--task", "0123456789abcdef"});
  EXPECT_EQ(rt.code, 1);
  EXPECT_NE(rt.err.find("no migration is running"), std::string::npos) << rt.err;
  EXPECT_EQ(Cli({"migrate", "run-task", "t"}).code, 2);  // --task is required
  // A second job while one is planned names the running one.
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=8", "--new-model", "h8@1", "--format", "json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  const std::string job = json::parse(plan.out)["job_id"];
  for (const std::string sub : {"", "plan"}) {
    std::vector<std::string> args = {"migrate"};
    if (!sub.empty()) args.push_back(sub);
    args.insert(args.end(), {"t", "--embedder", "hash:dim=16", "--new-model", "h16@1"});
    auto r = Cli(args);
    EXPECT_EQ(r.code, 1) << sub;
    EXPECT_NE(r.err.find(job), std::string::npos) << sub << ": " << r.err;
    EXPECT_NE(r.err.find("already running"), std::string::npos) << sub << ": " << r.err;
  }
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_EQ(st["job_id"], job);
  EXPECT_EQ(st["new_model"], "h8@1");
  auto bad_task = Cli({"migrate", "run-task", "t", "--task", "not-a-task"});
  EXPECT_EQ(bad_task.code, 1);
  EXPECT_NE(bad_task.err.find("not-a-task"), std::string::npos) << bad_task.err;
}

// ---- 8. null texts ---------------------------------------------------------------------------------

const std::set<int> kNullTexts = {3, 17, 40, 41, 77, 90, 91, 92, 93, 99};

// skip keeps the rows with a null vector (never embedded, never returned by search); empty embeds "".
TEST_F(CliMigrateTest, NullTextSkipAndEmpty) {
  const std::string q = RowText(50);
  for (const std::string policy : {"skip", "empty"}) {
    SCOPED_TRACE(policy);
    fs::remove_all(wh_);
    std::ofstream(log_, std::ios::trunc).close();
    MakeTable(100, 1000, kNullTexts);  // one file
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_EQ(Info()["rows"], 100);
    auto m = Cli({"migrate", "t", "--embedder", Worker(), "--new-model", "logw-16@v1", "--null-text", policy,
                  "--batch-size", "16", "--quiet"});
    ASSERT_EQ(m.code, 0) << m.err;
    const auto logged = ReadLog();
    const auto empties = std::count(logged.begin(), logged.end(), std::string());
    auto rows = Scan("embedding");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 100u) << "every row is kept";
    for (int i = 0; i < 100; ++i) {
      const auto& r = rows->at("r" + std::to_string(i));
      ASSERT_EQ(r.text_null, kNullTexts.count(i) > 0);
      if (kNullTexts.count(i) && policy == "skip") {
        EXPECT_TRUE(r.vector_null) << i;
      } else {
        ASSERT_FALSE(r.vector_null) << i;
        ExpectNear(r.vector, WorkerVec(r.text_null ? "" : r.text, 16), "r" + std::to_string(i));
      }
    }
    // skip never sends "" to the model; empty sends it once per null row.
    EXPECT_EQ(empties, policy == "skip" ? 0 : static_cast<long>(kNullTexts.size()));
    auto s = Search({"--text", q, "--embedder", Worker(), "--model", "logw-16@v1", "-k", "100", "--exact"});
    ASSERT_EQ(s["results"].size(), policy == "skip" ? 100 - kNullTexts.size() : 100u);
    EXPECT_EQ(s["results"][0]["id"], "r50");
    if (policy == "skip") {
      for (const auto& r : s["results"]) {
        EXPECT_FALSE(r["chunk_text"].is_null()) << "a row without a vector was returned: " << r.dump();
      }
    }
    EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  }
}

// fail stops the job on the first null text; nothing is committed and nothing empty is embedded.
TEST_F(CliMigrateTest, NullTextFailIsADataErrorAndChangesNothing) {
  MakeTable(100, 1000, kNullTexts);  // one file: its only task fails
  ASSERT_FALSE(HasFatalFailure());
  const json before = Info();
  auto m = Cli({"migrate", "t", "--embedder", Worker(), "--new-model", "logw-16@v1", "--null-text", "fail",
                "--batch-size", "16", "--quiet"});
  const auto logged = ReadLog();
  EXPECT_EQ(std::count(logged.begin(), logged.end(), std::string()), 0);
  EXPECT_NE(m.err.find("null"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("chunk_text"), std::string::npos) << m.err;
  const json after = Info();
  EXPECT_EQ(after["current_snapshot_id"], before["current_snapshot_id"]);
  EXPECT_EQ(after["model"], "hash-32@seed0");
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  ASSERT_TRUE(st["running"]);
  EXPECT_EQ(st["finished"].get<int>() + st["committed"].get<int>(), 0);
  const std::string job = st["job_id"];
  ASSERT_EQ(Cli({"migrate", "abort", "t"}).code, 0);
  EXPECT_EQ(StagedFiles(job), 0u);
  // Exit codes (ailake --help): 1 = failure (invalid data), 2 = usage error. The command line was
  // valid (the job was planned and ran); the data had a null text.
  EXPECT_EQ(m.code, 1) << "a null text in the data is a data failure, not a usage error: " << m.err;
}


// ---- honest migration states (issue 10) and job records that are data (issue 12) ---------------

// The current metadata JSON of table "t", read directly (an independent view of what any Iceberg
// reader sees: the fs catalog's version-hint.text names the current vN.metadata.json).
json MetadataJson(const std::string& wh) {
  const fs::path meta = fs::path(wh) / "default/t/metadata";
  std::ifstream hint(meta / "version-hint.text");
  std::string v;
  hint >> v;
  std::ifstream in(meta / ("v" + v + ".metadata.json"));
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

json CurrentSchemaFields(const json& m) {
  for (const auto& s : m["schemas"]) {
    if (s["schema-id"] == m["current-schema-id"]) return s["fields"];
  }
  return json();
}

// During an atomic-replace run, a search says how many live files it skipped and which model they
// hold (text and JSON), instead of "searched 3 of 3" over a silently smaller table.
// Planted bug: printing files_total without files_other_model in the search command gave
// "searched 3 of 3 file(s)" and this test failed.
TEST_F(CliMigrateTest, SearchDuringAtomicReplaceReportsSkippedFiles) {
  MakeTable(500, 100);
  ASSERT_FALSE(HasFatalFailure());
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=48,seed=1", "--new-model", "hash-48@seed1", "--format", "json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto pj = json::parse(plan.out);
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Cli({"migrate", "run-task", "t", "--task", pj["tasks"][i]["task"]}).code, 0);
  ASSERT_EQ(Cli({"migrate", "commit", "t"}).code, 0);
  auto text = Cli({"search", "t", "--text", RowText(400), "--embedder", "hash:dim=32,seed=0", "-k", "3"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("searched 3 of 5 file(s)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("2 skipped: on model hash-48@seed1"), std::string::npos) << text.out;
  auto j = Search({"--text", RowText(400), "--embedder", "hash:dim=32,seed=0", "-k", "3"});
  EXPECT_EQ(j["files"]["total"], 5);
  EXPECT_EQ(j["files"]["searched"], 3);
  EXPECT_EQ(j["files"]["skipped_other_model"], 2);
  EXPECT_EQ(j["files"]["other_models"], json({{"hash-48@seed1", 2}}));
  // The new model, the other way round.
  auto n = Search({"--text", RowText(1), "--embedder", "hash:dim=48,seed=1", "-k", "3"});
  EXPECT_EQ(n["files"]["searched"], 2);
  EXPECT_EQ(n["files"]["other_models"], json({{"hash-32@seed0", 3}}));
  // No migration, no skipped files: the line says nothing about skipping.
  ASSERT_EQ(Cli({"migrate", "resume", "t", "--quiet"}).code, 0);
  auto after = Cli({"search", "t", "--text", RowText(1), "--embedder", "hash:dim=48,seed=1"});
  EXPECT_EQ(after.out.find("skipped"), std::string::npos) << after.out;
}

// The Iceberg schema names the new column (nullable, fresh field id) from the plan on, so a file
// committed mid-run carries no column the schema does not know; the cutover gives it its final name.
// Checked on the metadata JSON itself. Planted bug: dropping PlanSchema from the plan commit left the
// committed file's field id out of every schema until the cutover, and this test failed.
TEST_F(CliMigrateTest, SchemaKnowsTheNewColumnThroughoutTheJob) {
  MakeTable(300, 100);
  ASSERT_FALSE(HasFatalFailure());
  const json before = CurrentSchemaFields(MetadataJson(wh_));
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=48,seed=1", "--new-model", "hash-48@seed1", "--format", "json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto pj = json::parse(plan.out);
  const std::string job = pj["job_id"];
  std::ifstream jf(fs::path(wh_) / "default/t/metadata/migrations" / job / "job.json");
  const json doc = json::parse(jf);
  const int new_id = doc["new_field_id"];
  auto find_field = [](const json& fields, int id) {
    for (const auto& f : fields) {
      if (f["id"] == id) return f;
    }
    return json();
  };
  for (int step = 0; step < 2; ++step) {
    SCOPED_TRACE(step == 0 ? "after the plan" : "after one task committed");
    if (step == 1) {
      ASSERT_EQ(Cli({"migrate", "run-task", "t", "--task", pj["tasks"][0]["task"]}).code, 0);
      ASSERT_EQ(Cli({"migrate", "commit", "t"}).code, 0);
    }
    const json fields = CurrentSchemaFields(MetadataJson(wh_));
    ASSERT_EQ(fields.size(), before.size() + 1);
    const json f = find_field(fields, new_id);
    ASSERT_FALSE(f.is_null()) << fields.dump();
    EXPECT_EQ(f["required"], false);
    EXPECT_EQ(f["type"], "fixed[96]");  // 48 x f16
    EXPECT_EQ(f["name"], "embedding__" + job.substr(0, 8));
    EXPECT_EQ(find_field(fields, before.back()["id"])["name"], before.back()["name"]) << "the old column stays";
  }
  ASSERT_EQ(Cli({"migrate", "resume", "t", "--quiet"}).code, 0);
  const json fields = CurrentSchemaFields(MetadataJson(wh_));
  EXPECT_EQ(fields.size(), before.size());
  EXPECT_EQ(find_field(fields, new_id)["name"], "embedding");
}

// Abort after committed work: a choice is required (exit 2, nothing changed); --rollback restores
// the base snapshot's rows exactly; status and list show the aborted job afterwards.
TEST_F(CliMigrateTest, AbortWithCommittedWorkOffersRollbackThatRestoresTheBase) {
  MakeTable(400, 100);
  ASSERT_FALSE(HasFatalFailure());
  auto base_rows = Scan("embedding");
  ASSERT_TRUE(base_rows.ok());
  const json base_info = Info();
  const json base_fields = CurrentSchemaFields(MetadataJson(wh_));
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=48,seed=1", "--new-model", "hash-48@seed1", "--format", "json"});
  ASSERT_EQ(plan.code, 0);
  auto pj = json::parse(plan.out);
  const std::string job = pj["job_id"];
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Cli({"migrate", "run-task", "t", "--task", pj["tasks"][i]["task"]}).code, 0);
  ASSERT_EQ(Cli({"migrate", "commit", "t"}).code, 0);
  auto mid = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_EQ(mid["state"], "running");
  EXPECT_EQ(mid["committed"], 2);
  EXPECT_EQ(mid["remaining"], 2);
  EXPECT_EQ(mid["base_snapshot_id"], base_info["current_snapshot_id"]);

  auto plain = Cli({"migrate", "abort", "t"});
  EXPECT_EQ(plain.code, 2);
  for (const char* p : {"already committed 2 file(s)", "--rollback", "--finish-later", "hash-32@seed0"}) {
    EXPECT_NE(plain.err.find(p), std::string::npos) << p << ": " << plain.err;
  }
  EXPECT_EQ(json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out)["state"], "running") << "nothing changed";
  EXPECT_EQ(Cli({"migrate", "abort", "t", "--rollback", "--finish-later"}).code, 2);

  auto rb = Cli({"migrate", "abort", "t", "--rollback"});
  ASSERT_EQ(rb.code, 0) << rb.err;
  EXPECT_NE(rb.out.find("rolled table default.t back to snapshot"), std::string::npos) << rb.out;
  const json info = Info();
  EXPECT_EQ(info["current_snapshot_id"], base_info["current_snapshot_id"]);
  EXPECT_EQ(info["model"], "hash-32@seed0");
  EXPECT_FALSE(info["properties"].contains("ailake.migration"));
  EXPECT_EQ(CurrentSchemaFields(MetadataJson(wh_)), base_fields);
  auto rows = Scan("embedding");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), base_rows->size());
  for (const auto& [id, r] : *base_rows) {
    auto g = rows->find(id);
    ASSERT_NE(g, rows->end()) << id;
    EXPECT_EQ(g->second.text, r.text);
    EXPECT_EQ(g->second.vector, r.vector) << id;
    EXPECT_EQ(g->second.file, r.file) << id << ": the base snapshot's own file";
  }
  EXPECT_EQ(Cli({"verify", "t"}).code, 0);
  // The old model reaches every file again.
  auto s = Search({"--text", RowText(1), "--embedder", "hash:dim=32,seed=0"});
  EXPECT_EQ(s["files"]["searched"].get<int>() + s["files"]["pruned"].get<int>(), 4);
  EXPECT_EQ(s["files"]["skipped_other_model"], 0);
  // Status and list after the abort.
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_EQ(st["job_id"], job);
  EXPECT_EQ(st["state"], "aborted");
  EXPECT_EQ(st["running"], false);
  EXPECT_EQ(st["rolled_back"], true);
  EXPECT_EQ(st["base_snapshot_id"], base_info["current_snapshot_id"]);
  auto text = Cli({"migrate", "status", "t"});
  EXPECT_NE(text.out.find("aborted (rolled back)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("base snapshot"), std::string::npos) << text.out;
  auto list = json::parse(Cli({"migrate", "list", "t", "--format", "json"}).out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["job_id"], job);
  EXPECT_EQ(list[0]["state"], "aborted");
}

// --rollback refuses, naming the snapshot, when another writer committed since the plan; then
// --finish-later stops the job, resume finishes it, and status/list show the finished job.
TEST_F(CliMigrateTest, RollbackRefusedAfterAnotherWriterThenFinishLater) {
  MakeTable(300, 100);
  ASSERT_FALSE(HasFatalFailure());
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=48,seed=1", "--new-model", "hash-48@seed1", "--format", "json"});
  ASSERT_EQ(plan.code, 0);
  auto pj = json::parse(plan.out);
  const std::string job = pj["job_id"];
  ASSERT_EQ(Cli({"migrate", "run-task", "t", "--task", pj["tasks"][0]["task"]}).code, 0);
  ASSERT_EQ(Cli({"migrate", "commit", "t"}).code, 0);
  auto ins = Cli({"insert", "t", Jsonl("more.jsonl", 1000, 20, "x"), "--embedder", "hash:dim=32,seed=0"});
  ASSERT_EQ(ins.code, 0) << ins.err;
  const json after_insert = Info();
  const auto metadata_before = MetadataJson(wh_);
  auto rb = Cli({"migrate", "abort", "t", "--rollback"});
  EXPECT_EQ(rb.code, 1);
  EXPECT_NE(rb.err.find("other writers committed"), std::string::npos) << rb.err;
  EXPECT_NE(rb.err.find("snapshot " + after_insert["current_snapshot_id"].dump() + " (append)"), std::string::npos) << rb.err;
  EXPECT_EQ(MetadataJson(wh_), metadata_before) << "a refused rollback changes nothing";

  auto later = Cli({"migrate", "abort", "t", "--finish-later"});
  ASSERT_EQ(later.code, 0) << later.err;
  auto st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_EQ(st["state"], "stopped");
  EXPECT_EQ(st["running"], true);
  auto done = Cli({"migrate", "resume", "t", "--quiet"});
  ASSERT_EQ(done.code, 0) << done.err;
  st = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_EQ(st["state"], "finished");
  EXPECT_EQ(st["job_id"], job);
  EXPECT_EQ(st["last_job_id"], job);
  EXPECT_EQ(st["remaining"], 0);
  EXPECT_EQ(st["committed"], 4) << "3 planned files and the appended one";
  auto list = Cli({"migrate", "list", "t"});
  EXPECT_NE(list.out.find(job + "  finished"), std::string::npos) << list.out;
  auto rows = Scan("");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 320u);
}

// job.json is data: a command embedder written into it is never run (a file it would create must
// not appear), resume/run-task take the embedder from the user and refuse one that differs, and
// persisted specs hold no secrets. Planted bug: building the embedder from doc_.options in
// MigrationJob::GetEmbedder (as before) created PWNED and this test failed.
TEST_F(CliMigrateTest, JobRecordCannotNameAProgramAndHoldsNoSecrets) {
  MakeTable(200, 100);
  ASSERT_FALSE(HasFatalFailure());
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=16,seed=3", "--new-model", "h16@3", "--format", "json"});
  ASSERT_EQ(plan.code, 0);
  auto pj = json::parse(plan.out);
  const fs::path job_json = fs::path(wh_) / "default/t/metadata/migrations" / pj["job_id"].get<std::string>() / "job.json";
  json doc = json::parse(std::ifstream(job_json));
  const std::string pwned = (dir_ / "PWNED").string();
  doc["embedder"] = "command:/usr/bin/touch " + pwned;
  std::ofstream(job_json) << doc.dump();
  auto st = Cli({"migrate", "status", "t"});
  EXPECT_NE(st.out.find("embedder: command:/usr/bin/touch"), std::string::npos) << "status shows it: " << st.out;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"migrate", "resume", "t"},
           {"migrate", "run-task", "t", "--task", pj["tasks"][0]["task"]},
           {"migrate", "resume", "t", "--embedder", "hash:dim=16,seed=3"},
           {"migrate", "resume", "t", "--embedder", "command:/usr/bin/touch " + pwned + "2"}}) {
    auto r = Cli(args);
    EXPECT_EQ(r.code, 2) << args.back() << ": " << r.err;
    EXPECT_NE(r.err.find("--embedder"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(pwned)) << "a program named in job.json was run";
  EXPECT_FALSE(fs::exists(pwned + "2"));
  ASSERT_EQ(Cli({"migrate", "abort", "t"}).code, 0);

  // Secrets in a spec never reach the warehouse. (dim= given: planning sends no request.)
  auto secret = Cli({"migrate", "plan", "t", "--embedder", "http:http://alice:s3cretpw@127.0.0.1:9/v1?key=K3YVALUE,model=m,dim=8",
                     "--new-model", "m@1", "--embed-retries", "0", "--format", "json"});
  ASSERT_EQ(secret.code, 0) << secret.err;
  const std::string id = json::parse(secret.out)["job_id"];
  std::ifstream in(fs::path(wh_) / "default/t/metadata/migrations" / id / "job.json");
  std::stringstream ss;
  ss << in.rdbuf();
  for (const char* s : {"s3cretpw", "K3YVALUE", "alice"}) EXPECT_EQ(ss.str().find(s), std::string::npos) << s << " in " << ss.str();
  auto status = json::parse(Cli({"migrate", "status", "t", "--format", "json"}).out);
  EXPECT_NE(status["embedder"].get<std::string>().find("127.0.0.1:9"), std::string::npos) << status["embedder"];
  EXPECT_EQ(status["embedder"].get<std::string>().find("s3cretpw"), std::string::npos);
  // The same spec with a rotated password is accepted (then fails to connect: exit 1, not 2).
  auto rotated = Cli({"migrate", "resume", "t", "--quiet", "--embedder",
                      "http:http://alice:newpw@127.0.0.1:9/v1?key=OTHER,model=m,dim=8"});
  EXPECT_EQ(rotated.code, 1) << rotated.err;
  EXPECT_EQ(rotated.err.find("is not the one"), std::string::npos) << rotated.err;
}

}  // namespace
}  // namespace ailake::cli
