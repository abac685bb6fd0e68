// Tests for Avro object container files: round trips (every type, both codecs, many blocks),
// header metadata, deterministic output with a fixed sync marker, writing through the store, and
// corrupt files: truncation at every length, flipped bytes, wrong magic, bad sync, absurd sizes.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/uuid.h"
#include "iceberg/avro_file_format.h"
#include "iceberg/avro_file_reader.h"
#include "iceberg/avro_file_writer.h"
#include "store/local_store.h"
#include "testing/temp_dir.h"

namespace ailake {
namespace {

const char* kSchema = R"({"type":"record","name":"manifest_entry","fields":[
  {"name":"status","type":"int","field-id":0},
  {"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},
  {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[
    {"name":"file_path","type":"string","field-id":100},
    {"name":"file_format","type":{"type":"enum","name":"fmt","symbols":["PARQUET","AVRO","ORC"]},"field-id":101},
    {"name":"record_count","type":"long","field-id":103},
    {"name":"lower_bounds","type":["null",{"type":"array","logicalType":"map","items":{"type":"record",
      "name":"k126_v127","fields":[{"name":"key","type":"int","field-id":126},{"name":"value","type":"bytes","field-id":127}]}}],
      "default":null,"field-id":125},
    {"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":131},
    {"name":"split_offsets","type":["null",{"type":"array","items":"long","element-id":133}],"default":null,"field-id":132},
    {"name":"centroid","type":{"type":"fixed","name":"c8","size":8},"field-id":140},
    {"name":"radius","type":"float","field-id":141},
    {"name":"score","type":"double","field-id":142},
    {"name":"live","type":"boolean","field-id":143},
    {"name":"tags","type":{"type":"map","values":"string","key-id":150,"value-id":151},"field-id":149},
    {"name":"nothing","type":"null","field-id":152}]}}]})";

