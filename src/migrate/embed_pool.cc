#include "migrate/embed_pool.h"

namespace ailake::migrate {

std::future<Result<std::vector<float>>> EmbedPool::Submit(std::shared_ptr<const void> owner,
                                                          std::vector<std::string_view> texts, uint32_t dim,
                                                          AfterFn after) {
  auto task = std::make_shared<std::packaged_task<Result<std::vector<float>>()>>(
      [this, owner = std::move(owner), texts = std::move(texts), dim, after = std::move(after)]() -> Result<std::vector<float>> {
        std::vector<float> out;
        out.reserve(texts.size() * dim);
        if (!texts.empty()) {
          AILAKE_RETURN_IF_ERROR(embedder_.Embed(texts, &out));
        }
        AILAKE_RETURN_IF_ERROR(embed::ValidateEmbeddings(embedder_.Describe(), out, 0, texts.size(), dim));
        if (after) AILAKE_RETURN_IF_ERROR(after(out));
        return out;
      });
  auto future = task->get_future();
  pool_.Submit([task] { (*task)(); });
  return future;
}

}  // namespace ailake::migrate
