// Corrupt input: every damaged file must produce a clear Status naming the file, never a crash
// (run under ASan/UBSan in CI). The valid inputs are the fuzz seed files in fuzz/corpus/parquet.
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/checked.h"
#include "core/io.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/reader.h"
#include "parquet/thrift_io.h"

namespace ailake::parquet {
namespace {

namespace fmt = ::ailake::parquet::format;

const char* kName = "damaged.parquet";

std::vector<uint8_t> Seed(const std::string& name) {
  auto bytes = ReadFileToBytes(std::string(AILAKE_SOURCE_DIR) + "/fuzz/corpus/parquet/" + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

// Opens and reads every row group of every supported field; returns the first error.
Status ReadEverything(std::vector<uint8_t> bytes, ReaderOptions options = {}) {
  auto r = ParquetReader::Open(MakeBufferReadable(std::move(bytes), kName), options);
  if (!r.ok()) return r.status();
  for (int rg = 0; rg < (*r)->num_row_groups(); ++rg) {
    auto b = (*r)->ReadRowGroup(rg, {});
    if (!b.ok()) return b.status();
    AILAKE_RETURN_IF_ERROR(b->Validate());
  }
  return Status::OK();
}

void ExpectNamedError(const Status& st, const std::string& needle = "") {
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(kName), std::string::npos) << st.ToString();
  if (!needle.empty()) {
    EXPECT_NE(st.message().find(needle), std::string::npos) << st.ToString();
  }
}

struct FooterSpan {
  uint64_t offset;
  uint32_t length;
};
FooterSpan Footer(const std::vector<uint8_t>& f) {
  const uint32_t len = LoadLE<uint32_t>(f.data() + f.size() - 8);
  return {f.size() - 8 - len, len};
}
fmt::FileMetaData ParseFooter(const std::vector<uint8_t>& f) {
  FooterSpan s = Footer(f);
  fmt::FileMetaData md;
  size_t used = 0;
  EXPECT_TRUE(ThriftDeserialize(f.data() + s.offset, s.length, ThriftLimits{}, &md, &used, "footer").ok());
  return md;
}

TEST(ReaderCorrupt, SeedsAreValid) {
  for (const char* s : {"mixed_v1_none.parquet", "mixed_v1_snappy.parquet", "mixed_v2_none.parquet",
                        "delta_v2_zstd.parquet"}) {
    Status st = ReadEverything(Seed(s));
    EXPECT_TRUE(st.ok()) << s << ": " << st.ToString();
  }
}

TEST(ReaderCorrupt, EveryTruncation) {
  for (const char* s : {"mixed_v1_none.parquet", "mixed_v2_none.parquet"}) {
    const std::vector<uint8_t> full = Seed(s);
    for (size_t n = 0; n < full.size(); ++n) {
      std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      Status st = ReadEverything(prefix);
      ASSERT_FALSE(st.ok()) << s << " truncated to " << n << " bytes was accepted";
      ExpectNamedError(st);
    }
  }
  ExpectNamedError(ReadEverything({}), "too small");
}

TEST(ReaderCorrupt, WrongMagic) {
  std::vector<uint8_t> f = Seed("mixed_v1_none.parquet");
  auto head = f;
  head[0] = 'X';
  ExpectNamedError(ReadEverything(head), "magic");
  auto tail = f;
  tail[tail.size() - 1] = '2';
  ExpectNamedError(ReadEverything(tail), "magic");
  auto enc = f;
  std::memcpy(enc.data() + enc.size() - 4, "PARE", 4);
  Status st = ReadEverything(enc);
  EXPECT_EQ(st.code(), StatusCode::kNotSupported);
  ExpectNamedError(st, "encrypted");
}

TEST(ReaderCorrupt, FooterLengthPastEofOrAbsurd) {
  std::vector<uint8_t> f = Seed("mixed_v1_none.parquet");
  for (uint32_t len : {static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size() - 11), 0xFFFFFFFFu}) {
    auto g = f;
    StoreLE<uint32_t>(g.data() + g.size() - 8, len);
    ExpectNamedError(ReadEverything(g), "footer length");
  }
  auto zero = f;
  StoreLE<uint32_t>(zero.data() + zero.size() - 8, 0);
  ExpectNamedError(ReadEverything(zero));
  // A footer above the configured cap is refused before it is read.
  ReaderOptions small;
  small.max_footer_bytes = 16;
  Status st = ReadEverything(f, small);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  ExpectNamedError(st, "limit");
  // A shorter footer length makes Thrift start mid-struct.
  auto shorter = f;
  StoreLE<uint32_t>(shorter.data() + shorter.size() - 8, Footer(f).length - 7);
  ExpectNamedError(ReadEverything(shorter));
}

TEST(ReaderCorrupt, RandomFooterByteFlips) {
  for (const char* s : {"mixed_v1_none.parquet", "mixed_v2_none.parquet", "delta_v2_zstd.parquet"}) {
    const std::vector<uint8_t> f = Seed(s);
    FooterSpan span = Footer(f);
    std::mt19937 rng(1234);
    int failures = 0;
    for (int iter = 0; iter < 3000; ++iter) {
      auto g = f;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) {
        size_t at = span.offset + rng() % span.length;
        g[at] = static_cast<uint8_t>(rng() % 4 == 0 ? rng() : g[at] ^ (1u << (rng() % 8)));
      }
      Status st = ReadEverything(g);
      if (!st.ok()) {
        ++failures;
        EXPECT_NE(st.message().find(kName), std::string::npos) << st.ToString();
      }
    }
    EXPECT_GT(failures, 100) << s;
  }
}

TEST(ReaderCorrupt, RandomWholeFileByteFlips) {
  const std::vector<uint8_t> f = Seed("mixed_v1_snappy.parquet");
  std::mt19937 rng(99);
  for (int iter = 0; iter < 3000; ++iter) {
    auto g = f;
    for (int k = 0; k < 3; ++k) g[4 + rng() % (g.size() - 12)] ^= static_cast<uint8_t>(1u << (rng() % 8));
    Status st = ReadEverything(g);
    if (!st.ok()) {
      EXPECT_NE(st.message().find(kName), std::string::npos) << st.ToString();
    }
  }
}

// Rewrites the page header at `offset` (keeping what follows in place).
std::vector<uint8_t> RewritePageHeader(const std::vector<uint8_t>& f, uint64_t offset,
                                       void (*edit)(fmt::PageHeader*)) {
  fmt::PageHeader ph;
  size_t used = 0;
  EXPECT_TRUE(ThriftDeserialize(f.data() + offset, f.size() - offset, ThriftLimits{}, &ph, &used, "page").ok());
  edit(&ph);
  std::vector<uint8_t> hdr;
  EXPECT_TRUE(ThriftSerialize(ph, &hdr).ok());
  std::vector<uint8_t> g(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(offset));
  g.insert(g.end(), hdr.begin(), hdr.end());
  // Keep the rest aligned when the header length changed by dropping/padding after it.
  const size_t rest = offset + used;
  if (hdr.size() <= used) {
    g.insert(g.end(), used - hdr.size(), 0);
    g.insert(g.end(), f.begin() + static_cast<std::ptrdiff_t>(rest), f.end());
  } else {
    g.insert(g.end(), f.begin() + static_cast<std::ptrdiff_t>(rest + (hdr.size() - used)), f.end());
  }
  EXPECT_EQ(g.size(), f.size());
  return g;
}

uint64_t ChunkStart(const fmt::FileMetaData& md, int column) {
  const auto& cm = md.row_groups[0].columns[column].meta_data;
  return static_cast<uint64_t>(cm.__isset.dictionary_page_offset && cm.dictionary_page_offset > 0
                                   ? cm.dictionary_page_offset
                                   : cm.data_page_offset);
}

TEST(ReaderCorrupt, BadPageHeaders) {
  const std::vector<uint8_t> f = Seed("mixed_v1_none.parquet");
  const fmt::FileMetaData md = ParseFooter(f);
  for (int c = 0; c < static_cast<int>(md.row_groups[0].columns.size()); ++c) {
    SCOPED_TRACE(c);
    const uint64_t start = ChunkStart(md, c);
    // Garbage instead of a header.
    auto g = f;
    std::memset(g.data() + start, 0xFF, 6);
    ExpectNamedError(ReadEverything(g));
    // A page larger than its column chunk.
    ExpectNamedError(ReadEverything(RewritePageHeader(f, start, [](fmt::PageHeader* p) {
                       p->compressed_page_size = 1 << 30;
                     })));
    ExpectNamedError(ReadEverything(RewritePageHeader(f, start, [](fmt::PageHeader* p) {
                       p->compressed_page_size = 100000;
                     })), "past the end of the column chunk");
    // Negative and absurd uncompressed sizes.
    ExpectNamedError(ReadEverything(RewritePageHeader(f, start, [](fmt::PageHeader* p) {
                       p->uncompressed_page_size = -5;
                     })), "negative");
    ExpectNamedError(ReadEverything(RewritePageHeader(f, start, [](fmt::PageHeader* p) {
                       p->uncompressed_page_size = 0x7FFFFFFF;
                     })), "limit");
    // More values than the row group has rows.
    ExpectNamedError(ReadEverything(RewritePageHeader(f, start, [](fmt::PageHeader* p) {
                       if (p->__isset.data_page_header) p->data_page_header.num_values = 1 << 30;
                       else if (p->__isset.dictionary_page_header) p->dictionary_page_header.num_values = 1 << 30;
                     })));
  }
}

TEST(ReaderCorrupt, ChunkOffsetsOutsideTheFile) {
  const std::vector<uint8_t> f = Seed("mixed_v1_none.parquet");
  fmt::FileMetaData md = ParseFooter(f);
  md.row_groups[0].columns[0].meta_data.data_page_offset = static_cast<int64_t>(f.size()) - 4;
  md.row_groups[0].columns[0].meta_data.__isset.dictionary_page_offset = false;
  std::vector<uint8_t> footer;
  ASSERT_TRUE(ThriftSerialize(md, &footer).ok());
  std::vector<uint8_t> g(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(Footer(f).offset));
  g.insert(g.end(), footer.begin(), footer.end());
  uint8_t tail[8];
  StoreLE<uint32_t>(tail, static_cast<uint32_t>(footer.size()));
  std::memcpy(tail + 4, "PAR1", 4);
  g.insert(g.end(), tail, tail + 8);
  ExpectNamedError(ReadEverything(g), "outside");
}

TEST(ReaderCorrupt, DictionaryIndexOutOfRange) {
  const std::vector<uint8_t> f = Seed("mixed_v1_none.parquet");
  const fmt::FileMetaData md = ParseFooter(f);
  // Column 1 ("s") is dictionary-encoded with two entries; claim only one.
  const auto& cm = md.row_groups[0].columns[1].meta_data;
  ASSERT_TRUE(cm.__isset.dictionary_page_offset);
  auto g = RewritePageHeader(f, static_cast<uint64_t>(cm.dictionary_page_offset),
                             [](fmt::PageHeader* p) { p->dictionary_page_header.num_values = 1; });
  ExpectNamedError(ReadEverything(g), "dictionary index 1 is out of range");
}

TEST(ReaderCorrupt, DecodedSizeCaps) {
  // A legitimate file read with tiny caps fails cleanly instead of allocating.
  ReaderOptions o;
  o.max_column_values = 2;
  Status st = ReadEverything(Seed("mixed_v1_none.parquet"), o);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  ExpectNamedError(st, "limit");
  ReaderOptions b;
  b.max_column_bytes = 8;
  ExpectNamedError(ReadEverything(Seed("mixed_v1_none.parquet"), b), "limit");
}

}  // namespace
}  // namespace ailake::parquet
