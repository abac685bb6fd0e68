#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>

namespace ailake {

size_t ThreadPool::DefaultThreads() {
  size_t n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

ThreadPool::ThreadPool(size_t threads) {
  if (threads == 0) threads = DefaultThreads();
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_task_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::Submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_task_.notify_one();
}

void ThreadPool::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_idle_.wait(lock, [this] { return queue_.empty() && active_ == 0; });
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_task_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++active_;
    }
    task();
    {
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
      if (queue_.empty() && active_ == 0) cv_idle_.notify_all();
    }
  }
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  std::atomic<size_t> next{0};
  // `remaining` is guarded by done_mu and decremented *under* it: the caller may return (destroying
  // done_mu and done_cv, which live on its stack) as soon as it observes zero, so a worker must not
  // touch them after the decrement that the caller can see.
  size_t remaining = 0;
  std::mutex done_mu;
  std::condition_variable done_cv;
  const size_t chunk = std::max<size_t>(1, n / (size() * 8 + 1));
  auto run = [&] {
    for (;;) {
      size_t start = next.fetch_add(chunk);
      if (start >= n) break;
      size_t end = std::min(n, start + chunk);
      for (size_t i = start; i < end; ++i) fn(i);
    }
  };
  const size_t helpers = std::min(size(), (n + chunk - 1) / chunk);
  remaining = helpers;
  for (size_t i = 0; i < helpers; ++i) {
    Submit([&] {
      run();
      std::lock_guard<std::mutex> lock(done_mu);
      if (--remaining == 0) done_cv.notify_all();
    });
  }
  run();
  std::unique_lock<std::mutex> lock(done_mu);
  done_cv.wait(lock, [&] { return remaining == 0; });
}

}  // namespace ailake
