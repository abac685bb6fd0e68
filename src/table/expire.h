// Snapshot expiry: forget old snapshots and delete the files only they needed.
//
// A snapshot is expired when it is older than `older_than_ms`, is not among the `retain_last`
// newest snapshots, and is not the current one or the target of a ref. The metadata change (the
// snapshots and their snapshot-log entries removed) is committed first, with compare-and-swap and
// retry; only then are files deleted: every data file, delete file, manifest and manifest list that
// an expired snapshot referenced and no retained snapshot references (live entries of retained
// manifests). Files that no snapshot ever referenced (a writer's uncommitted output, a staged
// migration file) are never touched here: they may belong to a commit in flight.
//
// After expiry, time travel to an expired snapshot fails with NotFound; everything else is
// unchanged. This is how the old files of a migration (kept for time travel) are reclaimed.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ailake/status.h"
#include "table/table.h"

namespace ailake::table {

struct ExpireOptions {
  std::optional<int64_t> older_than_ms;  // default: now - 5 days (Iceberg's default)
  int retain_last = 1;                   // keep at least this many newest snapshots (>= 1)
  bool dry_run = false;                  // report, commit and delete nothing
};

struct ExpireResult {
  std::vector<int64_t> expired_snapshots;
  size_t data_files_deleted = 0;
  size_t delete_files_deleted = 0;
  size_t manifests_deleted = 0;         // manifests + manifest lists
  int64_t bytes_freed = 0;
};

Result<ExpireResult> ExpireSnapshots(Table& table, const ExpireOptions& options);

}  // namespace ailake::table
