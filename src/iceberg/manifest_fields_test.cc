// The manifest field tables (manifest_fields.h) against the bytes earlier versions wrote.
//
// The goldens below were produced by the hand-written schema strings and positional writers the
// tables replaced: a change to a table that alters a manifest's bytes fails here, so readers that
// compare files across versions (and our own interop goldens) never see a silent format change.
#include "iceberg/manifest_fields.h"

#include <gtest/gtest.h>

#include <set>

#include "iceberg/avro_binary.h"
#include "iceberg/manifest.h"

namespace ailake::iceberg {
namespace {

const char* const kEntrySchemaGolden =
    R"({"type":"record","name":"manifest_entry","fields":[{"name":"status","type":"int","field-id":0},{"nam)"
    R"(e":"snapshot_id","type":["null","long"],"default":null,"field-id":1},{"name":"sequence_number","type)"
    R"(":["null","long"],"default":null,"field-id":3},{"name":"file_sequence_number","type":["null","long"])"
    R"(,"default":null,"field-id":4},{"name":"data_file","type":{"type":"record","name":"r2","fields":[{"na)"
    R"(me":"content","type":"int","field-id":134},{"name":"file_path","type":"string","field-id":100},{"nam)"
    R"(e":"file_format","type":"string","field-id":101},{"name":"partition","type":{"type":"record","name":)"
    R"("r102","fields":[]},"field-id":102},{"name":"record_count","type":"long","field-id":103},{"name":"fi)"
    R"(le_size_in_bytes","type":"long","field-id":104},{"name":"column_sizes","type":["null",{"type":"array)"
    R"(","items":{"type":"record","name":"k117_v118","fields":[{"name":"key","type":"int","field-id":117},{)"
    R"("name":"value","type":"long","field-id":118}]},"logicalType":"map"}],"default":null,"field-id":108},)"
    R"({"name":"value_counts","type":["null",{"type":"array","items":{"type":"record","name":"k119_v120","f)"
    R"(ields":[{"name":"key","type":"int","field-id":119},{"name":"value","type":"long","field-id":120}]},")"
    R"(logicalType":"map"}],"default":null,"field-id":109},{"name":"null_value_counts","type":["null",{"typ)"
    R"(e":"array","items":{"type":"record","name":"k121_v122","fields":[{"name":"key","type":"int","field-i)"
    R"(d":121},{"name":"value","type":"long","field-id":122}]},"logicalType":"map"}],"default":null,"field-)"
    R"(id":110},{"name":"nan_value_counts","type":["null",{"type":"array","items":{"type":"record","name":")"
    R"(k138_v139","fields":[{"name":"key","type":"int","field-id":138},{"name":"value","type":"long","field)"
    R"(-id":139}]},"logicalType":"map"}],"default":null,"field-id":137},{"name":"lower_bounds","type":["nul)"
    R"(l",{"type":"array","items":{"type":"record","name":"k126_v127","fields":[{"name":"key","type":"int",)"
    R"("field-id":126},{"name":"value","type":"bytes","field-id":127}]},"logicalType":"map"}],"default":nul)"
    R"(l,"field-id":125},{"name":"upper_bounds","type":["null",{"type":"array","items":{"type":"record","na)"
    R"(me":"k129_v130","fields":[{"name":"key","type":"int","field-id":129},{"name":"value","type":"bytes",)"
    R"("field-id":130}]},"logicalType":"map"}],"default":null,"field-id":128},{"name":"key_metadata","type")"
    R"(:["null","bytes"],"default":null,"field-id":131},{"name":"split_offsets","type":["null",{"type":"arr)"
    R"(ay","items":"long","element-id":133}],"default":null,"field-id":132},{"name":"equality_ids","type":[)"
    R"("null",{"type":"array","items":"int","element-id":136}],"default":null,"field-id":135},{"name":"sort)"
    R"(_order_id","type":["null","int"],"default":null,"field-id":140}]},"field-id":2}]})";

