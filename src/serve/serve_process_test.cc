// The `ailake serve` process: refuses a non-loopback bind without a token (exit 2), prints its
// port, answers, and exits 0 on SIGTERM after finishing what it was doing; its cache flags.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include "serve/serve_test_util.h"
#include "testing/fork_child.h"
#include "testing/serve_child.h"

namespace ailake::serve::test {
namespace {

std::string Binary() { return std::string(AILAKE_BINARY_DIR) + "/ailake"; }

// Starts `ailake args...` with stdout/stderr to files and AILAKE_SERVE_TOKEN removed from the environment.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int error = 0;
  const pid_t pid = test_util::SpawnWithoutServeToken(Binary(), args, &fa, &error);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

std::string ReadFile(const std::string& p) { return test_util::ReadWholeFile(p); }

int WaitExit(pid_t pid) { return test_util::WaitChild(pid); }

TEST(ServeProcess, NonLoopbackWithoutTokenIsAUsageError) {
  Fixture fx(0);
  const std::string out = (fx.dir() / "out.txt").string(), err = (fx.dir() / "err.txt").string();
  pid_t pid = Spawn({"serve", "--warehouse", fx.dir().str(), "--host", "0.0.0.0", "--port", "0"}, out, err);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(WaitExit(pid), 2);
  EXPECT_NE(ReadFile(err).find("without a token"), std::string::npos) << ReadFile(err);
}

TEST(ServeProcess, PrintsPortServesAndStopsOnSigterm) {
  Fixture fx(3);
  const std::string out = (fx.dir() / "out.txt").string(), err = (fx.dir() / "err.txt").string();
  pid_t pid = Spawn({"serve", "--warehouse", fx.dir().str(), "--port", "0", "--embedder", kEmbedSpec}, out, err);
  ASSERT_GT(pid, 0);
  int port = 0;
  std::regex re(R"(listening on http://127\.0\.0\.1:(\d+)/)");
  for (int i = 0; i < 600 && port == 0; ++i) {  // bounded wait for the port line (up to 30 s)
    std::smatch m;
    const std::string text = ReadFile(out);
    if (std::regex_search(text, m, re)) port = std::stoi(m[1]);
    else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port == 0) {
    kill(pid, SIGKILL);
    WaitExit(pid);
    FAIL() << "no port line; stdout: " << ReadFile(out) << " stderr: " << ReadFile(err);
  }
  httplib::Client c("127.0.0.1", port);
  auto r = c.Post("/v1/tables/docs/search", R"({"text": "seed text 1", "k": 2})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitExit(pid), 0) << ReadFile(err);
  EXPECT_NE(ReadFile(out).find("stopped (SIGTERM)"), std::string::npos) << ReadFile(out);
  auto after = c.Get("/healthz");
  EXPECT_FALSE(after);
}

// --table-cache-mb and --manifest-cache-mb: out-of-range values are usage errors naming the flag;
// the manifest bound is what /healthz reports, and 0 caches nothing.
TEST(ServeProcess, CacheFlags) {
  Fixture fx(3);
  const std::string err = (fx.dir() / "err.txt").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--table-cache-mb", "0"}, "--table-cache-mb"}, {{"--manifest-cache-mb", "-1"}, "--manifest-cache-mb"},
      {{"--manifest-cache-mb", "lots"}, "--manifest-cache-mb"}};
  for (const auto& [flags, named] : bad) {
    std::vector<std::string> args = {"--warehouse", fx.dir().str()};
    args.insert(args.end(), flags.begin(), flags.end());
    auto child = test_util::ServeChild::Start(Binary(), args, err);
    ASSERT_FALSE(child.ok()) << flags[0];
    EXPECT_NE(child.status().message().find("exited with 2"), std::string::npos) << child.status().ToString();
    EXPECT_NE(child.status().message().find(named), std::string::npos) << child.status().ToString();
  }
  for (const auto& [mb, expect_entries] : std::vector<std::pair<std::string, bool>>{{"0", false}, {"5", true}}) {
    auto child = test_util::ServeChild::Start(
        Binary(), {"--warehouse", fx.dir().str(), "--embedder", kEmbedSpec, "--manifest-cache-mb", mb, "--table-cache-mb", "1"},
        err);
    ASSERT_TRUE(child.ok()) << child.status().ToString();
    httplib::Client c("127.0.0.1", (*child)->port());
    auto r = c.Post("/v1/tables/docs/search", R"({"text": "seed text 1", "k": 2})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    auto h = c.Get("/healthz");
    ASSERT_TRUE(h);
    const auto mc = nlohmann::json::parse(h->body)["manifest_cache"];
    EXPECT_EQ(mc["capacity_bytes"].get<uint64_t>(), std::stoull(mb) << 20) << h->body;
    EXPECT_GE(mc["misses"].get<uint64_t>(), 1u) << h->body;  // the table's manifests were read
    EXPECT_EQ(mc["entries"].get<uint64_t>() > 0, expect_entries) << h->body;
    if (!expect_entries) {
      EXPECT_EQ(mc["hits"].get<uint64_t>(), 0u) << h->body;
    }
    EXPECT_EQ((*child)->Stop(), 0) << ReadFile(err);
  }
}

}  // namespace
}  // namespace ailake::serve::test
