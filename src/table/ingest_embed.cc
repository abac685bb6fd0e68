#include "table/ingest_embed.h"

#include <algorithm>
#include <atomic>
#include <string_view>
#include <thread>
#include <vector>

#include "file/vector_fill.h"

namespace ailake::table {

Status EmbedMissingVectors(embed::Embedder& embedder, size_t call_rows, size_t concurrency, size_t dim,
                           VectorPrecision precision, IngestBatch* batch) {
  const std::vector<std::string>& texts = batch->embed_texts;
  const size_t calls = (texts.size() + call_rows - 1) / call_rows;
  std::vector<Status> status(calls);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < calls;) {
      const size_t begin = k * call_rows, end = std::min(texts.size(), begin + call_rows);
      std::vector<std::string_view> views(texts.begin() + static_cast<std::ptrdiff_t>(begin),
                                          texts.begin() + static_cast<std::ptrdiff_t>(end));
      std::vector<float> out;
      Status st = embedder.Embed(views, &out);
      if (st.ok()) st = embed::ValidateEmbeddings(embedder.Describe(), out, 0, views.size(), dim);
      for (size_t i = 0; st.ok() && i < views.size(); ++i) {
        // An embedder's output is checked like an input vector: f16 must hold it.
        st = file::CheckStorable(precision, out.data() + i * dim, dim);
        if (!st.ok()) {
          st = Status::InvalidArgument("the embedder returned for row text '" + std::string(views[i].substr(0, 60)) +
                                       "' a vector whose " + st.message());
        } else {
          std::copy(out.begin() + static_cast<std::ptrdiff_t>(i * dim), out.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim),
                    batch->vectors.begin() + static_cast<std::ptrdiff_t>(batch->to_embed[begin + i] * dim));
        }
      }
      status[k] = st;
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < std::min(calls, concurrency); ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  for (const Status& st : status) AILAKE_RETURN_IF_ERROR(st);
  return Status::OK();
}

}  // namespace ailake::table
