// Files no DuckDB setting writes, built page by page here: legacy list/map shapes (LogicalTypes.md
// backward-compatibility rules), a footer row count of 0, encrypted-column markers, an empty
// data page v2 under a codec, INT96 timestamps far from 1970, FLOAT16, BYTE_ARRAY and
// FIXED_LEN_BYTE_ARRAY decimals, TIME in millis and nanos, the legacy LZ4 codec (Hadoop framing and
// bare blocks), and nested leaves that disagree. Expected values are written out by hand (dates
// and Julian day numbers were checked with Python's datetime, an independent calendar).
#include <lz4.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zstd.h>

#include "core/checked.h"
#include "core/io.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/reader.h"
#include "parquet/rle_decoder.h"
#include "parquet/rle_encoder.h"
#include "parquet/thrift_io.h"
#include "parquet/value_json.h"

namespace ailake::parquet {
namespace {

namespace fmt = ::ailake::parquet::format;

// --- building blocks ------------------------------------------------------------------------

fmt::SchemaElement Group(const std::string& name, int children, int rep = -1, int converted = -1) {
  fmt::SchemaElement e;
  e.__set_name(name);
  e.__set_num_children(children);
  if (rep >= 0) e.__set_repetition_type(static_cast<fmt::FieldRepetitionType::type>(rep));
  if (converted >= 0) e.__set_converted_type(static_cast<fmt::ConvertedType::type>(converted));
  return e;
}
fmt::SchemaElement Prim(const std::string& name, fmt::Type::type type, int rep, int converted = -1) {
  fmt::SchemaElement e;
  e.__set_name(name);
  e.__set_type(type);
  e.__set_repetition_type(static_cast<fmt::FieldRepetitionType::type>(rep));
  if (converted >= 0) e.__set_converted_type(static_cast<fmt::ConvertedType::type>(converted));
  return e;
}
constexpr int kReq = fmt::FieldRepetitionType::REQUIRED;
constexpr int kOpt = fmt::FieldRepetitionType::OPTIONAL;
constexpr int kRep = fmt::FieldRepetitionType::REPEATED;

// One leaf column chunk of one page.
struct Leaf {
  fmt::Type::type type = fmt::Type::INT32;
  std::vector<std::string> path;
  int16_t max_def = 0, max_rep = 0;
  std::vector<int16_t> defs, reps;  // one per value slot (ignored when the max level is 0)
  std::vector<uint8_t> plain;       // PLAIN bytes of the present values
  int64_t slots = 0;
  fmt::CompressionCodec::type codec = fmt::CompressionCodec::UNCOMPRESSED;
  bool v2 = false;
  bool hadoop_lz4 = true;  // codec LZ4: Hadoop framing, else one bare block
};

void Plain32(Leaf* l, std::initializer_list<int32_t> v) {
  for (int32_t x : v) {
    uint8_t b[4];
    StoreLE<int32_t>(b, x);
    l->plain.insert(l->plain.end(), b, b + 4);
  }
}
void Plain64(Leaf* l, std::initializer_list<int64_t> v) {
  for (int64_t x : v) {
    uint8_t b[8];
    StoreLE<int64_t>(b, x);
    l->plain.insert(l->plain.end(), b, b + 8);
  }
}
void PlainBytes(Leaf* l, const std::vector<uint8_t>& v, bool length_prefix) {
  if (length_prefix) {
    uint8_t b[4];
    StoreLE<uint32_t>(b, static_cast<uint32_t>(v.size()));
    l->plain.insert(l->plain.end(), b, b + 4);
  }
  l->plain.insert(l->plain.end(), v.begin(), v.end());
}
void PlainStr(Leaf* l, const std::string& s) { PlainBytes(l, std::vector<uint8_t>(s.begin(), s.end()), true); }

std::vector<uint8_t> Levels(const std::vector<int16_t>& lv, int16_t max) {
  std::vector<uint32_t> v(lv.begin(), lv.end());
  std::vector<uint8_t> out;
  RleHybridEncode(v.data(), v.size(), BitWidthFor(static_cast<uint64_t>(max)), &out);
  return out;
}

std::vector<uint8_t> CompressBody(const Leaf& l, const std::vector<uint8_t>& raw) {
  switch (l.codec) {
    case fmt::CompressionCodec::UNCOMPRESSED: return raw;
    case fmt::CompressionCodec::ZSTD: {
      std::vector<uint8_t> out(ZSTD_compressBound(raw.size()));
      out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 1));
      return out;
    }
    case fmt::CompressionCodec::LZ4_RAW:
    case fmt::CompressionCodec::LZ4: {
      std::vector<uint8_t> block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
      block.resize(static_cast<size_t>(LZ4_compress_default(reinterpret_cast<const char*>(raw.data()),
                                                            reinterpret_cast<char*>(block.data()),
                                                            static_cast<int>(raw.size()), static_cast<int>(block.size()))));
      if (!l.hadoop_lz4 || l.codec == fmt::CompressionCodec::LZ4_RAW) return block;
      std::vector<uint8_t> out;
      for (uint32_t v : {static_cast<uint32_t>(raw.size()), static_cast<uint32_t>(block.size())})
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
      out.insert(out.end(), block.begin(), block.end());
      return out;
    }
    default: ADD_FAILURE() << "codec not built here"; return raw;
  }
}

