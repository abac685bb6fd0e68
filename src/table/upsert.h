// Writing rows by id: upsert, insert-new, error-on-duplicate (and plain append), and delete by id.
//
// Every mode but append needs an id on every input row and refuses an input that holds an id twice
// (naming both rows). Live rows are found with table/id_lookup.h (manifest id bounds, then row-group
// statistics, then the id column of the surviving row groups only).
//
//   append              every row is added; ids are not checked (rows without one get a generated id)
//   error-on-duplicate  nothing is written when any input id is already live (the error names one)
//   insert-new          rows whose id is live are skipped (counted); the others are added
//   upsert              every row is added and the live rows with the same ids are deleted, in ONE
//                       snapshot (operation "overwrite": the new data files + position deletes; a
//                       data file none of whose rows stays live is removed from the table instead)
//
// Concurrency: the change carries its planning snapshot S and a validation run inside every commit
// attempt against the latest state: a data file committed after S that holds one of our ids is a
// conflict; so is a file we delete rows from rewritten meanwhile (require_live_files: e.g. a
// migration moved the row). A matched row deleted meanwhile is not: it stays deleted and our row is
// added, exactly as if that delete had run first. On such a conflict the plan is made again
// on the new state (upsert keeps its written data files and re-plans only its deletes; insert-new
// and error-on-duplicate look up and write again), up to UpsertOptions::max_replans times, then a
// kCommitConflict. So two concurrent upserts of one id leave exactly one live row holding one of
// the written values, and two concurrent error-on-duplicate loads of one id never both land.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "embed/embedder.h"
#include "table/id_lookup.h"
#include "table/ingest.h"
#include "table/table.h"

namespace ailake::table {

enum class WriteMode { kAppend, kErrorOnDuplicate, kInsertNew, kUpsert };

// "append", "error-on-duplicate", "insert-new", "upsert".
Result<WriteMode> ParseWriteMode(const std::string& text);
const char* WriteModeName(WriteMode mode);

struct UpsertOptions {
  WriteMode mode = WriteMode::kErrorOnDuplicate;
  int max_replans = 20;
  // Called once, after the first plan and before its first commit attempt (tests hold concurrent
  // writers here so that they all plan on the same snapshot).
  std::function<void()> before_first_commit;
};

struct WriteResult {
  IngestResult ingest;        // rows written, embedded, files, snapshot; `skipped` for insert-new
  int64_t replaced = 0;       // live rows deleted because the input re-wrote their id (upsert)
  size_t files_removed = 0;   // data files left without a live row, removed instead of position deletes
  int replans = 0;            // plans made again after a concurrent commit touched our ids
  int commit_attempts = 0;    // catalog commit attempts of the final plan (lost races retried)
  IdLookupStats lookup;       // the final plan's id lookup
};

// Ingests `path` (table/ingest.h) under `options.mode`. Nothing is committed on any error.
Result<WriteResult> IngestWithMode(Table& table, const std::string& path, embed::Embedder* embedder,
                                   const IngestOptions& ingest, const UpsertOptions& options);

struct DeleteIdsResult {
  int64_t rows_deleted = 0;
  size_t delete_files = 0;
  size_t files_removed = 0;              // data files left without a live row: removed from the table
  int64_t snapshot_id = 0;               // 0 when no id was live (nothing committed)
  std::vector<std::string> unknown_ids;  // requested ids with no live row (sorted)
  int replans = 0;
};

// Deletes every live row whose id is in `ids` with position-delete files, in one commit (a data file
// left without a live row is removed from the table instead); a targeted file rewritten concurrently
// makes it plan again (up to 10 times). Duplicates in `ids` are ignored.
Result<DeleteIdsResult> DeleteIds(Table& table, std::vector<std::string> ids);

// An id list file: one id per line (surrounding spaces and a trailing CR trimmed), or JSON Lines
// whose objects carry "id" (string or integer); blank lines are skipped. Errors name the line.
Result<std::vector<std::string>> ReadIdsFile(const std::string& path);

}  // namespace ailake::table
