// Table maintenance operations: rollback to an earlier snapshot and verification of every live file.
#pragma once

#include <string>
#include <vector>

#include "ailake/status.h"
#include "table/table.h"

namespace ailake::table {

// Makes `snapshot_id` the current snapshot again (Iceberg's set-current-snapshot): nothing is
// deleted, the rolled-back snapshots stay available for time travel until expired. A
// set-current-snapshot delta through CommitChange, like every commit.
Status RollbackTo(catalog::Catalog& catalog, const catalog::TableIdent& ident, int64_t snapshot_id);

struct VerifyReport {
  int64_t snapshot_id = 0;
  size_t data_files = 0;
  size_t delete_files = 0;
  int64_t rows = 0;
  std::vector<std::string> problems;  // empty = healthy
};

// Checks every live file of the current snapshot: it exists with the size the manifest records, its
// Parquet footer parses, its row count matches the manifest, its AILK section and index validate
// against its vectors, its model matches the manifest's vector stats; delete files parse and
// point at live data files.
Result<VerifyReport> VerifyTable(Table& table);

}  // namespace ailake::table
