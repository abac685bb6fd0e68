// EmbedPool: the bounded set of embedding calls in flight, shared by every file a migration rewrites.
// `concurrency` threads each run one Embedder::Embed call at a time, so at most `concurrency` calls
// are outstanding (the command embedder's worker processes and the http embedder's requests are
// bounded the same way). Submit returns a future; callers bound how many they queue.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "core/thread_pool.h"
#include "embed/embedder.h"
#include "migrate/embed_stats.h"

namespace ailake::migrate {

class EmbedPool {
 public:
  EmbedPool(embed::Embedder& embedder, size_t concurrency) : embedder_(embedder), pool_(concurrency) {}
  size_t concurrency() const { return pool_.size(); }
  embed::Embedder& embedder() { return embedder_; }

  // Runs on the pool thread with a validated result, before the future is ready and before that
  // thread takes its next call (the task's batch checkpoint: batch_checkpoint.h). An error fails
  // the future.
  using AfterFn = std::function<Status(const std::vector<float>&)>;

  // Embeds `texts` (views that stay valid until the future is ready, kept alive by `owner`) and
  // validates the result: texts.size() x dim finite floats; then runs `after` (if any). The call
  // (its latency, texts, retries, and whether it failed, with the redacted error) is added to
  // `stats` when given.
  std::future<Result<std::vector<float>>> Submit(std::shared_ptr<const void> owner, std::vector<std::string_view> texts,
                                                 uint32_t dim, AfterFn after = nullptr,
                                                 std::shared_ptr<EmbedStatsSink> stats = nullptr);

 private:
  embed::Embedder& embedder_;
  ThreadPool pool_;
};

}  // namespace ailake::migrate
