#include "table/maintenance.h"

#include <chrono>
#include <map>
#include <thread>

#include "file/file_reader.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/rollback_state.h"
#include "table/table_search.h"

namespace ailake::table {

Status RollbackTo(catalog::Catalog& catalog, const catalog::TableIdent& ident, int64_t snapshot_id) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable base, catalog.LoadTable(ident));
    iceberg::TableMetadata m = base.metadata;
    if (!m.FindSnapshot(snapshot_id)) {
      return Status::NotFound("table " + ident.ToString() + " has no snapshot " + std::to_string(snapshot_id) +
                              " (see 'ailake history')");
    }
    if (m.current_snapshot_id && *m.current_snapshot_id == snapshot_id) return Status::OK();
    const int64_t now = std::max({NowMs(), m.last_updated_ms + 1,
                                  m.snapshot_log.empty() ? int64_t{0} : m.snapshot_log.back().timestamp_ms});
    // The properties and schema that describe the files come back with them (rollback_state.h).
    AILAKE_ASSIGN_OR_RETURN(RestoredState restored,
                            StateAtSnapshot(catalog.store(), {catalog.warehouse_uri(), catalog::Catalog::TableKey(ident)},
                                            base.metadata, snapshot_id));
    ApplyRestoredState(restored, &m);
    m.current_snapshot_id = snapshot_id;
    m.refs["main"] = {snapshot_id, "branch"};
    m.snapshot_log.push_back({snapshot_id, now});
    m.last_updated_ms = now;
    auto r = catalog.CommitTable(base, std::move(m));
    if (r.ok()) return Status::OK();
    if (r.status().code() != StatusCode::kCommitConflict) return r.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + attempt));
  }
  return Status::CommitConflict("gave up rolling back " + ident.ToString() + ": the table is very busy");
}

}  // namespace ailake::table
