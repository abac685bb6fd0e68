// verify and the readers against damaged or doctored tables: swapped files, NaN/zero vectors, a
// corrupted text page, table properties that disagree with the files, paths outside the table.
// Each case fails on a build without the check it names (planted bugs described per test).
#include "table/verify.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/uuid.h"
#include "embed/hash_embedder.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/expire.h"
#include "table/table_delete.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "vec/quantize.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void WriteAll(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

bool Mentions(const std::vector<std::string>& lines, const std::string& what) {
  for (const auto& l : lines) {
    if (l.find(what) != std::string::npos) return true;
  }
  return false;
}
std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cat_ = std::move(*catalog::OpenCatalog("fs", dir_.string()));
    table_ = MakeTable("docs");
  }

  std::unique_ptr<Table> MakeTable(const std::string& name) {
    TableOptions o;
    o.model = embedder_.model();
    auto t = Table::Create(*cat_, *catalog::TableIdent::Parse(name), o);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(*t);
  }

  // One file of n rows with fixed-width ids and texts; `vectors` overrides the embedder.
  void Append(Table& t, int64_t start, int64_t n, parquet::Compression codec = parquet::Compression::kZstd,
              const std::vector<float>* vectors = nullptr) {
    TableWriterOptions wo;
    wo.compression = codec;
    auto w = TableWriter::Open(t, wo);
    ASSERT_TRUE(w.ok());
    auto schema = t.DataSchema();
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<std::string> texts;
    for (int64_t i = start; i < start + n; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "r%05lld", static_cast<long long>(i));
      texts.push_back(std::string("text ") + id + " about comets");
      b.columns[0].AppendString(id);
      b.columns[1].AppendNull();
      b.columns[2].AppendString(texts.back());
      b.columns[3].AppendNull();
    }
    b.num_rows = n;
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<float> v;
    if (vectors) {
      v = *vectors;
    } else {
      ASSERT_TRUE(embedder_.Embed(views, &v).ok());
    }
    ASSERT_TRUE((*w)->Append(b, v.data()).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }

  std::vector<iceberg::ManifestEntry> LiveFiles(Table& t) {
    EXPECT_TRUE(t.Refresh().ok());
    auto f = iceberg::ReadSnapshotFiles(cat_->store(), t.locations(), t.metadata().CurrentSnapshot());
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f->data_files;
  }
  fs::path PathOf(Table& t, const std::string& location) { return dir_ / *t.locations().KeyOf(location); }

  VerifyReport Verify(Table& t, bool deep) {
    EXPECT_TRUE(t.Refresh().ok());
    VerifyOptions o;
    o.deep = deep;
    auto r = VerifyTable(t, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }

  Status SetProperties(Table& t, std::map<std::string, std::string> props) {
    iceberg::TableChange c;
    c.operation = "replace";
    c.set_properties = std::move(props);
    auto r = CommitChange(*cat_, t.ident(), c);
    if (!r.ok()) return r.status();
    return Status::OK();
  }

  Result<SearchResult> Search(Table& t) {
    std::vector<float> q;
    EXPECT_TRUE(embedder_.Embed({"comets"}, &q).ok());
    SearchOptions o;
    o.k = 5;
    o.columns = {"id"};
    return SearchTable(t, q.data(), o, nullptr);
  }

  test_util::TempDir tmp_{"verify", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<Table> table_;
  embed::HashEmbedder embedder_{16, 0};
};

TEST_F(VerifyTest, HealthyTablePassesDefaultAndDeep) {
  Append(*table_, 0, 40);
  Append(*table_, 100, 40, parquet::Compression::kNone);
  EXPECT_TRUE(Verify(*table_, false).problems.empty()) << Join(Verify(*table_, false).problems);
  auto deep = Verify(*table_, true);
  EXPECT_TRUE(deep.problems.empty()) << Join(deep.problems);
  EXPECT_TRUE(deep.deep);
  EXPECT_EQ(deep.rows, 80);
}

// A data file replaced by another of a different size: search, delete and verify refuse it, naming
// the file. Planted bug: OpenLiveFile without CheckLiveFileSize (the old KeyOf + OpenReadable) lets
// search and delete read the impostor; the search and delete assertions then fail.
TEST_F(VerifyTest, SwappedFileOfOtherSizeIsRefusedByReaders) {
  Append(*table_, 0, 30);
  Append(*table_, 100, 60);
  auto files = LiveFiles(*table_);
  ASSERT_EQ(files.size(), 2u);
  ASSERT_NE(files[0].file.file_size_in_bytes, files[1].file.file_size_in_bytes);
  const fs::path victim = PathOf(*table_, files[0].file.file_path);
  WriteAll(victim, ReadAll(PathOf(*table_, files[1].file.file_path)));
  const std::string name = victim.filename().string();

  auto s = Search(*table_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find(name), std::string::npos) << s.status().ToString();
  auto d = DeleteWhere(*table_, "id = 'r00001'");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find(name), std::string::npos) << d.status().ToString();
  auto v = Verify(*table_, false);
  EXPECT_TRUE(Mentions(v.problems, name)) << Join(v.problems);
  EXPECT_TRUE(Mentions(v.problems, "differs from the manifest's")) << Join(v.problems);
}

