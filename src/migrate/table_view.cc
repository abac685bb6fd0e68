#include "migrate/table_view.h"

#include <algorithm>

#include "iceberg/table_change.h"
#include "table/table_search.h"

namespace ailake::migrate {

Result<TableView> ReadTableView(table::Table& table) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  TableView v;
  const iceberg::Snapshot* current = table.metadata().CurrentSnapshot();
  if (current) v.snapshot = *current;
  AILAKE_ASSIGN_OR_RETURN(v.files, iceberg::ReadSnapshotFiles(table.catalog().store(), table.locations(), current));
  for (const auto& e : v.files.data_files) v.live[e.file.file_path] = &e;
  return v;
}

Result<TableView> ReadLatestView(catalog::Catalog& catalog, const catalog::TableIdent& ident) {
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable loaded, catalog.LoadTable(ident));
  TableView v;
  const iceberg::Snapshot* current = loaded.metadata.CurrentSnapshot();
  if (current) v.snapshot = *current;
  AILAKE_ASSIGN_OR_RETURN(v.files, iceberg::ReadSnapshotFiles(catalog.store(), iceberg::Locations{catalog.warehouse_uri(), catalog::Catalog::TableKey(ident)}, current));
  for (const auto& e : v.files.data_files) v.live[e.file.file_path] = &e;
  return v;
}

bool TableView::HasNewModel(const MigrationJobDoc& job, const std::string& location) const {
  // Only this job's outputs count: a file another (aborted) job wrote with the same model carries
  // that job's field id for the column, so it is re-done rather than adopted.
  if (location.find("/data/migrate-" + job.job_id + "/") == std::string::npos) return false;
  auto it = files.vector_stats.find(location);
  if (it == files.vector_stats.end()) return false;
  const auto& m = job.options.new_model;
  for (const auto& s : it->second) {
    if (s.column == job.options.new_column && s.model == m.name && s.model_version == m.version && s.dim == m.dim) {
      return true;
    }
  }
  return false;
}

Result<std::vector<int64_t>> TableView::DeletesAfter(table::Table& table, const std::string& location,
                                                     int64_t after_sequence) const {
  std::vector<iceberg::ManifestEntry> mine;
  for (const auto& d : files.delete_files) {
    const std::string target = iceberg::PositionDeleteTarget(d.file);
    if (target.empty()) {
      return Status::NotSupported("position-delete file " + d.file.file_path +
                                  " does not name exactly one data file; the migration cannot map its rows");
    }
    if (target == location && d.sequence_number.value_or(0) > after_sequence) mine.push_back(d);
  }
  std::vector<int64_t> out;
  if (mine.empty()) return out;
  AILAKE_ASSIGN_OR_RETURN(auto by_file, table::ReadPositionDeletes(table, mine));
  auto it = by_file.find(location);
  if (it != by_file.end()) out = it->second;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<TaskSource> TableView::SourceOf(table::Table& table, const std::string& location) const {
  auto it = live.find(location);
  if (it == live.end()) return Status::NotFound("data file " + location + " is not live in the table");
  TaskSource s;
  s.location = location;
  s.rows = it->second->file.record_count;
  s.bytes = it->second->file.file_size_in_bytes;
  s.seen_sequence = sequence_number();
  s.read_snapshot_id = snapshot ? snapshot->snapshot_id : 0;
  AILAKE_ASSIGN_OR_RETURN(s.deleted, DeletesAfter(table, location, -1));
  // Positions outside the file are ignored by readers; drop them so the row count math holds.
  s.deleted.erase(std::remove_if(s.deleted.begin(), s.deleted.end(), [&](int64_t p) { return p < 0 || p >= s.rows; }),
                  s.deleted.end());
  return s;
}

}  // namespace ailake::migrate
