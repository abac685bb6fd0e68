// Iceberg v2 table metadata (the `vN.metadata.json` document), written to the spec.
//
// Every required v2 field is written: format-version, table-uuid, location, last-sequence-number,
// last-updated-ms, last-column-id, schemas, current-schema-id, partition-specs, default-spec-id,
// last-partition-id, sort-orders, default-sort-order-id; plus properties, current-snapshot-id,
// snapshots, snapshot-log, metadata-log and refs. Keys we do not model (statistics, newer spec
// additions) are preserved verbatim across a read-modify-write, so ailake never drops what another
// engine wrote. ailake tables are unpartitioned and unsorted; specs/orders written by others are
// kept as JSON.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "iceberg/schema.h"

namespace ailake::iceberg {

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;
  std::map<std::string, std::string> summary;  // "operation" plus the standard counters
  std::optional<int> schema_id;
};

struct SnapshotLogEntry {
  int64_t snapshot_id = 0;
  int64_t timestamp_ms = 0;
};

struct MetadataLogEntry {
  std::string metadata_file;
  int64_t timestamp_ms = 0;
};

struct SnapshotRef {
  int64_t snapshot_id = 0;
  std::string type = "branch";  // "branch" or "tag"
};

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int last_column_id = 0;
  std::vector<Schema> schemas;
  int current_schema_id = 0;
  nlohmann::json partition_specs = nlohmann::json::array({{{"spec-id", 0}, {"fields", nlohmann::json::array()}}});
  int default_spec_id = 0;
  int last_partition_id = 999;  // no partition field assigned yet (ids start at 1000)
  nlohmann::json sort_orders = nlohmann::json::array({{{"order-id", 0}, {"fields", nlohmann::json::array()}}});
  int default_sort_order_id = 0;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::map<std::string, SnapshotRef> refs;
  nlohmann::json extra = nlohmann::json::object();  // unmodelled top-level keys, kept verbatim

  const Schema* CurrentSchema() const;
  const Schema* FindSchema(int schema_id) const;
  const Snapshot* FindSnapshot(int64_t snapshot_id) const;
  const Snapshot* CurrentSnapshot() const;
  // A table property as an integer in [min, max] / a boolean ("true"/"false"); `fallback` when
  // unset; kInvalidArgument naming the property when set to anything else.
  Result<int64_t> IntProperty(const std::string& key, int64_t fallback, int64_t min, int64_t max) const;
  Result<bool> BoolProperty(const std::string& key, bool fallback) const;
  // The snapshot that was current at `timestamp_ms` (from the snapshot log): NotFound when the
  // table had no snapshot yet at that time.
  Result<const Snapshot*> SnapshotAsOf(int64_t timestamp_ms) const;

  // Pretty JSON (2-space indent), keys in spec order.
  std::string ToJson() const;
  static Result<TableMetadata> FromJson(std::string_view text, const std::string& where);
  // Internal consistency: ids resolve, sequence numbers and logs are coherent.
  Status Validate() const;
};

}  // namespace ailake::iceberg
