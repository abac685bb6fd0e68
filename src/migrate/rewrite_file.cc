#include "migrate/rewrite_file.h"

#include <algorithm>
#include <deque>
#include <memory>

#include "core/uuid.h"
#include "migrate/batch_checkpoint.h"
#include "file/file_reader.h"
#include "file/file_writer.h"
#include "table/commit.h"
#include "table/live_file.h"
#include "vec/quantize.h"

namespace ailake::migrate {

namespace {

// One batch of kept rows on its way through the embedder.
struct Pending {
  std::shared_ptr<parquet::Batch> data;  // data columns (the output schema), kept rows only
  std::vector<float> old_vectors;        // decoded old column (keep_old_column), rows x old dim
  std::vector<uint8_t> old_nulls;
  std::vector<uint8_t> new_nulls;        // rows with a null text under the skip policy
  // Rows with a vector (non-null text), in order: saved[i] = a checkpointed vector was reused.
  std::vector<uint8_t> saved;
  std::vector<float> saved_vectors;      // the reused vectors, in order of the saved rows
  std::future<Result<std::vector<float>>> embedded;  // floats of the rows not saved, in order
};

// Deletes the staged output unless released (a failed or cancelled task leaves nothing behind).
class OutputGuard {
 public:
  OutputGuard(Store& store, std::string key) : store_(store), key_(std::move(key)) {}
  ~OutputGuard() {
    if (!released_) (void)store_.Delete(key_);
  }
  void Release() { released_ = true; }

