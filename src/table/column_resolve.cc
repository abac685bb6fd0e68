#include "table/column_resolve.h"

namespace ailake::table {

int ResolveFileField(const parquet::Schema& file, const std::string& name, int32_t field_id) {
  bool has_ids = false;
  for (const auto& f : file.fields) has_ids = has_ids || f.field_id >= 0;
  if (field_id < 0 || !has_ids) return file.FieldIndex(name);
  for (size_t i = 0; i < file.fields.size(); ++i) {
    if (file.fields[i].field_id == field_id) return static_cast<int>(i);
  }
  return -1;
}

int ResolveFileLeaf(const std::vector<parquet::LeafColumnInfo>& leaves, const std::string& name, int32_t field_id) {
  bool has_ids = false;
  for (const auto& l : leaves) has_ids = has_ids || l.field_id >= 0;
  const bool by_id = field_id >= 0 && has_ids;
  for (size_t i = 0; i < leaves.size(); ++i) {
    const auto& l = leaves[i];
    if (l.max_repetition_level != 0) continue;
    if (by_id ? l.field_id == field_id : l.path == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace ailake::table
