// The single-file API (include/ailake/file.h) on a sample file: what inspect, cat and knn see.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ailake/embedder.h"
#include "ailake/file.h"

namespace ailake {
namespace {

namespace fs = std::filesystem;

class FileApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ailake_file_api_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "sample.parquet").string();
    SampleFileOptions o;
    o.rows = 300;
    o.dim = 32;
    o.seed = 7;
    o.precision = VectorPrecision::kF32;
    auto r = WriteSampleFile(path_, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    sample_ = *r;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
  SampleFileResult sample_;
};

TEST_F(FileApiTest, SampleResultDescribesTheFile) {
  EXPECT_EQ(sample_.rows, 300);
  EXPECT_EQ(sample_.column, "embedding");
  EXPECT_EQ(sample_.model.dim, 32u);
  EXPECT_EQ(sample_.index, IndexKind::kFlat);  // auto: flat below 4096 rows
  EXPECT_EQ(sample_.file_bytes, fs::file_size(path_));
}

TEST_F(FileApiTest, InspectReportsSchemaRowGroupsMetadataAndSections) {
  auto r = InspectFile(path_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_rows, 300);
  EXPECT_EQ(r->file_size, fs::file_size(path_));
  std::vector<std::string> names;
  for (const auto& c : r->schema) names.push_back(c.path);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "doc_id", "topic", "chunk_text", "created_at", "embedding"}));
  EXPECT_EQ(r->schema.back().physical_type, "FIXED_LEN_BYTE_ARRAY");
  EXPECT_EQ(r->schema.back().type_length, 32 * 4);
  ASSERT_EQ(r->row_groups.size(), 1u);
  ASSERT_EQ(r->row_groups[0].columns.size(), 6u);
  const FileColumnChunk& id = r->row_groups[0].columns[0];
  ASSERT_TRUE(id.min && id.max);
  EXPECT_EQ(*id.min, "0");
  EXPECT_EQ(*id.max, "299");
  bool footer_key = false;
  for (const auto& [k, v] : r->key_value) footer_key = footer_key || k == "ailake.footer_offset";
  EXPECT_TRUE(footer_key);
  ASSERT_TRUE(r->sections_status.ok()) << r->sections_status.ToString();
  ASSERT_EQ(r->sections.size(), 1u);
  const FileVectorSection& s = r->sections[0];
  EXPECT_EQ(s.column, "embedding");
  EXPECT_EQ(s.dim, 32u);
  EXPECT_EQ(s.precision, VectorPrecision::kF32);
  EXPECT_EQ(s.record_count, 300u);
  EXPECT_EQ(s.rows_with_vector, 300u);
  EXPECT_EQ(s.model.Id(), sample_.model.Id());
  EXPECT_GT(s.section_bytes, 0u);
}

TEST_F(FileApiTest, InspectOfAMissingFileFailsAndCorruptSectionsAreReported) {
  EXPECT_FALSE(InspectFile((dir_ / "nope.parquet").string()).ok());
  // Break the AILK magic in the trailer region: the Parquet footer still reads, the section does not.
  auto r = InspectFile(path_);
  ASSERT_TRUE(r.ok());
  const uint64_t at = r->sections[0].section_offset;
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    f.write("XXXX", 4);
  }
  auto broken = InspectFile(path_);
  ASSERT_TRUE(broken.ok()) << broken.status().ToString();
  EXPECT_FALSE(broken->sections_status.ok());
  EXPECT_TRUE(broken->sections.empty());
  EXPECT_EQ(broken->num_rows, 300);
}

