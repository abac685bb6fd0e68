#include "table/id_lookup.h"

#include <algorithm>
#include <string_view>

#include "parquet/reader.h"
#include "table/column_resolve.h"
#include "table/live_file.h"

namespace ailake::table {

namespace {

// True when some id of the sorted `ids` lies in [lo, hi] (unsigned bytewise, as std::string compares).
bool AnyInRange(const std::vector<std::string>& ids, std::string_view lo, std::string_view hi) {
  auto it = std::lower_bound(ids.begin(), ids.end(), lo, [](const std::string& a, std::string_view b) { return a < b; });
  return it != ids.end() && std::string_view(*it) <= hi;
}

bool Contains(const std::vector<std::string>& ids, std::string_view v) {
  auto it = std::lower_bound(ids.begin(), ids.end(), v, [](const std::string& a, std::string_view b) { return a < b; });
  return it != ids.end() && std::string_view(*it) == v;
}

}  // namespace

Result<std::vector<IdHit>> FindIds(Table& table, const std::vector<iceberg::ManifestEntry>& data_files,
                                   const std::map<std::string, std::vector<int64_t>>& deleted,
                                   const std::vector<std::string>& ids, IdLookupStats* stats) {
  IdLookupStats local;
  std::vector<IdHit> hits;
  if (ids.empty()) {
    if (stats) *stats = local;
    return hits;
  }
  const iceberg::NestedField* id_field = table.schema().FindField("id");
  if (id_field == nullptr) return Status::InvalidArgument("table " + table.ident().ToString() + " has no 'id' column");
  for (const auto& e : data_files) {
    ++local.files;
    const iceberg::DataFile& f = e.file;
    auto lo = f.lower_bounds.find(id_field->id);
    auto hi = f.upper_bounds.find(id_field->id);
    if (lo != f.lower_bounds.end() && hi != f.upper_bounds.end() &&
        !AnyInRange(ids, std::string_view(reinterpret_cast<const char*>(lo->second.data()), lo->second.size()),
                    std::string_view(reinterpret_cast<const char*>(hi->second.data()), hi->second.size()))) {
      continue;
    }
    if (f.record_count == 0) continue;
    ++local.files_opened;
    AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, f.file_path, f.file_size_in_bytes));  // size-checked
    AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
    const int field = ResolveFileField(reader->schema(), "id", id_field->id);
    if (field < 0) continue;  // a file without the column holds no id (all NULL)
    const parquet::FileInfo& info = reader->info();
    const int leaf = ResolveFileLeaf(info.leaves, "id", id_field->id);
    const std::vector<int64_t>* gone = nullptr;
    if (auto d = deleted.find(f.file_path); d != deleted.end()) gone = &d->second;
    int64_t first = 0;
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      ++local.row_groups;
      const int64_t rows = reader->row_group_num_rows(rg);
      if (rows < 0) return Status::Corruption(f.file_path + ": row group " + std::to_string(rg) + " has a negative row count");
      bool may = true;
      if (leaf >= 0 && static_cast<size_t>(rg) < info.row_groups.size() &&
          static_cast<size_t>(leaf) < info.row_groups[rg].columns.size()) {
        const parquet::ColumnStats& s = info.row_groups[rg].columns[leaf].stats;
        if (s.has_min_max) may = AnyInRange(ids, s.min_raw, s.max_raw);
        else if (s.null_count && *s.null_count == rows) may = false;  // every id NULL
      }
      if (!may || rows == 0) {
        first += rows;
        continue;
      }
      ++local.row_groups_read;
      AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, reader->ReadRowGroup(rg, {field}));
      if (b.columns.size() != 1 || b.num_rows != rows ||
          (b.columns[0].type() != parquet::DataType::kString && b.columns[0].type() != parquet::DataType::kBinary)) {
        return Status::InvalidArgument(f.file_path + ": the id column of row group " + std::to_string(rg) +
                                       " is not a string column of " + std::to_string(rows) + " rows");
      }
      const parquet::Column& col = b.columns[0];
      for (int64_t i = 0; i < rows; ++i) {
        if (!col.IsValid(i)) continue;
        ++local.rows_read;
        const std::string_view v = col.StringValue(i);
        if (!Contains(ids, v)) continue;
        const int64_t pos = first + i;
        if (gone && std::binary_search(gone->begin(), gone->end(), pos)) continue;
        hits.push_back({std::string(v), f.file_path, pos});
      }
      first += rows;
    }
  }
  if (stats) *stats = local;
  return hits;
}

}  // namespace ailake::table
