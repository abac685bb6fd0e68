// The output side of a migration task (rewrite_file.h): a new AI-Lake file at a unique key under
// the job's staging prefix, holding every data column, the new vector column first (it becomes the
// table's vector column) and the old one after it when the job keeps it.
//
// Nothing half-written is left behind: the file is published only by a successful Finish, and the
// guard deletes the key unless the task releases it after recording its output.
#pragma once

#include <memory>
#include <string>

#include "ailake/status.h"
#include "file/file_writer.h"
#include "migrate/rewrite_file.h"
#include "parquet/reader.h"

namespace ailake::migrate {

// Deletes the staged output unless released (a failed or cancelled task leaves nothing behind).
class OutputGuard {
 public:
  OutputGuard(Store& store, std::string key) : store_(store), key_(std::move(key)) {}
  ~OutputGuard() {
    if (!released_) (void)store_.Delete(key_);
  }
  OutputGuard(const OutputGuard&) = delete;
  OutputGuard& operator=(const OutputGuard&) = delete;
  void Release() { released_ = true; }

 private:
  Store& store_;
  std::string key_;
  bool released_ = false;
};

// Members in this order so that destruction closes the writer, then the file, and only then lets
// the guard delete the key.
struct TaskOutput {
  std::unique_ptr<OutputGuard> guard;  // set as soon as the key is claimed
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<file::AiLakeFileWriter> writer;  // writes into `file`

  // Drops the writer and the file handle. After a successful Finish the file is already published;
  // before it, nothing is (a failed task), and the guard then deletes whatever the key holds.
  void Close() {
    writer.reset();
    file.reset();
  }
};

// Claims `output_key` (put-if-absent) and opens the writer. The source's per-file key/values other
// than field metadata travel with the rows.
Status OpenTaskOutput(const TaskContext& ctx, const parquet::FileInfo& source_info, const std::string& output_key,
                      TaskOutput* out);

// The record's stats of each vector column the finished writer reports.
std::vector<iceberg::FileVectorStats> OutputVectorStats(const MigrationJobDoc& job,
                                                        const file::WrittenFile& written);

}  // namespace ailake::migrate
