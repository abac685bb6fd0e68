#include "migrate/task_batch.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "vec/quantize.h"

namespace ailake::migrate {

Result<TaskBatch> CutBatch(const TaskContext& ctx, const parquet::Batch& rows, int64_t rg_base, RunCursor* cursor) {
  const MigrationJobDoc& job = *ctx.job;
  const MigrationOptions& o = job.options;
  const uint32_t old_dim = job.old_model.dim;
  const int64_t batch_size = static_cast<int64_t>(o.batch_size);
  TaskBatch p;
  p.data = std::make_shared<parquet::Batch>(parquet::Batch::Empty(ctx.data_schema));
  int64_t taken = 0;
  while (!cursor->done() && taken < batch_size) {
    const auto [s, e] = cursor->runs[cursor->run];
    const int64_t start = s + cursor->offset;
    const int64_t n = std::min<int64_t>(e - start, batch_size - taken);
    parquet::Batch slice = rows.Slice(start, n);
    for (int64_t i = 0; i < n; ++i) p.positions.push_back(rg_base + start + i);
    if (o.keep_old_column) {
      parquet::Column oc = std::move(slice.columns.back());
      slice.columns.pop_back();
      slice.schema.fields.pop_back();
      for (int64_t i = 0; i < n; ++i) {
        p.old_nulls.push_back(oc.IsValid(i) ? 0 : 1);
        p.old_vectors.resize(p.old_vectors.size() + old_dim);
        if (oc.IsValid(i)) {
          vec::DecodeRow(job.old_precision, oc.FixedValue(i), old_dim, p.old_vectors.data() + p.old_vectors.size() - old_dim);
        }
      }
    }
    slice.schema = ctx.data_schema;
    AILAKE_RETURN_IF_ERROR(p.data->Append(slice));
    taken += n;
    cursor->offset += n;
    if (s + cursor->offset >= e) {
      ++cursor->run;
      cursor->offset = 0;
    }
  }
  return p;
}

Status SubmitBatch(const TaskContext& ctx, const TaskSource& src, int text_index,
                   const std::shared_ptr<BatchCheckpoint>& checkpoint, const std::shared_ptr<EmbedStatsSink>& stats,
                   TaskBatch* batch, TaskRecord* rec) {
  const MigrationOptions& o = ctx.job->options;
  const uint32_t new_dim = o.new_model.dim;
  TaskBatch& p = *batch;
  const int64_t taken = p.data->num_rows;
  // Texts of this batch; nulls per policy; rows a checkpoint already holds are not sent again.
  const parquet::Column& text = p.data->columns[static_cast<size_t>(text_index)];
  std::vector<std::string_view> texts;
  std::vector<int64_t> send_pos;
  std::vector<uint64_t> send_hash;
  texts.reserve(static_cast<size_t>(taken));
  bool any_null = false;
  std::vector<float> one(new_dim);
  auto add_text = [&](int64_t i, std::string_view t) {
    const uint64_t h = TextHash(t);
    const int64_t pos = p.positions[static_cast<size_t>(i)];
    if (checkpoint->Lookup(pos, h, one.data())) {
      p.saved.push_back(1);
      p.saved_vectors.insert(p.saved_vectors.end(), one.begin(), one.end());
      return;
    }
    p.saved.push_back(0);
    texts.push_back(t);
    send_pos.push_back(pos);
    send_hash.push_back(h);
    rec->chars_embedded += static_cast<int64_t>(t.size());
  };
  for (int64_t i = 0; i < taken; ++i) {
    if (text.IsValid(i)) {
      add_text(i, text.StringValue(i));
      continue;
    }
    if (o.null_text == NullTextPolicy::kFail) {
      return Status::InvalidArgument(src.location + ": a row has a null '" + o.text_column +
                                     "' and the null-text policy is fail (use --null-text skip or empty)");
    }
    if (o.null_text == NullTextPolicy::kEmpty) {
      add_text(i, std::string_view());
      continue;
    }
    any_null = true;
    ++rec->null_vectors;
  }
  if (any_null) {
    p.new_nulls.assign(static_cast<size_t>(taken), 0);
    for (int64_t i = 0; i < taken; ++i) p.new_nulls[static_cast<size_t>(i)] = text.IsValid(i) ? 0 : 1;
  }
  rec->texts_embedded += static_cast<int64_t>(texts.size());
  if (texts.empty()) {
    std::promise<Result<std::vector<float>>> ready;
    ready.set_value(std::vector<float>());
    p.embedded = ready.get_future();
  } else {
    p.embedded = ctx.pool->Submit(p.data, std::move(texts), new_dim,
                                  [checkpoint, send_pos = std::move(send_pos), send_hash = std::move(send_hash)](
                                      const std::vector<float>& v) { return checkpoint->Append(send_pos, send_hash, v.data()); },
                                  stats);
  }
  return Status::OK();
}

Result<std::vector<float>> BatchVectors(TaskBatch* batch, uint32_t dim) {
  TaskBatch& p = *batch;
  AILAKE_ASSIGN_OR_RETURN(std::vector<float> fresh, p.embedded.get());
  const size_t n = static_cast<size_t>(p.data->num_rows);
  // The vectors of the rows with a text, in order: reused from the checkpoint or fresh.
  std::vector<float> got;
  if (p.saved_vectors.empty()) {
    got = std::move(fresh);
  } else {
    got.resize(p.saved.size() * dim);
    size_t si = 0, fi = 0;
    for (size_t r = 0; r < p.saved.size(); ++r) {
      const float* from = p.saved[r] ? p.saved_vectors.data() + (si++) * dim : fresh.data() + (fi++) * dim;
      std::copy_n(from, dim, got.data() + r * dim);
    }
  }
  if (p.new_nulls.empty()) return got;
  std::vector<float> vectors(n * dim, 0.0f);
  size_t k = 0;
  for (size_t r = 0; r < n; ++r) {
    if (p.new_nulls[r]) continue;
    std::copy_n(got.data() + k * dim, dim, vectors.data() + r * dim);
    ++k;
  }
  return vectors;
}

}  // namespace ailake::migrate
