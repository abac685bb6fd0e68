#include "iceberg/table_metadata.h"
#include "core/json_numbers.h"

#include <charconv>

#include <set>

namespace ailake::iceberg {

namespace {
using nlohmann::ordered_json;
using nlohmann::json;

// Keys this model reads and writes; everything else goes to `extra`.
const std::set<std::string>& KnownKeys() {
  static const std::set<std::string> keys = {
      "format-version", "table-uuid",         "location",        "last-sequence-number", "last-updated-ms",
      "last-column-id", "schemas",            "current-schema-id", "schema",              "partition-specs",
      "partition-spec", "default-spec-id",    "last-partition-id", "sort-orders",          "default-sort-order-id",
      "properties",     "current-snapshot-id", "snapshots",       "snapshot-log",         "metadata-log",
      "refs"};
  return keys;
}

template <typename T>
Result<T> Req(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Corruption(where + ": required field '" + key + "' is missing");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return Status::Corruption(where + ": field '" + key + "' has the wrong type");
  }
}
}  // namespace

const Schema* TableMetadata::FindSchema(int id) const {
  for (const auto& s : schemas)
    if (s.schema_id == id) return &s;
  return nullptr;
}

const Schema* TableMetadata::CurrentSchema() const { return FindSchema(current_schema_id); }

const Snapshot* TableMetadata::FindSnapshot(int64_t id) const {
  for (const auto& s : snapshots)
    if (s.snapshot_id == id) return &s;
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? FindSnapshot(*current_snapshot_id) : nullptr;
}

Result<const Snapshot*> TableMetadata::SnapshotAsOf(int64_t ts) const {
  const Snapshot* best = nullptr;
  for (const auto& e : snapshot_log) {
    if (e.timestamp_ms > ts) break;
    if (const Snapshot* s = FindSnapshot(e.snapshot_id)) best = s;
  }
  if (!best) return Status::NotFound("the table had no snapshot at or before timestamp " + std::to_string(ts) + " ms");
  return best;
}

