#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ailake {

bool SpinUntil(const std::function<bool()>& done, std::chrono::microseconds budget) {
  const auto until = std::chrono::steady_clock::now() + budget;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
      _mm_pause();
#endif
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

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
    queued_.store(queue_.size(), std::memory_order_release);
  }
  cv_task_.notify_one();  // no system call when every idle worker is still spinning
}

void ThreadPool::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_idle_.wait(lock, [this] { return queue_.empty() && active_ == 0; });
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    SpinUntil([this] { return queued_.load(std::memory_order_acquire) != 0; }, kPoolSpin);
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_task_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_release);
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
  // `remaining` is decremented *under* done_mu: the caller may return (destroying done_mu and
  // done_cv, which live on its stack) once it observes zero, so a worker must not touch them after
  // the decrement that the caller can see. The caller may watch it unlocked while it spins, but
  // always takes done_mu before returning, which waits out the worker's critical section.
  std::atomic<size_t> remaining{0};
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
  // The caller takes a chunk itself, so only the other chunks need a helper: waking a worker that
  // finds nothing left still costs the caller a wake-up before it may return (a single query's
  // wave of 2 files on 2 threads waits for one worker, not two).
  const size_t helpers = std::min(size(), (n + chunk - 1) / chunk - 1);
  remaining.store(helpers, std::memory_order_relaxed);
  for (size_t i = 0; i < helpers; ++i) {
    Submit([&] {
      run();
      std::lock_guard<std::mutex> lock(done_mu);
      if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) done_cv.notify_all();
    });
  }
  run();
  SpinUntil([&] { return remaining.load(std::memory_order_acquire) == 0; }, kPoolSpin);
  std::unique_lock<std::mutex> lock(done_mu);
  done_cv.wait(lock, [&] { return remaining.load(std::memory_order_acquire) == 0; });
}

}  // namespace ailake
