#include "table/maintenance.h"

#include <map>

#include "file/file_reader.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/table_search.h"

namespace ailake::table {

Status RollbackTo(catalog::Catalog& catalog, const catalog::TableIdent& ident, int64_t snapshot_id) {
  iceberg::TableChange change;
  change.set_current_snapshot = snapshot_id;
  auto r = CommitChange(catalog, ident, change);
  if (r.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("table " + ident.ToString() + " has no snapshot " + std::to_string(snapshot_id) +
                            " (see 'ailake history')");
  }
  return r.status();
}

Result<VerifyReport> VerifyTable(Table& table) {
  VerifyReport report;
  const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
  if (!snap) return report;
  report.snapshot_id = snap->snapshot_id;
  Store& store = table.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files, iceberg::ReadSnapshotFiles(store, table.locations(), snap));
  report.data_files = files.data_files.size();
  report.delete_files = files.delete_files.size();
  const VectorConfig& vc = table.vectors();
  for (const auto& e : files.data_files) {
    const std::string& path = e.file.file_path;
    report.rows += e.file.record_count;
    auto problem = [&](const std::string& what) { report.problems.push_back(path + ": " + what); };
    auto key = table.locations().KeyOf(path);
    if (!key.ok()) { problem(key.status().message()); continue; }
    auto size = store.Size(*key);
    if (!size.ok()) { problem(size.status().message()); continue; }
    if (static_cast<int64_t>(*size) != e.file.file_size_in_bytes) {
      problem("size " + std::to_string(*size) + " differs from the manifest's " + std::to_string(e.file.file_size_in_bytes));
      continue;
    }
    auto readable = store.OpenReadable(*key);
    if (!readable.ok()) { problem(readable.status().message()); continue; }
    auto reader = file::AiLakeFileReader::Open(*readable);
    if (!reader.ok()) { problem(reader.status().message()); continue; }
    if ((*reader)->parquet().num_rows() != e.file.record_count) {
      problem("has " + std::to_string((*reader)->parquet().num_rows()) + " rows, the manifest says " +
              std::to_string(e.file.record_count));
    }
    auto meta = (*reader)->FindVectorColumn(vc.vector_column);
    if (!meta.ok()) { problem(meta.status().message()); continue; }
    auto stats = files.vector_stats.find(path);
    if (stats == files.vector_stats.end()) {
      problem("has no vector statistics in its manifest");
    } else {
      for (const auto& s : stats->second) {
        if (s.column != vc.vector_column) continue;
        if (s.model != (*meta)->model.name || s.model_version != (*meta)->model.version) {
          problem("its footer says model " + (*meta)->model.Id() + " but the manifest says " + s.model + "@" + s.model_version);
        }
        if (s.rows_with_vector != (*meta)->rows_with_vector) problem("rows_with_vector disagrees with the manifest");
      }
    }
    auto column = (*reader)->LoadColumn(vc.vector_column);  // validates AILK + index against the vectors
    if (!column.ok()) problem(column.status().message());
  }
  std::map<std::string, int64_t> rows_of;
  for (const auto& e : files.data_files) rows_of[e.file.file_path] = e.file.record_count;
  for (const auto& d : files.delete_files) {
    auto deletes = ReadPositionDeletes(table, {d});
    if (!deletes.ok()) {
      report.problems.push_back(d.file.file_path + ": " + deletes.status().message());
      continue;
    }
    // Deletes may outlive a data file that was rewritten later; positions into live files must exist.
    for (const auto& [target, positions] : *deletes) {
      auto it = rows_of.find(target);
      if (it == rows_of.end()) continue;
      for (int64_t pos : positions) {
        if (pos < 0 || pos >= it->second) {
          report.problems.push_back(d.file.file_path + ": deletes position " + std::to_string(pos) + " of " + target +
                                    ", which has " + std::to_string(it->second) + " rows");
          break;
        }
      }
    }
  }
  return report;
}

}  // namespace ailake::table
