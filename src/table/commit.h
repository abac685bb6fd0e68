// Committing a table change: apply the delta to the latest state, publish with the catalog's
// compare-and-swap, and on a lost race re-read, re-apply and retry with jittered exponential backoff.
//
// Two kinds of conflict:
//   - a lost race (another writer published first): retried, transparently;
//   - a real conflict (iceberg/table_change.h: a file to remove is gone, rows were deleted meanwhile,
//     the schema changed): returned as kCommitConflict, nothing published.
// Objects written by a losing attempt are deleted before the retry, so retries leave no garbage.
//
// This is the ONE way metadata is published: appends, deletes, upserts, rollback
// (set-current-snapshot), expire (remove-snapshots), compaction, migration commits and cutover all
// build a TableChange and call CommitChange, so every one of them gets the same validation, the
// same retry policy and the same metadata-growth handling: after a successful commit, with
// write.metadata.delete-after-commit.enabled=true, the metadata files that dropped out of the
// metadata-log are deleted (table/metadata_files.h says when that is safe).
#pragma once

#include <cstdint>
#include <vector>

#include "ailake/status.h"
#include "catalog/catalog.h"
#include "iceberg/table_change.h"

namespace ailake::table {

// The retry policy for lost races (the table's only one).
struct RetryOptions {
  int max_attempts = 100;
  int initial_backoff_ms = 2;
  int max_backoff_ms = 1000;
};

// After a real conflict (kCommitConflict from the delta's own validation, e.g. a delete's target
// was rewritten meanwhile), callers that can plan their change again on the newer state do so at
// most this many times, then report the conflict.
inline constexpr int kMaxReplans = 20;

struct CommitResult {
  catalog::LoadedTable table;
  int64_t snapshot_id = 0;
  int attempts = 0;
  bool unchanged = false;                  // nothing to publish: the table already was as asked
  std::vector<int64_t> removed_snapshots;  // remove-snapshots: the ones this commit removed
};

Result<CommitResult> CommitChange(catalog::Catalog& catalog, const catalog::TableIdent& ident,
                                  const iceberg::TableChange& change, RetryOptions retry = {});

int64_t NowMs();

}  // namespace ailake::table