const char* const kListSchemaGolden =
    R"({"type":"record","name":"manifest_file","fields":[{"name":"manifest_path","type":"string","field-id")"
    R"(:500},{"name":"manifest_length","type":"long","field-id":501},{"name":"partition_spec_id","type":"in)"
    R"(t","field-id":502},{"name":"content","type":"int","field-id":517},{"name":"sequence_number","type":")"
    R"(long","field-id":515},{"name":"min_sequence_number","type":"long","field-id":516},{"name":"added_sna)"
    R"(pshot_id","type":"long","field-id":503},{"name":"added_files_count","type":"int","field-id":504},{"n)"
    R"(ame":"existing_files_count","type":"int","field-id":505},{"name":"deleted_files_count","type":"int",)"
    R"("field-id":506},{"name":"added_rows_count","type":"long","field-id":512},{"name":"existing_rows_coun)"
    R"(t","type":"long","field-id":513},{"name":"deleted_rows_count","type":"long","field-id":514},{"name":)"
    R"("partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508","fields":[{"name")"
    R"(:"contains_null","type":"boolean","field-id":509},{"name":"contains_nan","type":["null","boolean"],")"
    R"(default":null,"field-id":518},{"name":"lower_bound","type":["null","bytes"],"default":null,"field-id)"
    R"(":510},{"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]},"element-id":5)"
    R"(08}],"default":null,"field-id":507},{"name":"key_metadata","type":["null","bytes"],"default":null,"f)"
    R"(ield-id":519}]})";

std::string Hex(const std::vector<uint8_t>& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

TEST(ManifestFields, GeneratedSchemasMatchTheGoldenText) {
  EXPECT_EQ(ManifestEntrySchema()->ToJsonString(), kEntrySchemaGolden);
  EXPECT_EQ(ManifestListSchema()->ToJsonString(), kListSchemaGolden);
}

TEST(ManifestFields, EncodedRecordsMatchTheGoldenBytes) {
  ManifestEntry e;
  e.status = EntryStatus::kExisting;
  e.snapshot_id = 77;
  e.sequence_number = 3;
  e.file_sequence_number = 2;
  e.file.content = FileContent::kPositionDeletes;
  e.file.file_path = "file:///w/db/t/data/00000-abc.parquet";
  e.file.record_count = 1000;
  e.file.file_size_in_bytes = 123456;
  e.file.column_sizes = {{1, 8000}, {2, 50000}};
  e.file.value_counts = {{1, 1000}};
  e.file.null_value_counts = {{1, 0}, {2, 3}};
  e.file.nan_value_counts = {{3, 1}};
  e.file.lower_bounds = {{1, {0, 1}}};
  e.file.upper_bounds = {{1, {0xe7, 3}}};
  e.file.split_offsets = {4, 9};
  e.file.sort_order_id = 5;
  std::vector<uint8_t> out;
  ASSERT_TRUE(AvroEncode(*ManifestEntrySchema(), EntryToAvro(e), &out).ok());
  EXPECT_EQ(Hex(out),
    "00029a0102060204024a66696c653a2f2f2f772f64622f742f646174612f30303030302d6162632e706172717565740e"
    "50415251554554d00f80890f020402807d04a08d0600020202d00f000204020004060002020602000202020400010002"
    "020204e7030000020408120000020a");
  out.clear();
  ASSERT_TRUE(AvroEncode(*ManifestEntrySchema(), EntryToAvro(ManifestEntry{}), &out).ok());
  EXPECT_EQ(Hex(out), "0200000000000e50415251554554000000000000000000000000");

  ManifestFile m;
  m.manifest_path = "p";
  m.manifest_length = 1;
  m.partition_spec_id = 2;
  m.content = ManifestContent::kDeletes;
  m.sequence_number = 3;
  m.min_sequence_number = 4;
  m.added_snapshot_id = 5;
  m.added_files_count = 6;
  m.existing_files_count = 7;
  m.deleted_files_count = 8;
  m.added_rows_count = 9;
  m.existing_rows_count = 10;
  m.deleted_rows_count = 11;
  out.clear();
  ASSERT_TRUE(AvroEncode(*ManifestListSchema(), ManifestFileToAvro(m), &out).ok());
  EXPECT_EQ(Hex(out), "027002040206080a0c0e10121416020000");
}

TEST(ManifestFields, EveryFieldIsDocumentedAndAddressedByItsSlot) {
  for (const RecordSpec* r : {&kManifestEntryRecord, &kDataFileRecord, &kManifestFileRecord, &kPartitionSummaryRecord}) {
    std::set<int32_t> ids;
    for (size_t i = 0; i < r->fields.size(); ++i) {
      const FieldSpec& f = r->fields[i];
      EXPECT_EQ(f.slot, i) << f.name;
      EXPECT_FALSE(f.doc.empty()) << f.name;
      EXPECT_TRUE(ids.insert(f.id).second) << f.name;
    }
  }
  EXPECT_EQ(Field(DataFileField::kFilePath).id, 100);
  EXPECT_EQ(Field(EntryField::kDataFile).record, &kDataFileRecord);
  EXPECT_EQ(Field(ManifestFileField::kPartitions).record, &kPartitionSummaryRecord);
}

}  // namespace
}  // namespace ailake::iceberg
