// A small fixed-size thread pool. Tasks are std::function<void()>; Wait() blocks until every
// submitted task has finished. ParallelFor splits [0, n) over the pool's threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ailake {

class ThreadPool {
 public:
  // threads == 0 means std::thread::hardware_concurrency() (at least 1).
  explicit ThreadPool(size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }
  void Submit(std::function<void()> task);
  void Wait();

  // Calls fn(i) for i in [0, n), distributing chunks over the pool and the calling thread; returns
  // when all calls have returned. fn must not throw.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

  static size_t DefaultThreads();

 private:
  void WorkerLoop();
  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> queue_;
  std::mutex mu_;
  std::condition_variable cv_task_;
  std::condition_variable cv_idle_;
  size_t active_ = 0;
  bool stop_ = false;
  // queue_.size(), readable without mu_: an idle worker watches it for a moment before sleeping.
  std::atomic<size_t> queued_{0};
};

// Spins for up to `budget` while `done()` is false (pausing the core between checks); true when
// done() became true. Waking a sleeping thread costs tens of microseconds on a virtual machine,
// longer than a small search task itself, so a pool worker that just finished a task, and a
// ParallelFor caller that finished its own share, look for the next event this long before they
// block on a condition variable.
bool SpinUntil(const std::function<bool()>& done, std::chrono::microseconds budget);
inline constexpr std::chrono::microseconds kPoolSpin{50};

}  // namespace ailake
