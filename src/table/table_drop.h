// Dropping a table: forget it in its catalog and, with purge, delete its files.
//
// Purge deletes every object under the table's folder, and nothing outside it. Before anything is
// deleted it proves the folder holds no other table: every metadata JSON file under the folder's
// metadata/ must carry this table's table-uuid. A table of another catalog at the same location (or a
// file that is not this table's metadata) makes the purge refuse, naming the file; drop without purge
// still works then. Data files that this table's metadata places outside its folder are never deleted.
#pragma once

#include <cstdint>
#include <string>

#include "ailake/status.h"
#include "catalog/catalog.h"

namespace ailake::table {

struct DropResult {
  bool purged = false;
  int64_t files_deleted = 0;
  int64_t bytes_deleted = 0;
};

Result<DropResult> DropTable(catalog::Catalog& catalog, const catalog::TableIdent& ident, bool purge);

}  // namespace ailake::table
