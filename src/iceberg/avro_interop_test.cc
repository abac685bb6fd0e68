// Interop: independent Avro implementations read our container files and we read theirs.
//  (a) Apache Avro for Python (Debian python3-avro) reads our files (both codecs): same values,
//      same header metadata, and the writer schema with every field-id / element-id / key-id /
//      value-id attribute intact.
//  (b) avsc (npm, in tests/interop/node_modules) reads our files, and writes files (both codecs)
//      that our reader decodes to the same values.
// The oracles are test prerequisites: when one is missing the test fails and says to run
// scripts/setup.sh (it never skips).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/uuid.h"
#include "iceberg/avro_file_reader.h"
#include "iceberg/avro_file_writer.h"
#include "testing/oracles.h"
#include "testing/temp_dir.h"

namespace ailake {
namespace {

namespace fs = std::filesystem;

class AvroInterop : public ::testing::Test {
 protected:
  void RequirePython() { ASSERT_TRUE(test_util::PythonAvroAvailable()); }
  void RequireNode() { ASSERT_TRUE(test_util::AvscAvailable()); }
  test_util::TempDir dir_{"avro_interop"};
  const fs::path tmp_ = dir_.path();
};

// Every Avro type, shaped like an Iceberg manifest entry, with ids on fields, arrays and maps.
const char* kSchema = R"({"type":"record","name":"manifest_entry","fields":[
  {"name":"status","type":"int","field-id":0},
  {"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},
  {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[
    {"name":"content","type":"int","doc":"0=data, 1=position deletes","field-id":134},
    {"name":"file_path","type":"string","field-id":100},
    {"name":"file_format","type":{"type":"enum","name":"fmt","symbols":["PARQUET","AVRO","ORC"]},"field-id":101},
    {"name":"partition","type":{"type":"record","name":"r102","fields":[
      {"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000}]},"field-id":102},
    {"name":"record_count","type":"long","field-id":103},
    {"name":"lower_bounds","type":["null",{"type":"array","logicalType":"map","items":{"type":"record",
      "name":"k126_v127","fields":[{"name":"key","type":"int","field-id":126},{"name":"value","type":"bytes","field-id":127}]}}],
      "default":null,"field-id":125},
    {"name":"split_offsets","type":["null",{"type":"array","items":"long","element-id":133}],"default":null,"field-id":132},
    {"name":"centroid","type":{"type":"fixed","name":"c8","size":8},"field-id":140},
    {"name":"radius","type":"float","field-id":141},
    {"name":"score","type":"double","field-id":142},
    {"name":"live","type":"boolean","field-id":143},
    {"name":"tags","type":{"type":"map","values":"string","key-id":150,"value-id":151},"field-id":149},
    {"name":"nothing","type":"null","field-id":152},
    {"name":"created","type":{"type":"long","logicalType":"timestamp-micros","adjust-to-utc":true},"field-id":153}]}}]})";

AvroValue Entry(int i) {
  AvroValue::List df = {
      AvroValue::Int(i % 2),
      AvroValue::String("s3://bucket/db/t/data/" + std::to_string(i) + "-ünïcode ✓.parquet"),
      AvroValue::Enum(i % 3),
      AvroValue::Record({i % 3 ? AvroValue::Int(19000 + i) : AvroValue::Null()}),
      AvroValue::Long(i == 3 ? INT64_MAX : i == 4 ? INT64_MIN : int64_t{i} * 1000003),
      i % 3 == 0 ? AvroValue::Null()
                 : AvroValue::Array({AvroValue::Record({AvroValue::Int(1), AvroValue::BytesValue({0, 255, uint8_t(i)})}),
                                     AvroValue::Record({AvroValue::Int(2), AvroValue::BytesValue({})})}),
      i % 2 ? AvroValue::Null() : AvroValue::Array({AvroValue::Long(4), AvroValue::Long(int64_t{i} << 40)}),
      AvroValue::Fixed({uint8_t(i), 1, 2, 3, 4, 5, 6, 255}),
      AvroValue::Float(i % 5 == 4 ? 3.4028234663852886e38f : 0.25f * static_cast<float>(i)),
      AvroValue::Double(i % 7 == 6 ? std::nan("") : i * -1.1),
      AvroValue::Boolean(i % 2 == 0),
      i % 4 ? AvroValue::Map({{"model", AvroValue::String("minilm@" + std::to_string(i))}, {"kind", AvroValue::String("hnsw")}})
            : AvroValue::Map({}),
      AvroValue::Null(),
      AvroValue::Long(1700000000000000 + i),
  };
  return AvroValue::Record({AvroValue::Int(i % 3), i % 5 ? AvroValue::Long(INT64_MAX - i) : AvroValue::Null(),
                            AvroValue::Record(std::move(df))});
}

constexpr int kRecords = 120;

// Writes our file and returns its path; `expected` receives the records in the JSON convention.
std::string WriteOurs(const fs::path& dir, AvroCodec codec, nlohmann::json* expected) {
  auto schema = AvroSchema::Parse(kSchema);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  std::string path = (dir / (std::string("ours-") + AvroCodecName(codec) + ".avro")).string();
  auto out = OpenLocalWritable(path);
  EXPECT_TRUE(out.ok());
  AvroWriterOptions opt;
  opt.codec = codec;
  opt.block_bytes = 2000;  // several blocks
  opt.metadata = {{"schema", R"({"type":"struct","schema-id":0,"fields":[]})"},
                  {"partition-spec", "[]"},
                  {"format-version", "2"},
                  {"content", "data"},
                  {"ailake.vector-stats", R"({"files":[{"radius":0.5}]})"}};
  auto w = AvroFileWriter::Open(std::move(*out), *schema, opt);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  *expected = nlohmann::json::array();
  for (int i = 0; i < kRecords; ++i) {
    AvroValue v = Entry(i);
    EXPECT_TRUE((*w)->Append(v).ok());
    auto j = AvroValueToJson(**schema, v);
    EXPECT_TRUE(j.ok());
    expected->push_back(nlohmann::json::parse(j->dump()));
  }
  EXPECT_TRUE((*w)->Close().ok());
  return path;
}

// Collects every id attribute by its path in a schema JSON, e.g. ".data_file.split_offsets:element-id" -> 133.
void CollectIds(const nlohmann::json& s, const std::string& path, std::map<std::string, int64_t>* out) {
  if (s.is_array()) {
    for (const auto& b : s) CollectIds(b, path, out);
    return;
  }
  if (!s.is_object()) return;
  for (const char* k : {"element-id", "key-id", "value-id"}) {
    if (s.contains(k)) (*out)[path + ":" + k] = s[k].get<int64_t>();
  }
  if (s.contains("fields")) {
    for (const auto& f : s["fields"]) {
      std::string fp = path + "." + f["name"].get<std::string>();
      if (f.contains("field-id")) (*out)[fp + ":field-id"] = f["field-id"].get<int64_t>();
      CollectIds(f["type"], fp, out);
    }
  }
  if (s.contains("items")) CollectIds(s["items"], path + "[]", out);
  if (s.contains("values")) CollectIds(s["values"], path + "{}", out);
}

TEST_F(AvroInterop, PythonAvroReadsOurFilesWithFieldIdsIntact) {
  RequirePython();
  for (AvroCodec codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    SCOPED_TRACE(AvroCodecName(codec));
    nlohmann::json expected;
    std::string path = WriteOurs(tmp_, codec, &expected);
    test_util::CommandResult r = test_util::PythonAvroRead(path);
    ASSERT_EQ(r.code, 0) << "python3-avro could not read " << path << ": " << r.err;
    nlohmann::json got = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(got.is_discarded()) << r.out.substr(0, 500);
    EXPECT_EQ(got["codec"], AvroCodecName(codec));
    ASSERT_EQ(got["records"].size(), static_cast<size_t>(kRecords));
    for (int i = 0; i < kRecords; ++i) ASSERT_EQ(got["records"][i], expected[i]) << "record " << i;
    EXPECT_EQ(got["metadata"]["format-version"], "2");
    EXPECT_EQ(got["metadata"]["partition-spec"], "[]");
    EXPECT_EQ(got["metadata"]["ailake.vector-stats"], R"({"files":[{"radius":0.5}]})");
    // The schema as Python parsed it keeps every id attribute (and the rest of the schema).
    std::map<std::string, int64_t> ours, theirs;
    CollectIds(nlohmann::json::parse(kSchema), "", &ours);
    CollectIds(got["schema"], "", &theirs);
    EXPECT_EQ(ours.size(), 23u);
    EXPECT_EQ(theirs, ours);
    EXPECT_EQ(theirs[".data_file.split_offsets:element-id"], 133);
    EXPECT_EQ(theirs[".data_file.tags:key-id"], 150);
    EXPECT_EQ(got["schema"], nlohmann::json::parse(kSchema));
  }
}

TEST_F(AvroInterop, AvscReadsOurFiles) {
  RequireNode();
  for (AvroCodec codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    SCOPED_TRACE(AvroCodecName(codec));
    nlohmann::json expected;
    std::string path = WriteOurs(tmp_, codec, &expected);
    test_util::CommandResult r = test_util::AvscRead(path);
    ASSERT_EQ(r.code, 0) << "avsc could not read " << path << ": " << r.err;
    nlohmann::json got = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(got.is_discarded()) << r.out.substr(0, 500);
    EXPECT_EQ(got["codec"], AvroCodecName(codec));
    EXPECT_EQ(got["metadata"]["content"], "data");
    ASSERT_EQ(got["records"].size(), static_cast<size_t>(kRecords));
    for (int i = 0; i < kRecords; ++i) ASSERT_EQ(got["records"][i], expected[i]) << "record " << i;
  }
}

TEST_F(AvroInterop, WeReadAvscFiles) {
  RequireNode();
  for (AvroCodec codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    SCOPED_TRACE(AvroCodecName(codec));
    std::string path = (tmp_ / (std::string("avsc-") + AvroCodecName(codec) + ".avro")).string();
    test_util::CommandResult r = test_util::AvscWrite(path, AvroCodecName(codec));
    ASSERT_EQ(r.code, 0) << "avsc could not write " << path << ": " << r.err;
    nlohmann::json written = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(written.is_discarded()) << r.out.substr(0, 500);
    auto file = OpenLocalReadable(path);
    ASSERT_TRUE(file.ok());
    auto reader = AvroFileReader::Open(*file);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ((*reader)->codec(), codec);
    EXPECT_EQ((*reader)->Metadata("ailake.test"), "written by avsc");
    EXPECT_EQ((*reader)->Metadata("format-version"), "2");
    auto records = (*reader)->ReadAll();
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    const nlohmann::json& want = written["records"];
    ASSERT_EQ(records->size(), want.size());
    ASSERT_GT(want.size(), 100u);
    for (size_t i = 0; i < records->size(); ++i) {
      auto j = AvroValueToJson(*(*reader)->schema(), (*records)[i]);
      ASSERT_TRUE(j.ok()) << j.status().ToString();
      ASSERT_EQ(nlohmann::json::parse(j->dump()), want[i]) << "record " << i;
    }
    // Field lookup by name works on their schema (avsc does not write the id attributes).
    const AvroSchema& s = *(*reader)->schema();
    const AvroValue* df = (*records)[7].Field(s, "data_file");
    ASSERT_NE(df, nullptr);
    EXPECT_EQ(df->Field(*s.fields[s.FieldIndex("data_file")].type, "record_count")->int64(), INT64_MAX);
  }
}

}  // namespace
}  // namespace ailake
