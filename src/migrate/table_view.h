// A read of the table's latest state for the migration: the snapshot, its live files and vector
// statistics, and which files still need the new model.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/snapshot_files.h"
#include "migrate/migration_spec.h"
#include "migrate/rewrite_file.h"
#include "table/table.h"

namespace ailake::migrate {

struct TableView {
  // A copy: the Table object may be refreshed (by a commit on another thread) while a view is used.
  std::optional<iceberg::Snapshot> snapshot;  // empty = the table has no snapshot
  iceberg::SnapshotFiles files;
  std::map<std::string, const iceberg::ManifestEntry*> live;  // data files by location

  bool IsLive(const std::string& location) const { return live.count(location) > 0; }
  // True when the file is an output of this job (under its staging folder) whose new column holds
  // the new model.
  bool HasNewModel(const MigrationJobDoc& job, const std::string& location) const;
  // Everything a task needs to read `location` at this snapshot (its deleted rows).
  Result<TaskSource> SourceOf(table::Table& table, const std::string& location) const;
  // Deleted positions of `location` whose delete file has sequence number > after_sequence.
  Result<std::vector<int64_t>> DeletesAfter(table::Table& table, const std::string& location,
                                            int64_t after_sequence) const;
  int64_t sequence_number() const { return snapshot ? snapshot->sequence_number : 0; }
};

// Refreshes the table and reads its current snapshot.
Result<TableView> ReadTableView(table::Table& table);
// Reads the latest snapshot from the catalog without touching the Table object (for worker
// threads: another thread may be refreshing the shared Table).
Result<TableView> ReadLatestView(catalog::Catalog& catalog, const catalog::TableIdent& ident);

}  // namespace ailake::migrate
