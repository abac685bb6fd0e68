#include "table/table_delete.h"

#include <algorithm>
#include <set>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "parquet/writer.h"
#include "table/commit.h"
#include "table/predicate_file.h"
#include "table/table_search.h"

namespace ailake::table {

Result<DeleteResult> DeleteWhere(Table& table, const std::string& where) {
  if (where.empty()) return Status::InvalidArgument("delete needs --where EXPR (to delete everything, say so: --where 'id IS NOT NULL')");
  AILAKE_ASSIGN_OR_RETURN(Predicate pred, ParsePredicate(where));
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema data_schema, table.DataSchema());
  AILAKE_RETURN_IF_ERROR(pred.Bind(data_schema));
  DeleteResult result;
  const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
  if (!snap) return result;
  Store& store = table.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files, iceberg::ReadSnapshotFiles(store, table.locations(), snap));
  AILAKE_ASSIGN_OR_RETURN(auto already, ReadPositionDeletes(table, files.delete_files));

  parquet::Schema ds;
  ds.fields = {parquet::Field::Make("file_path", parquet::DataType::kString, false),
               parquet::Field::Make("pos", parquet::DataType::kInt64, false)};
  ds.fields[0].field_id = iceberg::kDeleteFilePathFieldId;
  ds.fields[1].field_id = iceberg::kDeletePosFieldId;
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
    AILAKE_ASSIGN_OR_RETURN(std::string key, table.locations().KeyOf(path));
    AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(key));
    AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
    auto matched = FilterFile(*reader, pred);
    if (!matched.ok()) return cleanup(matched.status());
    std::set<int64_t> gone;
    auto prev = already.find(path);
    if (prev != already.end()) gone.insert(prev->second.begin(), prev->second.end());
    parquet::Batch b = parquet::Batch::Empty(ds);
    for (uint32_t r = 0; r < matched->size(); ++r) {
      if (!matched->Contains(r) || gone.count(r)) continue;
      b.columns[0].AppendString(path);
      b.columns[1].AppendInt64(r);
      ++b.num_rows;
    }
    if (b.num_rows == 0) continue;
    const std::string dkey = table.table_key() + "/data/" + Uuid::Random().ToString() + "-deletes.parquet";
    auto out = store.OpenWritable(dkey, PublishMode::kIfAbsent);
    if (!out.ok()) return cleanup(out.status());
    auto pw = parquet::ParquetWriter::Open(out->get(), ds);
    if (!pw.ok()) return cleanup(pw.status());
    Status st = (*pw)->WriteBatch(b);
    if (st.ok()) st = (*pw)->Close();
    if (!st.ok()) return cleanup(st);
    written.push_back(dkey);
    iceberg::DataFile df;
    df.file_path = table.catalog().LocationOf(dkey);
    df.record_count = b.num_rows;
    df.file_size_in_bytes = static_cast<int64_t>((*out)->Tell());
    df.lower_bounds[iceberg::kDeleteFilePathFieldId] = std::vector<uint8_t>(path.begin(), path.end());
    df.upper_bounds[iceberg::kDeleteFilePathFieldId] = df.lower_bounds[iceberg::kDeleteFilePathFieldId];
    change.add_delete_files.push_back(std::move(df));
    change.require_live_files.push_back(path);
    result.rows_deleted += b.num_rows;
  }
  if (change.add_delete_files.empty()) return result;
  auto committed = CommitChange(table.catalog(), table.ident(), change);
  if (!committed.ok()) return cleanup(committed.status());
  result.delete_files = change.add_delete_files.size();
  result.snapshot_id = committed->snapshot_id;
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  return result;
}

}  // namespace ailake::table
