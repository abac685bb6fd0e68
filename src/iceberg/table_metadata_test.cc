#include "iceberg/table_metadata.h"

#include <gtest/gtest.h>

#include "core/uuid.h"

namespace ailake::iceberg {
namespace {

Schema SampleSchema() {
  Schema s;
  s.schema_id = 0;
  s.fields.push_back({1, "id", true, Type::Primitive(TypeId::kLong), ""});
  s.fields.push_back({2, "chunk_text", false, Type::Primitive(TypeId::kString), "the text"});
  s.fields.push_back({3, "embedding", false, Type::Fixed(512), ""});
  auto list = std::make_shared<Type>();
  list->id = TypeId::kList;
  list->element_id = 5;
  list->element = Type::Primitive(TypeId::kFloat);
  s.fields.push_back({4, "tags", false, list, ""});
  auto map = std::make_shared<Type>();
  map->id = TypeId::kMap;
  map->key_id = 7;
  map->value_id = 8;
  map->key = Type::Primitive(TypeId::kString);
  map->value = Type::Primitive(TypeId::kTimestampTz);
  map->value_required = true;
  s.fields.push_back({6, "attrs", false, map, ""});
  return s;
}

TableMetadata SampleMetadata() {
  TableMetadata m;
  m.table_uuid = Uuid::Random().ToString();
  m.location = "/warehouse/db/t";
  m.last_updated_ms = 1700000000000;
  m.schemas = {SampleSchema()};
  m.last_column_id = 8;
  m.properties = {{"ailake.vector-column", "embedding"}};
  for (int i = 1; i <= 3; ++i) {
    Snapshot s;
    s.snapshot_id = 100 + i;
    if (i > 1) s.parent_snapshot_id = 100 + i - 1;
    s.sequence_number = i;
    s.timestamp_ms = 1700000000000 + i * 1000;
    s.manifest_list = "/warehouse/db/t/metadata/snap-" + std::to_string(i) + ".avro";
    s.summary = {{"operation", "append"}, {"added-data-files", "1"}};
    s.schema_id = 0;
    m.snapshots.push_back(s);
    m.snapshot_log.push_back({s.snapshot_id, s.timestamp_ms});
  }
  m.last_sequence_number = 3;
  m.current_snapshot_id = 103;
  m.refs["main"] = {103, "branch"};
  m.metadata_log.push_back({"/warehouse/db/t/metadata/v1.metadata.json", 1700000000000});
  return m;
}

TEST(TableMetadata, RoundTripKeepsEverything) {
  TableMetadata m = SampleMetadata();
  ASSERT_TRUE(m.Validate().ok()) << m.Validate().ToString();
  std::string text = m.ToJson();
  auto back = TableMetadata::FromJson(text, "v4.metadata.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), text);
  EXPECT_EQ(back->table_uuid, m.table_uuid);
  ASSERT_NE(back->CurrentSnapshot(), nullptr);
  EXPECT_EQ(back->CurrentSnapshot()->snapshot_id, 103);
  EXPECT_EQ(*back->snapshots[1].parent_snapshot_id, 101);
  EXPECT_TRUE(back->CurrentSchema()->SameStructure(m.schemas[0]));
  EXPECT_EQ(back->CurrentSchema()->HighestFieldId(), 8);
  EXPECT_EQ(back->CurrentSchema()->FindFieldById(2)->name, "chunk_text");
}

TEST(TableMetadata, WritesEveryRequiredV2Field) {
  auto j = nlohmann::json::parse(SampleMetadata().ToJson());
  for (const char* key : {"format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
                          "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id",
                          "last-partition-id", "sort-orders", "default-sort-order-id", "properties",
                          "current-snapshot-id", "snapshots", "snapshot-log", "metadata-log", "refs"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["format-version"], 2);
  EXPECT_EQ(j["schemas"][0]["type"], "struct");
  EXPECT_EQ(j["schemas"][0]["fields"][2]["type"], "fixed[512]");
  EXPECT_EQ(j["schemas"][0]["fields"][3]["type"]["element-id"], 5);
  EXPECT_EQ(j["refs"]["main"]["type"], "branch");
  for (const auto& s : j["snapshots"]) {
    for (const char* key : {"snapshot-id", "sequence-number", "timestamp-ms", "manifest-list", "summary"}) {
      EXPECT_TRUE(s.contains(key)) << key;
    }
    EXPECT_TRUE(s["summary"].contains("operation"));
  }
}

TEST(TableMetadata, UnknownKeysArePreserved) {
  auto j = nlohmann::json::parse(SampleMetadata().ToJson());
  j["statistics"] = nlohmann::json::array({{{"snapshot-id", 103}, {"statistics-path", "s.puffin"}}});
  auto back = TableMetadata::FromJson(j.dump(), "m");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto again = nlohmann::json::parse(back->ToJson());
  EXPECT_EQ(again["statistics"], j["statistics"]);
}

TEST(TableMetadata, EmptyTableHasNoCurrentSnapshot) {
  TableMetadata m = SampleMetadata();
  m.snapshots.clear();
  m.snapshot_log.clear();
  m.refs.clear();
  m.current_snapshot_id.reset();
  auto j = nlohmann::json::parse(m.ToJson());
  EXPECT_EQ(j["current-snapshot-id"], -1);
  auto back = TableMetadata::FromJson(m.ToJson(), "m");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->current_snapshot_id.has_value());
  EXPECT_EQ(back->CurrentSnapshot(), nullptr);
}

TEST(TableMetadata, TimeTravelBySnapshotLog) {
  TableMetadata m = SampleMetadata();
  EXPECT_EQ((*m.SnapshotAsOf(1700000002500))->snapshot_id, 102);
  EXPECT_EQ((*m.SnapshotAsOf(1700000003000))->snapshot_id, 103);
  EXPECT_EQ((*m.SnapshotAsOf(1800000000000))->snapshot_id, 103);
  EXPECT_EQ(m.SnapshotAsOf(1600000000000).status().code(), StatusCode::kNotFound);
}

TEST(TableMetadata, CorruptOrInconsistentMetadataIsRejected) {
  const std::string good = SampleMetadata().ToJson();
  EXPECT_EQ(TableMetadata::FromJson("{not json", "m.json").status().code(), StatusCode::kCorruption);
  EXPECT_NE(TableMetadata::FromJson("{not json", "m.json").status().message().find("m.json"), std::string::npos);
  for (const char* key : {"format-version", "table-uuid", "location", "last-sequence-number", "last-column-id",
                          "schemas", "current-schema-id", "partition-specs", "sort-orders"}) {
    auto j = nlohmann::json::parse(good);
    j.erase(key);
    auto r = TableMetadata::FromJson(j.dump(), "m.json");
    EXPECT_FALSE(r.ok()) << key;
  }
  auto v1 = nlohmann::json::parse(good);
  v1["format-version"] = 1;
  EXPECT_EQ(TableMetadata::FromJson(v1.dump(), "m").status().code(), StatusCode::kNotSupported);
  auto dangling = nlohmann::json::parse(good);
  dangling["current-snapshot-id"] = 999;
  EXPECT_FALSE(TableMetadata::FromJson(dangling.dump(), "m").ok());
  auto low = nlohmann::json::parse(good);
  low["last-column-id"] = 3;
  EXPECT_FALSE(TableMetadata::FromJson(low.dump(), "m").ok());
  auto badtype = nlohmann::json::parse(good);
  badtype["schemas"][0]["fields"][0]["type"] = "varchar";
  EXPECT_FALSE(TableMetadata::FromJson(badtype.dump(), "m").ok());
  auto dup = nlohmann::json::parse(good);
  dup["schemas"][0]["fields"][1]["id"] = 1;
  EXPECT_FALSE(TableMetadata::FromJson(dup.dump(), "m").ok());
}

// An integer field holding a float no integer can hold (a damaged or hostile file) is Corruption
// naming the field, never an out-of-range cast; a float in an unknown key is carried as is.
TEST(TableMetadata, OutOfRangeFloatInAnIntegerFieldIsCorruption) {
  auto j = nlohmann::json::parse(SampleMetadata().ToJson());
  for (const char* key : {"current-schema-id", "last-updated-ms", "current-snapshot-id"}) {
    auto bad = j;
    bad[key] = 4.99918e+19;
    auto m = TableMetadata::FromJson(bad.dump(), "m");
    ASSERT_FALSE(m.ok()) << key;
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << key;
    EXPECT_NE(m.status().message().find(key), std::string::npos) << m.status().ToString();
  }
  auto fine = j;
  fine["x-engine-score"] = 1e300;
  EXPECT_TRUE(TableMetadata::FromJson(fine.dump(), "m").ok());
}

}  // namespace
}  // namespace ailake::iceberg