AvroSchemaPtr Schema() {
  auto s = AvroSchema::Parse(kSchema);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

AvroValue Entry(int i) {
  AvroValue::List df = {
      AvroValue::String("s3://bucket/db/t/data/" + std::to_string(i) + "-ünïcode.parquet"),
      AvroValue::Enum(i % 3),
      AvroValue::Long(int64_t{i} * 1000003),
      i % 3 == 0 ? AvroValue::Null()
                 : AvroValue::Array({AvroValue::Record({AvroValue::Int(1), AvroValue::BytesValue({1, 2, uint8_t(i)})})}),
      AvroValue::Null(),
      i % 2 ? AvroValue::Null() : AvroValue::Array({AvroValue::Long(4), AvroValue::Long(int64_t{i} << 33)}),
      AvroValue::Fixed({uint8_t(i), 1, 2, 3, 4, 5, 6, 7}),
      AvroValue::Float(0.5f * static_cast<float>(i)),
      AvroValue::Double(i * -1.25),
      AvroValue::Boolean(i % 2 == 0),
      i % 4 ? AvroValue::Map({{"model", AvroValue::String("m@" + std::to_string(i))}}) : AvroValue::Map({}),
      AvroValue::Null(),
  };
  return AvroValue::Record({AvroValue::Int(i % 3), i % 5 ? AvroValue::Long(INT64_MAX - i) : AvroValue::Null(),
                            AvroValue::Record(std::move(df))});
}

struct Written {
  std::vector<uint8_t> bytes;
  std::vector<AvroValue> records;
};

Written Write(AvroCodec codec, int n, size_t block_bytes = 1 << 20, std::vector<std::pair<std::string, std::string>> meta = {}) {
  AvroWriterOptions opt;
  opt.codec = codec;
  opt.block_bytes = block_bytes;
  opt.metadata = std::move(meta);
  auto buf = std::make_unique<BufferWritableFile>("test.avro");
  BufferWritableFile* raw = buf.get();
  auto w = AvroFileWriter::Open(std::move(buf), Schema(), opt);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  Written out;
  for (int i = 0; i < n; ++i) {
    out.records.push_back(Entry(i));
    EXPECT_TRUE((*w)->Append(out.records.back()).ok());
  }
  EXPECT_TRUE((*w)->Close().ok());
  EXPECT_EQ((*w)->records_written(), static_cast<uint64_t>(n));
  EXPECT_EQ((*w)->bytes_written(), raw->buffer().size());
  out.bytes = raw->buffer();
  return out;
}

Result<std::vector<AvroValue>> ReadBytes(const std::vector<uint8_t>& bytes, AvroReaderOptions opt = {}) {
  return ReadAvroFile(MakeBufferReadable(bytes, "test.avro"), opt);
}

TEST(AvroFile, RoundTripBothCodecsManyBlocks) {
  for (AvroCodec codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    for (size_t block : {size_t{1}, size_t{700}, size_t{1} << 20}) {
      Written w = Write(codec, 200, block, {{"schema", "{\"type\":\"struct\"}"}, {"format-version", "2"}, {"content", "data"}});
      auto reader = AvroFileReader::Open(MakeBufferReadable(w.bytes, "test.avro"));
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      EXPECT_EQ((*reader)->codec(), codec);
      EXPECT_EQ((*reader)->Metadata("format-version"), "2");
      EXPECT_EQ((*reader)->Metadata("schema"), "{\"type\":\"struct\"}");
      EXPECT_EQ((*reader)->Metadata("avro.codec"), AvroCodecName(codec));
      EXPECT_FALSE((*reader)->Metadata("missing").has_value());
      EXPECT_EQ((*reader)->metadata()[0].first, "avro.schema");
      // The schema comes back with its ids.
      EXPECT_EQ((*reader)->schema()->ToJsonString(), Schema()->ToJsonString());
      auto records = (*reader)->ReadAll();
      ASSERT_TRUE(records.ok()) << records.status().ToString();
      ASSERT_EQ(records->size(), w.records.size());
      for (size_t i = 0; i < w.records.size(); ++i) ASSERT_EQ((*records)[i], w.records[i]) << i;
      // Field lookup by Iceberg id.
      const AvroSchema& s = *(*reader)->schema();
      const AvroValue* df = (*records)[7].FieldById(s, 2);
      ASSERT_NE(df, nullptr);
      const AvroSchema& dfs = *s.fields[s.FieldIndexById(2)].type;
      EXPECT_EQ(df->FieldById(dfs, 103)->int64(), 7 * 1000003);
      EXPECT_EQ(df->FieldById(dfs, 100)->string(), "s3://bucket/db/t/data/7-ünïcode.parquet");
    }
  }
  // Deflate really compresses repetitive manifests.
  EXPECT_LT(Write(AvroCodec::kDeflate, 500).bytes.size(), Write(AvroCodec::kNull, 500).bytes.size() / 2);
}

TEST(AvroFile, EmptyFileAndFixedSyncMarkerAreDeterministic) {
  AvroWriterOptions opt;
  opt.codec = AvroCodec::kNull;
  opt.sync_marker = std::array<uint8_t, 16>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  auto schema = AvroSchema::Parse(R"({"type":"record","name":"r","fields":[{"name":"x","type":"long","field-id":1}]})");
  ASSERT_TRUE(schema.ok());
  auto make = [&](int n) {
    auto buf = std::make_unique<BufferWritableFile>();
    BufferWritableFile* raw = buf.get();
    auto w = AvroFileWriter::Open(std::move(buf), *schema, opt);
    EXPECT_TRUE(w.ok());
    for (int i = 0; i < n; ++i) EXPECT_TRUE((*w)->Append(AvroValue::Record({AvroValue::Long(i)})).ok());
    EXPECT_TRUE((*w)->Close().ok());
    return raw->buffer();
  };
  std::vector<uint8_t> empty = make(0);
  EXPECT_EQ(empty, make(0));
  const std::string schema_json = R"({"type":"record","name":"r","fields":[{"name":"x","type":"long","field-id":1}]})";
  // Header byte for byte: magic, map block of 2 entries, keys/values with zig-zag lengths, 0, sync.
  std::vector<uint8_t> expect = {'O', 'b', 'j', 1, 0x04};
  auto add_str = [&](const std::string& s) {
    expect.push_back(static_cast<uint8_t>(s.size() * 2));  // all lengths here are < 64
    expect.insert(expect.end(), s.begin(), s.end());
  };
  add_str("avro.schema");
  expect.push_back(static_cast<uint8_t>(((schema_json.size() * 2) & 0x7f) | 0x80));
  expect.push_back(static_cast<uint8_t>((schema_json.size() * 2) >> 7));
  expect.insert(expect.end(), schema_json.begin(), schema_json.end());
  add_str("avro.codec");
  add_str("null");
  expect.push_back(0);
  for (uint8_t b = 1; b <= 16; ++b) expect.push_back(b);
  EXPECT_EQ(empty, expect);
  auto none = ReadBytes(empty);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  // One block: count 3, size 3 (longs 0,1,2 are one byte each), data, sync.
  std::vector<uint8_t> three = make(3);
  std::vector<uint8_t> block = {0x06, 0x06, 0x00, 0x02, 0x04};
  for (uint8_t b = 1; b <= 16; ++b) block.push_back(b);
  ASSERT_EQ(three.size(), expect.size() + block.size());
  EXPECT_TRUE(std::equal(block.begin(), block.end(), three.begin() + static_cast<long>(expect.size())));
}

TEST(AvroFile, WriterRejectsBadInputWithoutDamagingTheFile) {
  auto buf = std::make_unique<BufferWritableFile>("w.avro");
  auto w = AvroFileWriter::Open(std::move(buf), Schema(), {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(Entry(1)).ok());
  Status bad = (*w)->Append(AvroValue::Record({AvroValue::Int(1), AvroValue::String("x"), Entry(2).fields()[2]}));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("w.avro: record 1"), std::string::npos) << bad.message();
  ASSERT_TRUE((*w)->Append(Entry(2)).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto records = ReadBytes(static_cast<BufferWritableFile*>((*w)->file())->buffer());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1], Entry(2));

  AvroWriterOptions reserved;
  reserved.metadata = {{"avro.codec", "snappy"}};
  EXPECT_EQ(AvroFileWriter::Open(std::make_unique<BufferWritableFile>(), Schema(), reserved).status().code(),
            StatusCode::kInvalidArgument);
  auto bad_schema = AvroSchema::Record("r", {AvroFieldWithId("a-b", AvroSchema::Primitive(AvroType::kInt), 1)});
  EXPECT_EQ(AvroFileWriter::Open(std::make_unique<BufferWritableFile>(), bad_schema, {}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(AvroFile, ThroughTheLocalStore) {
  test_util::TempDir tmp("avro", /*create=*/false);
  const std::filesystem::path& dir = tmp.path();
  auto store = LocalStore::Open(dir.string());
  ASSERT_TRUE(store.ok());
  auto out = (*store)->OpenWritable("t/metadata/snap-1.avro", PublishMode::kIfAbsent);
  ASSERT_TRUE(out.ok());
  auto w = AvroFileWriter::Open(std::move(*out), Schema(), {});
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*w)->Append(Entry(i)).ok());
  EXPECT_FALSE(*(*store)->Exists("t/metadata/snap-1.avro"));  // nothing visible before Close
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(*(*store)->Size("t/metadata/snap-1.avro"), (*w)->bytes_written());
  auto in = (*store)->OpenReadable("t/metadata/snap-1.avro");
  ASSERT_TRUE(in.ok());
  auto records = ReadAvroFile(*in);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 50u);
  EXPECT_EQ((*records)[49], Entry(49));
}

