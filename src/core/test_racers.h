// Test helper (tests only): forked racers released together, each reporting numbers back.
//
// Before fork:  Racers racers(n);
// Child p:      racers.EnterChild(p); ...set up...; racers.ArriveAndWait(); ...race...;
//               racers.Report(p, retries); _exit(0);
// Parent:       fork all; EXPECT_TRUE(racers.ReleaseWhenAllArrived()); waitpid all;
//               int64_t total = racers.Collect();
//
// Pipes, not sleeps: each child has its own "arrived" pipe (so a child that dies before arriving is
// an EOF, never a hang), and all children block reading one gate pipe whose only write end the
// parent holds; closing it wakes every child at once.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace ailake::test_util {

class Racers {
 public:
  explicit Racers(int n) : n_(n), arrived_(static_cast<size_t>(n)), results_(static_cast<size_t>(n)) {
    ok_ = ::pipe(gate_) == 0;
    for (int p = 0; p < n; ++p) {
      ok_ = ok_ && ::pipe(arrived_[static_cast<size_t>(p)].fd) == 0 && ::pipe(results_[static_cast<size_t>(p)].fd) == 0;
    }
  }
  Racers(const Racers&) = delete;
  Racers& operator=(const Racers&) = delete;
  ~Racers() {
    CloseFd(gate_[0]);
    CloseFd(gate_[1]);
    for (auto& v : {&arrived_, &results_}) {
      for (auto& p : *v) {
        CloseFd(p.fd[0]);
        CloseFd(p.fd[1]);
      }
    }
  }
  bool ok() const { return ok_; }

  // Child p, right after fork: keeps only its own write ends and the gate's read end.
  void EnterChild(int p) {
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
  // Child p: tells the parent it is ready and blocks until the gate opens. False if it never does.
  bool ArriveAndWait(int p) {
    const char c = 'r';
    if (!WriteAll(arrived_[static_cast<size_t>(p)].fd[1], &c, 1)) return false;
    CloseFd(arrived_[static_cast<size_t>(p)].fd[1]);
    char buf;
    ssize_t r;
    do {
      r = ::read(gate_[0], &buf, 1);
    } while (r < 0 && errno == EINTR);
    return r == 0;  // EOF: the parent closed the gate's write end
  }
  // Child p: one number for the parent (may be called several times; Collect sums them).
  bool Report(int p, int64_t value) { return WriteAll(results_[static_cast<size_t>(p)].fd[1], &value, sizeof value); }

  // Parent, after forking every child: waits until each child arrived (or died), then opens the gate.
  // True when every child arrived.
  bool ReleaseWhenAllArrived() {
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
  // Parent, after every child exited: the sum of everything reported.
  int64_t Collect() {
    int64_t sum = 0;
    for (auto& p : results_) {
      int64_t v;
      while (ReadAll(p.fd[0], &v, sizeof v)) sum += v;
      CloseFd(p.fd[0]);
    }
    return sum;
  }

 private:
  struct Pipe {
    int fd[2] = {-1, -1};
  };
  static void CloseFd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  static bool WriteAll(int fd, const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  static bool ReadAll(int fd, void* data, size_t n) {
    char* p = static_cast<char*>(data);
    while (n > 0) {
      ssize_t r = ::read(fd, p, n);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }

  int n_;
  bool ok_ = false;
  int gate_[2] = {-1, -1};
  std::vector<Pipe> arrived_, results_;
};

}  // namespace ailake::test_util
