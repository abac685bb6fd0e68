// Deleting old metadata JSON files (Iceberg's write.metadata.delete-after-commit.enabled, and expire).
//
// A metadata file may be deleted only when all of these hold, checked against a table state read
// AFTER the metadata folder was listed (so every listed file is either that state's current file,
// in its metadata-log, or superseded by it):
//   1. it is not the current metadata file and not in the current metadata-log
//      (write.metadata.previous-versions-max bounds the log; time travel by metadata file uses it);
//   2. the catalog does not need it forever (fs: v1 marks the table; Catalog::IsPermanentMetadata);
//   3. it was published before `older_than_ms` (the grace period).
// Why the grace period: a committer that read version K as its base may still be working on its
// commit. Readers never see a deleted file (they read the newest version), but the fs catalog's
// commit claims version K+1 by creating v<K+1>.metadata.json, so deleting v<K+1> would reopen that
// slot. v<K+1> was published after that committer read v<K>, so rule 3 keeps it for the grace period
// after the committer's read. Files are deleted oldest version first, so a committer stalled longer
// than that finds its base gone right after its claim and withdraws it (FsCatalog::CommitTable).
// The one case this cannot catch is a base of v1, which is never deleted; the grace period covers it.
// With the SQL catalogs the compare-and-swap is on the catalog row, so a stale committer always
// loses; the grace period only protects readers and commits in flight (a metadata file is written
// before its compare-and-swap).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ailake/status.h"
#include "catalog/catalog.h"

namespace ailake::table {

// Table property: the grace period of delete-after-commit, in ms (default 10 minutes).
inline constexpr const char* kPropMetadataDeleteMinAgeMs = "ailake.metadata.delete-min-age-ms";
inline constexpr int64_t kDefaultMetadataDeleteMinAgeMs = 10 * 60 * 1000;

struct MetadataCleanup {
  size_t files_deleted = 0;  // only files that existed and were deleted by this call
  int64_t bytes_freed = 0;
};

// Deletes the table's metadata JSON files that the rules above allow. `progress`, when set, is
// called before each deletion (for crash tests and progress output). `dry_run` counts only.
Result<MetadataCleanup> DeleteOldMetadataFiles(catalog::Catalog& catalog, const catalog::TableIdent& ident,
                                               int64_t older_than_ms, bool dry_run = false,
                                               const std::function<void(const std::string&)>& progress = {});

}  // namespace ailake::table
