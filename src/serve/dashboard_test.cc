// The dashboard in a real browser: headless Chromium loads / from a running server, the page's
// script fills in the tables (and a migration's embedder calls, latency and errors), and nothing
// leaves the machine.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "ailake/migration.h"
#include "serve/routes.h"
#include "serve/serve_test_util.h"
#include "testing/chromium.h"

namespace ailake::serve::test {
namespace {

// A 4-d user model whose `fail_on`-th call (from 1) fails, as a model server that fell over would.
class FlakyEmbedder : public Embedder {
 public:
  explicit FlakyEmbedder(int64_t fail_on) : fail_on_(fail_on) { model_ = {.name = "h4", .version = "2", .dim = 4}; }
  const EmbeddingModelInfo& model() const override { return model_; }
  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override {
    if (calls_.fetch_add(1) + 1 == fail_on_) return Status::Unavailable("flaky model server refused on purpose");
    for (std::string_view t : texts) {
      for (uint32_t j = 0; j < 4; ++j) out->push_back(static_cast<float>(t.size() % 7) + 0.25f * static_cast<float>(j + 1));
    }
    return Status::OK();
  }

 private:
  EmbeddingModelInfo model_;
  const int64_t fail_on_;
  std::atomic<int64_t> calls_{0};
};

TEST(Dashboard, PageIsSelfContained) {
  const std::string& html = DashboardHtml();
  // No absolute URL at all: every fetch is relative to the server that served the page.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("//cdn"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);  // no external script or image
  EXPECT_EQ(html.find("innerHTML"), std::string::npos);  // data goes in as text only
  EXPECT_NE(html.find("connect-src 'self'"), std::string::npos);
}

TEST(Dashboard, HeadlessChromiumRendersTablesModelsSnapshotsAndMigrationEmbedderStats) {
  Fixture fx(5);
  // A second commit, so there are two files and two snapshot rows.
  {
    auto t = fx.warehouse().OpenTable("docs");
    ASSERT_TRUE(t.ok());
    RecordBatch b;
    Column id{.name = "id"}, text{.name = "chunk_text"};
    id.AppendString("extra");
    text.AppendString("extra row");
    b.columns = {id, text};
    std::vector<float> v(kDim, 0.25f);
    ASSERT_TRUE((*t)->Add(b, v.data(), kDim, {}).ok());
  }
  // A migration whose model fails its second call: one file (one call) is rewritten and committed,
  // the other's call fails and the run stops. Its status then holds both calls and the error.
  {
    auto t = fx.warehouse().OpenTable("docs");
    ASSERT_TRUE(t.ok());
    FlakyEmbedder flaky(2);
    MigrationOptions o;
    o.embedder = &flaky;
    o.new_model = "h4@2";
    o.batch_size = 1000;
    o.concurrency = 1;
    o.file_parallelism = 1;
    auto job = Migration::Plan(**t, o);
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    auto run = (*job)->Run();
    ASSERT_FALSE(run.ok());
    EXPECT_NE(run.status().message().find("refused on purpose"), std::string::npos) << run.status().ToString();
  }
  fx.StartServer();
  auto c = fx.Client();
  auto hist = Body(c->Get("/v1/tables/docs/history"));
  ASSERT_GE(hist["history"].size(), 3u);  // two appends and the migrated file's commit
  // The server reads the embedder statistics the migrating code persisted.
  const Json mig = Body(c->Get("/v1/tables/docs/migration"));
  const Json& e = mig["progress"]["embedder"];
  ASSERT_TRUE(e.is_object()) << mig.dump();
  EXPECT_EQ(e["calls"], 2) << e.dump();
  EXPECT_EQ(e["failed_calls"], 1) << e.dump();
  EXPECT_EQ(e["errors"], 1) << e.dump();
  EXPECT_GT(e["mean_ms"].get<double>(), 0.0) << e.dump();
  EXPECT_NE(e["last_error"].get<std::string>().find("refused on purpose"), std::string::npos) << e.dump();
  EXPECT_EQ(mig["state"], "stopped");
  EXPECT_EQ(mig["tasks"]["committed"], 1);
  const uint64_t before = Body(c->Get("/healthz"))["requests"].get<uint64_t>();

  test_util::HeadlessChromium chromium(fx.dir().path() / "chromium-profile");
  const std::string origin = "http://127.0.0.1:" + std::to_string(fx.port()) + "/";
  std::string dom;
  ASSERT_TRUE(chromium.DumpDom(origin, &dom));
  EXPECT_NE(dom.find("data-loaded=\"1\""), std::string::npos) << "the page's script did not finish: " << dom.substr(0, 4000);
  EXPECT_NE(dom.find("default.docs"), std::string::npos) << dom.substr(0, 4000);
  EXPECT_NE(dom.find(kModel), std::string::npos) << "model missing: " << dom.substr(0, 4000);
  for (const auto& h : hist["history"]) {
    const std::string sid = std::to_string(h["snapshot_id"].get<int64_t>());
    EXPECT_NE(dom.find("data-snapshot=\"" + sid + "\""), std::string::npos) << "snapshot row " << sid << " missing";
  }
  EXPECT_NE(dom.find("no report"), std::string::npos) << "evaluation status missing";
  // The migration card: progress, rows/s and ETA rows, and the embedder's calls, latency and errors.
  for (const char* want : {"h8@1 → h4@2", ">rows/s<", ">ETA<", "data-calls=\"2\"", ">embed latency<", "mean ",
                           "data-errors=\"1\"", "1 failed calls, 0 retries", ">last error<", "refused on purpose"}) {
    EXPECT_NE(dom.find(want), std::string::npos) << "'" << want << "' missing from the migration card: "
                                                 << dom.substr(dom.find("card-"), 4000);
  }
  EXPECT_EQ(dom.find("data-mean-ms=\"0\""), std::string::npos) << "the mean latency is shown as 0";
  // Every URL in the rendered page is this server's.
  EXPECT_TRUE(test_util::OnlyUrlsUnder(dom, "http://127.0.0.1:" + std::to_string(fx.port()) + "/"));
  // The page's script asked this server for the table list, history, migration and eval.
  const uint64_t after = Body(c->Get("/healthz"))["requests"].get<uint64_t>();
  EXPECT_GE(after - before, 5u) << "the browser made fewer requests than the page needs (page, tables, history, migration, eval)";

  // A screenshot, kept as a test artifact.
  const std::filesystem::path shot = std::filesystem::path(AILAKE_BINARY_DIR) / "serve_dashboard.png";
  ASSERT_TRUE(chromium.Screenshot(origin, shot, 1200, 1000));
  std::printf("dashboard screenshot: %s\n", shot.string().c_str());
}

}  // namespace
}  // namespace ailake::serve::test
