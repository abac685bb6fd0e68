// TableWriter: appends rows (with vectors) to a table as new AI-Lake files, one commit per Commit().
//
// Rows are buffered into the current file; a file is finished (index built, AILK written, object
// published under a unique key "<ns>/<table>/data/<uuid>.parquet") when it reaches the table's
// target row count. Commit() finishes the open file and commits every finished file as one
// append snapshot (a delta: concurrent appends are kept). Files are invisible to readers until that
// commit; Abandon() (or destroying an uncommitted writer) deletes them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "file/file_writer.h"
#include "table/commit.h"
#include "table/layout_regions.h"
#include "table/table.h"

namespace ailake::table {

struct TableWriterOptions {
  int64_t target_file_rows = 0;  // 0 = the table's ailake.target-file-rows
  // Also cut a file once its rows reach this many bytes, uncompressed (data columns + vectors as
  // stored); 0 = no byte limit. Whichever limit is reached first ends the file.
  int64_t target_file_bytes = 0;
  uint32_t build_threads = 0;    // index build threads (0 = all cores)
  // Rows per Parquet row group (the default keeps a 1 Mi-row file's row groups at 128 Ki rows).
  // Tests set it small so every reader and rewriter sees files with many row groups.
  int64_t row_group_rows = 128 * 1024;
  parquet::Compression compression = parquet::Compression::kZstd;
  // Route rows by region when the table's layout is clustered (false: one file at a time always).
  bool route_by_region = true;
};

struct WrittenDataFile {
  std::string key;
  iceberg::AddedFile added;
};

class TableWriter {
 public:
  static Result<std::unique_ptr<TableWriter>> Open(Table& table, TableWriterOptions options = {});
  ~TableWriter();

  // `data` has the table's data columns (Table::DataSchema(), same order); vectors holds
  // data.num_rows x dim floats; nulls (optional, one byte per row) marks rows without a vector.
  Status Append(const parquet::Batch& data, const float* vectors, const uint8_t* nulls = nullptr);
  // Finishes the open file and commits all files written since the last Commit as one snapshot.
  // With no rows written, commits nothing and returns the table's current state.
  Result<CommitResult> Commit(const std::string& operation = "append");
  // The same, with more in the one snapshot: `change` may carry position-delete files, files that
  // must stay live, a planning snapshot and a validation hook (an upsert); the writer adds its data
  // files and the schema it wrote for. On failure the written files stay pending (commit again, or
  // Abandon).
  Result<CommitResult> Commit(iceberg::TableChange change);
  // Deletes every uncommitted file.
  void Abandon();

  int64_t pending_rows() const { return pending_rows_; }
  // Data files the last successful Commit added.
  size_t last_commit_files() const { return last_commit_files_; }
  const std::vector<WrittenDataFile>& pending_files() const { return files_; }
  // Regions rows are routed to (0 when the table is not clustered for this writer's model).
  size_t routed_regions() const { return regions_ ? regions_->centres.k() : 0; }

 private:
  TableWriter(Table& table, TableWriterOptions options, parquet::Schema data_schema)
      : table_(&table), options_(options), data_schema_(std::move(data_schema)) {}
  // One file being written; slot 0 when unrouted, slot r for region r when routed.
  struct OpenFile {
    std::unique_ptr<WritableFile> out;
    std::unique_ptr<file::AiLakeFileWriter> writer;
    std::string key;
    int64_t rows = 0;
    int64_t bytes = 0;
  };
  Status StartFile(OpenFile& f);
  Status FinishFile(OpenFile& f);
  Status FinishAll();
  // Appends rows to one slot's files, cutting them at the target size.
  Status AppendTo(OpenFile& f, const parquet::Batch& data, const float* vectors, const uint8_t* nulls);

  Table* table_;
  TableWriterOptions options_;
  parquet::Schema data_schema_;
  // The table as it was at Open: every file is written for this schema and vector column, and the
  // commit requires the schema to be unchanged (a Refresh of the shared Table must not move it).
  VectorConfig vectors_;
  int schema_id_ = 0;
  iceberg::Schema opened_schema_;  // the schema and vector column the files are written for
  VectorConfig opened_vectors_;
  int32_t vector_field_id_ = 0;
  std::string table_key_;
  std::optional<LayoutRegions> regions_;
  std::vector<OpenFile> open_;  // 1 slot, or one per region
  int64_t pending_rows_ = 0;
  std::vector<WrittenDataFile> files_;
  size_t last_commit_files_ = 0;
};

}  // namespace ailake::table
