// One migration task: rewrite one source data file with the new model's vectors.
//
// The source is read one row group at a time; rows deleted at read time are left out; the texts of
// the kept rows are cut into batches of `batch_size` and handed to the shared EmbedPool (up to
// 2 x concurrency batches of this file queued, so memory is bounded by the row group size and the
// queue, never by the file). Results come back in order and are appended to a new AI-Lake file
// that keeps every data column, the old vector column too when the job keeps it, plus the new
// column and its index. The output goes to a unique key under the job's staging prefix and is
// published only when complete; a failed or cancelled task deletes it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "migrate/embed_pool.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"
#include "parquet/batch.h"
#include "table/table.h"

namespace ailake::migrate {

struct TaskSource {
  std::string location;            // the live source data file
  int64_t rows = 0;                // its record count
  int64_t bytes = -1;              // its size per the manifest (-1: unknown, not checked)
  std::vector<int64_t> deleted;    // positions deleted as of read_snapshot_id (ascending, unique)
  int64_t seen_sequence = 0;
  int64_t read_snapshot_id = 0;
};

// Called from the task's thread after each appended batch with (rows appended, bytes) deltas.
using TaskProgressFn = std::function<void(int64_t rows, int64_t bytes)>;

struct TaskContext {
  table::Table* table = nullptr;
  const MigrationJobDoc* job = nullptr;
  parquet::Schema data_schema;     // the table's data columns at the job's base schema
  EmbedPool* pool = nullptr;
  const std::atomic<bool>* cancel = nullptr;  // set: stop at the next batch with kCancelled-like error
  TaskProgressFn progress;
  // Embedder statistics of tasks that end without a record (failed or stopped; embed_stats.h).
  std::shared_ptr<EmbedStatsSink> unrecorded;
};

// Runs the task and returns its record (not yet published), with the task's embedder statistics.
// The output file is published. On failure the task's embedder statistics go to ctx.unrecorded.
Result<TaskRecord> RewriteFile(const TaskContext& ctx, const TaskSource& source);

}  // namespace ailake::migrate
