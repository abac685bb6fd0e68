// Tests for the Avro schema model: JSON round trips keep Iceberg's id attributes, named-type
// references, field lookup by id, builders, and clear errors (never exceptions) for bad schemas.
#include <gtest/gtest.h>

#include "iceberg/avro_schema.h"

namespace ailake {
namespace {

// A trimmed Iceberg v2 manifest_entry schema (ids as in the Iceberg spec).
const char* kManifestEntrySchema = R"({
  "type": "record", "name": "manifest_entry", "fields": [
    {"name": "status", "type": "int", "field-id": 0},
    {"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1},
    {"name": "sequence_number", "type": ["null", "long"], "default": null, "field-id": 3},
    {"name": "data_file", "field-id": 2, "type": {"type": "record", "name": "r2", "fields": [
      {"name": "content", "type": "int", "doc": "Contents of the file: 0=data", "field-id": 134},
      {"name": "file_path", "type": "string", "doc": "Location URI with FS scheme", "field-id": 100},
      {"name": "partition", "type": {"type": "record", "name": "r102", "fields": [
         {"name": "bucket", "type": ["null", "int"], "default": null, "field-id": 1000}]}, "field-id": 102},
      {"name": "record_count", "type": "long", "field-id": 103},
      {"name": "column_sizes", "type": ["null", {"type": "array", "logicalType": "map", "items": {
         "type": "record", "name": "k117_v118", "fields": [
           {"name": "key", "type": "int", "field-id": 117}, {"name": "value", "type": "long", "field-id": 118}]}}],
       "default": null, "field-id": 108},
      {"name": "split_offsets", "type": ["null", {"type": "array", "items": "long", "element-id": 133}],
       "default": null, "field-id": 132},
      {"name": "props", "type": {"type": "map", "values": "string", "key-id": 7, "value-id": 8}, "field-id": 9},
      {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": true}, "field-id": 10}
    ]}}
  ]})";

TEST(AvroSchema, IcebergManifestSchemaKeepsEveryAttribute) {
  auto parsed = AvroSchema::Parse(kManifestEntrySchema);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const AvroSchema& entry = **parsed;
  EXPECT_EQ(entry.type, AvroType::kRecord);
  EXPECT_EQ(entry.name, "manifest_entry");
  ASSERT_EQ(entry.fields.size(), 4u);
  EXPECT_EQ(entry.fields[1].field_id(), 1);
  EXPECT_EQ(entry.FieldIndexById(2), 3);
  EXPECT_EQ(entry.FieldIndex("sequence_number"), 2);
  EXPECT_EQ(entry.FieldIndexById(999), -1);
  EXPECT_EQ(entry.fields[1].type->NullableBranch(), 1);
  const AvroSchema& df = *entry.fields[3].type;
  EXPECT_EQ(df.name, "r2");
  EXPECT_EQ(df.fields[0].attrs["doc"], "Contents of the file: 0=data");
  const AvroSchema& sizes = *df.fields[df.FieldIndexById(108)].type->branches[1];
  EXPECT_EQ(sizes.type, AvroType::kArray);
  EXPECT_EQ(sizes.StringAttr("logicalType"), "map");
  EXPECT_EQ(sizes.items->fields[1].field_id(), 118);
  const AvroSchema& splits = *df.fields[df.FieldIndexById(132)].type->branches[1];
  EXPECT_EQ(splits.IntAttr("element-id"), 133);
  const AvroSchema& props = *df.fields[df.FieldIndexById(9)].type;
  EXPECT_EQ(props.type, AvroType::kMap);
  EXPECT_EQ(props.IntAttr("key-id"), 7);
  EXPECT_EQ(props.IntAttr("value-id"), 8);
  const AvroSchema& ts = *df.fields[df.FieldIndexById(10)].type;
  EXPECT_EQ(ts.type, AvroType::kLong);
  EXPECT_EQ(ts.StringAttr("logicalType"), "timestamp-micros");
  EXPECT_EQ(ts.attrs["adjust-to-utc"], true);

  // Writing and re-reading gives the same JSON, attribute for attribute.
  AvroJson original = AvroJson::parse(kManifestEntrySchema);
  EXPECT_EQ(nlohmann::json::parse(entry.ToJsonString()), nlohmann::json::parse(original.dump()));
  auto again = AvroSchema::Parse(entry.ToJsonString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->ToJsonString(), entry.ToJsonString());
}

TEST(AvroSchema, NamedTypeReferencesAndNamespaces) {
  auto parsed = AvroSchema::Parse(R"({"type":"record","name":"outer","namespace":"org.ailake","fields":[
      {"name":"a","type":{"type":"fixed","name":"md5","size":16}},
      {"name":"b","type":"md5"},
      {"name":"c","type":["null","org.ailake.md5"]},
      {"name":"e","type":{"type":"enum","name":"color","symbols":["RED","GREEN"],"default":"RED"}},
      {"name":"f","type":"color"}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const AvroSchema& s = **parsed;
  EXPECT_EQ(s.full_name(), "org.ailake.outer");
  EXPECT_EQ(s.fields[0].type.get(), s.fields[1].type.get());  // same node
  EXPECT_EQ(s.fields[2].type->branches[1]->fixed_size, 16);
  EXPECT_EQ(s.fields[4].type->symbols.size(), 2u);
  // Second uses are written as references, and the output parses again.
  AvroJson j = s.ToJson();
  EXPECT_EQ(j["fields"][1]["type"], "org.ailake.md5");
  EXPECT_EQ(j["fields"][3]["type"]["default"], "RED");
  ASSERT_TRUE(AvroSchema::Parse(j.dump()).ok());
}

TEST(AvroSchema, BuildersMatchParsedJson) {
  AvroSchemaPtr built = AvroSchema::Record(
      "manifest_file",
      {AvroFieldWithId("manifest_path", AvroSchema::Primitive(AvroType::kString), 500, {{"doc", "Location URI"}}),
       AvroFieldWithId("added_snapshot_id", AvroSchema::Optional(AvroSchema::Primitive(AvroType::kLong)), 503,
                       {{"default", nullptr}}),
       AvroFieldWithId("tags", AvroSchema::Array(AvroSchema::Primitive(AvroType::kString), {{"element-id", 510}}), 509),
       AvroFieldWithId("kv", AvroSchema::Map(AvroSchema::Primitive(AvroType::kBytes), {{"key-id", 1}, {"value-id", 2}}), 511),
       AvroFieldWithId("key", AvroSchema::Fixed("k16", 16), 512),
       AvroFieldWithId("kind", AvroSchema::Enum("kind", {"A", "B"}), 513)});
  auto parsed = AvroSchema::Parse(R"({"type":"record","name":"manifest_file","fields":[
      {"name":"manifest_path","type":"string","field-id":500,"doc":"Location URI"},
      {"name":"added_snapshot_id","type":["null","long"],"field-id":503,"default":null},
      {"name":"tags","type":{"type":"array","items":"string","element-id":510},"field-id":509},
      {"name":"kv","type":{"type":"map","values":"bytes","key-id":1,"value-id":2},"field-id":511},
      {"name":"key","type":{"type":"fixed","name":"k16","size":16},"field-id":512},
      {"name":"kind","type":{"type":"enum","name":"kind","symbols":["A","B"]},"field-id":513}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(built->ToJsonString(), (*parsed)->ToJsonString());
}

TEST(AvroSchema, PrimitivesAndForms) {
  for (const char* p : {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}) {
    auto s = AvroSchema::Parse(std::string("\"") + p + "\"");
    ASSERT_TRUE(s.ok()) << p;
    EXPECT_STREQ(AvroTypeName((*s)->type), p);
    EXPECT_EQ((*s)->ToJsonString(), std::string("\"") + p + "\"");
    auto o = AvroSchema::Parse(std::string("{\"type\":\"") + p + "\"}");
    ASSERT_TRUE(o.ok()) << p;
    EXPECT_EQ((*o)->type, (*s)->type);
  }
  auto wrapped = AvroSchema::Parse(R"({"type":{"type":"array","items":"int"}})");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ((*wrapped)->type, AvroType::kArray);
}

TEST(AvroSchema, BadSchemasGiveClearErrors) {
  std::string deep = "\"int\"";
  for (int i = 0; i < 100; ++i) deep = R"({"type":"array","items":)" + deep + "}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not valid JSON"},
      {"5", "must be a type name"},
      {R"({"name":"x"})", "no \"type\""},
      {R"("nope")", "unknown type 'nope'"},
      {R"({"type":"record","name":"r","fields":[{"name":"a","type":"r"}]})", "recursive"},
      {R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})", "defined twice"},
      {R"({"type":"record","name":"r","fields":[{"name":"a-b","type":"int"}]})", "not a valid field name"},
      {R"({"type":"record","name":"9r","fields":[]})", "invalid name"},
      {R"({"type":"record","name":"r"})", "no \"fields\""},
      {R"({"type":"record","name":"r","fields":[{"name":"a"}]})", "no \"type\""},
      {R"({"type":"record","name":"r","fields":[5]})", "must be an object"},
      {R"(["int", ["null"]])", "union directly inside a union"},
      {R"(["int", "int"])", "repeats type 'int'"},
      {R"([])", "empty union"},
      {R"({"type":"fixed","name":"f","size":-1})", "size"},
      {R"({"type":"fixed","name":"f","size":"16"})", "size"},
      {R"({"type":"enum","name":"e","symbols":[]})", "no symbols"},
      {R"({"type":"enum","name":"e","symbols":["A","A"]})", "repeats"},
      {R"({"type":"array"})", "no \"items\""},
      {R"({"type":"map","values":"nope"})", "unknown type"},
      {R"(["null",{"type":"fixed","name":"f","size":1},{"type":"fixed","name":"f","size":2}])", "redefines"},
      {R"({"type":"record","name":5,"fields":[]})", "no string \"name\""},
      {R"({"type":"record","name":"r","namespace":7,"fields":[]})", "namespace"},
      {deep, "nests deeper"},
  };
  for (const auto& [text, needle] : cases) {
    auto s = AvroSchema::Parse(text);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(s.status().message().find(needle), std::string::npos) << text << " -> " << s.status().message();
  }
  // A non-integer field-id is kept as an attribute but is not an id.
  auto odd = AvroSchema::Parse(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int","field-id":"x"}]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_FALSE((*odd)->fields[0].field_id().has_value());
  EXPECT_EQ((*odd)->FieldIndexById(0), -1);
}

}  // namespace
}  // namespace ailake
