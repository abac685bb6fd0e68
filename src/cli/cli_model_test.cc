// One model identity end to end, through the CLI: create -> insert with an embedder -> migrate to a
// new model with a new dimension -> insert more rows with the new model -> search with it, for a
// real HTTP embeddings server on loopback (cpp-httplib) and a real `command` worker
// (tests/embedders/logging_worker.py), with versioned and unversioned model names.
// Also the exit codes of embedder failures and the empty query text.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "cli/worker_vectors_test_util.h"
#include "core/uuid.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using Out = testing::CliOut;

// An OpenAI-compatible /v1/embeddings server whose models have fixed dimensions ("small-embed" 8,
// "big-embed" 12); vectors are the logging worker's, so HTTP and command tables hold the same
// numbers. Unknown models get HTTP 404, as OpenAI answers.
class EmbeddingsServer {
 public:
  EmbeddingsServer() {
    ::setenv("no_proxy", "127.0.0.1", 1);
    server_.Post("/v1/embeddings", [this](const httplib::Request& req, httplib::Response& res) {
      json body = json::parse(req.body, nullptr, false);
      const std::string model = body.is_object() ? body.value("model", "") : "";
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(body);
      }
      size_t dim = model == "small-embed" ? 8 : model == "big-embed" ? 12 : 0;
      if (dim == 0) {
        res.status = 404;
        res.set_content(json({{"error", {{"message", "model '" + model + "' not found"}}}}).dump(), "application/json");
        return;
      }
      json data = json::array();
      for (size_t i = 0; i < body["input"].size(); ++i) {
        data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", testing::WorkerVec(body["input"][i], dim)}});
      }
      res.set_content(json({{"object", "list"}, {"data", data}, {"model", model}}).dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~EmbeddingsServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<json> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<json> requests_;
};

std::string RowText(int i) {
  static const char* kTopics[] = {"galaxy telescope orbit", "garlic oven butter", "router packet socket"};
  return std::string(kTopics[i % 3]) + " note " + std::to_string(i);
}

class CliModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_ / "wh").string();
    log_ = (dir_ / "worker.log").string();
  }

  Out Cli(std::vector<std::string> args) { return testing::RunCli(std::move(args), wh_); }
  // Rows [start, start + n) with ids "<prefix><i>" and RowText(i).
  std::string Rows(const std::string& prefix, int start, int n) {
    std::string s;
    for (int i = start; i < start + n; ++i) s += json({{"id", prefix + std::to_string(i)}, {"chunk_text", RowText(i)}}).dump() + "\n";
    std::string p = (dir_ / (prefix + std::to_string(start) + ".jsonl")).string();
    std::ofstream(p) << s;
    return p;
  }
  // The logging worker as a command spec; `options` go before the program ("" = the old form).
  std::string Worker(const std::string& options, int dim) const {
    return "command:" + (options.empty() ? "" : options + ":") + "/usr/bin/python3 " + std::string(AILAKE_SOURCE_DIR) +
           "/tests/embedders/logging_worker.py log=" + log_ + " dim=" + std::to_string(dim);
  }
  size_t WorkerLogged(const std::string& text) {
    std::ifstream in(log_);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) n += !line.empty() && json::parse(line) == text;
    return n;
  }
  // Every id a search with `spec` finds (exact scan, k large), and the top hit for `query`.
  std::set<std::string> SearchAll(const std::vector<std::string>& embedder_args, const std::string& query,
                                  std::string* top) {
    std::vector<std::string> args = {"search", "t", "--text", query, "--exact", "-k", "1000", "--format", "json"};
    args.insert(args.end(), embedder_args.begin(), embedder_args.end());
    auto r = Cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    std::set<std::string> ids;
    if (r.code != 0) return ids;
    json j = json::parse(r.out);
    for (const auto& hit : j["results"]) ids.insert(hit["id"].get<std::string>());
    if (top && !j["results"].empty()) *top = j["results"][0]["id"];
    return ids;
  }

  test_util::TempDir tmp_{"climodel"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string wh_, log_;
};