// A data file replaced by another of exactly the same size and row count (uncompressed, fixed-width
// rows): only the footer statistics tell them apart. Planted bug: without CheckColumnStats the
// default verify reports nothing and this test fails.
TEST_F(VerifyTest, SwappedFileOfSameSizeIsReported) {
  Append(*table_, 0, 30, parquet::Compression::kNone);
  Append(*table_, 100, 30, parquet::Compression::kNone);
  auto files = LiveFiles(*table_);
  ASSERT_EQ(files.size(), 2u);
  ASSERT_EQ(files[0].file.file_size_in_bytes, files[1].file.file_size_in_bytes);
  const fs::path a = PathOf(*table_, files[0].file.file_path);
  const fs::path b = PathOf(*table_, files[1].file.file_path);
  auto bytes_a = ReadAll(a);
  WriteAll(a, ReadAll(b));
  WriteAll(b, bytes_a);
  auto v = Verify(*table_, false);
  EXPECT_TRUE(Mentions(v.problems, a.filename().string())) << Join(v.problems);
  EXPECT_TRUE(Mentions(v.problems, "not the file that was committed")) << Join(v.problems);
}

// Vectors that became NaN or all zeros after the write (bit rot, a bad copy). Planted bug: with
// CheckVectors not called, --deep reports nothing and this test fails.
TEST_F(VerifyTest, DeepReportsNanAndZeroVectors) {
  const size_t dim = embedder_.model().dim;
  std::vector<float> vectors;
  std::vector<std::string> texts;
  for (int i = 0; i < 20; ++i) texts.push_back("t" + std::to_string(i));
  std::vector<std::string_view> views(texts.begin(), texts.end());
  ASSERT_TRUE(embedder_.Embed(views, &vectors).ok());
  // Rows 5 and 9 get distinctive finite values, so their stored bytes can be found in the file.
  for (size_t j = 0; j < dim; ++j) {
    vectors[5 * dim + j] = 0.375f + 0.001f * static_cast<float>(j);
    vectors[9 * dim + j] = -0.625f - 0.001f * static_cast<float>(j);
  }
  Append(*table_, 0, 20, parquet::Compression::kZstd, &vectors);
  EXPECT_TRUE(Verify(*table_, true).problems.empty());
  auto files = LiveFiles(*table_);
  const fs::path p = PathOf(*table_, files[0].file.file_path);
  auto bytes = ReadAll(p);
  const VectorPrecision prec = table_->vectors().policy.precision;
  auto replace_row = [&](const float* row, const std::vector<uint8_t>& with) {
    std::vector<uint8_t> enc(vec::RowBytes(prec, dim));
    vec::EncodeRow(prec, row, dim, enc.data());
    auto at = std::search(bytes.begin(), bytes.end(), enc.begin(), enc.end());
    ASSERT_NE(at, bytes.end());
    std::copy(with.begin(), with.end(), at);
  };
  std::vector<float> nan_row(dim, std::nanf(""));
  std::vector<uint8_t> nan_bytes(vec::RowBytes(prec, dim));
  vec::EncodeRow(prec, nan_row.data(), dim, nan_bytes.data());
  replace_row(&vectors[5 * dim], nan_bytes);
  replace_row(&vectors[9 * dim], std::vector<uint8_t>(vec::RowBytes(prec, dim), 0));
  WriteAll(p, bytes);

  auto v = Verify(*table_, true);
  EXPECT_TRUE(Mentions(v.problems, "NaN or infinity (first at row 5)")) << Join(v.problems);
  EXPECT_TRUE(Mentions(v.problems, "all zeros")) << Join(v.problems);
  EXPECT_TRUE(Mentions(v.problems, "row 9")) << Join(v.problems);
}

