#include "iceberg/manifest_fields.h"

#include <array>
#include <string>

namespace ailake::iceberg {

namespace {

template <typename E>
constexpr FieldSpec Required(E slot, std::string_view name, int32_t id, AvroType type, std::string_view doc) {
  return {static_cast<size_t>(slot), name, id, type, false, FieldShape::kPrimitive, 0, 0, nullptr, doc};
}

template <typename E>
constexpr FieldSpec Optional(E slot, std::string_view name, int32_t id, AvroType type, std::string_view doc) {
  return {static_cast<size_t>(slot), name, id, type, true, FieldShape::kPrimitive, 0, 0, nullptr, doc};
}

template <typename E>
constexpr FieldSpec Nested(E slot, std::string_view name, int32_t id, const RecordSpec* record, std::string_view doc) {
  return {static_cast<size_t>(slot), name, id, AvroType::kRecord, false, FieldShape::kRecord, 0, 0, record, doc};
}

// Optional: Iceberg writes an absent map as null.
template <typename E>
constexpr FieldSpec IntKeyMap(E slot, std::string_view name, int32_t id, int32_t key_id, int32_t value_id,
                              AvroType value_type, std::string_view doc) {
  return {static_cast<size_t>(slot), name, id, value_type, true, FieldShape::kIntKeyMap, key_id, value_id, nullptr, doc};
}

template <typename E>
constexpr FieldSpec OptionalArray(E slot, std::string_view name, int32_t id, int32_t element_id, AvroType item_type,
                                  const RecordSpec* item_record, std::string_view doc) {
  return {static_cast<size_t>(slot), name, id, item_type, true, FieldShape::kArray, 0, element_id, item_record, doc};
}

template <size_t N>
consteval bool SlotsInOrderAndIdsUnique(const std::array<FieldSpec, N>& fields) {
  for (size_t i = 0; i < N; ++i) {
    if (fields[i].slot != i) return false;
    for (size_t j = 0; j < i; ++j)
      if (fields[j].id == fields[i].id) return false;
  }
  return true;
}

using T = AvroType;

constexpr std::array<FieldSpec, 0> kPartitionFields{};  // unpartitioned tables only: an empty struct
constexpr RecordSpec kPartitionRecord{"r102", kPartitionFields};

constexpr std::array<FieldSpec, static_cast<size_t>(PartitionSummaryField::kCount)> kPartitionSummaryFields{{
    Required(PartitionSummaryField::kContainsNull, "contains_null", 509, T::kBoolean,
             "whether any file of the manifest has a null partition value"),
    Optional(PartitionSummaryField::kContainsNan, "contains_nan", 518, T::kBoolean,
             "whether any file of the manifest has a NaN partition value"),
    Optional(PartitionSummaryField::kLowerBound, "lower_bound", 510, T::kBytes,
             "lowest partition value, single-value binary form"),
    Optional(PartitionSummaryField::kUpperBound, "upper_bound", 511, T::kBytes,
             "highest partition value, single-value binary form"),
}};

constexpr std::array<FieldSpec, static_cast<size_t>(DataFileField::kCount)> kDataFileFields{{
    Required(DataFileField::kContent, "content", 134, T::kInt, "0 data, 1 position deletes, 2 equality deletes"),
    Required(DataFileField::kFilePath, "file_path", 100, T::kString, "absolute location of the file"),
    Required(DataFileField::kFileFormat, "file_format", 101, T::kString, "PARQUET"),
    Nested(DataFileField::kPartition, "partition", 102, &kPartitionRecord, "partition values (none: unpartitioned)"),
    Required(DataFileField::kRecordCount, "record_count", 103, T::kLong, "rows in the file"),
    Required(DataFileField::kFileSizeInBytes, "file_size_in_bytes", 104, T::kLong, "size of the file"),
    IntKeyMap(DataFileField::kColumnSizes, "column_sizes", 108, 117, 118, T::kLong,
              "column id -> bytes on disk of its chunks"),
    IntKeyMap(DataFileField::kValueCounts, "value_counts", 109, 119, 120, T::kLong,
              "column id -> values including nulls"),
    IntKeyMap(DataFileField::kNullValueCounts, "null_value_counts", 110, 121, 122, T::kLong, "column id -> nulls"),
    IntKeyMap(DataFileField::kNanValueCounts, "nan_value_counts", 137, 138, 139, T::kLong, "column id -> NaNs"),
    IntKeyMap(DataFileField::kLowerBounds, "lower_bounds", 125, 126, 127, T::kBytes,
              "column id -> lowest value, single-value binary form"),
    IntKeyMap(DataFileField::kUpperBounds, "upper_bounds", 128, 129, 130, T::kBytes,
              "column id -> highest value, single-value binary form"),
    Optional(DataFileField::kKeyMetadata, "key_metadata", 131, T::kBytes,
             "the encryption slot: always null, never used for ailake's statistics"),
    OptionalArray(DataFileField::kSplitOffsets, "split_offsets", 132, 133, T::kLong, nullptr,
                  "row group start offsets, ascending"),
    OptionalArray(DataFileField::kEqualityIds, "equality_ids", 135, 136, T::kInt, nullptr,
                  "equality delete columns (never written)"),
    Optional(DataFileField::kSortOrderId, "sort_order_id", 140, T::kInt, "sort order of the rows"),
}};

constexpr std::array<FieldSpec, static_cast<size_t>(EntryField::kCount)> kEntryFields{{
    Required(EntryField::kStatus, "status", 0, T::kInt, "0 EXISTING, 1 ADDED, 2 DELETED"),
    Optional(EntryField::kSnapshotId, "snapshot_id", 1, T::kLong,
             "snapshot that added or deleted the file; null on ADDED = the manifest's snapshot"),
    Optional(EntryField::kSequenceNumber, "sequence_number", 3, T::kLong,
             "data sequence number; null on ADDED = inherited from the manifest-list entry"),
    Optional(EntryField::kFileSequenceNumber, "file_sequence_number", 4, T::kLong,
             "sequence number of the snapshot that added the file; null on ADDED = inherited"),
    Nested(EntryField::kDataFile, "data_file", 2, &kDataFileRecord, "the file this entry tracks"),
}};

constexpr std::array<FieldSpec, static_cast<size_t>(ManifestFileField::kCount)> kManifestFileFields{{
    Required(ManifestFileField::kManifestPath, "manifest_path", 500, T::kString, "absolute location of the manifest"),
    Required(ManifestFileField::kManifestLength, "manifest_length", 501, T::kLong, "size of the manifest"),
    Required(ManifestFileField::kPartitionSpecId, "partition_spec_id", 502, T::kInt, "spec the files are partitioned by"),
    Required(ManifestFileField::kContent, "content", 517, T::kInt, "0 data files, 1 delete files"),
    Required(ManifestFileField::kSequenceNumber, "sequence_number", 515, T::kLong,
             "sequence number of the snapshot that added the manifest"),
    Required(ManifestFileField::kMinSequenceNumber, "min_sequence_number", 516, T::kLong,
             "lowest data sequence number of the live files in the manifest"),
    Required(ManifestFileField::kAddedSnapshotId, "added_snapshot_id", 503, T::kLong,
             "snapshot that added the manifest"),
    Required(ManifestFileField::kAddedFilesCount, "added_files_count", 504, T::kInt, "entries ADDED"),
    Required(ManifestFileField::kExistingFilesCount, "existing_files_count", 505, T::kInt, "entries EXISTING"),
    Required(ManifestFileField::kDeletedFilesCount, "deleted_files_count", 506, T::kInt, "entries DELETED"),
    Required(ManifestFileField::kAddedRowsCount, "added_rows_count", 512, T::kLong, "rows of ADDED entries"),
    Required(ManifestFileField::kExistingRowsCount, "existing_rows_count", 513, T::kLong, "rows of EXISTING entries"),
    Required(ManifestFileField::kDeletedRowsCount, "deleted_rows_count", 514, T::kLong, "rows of DELETED entries"),
    OptionalArray(ManifestFileField::kPartitions, "partitions", 507, 508, T::kRecord, &kPartitionSummaryRecord,
                  "one summary per partition field (empty: unpartitioned)"),
    Optional(ManifestFileField::kKeyMetadata, "key_metadata", 519, T::kBytes, "the encryption slot: always null"),
}};

static_assert(SlotsInOrderAndIdsUnique(kPartitionSummaryFields));
static_assert(SlotsInOrderAndIdsUnique(kDataFileFields));
static_assert(SlotsInOrderAndIdsUnique(kEntryFields));
static_assert(SlotsInOrderAndIdsUnique(kManifestFileFields));

// An Iceberg field: its id, and for optional fields Avro's default null, in the attribute order
// earlier versions wrote ("default" before "field-id"; the output must not change).
AvroField FieldWithId(std::string_view name, AvroSchemaPtr type, int32_t id, bool optional) {
  AvroField f;
  f.name = std::string(name);
  f.type = optional ? AvroSchema::Optional(std::move(type)) : std::move(type);
  f.attrs = AvroJson::object();
  if (optional) f.attrs["default"] = nullptr;
  f.attrs["field-id"] = id;
  return f;
}

AvroSchemaPtr FieldType(const FieldSpec& f) {
  switch (f.shape) {
    case FieldShape::kPrimitive:
      return AvroSchema::Primitive(f.type);
    case FieldShape::kRecord:
      return BuildRecordSchema(*f.record);
    case FieldShape::kIntKeyMap: {
      std::vector<AvroField> kv;
      kv.push_back(FieldWithId("key", AvroSchema::Primitive(AvroType::kInt), f.key_id, false));
      kv.push_back(FieldWithId("value", AvroSchema::Primitive(f.type), f.value_id, false));
      std::string name = "k" + std::to_string(f.key_id) + "_v" + std::to_string(f.value_id);
      return AvroSchema::Array(AvroSchema::Record(std::move(name), std::move(kv)), AvroJson{{"logicalType", "map"}});
    }
    case FieldShape::kArray: {
      AvroSchemaPtr items = f.type == AvroType::kRecord ? BuildRecordSchema(*f.record) : AvroSchema::Primitive(f.type);
      return AvroSchema::Array(std::move(items), AvroJson{{"element-id", f.value_id}});
    }
  }
  return nullptr;
}

}  // namespace

extern constexpr RecordSpec kManifestEntryRecord{"manifest_entry", kEntryFields};
extern constexpr RecordSpec kDataFileRecord{"r2", kDataFileFields};
extern constexpr RecordSpec kManifestFileRecord{"manifest_file", kManifestFileFields};
extern constexpr RecordSpec kPartitionSummaryRecord{"r508", kPartitionSummaryFields};

AvroSchemaPtr BuildRecordSchema(const RecordSpec& record) {
  std::vector<AvroField> fields;
  fields.reserve(record.fields.size());
  for (const FieldSpec& f : record.fields) fields.push_back(FieldWithId(f.name, FieldType(f), f.id, f.optional));
  return AvroSchema::Record(std::string(record.avro_name), std::move(fields));
}

}  // namespace ailake::iceberg
