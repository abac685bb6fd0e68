#include "iceberg/manifest.h"

#include <gtest/gtest.h>

namespace ailake::iceberg {
namespace {

ManifestEntry SampleEntry() {
  ManifestEntry e;
  e.status = EntryStatus::kAdded;
  e.snapshot_id = 77;
  e.file.file_path = "file:///w/db/t/data/00000-abc.parquet";
  e.file.record_count = 1000;
  e.file.file_size_in_bytes = 123456;
  e.file.column_sizes = {{1, 8000}, {2, 50000}};
  e.file.value_counts = {{1, 1000}, {2, 1000}};
  e.file.null_value_counts = {{1, 0}, {2, 3}};
  e.file.lower_bounds = {{1, {0, 0, 0, 0, 0, 0, 0, 0}}};
  e.file.upper_bounds = {{1, {0xe7, 3, 0, 0, 0, 0, 0, 0}}};
  e.file.split_offsets = {4};
  return e;
}

TEST(Manifest, SchemasCarryIcebergFieldIds) {
  auto entry = ManifestEntrySchema();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->FieldIndexById(0), 0);
  EXPECT_EQ(entry->FieldIndexById(2), 4);
  const AvroSchema& df = *entry->fields[4].type;
  EXPECT_GE(df.FieldIndexById(100), 0);
  EXPECT_GE(df.FieldIndexById(134), 0);
  EXPECT_EQ(df.FieldIndexById(131), df.FieldIndex("key_metadata"));
  auto text = entry->ToJsonString();
  for (const char* id : {"\"field-id\":117", "\"field-id\":118", "\"element-id\":133", "\"logicalType\":\"map\""}) {
    EXPECT_NE(text.find(id), std::string::npos) << id;
  }
  auto list = ManifestListSchema();
  ASSERT_NE(list, nullptr);
  for (int id : {500, 501, 502, 503, 504, 505, 506, 507, 512, 513, 514, 515, 516, 517, 519})
    EXPECT_GE(list->FieldIndexById(id), 0) << id;
}

TEST(Manifest, EntryAndManifestFileRoundTrip) {
  ManifestEntry e = SampleEntry();
  auto back = EntryFromAvro(*ManifestEntrySchema(), EntryToAvro(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->status, EntryStatus::kAdded);
  EXPECT_EQ(*back->snapshot_id, 77);
  EXPECT_FALSE(back->sequence_number.has_value());
  EXPECT_EQ(back->file.file_path, e.file.file_path);
  EXPECT_EQ(back->file.column_sizes, e.file.column_sizes);
  EXPECT_EQ(back->file.null_value_counts, e.file.null_value_counts);
  EXPECT_EQ(back->file.upper_bounds, e.file.upper_bounds);
  EXPECT_EQ(back->file.split_offsets, e.file.split_offsets);

  ManifestFile m;
  m.manifest_path = "file:///w/db/t/metadata/m1.avro";
  m.manifest_length = 4321;
  m.sequence_number = 5;
  m.min_sequence_number = 2;
  m.added_snapshot_id = 77;
  m.added_files_count = 1;
  m.existing_files_count = 4;
  m.added_rows_count = 1000;
  auto mb = ManifestFileFromAvro(*ManifestListSchema(), ManifestFileToAvro(m));
  ASSERT_TRUE(mb.ok()) << mb.status().ToString();
  EXPECT_EQ(mb->manifest_path, m.manifest_path);
  EXPECT_EQ(mb->min_sequence_number, 2);
  EXPECT_EQ(mb->existing_files_count, 4);
}

TEST(Manifest, SequenceNumberInheritance) {
  ManifestFile m;
  m.manifest_path = "m.avro";
  m.sequence_number = 9;
  m.added_snapshot_id = 42;
  std::vector<ManifestEntry> entries = {SampleEntry(), SampleEntry()};
  entries[0].snapshot_id.reset();
  entries[1].status = EntryStatus::kExisting;
  entries[1].sequence_number = 3;
  entries[1].file_sequence_number = 3;
  ASSERT_TRUE(InheritSequenceNumbers(m, &entries).ok());
  EXPECT_EQ(*entries[0].sequence_number, 9);
  EXPECT_EQ(*entries[0].snapshot_id, 42);
  EXPECT_EQ(*entries[1].sequence_number, 3);  // EXISTING keeps its own
  entries[1].sequence_number.reset();
  EXPECT_EQ(InheritSequenceNumbers(m, &entries).code(), StatusCode::kCorruption);
}

TEST(Manifest, MalformedEntriesAreRejected) {
  AvroValue v = EntryToAvro(SampleEntry());
  v.fields()[0] = AvroValue::Int(7);  // status out of range
  EXPECT_FALSE(EntryFromAvro(*ManifestEntrySchema(), v).ok());
  AvroValue w = EntryToAvro(SampleEntry());
  w.fields()[4].fields()[1] = AvroValue::Long(3);  // file_path not a string
  EXPECT_FALSE(EntryFromAvro(*ManifestEntrySchema(), w).ok());
}

TEST(VectorStats, RoundTripAndValidation) {
  FileVectorStats s;
  s.column = "embedding";
  s.model = "hash-4";
  s.model_version = "seed0";
  s.dim = 4;
  s.metric = VectorMetric::kCosine;
  s.precision = VectorPrecision::kF16;
  s.index = IndexKind::kHnsw;
  s.centroid = {0.5f, -0.5f, 0.25f, 1e-20f};
  s.radius = 0.75f;
  s.rows_with_vector = 99;
  VectorStatsMap m = {{"file:///a.parquet", {s}}};
  auto back = VectorStatsFromJson(VectorStatsToJson(m), "m.avro");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const auto& b = (*back)["file:///a.parquet"][0];
  EXPECT_EQ(b.centroid, s.centroid);  // bit-exact through hex
  EXPECT_EQ(b.radius, 0.75f);
  EXPECT_EQ(b.index, IndexKind::kHnsw);
  EXPECT_FALSE(VectorStatsFromJson("[1,2]", "m").ok());
  EXPECT_FALSE(VectorStatsFromJson(R"({"f":[{"column":"c"}]})", "m").ok());
  std::string bad = VectorStatsToJson(m);
  bad.replace(bad.find("centroid_f32le_hex\":\"") + 21, 2, "zz");
  EXPECT_FALSE(VectorStatsFromJson(bad, "m").ok());
}

}  // namespace
}  // namespace ailake::iceberg
