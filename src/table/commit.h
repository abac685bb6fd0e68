// Committing a table change: apply the delta to the latest state, publish with the catalog's
// compare-and-swap, and on a lost race re-read, re-apply and retry with jittered exponential backoff.
//
// Two kinds of conflict:
//   - a lost race (another writer published first): retried, transparently;
//   - a real conflict (iceberg/table_change.h: a file to remove is gone, rows were deleted meanwhile,
//     the schema changed): returned as kCommitConflict, nothing published.
// Objects written by a losing attempt are deleted before the retry, so retries leave no garbage.
#pragma once

#include <cstdint>

#include "ailake/status.h"
#include "catalog/catalog.h"
#include "iceberg/table_change.h"

namespace ailake::table {

struct RetryOptions {
  int max_attempts = 100;
  int initial_backoff_ms = 2;
  int max_backoff_ms = 1000;
};

struct CommitResult {
  catalog::LoadedTable table;
  int64_t snapshot_id = 0;
  int attempts = 0;
};

Result<CommitResult> CommitChange(catalog::Catalog& catalog, const catalog::TableIdent& ident,
                                  const iceberg::TableChange& change, RetryOptions retry = {});

int64_t NowMs();

}  // namespace ailake::table
