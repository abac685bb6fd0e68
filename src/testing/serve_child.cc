#include "testing/serve_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testing/fork_child.h"

extern char** environ;

namespace ailake::test_util {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t SpawnWithoutServeToken(const std::string& binary, const std::vector<std::string>& args,
                             const posix_spawn_file_actions_t* actions, int* error) {
  std::vector<std::string> all = {binary};
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
  *error = posix_spawn(&pid, binary.c_str(), actions, nullptr, argv.data(), envp.data());
  return *error == 0 ? pid : -1;
}

Result<std::unique_ptr<ServeChild>> ServeChild::Start(const std::string& binary, const std::vector<std::string>& args,
                                                      const std::string& err_path) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::IOError("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all = {"serve"};
  all.insert(all.end(), args.begin(), args.end());
  for (const char* a : {"--port", "0", "--format", "json"}) all.push_back(a);
  std::unique_ptr<ServeChild> child(new ServeChild());
  int rc = 0;
  child->pid_ = SpawnWithoutServeToken(binary, all, &fa, &rc);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  child->out_fd_ = fds[0];
  if (child->pid_ < 0) return Status::IOError("cannot start " + binary + ": " + std::strerror(rc));
  // The first line on stdout is the listening event; read it with a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string& buf = child->buffered_;
  while (buf.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status::Timeout("ailake serve printed no listening line within 60 s");
    pollfd p{child->out_fd_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char chunk[4096];
    const ssize_t n = read(child->out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // EOF: the child stopped before listening
      const int code = WaitChild(child->pid_);
      child->pid_ = -1;
      return Status::Aborted("ailake serve exited with " + std::to_string(code) + " before listening; stderr: " +
                             ReadWholeFile(err_path));
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
  child->listening_ = buf.substr(0, buf.find('\n'));
  buf.erase(0, buf.find('\n') + 1);
  auto j = nlohmann::json::parse(child->listening_, nullptr, false);
  if (j.is_discarded() || !j.contains("port") || !j["port"].is_number_integer()) {
    return Status::Corruption("ailake serve's first line is not a listening event: " + child->listening_);
  }
  child->port_ = j["port"].get<int>();
  return child;
}

int ServeChild::Stop(std::string* rest) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  std::string out = buffered_;
  char chunk[4096];
  for (;;) {  // until EOF: the child closed stdout by exiting
    const ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(chunk, static_cast<size_t>(n));
  }
  const int code = WaitChild(pid_);
  pid_ = -1;
  if (rest) *rest = out;
  return code;
}

ServeChild::~ServeChild() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitChild(pid_);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

}  // namespace ailake::test_util
