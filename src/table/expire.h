// Expire: forget old snapshots, delete the files only they needed, and clean up orphans.
//
// Snapshot expiry. A snapshot is expired when it is older than `older_than_ms`, is not among the
// `retain_last` newest snapshots, and is not the current one or the target of a ref. Steps:
//   1. plan on the latest state: the expired snapshots and the candidate files (every data file,
//      delete file, manifest and manifest list an expired snapshot referenced that no retained
//      snapshot references);
//   2. record the candidates with put-if-absent in metadata/expire-<uuid>.json (the deletion log);
//   3. commit a remove-snapshots delta through CommitChange (table/commit.h);
//   4. re-read the table (after the commit) and delete every candidate that no snapshot of that
//      state references; then delete the record.
// A run killed anywhere leaves the table at its previous or next metadata version; the next run
// first finishes every record whose snapshots are gone from the table (step 4 again) and drops
// records whose commit never happened. Files are counted only when this run deleted them (a file
// already gone is not counted again).
//
// Orphan cleanup (Iceberg's remove_orphan_files). Files under data/ and manifests/manifest lists
// directly under metadata/ that no snapshot references are deleted when published before
// `orphans_older_than_ms` (default: 1 day ago). The grace period is what makes this safe: a commit
// in flight writes its files before it publishes them, so a young unreferenced file may be about to
// become live. The staging folder of the table's running migration (data/migrate-<job>/) is never
// touched, whatever its age: a dual-write migration publishes its outputs only at its cutover.
// Reachability is computed from a state read AFTER the listing, and computed again right before
// the deletions. Old metadata JSON files that left the metadata-log go too (same grace period,
// table/metadata_files.h). Setting the grace period to "now" is safe only while no writer runs.
//
// After expiry, time travel to an expired snapshot fails with NotFound; everything else is
// unchanged. This is how the old files of a migration (kept for time travel) are reclaimed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "table/table.h"

namespace ailake::table {

inline constexpr int64_t kDefaultOrphanGraceMs = 24LL * 3600 * 1000;

struct ExpireOptions {
  std::optional<int64_t> older_than_ms;          // snapshots; default: now - 5 days (Iceberg's default)
  int retain_last = 1;                           // keep at least this many newest snapshots (>= 1)
  std::optional<int64_t> orphans_older_than_ms;  // orphan grace; default: now - kDefaultOrphanGraceMs
  bool dry_run = false;                          // report, commit and delete nothing
  // Called with one line before each step and each deletion (progress output; crash tests count it).
  std::function<void(const std::string&)> progress;
};

struct ExpireResult {
  std::vector<int64_t> expired_snapshots;
  size_t data_files_deleted = 0;      // of expired snapshots
  size_t delete_files_deleted = 0;    // of expired snapshots
  size_t manifests_deleted = 0;       // manifests + manifest lists of expired snapshots
  size_t orphan_files_deleted = 0;    // unreferenced files past the grace period
  size_t metadata_files_deleted = 0;  // old metadata JSON files out of the metadata-log
  size_t records_resumed = 0;         // deletion records of interrupted runs finished by this run
  int64_t bytes_freed = 0;
};

Result<ExpireResult> ExpireSnapshots(Table& table, const ExpireOptions& options);

// Files under data/ and manifests under metadata/ that no snapshot of the current state references
// (whatever their age; for tests and `verify`-style checks after a run with no writers).
Result<std::vector<std::string>> ListUnreferencedFiles(Table& table);

}  // namespace ailake::table
