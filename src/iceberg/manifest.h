// Iceberg v2 manifests and manifest lists: the records, their Avro schemas (field ids as in the
// Iceberg spec), and conversion to and from Avro values. The fields themselves (names, ids, types)
// are defined once in manifest_fields.h; schemas, writer and reader all derive from that table.
//
// A manifest lists data/delete files with a status (ADDED in the snapshot that wrote the manifest,
// EXISTING carried over, DELETED removed by that snapshot). A manifest list (one per snapshot) lists
// manifests with their counters. Int-keyed maps (column_sizes, bounds, ...) use Iceberg's Avro
// encoding: an array of {key, value} records with logicalType "map".
//
// Sequence numbers: an ADDED entry may leave sequence_number/file_sequence_number null, meaning
// "the sequence number of the snapshot that added it"; InheritSequenceNumbers resolves them from the
// manifest-list entry on read, which is how every commit can write its manifests before it knows
// whether it will win the race for its sequence number.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"
#include "iceberg/avro_value.h"

namespace ailake::iceberg {

enum class EntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };
enum class FileContent : int32_t { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };
enum class ManifestContent : int32_t { kData = 0, kDeletes = 1 };

struct DataFile {
  FileContent content = FileContent::kData;
  std::string file_path;  // absolute location
  std::string file_format = "PARQUET";
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::vector<uint8_t>> lower_bounds;  // Iceberg single-value binary form
  std::map<int32_t, std::vector<uint8_t>> upper_bounds;
  std::vector<int64_t> split_offsets;
  std::optional<int32_t> sort_order_id;
};

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;       // data sequence number
  std::optional<int64_t> file_sequence_number;
  DataFile file;
};

struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  ManifestContent content = ManifestContent::kData;
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
};

// Schemas for an unpartitioned table (partition is an empty struct), generated from the field tables.
AvroSchemaPtr ManifestEntrySchema();
AvroSchemaPtr ManifestListSchema();

AvroValue EntryToAvro(const ManifestEntry& entry);
// Reads by field id, so manifests written by other engines (other field order, extra fields) load.
Result<ManifestEntry> EntryFromAvro(const AvroSchema& schema, const AvroValue& value);
AvroValue ManifestFileToAvro(const ManifestFile& manifest);
Result<ManifestFile> ManifestFileFromAvro(const AvroSchema& schema, const AvroValue& value);

// Fills null sequence numbers of ADDED entries from the manifest's; kCorruption for a null on an
// EXISTING/DELETED entry (the spec forbids it).
Status InheritSequenceNumbers(const ManifestFile& manifest, std::vector<ManifestEntry>* entries);

// Per-file vector statistics (guide §4): kept in the manifest's Avro header under
// kVectorStatsKey as JSON, immutable beside the entries they describe, invisible to engines that do
// not know ailake, and never in key_metadata (the encryption slot).
inline constexpr const char* kVectorStatsKey = "ailake.vector-stats";

struct FileVectorStats {
  std::string column;
  std::string model;
  std::string model_version;
  uint32_t dim = 0;
  VectorMetric metric = VectorMetric::kCosine;
  VectorPrecision precision = VectorPrecision::kF16;
  IndexKind index = IndexKind::kFlat;
  std::vector<float> centroid;
  float radius = 0.0f;
  uint64_t rows_with_vector = 0;
};

// file_path -> stats of each vector column of that file.
using VectorStatsMap = std::map<std::string, std::vector<FileVectorStats>>;
std::string VectorStatsToJson(const VectorStatsMap& stats);
Result<VectorStatsMap> VectorStatsFromJson(const std::string& text, const std::string& where);

}  // namespace ailake::iceberg
