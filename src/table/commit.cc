#include "table/commit.h"

#include <chrono>
#include <random>
#include <thread>

#include "core/logging.h"
#include "table/metadata_files.h"

namespace ailake::table {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// write.metadata.delete-after-commit.enabled: the commit is durable already, so a failed cleanup is
// only logged (the files stay until a later commit or expire deletes them).
void DeleteAfterCommit(catalog::Catalog& catalog, const catalog::TableIdent& ident, const iceberg::TableMetadata& m) {
  auto enabled = m.BoolProperty(catalog::kPropDeleteAfterCommit, false);
  if (!enabled.ok() || !*enabled) return;
  auto min_age = m.IntProperty(kPropMetadataDeleteMinAgeMs, kDefaultMetadataDeleteMinAgeMs, 0, INT64_MAX / 2);
  if (!min_age.ok()) {
    LogWarn(min_age.status().message() + "; old metadata files of " + ident.ToString() + " kept");
    return;
  }
  auto done = DeleteOldMetadataFiles(catalog, ident, NowMs() - *min_age);
  if (!done.ok()) LogWarn("could not delete old metadata files of " + ident.ToString() + ": " + done.status().ToString());
}

}  // namespace

Result<CommitResult> CommitChange(catalog::Catalog& catalog, const catalog::TableIdent& ident,
                                  const iceberg::TableChange& change, RetryOptions retry) {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  iceberg::Locations loc{catalog.warehouse_uri(), catalog::Catalog::TableKey(ident)};
  int backoff = retry.initial_backoff_ms;
  for (int attempt = 1; attempt <= retry.max_attempts; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable base, catalog.LoadTable(ident));
    AILAKE_ASSIGN_OR_RETURN(iceberg::AppliedChange applied,
                            iceberg::ApplyChange(catalog.store(), loc, catalog::Catalog::TableKey(ident), base.metadata,
                                                 change, NowMs()));
    if (applied.unchanged) return CommitResult{std::move(base), 0, attempt, true, {}};
    auto committed = catalog.CommitTable(base, std::move(applied.metadata));
    if (committed.ok()) {
      DeleteAfterCommit(catalog, ident, committed->metadata);
      return CommitResult{std::move(*committed), applied.snapshot_id, attempt, false,
                          std::move(applied.removed_snapshots)};
    }
    for (const auto& key : applied.written_keys) (void)catalog.store().Delete(key);
    if (committed.status().code() != StatusCode::kCommitConflict) return committed.status();
    // Lost the race: someone else published first. Back off with full jitter and re-apply.
    LogDebug("commit to " + ident.ToString() + " lost a race (attempt " + std::to_string(attempt) + "), retrying");
    std::uniform_int_distribution<int> jitter(0, backoff);
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
    backoff = std::min(retry.max_backoff_ms, backoff * 2);
  }
  return Status::CommitConflict("gave up committing to " + ident.ToString() + " after " +
                                std::to_string(retry.max_attempts) + " lost races; the table is very busy, try again");
}

}  // namespace ailake::table
