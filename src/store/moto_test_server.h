// Test support (tests only): a real S3 server, moto, started on loopback by the test itself.
//
//   auto moto = test_util::MotoServer::Start();          // fails, never skips, saying what to install
//   ASSERT_TRUE(moto.ok()) << moto.status().ToString();
//   S3Options o = (*moto)->Options();                     // endpoint, path-style, test credentials
//   ASSERT_TRUE((*moto)->CreateBucket("b").ok());
//   auto store = S3Store::Open("s3://b/prefix", o);
//
// The server runs as `<python> src/testing/atomic_moto_server.py -H 127.0.0.1 -p <free port>` (moto's
// server with each S3 request applied under one lock: moto alone lets two concurrent create-if-absent
// PUTs both win, see that file) in its own process
// group, output in a log file under a temp folder; Start() polls (bounded) until the port accepts
// connections and fails with the log's tail if the process dies first. The destructor stops it
// (SIGTERM, then SIGKILL if it lingers) and removes the folder. Python: $AILAKE_TEST_PYTHON, else
// /root/.pyenv/shims/python3 when present (the image's python with moto), else python3 on PATH.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ailake/status.h"
#include "core/uuid.h"
#include "store/s3_client.h"
#include "store/s3_config.h"

namespace ailake::test_util {

inline std::string TestPython() {
  if (const char* p = std::getenv("AILAKE_TEST_PYTHON"); p && *p) return p;
  if (::access("/root/.pyenv/shims/python3", X_OK) == 0) return "/root/.pyenv/shims/python3";
  return "python3";
}

// A loopback TCP port that was free a moment ago.
inline int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

inline bool LoopbackAccepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// Runs argv with stdout/stderr to `log`; returns the child pid (own process group) or -1.
inline pid_t SpawnLogged(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setpgid(0, 0);
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  _exit(127);
}

inline std::string Tail(const std::string& path, size_t n = 2000) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > n ? s.substr(s.size() - n) : s;
}

class MotoServer {
 public:
  static constexpr const char* kAccessKey = "ailaketest";
  static constexpr const char* kSecretKey = "ailaketest-secret";

  // The wrapper that makes moto's conditional writes atomic (tests are built with AILAKE_SOURCE_DIR).
  static std::string Launcher() { return std::string(AILAKE_SOURCE_DIR) + "/src/testing/atomic_moto_server.py"; }

  // `lookup_delay_s` > 0 makes each of moto's object lookups sleep that long (a race test's
  // amplifier: it widens the check-then-store gap a missing lock would expose).
  static Result<std::unique_ptr<MotoServer>> Start(const std::string& python = TestPython(),
                                                   double lookup_delay_s = 0) {
    std::unique_ptr<MotoServer> s(new MotoServer());
    s->dir_ = std::filesystem::temp_directory_path() / ("ailake-moto-" + Uuid::Random().ToString());
    std::error_code ec;
    std::filesystem::create_directories(s->dir_, ec);
    if (ec) return Status::IOError("cannot create " + s->dir_.string() + ": " + ec.message());
    const std::string log = (s->dir_ / "moto.log").string();
    const std::string install = "moto (the S3 test server) is needed: install it for " + python +
                                " with '" + python + " -m pip install \"moto[server]\"' or set AILAKE_TEST_PYTHON to "
                                "a python that has it";
    // Is moto there at all? A clear message beats a dead server's traceback.
    pid_t check = SpawnLogged({python, "-c", "import moto.server"}, log);
    int status = 0;
    if (check < 0 || ::waitpid(check, &status, 0) != check || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return Status::NotFound(install + " (import failed: " + Tail(log, 400) + ")");
    }
    for (int tries = 0; tries < 3; ++tries) {
      s->port_ = FreeLoopbackPort();
      if (s->port_ <= 0) return Status::IOError("no free loopback port");
      std::vector<std::string> argv = {python, Launcher()};
      if (lookup_delay_s > 0) argv.push_back("--lookup-delay=" + std::to_string(lookup_delay_s));
      for (const char* a : {"-H", "127.0.0.1", "-p"}) argv.push_back(a);
      argv.push_back(std::to_string(s->port_));
      s->pid_ = SpawnLogged(argv, log);
      if (s->pid_ < 0) return Status::IOError("fork failed for moto");
      // Bounded poll: up to 60 s (python start-up on a loaded machine), checking the child each time.
      for (int i = 0; i < 1200; ++i) {
        if (LoopbackAccepts(s->port_)) return s;
        if (::waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
          s->pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (s->pid_ > 0) return Status::Timeout("moto did not accept connections within 60 s; log: " + Tail(log));
    }
    return Status::Unavailable("moto exited before serving (3 tries); log: " + Tail(log));
  }

  ~MotoServer() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGTERM);
      int status = 0;
      bool gone = false;
      for (int i = 0; i < 100 && !gone; ++i) {
        gone = ::waitpid(pid_, &status, WNOHANG) == pid_;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (!gone) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    std::error_code ec;
    if (!dir_.empty() && !std::getenv("AILAKE_KEEP_TEST_DIRS")) std::filesystem::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Options for a store on this server (path-style, test credentials, fast retries).
  S3Options Options() const { return OptionsFor(port_); }
  static S3Options OptionsFor(int port) {
    S3Options o;
    o.endpoint = "http://127.0.0.1:" + std::to_string(port);
    o.access_key_id = kAccessKey;
    o.secret_access_key = kSecretKey;
    o.region = "us-east-1";
    o.initial_backoff_ms = 5;
    o.max_backoff_ms = 50;
    o.max_attempts = 5;
    o.connect_timeout_ms = 5000;
    o.request_timeout_ms = 60000;
    return o;
  }

  Status CreateBucket(const std::string& bucket) const {
    AILAKE_ASSIGN_OR_RETURN(S3Config cfg, ResolveS3Config("s3://" + bucket, Options()));
    S3Client client(std::move(cfg));
    S3Call call{"PUT", ""};
    AILAKE_ASSIGN_OR_RETURN(S3Response r, client.Send(call, "create bucket " + bucket));
    if (!r.ok()) return client.ErrorOf(r, "create bucket " + bucket);
    return Status::OK();
  }

 private:
  MotoServer() = default;
  std::filesystem::path dir_;
  int port_ = -1;
  pid_t pid_ = -1;
};

}  // namespace ailake::test_util
