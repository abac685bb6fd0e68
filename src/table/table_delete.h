// DELETE ... WHERE: marks the matching rows deleted with Iceberg v2 position-delete files, so Spark,
// Trino and every other v2 reader see the same rows as ailake. Data files are never rewritten.
//
// One delete file per affected data file: Parquet with `file_path` (string, field id 2147483546) and
// `pos` (long, field id 2147483545), sorted by pos, lower == upper bound on file_path so a commit can
// tell which data file it targets. The commit requires every targeted data file to still be live
// (a concurrent rewrite would otherwise leave the rows alive in its replacement).
#pragma once

#include <string>
#include <vector>

#include "ailake/status.h"
#include "table/table.h"

namespace ailake::table {

struct DeleteResult {
  int64_t rows_deleted = 0;
  size_t delete_files = 0;
  int64_t snapshot_id = 0;  // 0 when nothing matched (no commit)
};

// Plans against the current snapshot and commits; when a concurrent commit rewrote a targeted file
// (a migration replacing it, say) the delete is planned again on the newer state, up to 10 times.
Result<DeleteResult> DeleteWhere(Table& table, const std::string& where);

// One position-delete file marking `positions` (ascending, no duplicates) of the data file at
// `target` deleted, written under the table's data/ folder at a unique key. Not committed.
struct WrittenDeleteFile {
  std::string key;
  iceberg::DataFile file;
};
Result<WrittenDeleteFile> WritePositionDeleteFile(Table& table, const std::string& target,
                                                  const std::vector<int64_t>& positions);

}  // namespace ailake::table
