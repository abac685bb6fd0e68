// Schema evolution of an ailake table: add user columns, rename user columns (Iceberg rules).
//
// Iceberg identifies a column by its field id, never by its name:
//   - an added column gets a fresh id (the table's last-column-id + 1, never an id a dropped column
//     once had) and is optional, so every existing data file reads it as NULL;
//   - a rename keeps the id, so data files written before the rename still hold the column under its
//     old name, and readers resolve columns by field id (table/column_resolve.h).
// The change is one validated commit planned on the current schema; a concurrent schema change makes
// it re-plan on the new schema (a name taken meanwhile is then an error, never a duplicate).
//
// The columns ailake itself interprets (id, doc_id, metadata, the text column and the vector columns)
// cannot be renamed: ingest, upsert and migration find them by name.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ailake/status.h"
#include "catalog/catalog.h"
#include "table/table_schema.h"

namespace ailake::table {

struct AlterSpec {
  std::vector<ExtraColumn> add_columns;                       // name + type name (TypeFromName)
  std::vector<std::pair<std::string, std::string>> renames;   // old name -> new name
};

struct AlterResult {
  int schema_id = 0;
  std::vector<std::pair<std::string, int>> added;  // name, field id
};

Result<AlterResult> AlterTable(catalog::Catalog& catalog, const catalog::TableIdent& ident, const AlterSpec& spec);

}  // namespace ailake::table
