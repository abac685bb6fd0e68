// Finding a table column inside one data file.
//
// Iceberg names a column by its field id; its name may change (`ailake alter --rename-column`) and a
// data file written before the change keeps the old name. A file also lacks every column added to
// the table after it was written; such a column reads as NULL in that file.
//
// Rule: when the file's top-level fields carry Parquet field ids (every file ailake writes), the column
// is the field with the same id, whatever its name; a file without field ids (written by another tool)
// is matched by name. A table column without a known id (-1) is matched by name.
#pragma once

#include <cstdint>
#include <string>

#include "parquet/batch.h"
#include "parquet/file_info.h"

namespace ailake::table {

// Index of the file's top-level field holding the column, or -1 when the file does not have it.
int ResolveFileField(const parquet::Schema& file, const std::string& name, int32_t field_id);

// Index into `leaves` of the column's top-level, non-repeated leaf (statistics), or -1.
int ResolveFileLeaf(const std::vector<parquet::LeafColumnInfo>& leaves, const std::string& name, int32_t field_id);

}  // namespace ailake::table
