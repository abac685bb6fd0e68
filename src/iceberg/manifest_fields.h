// The fields of Iceberg's manifest records, defined once.
//
// Each record (manifest_entry, data_file, manifest_file = one manifest-list entry, and the
// partition field summary) is a table of FieldSpecs: name, Iceberg field id, Avro type, whether it
// is optional (["null", T] with default null), and what it means. Everything else derives from
// these tables:
//   - the Avro schemas written into manifest and manifest-list headers (BuildRecordSchema),
//   - the writer, which fills a record slot by slot through RecordBuilder,
//   - the reader, which finds a field in a file's own schema by the table's field id (files written
//     by other engines order fields differently and carry extra ones) through FieldReader.
// Code names a field only by its enum constant (DataFileField::kFilePath), never by position or by
// a literal id.
//
// Invariants (checked at compile time in manifest_fields.cc): the enum value of a field is its
// position in its table and in the schema, and every record's ids are unique. The generated JSON is
// byte-identical to what earlier versions wrote from a hand-written schema string (manifest_test
// keeps that text as a golden), so files stay comparable across versions. Docs stay in the tables
// and are not emitted: adding "doc" attributes would change every manifest header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "iceberg/avro_schema.h"

namespace ailake::iceberg {

enum class FieldShape : uint8_t {
  kPrimitive,  // a value of `type`
  kRecord,     // the nested record `record`
  kIntKeyMap,  // Iceberg's Avro map<int, type>: array (logicalType "map") of {key, value} records
  kArray,      // array of `type`, or of `record` when `type` is kRecord; element id in `value_id`
};

struct RecordSpec;

struct FieldSpec {
  size_t slot;  // position in the record; equals the field's enum value
  std::string_view name;
  int32_t id;
  AvroType type;  // kPrimitive: the value; kIntKeyMap: the map value; kArray: the item
  bool optional;
  FieldShape shape;
  int32_t key_id;    // kIntKeyMap
  int32_t value_id;  // kIntKeyMap: value id; kArray: element id
  const RecordSpec* record;
  std::string_view doc;
};

struct RecordSpec {
  std::string_view avro_name;
  std::span<const FieldSpec> fields;
};

enum class EntryField : size_t { kStatus, kSnapshotId, kSequenceNumber, kFileSequenceNumber, kDataFile, kCount };

enum class DataFileField : size_t {
  kContent, kFilePath, kFileFormat, kPartition, kRecordCount, kFileSizeInBytes, kColumnSizes, kValueCounts,
  kNullValueCounts, kNanValueCounts, kLowerBounds, kUpperBounds, kKeyMetadata, kSplitOffsets, kEqualityIds,
  kSortOrderId, kCount,
};

enum class ManifestFileField : size_t {
  kManifestPath, kManifestLength, kPartitionSpecId, kContent, kSequenceNumber, kMinSequenceNumber,
  kAddedSnapshotId, kAddedFilesCount, kExistingFilesCount, kDeletedFilesCount, kAddedRowsCount,
  kExistingRowsCount, kDeletedRowsCount, kPartitions, kKeyMetadata, kCount,
};

enum class PartitionSummaryField : size_t { kContainsNull, kContainsNan, kLowerBound, kUpperBound, kCount };

// The tables (manifest_fields.cc).
extern const RecordSpec kManifestEntryRecord;
extern const RecordSpec kDataFileRecord;
extern const RecordSpec kManifestFileRecord;
extern const RecordSpec kPartitionSummaryRecord;

// Which table a field enum belongs to.
inline const RecordSpec& RecordOf(EntryField) { return kManifestEntryRecord; }
inline const RecordSpec& RecordOf(DataFileField) { return kDataFileRecord; }
inline const RecordSpec& RecordOf(ManifestFileField) { return kManifestFileRecord; }
inline const RecordSpec& RecordOf(PartitionSummaryField) { return kPartitionSummaryRecord; }

template <typename E>
const FieldSpec& Field(E field) {
  return RecordOf(field).fields[static_cast<size_t>(field)];
}

// The Avro schema of a record, generated from its table.
AvroSchemaPtr BuildRecordSchema(const RecordSpec& record);

}  // namespace ailake::iceberg
