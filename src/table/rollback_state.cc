#include "table/rollback_state.h"

#include "table/table_schema.h"

namespace ailake::table {

const std::vector<std::string>& FileDescribingProperties() {
  static const std::vector<std::string> keys = {kPropVectorColumn, kPropTextColumn, kPropDim,
                                                kPropMetric,       kPropPrecision,   kPropModel,
                                                kPropModelVersion, "ailake.last-migration"};
  return keys;
}

Result<RestoredState> StateAtSnapshot(const Store& store, const iceberg::Locations& loc,
                                      const iceberg::TableMetadata& current, int64_t snapshot_id) {
  RestoredState out;
  const iceberg::Snapshot* snap = current.FindSnapshot(snapshot_id);
  if (snap == nullptr) return Status::NotFound("no snapshot " + std::to_string(snapshot_id));
  if (snap->schema_id && current.FindSchema(*snap->schema_id) != nullptr) out.schema_id = snap->schema_id;
  // Newest first: the latest state in which the snapshot was current wins.
  for (auto it = current.metadata_log.rbegin(); it != current.metadata_log.rend(); ++it) {
    auto key = loc.KeyOf(it->metadata_file);
    if (!key.ok()) return key.status();
    auto text = store.GetString(*key, Store::kDefaultMaxGetBytes);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;  // cleaned up by expire
      return text.status();
    }
    AILAKE_ASSIGN_OR_RETURN(auto old, iceberg::TableMetadata::FromJson(*text, it->metadata_file));
    if (!old.current_snapshot_id || *old.current_snapshot_id != snapshot_id) continue;
    for (const auto& k : FileDescribingProperties()) {
      auto then = old.properties.find(k);
      auto now = current.properties.find(k);
      if (then == old.properties.end()) {
        if (now != current.properties.end()) out.remove_properties.push_back(k);
      } else if (now == current.properties.end() || now->second != then->second) {
        out.set_properties[k] = then->second;
      }
    }
    return out;
  }
  if (out.schema_id && *out.schema_id != current.current_schema_id) {
    return Status::NotSupported(
        "cannot roll back to snapshot " + std::to_string(snapshot_id) + ": it was written with schema " +
        std::to_string(*out.schema_id) + " (the table is now at schema " + std::to_string(current.current_schema_id) +
        ") and the metadata files that recorded its table properties (model, dim, vector column) are gone");
  }
  return out;
}

void ApplyRestoredState(const RestoredState& state, iceberg::TableMetadata* m) {
  for (const auto& [k, v] : state.set_properties) m->properties[k] = v;
  for (const auto& k : state.remove_properties) m->properties.erase(k);
  if (state.schema_id) m->current_schema_id = *state.schema_id;
}

}  // namespace ailake::table