// Offsets where a block ends (header end and after each sync): truncating there leaves a valid,
// shorter file, which the format cannot tell from a complete one.
std::vector<size_t> BlockBoundaries(const std::vector<uint8_t>& bytes) {
  std::vector<size_t> out;
  std::vector<uint8_t> sync(bytes.end() - kAvroSyncSize, bytes.end());
  for (size_t i = kAvroSyncSize; i <= bytes.size(); ++i) {
    if (std::equal(sync.begin(), sync.end(), bytes.begin() + static_cast<long>(i - kAvroSyncSize))) out.push_back(i);
  }
  return out;
}

TEST(AvroFile, TruncationAtEveryLength) {
  for (AvroCodec codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    Written w = Write(codec, 12, 300);
    std::vector<size_t> boundaries = BlockBoundaries(w.bytes);
    ASSERT_GE(boundaries.size(), 3u);  // header + at least two blocks
    for (size_t len = 0; len < w.bytes.size(); ++len) {
      std::vector<uint8_t> cut(w.bytes.begin(), w.bytes.begin() + static_cast<long>(len));
      auto r = ReadBytes(cut);
      bool boundary = std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
      if (boundary) {
        ASSERT_TRUE(r.ok()) << len << ": " << r.status().ToString();
        for (size_t i = 0; i < r->size(); ++i) ASSERT_EQ((*r)[i], w.records[i]);
      } else {
        ASSERT_FALSE(r.ok()) << "prefix of " << len << " bytes read as valid";
        EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << len << ": " << r.status().ToString();
        EXPECT_NE(r.status().message().find("test.avro"), std::string::npos);
      }
    }
  }
}

