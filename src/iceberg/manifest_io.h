// Reading and writing manifests and manifest lists as Avro object-container files in a Store.
//
// Manifest header metadata (Iceberg spec): "schema" (the table schema JSON), "schema-id",
// "partition-spec" ("[]": unpartitioned), "partition-spec-id" ("0"), "format-version" ("2"),
// "content" ("data" or "deletes"), plus ailake's per-file vector statistics under
// "ailake.vector-stats" (manifest.h). Manifest-list header: "snapshot-id", "parent-snapshot-id",
// "sequence-number", "format-version".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/manifest.h"
#include "iceberg/schema.h"
#include "store/store.h"

namespace ailake::iceberg {

// Absolute locations in metadata <-> store keys: "<warehouse_uri>/<key>".
//
// Metadata is data, not instructions: every location read from it (manifest lists, manifests, data
// and delete files) goes through KeyOf before any read or delete, and KeyOf confines it to the
// table's own folder `table_key` ("ns/table", taken from the catalog identifier, never from the
// metadata). A location elsewhere (another table, the catalog database, outside the warehouse) is
// kCorruption naming it; the store then rejects "..", empty segments and symlinks below the root.
struct Locations {
  std::string warehouse_uri;
  std::string table_key;
  std::string LocationOf(const std::string& key) const { return warehouse_uri + "/" + key; }
  Result<std::string> KeyOf(const std::string& location) const;
};

struct ManifestWrite {
  std::string key;
  const Schema* table_schema = nullptr;
  ManifestContent content = ManifestContent::kData;
  int64_t snapshot_id = 0;           // the snapshot this manifest is written for
  std::optional<int64_t> sequence_number;  // known sequence number (null = inherit: new manifests)
  std::vector<ManifestEntry> entries;
  VectorStatsMap vector_stats;
};

// Writes the manifest and returns its manifest-list entry (counts filled in; sequence numbers set
// from `sequence_number` or, when null, to be filled by the caller once known).
Result<ManifestFile> WriteManifest(Store& store, const Locations& loc, const ManifestWrite& m);

struct ManifestContents {
  std::vector<ManifestEntry> entries;  // sequence numbers inherited
  VectorStatsMap vector_stats;
};

// kCached answers from the process's ManifestCache (manifest_cache.h) when it holds the manifest,
// else reads it and keeps it there; kFromStorage always reads the bytes (and refreshes the cache):
// `verify` uses it, since checking what is on storage is its job.
enum class ManifestRead { kCached, kFromStorage };

// The location is confined to the table's folder (Locations::KeyOf) before anything else, cached
// or not.
Result<ManifestContents> ReadManifest(Store& store, const Locations& loc, const ManifestFile& manifest,
                                      ManifestRead how = ManifestRead::kCached);

Status WriteManifestList(Store& store, const std::string& key, int64_t snapshot_id,
                         std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                         const std::vector<ManifestFile>& manifests);
Result<std::vector<ManifestFile>> ReadManifestList(Store& store, const Locations& loc, const std::string& location);

}  // namespace ailake::iceberg
