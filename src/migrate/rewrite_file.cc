#include "migrate/rewrite_file.h"

#include <algorithm>
#include <deque>
#include <memory>

#include "core/uuid.h"
#include "migrate/batch_checkpoint.h"
#include "migrate/task_batch.h"
#include "migrate/task_output.h"
#include "migrate/task_source.h"
#include "table/commit.h"

namespace ailake::migrate {

namespace {

// The record of a task that has not run yet: what it reads and where its output goes.
TaskRecord NewTaskRecord(const TaskContext& ctx, const TaskSource& src) {
  TaskRecord rec;
  rec.task_id = TaskId(src.location);
  rec.source = src.location;
  rec.source_rows = src.rows;
  rec.skipped = src.deleted;
  rec.seen_sequence = src.seen_sequence;
  rec.read_snapshot_id = src.read_snapshot_id;
  rec.output_key = ctx.job->staging_prefix + Uuid::Random().ToString() + ".parquet";
  rec.output = ctx.table->catalog().LocationOf(rec.output_key);
  return rec;
}

// The batches of one task in flight, oldest first, bounded so memory is bounded by the row group
// and the queue, never by the file. Batches leave in order, so output rows keep source order.
class BatchPipeline {
 public:
  BatchPipeline(const TaskContext& ctx, file::AiLakeFileWriter* writer, TaskRecord* rec)
      : ctx_(ctx), writer_(writer), rec_(rec), max_queued_(std::max<size_t>(2, 2 * ctx.pool->concurrency())) {}
  // Waits for every outstanding embedding call: their texts live in the queued batches.
  ~BatchPipeline() { Abandon(); }

  // Queues a submitted batch, then writes the oldest ones while the queue is full.
  Status Push(TaskBatch batch) {
    queue_.push_back(std::move(batch));
    while (queue_.size() >= max_queued_) AILAKE_RETURN_IF_ERROR(WriteOldest());
    return Status::OK();
  }
  Status Flush() {
    while (!queue_.empty()) AILAKE_RETURN_IF_ERROR(WriteOldest());
    return Status::OK();
  }
  void Abandon() {
    for (auto& p : queue_) {
      if (p.embedded.valid()) p.embedded.wait();
    }
    queue_.clear();
  }

 private:
  Status WriteOldest() {
    TaskBatch p = std::move(queue_.front());
    queue_.pop_front();
    const MigrationOptions& o = ctx_.job->options;
    AILAKE_ASSIGN_OR_RETURN(std::vector<float> vectors, BatchVectors(&p, o.new_model.dim));
    const int64_t n = p.data->num_rows;
    std::vector<file::VectorInput> inputs = {{vectors.data(), p.new_nulls.empty() ? nullptr : p.new_nulls.data()}};
    if (o.keep_old_column) inputs.push_back({p.old_vectors.data(), p.old_nulls.empty() ? nullptr : p.old_nulls.data()});
    AILAKE_RETURN_IF_ERROR(writer_->Append(*p.data, inputs));
    rec_->rows += n;
    if (ctx_.progress) ctx_.progress(n, 0);
    return Status::OK();
  }

  const TaskContext& ctx_;
  file::AiLakeFileWriter* writer_;
  TaskRecord* rec_;
  const size_t max_queued_;
  std::deque<TaskBatch> queue_;
};

bool Cancelled(const TaskContext& ctx) { return ctx.cancel && ctx.cancel->load(); }

// Reads the source row group by row group, cuts the kept rows into batches and sends them through
// the pipeline; returns once every batch is written.
Status EmbedSourceRows(const TaskContext& ctx, const TaskSource& src, const OpenedSource& source,
                       const std::shared_ptr<BatchCheckpoint>& checkpoint, const std::shared_ptr<EmbedStatsSink>& stats,
                       BatchPipeline* pipeline, TaskRecord* rec) {
  parquet::ParquetReader& pq = source.reader->parquet();
  KeptRows kept(src.deleted);
  int64_t rg_base = 0;  // source position of the row group's first row
  for (int rg = 0; rg < pq.num_row_groups(); ++rg) {
    if (Cancelled(ctx)) return Status::Aborted("the migration was stopped");
    const int64_t rg_rows = pq.row_group_num_rows(rg);
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch rows, pq.ReadRowGroup(rg, source.fields));
    RunCursor cursor;
    cursor.runs = kept.RowGroupRuns(rg_base, rg_rows);
    while (!cursor.done()) {
      AILAKE_ASSIGN_OR_RETURN(TaskBatch batch, CutBatch(ctx, rows, rg_base, &cursor));
      AILAKE_RETURN_IF_ERROR(SubmitBatch(ctx, src, source.text_index, checkpoint, stats, &batch, rec));
      AILAKE_RETURN_IF_ERROR(pipeline->Push(std::move(batch)));
      if (Cancelled(ctx)) return Status::Aborted("the migration was stopped");
    }
    rg_base += rg_rows;
  }
  return pipeline->Flush();
}

}  // namespace

Result<TaskRecord> RewriteFile(const TaskContext& ctx, const TaskSource& src) {
  const MigrationJobDoc& job = *ctx.job;
  Store& store = ctx.table->catalog().store();
  AILAKE_ASSIGN_OR_RETURN(OpenedSource source, OpenTaskSource(ctx, src));
  TaskRecord rec = NewTaskRecord(ctx, src);
  TaskOutput output;
  AILAKE_RETURN_IF_ERROR(OpenTaskOutput(ctx, source.reader->parquet().info(), rec.output_key, &output));
  // Vectors a killed earlier run of this task already paid for (batch_checkpoint.h).
  AILAKE_ASSIGN_OR_RETURN(std::shared_ptr<BatchCheckpoint> checkpoint,
                          BatchCheckpoint::Open(store, job.staging_prefix, rec.task_id, job.options.new_model.dim, src.rows));

  auto stats = std::make_shared<EmbedStatsSink>();
  BatchPipeline pipeline(ctx, output.writer.get(), &rec);
  auto fail = [&](Status st) -> Status {
    pipeline.Abandon();  // every call of this task has ended: its statistics are complete
    if (ctx.unrecorded) ctx.unrecorded->Merge(stats->Take());
    output.Close();
    return st;
  };
  if (Status st = EmbedSourceRows(ctx, src, source, checkpoint, stats, &pipeline, &rec); !st.ok()) return fail(st);
  const int64_t expected = src.rows - static_cast<int64_t>(src.deleted.size());
  if (rec.rows != expected) {
    return fail(Status::Internal(src.location + ": rewrote " + std::to_string(rec.rows) + " rows, expected " +
                                 std::to_string(expected)));
  }
  auto written = output.writer->Finish();
  if (!written.ok()) return fail(written.status());
  output.Close();
  rec.output_bytes = static_cast<int64_t>(written->file_bytes);
  if (ctx.progress) ctx.progress(0, rec.output_bytes);
  rec.vector_stats = OutputVectorStats(job, *written);
  rec.finished_ms = table::NowMs();
  rec.embed = stats->Take();
  output.guard->Release();
  return rec;
}

}  // namespace ailake::migrate
