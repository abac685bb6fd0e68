// The `ailake serve` process: refuses a non-loopback bind without a token (exit 2), prints its
// port, answers, and exits 0 on SIGTERM after finishing what it was doing.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "serve/serve_test_util.h"

extern char** environ;

namespace ailake::serve::test {
namespace {

std::string Binary() { return std::string(AILAKE_BINARY_DIR) + "/ailake"; }

// Starts `ailake args...` with stdout/stderr to files and AILAKE_SERVE_TOKEN removed from the environment.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all = {Binary()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("AILAKE_SERVE_TOKEN=", 0) != 0) envp.push_back(*e);
  }
  envp.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int WaitExit(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

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

}  // namespace
}  // namespace ailake::serve::test
