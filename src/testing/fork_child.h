// Child processes for tests: programs run with their output captured, forked children, and racers
// released together.
//
// Racers, the pattern every concurrency test uses (docs/TESTING.md "Races must race"):
//   Before fork:  Racers racers(n);
//   Child p:      racers.EnterChild(p); ...set up...; racers.ArriveAndWait(p); ...race...;
//                 racers.Report(p, retries); _exit(0);
//   Parent:       fork all; EXPECT_TRUE(racers.ReleaseWhenAllArrived()); waitpid all;
//                 int64_t total = racers.Collect();
// Pipes, not sleeps: each child has its own "arrived" pipe (so a child that dies before arriving is
// an EOF, never a hang), and all children block reading one gate pipe whose only write end the
// parent holds; closing it wakes every child at once.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ailake::test_util {

struct CommandResult {
  int code = -1;  // exit status; 127 when the program could not be started, -1 when killed or unforkable
  std::string out, err;
};

// Runs argv (PATH lookup, no shell) and waits for it. stdout and stderr go to files, not pipes, so
// a program printing a lot never blocks.
CommandResult RunCommand(const std::vector<std::string>& argv);

// Exactly n bytes through a pipe (retrying short transfers and EINTR); false on EOF or error.
bool ReadFull(int fd, void* buf, size_t n);
bool WriteFull(int fd, const void* buf, size_t n);

// CLOCK_MONOTONIC in nanoseconds: comparable across processes on one machine, so racers can report
// when they ran and the parent can tell whether two of them overlapped.
int64_t MonotonicNs();

// Forks a child that runs `fn` and exits with its return value through _exit (the child never
// returns into the test framework). -1 when fork fails.
pid_t ForkChild(const std::function<int()>& fn);

// Waits for `pid`: its exit status, 128 + the signal that ended it, or -1 when waitpid fails.
int WaitChild(pid_t pid);

class Racers {
 public:
  explicit Racers(int n);
  Racers(const Racers&) = delete;
  Racers& operator=(const Racers&) = delete;
  ~Racers();
  bool ok() const { return ok_; }

  // Child p, right after fork: keeps only its own write ends and the gate's read end.
  void EnterChild(int p);
  // Child p: tells the parent it is ready and blocks until the gate opens. False if it never does.
  bool ArriveAndWait(int p);
  // Child p: one number for the parent (may be called several times; Collect sums them).
  bool Report(int p, int64_t value);

  // Parent, after forking every child: waits until each child arrived (or died), then opens the
  // gate. True when every child arrived.
  bool ReleaseWhenAllArrived();
  // Parent, after every child exited: the sum of everything reported.
  int64_t Collect();

 private:
  struct Pipe {
    int fd[2] = {-1, -1};
  };

  int n_;
  bool ok_ = false;
  int gate_[2] = {-1, -1};
  std::vector<Pipe> arrived_, results_;
};

}  // namespace ailake::test_util