// Writes the page for `l` at the end of `file` and returns its ColumnChunk.
fmt::ColumnChunk WriteChunk(const Leaf& l, std::vector<uint8_t>* file) {
  const int64_t offset = static_cast<int64_t>(file->size());
  std::vector<uint8_t> rep = l.max_rep > 0 ? Levels(l.reps, l.max_rep) : std::vector<uint8_t>{};
  std::vector<uint8_t> def = l.max_def > 0 ? Levels(l.defs, l.max_def) : std::vector<uint8_t>{};
  fmt::PageHeader ph;
  std::vector<uint8_t> body;
  int64_t uncompressed = 0;
  if (!l.v2) {
    std::vector<uint8_t> raw;
    for (auto* lv : {&rep, &def}) {
      if (lv == &rep ? l.max_rep == 0 : l.max_def == 0) continue;
      uint8_t b[4];
      StoreLE<uint32_t>(b, static_cast<uint32_t>(lv->size()));
      raw.insert(raw.end(), b, b + 4);
      raw.insert(raw.end(), lv->begin(), lv->end());
    }
    raw.insert(raw.end(), l.plain.begin(), l.plain.end());
    uncompressed = static_cast<int64_t>(raw.size());
    body = CompressBody(l, raw);
    ph.__set_type(fmt::PageType::DATA_PAGE);
    fmt::DataPageHeader dh;
    dh.__set_num_values(static_cast<int32_t>(l.slots));
    dh.__set_encoding(fmt::Encoding::PLAIN);
    dh.__set_definition_level_encoding(fmt::Encoding::RLE);
    dh.__set_repetition_level_encoding(fmt::Encoding::RLE);
    ph.__set_data_page_header(dh);
  } else {
    // v2: levels never compressed; an empty values section stays empty (zero bytes) under any codec.
    std::vector<uint8_t> values = l.plain.empty() ? std::vector<uint8_t>{} : CompressBody(l, l.plain);
    body = rep;
    body.insert(body.end(), def.begin(), def.end());
    body.insert(body.end(), values.begin(), values.end());
    uncompressed = static_cast<int64_t>(rep.size() + def.size() + l.plain.size());
    ph.__set_type(fmt::PageType::DATA_PAGE_V2);
    fmt::DataPageHeaderV2 dh;
    dh.__set_num_values(static_cast<int32_t>(l.slots));
    int32_t nulls = 0;
    for (int16_t d : l.defs) nulls += d < l.max_def;
    dh.__set_num_nulls(nulls);
    dh.__set_num_rows(static_cast<int32_t>(l.slots));
    dh.__set_encoding(fmt::Encoding::PLAIN);
    dh.__set_definition_levels_byte_length(static_cast<int32_t>(def.size()));
    dh.__set_repetition_levels_byte_length(static_cast<int32_t>(rep.size()));
    ph.__set_data_page_header_v2(dh);
  }
  ph.__set_uncompressed_page_size(static_cast<int32_t>(uncompressed));
  ph.__set_compressed_page_size(static_cast<int32_t>(body.size()));
  std::vector<uint8_t> hdr;
  EXPECT_TRUE(ThriftSerialize(ph, &hdr).ok());
  file->insert(file->end(), hdr.begin(), hdr.end());
  file->insert(file->end(), body.begin(), body.end());
  fmt::ColumnMetaData md;
  md.__set_type(l.type);
  md.__set_encodings({fmt::Encoding::PLAIN, fmt::Encoding::RLE});
  md.__set_path_in_schema(l.path);
  md.__set_codec(l.codec);
  md.__set_num_values(l.slots);
  md.__set_total_uncompressed_size(static_cast<int64_t>(hdr.size()) + uncompressed);
  md.__set_total_compressed_size(static_cast<int64_t>(file->size()) - offset);
  md.__set_data_page_offset(offset);
  fmt::ColumnChunk cc;
  cc.__set_file_offset(offset);
  cc.__set_meta_data(md);
  return cc;
}

