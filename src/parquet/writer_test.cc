// Structure tests for ParquetWriter: the bytes it writes are parsed back at the Thrift level (footer,
// page headers) and checked against the Parquet spec and the writer's options. Value round trips
// through ParquetReader are checked too; DuckDB interop is in writer_duckdb_test.cc.
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gen-cpp/parquet_types.h"
#include "parquet/dictionary_encoder.h"
#include "parquet/plain_encoder.h"
#include "parquet/reader.h"
#include "parquet/rle_decoder.h"
#include "parquet/rle_encoder.h"
#include "parquet/statistics.h"
#include "parquet/thrift_io.h"
#include "parquet/writer.h"

namespace ailake::parquet {
namespace {

namespace fmt = ::ailake::parquet::format;

// ---- helpers -----------------------------------------------------------------------------------

struct Written {
  std::vector<uint8_t> bytes;
  fmt::FileMetaData md;
  uint32_t footer_len = 0;
};

// Parses the tail of a file: "PAR1" at both ends, u32 footer length, Thrift FileMetaData.
::testing::AssertionResult ParseFile(const std::vector<uint8_t>& bytes, Written* w) {
  w->bytes = bytes;
  if (bytes.size() < 12) return ::testing::AssertionFailure() << "file too short: " << bytes.size();
  if (std::memcmp(bytes.data(), "PAR1", 4) != 0) return ::testing::AssertionFailure() << "bad leading magic";
  if (std::memcmp(bytes.data() + bytes.size() - 4, "PAR1", 4) != 0)
    return ::testing::AssertionFailure() << "bad trailing magic";
  uint32_t len;
  std::memcpy(&len, bytes.data() + bytes.size() - 8, 4);
  w->footer_len = len;
  if (len + 12 > bytes.size()) return ::testing::AssertionFailure() << "footer length " << len << " past file start";
  const uint8_t* footer = bytes.data() + bytes.size() - 8 - len;
  size_t consumed = 0;
  Status st = ThriftDeserialize(footer, len, ThriftLimits{}, &w->md, &consumed, "footer");
  if (!st.ok()) return ::testing::AssertionFailure() << st.ToString();
  if (consumed != len) return ::testing::AssertionFailure() << "footer consumed " << consumed << " of " << len;
  return ::testing::AssertionSuccess();
}

struct Page {
  fmt::PageHeader header;
  size_t body_offset = 0;
};

// All pages of one column chunk, walked from its first page through total_compressed_size bytes.
std::vector<Page> ChunkPages(const Written& w, const fmt::ColumnMetaData& cm) {
  std::vector<Page> pages;
  size_t pos = static_cast<size_t>(cm.__isset.dictionary_page_offset ? cm.dictionary_page_offset : cm.data_page_offset);
  const size_t end = pos + static_cast<size_t>(cm.total_compressed_size);
  while (pos < end) {
    Page p;
    size_t consumed = 0;
    Status st = ThriftDeserialize(w.bytes.data() + pos, end - pos, ThriftLimits{}, &p.header, &consumed, "page header");
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok()) break;
    p.body_offset = pos + consumed;
    pos = p.body_offset + static_cast<size_t>(p.header.compressed_page_size);
    pages.push_back(p);
  }
  EXPECT_EQ(pos, end) << "pages do not tile the column chunk";
  return pages;
}

Schema MakeSchema(std::vector<Field> fields) {
  Schema s;
  s.fields = std::move(fields);
  return s;
}

// int64 id (required) + string name (optional, every 7th null).
Batch IdNameBatch(int64_t first, int64_t n) {
  Batch b = Batch::Empty(MakeSchema({Field::Make("id", DataType::kInt64, false), Field::Make("name", DataType::kString)}));
  for (int64_t i = first; i < first + n; ++i) {
    b.columns[0].AppendInt64(i);
    if (i % 7 == 3) b.columns[1].AppendNull();
    else b.columns[1].AppendString("name-" + std::to_string(i));
  }
  b.num_rows = n;
  return b;
}

Result<Written> WriteBatches(const Schema& schema, const std::vector<Batch>& batches, WriterOptions opt = {}) {
  BufferWritableFile file;
  AILAKE_ASSIGN_OR_RETURN(auto w, ParquetWriter::Open(&file, schema, opt));
  for (const Batch& b : batches) AILAKE_RETURN_IF_ERROR(w->WriteBatch(b));
  AILAKE_RETURN_IF_ERROR(w->Close());
  Written out;
  if (!ParseFile(file.buffer(), &out)) return Status::Corruption("unparseable output");
  return out;
}

template <typename T>
T FromBytes(const std::string& s) {
  T v{};
  EXPECT_EQ(s.size(), sizeof(T));
  std::memcpy(&v, s.data(), std::min(s.size(), sizeof(T)));
  return v;
}

// ---- RLE / bit-packed hybrid -------------------------------------------------------------------

std::vector<uint32_t> DecodeHybrid(const std::vector<uint8_t>& bytes, int bit_width, size_t n) {
  std::vector<uint32_t> out(n);
  RleBitPackedDecoder dec(bytes.data(), bytes.size(), bit_width);
  Status st = dec.Decode(out.data(), n);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(ParquetWriterRle, RoundTripsRunsAndLiterals) {
  std::mt19937 rng(7);
  for (int bit_width : {1, 2, 3, 7, 8, 13, 20, 32}) {
    for (int trial = 0; trial < 20; ++trial) {
      const size_t n = rng() % 500;
      std::vector<uint32_t> v(n);
      const uint64_t limit = bit_width == 32 ? 0xFFFFFFFFull : ((1ull << bit_width) - 1);
      for (size_t i = 0; i < n;) {
        const uint32_t value = static_cast<uint32_t>(rng() % (limit + 1));
        const size_t run = (rng() % 3 == 0) ? 1 + rng() % 40 : 1;  // mix long repeats and noise
        for (size_t k = 0; k < run && i < n; ++k) v[i++] = value;
      }
      std::vector<uint8_t> enc;
      RleHybridEncode(v.data(), v.size(), bit_width, &enc);
      EXPECT_EQ(DecodeHybrid(enc, bit_width, n), v) << "bit_width " << bit_width << " n " << n;
    }
  }
}

TEST(ParquetWriterRle, LongRepeatIsOneRleRun) {
  std::vector<uint32_t> v(100000, 5);
  std::vector<uint8_t> enc;
  RleHybridEncode(v.data(), v.size(), 3, &enc);
  // varint(100000 << 1) is 3 bytes, then one value byte.
  EXPECT_EQ(enc.size(), 4u);
  EXPECT_EQ(enc[0] & 1, 0);
  EXPECT_EQ(DecodeHybrid(enc, 3, v.size()), v);
}

TEST(ParquetWriterRle, ValidityBitmapLevels) {
  std::vector<uint8_t> bitmap = {0b10110101, 0xFF, 0xFF, 0x00, 0b00000001};
  for (int64_t offset : {0, 3, 8}) {
    const int64_t n = 33 - offset;
    std::vector<uint8_t> enc;
    RleEncodeValidity(bitmap.data(), offset, n, &enc);
    std::vector<uint32_t> want;
    for (int64_t i = 0; i < n; ++i) want.push_back((bitmap[(offset + i) / 8] >> ((offset + i) % 8)) & 1);
    EXPECT_EQ(DecodeHybrid(enc, 1, static_cast<size_t>(n)), want);
  }
  std::vector<uint8_t> enc;
  RleEncodeValidity(nullptr, 0, 1000, &enc);
  EXPECT_EQ(DecodeHybrid(enc, 1, 1000), std::vector<uint32_t>(1000, 1));
}

// ---- encoders --------------------------------------------------------------------------------

TEST(ParquetWriterPlain, SkipsNullsAndPacksBooleans) {
  Column b(Field::Make("b", DataType::kBool));
  for (int i = 0; i < 11; ++i) {
    if (i == 4) b.AppendNull();
    else b.AppendBool(i % 3 == 0);
  }
  std::vector<uint8_t> out;
  PlainEncode(b, 0, 11, NullCountInRange(b, 0, 11), &out);
  // Values (null at 4 skipped): 1 0 0 1 0 1 0 0 | 1 0, packed LSB-first.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], 0b00101001);
  EXPECT_EQ(out[1], 0b00000001);

  Column s(Field::Make("s", DataType::kString));
  s.AppendString("ab");
  s.AppendNull();
  s.AppendString("");
  out.clear();
  PlainEncode(s, 0, 3, 1, &out);
  EXPECT_EQ(out, (std::vector<uint8_t>{2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0}));
}

TEST(ParquetWriterDictionary, PaysOnlyForRepeats) {
  Column low(Field::Make("s", DataType::kString));
  for (int i = 0; i < 10000; ++i) low.AppendString(i % 5 == 0 ? "alpha" : "beta-gamma");
  DictionaryEncoder d(1 << 20);
  ASSERT_TRUE(d.Build(low, 0, low.length()));
  EXPECT_EQ(d.num_entries(), 2u);
  EXPECT_EQ(d.bit_width(), 1);
  EXPECT_EQ(d.indices().size(), 10000u);
  EXPECT_EQ(d.indices()[0], 0u);
  EXPECT_EQ(d.indices()[1], 1u);

  Column high(Field::Make("s", DataType::kString));
  for (int i = 0; i < 10000; ++i) high.AppendString("unique-value-" + std::to_string(i));
  EXPECT_FALSE(d.Build(high, 0, high.length()));

  // Too big a dictionary: refused even though values repeat.
  Column big(Field::Make("s", DataType::kBinary));
  for (int i = 0; i < 4000; ++i) big.AppendString(std::string(1000, static_cast<char>('a' + i % 2000 % 26)) + std::to_string(i % 2000));
  DictionaryEncoder small(64 << 10);
  EXPECT_FALSE(small.Build(big, 0, big.length()));
}

// ---- statistics --------------------------------------------------------------------------------

TEST(ParquetWriterStatistics, OrdersPerType) {
  Column i32(Field::Make("a", DataType::kInt32));
  for (int32_t v : {5, -7, std::numeric_limits<int32_t>::max(), 0}) i32.AppendInt32(v);
  i32.AppendNull();
  ChunkStatistics st = ComputeStatistics(i32, 0, 5, 1, true);
  EXPECT_EQ(st.null_count, 1);
  EXPECT_EQ(FromBytes<int32_t>(st.min), -7);  // signed, not unsigned, order
  EXPECT_EQ(FromBytes<int32_t>(st.max), std::numeric_limits<int32_t>::max());

  Column d(Field::Make("d", DataType::kDouble));
  for (double v : {std::nan(""), 2.5, -0.0, std::nan(""), 0.0}) d.AppendDouble(v);
  st = ComputeStatistics(d, 0, 5, 0, true);
  ASSERT_TRUE(st.has_min && st.has_max);
  EXPECT_EQ(FromBytes<double>(st.min), 0.0);
  EXPECT_TRUE(std::signbit(FromBytes<double>(st.min)));  // a zero min is written as -0.0
  EXPECT_EQ(FromBytes<double>(st.max), 2.5);

  Column z(Field::Make("z", DataType::kFloat));
  z.AppendFloat(0.0f);
  st = ComputeStatistics(z, 0, 1, 0, true);
  EXPECT_TRUE(std::signbit(FromBytes<float>(st.min)));
  EXPECT_FALSE(std::signbit(FromBytes<float>(st.max)));  // a zero max is written as +0.0

  Column nan(Field::Make("n", DataType::kFloat));
  nan.AppendFloat(std::nanf(""));
  st = ComputeStatistics(nan, 0, 1, 0, true);
  EXPECT_FALSE(st.has_min || st.has_max);  // only NaN: no bounds

  Column s(Field::Make("s", DataType::kString));
  for (const char* v : {"b", "\xc3\xa9t\xc3\xa9", "a", "Z", ""}) s.AppendString(v);
  st = ComputeStatistics(s, 0, 5, 0, true);
  EXPECT_EQ(st.min, "");
  EXPECT_EQ(st.max, "\xc3\xa9t\xc3\xa9");  // unsigned bytes: 0xC3 sorts after ASCII

  Column fb(Field::FixedBinary("f", 2));
  const uint8_t a[2] = {0x80, 0x00}, b[2] = {0x7F, 0xFF};
  fb.AppendFixed(a);
  fb.AppendFixed(b);
  st = ComputeStatistics(fb, 0, 2, 0, true);
  EXPECT_EQ(st.min, std::string("\x7F\xFF", 2));
  EXPECT_EQ(st.max, std::string("\x80\x00", 2));
}

TEST(ParquetWriterStatistics, TruncatesLongByteArrays) {
  Column s(Field::Make("s", DataType::kString));
  s.AppendString(std::string(300, 'a'));
  s.AppendString(std::string(200, 'b') + "zz");
  ChunkStatistics st = ComputeStatistics(s, 0, 2, 0, true);
  EXPECT_EQ(st.min, std::string(kMaxStatBytes, 'a'));
  EXPECT_FALSE(st.min_exact);
  EXPECT_EQ(st.max, std::string(kMaxStatBytes - 1, 'b') + "c");
  EXPECT_FALSE(st.max_exact);

  Column bin(Field::Make("b", DataType::kBinary));
  bin.AppendString(std::string(200, '\xFF'));
  st = ComputeStatistics(bin, 0, 1, 0, true);
  EXPECT_FALSE(st.has_max);  // no prefix of 0xFF... can be incremented
  EXPECT_TRUE(st.has_min);
}

// ---- file structure ----------------------------------------------------------------------------

TEST(ParquetWriter, MagicFooterAndSchema) {
  Field ts = Field::Make("ts", DataType::kTimestamp);
  ts.unit = TimeUnit::kMillis;
  Field id = Field::Make("id", DataType::kInt64, false);
  id.field_id = 1;
  Field vec = Field::FixedBinary("vec", 8);
  vec.metadata = {{"dim", "4"}, {"model", "m1"}};
  Schema schema = MakeSchema({id, Field::Make("s", DataType::kString), Field::Make("d", DataType::kDate), ts, vec,
                              Field::Make("b", DataType::kBool)});
  Batch batch = Batch::Empty(schema);
  const uint8_t v8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (int i = 0; i < 10; ++i) {
    batch.columns[0].AppendInt64(i);
    batch.columns[1].AppendString("x");
    batch.columns[2].AppendInt32(-i);
    batch.columns[3].AppendInt64(i * 1000);
    batch.columns[4].AppendFixed(v8);
    batch.columns[5].AppendBool(i % 2);
  }
  batch.num_rows = 10;
  BufferWritableFile file;
  auto w = ParquetWriter::Open(&file, schema, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->WriteBatch(batch).ok());
  (*w)->AddKeyValue("k", "v1");
  (*w)->AddKeyValue("k", "v2");  // replaces
  (*w)->AddKeyValue("vec.model", "m2");  // file-level pairs win over field metadata
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ((*w)->position(), file.buffer().size());
  EXPECT_EQ((*w)->rows_written(), 10);

  Written out;
  ASSERT_TRUE(ParseFile(file.buffer(), &out));
  const fmt::FileMetaData& md = out.md;
  EXPECT_EQ(md.num_rows, 10);
  EXPECT_EQ(md.created_by, "ailake");
  ASSERT_EQ(md.schema.size(), 7u);
  EXPECT_EQ(md.schema[0].num_children, 6);
  EXPECT_EQ(md.schema[1].type, fmt::Type::INT64);
  EXPECT_EQ(md.schema[1].repetition_type, fmt::FieldRepetitionType::REQUIRED);
  EXPECT_TRUE(md.schema[1].__isset.field_id);
  EXPECT_EQ(md.schema[1].field_id, 1);
  EXPECT_FALSE(md.schema[2].__isset.field_id);
  EXPECT_EQ(md.schema[2].type, fmt::Type::BYTE_ARRAY);
  EXPECT_TRUE(md.schema[2].logicalType.__isset.STRING);
  EXPECT_EQ(md.schema[2].converted_type, fmt::ConvertedType::UTF8);
  EXPECT_EQ(md.schema[2].repetition_type, fmt::FieldRepetitionType::OPTIONAL);
  EXPECT_EQ(md.schema[3].type, fmt::Type::INT32);
  EXPECT_TRUE(md.schema[3].logicalType.__isset.DATE);
  EXPECT_EQ(md.schema[4].type, fmt::Type::INT64);
  EXPECT_TRUE(md.schema[4].logicalType.__isset.TIMESTAMP);
  EXPECT_TRUE(md.schema[4].logicalType.TIMESTAMP.isAdjustedToUTC);
  EXPECT_TRUE(md.schema[4].logicalType.TIMESTAMP.unit.__isset.MILLIS);
  EXPECT_EQ(md.schema[4].converted_type, fmt::ConvertedType::TIMESTAMP_MILLIS);
  EXPECT_EQ(md.schema[5].type, fmt::Type::FIXED_LEN_BYTE_ARRAY);
  EXPECT_EQ(md.schema[5].type_length, 8);
  EXPECT_EQ(md.schema[6].type, fmt::Type::BOOLEAN);
  ASSERT_EQ(md.column_orders.size(), 6u);

  std::map<std::string, std::string> kv;
  for (const auto& e : md.key_value_metadata) kv[e.key] = e.value;
  EXPECT_EQ(kv["k"], "v2");
  EXPECT_EQ(kv["vec.dim"], "4");
  EXPECT_EQ(kv["vec.model"], "m2");
  EXPECT_EQ(kv.size(), 3u);

  ASSERT_EQ(md.row_groups.size(), 1u);
  const auto& rg = md.row_groups[0];
  EXPECT_EQ(rg.num_rows, 10);
  EXPECT_EQ(rg.file_offset, 4);
  int64_t sum = 0;
  for (const auto& cc : rg.columns) {
    const auto& cm = cc.meta_data;
    EXPECT_EQ(cm.num_values, 10);
    EXPECT_EQ(cm.codec, fmt::CompressionCodec::ZSTD);
    EXPECT_EQ(cc.file_offset, cm.__isset.dictionary_page_offset ? cm.dictionary_page_offset : cm.data_page_offset);
    sum += cm.total_compressed_size;
    int64_t values = 0;
    for (const Page& p : ChunkPages(out, cm))
      if (p.header.type == fmt::PageType::DATA_PAGE) values += p.header.data_page_header.num_values;
    EXPECT_EQ(values, 10);
  }
  EXPECT_EQ(sum, rg.total_compressed_size);
  // The footer ends the row group data exactly (nothing placed before it here).
  EXPECT_EQ(static_cast<size_t>(4 + sum + out.footer_len + 8), file.buffer().size());
}

TEST(ParquetWriter, RowGroupsCutByRows) {
  WriterOptions opt;
  opt.row_group_rows = 1000;
  std::vector<Batch> batches;
  for (int i = 0; i < 5; ++i) batches.push_back(IdNameBatch(i * 700, 700));
  auto out = WriteBatches(batches[0].schema, batches, opt);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const auto& rgs = out->md.row_groups;
  ASSERT_EQ(rgs.size(), 4u);
  EXPECT_EQ(rgs[0].num_rows, 1000);
  EXPECT_EQ(rgs[1].num_rows, 1000);
  EXPECT_EQ(rgs[2].num_rows, 1000);
  EXPECT_EQ(rgs[3].num_rows, 500);
  EXPECT_EQ(out->md.num_rows, 3500);
  for (size_t i = 0; i < rgs.size(); ++i) EXPECT_EQ(rgs[i].ordinal, static_cast<int16_t>(i));
}

TEST(ParquetWriter, RowGroupsCutByBytes) {
  WriterOptions opt;
  opt.row_group_bytes = 64 << 10;
  opt.compression = Compression::kNone;
  Batch b = IdNameBatch(0, 20000);  // ~ 8 + 4 + 10 bytes per row
  auto out = WriteBatches(b.schema, {b}, opt);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const auto& rgs = out->md.row_groups;
  ASSERT_GT(rgs.size(), 4u);
  int64_t rows = 0;
  for (const auto& rg : rgs) {
    rows += rg.num_rows;
    // PLAIN estimate (the cut criterion) bounds the uncompressed data; headers add a little.
    EXPECT_LE(rg.total_byte_size, opt.row_group_bytes + 4096);
  }
  EXPECT_EQ(rows, 20000);
}

TEST(ParquetWriter, PagesCutByPageBytes) {
  for (bool v2 : {false, true}) {
    WriterOptions opt;
    opt.page_bytes = 1024;
    opt.data_page_v2 = v2;
    opt.dictionary = false;
    Batch b = IdNameBatch(0, 1000);
    auto out = WriteBatches(b.schema, {b}, opt);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const auto& id_chunk = out->md.row_groups[0].columns[0].meta_data;
    auto pages = ChunkPages(*out, id_chunk);
    EXPECT_EQ(pages.size(), 8u);  // 128 int64 per 1 KiB page
    int64_t values = 0;
    for (const Page& p : pages) {
      EXPECT_EQ(p.header.type, v2 ? fmt::PageType::DATA_PAGE_V2 : fmt::PageType::DATA_PAGE);
      values += v2 ? p.header.data_page_header_v2.num_values : p.header.data_page_header.num_values;
      if (v2) {
        EXPECT_EQ(p.header.data_page_header_v2.num_rows, p.header.data_page_header_v2.num_values);
        EXPECT_EQ(p.header.data_page_header_v2.definition_levels_byte_length, 0);  // required column
      }
    }
    EXPECT_EQ(values, 1000);
    const auto& name_chunk = out->md.row_groups[0].columns[1].meta_data;
    auto name_pages = ChunkPages(*out, name_chunk);
    EXPECT_GE(name_pages.size(), 10u);  // ~ 10.7 KiB of PLAIN strings
    int64_t nulls = 0;
    for (const Page& p : name_pages) {
      EXPECT_LE(p.header.uncompressed_page_size, 1024 + 200);
      if (v2) nulls += p.header.data_page_header_v2.num_nulls;
    }
    if (v2) {
      EXPECT_EQ(nulls, 143);
    }
  }
}

TEST(ParquetWriter, ChunkStatisticsInFooter) {
  Schema schema = MakeSchema({Field::Make("i", DataType::kInt64), Field::Make("f", DataType::kFloat),
                              Field::Make("s", DataType::kString)});
  Batch b = Batch::Empty(schema);
  const int64_t vals[] = {std::numeric_limits<int64_t>::min(), 3, std::numeric_limits<int64_t>::max(), -1};
  for (int i = 0; i < 4; ++i) {
    b.columns[0].AppendInt64(vals[i]);
    b.columns[1].AppendFloat(i == 1 ? std::nanf("") : static_cast<float>(i) - 1.5f);
    b.columns[2].AppendString(i == 2 ? "\xf0\x9f\x98\x80" : "abc");
  }
  b.columns[0].AppendNull();
  b.columns[1].AppendNull();
  b.columns[2].AppendNull();
  b.num_rows = 5;
  auto out = WriteBatches(schema, {b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const auto& cols = out->md.row_groups[0].columns;
  const auto& si = cols[0].meta_data.statistics;
  EXPECT_EQ(si.null_count, 1);
  EXPECT_EQ(FromBytes<int64_t>(si.min_value), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(FromBytes<int64_t>(si.max_value), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(si.is_min_value_exact && si.is_max_value_exact);
  EXPECT_EQ(si.min, si.min_value);  // legacy fields mirror the new ones for numbers
  const auto& sf = cols[1].meta_data.statistics;
  EXPECT_EQ(FromBytes<float>(sf.min_value), -1.5f);
  EXPECT_EQ(FromBytes<float>(sf.max_value), 1.5f);
  const auto& ss = cols[2].meta_data.statistics;
  EXPECT_EQ(ss.min_value, "abc");
  EXPECT_EQ(ss.max_value, "\xf0\x9f\x98\x80");
  EXPECT_FALSE(ss.__isset.min);  // legacy byte-array stats use signed order: not written
  EXPECT_EQ(ss.null_count, 1);
}

TEST(ParquetWriter, DictionaryAndPlainUncompressedColumns) {
  Schema schema = MakeSchema({Field::Make("cat", DataType::kString), Field::Make("uniq", DataType::kString),
                              Field::FixedBinary("vec", 16, false)});
  Batch b = Batch::Empty(schema);
  uint8_t v[16];
  for (int i = 0; i < 3000; ++i) {
    b.columns[0].AppendString(i % 3 == 0 ? "red" : (i % 3 == 1 ? "green" : "blue"));
    b.columns[1].AppendString("row-" + std::to_string(i * 7919));
    for (int k = 0; k < 16; ++k) v[k] = static_cast<uint8_t>(i + k);
    b.columns[2].AppendFixed(v);
  }
  b.num_rows = 3000;
  WriterOptions opt;
  opt.page_bytes = 256;
  opt.plain_uncompressed_columns = {"vec"};
  auto out = WriteBatches(schema, {b}, opt);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const auto& cols = out->md.row_groups[0].columns;

  const auto& cat = cols[0].meta_data;
  ASSERT_TRUE(cat.__isset.dictionary_page_offset);
  EXPECT_EQ(cat.dictionary_page_offset, 4);
  EXPECT_LT(cat.dictionary_page_offset, cat.data_page_offset);
  EXPECT_NE(std::find(cat.encodings.begin(), cat.encodings.end(), fmt::Encoding::RLE_DICTIONARY), cat.encodings.end());
  auto pages = ChunkPages(*out, cat);
  ASSERT_GE(pages.size(), 2u);
  EXPECT_EQ(pages[0].header.type, fmt::PageType::DICTIONARY_PAGE);
  EXPECT_EQ(pages[0].header.dictionary_page_header.num_values, 3);
  for (size_t i = 1; i < pages.size(); ++i) {
    EXPECT_EQ(pages[i].header.type, fmt::PageType::DATA_PAGE);
    EXPECT_EQ(pages[i].header.data_page_header.encoding, fmt::Encoding::RLE_DICTIONARY);
  }

  const auto& uniq = cols[1].meta_data;
  EXPECT_FALSE(uniq.__isset.dictionary_page_offset);
  EXPECT_EQ(uniq.encodings[0], fmt::Encoding::PLAIN);

  const auto& vec = cols[2].meta_data;
  EXPECT_EQ(vec.codec, fmt::CompressionCodec::UNCOMPRESSED);
  EXPECT_EQ(vec.encodings, std::vector<fmt::Encoding::type>{fmt::Encoding::PLAIN});  // required: no levels
  EXPECT_EQ(vec.total_compressed_size, vec.total_uncompressed_size);
  // Vector bytes are stored verbatim: page bodies are the raw values.
  auto vpages = ChunkPages(*out, vec);
  EXPECT_EQ(vpages.size(), 188u);  // 16 values of 16 B per 256-byte page
  EXPECT_EQ(std::memcmp(out->bytes.data() + vpages[0].body_offset, b.columns[2].FixedValue(0), 16), 0);
  EXPECT_FALSE(vec.statistics.__isset.min_value);  // no bounds on embeddings
  EXPECT_EQ(vec.statistics.null_count, 0);
  EXPECT_EQ(cols[0].meta_data.codec, fmt::CompressionCodec::ZSTD);
}

TEST(ParquetWriter, WriteBeforeFooterOffset) {
  BufferWritableFile file;
  Batch b = IdNameBatch(0, 100);
  auto w = ParquetWriter::Open(&file, b.schema, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->WriteBatch(b).ok());
  std::vector<uint8_t> extra(1024);
  for (size_t i = 0; i < extra.size(); ++i) extra[i] = static_cast<uint8_t>(i * 31);
  auto off = (*w)->WriteBeforeFooter(extra.data(), extra.size());
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ((*w)->position(), *off + extra.size());
  auto off2 = (*w)->WriteBeforeFooter(extra.data(), 10);  // may be called again: appended after
  ASSERT_TRUE(off2.ok());
  EXPECT_EQ(*off2, *off + extra.size());
  Status late = (*w)->WriteBatch(b);
  EXPECT_EQ(late.code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE((*w)->Close().ok());

  Written out;
  ASSERT_TRUE(ParseFile(file.buffer(), &out));
  ASSERT_EQ(out.md.row_groups.size(), 1u);  // pending rows were flushed first
  const auto& rg = out.md.row_groups[0];
  EXPECT_EQ(static_cast<uint64_t>(rg.file_offset + rg.total_compressed_size), *off);
  EXPECT_EQ(std::memcmp(file.buffer().data() + *off, extra.data(), extra.size()), 0);
  EXPECT_EQ(*off2 + 10 + out.footer_len + 8, file.buffer().size());
}

TEST(ParquetWriter, RejectsMismatchedBatches) {
  Batch good = IdNameBatch(0, 10);
  BufferWritableFile file;
  auto w = ParquetWriter::Open(&file, good.schema, {});
  ASSERT_TRUE(w.ok());

  Batch wrong_type = Batch::Empty(MakeSchema({Field::Make("id", DataType::kInt32, false), Field::Make("name", DataType::kString)}));
  EXPECT_EQ((*w)->WriteBatch(wrong_type).code(), StatusCode::kInvalidArgument);

  Batch wrong_name = Batch::Empty(MakeSchema({Field::Make("idx", DataType::kInt64, false), Field::Make("name", DataType::kString)}));
  EXPECT_EQ((*w)->WriteBatch(wrong_name).code(), StatusCode::kInvalidArgument);

  Batch too_few = Batch::Empty(MakeSchema({Field::Make("id", DataType::kInt64, false)}));
  EXPECT_EQ((*w)->WriteBatch(too_few).code(), StatusCode::kInvalidArgument);

  // Batch schema says nullable, file schema says required, and a null is present.
  Batch nulls = Batch::Empty(MakeSchema({Field::Make("id", DataType::kInt64, true), Field::Make("name", DataType::kString)}));
  nulls.columns[0].AppendNull();
  nulls.columns[1].AppendString("x");
  nulls.num_rows = 1;
  Status st = (*w)->WriteBatch(nulls);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("required"), std::string::npos) << st.message();

  Batch bad_len = IdNameBatch(0, 10);
  bad_len.num_rows = 11;
  EXPECT_EQ((*w)->WriteBatch(bad_len).code(), StatusCode::kInvalidArgument);

  // Rejected batches leave the writer usable.
  ASSERT_TRUE((*w)->WriteBatch(good).ok());
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ((*w)->rows_written(), 10);
  EXPECT_FALSE((*w)->WriteBatch(good).ok());  // after Close
}

TEST(ParquetWriter, RejectsBadSchemasAndOptions) {
  BufferWritableFile file;
  Field list;
  list.name = "emb";
  list.type = DataType::kList;
  auto r = ParquetWriter::Open(&file, MakeSchema({list}), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(r.status().message().find("emb"), std::string::npos);

  EXPECT_EQ(ParquetWriter::Open(&file, MakeSchema({}), {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParquetWriter::Open(&file, MakeSchema({Field::Make("a", DataType::kInt32), Field::Make("a", DataType::kInt64)}), {})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParquetWriter::Open(&file, MakeSchema({Field::FixedBinary("v", 0)}), {}).status().code(),
            StatusCode::kInvalidArgument);
  WriterOptions opt;
  opt.plain_uncompressed_columns = {"nope"};
  EXPECT_EQ(ParquetWriter::Open(&file, MakeSchema({Field::Make("a", DataType::kInt32)}), opt).status().code(),
            StatusCode::kInvalidArgument);
  opt = {};
  opt.page_bytes = 0;
  EXPECT_EQ(ParquetWriter::Open(&file, MakeSchema({Field::Make("a", DataType::kInt32)}), opt).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(file.buffer().empty());
}

TEST(ParquetWriter, EmptyFileHasNoRowGroups) {
  auto out = WriteBatches(IdNameBatch(0, 0).schema, {IdNameBatch(0, 0)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->md.num_rows, 0);
  EXPECT_TRUE(out->md.row_groups.empty());
}

TEST(ParquetWriter, CompressionNames) {
  for (Compression c : {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kLz4Raw, Compression::kZstd}) {
    auto p = ParseCompression(CompressionName(c));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, c);
  }
  EXPECT_FALSE(ParseCompression("brotli").ok());
}

// ---- round trip through our reader -------------------------------------------------------------

TEST(ParquetWriter, RoundTripThroughReader) {
  Field ts = Field::Make("ts", DataType::kTimestamp);
  Schema schema = MakeSchema({Field::Make("i32", DataType::kInt32), Field::Make("i64", DataType::kInt64, false),
                              Field::Make("f", DataType::kFloat), Field::Make("d", DataType::kDouble),
                              Field::Make("b", DataType::kBool), Field::Make("s", DataType::kString),
                              Field::Make("bin", DataType::kBinary), Field::FixedBinary("fb", 3),
                              Field::Make("date", DataType::kDate), ts});
  std::mt19937 rng(42);
  Batch b = Batch::Empty(schema);
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    auto maybe_null = [&](Column& c) {
      if (rng() % 5 == 0) {
        c.AppendNull();
        return true;
      }
      return false;
    };
    if (!maybe_null(b.columns[0])) b.columns[0].AppendInt32(static_cast<int32_t>(rng()));
    b.columns[1].AppendInt64(static_cast<int64_t>(rng()) << 20);
    if (!maybe_null(b.columns[2])) b.columns[2].AppendFloat(static_cast<float>(rng() % 1000) / 7.0f);
    if (!maybe_null(b.columns[3])) b.columns[3].AppendDouble(static_cast<double>(rng()) / 3.0);
    if (!maybe_null(b.columns[4])) b.columns[4].AppendBool(rng() % 2);
    if (!maybe_null(b.columns[5])) b.columns[5].AppendString("s" + std::to_string(rng() % 50));
    if (!maybe_null(b.columns[6])) b.columns[6].AppendString(std::string(rng() % 20, static_cast<char>(rng())));
    const uint8_t fb[3] = {static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 7};
    if (!maybe_null(b.columns[7])) b.columns[7].AppendFixed(fb);
    if (!maybe_null(b.columns[8])) b.columns[8].AppendInt32(static_cast<int32_t>(rng() % 40000) - 20000);
    if (!maybe_null(b.columns[9])) b.columns[9].AppendInt64(static_cast<int64_t>(rng()) * 1000);
  }
  b.num_rows = n;
  for (bool v2 : {false, true}) {
    for (Compression c : {Compression::kNone, Compression::kZstd, Compression::kSnappy}) {
      WriterOptions opt;
      opt.compression = c;
      opt.data_page_v2 = v2;
      opt.row_group_rows = 1700;
      opt.page_bytes = 2000;
      BufferWritableFile file;
      auto w = ParquetWriter::Open(&file, schema, opt);
      ASSERT_TRUE(w.ok());
      // Uneven batches exercise the row buffering.
      for (int64_t off = 0; off < n; off += 999) ASSERT_TRUE((*w)->WriteBatch(b.Slice(off, std::min<int64_t>(999, n - off))).ok());
      ASSERT_TRUE((*w)->Close().ok());
      auto reader = ParquetReader::Open(MakeBufferReadable(file.buffer()));
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      ASSERT_EQ((*reader)->num_row_groups(), 3);
      auto all = (*reader)->ReadAll({});
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      ASSERT_EQ(all->num_rows, n);
      for (size_t col = 0; col < schema.fields.size(); ++col) {
        const Column& want = b.columns[col];
        const Column& got = all->columns[col];
        ASSERT_EQ(got.type(), want.type()) << col;
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_EQ(got.IsValid(i), want.IsValid(i)) << "col " << col << " row " << i;
          if (!want.IsValid(i)) continue;
          switch (want.type()) {
            case DataType::kString:
            case DataType::kBinary: ASSERT_EQ(got.StringValue(i), want.StringValue(i)) << col << "/" << i; break;
            default: {
              const int32_t w = FixedWidth(schema.fields[col]);
              ASSERT_EQ(std::memcmp(got.values().data() + i * w, want.values().data() + i * w, static_cast<size_t>(w)), 0)
                  << "col " << col << " row " << i;
            }
          }
        }
      }
    }
  }
}

// Property test: random schemas (types, nullability), null densities (none, some, all), values and
// writer options; every file must read back identically through ParquetReader.
TEST(ParquetWriter, RandomSchemasRoundTrip) {
  std::mt19937_64 rng(99);
  const DataType kTypes[] = {DataType::kBool,   DataType::kInt32,  DataType::kInt64,       DataType::kFloat,
                             DataType::kDouble, DataType::kString, DataType::kBinary,      DataType::kFixedBinary,
                             DataType::kDate,   DataType::kTimestamp};
  for (int trial = 0; trial < 40; ++trial) {
    Schema schema;
    const int nfields = 1 + static_cast<int>(rng() % 6);
    std::vector<int> null_mode;  // 0 none, 1 some, 2 all
    for (int f = 0; f < nfields; ++f) {
      const DataType t = kTypes[rng() % 10];
      Field field = t == DataType::kFixedBinary ? Field::FixedBinary("f" + std::to_string(f), 1 + static_cast<int32_t>(rng() % 40))
                                                : Field::Make("f" + std::to_string(f), t);
      field.nullable = rng() % 4 != 0;
      field.unit = static_cast<TimeUnit>(rng() % 3);
      null_mode.push_back(field.nullable ? static_cast<int>(rng() % 3) : 0);
      schema.fields.push_back(field);
    }
    const int64_t n = static_cast<int64_t>(rng() % 3000);
    Batch b = Batch::Empty(schema);
    for (int64_t i = 0; i < n; ++i) {
      for (int f = 0; f < nfields; ++f) {
        Column& c = b.columns[static_cast<size_t>(f)];
        if (null_mode[static_cast<size_t>(f)] == 2 || (null_mode[static_cast<size_t>(f)] == 1 && rng() % 3 == 0)) {
          c.AppendNull();
          continue;
        }
        const uint64_t r = rng();
        switch (c.type()) {
          case DataType::kBool: c.AppendBool(r & 1); break;
          case DataType::kInt32:
          case DataType::kDate: c.AppendInt32(static_cast<int32_t>(r)); break;
          case DataType::kInt64:
          case DataType::kTimestamp: c.AppendInt64(static_cast<int64_t>(r)); break;
          case DataType::kFloat: c.AppendFloat(static_cast<float>(static_cast<int32_t>(r)) / 1024.0f); break;
          case DataType::kDouble: c.AppendDouble(static_cast<double>(static_cast<int64_t>(r)) / 3.0); break;
          case DataType::kString:
          case DataType::kBinary: {
            // Low or high cardinality, so both dictionary and PLAIN chunks occur.
            const uint64_t v = (trial % 2 == 0) ? r % 7 : r;
            c.AppendString(std::string(v % 5, 'x') + std::to_string(v));
            break;
          }
          case DataType::kFixedBinary: {
            std::vector<uint8_t> bytes(static_cast<size_t>(c.fixed_len()));
            for (uint8_t& x : bytes) x = static_cast<uint8_t>(rng());
            c.AppendFixed(bytes.data());
            break;
          }
          case DataType::kList: break;
        }
      }
    }
    b.num_rows = n;
    WriterOptions opt;
    opt.compression = static_cast<Compression>(rng() % 5);
    opt.data_page_v2 = rng() % 2;
    opt.dictionary = rng() % 4 != 0;
    opt.row_group_rows = 1 + static_cast<int64_t>(rng() % 2000);
    opt.row_group_bytes = 1024 + static_cast<int64_t>(rng() % 100000);
    opt.page_bytes = 64 + static_cast<int64_t>(rng() % 8000);
    if (rng() % 3 == 0) opt.plain_uncompressed_columns = {schema.fields[0].name};
    BufferWritableFile file;
    auto w = ParquetWriter::Open(&file, schema, opt);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (int64_t off = 0; off < n;) {
      const int64_t k = std::min<int64_t>(n - off, 1 + static_cast<int64_t>(rng() % 900));
      ASSERT_TRUE((*w)->WriteBatch(b.Slice(off, k)).ok());
      off += k;
    }
    ASSERT_TRUE((*w)->Close().ok());
    auto reader = ParquetReader::Open(MakeBufferReadable(file.buffer()));
    ASSERT_TRUE(reader.ok()) << "trial " << trial << ": " << reader.status().ToString();
    auto all = (*reader)->ReadAll({});
    ASSERT_TRUE(all.ok()) << "trial " << trial << ": " << all.status().ToString();
    ASSERT_EQ(all->num_rows, n) << "trial " << trial;
    for (int f = 0; f < nfields; ++f) {
      const Column& want = b.columns[static_cast<size_t>(f)];
      const Column& got = all->columns[static_cast<size_t>(f)];
      ASSERT_EQ(got.type(), want.type());
      const int32_t width = FixedWidth(schema.fields[static_cast<size_t>(f)]);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(got.IsValid(i), want.IsValid(i)) << "trial " << trial << " field " << f << " row " << i;
        if (!want.IsValid(i)) continue;
        if (width == 0) {
          ASSERT_EQ(got.StringValue(i), want.StringValue(i)) << "trial " << trial << " field " << f << " row " << i;
        } else {
          ASSERT_EQ(std::memcmp(got.values().data() + i * width, want.values().data() + i * width, static_cast<size_t>(width)), 0)
              << "trial " << trial << " field " << f << " row " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace ailake::parquet
