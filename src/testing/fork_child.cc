#include "testing/fork_child.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <sstream>

#include "testing/temp_dir.h"

namespace ailake::test_util {

namespace {

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool ReadFull(int fd, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool WriteFull(int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  CommandResult r;
  if (argv.empty()) return r;
  TempDir dir("cmd");
  const std::string out_path = (dir / "stdout").string(), err_path = (dir / "stderr").string();
  const pid_t pid = ::fork();
  if (pid < 0) return r;
  if (pid == 0) {
    const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) ::_exit(126);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  pid_t w;
  do {
    w = ::waitpid(pid, &status, 0);
  } while (w < 0 && errno == EINTR);
  r.code = w >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadText(out_path);
  r.err = ReadText(err_path);
  return r;
}

pid_t ForkChild(const std::function<int()>& fn) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(fn());
  return pid;
}

int WaitChild(pid_t pid) {
  int status = 0;
  pid_t w;
  do {
    w = ::waitpid(pid, &status, 0);
  } while (w < 0 && errno == EINTR);
  if (w < 0) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

Racers::Racers(int n) : n_(n), arrived_(static_cast<size_t>(n)), results_(static_cast<size_t>(n)) {
  ok_ = ::pipe(gate_) == 0;
  for (int p = 0; p < n; ++p) {
    ok_ = ok_ && ::pipe(arrived_[static_cast<size_t>(p)].fd) == 0 && ::pipe(results_[static_cast<size_t>(p)].fd) == 0;
  }
}

Racers::~Racers() {
  CloseFd(gate_[0]);
  CloseFd(gate_[1]);
  for (auto* v : {&arrived_, &results_}) {
    for (auto& p : *v) {
      CloseFd(p.fd[0]);
      CloseFd(p.fd[1]);
    }
  }
}

void Racers::EnterChild(int p) {
  CloseFd(gate_[1]);
  for (int q = 0; q < n_; ++q) {
    CloseFd(arrived_[static_cast<size_t>(q)].fd[0]);
    CloseFd(results_[static_cast<size_t>(q)].fd[0]);
    if (q != p) {
      CloseFd(arrived_[static_cast<size_t>(q)].fd[1]);
      CloseFd(results_[static_cast<size_t>(q)].fd[1]);
    }
  }
}

bool Racers::ArriveAndWait(int p) {
  const char c = 'r';
  if (!WriteFull(arrived_[static_cast<size_t>(p)].fd[1], &c, 1)) return false;
  CloseFd(arrived_[static_cast<size_t>(p)].fd[1]);
  char buf;
  ssize_t r;
  do {
    r = ::read(gate_[0], &buf, 1);
  } while (r < 0 && errno == EINTR);
  return r == 0;  // EOF: the parent closed the gate's write end
}

bool Racers::Report(int p, int64_t value) {
  return WriteFull(results_[static_cast<size_t>(p)].fd[1], &value, sizeof value);
}

bool Racers::ReleaseWhenAllArrived() {
  CloseFd(gate_[0]);
  for (auto& p : results_) CloseFd(p.fd[1]);
  bool all = true;
  for (auto& p : arrived_) {
    CloseFd(p.fd[1]);
    char c;
    ssize_t r;
    do {
      r = ::read(p.fd[0], &c, 1);
    } while (r < 0 && errno == EINTR);
    all = all && r == 1;
    CloseFd(p.fd[0]);
  }
  CloseFd(gate_[1]);
  return all;
}

int64_t Racers::Collect() {
  int64_t sum = 0;
  for (auto& p : results_) {
    int64_t v;
    while (ReadFull(p.fd[0], &v, sizeof v)) sum += v;
    CloseFd(p.fd[0]);
  }
  return sum;
}

}  // namespace ailake::test_util
