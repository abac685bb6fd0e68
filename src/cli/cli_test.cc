// End-to-end tests of the `ailake` CLI, run in-process through cli::Run, with DuckDB as the
// independent reader of the files we write.
#include "cli/cli.h"
#include "cli/cli_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/uuid.h"
#include "parquet/value_json.h"
#include "testing/oracles.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

using Out = testing::CliOut;

Out RunCli(std::vector<std::string> args) { return testing::RunCli(std::move(args), ""); }

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream is(s);
  for (std::string l; std::getline(is, l);) out.push_back(l);
  return out;
}

class CliTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  test_util::TempDir tmp_{"cli"};
  const std::filesystem::path dir_ = tmp_.path();
};

TEST_F(CliTest, HelpVersionAndUsageErrors) {
  auto help = RunCli({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* c : {"inspect", "cat", "knn", "sample"}) EXPECT_NE(help.out.find(c), std::string::npos) << c;
  EXPECT_EQ(RunCli({"--version"}).out.rfind("ailake ", 0), 0u);
  EXPECT_EQ(RunCli({}).code, 2);
  auto unknown = RunCli({"frobnicate"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown command"), std::string::npos);
  auto badflag = RunCli({"cat", "x.parquet", "--colums", "a"});
  EXPECT_EQ(badflag.code, 2);
  EXPECT_NE(badflag.err.find("--colums"), std::string::npos);
  EXPECT_EQ(RunCli({"cat"}).code, 2);
  EXPECT_EQ(RunCli({"cat", "a", "b"}).code, 2);
  auto badlimit = RunCli({"cat", "x.parquet", "--limit", "ten"});
  EXPECT_EQ(badlimit.code, 2);
  auto cat_help = RunCli({"cat", "--help"});
  EXPECT_EQ(cat_help.code, 0);
  EXPECT_NE(cat_help.out.find("--columns"), std::string::npos);
  auto missing = RunCli({"inspect", Path("missing.parquet")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("missing.parquet"), std::string::npos);
  auto badfmt = RunCli({"inspect", Path("missing.parquet"), "--format", "xml"});
  EXPECT_EQ(badfmt.code, 2);
}

TEST_F(CliTest, CorruptFileIsAClearError) {
  std::ofstream(Path("junk.parquet")) << "PAR1 this is not a parquet file at all PAR1";
  auto r = RunCli({"cat", Path("junk.parquet")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("junk.parquet"), std::string::npos) << r.err;
  auto i = RunCli({"inspect", Path("junk.parquet")});
  EXPECT_EQ(i.code, 1);
}

TEST_F(CliTest, SampleInspectCatKnn) {
  const std::string f = Path("s.parquet");
  auto s = RunCli({"sample", f, "--rows", "6000", "--dim", "64", "--index", "hnsw"});
  ASSERT_EQ(s.code, 0) << s.err;
  auto text = RunCli({"inspect", f});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("AILK sections"), std::string::npos);
  EXPECT_NE(text.out.find("column embedding: dim=64 metric=cosine precision=f16 model=hash-64@seed0"), std::string::npos)
      << text.out;
  auto js = RunCli({"inspect", f, "--format", "json"});
  ASSERT_EQ(js.code, 0);
  auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["num_rows"], 6000);
  ASSERT_EQ(j["ailk_sections"].size(), 1u);
  EXPECT_EQ(j["ailk_sections"][0]["index"], "hnsw");
  EXPECT_EQ(j["ailk_sections"][0]["record_count"], 6000);
  EXPECT_EQ(j["key_value_metadata"]["ailake.embedding.model"], "hash-64");

  auto cat = RunCli({"cat", f, "--columns", "id,topic", "--limit", "4"});
  ASSERT_EQ(cat.code, 0) << cat.err;
  auto lines = Lines(cat.out);
  ASSERT_EQ(lines.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    auto row = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(row["id"], i);
    EXPECT_TRUE(row["topic"].is_string());
    EXPECT_EQ(row.size(), 2u);
  }
  EXPECT_EQ(RunCli({"cat", f, "--columns", "nope"}).code, 2);

  // A row's own vector finds that row first in exact mode, and the index agrees at the top.
  auto exact = RunCli({"knn", f, "--row", "123", "-k", "5", "--exact", "--format", "json"});
  ASSERT_EQ(exact.code, 0) << exact.err;
  auto ej = nlohmann::json::parse(exact.out);
  ASSERT_EQ(ej["results"].size(), 5u);
  EXPECT_EQ(ej["results"][0]["row"], 123);
  auto approx = RunCli({"knn", f, "--row", "123", "-k", "5", "--ef", "128", "--format", "json"});
  ASSERT_EQ(approx.code, 0);
  EXPECT_EQ(nlohmann::json::parse(approx.out)["results"][0]["row"], 123);
  auto bytext = RunCli({"knn", f, "--text", "galaxy telescope comet orbit", "--embedder", "hash:dim=64,seed=0",
                        "--columns", "topic", "--format", "json", "-k", "3"});
  ASSERT_EQ(bytext.code, 0) << bytext.err;
  // Keep the parsed document alive for the loop (a range-for over a member of a temporary dangles).
  const auto bytext_json = nlohmann::json::parse(bytext.out);
  ASSERT_EQ(bytext_json["results"].size(), 3u);
  for (const auto& h : bytext_json["results"]) EXPECT_EQ(h["topic"], "astronomy");
  // Model check and dimension check.
  auto wrong_model = RunCli({"knn", f, "--text", "x", "--embedder", "hash:dim=64,seed=1"});
  EXPECT_EQ(wrong_model.code, 2);
  EXPECT_NE(wrong_model.err.find("differs from the model"), std::string::npos);
  EXPECT_EQ(RunCli({"knn", f, "--text", "x", "--embedder", "hash:dim=32,seed=0"}).code, 2);
  EXPECT_EQ(RunCli({"knn", f, "--row", "6000"}).code, 2);
  EXPECT_EQ(RunCli({"knn", f}).code, 2);
}

// DuckDB reads every data column of an AI-Lake file with the values `ailake cat` prints: the AILK
// section between the last row group and the footer is invisible to it.
TEST_F(CliTest, DuckDbReadsAiLakeFilesIdentically) {
  for (const char* precision : {"f16", "f32", "i8"}) {
    const std::string f = Path(std::string("d_") + precision + ".parquet");
    ASSERT_EQ(RunCli({"sample", f, "--rows", "1500", "--dim", "16", "--precision", precision, "--compression", "snappy"}).code, 0);
    auto ours = Lines(RunCli({"cat", f}).out);
    ASSERT_EQ(ours.size(), 1500u);
    auto theirs = test_util::DuckDbQuery({"SELECT * FROM read_parquet('" + f + "') ORDER BY id"});
    ASSERT_EQ(theirs.size(), ours.size());
    for (size_t i = 0; i < ours.size(); ++i) {
      auto a = nlohmann::json::parse(ours[i]);
      const auto& b = theirs[i];
      ASSERT_EQ(a["id"], b["id"]);
      ASSERT_EQ(a["doc_id"], b["doc_id"]);
      ASSERT_EQ(a["topic"], b["topic"]);
      ASSERT_EQ(a["chunk_text"], b["chunk_text"]);
      ASSERT_EQ(a["created_at"], b["created_at"]);
      ASSERT_EQ(a["embedding"], b["embedding"]) << "row " << i;  // base64 of the same bytes
    }
    auto kv = test_util::DuckDbQuery({"SELECT value FROM parquet_kv_metadata('" + f + "') WHERE key = 'ailake.embedding.precision'"});
    ASSERT_EQ(kv.size(), 1u);
    EXPECT_EQ(kv[0]["value"], parquet::Base64Encode(precision));
  }
}

}  // namespace
}  // namespace ailake::cli
