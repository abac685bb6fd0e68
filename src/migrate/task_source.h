// The source side of a migration task (rewrite_file.h): the live source file opened and checked,
// the columns the task reads from it, and which of its rows are kept.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "ailake/status.h"
#include "file/file_reader.h"
#include "migrate/rewrite_file.h"

namespace ailake::migrate {

struct OpenedSource {
  std::unique_ptr<file::AiLakeFileReader> reader;
  // Fields read per row group: the data columns in ctx.data_schema order, then the old vector
  // column when the job keeps it (always last, so a batch can pop it off).
  std::vector<int> fields;
  int text_index = -1;  // the text column within the data columns
};

// Opens the source, size-checked against its manifest like every read of a live file (a swapped
// source would bake the wrong rows into the new model's file), checks its row count, and checks that
// a kept old column holds exactly the old model's vectors at the table's precision.
Result<OpenedSource> OpenTaskSource(const TaskContext& ctx, const TaskSource& src);

// Runs [start, end) of row-group positions not deleted. Row groups are visited in order, so one
// cursor walks the ascending deleted list once for the whole file.
class KeptRows {
 public:
  explicit KeptRows(const std::vector<int64_t>& deleted) : deleted_(deleted) {}
  // The kept runs of the row group starting at source position `base` with `rows` rows.
  std::vector<std::pair<int64_t, int64_t>> RowGroupRuns(int64_t base, int64_t rows);

 private:
  const std::vector<int64_t>& deleted_;
  size_t next_ = 0;
};

}  // namespace ailake::migrate