struct LoopCase {
  bool http;
  bool versioned;
};

class AcceptanceLoop : public CliModelTest, public ::testing::WithParamInterface<LoopCase> {};

// The acceptance loop of issue 9. Planted bugs, each run and seen failing: (1) the http spec's
// model=big-embed@2 taken as a bare name (HttpVersioned fails: "model 'big-embed@2' is not the
// table's model 'big-embed@2'"); (2) insert reading model().dim instead of probing (all four fail:
// "embedder dim differs"); (3) the command spec's model= ignored, the model named after the
// program (both Command variants fail).
TEST_P(AcceptanceLoop, CreateInsertMigrateInsertSearch) {
  const LoopCase c = GetParam();
  EmbeddingsServer server;
  const std::string old_model = c.versioned ? "small-embed@1" : "small-embed";
  const std::string new_model = c.versioned ? "big-embed@2" : "big-embed";
  // A spec naming `model` (no dim=: learned by a probe), for the model's real dimension.
  auto spec = [&](const std::string& model, int dim) {
    return c.http ? "http:" + server.Url() + ",model=" + model : Worker("model=" + model, dim);
  };
  ASSERT_EQ(Cli({"create", "t", "--dim", "8", "--model", old_model, "--target-file-rows", "20"}).code, 0);
  auto first = Cli({"insert", "t", Rows("a", 0, 30), "--embedder", spec(old_model, 8), "--batch-size", "7"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("30 embedded"), std::string::npos) << first.out;

  // Migrate to a new model and dimension; the spec names the model, so no --new-model.
  auto m = Cli({"migrate", "t", "--embedder", spec(new_model, 12), "--quiet", "--format", "json"});
  ASSERT_EQ(m.code, 0) << m.err;
  auto info = Cli({"info", "t", "--format", "json"});
  ASSERT_EQ(info.code, 0);
  EXPECT_EQ(json::parse(info.out)["model"], new_model);
  EXPECT_EQ(json::parse(info.out)["dim"], 12);

  // A spec naming another identity is refused before anything is embedded or written, naming both
  // identities and the flag; exit 2 (the command line is wrong).
  const std::string other = c.versioned ? "big-embed" : "big-embed@9";
  auto wrong = Cli({"insert", "t", Rows("b", 100, 10), "--embedder", spec(other, 12)});
  EXPECT_EQ(wrong.code, 2) << wrong.err;
  EXPECT_NE(wrong.err.find("'" + other + "'"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("'" + new_model + "'"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("--model " + new_model), std::string::npos) << wrong.err;

  // More rows with the new model: the spec alone, then an unnamed spec plus --model.
  const size_t probes_before = c.http ? server.requests().size() : WorkerLogged("dimension probe");
  auto more = Cli({"insert", "t", Rows("b", 100, 10), "--embedder", spec(new_model, 12)});
  ASSERT_EQ(more.code, 0) << more.err;
  if (c.http) {
    auto reqs = server.requests();
    ASSERT_GT(reqs.size(), probes_before);
    EXPECT_EQ(reqs[probes_before]["input"], json({"dimension probe"})) << "insert probes the unknown dimension first";
    EXPECT_EQ(reqs.back()["model"], "big-embed");  // the server gets the name, never ailake's @version
  } else {
    EXPECT_EQ(WorkerLogged("dimension probe"), probes_before + 1);
  }
  const std::string unnamed = c.http ? "http:" + server.Url() : Worker("", 12);
  auto flagged = Cli({"insert", "t", Rows("c", 200, 5), "--embedder", unnamed, "--model", new_model});
  ASSERT_EQ(flagged.code, 0) << flagged.err;

  // Search with the new model's spec (no --model): every row is found, each text finds its row.
  std::set<std::string> want;
  for (int i = 0; i < 30; ++i) want.insert("a" + std::to_string(i));
  for (int i = 100; i < 110; ++i) want.insert("b" + std::to_string(i));
  for (int i = 200; i < 205; ++i) want.insert("c" + std::to_string(i));
  for (int i : {3, 104, 202}) {
    std::string top;
    EXPECT_EQ(SearchAll({"--embedder", spec(new_model, 12)}, RowText(i), &top), want);
    EXPECT_EQ(top, (i < 100 ? "a" : i < 200 ? "b" : "c") + std::to_string(i));
  }
  // The old model's spec finds no file of it any more, and says which flag names a model.
  auto stale = Cli({"search", "t", "--text", RowText(3), "--embedder", spec(old_model, 8)});
  EXPECT_EQ(stale.code, 2);
  EXPECT_NE(stale.err.find("--model"), std::string::npos) << stale.err;
}

INSTANTIATE_TEST_SUITE_P(Embedders, AcceptanceLoop,
                         ::testing::Values(LoopCase{true, true}, LoopCase{true, false}, LoopCase{false, true},
                                           LoopCase{false, false}),
                         [](const ::testing::TestParamInfo<LoopCase>& i) {
                           return std::string(i.param.http ? "Http" : "Command") +
                                  (i.param.versioned ? "Versioned" : "Unversioned");
                         });

// An embedder failure is a remote failure (exit 1), not a usage error; an empty query is (exit 2).
TEST_F(CliModelTest, EmbedderFailuresExitOneAndEmptyQueryExitsTwo) {
  EmbeddingsServer server;
  ASSERT_EQ(Cli({"create", "t", "--dim", "8", "--model", "nope@1"}).code, 0);
  auto ins = Cli({"insert", "t", Rows("a", 0, 3), "--embedder", "http:" + server.Url() + ",model=nope@1"});
  EXPECT_EQ(ins.code, 1) << ins.err;
  EXPECT_NE(ins.err.find("HTTP 404"), std::string::npos) << ins.err;
  EXPECT_EQ(Cli({"info", "t", "--format", "json"}).out.find("\"current_snapshot_id\": null") != std::string::npos, true);
  auto s = Cli({"search", "t", "--text", "hello", "--embedder", "http:" + server.Url() + ",model=nope@1"});
  EXPECT_EQ(s.code, 1) << s.err;
  auto empty = Cli({"search", "t", "--text", " ", "--embedder", "hash:dim=8"});
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("--text is empty"), std::string::npos) << empty.err;
}

// insert's embedder knobs: --batch-size (default 256, at most what OpenAI accepts) bounds every
// request; the dimension mismatch names both dimensions.
TEST_F(CliModelTest, InsertBatchSizeDefaultAndDimMismatch) {
  EmbeddingsServer server;
  ASSERT_EQ(Cli({"create", "t", "--dim", "8", "--model", "small-embed"}).code, 0);
  auto ins = Cli({"insert", "t", Rows("a", 0, 600), "--embedder", "http:" + server.Url() + ",model=small-embed",
                  "--concurrency", "2", "--embed-timeout-ms", "20000", "--embed-retries", "1"});
  ASSERT_EQ(ins.code, 0) << ins.err;
  size_t largest = 0, texts = 0;
  for (const auto& r : server.requests()) {
    largest = std::max(largest, r["input"].size());
    texts += r["input"].size();
  }
  EXPECT_EQ(largest, 256u);
  EXPECT_EQ(texts, 601u);  // 600 rows and one dimension probe
  // A spec whose dim= differs from the table's: refused before any request, naming both.
  const size_t before = server.requests().size();
  auto wrong = Cli({"insert", "t", Rows("b", 0, 3), "--embedder", "http:" + server.Url() + ",model=small-embed,dim=9"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("returns 9-d vectors"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("is 8-d"), std::string::npos) << wrong.err;
  EXPECT_EQ(server.requests().size(), before);
}

}  // namespace
}  // namespace ailake::cli