std::string TableMetadata::ToJson() const {
  ordered_json j;
  j["format-version"] = format_version;
  j["table-uuid"] = table_uuid;
  j["location"] = location;
  j["last-sequence-number"] = last_sequence_number;
  j["last-updated-ms"] = last_updated_ms;
  j["last-column-id"] = last_column_id;
  ordered_json sch = ordered_json::array();
  for (const auto& s : schemas) sch.push_back(ordered_json::parse(SchemaToJson(s).dump()));
  j["schemas"] = sch;
  j["current-schema-id"] = current_schema_id;
  j["partition-specs"] = ordered_json::parse(partition_specs.dump());
  j["default-spec-id"] = default_spec_id;
  j["last-partition-id"] = last_partition_id;
  j["sort-orders"] = ordered_json::parse(sort_orders.dump());
  j["default-sort-order-id"] = default_sort_order_id;
  j["properties"] = properties;
  // -1 means "no current snapshot" (what the reference Java implementation writes and reads).
  j["current-snapshot-id"] = current_snapshot_id ? *current_snapshot_id : -1;
  ordered_json snaps = ordered_json::array();
  for (const auto& s : snapshots) {
    ordered_json o;
    o["snapshot-id"] = s.snapshot_id;
    if (s.parent_snapshot_id) o["parent-snapshot-id"] = *s.parent_snapshot_id;
    o["sequence-number"] = s.sequence_number;
    o["timestamp-ms"] = s.timestamp_ms;
    o["manifest-list"] = s.manifest_list;
    o["summary"] = s.summary;
    if (s.schema_id) o["schema-id"] = *s.schema_id;
    snaps.push_back(o);
  }
  j["snapshots"] = snaps;
  ordered_json slog = ordered_json::array();
  for (const auto& e : snapshot_log) slog.push_back({{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id}});
  j["snapshot-log"] = slog;
  ordered_json mlog = ordered_json::array();
  for (const auto& e : metadata_log) mlog.push_back({{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
  j["metadata-log"] = mlog;
  ordered_json refs_j = ordered_json::object();
  for (const auto& [name, r] : refs) refs_j[name] = {{"snapshot-id", r.snapshot_id}, {"type", r.type}};
  j["refs"] = refs_j;
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = ordered_json::parse(it.value().dump());
  return j.dump(2);
}

Result<TableMetadata> TableMetadata::FromJson(std::string_view text, const std::string& where) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(where + ": table metadata is not a JSON object");
  // Only the fields read here: unknown keys are carried through untouched, whatever they hold.
  for (const std::string& key : KnownKeys()) {
    if (j.contains(key)) AILAKE_RETURN_IF_ERROR(CheckJsonNumbersCastable(j[key], where + ": " + key));
  }
  TableMetadata m;
  AILAKE_ASSIGN_OR_RETURN(m.format_version, Req<int>(j, "format-version", where));
  if (m.format_version != 2) {
    return Status::NotSupported(where + ": Iceberg format-version " + std::to_string(m.format_version) +
                                " (ailake reads and writes v2 tables)");
  }
  AILAKE_ASSIGN_OR_RETURN(m.table_uuid, Req<std::string>(j, "table-uuid", where));
  AILAKE_ASSIGN_OR_RETURN(m.location, Req<std::string>(j, "location", where));
  AILAKE_ASSIGN_OR_RETURN(m.last_sequence_number, Req<int64_t>(j, "last-sequence-number", where));
  AILAKE_ASSIGN_OR_RETURN(m.last_updated_ms, Req<int64_t>(j, "last-updated-ms", where));
  AILAKE_ASSIGN_OR_RETURN(m.last_column_id, Req<int>(j, "last-column-id", where));
  AILAKE_ASSIGN_OR_RETURN(m.current_schema_id, Req<int>(j, "current-schema-id", where));
  if (!j.contains("schemas") || !j["schemas"].is_array()) return Status::Corruption(where + ": 'schemas' is missing");
  for (const auto& s : j["schemas"]) {
    auto schema = SchemaFromJson(s);
    if (!schema.ok()) return schema.status().WithContext(where);
    m.schemas.push_back(std::move(*schema));
  }
  if (!j.contains("partition-specs") || !j["partition-specs"].is_array())
    return Status::Corruption(where + ": 'partition-specs' is missing");
  m.partition_specs = j["partition-specs"];
  AILAKE_ASSIGN_OR_RETURN(m.default_spec_id, Req<int>(j, "default-spec-id", where));
  AILAKE_ASSIGN_OR_RETURN(m.last_partition_id, Req<int>(j, "last-partition-id", where));
  if (!j.contains("sort-orders") || !j["sort-orders"].is_array()) return Status::Corruption(where + ": 'sort-orders' is missing");
  m.sort_orders = j["sort-orders"];
  AILAKE_ASSIGN_OR_RETURN(m.default_sort_order_id, Req<int>(j, "default-sort-order-id", where));
  try {
    if (j.contains("properties") && !j["properties"].is_null()) {
      m.properties = j["properties"].get<std::map<std::string, std::string>>();
    }
    if (j.contains("current-snapshot-id") && !j["current-snapshot-id"].is_null()) {
      int64_t id = j["current-snapshot-id"].get<int64_t>();
      if (id != -1) m.current_snapshot_id = id;
    }
    if (j.contains("snapshots") && j["snapshots"].is_array()) {
      for (const auto& s : j["snapshots"]) {
        Snapshot snap;
        AILAKE_ASSIGN_OR_RETURN(snap.snapshot_id, Req<int64_t>(s, "snapshot-id", where + " snapshot"));
        if (s.contains("parent-snapshot-id") && !s["parent-snapshot-id"].is_null())
          snap.parent_snapshot_id = s["parent-snapshot-id"].get<int64_t>();
        AILAKE_ASSIGN_OR_RETURN(snap.sequence_number, Req<int64_t>(s, "sequence-number", where + " snapshot"));
        AILAKE_ASSIGN_OR_RETURN(snap.timestamp_ms, Req<int64_t>(s, "timestamp-ms", where + " snapshot"));
        AILAKE_ASSIGN_OR_RETURN(snap.manifest_list, Req<std::string>(s, "manifest-list", where + " snapshot"));
        if (s.contains("summary")) snap.summary = s["summary"].get<std::map<std::string, std::string>>();
        if (s.contains("schema-id") && !s["schema-id"].is_null()) snap.schema_id = s["schema-id"].get<int>();
        m.snapshots.push_back(std::move(snap));
      }
    }
    if (j.contains("snapshot-log") && j["snapshot-log"].is_array()) {
      for (const auto& e : j["snapshot-log"]) {
        m.snapshot_log.push_back({e.at("snapshot-id").get<int64_t>(), e.at("timestamp-ms").get<int64_t>()});
      }
    }
    if (j.contains("metadata-log") && j["metadata-log"].is_array()) {
      for (const auto& e : j["metadata-log"]) {
        m.metadata_log.push_back({e.at("metadata-file").get<std::string>(), e.at("timestamp-ms").get<int64_t>()});
      }
    }
    if (j.contains("refs") && j["refs"].is_object()) {
      for (auto it = j["refs"].begin(); it != j["refs"].end(); ++it) {
        m.refs[it.key()] = {it.value().at("snapshot-id").get<int64_t>(), it.value().at("type").get<std::string>()};
      }
    }
  } catch (const json::exception& e) {
    return Status::Corruption(where + ": malformed table metadata: " + e.what());
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!KnownKeys().count(it.key())) m.extra[it.key()] = it.value();
  }
  Status st = m.Validate();
  if (!st.ok()) return Status::Corruption(where + ": " + st.message());
  return m;
}

Status TableMetadata::Validate() const {
  if (format_version != 2) return Status::InvalidArgument("format-version must be 2");
  if (table_uuid.size() != 36) return Status::InvalidArgument("table-uuid '" + table_uuid + "' is not a UUID");
  if (!CurrentSchema()) return Status::InvalidArgument("current-schema-id " + std::to_string(current_schema_id) + " names no schema");
  std::set<int> schema_ids;
  for (const auto& s : schemas) {
    if (!schema_ids.insert(s.schema_id).second) return Status::InvalidArgument("schema-id " + std::to_string(s.schema_id) + " repeats");
    AILAKE_RETURN_IF_ERROR(ValidateSchema(s));
    if (s.HighestFieldId() > last_column_id) {
      return Status::InvalidArgument("schema " + std::to_string(s.schema_id) + " uses field id " +
                                     std::to_string(s.HighestFieldId()) + " above last-column-id " + std::to_string(last_column_id));
    }
  }
  std::set<int64_t> snap_ids;
  for (const auto& s : snapshots) {
    if (!snap_ids.insert(s.snapshot_id).second) return Status::InvalidArgument("snapshot id " + std::to_string(s.snapshot_id) + " repeats");
    if (s.sequence_number > last_sequence_number) {
      return Status::InvalidArgument("snapshot " + std::to_string(s.snapshot_id) + " has sequence number " +
                                     std::to_string(s.sequence_number) + " above last-sequence-number");
    }
  }
  if (current_snapshot_id && !FindSnapshot(*current_snapshot_id)) {
    return Status::InvalidArgument("current-snapshot-id " + std::to_string(*current_snapshot_id) + " names no snapshot");
  }
  auto main = refs.find("main");
  if (current_snapshot_id && (main == refs.end() || main->second.snapshot_id != *current_snapshot_id)) {
    return Status::InvalidArgument("refs.main must point at current-snapshot-id");
  }
  for (const auto& [name, r] : refs) {
    if (!FindSnapshot(r.snapshot_id)) return Status::InvalidArgument("ref '" + name + "' names a missing snapshot");
    if (r.type != "branch" && r.type != "tag") return Status::InvalidArgument("ref '" + name + "' has type '" + r.type + "'");
  }
  for (size_t i = 1; i < snapshot_log.size(); ++i) {
    if (snapshot_log[i].timestamp_ms < snapshot_log[i - 1].timestamp_ms)
      return Status::InvalidArgument("snapshot-log is not in time order");
  }
  return Status::OK();
}

Result<int64_t> TableMetadata::IntProperty(const std::string& key, int64_t fallback, int64_t min,
                                           int64_t max) const {
  auto it = properties.find(key);
  if (it == properties.end()) return fallback;
  int64_t v = 0;
  const std::string& t = it->second;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v < min || v > max) {
    return Status::InvalidArgument("table property " + key + "='" + t + "' must be an integer from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

Result<bool> TableMetadata::BoolProperty(const std::string& key, bool fallback) const {
  auto it = properties.find(key);
  if (it == properties.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return Status::InvalidArgument("table property " + key + "='" + it->second + "' must be true or false");
}

}  // namespace ailake::iceberg