// A corrupted zstd text page: only a decode of every page finds it (the default verify reads the
// vector column only). Planted bug: with DecodeEveryPage not called, --deep passes and this fails.
TEST_F(VerifyTest, DeepReportsCorruptedTextPage) {
  Append(*table_, 0, 200);
  auto files = LiveFiles(*table_);
  const fs::path p = PathOf(*table_, files[0].file.file_path);
  auto reader = parquet::ParquetReader::OpenPath(p.string());
  ASSERT_TRUE(reader.ok());
  const auto& info = (*reader)->info();
  const parquet::ColumnChunkInfo* text = nullptr;
  for (const auto& c : info.row_groups[0].columns) {
    if (c.path == table_->vectors().text_column) text = &c;
  }
  ASSERT_NE(text, nullptr);
  ASSERT_EQ(text->codec, "ZSTD");
  auto bytes = ReadAll(p);
  const uint8_t magic[] = {0x28, 0xB5, 0x2F, 0xFD};
  const int64_t start = text->dictionary_page_offset.value_or(text->data_page_offset);
  auto at = std::search(bytes.begin() + start, bytes.begin() + start + text->total_compressed_size, magic, magic + 4);
  ASSERT_NE(at, bytes.begin() + start + text->total_compressed_size);
  std::fill(at, at + 4, 0xEE);  // no longer a zstd frame
  WriteAll(p, bytes);
  auto deep = Verify(*table_, true);
  EXPECT_TRUE(Mentions(deep.problems, files[0].file.file_path)) << Join(deep.problems);
  EXPECT_TRUE(Mentions(deep.problems, "row group 0")) << Join(deep.problems);
}

// Table properties that disagree with every file, and files on a model that is not the table's.
// Planted bugs: without CheckTableProperties / the per-file dim and model checks, the default verify
// reports nothing for these (the old verify compared the footer with the manifest only).
TEST_F(VerifyTest, PropertiesThatDisagreeWithTheFilesAreReported) {
  Append(*table_, 0, 20);
  ASSERT_TRUE(SetProperties(*table_, {{kPropDim, "17"}}).ok());
  auto v = Verify(*table_, false);
  EXPECT_TRUE(Mentions(v.problems, "table properties say column 'embedding'")) << Join(v.problems);
  EXPECT_TRUE(Mentions(v.problems, "has dim 16 but table property ailake.dim says 17")) << Join(v.problems);

  ASSERT_TRUE(SetProperties(*table_, {{kPropDim, "16"}, {kPropModel, "other-model"}}).ok());
  v = Verify(*table_, false);
  EXPECT_TRUE(Mentions(v.problems, "is on model " + embedder_.model().Id())) << Join(v.problems);
  EXPECT_TRUE(Mentions(v.problems, "not the table's model other-model")) << Join(v.problems);
  // While a migration runs, such files are expected: notes, not problems.
  ASSERT_TRUE(SetProperties(*table_, {{"ailake.migration", "job-1"}}).ok());
  v = Verify(*table_, false);
  EXPECT_TRUE(v.problems.empty()) << Join(v.problems);
  EXPECT_TRUE(Mentions(v.notes, "a migration is running")) << Join(v.notes);
}

// Metadata naming another table's file: readers and expire refuse to touch it, and the other
// table's file survives. Planted bug: Locations::KeyOf without the table_key check lets search read
// b's file through a's metadata and expire delete it; this test then fails.
TEST_F(VerifyTest, PathsOutsideTheTableAreNeverReadOrDeleted) {
  auto other = MakeTable("other");
  Append(*other, 0, 10);
  auto theirs = LiveFiles(*other);
  ASSERT_EQ(theirs.size(), 1u);
  const fs::path their_file = PathOf(*other, theirs[0].file.file_path);

  auto their_snapshot =
      iceberg::ReadSnapshotFiles(cat_->store(), other->locations(), other->metadata().CurrentSnapshot());
  ASSERT_TRUE(their_snapshot.ok());
  iceberg::TableChange c;
  iceberg::AddedFile f;
  f.file = theirs[0].file;
  f.vector_stats = their_snapshot->vector_stats.at(theirs[0].file.file_path);  // so search would pick it
  c.add_data_files.push_back(f);
  // The commit path does not vet locations, so this records a foreign path as a forged metadata
  // would; what matters is that nothing reads or deletes through it.
  auto r = CommitChange(*cat_, table_->ident(), c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(table_->Refresh().ok());
  auto s = Search(*table_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("outside the table's folder"), std::string::npos) << s.status().ToString();
  auto v = Verify(*table_, false);
  EXPECT_TRUE(Mentions(v.problems, "outside the table's folder")) << Join(v.problems);
  // Drop it again and expire everything: the foreign path must not be deleted.
  iceberg::TableChange rm;
  rm.operation = "delete";
  rm.remove_files = {theirs[0].file.file_path};
  ASSERT_TRUE(CommitChange(*cat_, table_->ident(), rm).ok());
  ASSERT_TRUE(table_->Refresh().ok());
  ExpireOptions eo;
  eo.older_than_ms = INT64_MAX;
  eo.retain_last = 1;
  auto ex = ExpireSnapshots(*table_, eo);
  ASSERT_FALSE(ex.ok());  // refuses the foreign path rather than deleting it
  EXPECT_NE(ex.status().message().find("outside the table's folder"), std::string::npos) << ex.status().ToString();
  EXPECT_TRUE(fs::exists(their_file));
  auto still = Search(*other);
  ASSERT_TRUE(still.ok()) << still.status().ToString();
  EXPECT_FALSE(still->hits.empty());
}

}  // namespace
}  // namespace ailake::table
