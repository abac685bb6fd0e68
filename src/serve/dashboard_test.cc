// The dashboard in a real browser: headless Chromium loads / from a running server, the page's
// script fills in the tables, and nothing leaves the machine.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include "serve/routes.h"
#include "serve/serve_test_util.h"

namespace ailake::serve::test {
namespace {

std::string FindChromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

// Runs a shell-free command line through popen with a fixed argv (no user data in it), returns stdout.
std::string RunCapture(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) {
    *exit_code = -1;
    return out;
  }
  char buf[8192];
  for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  const int st = pclose(f);
  *exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

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

TEST(Dashboard, HeadlessChromiumRendersTablesModelsAndSnapshots) {
  const std::string chromium = FindChromium();
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed: run scripts/setup.sh (it installs the Debian package "
                                    "'chromium' this test drives headless)";
  Fixture fx(5);
  // A second commit, so there are two snapshot rows.
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
  fx.StartServer();
  auto c = fx.Client();
  auto hist = Body(c->Get("/v1/tables/docs/history"));
  ASSERT_EQ(hist["history"].size(), 2u);
  const uint64_t before = Body(c->Get("/healthz"))["requests"].get<uint64_t>();

  const std::filesystem::path profile = fx.dir() / "chromium-profile";
  const std::string url = "http://127.0.0.1:" + std::to_string(fx.port()) + "/";
  // Every host name resolves to nothing except the loopback address; no proxy.
  const std::string common = "timeout 120 " + chromium +
                             " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-proxy-server"
                             " --no-first-run --disable-background-networking --disable-sync --disable-extensions"
                             " --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'"
                             " --user-data-dir=" + profile.string() + " --virtual-time-budget=10000";
  int rc = 0;
  const std::string dom = RunCapture(common + " --dump-dom " + url + " 2>/dev/null", &rc);
  ASSERT_EQ(rc, 0) << "chromium failed; its DOM output: " << dom.substr(0, 2000);
  EXPECT_NE(dom.find("data-loaded=\"1\""), std::string::npos) << "the page's script did not finish: " << dom.substr(0, 4000);
  EXPECT_NE(dom.find("default.docs"), std::string::npos) << dom.substr(0, 4000);
  EXPECT_NE(dom.find(kModel), std::string::npos) << "model missing: " << dom.substr(0, 4000);
  for (const auto& h : hist["history"]) {
    const std::string sid = std::to_string(h["snapshot_id"].get<int64_t>());
    EXPECT_NE(dom.find("data-snapshot=\"" + sid + "\""), std::string::npos) << "snapshot row " << sid << " missing";
  }
  EXPECT_NE(dom.find("no report"), std::string::npos) << "evaluation status missing";
  // Every URL in the rendered page is this server's.
  std::regex url_re(R"(https?://[^"'\s<>]+)");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), url_re); it != std::sregex_iterator(); ++it) {
    EXPECT_EQ(it->str().rfind("http://127.0.0.1:", 0), 0u) << "page references " << it->str();
  }
  // The page's script asked this server for the table list, history, migration and eval.
  const uint64_t after = Body(c->Get("/healthz"))["requests"].get<uint64_t>();
  EXPECT_GE(after - before, 5u) << "the browser made fewer requests than the page needs (page, tables, history, migration, eval)";

  // A screenshot, kept as a test artifact.
  const std::filesystem::path shot = std::filesystem::path(AILAKE_BINARY_DIR) / "serve_dashboard.png";
  std::filesystem::remove(shot);
  (void)RunCapture(common + " --screenshot=" + shot.string() + " --window-size=1200,800 " + url + " 2>/dev/null", &rc);
  ASSERT_EQ(rc, 0);
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 1000u);
  std::printf("dashboard screenshot: %s\n", shot.string().c_str());
}

}  // namespace
}  // namespace ailake::serve::test