// A one-row-group file. `edit` may change the footer before it is written.
std::vector<uint8_t> BuildFile(const std::vector<fmt::SchemaElement>& schema, const std::vector<Leaf>& leaves,
                               int64_t rows, const std::function<void(fmt::FileMetaData*)>& edit = {}) {
  std::vector<uint8_t> file{'P', 'A', 'R', '1'};
  fmt::RowGroup rg;
  std::vector<fmt::ColumnChunk> chunks;
  for (const Leaf& l : leaves) chunks.push_back(WriteChunk(l, &file));
  rg.__set_columns(chunks);
  rg.__set_num_rows(rows);
  rg.__set_total_byte_size(static_cast<int64_t>(file.size()));
  fmt::FileMetaData md;
  md.__set_version(1);
  md.__set_schema(schema);
  md.__set_num_rows(rows);
  md.__set_row_groups({rg});
  if (edit) edit(&md);
  std::vector<uint8_t> footer;
  EXPECT_TRUE(ThriftSerialize(md, &footer).ok());
  file.insert(file.end(), footer.begin(), footer.end());
  uint8_t len[4];
  StoreLE<uint32_t>(len, static_cast<uint32_t>(footer.size()));
  file.insert(file.end(), len, len + 4);
  for (char c : std::string("PAR1")) file.push_back(static_cast<uint8_t>(c));
  return file;
}

