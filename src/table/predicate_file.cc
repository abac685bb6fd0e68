#include "table/predicate_file.h"

#include "table/column_resolve.h"

#include <limits>
#include <string>
#include <vector>

namespace ailake::table {

namespace {

// The bound field of a referenced column (its first leaf), for synthesizing an all-NULL column.
parquet::Field BoundField(const Predicate& p, const std::string& name) {
  for (const PredicateNode& n : p.nodes) {
    if (n.kind == PredicateNode::Kind::kAnd || n.kind == PredicateNode::Kind::kOr || n.kind == PredicateNode::Kind::kNot)
      continue;
    if (n.column == name) {
      parquet::Field f = parquet::Field::Make(name, n.test.type, true);
      f.unit = n.test.unit;
      f.field_id = n.test.field_id;
      return f;
    }
  }
  return parquet::Field::Make(name, parquet::DataType::kInt64, true);
}

}  // namespace

Result<index::AllowedRows> FilterFile(parquet::ParquetReader& reader, const Predicate& predicate, FileFilterStats* stats) {
  if (!predicate.bound()) return Status::InvalidArgument("predicate: FilterFile before Bind ('" + predicate.text() + "')");
  const int64_t total = reader.num_rows();
  if (total < 0 || static_cast<uint64_t>(total) > std::numeric_limits<uint32_t>::max())
    return Status::NotSupported("predicate: a file of " + std::to_string(total) +
                                " rows is beyond the 2^32 row ids a filter can address");
  // Projection: the referenced columns present in the file; the rest are synthesized as NULL.
  // Columns are found by field id (table/column_resolve.h) and carry the predicate's names in the
  // batch, so a column renamed after this file was written is still evaluated on its values.
  std::vector<int> fields;
  std::vector<std::string> field_names;
  std::vector<parquet::Field> missing;
  for (const std::string& name : predicate.Columns()) {
    const int idx = ResolveFileField(reader.schema(), name, BoundField(predicate, name).field_id);
    if (idx >= 0) {
      fields.push_back(idx);
      field_names.push_back(name);
    } else {
      missing.push_back(BoundField(predicate, name));
    }
  }
  index::AllowedRows allowed(static_cast<size_t>(total), false);
  FileFilterStats local;
  const parquet::FileInfo& info = reader.info();
  uint32_t first = 0;
  std::vector<uint8_t> keep;
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    const int64_t rows = reader.row_group_num_rows(rg);
    ++local.row_groups;
    const bool may = static_cast<size_t>(rg) >= info.row_groups.size() ||
                     predicate.MayMatch(info.row_groups[rg], info.leaves);
    if (!may) {
      ++local.row_groups_skipped;
      first += static_cast<uint32_t>(rows);
      continue;
    }
    parquet::Batch batch;
    if (!fields.empty()) {
      // An empty projection would mean "every column" to the reader, so it is only asked when needed.
      AILAKE_ASSIGN_OR_RETURN(batch, reader.ReadRowGroup(rg, fields));
      for (size_t i = 0; i < field_names.size() && i < batch.schema.fields.size(); ++i) {
        batch.schema.fields[i].name = field_names[i];
      }
    }
    batch.num_rows = rows;
    for (const parquet::Field& f : missing) {
      parquet::Column c(f);
      for (int64_t i = 0; i < rows; ++i) c.AppendNull();
      batch.schema.fields.push_back(f);
      batch.columns.push_back(std::move(c));
    }
    Status st = predicate.Evaluate(batch, &keep);
    if (!st.ok()) return st.WithContext("row group " + std::to_string(rg));
    for (int64_t i = 0; i < rows; ++i) {
      if (keep[static_cast<size_t>(i)]) {
        allowed.Allow(first + static_cast<uint32_t>(i));
        ++local.rows_matched;
      }
    }
    first += static_cast<uint32_t>(rows);
  }
  if (stats) *stats = local;
  return allowed;
}

}  // namespace ailake::table