TEST_F(FileApiTest, ReadRowsAsJsonWithColumnsAndLimit) {
  ReadRowsOptions o;
  o.columns = {"topic", "id"};
  o.limit = 3;
  auto rows = ReadFileRows(path_, o);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  for (size_t i = 0; i < rows->size(); ++i) {
    auto j = nlohmann::json::parse((*rows)[i]);
    EXPECT_EQ(j.size(), 2u);
    EXPECT_EQ(j["id"], static_cast<int64_t>(i));
    EXPECT_TRUE(j["topic"].is_string());
    EXPECT_EQ((*rows)[i].rfind("{\"topic\":", 0), 0u) << (*rows)[i];  // the requested order
  }
  auto all = ReadFileRows(path_);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 300u);
  auto first = nlohmann::json::parse(all->front());
  EXPECT_TRUE(first.contains("chunk_text"));
  EXPECT_TRUE(first.contains("embedding"));  // every column, the vector too (base64)
  EXPECT_EQ(first["created_at"], "2023-11-14T22:13:20.000000Z");

  o.columns = {"nope"};
  auto bad = ReadFileRows(path_, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("nope"), std::string::npos) << bad.status().message();

  // The callback's error stops the read and comes back.
  int seen = 0;
  Status st = ReadFileRows(path_, {}, [&](std::string_view) {
    return ++seen == 5 ? Status::Aborted("enough") : Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(seen, 5);
}

TEST_F(FileApiTest, SearchFindsARowsOwnVectorFirst) {
  auto s = FileSearcher::Open(path_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->column().name, "embedding");
  EXPECT_EQ((*s)->column().rows, 300u);
  EXPECT_EQ((*s)->column().model.dim, 32u);
  auto q = (*s)->RowVector(42);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  FileSearchOptions o;
  o.k = 5;
  o.columns = {"id", "topic"};
  for (bool exact : {false, true}) {
    o.exact = exact;
    auto hits = (*s)->Search(q->data(), 1, q->size(), o);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_EQ(hits->size(), 1u);
    ASSERT_EQ((*hits)[0].size(), 5u);
    EXPECT_EQ((*hits)[0][0].row, 42u);
    EXPECT_NEAR((*hits)[0][0].distance, 0.0f, 1e-5);
    ASSERT_EQ((*hits)[0][0].values.size(), 2u);
    EXPECT_EQ((*hits)[0][0].values[0], "42");
    EXPECT_EQ((*hits)[0][0].values[1].front(), '"');
    for (size_t i = 1; i < 5; ++i) EXPECT_LE((*hits)[0][i - 1].distance, (*hits)[0][i].distance);
  }
  // The same through SearchFile, and a text query embedded by the same hash model.
  auto emb = MakeEmbedder("hash:dim=32,seed=7");
  ASSERT_TRUE(emb.ok());
  EXPECT_TRUE((*emb)->model().SameModel((*s)->column().model));
  std::vector<float> tq;
  ReadRowsOptions first_text;
  first_text.columns = {"chunk_text"};
  first_text.limit = 1;
  auto rows = ReadFileRows(path_, first_text);
  ASSERT_TRUE(rows.ok());
  const std::string text = nlohmann::json::parse(rows->front())["chunk_text"];
  ASSERT_TRUE((*emb)->Embed({text}, &tq).ok());
  FileSearchOptions one;
  one.k = 1;
  auto by_text = SearchFile(path_, tq.data(), 1, tq.size(), one);
  ASSERT_TRUE(by_text.ok()) << by_text.status().ToString();
  EXPECT_EQ((*by_text)[0][0].row, 0u);
}

TEST_F(FileApiTest, SearchErrorsNameTheProblem) {
  auto s = FileSearcher::Open(path_);
  ASSERT_TRUE(s.ok());
  std::vector<float> q(16, 0.5f);
  auto wrong = (*s)->Search(q.data(), 1, q.size());
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("dim 16"), std::string::npos) << wrong.status().message();
  EXPECT_FALSE((*s)->RowVector(300).ok());
  EXPECT_FALSE(FileSearcher::Open(path_, "nope").ok());
  std::vector<float> q32(32, 0.5f);
  FileSearchOptions bad;
  bad.columns = {"nope"};
  auto col = (*s)->Search(q32.data(), 1, 32, bad);
  ASSERT_FALSE(col.ok());
  EXPECT_EQ(col.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileApiTest, FvecsRoundTripAndErrors) {
  const std::string p = (dir_ / "q.fvecs").string();
  {
    std::ofstream f(p, std::ios::binary);
    for (int v = 0; v < 3; ++v) {
      int32_t d = 4;
      f.write(reinterpret_cast<const char*>(&d), 4);
      for (int i = 0; i < 4; ++i) {
        float x = static_cast<float>(v * 10 + i);
        f.write(reinterpret_cast<const char*>(&x), 4);
      }
    }
  }
  auto fv = ReadFvecs(p);
  ASSERT_TRUE(fv.ok()) << fv.status().ToString();
  EXPECT_EQ(fv->dim, 4u);
  EXPECT_EQ(fv->count, 3u);
  EXPECT_EQ(fv->values[9], 21.0f);
  auto two = ReadFvecs(p, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->count, 2u);
  fs::resize_file(p, 4 * 5 * 3 - 2);
  auto torn = ReadFvecs(p);
  ASSERT_FALSE(torn.ok());
  EXPECT_EQ(torn.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace ailake
