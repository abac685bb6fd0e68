#include "table/maintenance.h"

#include <map>

#include "file/file_reader.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/rollback_state.h"
#include "table/table_search.h"

namespace ailake::table {

Status RollbackTo(catalog::Catalog& catalog, const catalog::TableIdent& ident, int64_t snapshot_id) {
  // One commit path: the rollback is a delta (set-current-snapshot) through CommitChange. The
  // properties and schema that describe the snapshot's files come back with them (rollback_state.h),
  // as data in the same change.
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable base, catalog.LoadTable(ident));
  if (!base.metadata.FindSnapshot(snapshot_id)) {
    return Status::NotFound("table " + ident.ToString() + " has no snapshot " + std::to_string(snapshot_id) +
                            " (see 'ailake history')");
  }
  if (base.metadata.current_snapshot_id && *base.metadata.current_snapshot_id == snapshot_id) return Status::OK();
  AILAKE_ASSIGN_OR_RETURN(RestoredState restored,
                          StateAtSnapshot(catalog.store(), {catalog.warehouse_uri(), catalog::Catalog::TableKey(ident)},
                                          base.metadata, snapshot_id));
  iceberg::TableChange change;
  change.set_current_snapshot = snapshot_id;
  change.set_properties = restored.set_properties;
  change.remove_properties = restored.remove_properties;
  if (restored.schema_id) {
    for (const auto& sc : base.metadata.schemas) {
      if (sc.schema_id == *restored.schema_id) change.new_schema = sc;
    }
  }
  auto r = CommitChange(catalog, ident, change);
  if (r.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("table " + ident.ToString() + " has no snapshot " + std::to_string(snapshot_id) +
                            " (see 'ailake history')");
  }
  return r.status();
}

}  // namespace ailake::table