// AILAKE_WRITE_PARQUET_SEEDS=DIR writes every file built here to DIR (how the hand-built seeds in
// fuzz/corpus/parquet were made).
void MaybeWriteSeed(const std::vector<uint8_t>& bytes) {
  const char* dir = std::getenv("AILAKE_WRITE_PARQUET_SEEDS");
  if (!dir) return;
  static int n = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string path = std::string(dir) + "/hand_" + info->name() + "_" + std::to_string(n++) + ".parquet";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_TRUE(f) << path;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

std::unique_ptr<ParquetReader> Open(std::vector<uint8_t> bytes, const std::string& name = "hand.parquet") {
  MaybeWriteSeed(bytes);
  auto r = ParquetReader::Open(MakeBufferReadable(std::move(bytes), name));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

std::vector<std::string> Rows(ParquetReader& r, const std::vector<int>& fields = {}) {
  auto b = r.ReadAll(fields);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  std::vector<std::string> out;
  if (!b.ok()) return out;
  EXPECT_TRUE(b->Validate().ok()) << b->Validate().ToString();
  for (int64_t i = 0; i < b->num_rows; ++i) out.push_back(RowToJson(*b, i));
  return out;
}

// --- tests ----------------------------------------------------------------------------------

// Every legacy list/map shape of LogicalTypes.md's backward-compatibility section, three rows each.
// Planted bug: dropping the `array` / `<name>_tuple` rule in reader_schema.cc (MakeInner) turned
// column b into [1,2] and c into [5] (the struct around the element was lost); this test failed.
TEST(ReaderHandBuilt, LegacyListsAndMaps) {
  using T = fmt::Type;
  std::vector<fmt::SchemaElement> schema = {
      Group("schema", 6),
      Group("a", 1, kOpt, fmt::ConvertedType::LIST), Prim("element", T::INT32, kRep),
      Group("b", 1, kOpt, fmt::ConvertedType::LIST), Group("array", 1, kRep), Prim("x", T::INT32, kReq),
      Group("c", 1, kReq, fmt::ConvertedType::LIST), Group("c_tuple", 1, kRep), Prim("y", T::INT32, kReq),
      Group("d", 1, kOpt, fmt::ConvertedType::LIST), Group("pair", 2, kRep), Prim("k", T::INT32, kReq),
      Prim("v", T::BYTE_ARRAY, kOpt, fmt::ConvertedType::UTF8),
      Group("e", 1, kRep), Prim("z", T::INT32, kReq),
      Group("f", 1, kOpt, fmt::ConvertedType::MAP_KEY_VALUE), Group("map", 2, kRep),
      Prim("key", T::BYTE_ARRAY, kReq, fmt::ConvertedType::UTF8), Prim("value", T::INT32, kOpt),
  };
  std::vector<Leaf> leaves(7);
  // a / b: [1,2], [], null
  for (int i : {0, 1}) {
    Leaf& l = leaves[static_cast<size_t>(i)];
    l.path = i == 0 ? std::vector<std::string>{"a", "element"} : std::vector<std::string>{"b", "array", "x"};
    l.max_def = 2, l.max_rep = 1, l.slots = 4;
    l.reps = {0, 1, 0, 0};
    l.defs = {2, 2, 1, 0};
    Plain32(&l, {1, 2});
  }
  // c (required list): [{"y":5}], [], [{"y":6},{"y":7}]
  leaves[2].path = {"c", "c_tuple", "y"};
  leaves[2].max_def = 1, leaves[2].max_rep = 1, leaves[2].slots = 4;
  leaves[2].reps = {0, 0, 0, 1};
  leaves[2].defs = {1, 0, 1, 1};
  Plain32(&leaves[2], {5, 6, 7});
  // d: [{"k":1,"v":"x"},{"k":2,"v":null}], null, []
  leaves[3].path = {"d", "pair", "k"};
  leaves[3].max_def = 2, leaves[3].max_rep = 1, leaves[3].slots = 4;
  leaves[3].reps = {0, 1, 0, 0};
  leaves[3].defs = {2, 2, 0, 1};
  Plain32(&leaves[3], {1, 2});
  leaves[4].type = T::BYTE_ARRAY;
  leaves[4].path = {"d", "pair", "v"};
  leaves[4].max_def = 3, leaves[4].max_rep = 1, leaves[4].slots = 4;
  leaves[4].reps = {0, 1, 0, 0};
  leaves[4].defs = {3, 2, 0, 1};
  PlainStr(&leaves[4], "x");
  // e (bare repeated group): [{"z":1}], [], [{"z":2},{"z":3}]
  leaves[5].path = {"e", "z"};
  leaves[5].max_def = 1, leaves[5].max_rep = 1, leaves[5].slots = 4;
  leaves[5].reps = {0, 0, 0, 1};
  leaves[5].defs = {1, 0, 1, 1};
  Plain32(&leaves[5], {1, 2, 3});
  // f (MAP_KEY_VALUE): {"a":1,"b":null}, {}, null
  leaves.resize(8);
  leaves[6].type = T::BYTE_ARRAY;
  leaves[6].path = {"f", "map", "key"};
  leaves[6].max_def = 2, leaves[6].max_rep = 1, leaves[6].slots = 4;
  leaves[6].reps = {0, 1, 0, 0};
  leaves[6].defs = {2, 2, 1, 0};
  PlainStr(&leaves[6], "a");
  PlainStr(&leaves[6], "b");
  leaves[7].path = {"f", "map", "value"};
  leaves[7].max_def = 3, leaves[7].max_rep = 1, leaves[7].slots = 4;
  leaves[7].reps = {0, 1, 0, 0};
  leaves[7].defs = {3, 2, 1, 0};
  Plain32(&leaves[7], {1});
  auto r = Open(BuildFile(schema, leaves, 3));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->schema().fields[0].type, DataType::kList);  // list<primitive> keeps the kList path
  for (int f = 1; f < 6; ++f) EXPECT_EQ(r->schema().fields[static_cast<size_t>(f)].logical, Logical::kJson) << f;
  auto rows = Rows(*r);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], R"({"a":[1,2],"b":[{"x":1},{"x":2}],"c":[{"y":5}],"d":[{"k":1,"v":"x"},{"k":2,"v":null}],)"
                     R"("e":[{"z":1}],"f":{"a":1,"b":null}})");
  EXPECT_EQ(rows[1], R"({"a":[],"b":[],"c":[],"d":null,"e":[],"f":{}})");
  EXPECT_EQ(rows[2], R"({"a":null,"b":null,"c":[{"y":6},{"y":7}],"d":[],"e":[{"z":2},{"z":3}],"f":null})");
}

