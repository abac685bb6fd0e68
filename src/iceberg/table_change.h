// A table change as a DELTA, and how it is applied to the latest table state (guide §4).
//
// A writer plans a change on some snapshot (files to add, files to remove, properties, a schema),
// then commits it. ApplyChange re-applies the delta to whatever the table looks like *now*:
//   - every file to remove must still be live (a concurrent commit may have removed it);
//   - no position-delete file committed after the planning snapshot may target a removed file
//     (rewriting such a file would resurrect the deleted rows);
//   - the current schema must still be the one the change was planned on;
// each violated rule is a kCommitConflict naming the file or schema. Files appended concurrently are
// simply kept: a commit never replaces "the whole file list", so nothing appended meanwhile is lost.
//
// ApplyChange writes the new manifests and manifest list (unique names) and returns the new metadata;
// the caller publishes it with the catalog's compare-and-swap and, on losing that race, deletes the
// written objects and calls ApplyChange again on the newer state (table/commit.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/manifest_io.h"
#include "iceberg/table_metadata.h"

namespace ailake::iceberg {

// Field id Iceberg reserves for the file_path column of position-delete files; its lower == upper
// bounds name the one data file a delete file targets.
inline constexpr int32_t kDeleteFilePathFieldId = 2147483546;
inline constexpr int32_t kDeletePosFieldId = 2147483545;

struct SnapshotFiles;  // iceberg/snapshot_files.h

struct AddedFile {
  DataFile file;
  std::vector<FileVectorStats> vector_stats;
};

struct TableChange {
  std::string operation = "append";  // snapshot summary operation: append | overwrite | delete | replace
  std::vector<AddedFile> add_data_files;
  std::vector<DataFile> add_delete_files;   // position deletes (content kPositionDeletes)
  std::vector<std::string> remove_files;    // locations of live data files
  // Locations of live position-delete files to drop with the data files they target (a rewrite
  // that applied them, e.g. compaction); each must be live, or the commit is a kCommitConflict.
  std::vector<std::string> remove_delete_files;
  // Data files that must still be live at commit (the targets of new position deletes: if a
  // concurrent commit rewrote one, the deletes would point at a dead file and the rows would live on
  // in its replacement).
  std::vector<std::string> require_live_files;
  std::map<std::string, std::string> set_properties;
  std::vector<std::string> remove_properties;
  std::optional<Schema> new_schema;         // becomes the current schema (field ids must be kept)
  std::optional<int> expected_schema_id;    // schema the change was planned on
  std::optional<int64_t> planned_snapshot_id;  // snapshot the change was planned on (delete checks)
  // Per removed file: the sequence number up to which its position deletes were seen (and carried
  // into the replacement). Overrides planned_snapshot_id's sequence number for that file. A
  // migration reads different files at different snapshots, so one planning point does not fit.
  std::map<std::string, int64_t> removed_seen_sequence;
  // Extra validation against the latest state, run inside every commit attempt after the built-in
  // checks (a non-OK status aborts the attempt; kCommitConflict is a real conflict). `files` are
  // the live files of the latest snapshot. Used by migration cutover: "no old-model file appeared".
  std::function<Status(const TableMetadata& latest, const SnapshotFiles& files)> validate;
  std::map<std::string, std::string> extra_summary;

  // Metadata-only deltas (no new snapshot):
  // set-current-snapshot (rollback): the snapshot must still exist in the latest state (kNotFound
  // otherwise, e.g. expired meanwhile); it becomes current and gets a snapshot-log entry. Applying it
  // when it is current already changes nothing (AppliedChange::unchanged).
  std::optional<int64_t> set_current_snapshot;
  // remove-snapshots (expire): snapshots already gone in the latest state are skipped (a concurrent
  // expire took them); one that became current or the target of a ref meanwhile (a rollback) is a
  // kCommitConflict. The snapshots and their snapshot-log entries are removed.
  std::set<int64_t> remove_snapshots;

  bool makes_snapshot() const {
    return !add_data_files.empty() || !add_delete_files.empty() || !remove_files.empty() || !remove_delete_files.empty();
  }
  bool empty() const {
    return !makes_snapshot() && set_properties.empty() && remove_properties.empty() && !new_schema &&
           !set_current_snapshot && remove_snapshots.empty();
  }
};

// Table properties the commit path honours (Iceberg's names and defaults).
inline constexpr const char* kPropManifestMergeEnabled = "commit.manifest-merge.enabled";  // default true
inline constexpr const char* kPropManifestMinMergeCount = "commit.manifest.min-count-to-merge";  // default 100
inline constexpr const char* kPropManifestTargetBytes = "commit.manifest.target-size-bytes";  // default 8 MiB

// The one data file a position-delete file targets: its file_path lower and upper bounds, when
// equal; "" otherwise (the file may target several data files).
std::string PositionDeleteTarget(const DataFile& f);

struct AppliedChange {
  TableMetadata metadata;
  std::vector<std::string> written_keys;  // manifests + manifest list written by this attempt
  int64_t snapshot_id = 0;                // 0 when the change made no snapshot (properties only)
  bool unchanged = false;                 // the latest state already is what the change asks for
  std::vector<int64_t> removed_snapshots;  // remove-snapshots: the ones actually removed
};

// `table_key` is the table's folder in the store ("ns/table"); `now_ms` the commit time.
Result<AppliedChange> ApplyChange(Store& store, const Locations& loc, const std::string& table_key,
                                  const TableMetadata& base, const TableChange& change, int64_t now_ms);

}  // namespace ailake::iceberg
