// ReadFileRows (include/ailake/file.h): the rows of any Parquet file as JSON objects.
#include "ailake/file.h"
#include "parquet/reader.h"
#include "parquet/value_json.h"

namespace ailake {

Status ReadFileRows(const std::string& path, const ReadRowsOptions& options,
                    const std::function<Status(std::string_view json_row)>& row) {
  if (options.limit < -1) return Status::InvalidArgument("ReadRowsOptions.limit must be -1 (all) or at least 0");
  AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::OpenPath(path));
  std::vector<int> fields;
  if (!options.columns.empty()) {
    auto idx = reader->FieldIndices(options.columns);
    // A wrong column name is the caller's mistake, whatever the reader calls it.
    if (!idx.ok()) return Status::InvalidArgument(idx.status().message());
    fields = *idx;
  }
  // No columns named: every column. One the reader cannot represent fails the read (naming it);
  // it is never silently left out of the rows.
  if (fields.empty()) {
    for (size_t i = 0; i < reader->schema().fields.size(); ++i) fields.push_back(static_cast<int>(i));
  }
  int64_t remaining = options.limit;
  std::string line;
  for (int rg = 0; rg < reader->num_row_groups() && remaining != 0; ++rg) {
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch batch, reader->ReadRowGroup(rg, fields));
    for (int64_t r = 0; r < batch.num_rows && remaining != 0; ++r) {
      line = parquet::RowToJson(batch, r);
      AILAKE_RETURN_IF_ERROR(row(line));
      if (remaining > 0) --remaining;
    }
  }
  return Status::OK();
}

Result<std::vector<std::string>> ReadFileRows(const std::string& path, const ReadRowsOptions& options) {
  std::vector<std::string> rows;
  AILAKE_RETURN_IF_ERROR(ReadFileRows(path, options, [&](std::string_view r) {
    rows.emplace_back(r);
    return Status::OK();
  }));
  return rows;
}

}  // namespace ailake