// Leaves of one struct that disagree about the rows' shape are an error naming the column, never
// values shifted into the wrong row.
TEST(ReaderHandBuilt, NestedLeavesThatDisagreeAreCorruption) {
  using T = fmt::Type;
  std::vector<fmt::SchemaElement> schema = {Group("schema", 1), Group("s", 1, kOpt, fmt::ConvertedType::LIST),
                                            Group("list", 1, kRep), Group("element", 2, kOpt),
                                            Prim("p", T::INT32, kOpt), Prim("q", T::INT32, kOpt)};
  std::vector<Leaf> leaves(2);
  for (int i : {0, 1}) {
    Leaf& l = leaves[static_cast<size_t>(i)];
    l.path = {"s", "list", "element", i == 0 ? "p" : "q"};
    l.max_def = 4, l.max_rep = 1;
  }
  // p: one row with two elements; q: two rows with one element each.
  leaves[0].slots = 2, leaves[0].reps = {0, 1}, leaves[0].defs = {4, 4};
  Plain32(&leaves[0], {1, 2});
  leaves[1].slots = 2, leaves[1].reps = {0, 0}, leaves[1].defs = {4, 4};
  Plain32(&leaves[1], {3, 4});
  auto r = Open(BuildFile(schema, leaves, 2));
  ASSERT_TRUE(r);
  auto b = r->ReadAll({});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kCorruption) << b.status().ToString();
  EXPECT_NE(b.status().message().find("s.list.element.q"), std::string::npos) << b.status().ToString();
}

// Some writers leave FileMetaData.num_rows at 0: the row groups are trusted (other readers do the
// same). A non-zero disagreement is still a damaged footer.
// Planted bug: keeping the old strict check (total != num_rows) failed the first half.
TEST(ReaderHandBuilt, FooterRowCountZeroTrustsRowGroups) {
  std::vector<fmt::SchemaElement> schema = {Group("schema", 1), Prim("n", fmt::Type::INT64, kReq)};
  Leaf l;
  l.type = fmt::Type::INT64;
  l.path = {"n"};
  l.slots = 3;
  Plain64(&l, {7, 8, 9});
  auto r = Open(BuildFile(schema, {l}, 3, [](fmt::FileMetaData* md) { md->__set_num_rows(0); }));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->num_rows(), 3);
  EXPECT_EQ(Rows(*r), (std::vector<std::string>{R"({"n":7})", R"({"n":8})", R"({"n":9})"}));
  auto bad = ParquetReader::Open(
      MakeBufferReadable(BuildFile(schema, {l}, 3, [](fmt::FileMetaData* md) { md->__set_num_rows(5); }), "five.parquet"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("declares 5"), std::string::npos) << bad.status().ToString();
}

