// TaskRecord: the persisted result of one migration task (one source data file rewritten).
//
// A task is idempotent and identified by its source file (TaskId = 16 hex digits of FNV-1a-64 of the
// source location). Its record is written with put-if-absent once the output file is published, so
// exactly one run of a task "finishes" it even when several processes race; a loser deletes its own
// output. Resume never re-embeds a task that has a record.
//
// Row mapping: the output holds the source's rows minus `skipped` (positions deleted when the task
// read the source, ascending), in order. A row deleted from the source later (a position delete
// with sequence number > seen_sequence) is carried to the output at
//   out = pos - |{s in skipped : s < pos}|
// when the task is committed, so no deleted row is ever resurrected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/manifest.h"
#include "migrate/embed_stats.h"

namespace ailake::migrate {

struct TaskRecord {
  std::string task_id;
  std::string source;          // location of the source data file
  std::string output;          // location of the rewritten file
  std::string output_key;      // its store key
  int64_t source_rows = 0;
  int64_t rows = 0;            // rows in the output
  std::vector<int64_t> skipped;  // source positions left out (deleted at read time), ascending
  int64_t seen_sequence = 0;   // deletes with sequence number <= this were applied by the read
  int64_t read_snapshot_id = 0;
  int64_t null_vectors = 0;    // rows whose text was null under the skip policy
  int64_t texts_embedded = 0;
  int64_t chars_embedded = 0;
  int64_t output_bytes = 0;
  std::vector<iceberg::FileVectorStats> vector_stats;  // of the output's vector columns
  int64_t finished_ms = 0;
  EmbedCallStats embed;        // the embedding calls of the run that finished the task ("embed"; absent
                               // in records written before it was kept: zero)

  std::string ToJson() const;
  static Result<TaskRecord> FromJson(const std::string& text, const std::string& where);
};

std::string TaskId(const std::string& source_location);

// Output position of a source row, or -1 when the row was skipped.
int64_t MapSourceRow(const std::vector<int64_t>& skipped, int64_t pos);

}  // namespace ailake::migrate
