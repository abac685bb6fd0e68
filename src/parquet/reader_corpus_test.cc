// "No crash, hang or silent omission on any file of the reader's fuzz corpus": every file in
// fuzz/corpus/parquet (DuckDB-written nested/decimal/far-date files, hand-built legacy shapes,
// ailake's own files) and a fixed set of damaged variants of each either read completely or fail
// with a Status naming the file. A successful read returns every field of the schema (an empty
// projection means all fields), so nothing is left out silently. Run under ASan/UBSan in CI.
#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/io.h"
#include "parquet/reader.h"
#include "parquet/value_json.h"

namespace ailake::parquet {
namespace {

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(AILAKE_SOURCE_DIR) + "/fuzz/corpus/parquet"))
    if (e.is_regular_file()) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Reads everything; returns the first error. On success checks that nothing was omitted.
Status ReadAllOf(std::vector<uint8_t> bytes, const std::string& name, int64_t* rows_out) {
  auto r = ParquetReader::Open(MakeBufferReadable(std::move(bytes), name));
  if (!r.ok()) return r.status();
  ParquetReader& reader = **r;
  int64_t rows = 0;
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    auto b = reader.ReadRowGroup(rg, {});
    if (!b.ok()) return b.status();
    AILAKE_RETURN_IF_ERROR(b->Validate());
    if (b->columns.size() != reader.schema().fields.size())
      return Status::Internal("read " + std::to_string(b->columns.size()) + " of " +
                              std::to_string(reader.schema().fields.size()) + " fields without an error");
    for (int64_t i = 0; i < b->num_rows; ++i) {
      const std::string row = RowToJson(*b, i);
      if (row.empty() || row.front() != '{') return Status::Internal("bad row rendering");
    }
    rows += b->num_rows;
  }
  if (rows != reader.num_rows()) return Status::Internal("row count differs from the footer's");
  *rows_out = rows;
  return Status::OK();
}

TEST(ReaderCorpus, EveryCorpusFileReadsCompletely) {
  const auto files = CorpusFiles();
  ASSERT_GE(files.size(), 10u) << "the corpus lost its seeds";
  for (const std::string& path : files) {
    auto bytes = ReadFileToBytes(path);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    int64_t rows = -1;
    Status st = ReadAllOf(*bytes, path, &rows);
    // Seeds are valid files except those named "refused" (NotSupported) or "corrupt" (Corruption).
    const std::string base = std::filesystem::path(path).filename().string();
    if (base.find("refused") != std::string::npos) {
      EXPECT_EQ(st.code(), StatusCode::kNotSupported) << base << ": " << st.ToString();
    } else if (base.find("corrupt") != std::string::npos) {
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << base << ": " << st.ToString();
    } else {
      EXPECT_TRUE(st.ok()) << base << ": " << st.ToString();
      EXPECT_GT(rows, 0) << base;
    }
  }
}

TEST(ReaderCorpus, DamagedCorpusFilesFailCleanly) {
  const char* soak = std::getenv("AILAKE_SOAK");
  const int flips = soak ? 5000 : 300;
  std::mt19937_64 rng(20261202);
  for (const std::string& path : CorpusFiles()) {
    auto bytes = ReadFileToBytes(path);
    ASSERT_TRUE(bytes.ok());
    const std::vector<uint8_t>& f = *bytes;
    if (f.size() < 16) continue;
    auto check = [&](std::vector<uint8_t> g, const std::string& what) {
      int64_t rows = 0;
      Status st = ReadAllOf(std::move(g), "damaged.parquet", &rows);
      if (!st.ok()) {
        EXPECT_NE(st.code(), StatusCode::kInternal) << path << " " << what << ": " << st.ToString();
        EXPECT_NE(st.message().find("damaged.parquet"), std::string::npos) << path << " " << what << ": " << st.ToString();
      }
    };
    for (size_t cut : {f.size() / 2, f.size() - 9, f.size() - 1}) check({f.begin(), f.begin() + static_cast<std::ptrdiff_t>(cut)}, "truncated");
    for (int i = 0; i < flips; ++i) {
      std::vector<uint8_t> g = f;
      const size_t at = rng() % g.size();
      g[at] = static_cast<uint8_t>(g[at] ^ (1u << (rng() % 8)));
      check(std::move(g), "bit flip at " + std::to_string(at));
    }
  }
}

}  // namespace
}  // namespace ailake::parquet
