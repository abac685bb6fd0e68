// Table maintenance operations: rollback to an earlier snapshot (verification: table/verify.h).
#pragma once

#include <string>
#include <vector>

#include "ailake/status.h"
#include "table/table.h"
#include "table/verify.h"  // VerifyTable (kept here for existing includers)

namespace ailake::table {

// Makes `snapshot_id` the current snapshot again (Iceberg's set-current-snapshot): nothing is
// deleted, the rolled-back snapshots stay available for time travel until expired. A
// set-current-snapshot delta through CommitChange, like every commit.
Status RollbackTo(catalog::Catalog& catalog, const catalog::TableIdent& ident, int64_t snapshot_id);


}  // namespace ailake::table
