// ParquetReader on hand-built files: the required fixed-width fast path (vector columns), page
// headers larger than the read window, mixed v1/v2 pages, and the fallback to the general path.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "core/checked.h"
#include "core/io.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/reader.h"
#include "parquet/thrift_io.h"

namespace ailake::parquet {
namespace {

namespace fmt = ::ailake::parquet::format;

constexpr int32_t kWidth = 12;

uint8_t ValueByte(int64_t row, int k) { return static_cast<uint8_t>(row * 31 + k); }

struct PageSpec {
  int64_t rows;
  bool v2 = false;
  size_t stats_bytes = 0;  // size of min/max statistics (inflates the header)
  bool dictionary_encoded = false;
};

// "PAR1" | pages of a required FLBA(kWidth) column | footer | len | "PAR1"
std::vector<uint8_t> BuildFile(const std::vector<PageSpec>& pages, int64_t declared_rows = -1) {
  std::vector<uint8_t> f = {'P', 'A', 'R', '1'};
  int64_t row = 0;
  for (const PageSpec& p : pages) {
    std::vector<uint8_t> body;
    fmt::PageHeader ph;
    if (p.dictionary_encoded) {
      // A dictionary page with one entry, then an RLE_DICTIONARY data page of p.rows zeros.
      fmt::PageHeader dh;
      dh.type = fmt::PageType::DICTIONARY_PAGE;
      dh.uncompressed_page_size = dh.compressed_page_size = kWidth;
      dh.__set_dictionary_page_header(fmt::DictionaryPageHeader());
      dh.dictionary_page_header.num_values = 1;
      dh.dictionary_page_header.encoding = fmt::Encoding::PLAIN;
      EXPECT_TRUE(ThriftSerialize(dh, &f).ok());
      for (int k = 0; k < kWidth; ++k) f.push_back(ValueByte(0, k));
      body = {0x01, static_cast<uint8_t>(p.rows << 1), 0x00};  // bit width 1, RLE run of p.rows x 0
      ph.__set_data_page_header(fmt::DataPageHeader());
      ph.type = fmt::PageType::DATA_PAGE;
      ph.data_page_header.num_values = static_cast<int32_t>(p.rows);
      ph.data_page_header.encoding = fmt::Encoding::RLE_DICTIONARY;
      for (int64_t i = 0; i < p.rows; ++i, ++row) {}
    } else {
      for (int64_t i = 0; i < p.rows; ++i, ++row)
        for (int k = 0; k < kWidth; ++k) body.push_back(ValueByte(row, k));
      if (p.v2) {
        ph.type = fmt::PageType::DATA_PAGE_V2;
        ph.__set_data_page_header_v2(fmt::DataPageHeaderV2());
        ph.data_page_header_v2.num_values = static_cast<int32_t>(p.rows);
        ph.data_page_header_v2.num_rows = static_cast<int32_t>(p.rows);
        ph.data_page_header_v2.encoding = fmt::Encoding::PLAIN;
        ph.data_page_header_v2.__set_is_compressed(false);
      } else {
        ph.type = fmt::PageType::DATA_PAGE;
        ph.__set_data_page_header(fmt::DataPageHeader());
        ph.data_page_header.num_values = static_cast<int32_t>(p.rows);
        ph.data_page_header.encoding = fmt::Encoding::PLAIN;
        if (p.stats_bytes) {
          fmt::Statistics st;
          st.__set_min_value(std::string(p.stats_bytes, 'a'));
          st.__set_max_value(std::string(p.stats_bytes, 'z'));
          ph.data_page_header.__set_statistics(st);
        }
      }
    }
    ph.uncompressed_page_size = ph.compressed_page_size = static_cast<int32_t>(body.size());
    EXPECT_TRUE(ThriftSerialize(ph, &f).ok());
    f.insert(f.end(), body.begin(), body.end());
  }
  const int64_t chunk_len = static_cast<int64_t>(f.size()) - 4;
  fmt::FileMetaData md;
  md.version = 1;
  md.num_rows = declared_rows >= 0 ? declared_rows : row;
  fmt::SchemaElement root;
  root.name = "schema";
  root.__set_num_children(1);
  fmt::SchemaElement v;
  v.name = "vec";
  v.__set_type(fmt::Type::FIXED_LEN_BYTE_ARRAY);
  v.__set_type_length(kWidth);
  v.__set_repetition_type(fmt::FieldRepetitionType::REQUIRED);
  md.schema = {root, v};
  fmt::RowGroup rg;
  rg.num_rows = md.num_rows;
  rg.total_byte_size = chunk_len;
  fmt::ColumnChunk cc;
  cc.file_offset = 4;
  cc.__set_meta_data(fmt::ColumnMetaData());
  fmt::ColumnMetaData& m = cc.meta_data;
  m.type = fmt::Type::FIXED_LEN_BYTE_ARRAY;
  m.encodings = {fmt::Encoding::PLAIN};
  m.path_in_schema = {"vec"};
  m.codec = fmt::CompressionCodec::UNCOMPRESSED;
  m.num_values = md.num_rows;
  m.total_uncompressed_size = m.total_compressed_size = chunk_len;
  m.data_page_offset = 4;
  rg.columns = {cc};
  md.row_groups = {rg};
  std::vector<uint8_t> footer;
  EXPECT_TRUE(ThriftSerialize(md, &footer).ok());
  f.insert(f.end(), footer.begin(), footer.end());
  uint8_t tail[8];
  StoreLE<uint32_t>(tail, static_cast<uint32_t>(footer.size()));
  std::memcpy(tail + 4, "PAR1", 4);
  f.insert(f.end(), tail, tail + 8);
  return f;
}

Result<Batch> ReadFile(std::vector<uint8_t> bytes) {
  AILAKE_ASSIGN_OR_RETURN(auto r, ParquetReader::Open(MakeBufferReadable(std::move(bytes), "crafted.parquet")));
  return r->ReadAll({});
}

void ExpectValues(const Batch& b, int64_t rows, bool dictionary_first = false) {
  ASSERT_EQ(b.num_rows, rows);
  ASSERT_EQ(b.columns[0].type(), DataType::kFixedBinary);
  ASSERT_EQ(b.columns[0].fixed_len(), kWidth);
  EXPECT_TRUE(b.columns[0].validity().empty());
  for (int64_t i = 0; i < rows; ++i)
    for (int k = 0; k < kWidth; ++k)
      ASSERT_EQ(b.columns[0].FixedValue(i)[k], ValueByte(dictionary_first ? 0 : i, k)) << i << " " << k;
}

TEST(ReaderCrafted, FastPathV1AndV2Pages) {
  auto b = ReadFile(BuildFile({{100}, {1}, {57, true}, {300}}));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ExpectValues(*b, 458);
  ASSERT_TRUE(b->Validate().ok());
}

TEST(ReaderCrafted, HeaderLargerThanTheReadWindow) {
  auto b = ReadFile(BuildFile({{10, false, 10000}, {20, false, 300000}, {5}}));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ExpectValues(*b, 35);
}

TEST(ReaderCrafted, DictionaryPageFallsBackToTheGeneralPath) {
  auto b = ReadFile(BuildFile({{40, false, 0, true}}));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ExpectValues(*b, 40, true);
}

TEST(ReaderCrafted, RowCountMismatchesAreCorruption) {
  // Footer says fewer rows than the pages hold, and more.
  for (int64_t declared : {int64_t{50}, int64_t{500}}) {
    auto b = ReadFile(BuildFile({{100}, {100}}, declared));
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().code(), StatusCode::kCorruption) << b.status().ToString();
    EXPECT_NE(b.status().message().find("crafted.parquet"), std::string::npos);
  }
}

TEST(ReaderCrafted, FieldMetadataAndKeyValues) {
  auto bytes = BuildFile({{3}});
  auto r = ParquetReader::Open(MakeBufferReadable(bytes, "crafted.parquet"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->schema().fields[0].type, DataType::kFixedBinary);
  EXPECT_FALSE((*r)->schema().fields[0].nullable);
  EXPECT_EQ((*r)->FindKeyValue("nope"), nullptr);
  EXPECT_EQ((*r)->info().leaves[0].physical_type, "FIXED_LEN_BYTE_ARRAY");
  EXPECT_EQ((*r)->info().row_groups[0].columns[0].codec, "UNCOMPRESSED");
  auto bad = (*r)->ReadRowGroup(1, {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto bad_field = (*r)->ReadRowGroup(0, {3});
  EXPECT_EQ(bad_field.status().code(), StatusCode::kInvalidArgument);
}

// Sets the CRC of the first page (right after the magic) to crc32(body) + delta.
std::vector<uint8_t> WithCrc(const std::vector<uint8_t>& f, uint32_t delta) {
  fmt::PageHeader ph;
  size_t used = 0;
  EXPECT_TRUE(ThriftDeserialize(f.data() + 4, f.size() - 4, ThriftLimits{}, &ph, &used, "page").ok());
  const uint8_t* body = f.data() + 4 + used;
  const uint32_t crc = static_cast<uint32_t>(crc32(0L, body, static_cast<uInt>(ph.compressed_page_size))) + delta;
  ph.__set_crc(static_cast<int32_t>(crc));
  std::vector<uint8_t> hdr;
  EXPECT_TRUE(ThriftSerialize(ph, &hdr).ok());
  // Rebuild: the header grows, so shift everything after it and fix the chunk's offsets.
  std::vector<uint8_t> g(f.begin(), f.begin() + 4);
  g.insert(g.end(), hdr.begin(), hdr.end());
  g.insert(g.end(), f.begin() + 4 + static_cast<std::ptrdiff_t>(used), f.end());
  const uint64_t grow = hdr.size() - used;
  const uint32_t flen = LoadLE<uint32_t>(g.data() + g.size() - 8);
  fmt::FileMetaData md;
  EXPECT_TRUE(ThriftDeserialize(g.data() + g.size() - 8 - flen, flen, ThriftLimits{}, &md, &used, "footer").ok());
  md.row_groups[0].columns[0].meta_data.total_compressed_size += static_cast<int64_t>(grow);
  std::vector<uint8_t> footer;
  EXPECT_TRUE(ThriftSerialize(md, &footer).ok());
  g.resize(g.size() - 8 - flen);
  g.insert(g.end(), footer.begin(), footer.end());
  uint8_t tail[8];
  StoreLE<uint32_t>(tail, static_cast<uint32_t>(footer.size()));
  std::memcpy(tail + 4, "PAR1", 4);
  g.insert(g.end(), tail, tail + 8);
  return g;
}

TEST(ReaderCrafted, PageCrcVerifiedWhenAsked) {
  const auto base = BuildFile({{20}, {7}});
  ReaderOptions verify;
  verify.verify_page_crc = true;
  for (bool good : {true, false}) {
    auto bytes = WithCrc(base, good ? 0 : 1);
    auto plain = ParquetReader::Open(MakeBufferReadable(bytes, "crafted.parquet"));
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE((*plain)->ReadAll({}).ok());  // not verified by default
    auto r = ParquetReader::Open(MakeBufferReadable(bytes, "crafted.parquet"), verify);
    ASSERT_TRUE(r.ok());
    auto b = (*r)->ReadAll({});
    if (good) {
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      ExpectValues(*b, 27);
    } else {
      ASSERT_FALSE(b.ok());
      EXPECT_NE(b.status().message().find("CRC"), std::string::npos) << b.status().ToString();
    }
  }
}

}  // namespace
}  // namespace ailake::parquet