// Parquet modular encryption: encrypted columns under a plaintext footer are named as unsupported
// encryption (an empty projection means every column, so reading fails too: nothing is omitted);
// the plaintext columns stay readable by name. An encrypted footer ("PARE") is named as such.
// Planted bug: without the crypto_metadata checks (ValidateRowGroups and PlanChunk), ReadAll({})
// returned the encrypted column's bytes as values; this test failed.
TEST(ReaderHandBuilt, EncryptedColumnsAreNamed) {
  std::vector<fmt::SchemaElement> schema = {Group("schema", 2), Prim("plain", fmt::Type::INT32, kReq),
                                            Prim("secret", fmt::Type::INT32, kReq)};
  std::vector<Leaf> leaves(2);
  for (int i : {0, 1}) {
    leaves[static_cast<size_t>(i)].path = {i == 0 ? "plain" : "secret"};
    leaves[static_cast<size_t>(i)].slots = 2;
    Plain32(&leaves[static_cast<size_t>(i)], {1, 2});
  }
  auto bytes = BuildFile(schema, leaves, 2, [](fmt::FileMetaData* md) {
    fmt::EncryptionAlgorithm alg;
    alg.__set_AES_GCM_V1(fmt::AesGcmV1());
    md->__set_encryption_algorithm(alg);
    fmt::ColumnCryptoMetaData cm;
    fmt::EncryptionWithColumnKey key;
    key.__set_path_in_schema({"secret"});
    key.__set_key_metadata("k1");
    cm.__set_ENCRYPTION_WITH_COLUMN_KEY(key);
    md->row_groups[0].columns[1].__set_crypto_metadata(cm);
  });
  auto r = Open(bytes);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->supported(0));
  EXPECT_FALSE(r->supported(1));
  auto all = r->ReadAll({});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(all.status().message().find("'secret'"), std::string::npos) << all.status().ToString();
  EXPECT_NE(all.status().message().find("encrypt"), std::string::npos) << all.status().ToString();
  EXPECT_EQ(Rows(*r, {0}), (std::vector<std::string>{R"({"plain":1})", R"({"plain":2})"}));
  // Encrypted footer.
  std::vector<uint8_t> pare = bytes;
  std::memcpy(pare.data() + pare.size() - 4, "PARE", 4);
  std::memcpy(pare.data(), "PARE", 4);
  auto e = ParquetReader::Open(MakeBufferReadable(pare, "pare.parquet"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(e.status().message().find("encrypted footer"), std::string::npos) << e.status().ToString();
}

// A valid data page v2 whose values section is empty (every slot null) has zero compressed bytes
// even under a codec. Planted bug: decompressing the empty section (the old code) failed for LZ4
// and LZ4_RAW ("page is malformed"; zstd happens to accept empty input).
TEST(ReaderHandBuilt, EmptyV2PageUnderCodec) {
  for (auto codec : {fmt::CompressionCodec::ZSTD, fmt::CompressionCodec::LZ4, fmt::CompressionCodec::LZ4_RAW}) {
    SCOPED_TRACE(codec);
    std::vector<fmt::SchemaElement> schema = {Group("schema", 2), Prim("all_null", fmt::Type::INT32, kOpt),
                                              Prim("some", fmt::Type::INT32, kOpt)};
    std::vector<Leaf> leaves(2);
    for (int i : {0, 1}) {
      Leaf& l = leaves[static_cast<size_t>(i)];
      l.path = {i == 0 ? "all_null" : "some"};
      l.codec = codec;
      l.v2 = true;
      l.max_def = 1;
      l.slots = 3;
    }
    leaves[0].defs = {0, 0, 0};
    leaves[1].defs = {1, 0, 1};
    Plain32(&leaves[1], {4, 5});
    auto r = Open(BuildFile(schema, leaves, 3));
    ASSERT_TRUE(r);
    EXPECT_EQ(Rows(*r), (std::vector<std::string>{R"({"all_null":null,"some":4})", R"({"all_null":null,"some":null})",
                                                  R"({"all_null":null,"some":5})"}));
  }
}

// INT96 (nanoseconds of the day, Julian day number) for any year, FLOAT16, decimals in BYTE_ARRAY
// and FIXED_LEN_BYTE_ARRAY (with redundant sign bytes), TIME in millis (converted type) and nanos.
// Planted bug: computing INT96 through int64 nanoseconds (the old conversion) printed year 1000
// as 2169-07-21 (wrapped); this test failed.
TEST(ReaderHandBuilt, Int96Float16DecimalsTime) {
  using T = fmt::Type;
  fmt::SchemaElement f16 = Prim("h", T::FIXED_LEN_BYTE_ARRAY, kReq);
  f16.__set_type_length(2);
  fmt::LogicalType lt16;
  lt16.__set_FLOAT16(fmt::Float16Type());
  f16.__set_logicalType(lt16);
  fmt::SchemaElement dba = Prim("dba", T::BYTE_ARRAY, kReq, fmt::ConvertedType::DECIMAL);
  dba.__set_precision(40);
  dba.__set_scale(2);
  fmt::SchemaElement dfl = Prim("dfl", T::FIXED_LEN_BYTE_ARRAY, kReq, fmt::ConvertedType::DECIMAL);
  dfl.__set_type_length(3);
  dfl.__set_precision(6);
  dfl.__set_scale(3);
  fmt::SchemaElement tns = Prim("tns", T::INT64, kReq);
  fmt::LogicalType ltt;
  fmt::TimeType tt;
  fmt::TimeUnit unit;
  unit.__set_NANOS(fmt::NanoSeconds());
  tt.__set_unit(unit);
  tt.__set_isAdjustedToUTC(false);
  ltt.__set_TIME(tt);
  tns.__set_logicalType(ltt);
  std::vector<fmt::SchemaElement> schema = {Group("schema", 6), Prim("ts", T::INT96, kReq), f16, dba, dfl,
                                            Prim("tms", T::INT32, kReq, fmt::ConvertedType::TIME_MILLIS), tns};
  std::vector<Leaf> leaves(6);
  const char* names[] = {"ts", "h", "dba", "dfl", "tms", "tns"};
  const T::type types[] = {T::INT96, T::FIXED_LEN_BYTE_ARRAY, T::BYTE_ARRAY, T::FIXED_LEN_BYTE_ARRAY, T::INT32, T::INT64};
  for (int i = 0; i < 6; ++i) {
    leaves[static_cast<size_t>(i)].path = {names[i]};
    leaves[static_cast<size_t>(i)].type = types[i];
    leaves[static_cast<size_t>(i)].slots = 4;
  }
  // INT96: Julian day numbers from Python: date(1000,1,1).toordinal() + 1721425 = 2086303;
  // date(3000,6,15) -> 2816953; 1970-01-01 -> 2440588; JDN 0 is -4713-11-24 (4714 BC).
  auto int96 = [&](uint64_t nanos, int32_t jdn) {
    uint8_t b[12];
    StoreLE<uint64_t>(b, nanos);
    StoreLE<int32_t>(b + 8, jdn);
    leaves[0].plain.insert(leaves[0].plain.end(), b, b + 12);
  };
  int96(0, 2086303);
  int96(45296123456789ull, 2816953);  // 12:34:56.123456789
  int96(1, 2440588);
  int96(0, 0);
  for (uint16_t h : {0x3C00, 0xC000, 0x7BFF, 0x0001}) {
    uint8_t b[2];
    StoreLE<uint16_t>(b, h);
    leaves[1].plain.insert(leaves[1].plain.end(), b, b + 2);
  }
  PlainBytes(&leaves[2], {0x00, 0x7B}, true);  // 123 -> 1.23
  PlainBytes(&leaves[2], {0xFF}, true);        // -1 -> -0.01
  std::vector<uint8_t> wide(17, 0xFF);
  wide.back() = 0xFB;  // -5 in 17 bytes -> -0.05
  PlainBytes(&leaves[2], wide, true);
  // 10^38 - 1 (38 nines) in 17 bytes: 0x00 then 16 bytes 4B3B4CA85A86C47A098A223FFFFFFFFF
  PlainBytes(&leaves[2], {0x00, 0x4B, 0x3B, 0x4C, 0xA8, 0x5A, 0x86, 0xC4, 0x7A, 0x09, 0x8A, 0x22, 0x3F, 0xFF, 0xFF, 0xFF, 0xFF},
             true);
  PlainBytes(&leaves[3], {0x01, 0xE2, 0x40}, false);  // 123456 -> 123.456
  PlainBytes(&leaves[3], {0xFE, 0x1D, 0xC0}, false);  // -123456 -> -123.456
  PlainBytes(&leaves[3], {0x00, 0x00, 0x05}, false);  // 5 -> 0.005
  PlainBytes(&leaves[3], {0x80, 0x00, 0x00}, false);  // -8388608 -> -8388.608
  Plain32(&leaves[4], {45296789, 0, 86399999, 86400000});
  Plain64(&leaves[5], {45296123456789, 0, 1, 86399999999999});
  auto r = Open(BuildFile(schema, leaves, 4));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->schema().fields[2].logical, Logical::kDecimal);
  EXPECT_EQ(r->schema().fields[2].precision, 40);
  auto rows = Rows(*r);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], R"({"ts":"1000-01-01T00:00:00.000000000Z","h":1,"dba":"1.23","dfl":"123.456","tms":"12:34:56.789",)"
                     R"("tns":"12:34:56.123456789"})");
  EXPECT_EQ(rows[1], R"({"ts":"3000-06-15T12:34:56.123456789Z","h":-2,"dba":"-0.01","dfl":"-123.456","tms":"00:00:00.000",)"
                     R"("tns":"00:00:00.000000000"})");
  EXPECT_EQ(rows[2], R"({"ts":"1970-01-01T00:00:00.000000001Z","h":65504,"dba":"-0.05","dfl":"0.005","tms":"23:59:59.999",)"
                     R"("tns":"00:00:00.000000001"})");
  EXPECT_EQ(rows[3], R"({"ts":"-4713-11-24T00:00:00.000000000Z","h":5.9604645e-08,)"
                     R"("dba":"999999999999999999999999999999999999.99","dfl":"-8388.608","tms":"24:00:00.000",)"
                     R"("tns":"23:59:59.999999999"})");
  // A decimal needing more than 128 bits is refused, naming the column.
  std::vector<Leaf> big = {leaves[2]};
  big[0].plain.clear();
  big[0].slots = 1;
  PlainBytes(&big[0], std::vector<uint8_t>{0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true);
  auto rb = Open(BuildFile({Group("schema", 1), dba}, big, 1));
  ASSERT_TRUE(rb);
  auto b = rb->ReadAll({});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(b.status().message().find("'dba'"), std::string::npos) << b.status().ToString();
  EXPECT_NE(b.status().message().find("128 bits"), std::string::npos) << b.status().ToString();
}

