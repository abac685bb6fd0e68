// One batch of a migration task (rewrite_file.h) on its way through the embedder: cut from the
// kept rows of a row group, its texts sent to the EmbedPool (minus the ones a checkpoint already
// holds), and, once embedded, the new column's vectors for every row of the batch.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <utility>
#include <vector>

#include "ailake/status.h"
#include "migrate/batch_checkpoint.h"
#include "migrate/rewrite_file.h"
#include "parquet/batch.h"

namespace ailake::migrate {

struct TaskBatch {
  std::shared_ptr<parquet::Batch> data;  // data columns (the output schema), kept rows only
  std::vector<int64_t> positions;        // source position of each row
  std::vector<float> old_vectors;        // decoded old column (keep_old_column), rows x old dim
  std::vector<uint8_t> old_nulls;
  std::vector<uint8_t> new_nulls;        // rows with a null text under the skip policy (empty: none)
  // Rows with a vector (non-null text), in order: saved[i] = a checkpointed vector was reused.
  std::vector<uint8_t> saved;
  std::vector<float> saved_vectors;      // the reused vectors, in order of the saved rows
  std::future<Result<std::vector<float>>> embedded;  // floats of the rows not saved, in order
};

// The kept runs [start, end) of one row group and how far batches have consumed them.
struct RunCursor {
  std::vector<std::pair<int64_t, int64_t>> runs;
  size_t run = 0;
  int64_t offset = 0;  // rows of runs[run] already taken
  bool done() const { return run >= runs.size(); }
};

// Takes up to the job's batch size of kept rows of `rows` (one row group, read with
// OpenedSource::fields; its first row is source position `rg_base`) into a new batch, splitting
// off and decoding the old vector column when the job keeps it.
Result<TaskBatch> CutBatch(const TaskContext& ctx, const parquet::Batch& rows, int64_t rg_base, RunCursor* cursor);

// Applies the null-text policy and sends the texts the checkpoint does not hold to the pool; each
// embedded result is appended to the checkpoint on the pool thread. Counts null vectors and texts
// and characters sent in `rec`; the embedding call goes into `stats` (embed_stats.h).
Status SubmitBatch(const TaskContext& ctx, const TaskSource& src, int text_index,
                   const std::shared_ptr<BatchCheckpoint>& checkpoint, const std::shared_ptr<EmbedStatsSink>& stats,
                   TaskBatch* batch, TaskRecord* rec);

// Waits for the embedding and returns the new column's vectors for every row of the batch: reused
// and fresh ones merged in row order, zeros at rows whose text was null (marked in new_nulls).
Result<std::vector<float>> BatchVectors(TaskBatch* batch, uint32_t dim);

}  // namespace ailake::migrate