TEST(AvroFile, FlippedBytesNeverCrash) {
  for (AvroCodec codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    Written w = Write(codec, 6, 200);
    for (size_t pos = 0; pos < w.bytes.size(); ++pos) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
        std::vector<uint8_t> bad = w.bytes;
        bad[pos] ^= mask;
        auto r = ReadBytes(bad);
        if (!r.ok()) {
          StatusCode c = r.status().code();
          EXPECT_TRUE(c == StatusCode::kCorruption || c == StatusCode::kResourceExhausted || c == StatusCode::kNotSupported)
              << pos << ": " << r.status().ToString();
        }
      }
    }
  }
}

TEST(AvroFile, SpecificCorruptions) {
  Written w = Write(AvroCodec::kNull, 5);
  auto expect_error = [](const std::vector<uint8_t>& bytes, StatusCode code, const std::string& needle,
                         AvroReaderOptions opt = {}) {
    auto r = ReadBytes(bytes, opt);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().ToString();
  };
  // Wrong magic.
  std::vector<uint8_t> magic = w.bytes;
  magic[3] = 2;
  expect_error(magic, StatusCode::kCorruption, "wrong magic");
  expect_error({'O', 'b'}, StatusCode::kCorruption, "shorter than the magic");
  expect_error({'P', 'A', 'R', '1', 0, 0}, StatusCode::kCorruption, "wrong magic");
  // Bad sync after the block.
  std::vector<uint8_t> sync = w.bytes;
  sync[sync.size() - 1] ^= 1;
  expect_error(sync, StatusCode::kCorruption, "sync marker");
  // Find where the first block starts: right after the header's sync marker.
  std::vector<uint8_t> marker(w.bytes.end() - 16, w.bytes.end());
  auto at = std::search(w.bytes.begin(), w.bytes.end(), marker.begin(), marker.end());
  size_t block = static_cast<size_t>(at - w.bytes.begin()) + 16;
  // Absurd block size.
  std::vector<uint8_t> huge(w.bytes.begin(), w.bytes.begin() + static_cast<long>(block));
  AvroAppendLong(5, &huge);
  AvroAppendLong(int64_t{1} << 50, &huge);
  huge.resize(huge.size() + 64);
  expect_error(huge, StatusCode::kResourceExhausted, "above the limit");
  // Block size past the end of the file.
  std::vector<uint8_t> past(w.bytes.begin(), w.bytes.begin() + static_cast<long>(block));
  AvroAppendLong(5, &past);
  AvroAppendLong(1000, &past);
  past.resize(past.size() + 64);
  expect_error(past, StatusCode::kCorruption, "runs past the end");
  // Absurd object count for the bytes present.
  std::vector<uint8_t> count(w.bytes.begin(), w.bytes.begin() + static_cast<long>(block));
  AvroAppendLong(int64_t{1} << 40, &count);
  AvroAppendLong(4, &count);
  count.insert(count.end(), {0, 0, 0, 0});
  count.insert(count.end(), marker.begin(), marker.end());
  expect_error(count, StatusCode::kCorruption, "cannot fit");
  // Negative count.
  std::vector<uint8_t> neg(w.bytes.begin(), w.bytes.begin() + static_cast<long>(block));
  AvroAppendLong(-1, &neg);
  AvroAppendLong(0, &neg);
  neg.insert(neg.end(), marker.begin(), marker.end());
  expect_error(neg, StatusCode::kCorruption, "negative");
  // Leftover bytes in a block.
  std::vector<uint8_t> extra(w.bytes.begin(), w.bytes.begin() + static_cast<long>(block));
  std::vector<uint8_t> one;
  ASSERT_TRUE(AvroEncode(*Schema(), Entry(1), &one).ok());
  AvroAppendLong(1, &extra);
  AvroAppendLong(static_cast<int64_t>(one.size() + 3), &extra);
  extra.insert(extra.end(), one.begin(), one.end());
  extra.insert(extra.end(), {7, 7, 7});
  extra.insert(extra.end(), marker.begin(), marker.end());
  expect_error(extra, StatusCode::kCorruption, "left over");
  // Header: absurd metadata count, missing schema, unsupported codec, bad schema JSON.
  std::vector<uint8_t> meta = {'O', 'b', 'j', 1};
  AvroAppendLong(int64_t{1} << 60, &meta);
  expect_error(meta, StatusCode::kCorruption, "entries");
  auto header = [](std::vector<std::pair<std::string, std::string>> kv) {
    std::vector<uint8_t> h = {'O', 'b', 'j', 1};
    AvroAppendLong(static_cast<int64_t>(kv.size()), &h);
    for (const auto& [k, v] : kv) {
      AvroAppendLong(static_cast<int64_t>(k.size()), &h);
      h.insert(h.end(), k.begin(), k.end());
      AvroAppendLong(static_cast<int64_t>(v.size()), &h);
      h.insert(h.end(), v.begin(), v.end());
    }
    AvroAppendLong(0, &h);
    h.resize(h.size() + 16, 0xAB);
    return h;
  };
  expect_error(header({{"avro.codec", "null"}}), StatusCode::kCorruption, "no avro.schema");
  expect_error(header({{"avro.schema", "\"int\""}, {"avro.codec", "snappy"}}), StatusCode::kNotSupported, "snappy");
  expect_error(header({{"avro.schema", "{not json"}}), StatusCode::kCorruption, "avro.schema");
  expect_error(header({{"avro.schema", "\"nope\""}}), StatusCode::kCorruption, "unknown type");
  // A header larger than the cap.
  AvroReaderOptions small;
  small.max_header_bytes = 64;
  expect_error(w.bytes, StatusCode::kResourceExhausted, "header exceeds", small);
  // A header larger than the first read still parses (header spans the 64 KiB prefix).
  Written big = Write(AvroCodec::kNull, 3, 1 << 20, {{"big", std::string(200000, 'x')}});
  auto r = ReadBytes(big.bytes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 3u);
}

TEST(AvroFile, DeflateBombIsRefused) {
  // A record of one long string compresses very well; cap the inflated size below it.
  auto schema = AvroSchema::Parse("\"string\"");
  ASSERT_TRUE(schema.ok());
  auto buf = std::make_unique<BufferWritableFile>("bomb.avro");
  BufferWritableFile* raw = buf.get();
  AvroWriterOptions opt;
  opt.codec = AvroCodec::kDeflate;
  auto w = AvroFileWriter::Open(std::move(buf), *schema, opt);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(AvroValue::String(std::string(4 << 20, 'a'))).ok());
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_LT(raw->buffer().size(), 20000u);
  AvroReaderOptions opt_in;
  opt_in.max_block_decoded_bytes = 1 << 20;
  auto r = ReadBytes(raw->buffer(), opt_in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_TRUE(ReadBytes(raw->buffer()).ok());
}

}  // namespace
}  // namespace ailake
