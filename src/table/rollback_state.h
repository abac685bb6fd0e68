// What a rollback restores besides the current snapshot: the table state that describes the files.
//
// A migration's cutover changes the table properties (vector column, dim, metric, precision, model)
// and the schema in the same commit that swaps the files. Rolling back to a snapshot from before it
// brings the old files back, so the properties and schema must come back too, or the table claims
// the new model over old-model files (search and a new migration then refuse it with contradictory
// messages). The values are taken from the newest earlier metadata file (walking the metadata-log,
// every location confined to the table) in which that snapshot was current; the schema is the
// snapshot's own schema-id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/manifest_io.h"
#include "iceberg/table_metadata.h"
#include "store/store.h"

namespace ailake::table {

struct RestoredState {
  std::map<std::string, std::string> set_properties;
  std::vector<std::string> remove_properties;
  std::optional<int> schema_id;
};

// The properties ailake keeps in step with the live files (table_schema.h names them).
const std::vector<std::string>& FileDescribingProperties();

// NotSupported when the state cannot be recovered (the metadata files are gone) and the
// snapshot's schema differs from the current one: rolling back would leave the table inconsistent.
Result<RestoredState> StateAtSnapshot(const Store& store, const iceberg::Locations& loc,
                                      const iceberg::TableMetadata& current, int64_t snapshot_id);

void ApplyRestoredState(const RestoredState& state, iceberg::TableMetadata* m);

}  // namespace ailake::table
