#include "migrate/embed_pool.h"

#include <chrono>

#include "table/commit.h"

namespace ailake::migrate {

std::future<Result<std::vector<float>>> EmbedPool::Submit(std::shared_ptr<const void> owner,
                                                          std::vector<std::string_view> texts, uint32_t dim,
                                                          AfterFn after, std::shared_ptr<EmbedStatsSink> stats) {
  auto task = std::make_shared<std::packaged_task<Result<std::vector<float>>()>>(
      [this, owner = std::move(owner), texts = std::move(texts), dim, after = std::move(after),
       stats = std::move(stats)]() -> Result<std::vector<float>> {
        std::vector<float> out;
        out.reserve(texts.size() * dim);
        if (!texts.empty()) {
          const uint64_t retries_before = embed::RetriesOnThisThread();
          const auto t0 = std::chrono::steady_clock::now();
          Status st = embedder_.Embed(texts, &out);
          const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
          if (st.ok()) st = embed::ValidateEmbeddings(embedder_.Describe(), out, 0, texts.size(), dim);
          if (stats) {
            const auto retries = static_cast<int64_t>(embed::RetriesOnThisThread() - retries_before);
            // The error that failed the call, else the last failure the embedder retried in it.
            const std::string& error = !st.ok() ? st.message() : retries > 0 ? embed::LastRetryErrorOnThisThread() : std::string();
            stats->AddCall(ms, static_cast<int64_t>(texts.size()), !st.ok(), retries, error, table::NowMs());
          }
          AILAKE_RETURN_IF_ERROR(st);
        } else {
          AILAKE_RETURN_IF_ERROR(embed::ValidateEmbeddings(embedder_.Describe(), out, 0, texts.size(), dim));
        }
        if (after) AILAKE_RETURN_IF_ERROR(after(out));
        return out;
      });
  auto future = task->get_future();
  pool_.Submit([task] { (*task)(); });
  return future;
}

}  // namespace ailake::migrate