// Codec LZ4 (thrift id 5): Hadoop-framed blocks (parquet-mr, old Arrow) and a bare LZ4 block (other
// old writers) both read. Planted bug: without the bare-block fallback the second file failed.
TEST(ReaderHandBuilt, LegacyLz4HadoopFramedAndBare) {
  std::vector<fmt::SchemaElement> schema = {Group("schema", 1), Prim("n", fmt::Type::INT64, kReq)};
  for (bool hadoop : {true, false}) {
    Leaf l;
    l.type = fmt::Type::INT64;
    l.path = {"n"};
    l.slots = 100;
    l.codec = fmt::CompressionCodec::LZ4;
    l.hadoop_lz4 = hadoop;
    for (int64_t i = 0; i < 100; ++i) Plain64(&l, {i * i});
    auto r = Open(BuildFile(schema, {l}, 100));
    ASSERT_TRUE(r);
    auto rows = Rows(*r);
    ASSERT_EQ(rows.size(), 100u) << hadoop;
    EXPECT_EQ(rows[99], R"({"n":9801})") << hadoop;
    EXPECT_EQ(r->info().row_groups[0].columns[0].codec, "LZ4");
  }
}

// The int64 extremes of every timestamp unit format without overflow (reference texts: the
// well-known limits of int64 nanoseconds and microseconds since 1970, as Java/Arrow print them).
// Planted bug: computing days * units-per-day directly is signed overflow at INT64_MIN. In Release
// the wrap happens to give the right text, so this test passed there; the CI's UBSan run is what
// reports it (the test exists to put these inputs under the sanitizer).
TEST(ReaderHandBuilt, ExtremeInstantsFormatWithoutOverflow) {
  constexpr int64_t kMin = INT64_MIN, kMax = INT64_MAX;
  EXPECT_EQ(FormatTimestamp(kMin, TimeUnit::kNanos), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(FormatTimestamp(kMax, TimeUnit::kNanos), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(FormatTimestamp(kMin, TimeUnit::kMicros), "-290308-12-21T19:59:05.224192Z");
  EXPECT_EQ(FormatTimestamp(kMax, TimeUnit::kMicros), "294247-01-10T04:00:54.775807Z");
  EXPECT_EQ(FormatTimestamp(-1, TimeUnit::kMillis), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimeOfDay(kMin, TimeUnit::kNanos).substr(0, 1), "-");
  EXPECT_EQ(FormatDecimal(static_cast<__int128>(1) << 127, 0).size(), 40u);  // -2^127: 39 digits and '-'
}

}  // namespace
}  // namespace ailake::parquet
