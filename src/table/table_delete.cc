#include "table/table_delete.h"

#include <algorithm>
#include <set>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "parquet/writer.h"
#include "table/commit.h"
#include "table/live_file.h"
#include "table/predicate_file.h"
#include "table/table_search.h"

namespace ailake::table {

Result<WrittenDeleteFile> WritePositionDeleteFile(Table& table, const std::string& target,
                                                  const std::vector<int64_t>& positions) {
  parquet::Schema ds;
  ds.fields = {parquet::Field::Make("file_path", parquet::DataType::kString, false),
               parquet::Field::Make("pos", parquet::DataType::kInt64, false)};
  ds.fields[0].field_id = iceberg::kDeleteFilePathFieldId;
  ds.fields[1].field_id = iceberg::kDeletePosFieldId;
  parquet::Batch b = parquet::Batch::Empty(ds);
  for (int64_t pos : positions) {
    b.columns[0].AppendString(target);
    b.columns[1].AppendInt64(pos);
    ++b.num_rows;
  }
  Store& store = table.catalog().store();
  WrittenDeleteFile out;
  out.key = table.table_key() + "/data/" + Uuid::Random().ToString() + "-deletes.parquet";
  AILAKE_ASSIGN_OR_RETURN(auto writable, store.OpenWritable(out.key, PublishMode::kIfAbsent));
  AILAKE_ASSIGN_OR_RETURN(auto pw, parquet::ParquetWriter::Open(writable.get(), ds));
  AILAKE_RETURN_IF_ERROR(pw->WriteBatch(b));
  AILAKE_RETURN_IF_ERROR(pw->Close());
  out.file.file_path = table.catalog().LocationOf(out.key);
  out.file.record_count = b.num_rows;
  out.file.file_size_in_bytes = static_cast<int64_t>(writable->Tell());
  out.file.lower_bounds[iceberg::kDeleteFilePathFieldId] = std::vector<uint8_t>(target.begin(), target.end());
  out.file.upper_bounds[iceberg::kDeleteFilePathFieldId] = out.file.lower_bounds[iceberg::kDeleteFilePathFieldId];
  return out;
}

namespace {

Result<DeleteResult> DeleteOnce(Table& table, const Predicate& pred) {
  DeleteResult result;
  const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
  if (!snap) return result;
  Store& store = table.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files, iceberg::ReadSnapshotFiles(store, table.locations(), snap));
  AILAKE_ASSIGN_OR_RETURN(auto already, ReadPositionDeletes(table, files.delete_files));

  iceberg::TableChange change;
  change.operation = "delete";
  change.planned_snapshot_id = snap->snapshot_id;
  change.expected_schema_id = table.metadata().current_schema_id;
  std::vector<std::string> written;
  auto cleanup = [&](Status st) {
    for (const auto& k : written) (void)store.Delete(k);
    return st;
  };
  for (const auto& e : files.data_files) {
    const std::string& path = e.file.file_path;
    AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, path, e.file.file_size_in_bytes));
    AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
    auto matched = FilterFile(*reader, pred);
    if (!matched.ok()) return cleanup(matched.status());
    std::set<int64_t> gone;
    auto prev = already.find(path);
    if (prev != already.end()) gone.insert(prev->second.begin(), prev->second.end());
    std::vector<int64_t> positions;
    for (uint32_t r = 0; r < matched->size(); ++r) {
      if (matched->Contains(r) && !gone.count(r)) positions.push_back(r);
    }
    if (positions.empty()) continue;
    auto df = WritePositionDeleteFile(table, path, positions);
    if (!df.ok()) return cleanup(df.status());
    written.push_back(df->key);
    change.add_delete_files.push_back(std::move(df->file));
    change.require_live_files.push_back(path);
    result.rows_deleted += static_cast<int64_t>(positions.size());
  }
  if (change.add_delete_files.empty()) return result;
  auto committed = CommitChange(table.catalog(), table.ident(), change);
  if (!committed.ok()) return cleanup(committed.status());
  result.delete_files = change.add_delete_files.size();
  result.snapshot_id = committed->snapshot_id;
  return result;
}

}  // namespace

Result<DeleteResult> DeleteWhere(Table& table, const std::string& where) {
  if (where.empty()) return Status::InvalidArgument("delete needs --where EXPR (to delete everything, say so: --where 'id IS NOT NULL')");
  AILAKE_ASSIGN_OR_RETURN(Predicate pred, ParsePredicate(where));
  AILAKE_RETURN_IF_ERROR(table.Refresh());  // plan on the latest snapshot, not a cached one
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema columns, table.PredicateSchema());
  AILAKE_RETURN_IF_ERROR(pred.Bind(columns));
  for (int attempt = 1;; ++attempt) {
    auto r = DeleteOnce(table, pred);
    if (r.ok() || r.status().code() != StatusCode::kCommitConflict || attempt >= kMaxReplans) {
      if (r.ok()) {
        AILAKE_RETURN_IF_ERROR(table.Refresh());
      }
      return r;
    }
    // A concurrent commit rewrote a targeted file (e.g. a migration task replaced it): the rows now
    // live in its replacement, so plan the delete again on the newer state.
    AILAKE_RETURN_IF_ERROR(table.Refresh());
    AILAKE_ASSIGN_OR_RETURN(columns, table.PredicateSchema());
    AILAKE_RETURN_IF_ERROR(pred.Bind(columns));
  }
}

}  // namespace ailake::table