 private:
  Store& store_;
  std::string key_;
  bool released_ = false;
};

}  // namespace

Result<TaskRecord> RewriteFile(const TaskContext& ctx, const TaskSource& src) {
  const MigrationJobDoc& job = *ctx.job;
  const MigrationOptions& o = job.options;
  table::Table& table = *ctx.table;
  Store& store = table.catalog().store();
  // Size-checked like every read of a live file (table/live_file.h): a swapped source would bake
  // the wrong rows into the new model's file.
  std::shared_ptr<RandomAccessFile> readable;
  if (src.bytes >= 0) {
    AILAKE_ASSIGN_OR_RETURN(readable, table::OpenLiveFile(table, src.location, src.bytes));
  } else {
    AILAKE_ASSIGN_OR_RETURN(std::string source_key, table.locations().KeyOf(src.location));
    AILAKE_ASSIGN_OR_RETURN(readable, store.OpenReadable(source_key));
  }
  AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
  parquet::ParquetReader& pq = reader->parquet();
  if (pq.num_rows() != src.rows) {
    return Status::Corruption(src.location + " has " + std::to_string(pq.num_rows()) + " rows but the manifest says " +
                              std::to_string(src.rows));
  }

  // Columns to read: the data columns, plus the old vector column when it is kept.
  std::vector<std::string> names;
  for (const auto& f : ctx.data_schema.fields) names.push_back(f.name);
  const int text_index = ctx.data_schema.FieldIndex(o.text_column);
  if (text_index < 0) return Status::InvalidArgument("text column '" + o.text_column + "' is not a data column");
  const file::VectorColumnMeta* old_meta = nullptr;
  if (o.keep_old_column) {
    AILAKE_ASSIGN_OR_RETURN(old_meta, reader->FindVectorColumn(o.old_column));
    // The old column is copied under the old model's name: it must hold exactly that model's
    // vectors (a file an aborted in-place job rewrote holds another model's under the same name).
    if (!old_meta->model.SameModel(job.old_model) || old_meta->model.dim != job.old_model.dim) {
      return Status::InvalidArgument(src.location + ": column '" + o.old_column + "' holds model '" +
                                     old_meta->model.Id() + "' (" + std::to_string(old_meta->model.dim) +
                                     "-d), not the table's '" + job.old_model.Id() +
                                     "'; --keep-old-column cannot keep it under that name (migrate without it)");
    }
    if (old_meta->precision != job.old_precision) {
      return Status::Corruption(src.location + ": column '" + o.old_column + "' is stored as " +
                                std::string(PrecisionName(old_meta->precision)) + ", the table says " +
                                std::string(PrecisionName(job.old_precision)));
    }
    names.push_back(o.old_column);
  }
  AILAKE_ASSIGN_OR_RETURN(std::vector<int> fields, pq.FieldIndices(names));

  // The output file: new column first (it becomes the table's vector column), old column after.
  TaskRecord rec;
  rec.task_id = TaskId(src.location);
  rec.source = src.location;
  rec.source_rows = src.rows;
  rec.skipped = src.deleted;
  rec.seen_sequence = src.seen_sequence;
  rec.read_snapshot_id = src.read_snapshot_id;
  rec.output_key = job.staging_prefix + Uuid::Random().ToString() + ".parquet";
  rec.output = table.catalog().LocationOf(rec.output_key);
  std::vector<file::VectorColumnSpec> specs;
  file::VectorColumnSpec ns;
  ns.name = o.new_column;
  ns.model = o.new_model;
  ns.policy = job.new_policy;
  ns.policy.build_threads = o.build_threads;
  ns.field_id = job.new_field_id;
  specs.push_back(ns);
  if (o.keep_old_column) {
    file::VectorColumnSpec os;
    os.name = o.old_column;
    os.model = job.old_model;
    os.policy = job.new_policy;
    os.policy.precision = job.old_precision;
    os.policy.build_threads = o.build_threads;
    os.field_id = job.old_field_id;
    specs.push_back(os);
  }
  AILAKE_ASSIGN_OR_RETURN(auto out, store.OpenWritable(rec.output_key, PublishMode::kIfAbsent));
  OutputGuard guard(store, rec.output_key);
  file::FileWriterOptions fo;
  fo.build_threads = o.build_threads;
  fo.parquet.row_group_rows = 128 * 1024;
  // Per-file properties other than ailake's own travel with the rows (and field metadata, written
  // as "<field>.<key>", is regenerated from the schema, so it is not copied twice).
  for (const auto& kv : pq.info().key_value) {
    bool field_key = false;
    for (const auto& f : ctx.data_schema.fields) {
      if (kv.key.rfind(f.name + ".", 0) == 0 && !f.metadata.empty()) field_key = true;
    }
    if (!field_key) fo.extra_key_values.emplace_back(kv.key, kv.value);
  }
  AILAKE_ASSIGN_OR_RETURN(auto writer, file::AiLakeFileWriter::Open(out.get(), ctx.data_schema, specs, fo));
  // Vectors a killed earlier run of this task already paid for (batch_checkpoint.h).
  AILAKE_ASSIGN_OR_RETURN(std::shared_ptr<BatchCheckpoint> ckpt,
                          BatchCheckpoint::Open(store, job.staging_prefix, rec.task_id, o.new_model.dim, src.rows));

  const uint32_t new_dim = o.new_model.dim;
  const uint32_t old_dim = job.old_model.dim;
  const size_t max_queued = std::max<size_t>(2, 2 * ctx.pool->concurrency());
  std::deque<Pending> queue;

  auto drain_one = [&]() -> Status {
    Pending p = std::move(queue.front());
    queue.pop_front();
    AILAKE_ASSIGN_OR_RETURN(std::vector<float> fresh, p.embedded.get());
    const size_t n = static_cast<size_t>(p.data->num_rows);
    // The vectors of the rows with a text, in order: reused from the checkpoint or fresh.
    std::vector<float> got;
    if (p.saved_vectors.empty()) {
      got = std::move(fresh);
    } else {
      got.resize(p.saved.size() * new_dim);
      size_t si = 0, fi = 0;
      for (size_t r = 0; r < p.saved.size(); ++r) {
        const float* from = p.saved[r] ? p.saved_vectors.data() + (si++) * new_dim : fresh.data() + (fi++) * new_dim;
        std::copy_n(from, new_dim, got.data() + r * new_dim);
      }
    }
    std::vector<float> vectors;
    if (p.new_nulls.empty()) {
      vectors = std::move(got);
    } else {
      vectors.assign(n * new_dim, 0.0f);
      size_t k = 0;
      for (size_t r = 0; r < n; ++r) {
        if (p.new_nulls[r]) continue;
        std::copy_n(got.data() + k * new_dim, new_dim, vectors.data() + r * new_dim);
        ++k;
      }
    }
    std::vector<file::VectorInput> inputs = {{vectors.data(), p.new_nulls.empty() ? nullptr : p.new_nulls.data()}};
    if (o.keep_old_column) inputs.push_back({p.old_vectors.data(), p.old_nulls.empty() ? nullptr : p.old_nulls.data()});
    AILAKE_RETURN_IF_ERROR(writer->Append(*p.data, inputs));
    rec.rows += static_cast<int64_t>(n);
    if (ctx.progress) ctx.progress(static_cast<int64_t>(n), 0);
    return Status::OK();
  };
  auto fail = [&](Status st) -> Status {
    // Wait for this file's outstanding calls: their texts live in `queue`.
    for (auto& p : queue) {
      if (p.embedded.valid()) p.embedded.wait();
    }
    queue.clear();
    writer.reset();
    out.reset();
    return st;
  };

  int64_t base_row = 0;  // source position of the row group's first row
  size_t next_deleted = 0;
  for (int rg = 0; rg < pq.num_row_groups(); ++rg) {
    const int64_t rg_base = base_row;
    if (ctx.cancel && ctx.cancel->load()) return fail(Status::Aborted("the migration was stopped"));
    const int64_t rg_rows = pq.row_group_num_rows(rg);
    auto read = pq.ReadRowGroup(rg, fields);
    if (!read.ok()) return fail(read.status());
    parquet::Batch& b = *read;
    // Kept rows as runs [start, end) within the row group.
    std::vector<std::pair<int64_t, int64_t>> runs;
    int64_t r = 0;
    while (r < rg_rows) {
      while (next_deleted < src.deleted.size() && src.deleted[next_deleted] < base_row + r) ++next_deleted;
      if (next_deleted < src.deleted.size() && src.deleted[next_deleted] == base_row + r) {
        ++r;
        continue;
      }
      int64_t end = r + 1;
      const int64_t limit = next_deleted < src.deleted.size() ? src.deleted[next_deleted] - base_row : rg_rows;
      end = std::min(rg_rows, std::max(end, limit));
      runs.push_back({r, end});
      r = end;
    }
    base_row += rg_rows;
    // Cut the kept rows into batches of batch_size.
    size_t run_i = 0;
    int64_t run_off = 0;
    while (run_i < runs.size()) {
      auto p_data = std::make_shared<parquet::Batch>(parquet::Batch::Empty(ctx.data_schema));
      Pending p;
      int64_t taken = 0;
      std::vector<int64_t> positions;  // source position of each row of the batch
      while (run_i < runs.size() && taken < static_cast<int64_t>(o.batch_size)) {
        const auto [s, e] = runs[run_i];
        const int64_t start = s + run_off;
        const int64_t n = std::min<int64_t>(e - start, static_cast<int64_t>(o.batch_size) - taken);
        parquet::Batch slice = b.Slice(start, n);
        for (int64_t i = 0; i < n; ++i) positions.push_back(rg_base + start + i);
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
        Status st = p_data->Append(slice);
        if (!st.ok()) return fail(st);
        taken += n;
        run_off += n;
        if (s + run_off >= e) {
          ++run_i;
          run_off = 0;
        }
      }
      // Texts of this batch; nulls per policy; rows a checkpoint already holds are not sent again.
      const parquet::Column& text = p_data->columns[static_cast<size_t>(text_index)];
      std::vector<std::string_view> texts;
      std::vector<int64_t> send_pos;
      std::vector<uint64_t> send_hash;
      texts.reserve(static_cast<size_t>(taken));
      bool any_null = false;
      std::vector<float> one(new_dim);
      auto add_text = [&](int64_t i, std::string_view t) {
        const uint64_t h = TextHash(t);
        const int64_t pos = positions[static_cast<size_t>(i)];
        if (ckpt->Lookup(pos, h, one.data())) {
          p.saved.push_back(1);
          p.saved_vectors.insert(p.saved_vectors.end(), one.begin(), one.end());
          return;
        }
        p.saved.push_back(0);
        texts.push_back(t);
        send_pos.push_back(pos);
        send_hash.push_back(h);
        rec.chars_embedded += static_cast<int64_t>(t.size());
      };
      for (int64_t i = 0; i < taken; ++i) {
        if (text.IsValid(i)) {
          add_text(i, text.StringValue(i));
          continue;
        }
        if (o.null_text == NullTextPolicy::kFail) {
          return fail(Status::InvalidArgument(src.location + ": a row has a null '" + o.text_column +
                                              "' and the null-text policy is fail (use --null-text skip or empty)"));
        }
        if (o.null_text == NullTextPolicy::kEmpty) {
          add_text(i, std::string_view());
          continue;
        }
        if (!any_null) p.new_nulls.assign(static_cast<size_t>(i), 0);
        any_null = true;
        ++rec.null_vectors;
      }
      if (any_null) {
        p.new_nulls.resize(static_cast<size_t>(taken), 0);
        for (int64_t i = 0; i < taken; ++i) p.new_nulls[static_cast<size_t>(i)] = text.IsValid(i) ? 0 : 1;
      }
      rec.texts_embedded += static_cast<int64_t>(texts.size());
      p.data = p_data;
      if (texts.empty()) {
        std::promise<Result<std::vector<float>>> ready;
        ready.set_value(std::vector<float>());
        p.embedded = ready.get_future();
      } else {
        p.embedded = ctx.pool->Submit(p_data, std::move(texts), new_dim,
                                      [ckpt, send_pos = std::move(send_pos), send_hash = std::move(send_hash)](
                                          const std::vector<float>& v) { return ckpt->Append(send_pos, send_hash, v.data()); });
      }
      queue.push_back(std::move(p));
      while (queue.size() >= max_queued) {
        Status st = drain_one();
        if (!st.ok()) return fail(st);
      }
      if (ctx.cancel && ctx.cancel->load()) return fail(Status::Aborted("the migration was stopped"));
    }
  }
  while (!queue.empty()) {
    Status st = drain_one();
    if (!st.ok()) return fail(st);
  }
  if (rec.rows != src.rows - static_cast<int64_t>(src.deleted.size())) {
    return fail(Status::Internal(src.location + ": rewrote " + std::to_string(rec.rows) + " rows, expected " +
                                 std::to_string(src.rows - static_cast<int64_t>(src.deleted.size()))));
  }
  auto written = writer->Finish();
  writer.reset();
  if (!written.ok()) return fail(written.status());
  out.reset();
  rec.output_bytes = static_cast<int64_t>(written->file_bytes);
  if (ctx.progress) ctx.progress(0, rec.output_bytes);
  for (const auto& c : written->columns) {
    iceberg::FileVectorStats s;
    const bool is_new = c.name == o.new_column;
    s.column = c.name;
    s.model = is_new ? o.new_model.name : job.old_model.name;
    s.model_version = is_new ? o.new_model.version : job.old_model.version;
    s.dim = is_new ? new_dim : old_dim;
    s.metric = is_new ? o.new_model.metric : job.old_model.metric;
    s.precision = is_new ? job.new_policy.precision : job.old_precision;
    s.index = c.index_kind;
    s.centroid = c.centroid;
    s.radius = c.radius;
    s.rows_with_vector = c.rows_with_vector;
    rec.vector_stats.push_back(std::move(s));
  }
  rec.finished_ms = table::NowMs();
  guard.Release();
  return rec;
}

}  // namespace ailake::migrate
