// `--format json` on every command that prints, and the insert progress display: the JSON a script
// reads must say what the text says (counts, snapshot ids, outcomes), and progress must reach the
// end of the input without ever touching stdout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "cli/cli_test_util.h"
#include "cli/commands.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using Out = testing::CliOut;

class CliJsonTest : public ::testing::Test {
 protected:
  Out Cli(std::vector<std::string> args, bool warehouse = true) {
    return testing::RunCli(std::move(args), warehouse ? wh_ : std::string());
  }
  // Runs a command that must succeed and print exactly one JSON document on stdout.
  json Json(std::vector<std::string> args, bool warehouse = true) {
    args.push_back("--format");
    args.push_back("json");
    Out r = Cli(args, warehouse);
    EXPECT_EQ(r.code, 0) << r.err;
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not one JSON document: " << r.out;
    return j;
  }
  std::string Rows(const std::string& name, const std::string& prefix, int n, int first = 0) {
    std::string p = (dir_ / name).string();
    std::ofstream f(p);
    for (int i = first; i < first + n; ++i) {
      f << json{{"id", prefix + std::to_string(i)}, {"chunk_text", "text " + std::to_string(i)}}.dump() << "\n";
    }
    return p;
  }
  test_util::TempDir scratch_{"clijson"};
  const fs::path& dir_ = scratch_.path();
  const std::string wh_ = (dir_ / "wh").string();
};

// Every command that prints a report takes --format text|json (cat prints JSON Lines already).
TEST_F(CliJsonTest, EveryPrintingCommandHasFormatJson) {
  std::set<std::string> without;
  for (const auto& c : AllCommands()) {
    bool has = false;
    for (const auto& f : c.spec.flags) {
      if (f.name == "format") has = f.value_name == "text|json";
    }
    if (!has) without.insert(c.spec.name);
  }
  EXPECT_EQ(without, (std::set<std::string>{"cat"}));
}

TEST_F(CliJsonTest, CreateInsertDeleteRollbackReportInJson) {
  json c = Json({"create", "t", "--dim", "8", "--model", "hash-8@seed0", "--metric", "euclidean"});
  EXPECT_EQ(c["table"], "default.t");
  EXPECT_EQ(c["vector_column"]["dim"], 8);
  EXPECT_EQ(c["vector_column"]["metric"], "euclidean");
  EXPECT_EQ(c["vector_column"]["model"], "hash-8@seed0");
  EXPECT_EQ(c["text_column"], "chunk_text");
  EXPECT_NE(c["location"].get<std::string>().find(wh_), std::string::npos) << c.dump();

  json a = Json({"insert", "t", Rows("a.jsonl", "a", 30), "--embedder", "hash:dim=8", "--target-file-rows", "10"});
  EXPECT_EQ(a["mode"], "error-on-duplicate");
  EXPECT_EQ(a["committed"], true);
  EXPECT_EQ(a["rows"], 30);
  EXPECT_EQ(a["files"], 3);
  EXPECT_EQ(a["embedded"], 30);
  const int64_t first = a["snapshot_id"];
  EXPECT_GT(first, 0);

  // Upsert: 5 replaced, 5 new, reported as such.
  json u = Json({"insert", "t", Rows("b.jsonl", "a", 10, 25), "--embedder", "hash:dim=8", "--mode", "upsert"});
  EXPECT_EQ(u["rows"], 10);
  EXPECT_EQ(u["replaced"], 5);
  EXPECT_NE(u["snapshot_id"], first);
  // insert-new of rows all present: nothing committed, all skipped.
  json n = Json({"insert", "t", Rows("c.jsonl", "a", 4), "--embedder", "hash:dim=8", "--mode", "insert-new"});
  EXPECT_EQ(n["committed"], false);
  EXPECT_EQ(n["snapshot_id"], 0);
  EXPECT_EQ(n["skipped_existing"], 4);

  std::ofstream(dir_ / "ids.txt") << "a1\na2\nnope\n";
  json d = Json({"delete", "t", "--ids", (dir_ / "ids.txt").string()});
  EXPECT_EQ(d["rows_deleted"], 2);
  EXPECT_EQ(d["unknown_ids"], json::array({"nope"}));
  json w = Json({"delete", "t", "--where", "id = 'a3'"});
  EXPECT_EQ(w["rows_deleted"], 1);
  EXPECT_EQ(w["committed"], true);
  json none = Json({"delete", "t", "--where", "id = 'zzz'"});
  EXPECT_EQ(none["committed"], false);
  EXPECT_EQ(none["rows_deleted"], 0);

  json r = Json({"rollback", "t", "--to", std::to_string(first)});
  EXPECT_EQ(r["current_snapshot_id"], first);
  json info = Json({"info", "t"});
  EXPECT_EQ(info["current_snapshot_id"], first) << info.dump();
  EXPECT_EQ(info["live_rows"], 30);

  // History: the deletes show as removed rows with live totals; the rollback is its own event, and
  // only the last entry is current (the rolled-back-to snapshot is listed twice, marked once).
  json h = Json({"history", "t"});
  ASSERT_EQ(h.size(), 5u) << h.dump();  // insert, upsert, delete --ids, delete --where, rollback
  int currents = 0;
  for (const auto& e : h) currents += e["current"].get<bool>() ? 1 : 0;
  EXPECT_EQ(currents, 1);
  EXPECT_EQ(h.back()["event"], "rollback");
  EXPECT_EQ(h.back()["snapshot_id"], first);
  EXPECT_TRUE(h.back()["current"].get<bool>());
  EXPECT_GE(h.back()["made_current_ms"].get<int64_t>(), h.back()["timestamp_ms"].get<int64_t>());
  EXPECT_EQ(h[0]["event"], "commit");
  EXPECT_EQ(h[0]["total_live_rows"], 30);
  EXPECT_EQ(h[1]["added_rows"], 10);
  EXPECT_EQ(h[1]["removed_rows"], 5);
  EXPECT_EQ(h[1]["total_live_rows"], 35);
  EXPECT_EQ(h[2]["removed_rows"], 2);
  EXPECT_EQ(h[2]["total_live_rows"], 33);
  EXPECT_EQ(h[3]["removed_rows"], 1);
  EXPECT_EQ(h[3]["total_live_rows"], 32);
  Out text = Cli({"history", "t"});
  EXPECT_NE(text.out.find("rollback to the snapshot of"), std::string::npos) << text.out;
}

TEST_F(CliJsonTest, InputFormatIsItsOwnFlag) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "8", "--model", "hash-8@seed0"}).code, 0);
  const std::string rows = Rows("rows.txt", "r", 3);  // no extension ingest knows
  Out old = Cli({"insert", "t", rows, "--embedder", "hash:dim=8", "--format", "jsonl"});
  EXPECT_EQ(old.code, 2);
  EXPECT_NE(old.err.find("--input-format jsonl"), std::string::npos) << old.err;
  Out bad = Cli({"insert", "t", rows, "--embedder", "hash:dim=8", "--format", "yaml"});
  EXPECT_EQ(bad.code, 2);
  json j = Json({"insert", "t", rows, "--embedder", "hash:dim=8", "--input-format", "jsonl"});
  EXPECT_EQ(j["rows"], 3);
}

// stderr is not a terminal here, so progress comes as lines: the last says done at 100% with every
// row; stdout holds only the summary; --quiet prints no progress at all.
TEST_F(CliJsonTest, InsertShowsProgressOnStderrOnly) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "8", "--model", "hash-8@seed0"}).code, 0);
  Out r = Cli({"insert", "t", Rows("p.jsonl", "p", 700), "--embedder", "hash:dim=8", "--batch-size", "50",
               "--concurrency", "2", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["rows"], 700);
  std::vector<std::string> lines;
  std::istringstream in(r.err);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_GE(lines.size(), 2u) << r.err;  // the first batch, commit, done (rate-limited in between)
  for (const auto& l : lines) EXPECT_EQ(l.rfind("progress ", 0), 0u) << l;
  EXPECT_NE(lines.front().find("read"), std::string::npos) << lines.front();
  EXPECT_NE(lines.back().find("100%"), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("done"), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("rows 700"), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("embedded 700"), std::string::npos) << lines.back();

  Out q = Cli({"insert", "t", Rows("q.jsonl", "q", 10), "--embedder", "hash:dim=8", "--quiet"});
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_EQ(q.err, "");
  EXPECT_NE(q.out.find("inserted 10 rows"), std::string::npos) << q.out;
}

TEST_F(CliJsonTest, MigrateAbortAndSampleReportInJson) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "8", "--model", "hash-8@seed0"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Rows("a.jsonl", "a", 5), "--embedder", "hash:dim=8"}).code, 0);
  Out plan = Cli({"migrate", "plan", "t", "--new-model", "hash-16@seed0", "--embedder", "hash:dim=16"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  json status = Json({"migrate", "status", "t"});
  Out info = Cli({"info", "t"});  // the text info names the job too
  EXPECT_NE(info.out.find("migration:    job " + status["job_id"].get<std::string>()), std::string::npos) << info.out;
  json ab = Json({"migrate", "abort", "t"});
  EXPECT_EQ(ab["outcome"], "aborted");
  EXPECT_EQ(ab["table"], "t");
  EXPECT_EQ(ab["job_id"], status["job_id"]) << status.dump();
  EXPECT_EQ(Json({"migrate", "status", "t"})["state"], "aborted");
  EXPECT_EQ(Cli({"info", "t"}).out.find("migration:"), std::string::npos);

  const std::string out = (dir_ / "s.parquet").string();
  json s = Json({"sample", out, "--rows", "100", "--dim", "16"}, /*warehouse=*/false);
  EXPECT_EQ(s["rows"], 100);
  EXPECT_EQ(s["file_bytes"].get<int64_t>(), static_cast<int64_t>(fs::file_size(out)));
  EXPECT_EQ(s["column"]["dim"], 16);
  EXPECT_EQ(s["column"]["index"], "flat");
}

// A row queried with its own vector is at distance 0 under cosine, never at -1e-7 from float
// rounding (which happened for about half of such queries before the clamp).
TEST_F(CliJsonTest, CosineDistancesAreNeverNegative) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "24", "--model", "m@1", "--precision", "f32", "--index", "flat"}).code, 0);
  std::mt19937 rng(5);
  std::normal_distribution<float> g;
  std::vector<std::vector<float>> vs(40, std::vector<float>(24));
  {
    std::ofstream f(dir_ / "v.jsonl");
    for (size_t i = 0; i < vs.size(); ++i) {
      for (auto& x : vs[i]) x = g(rng) * 3.7f;
      f << json{{"id", "v" + std::to_string(i)}, {"chunk_text", nullptr}, {"embedding", vs[i]}}.dump() << "\n";
    }
  }
  ASSERT_EQ(Cli({"insert", "t", (dir_ / "v.jsonl").string(), "--quiet"}).code, 0);
  for (size_t i = 0; i < vs.size(); ++i) {
    {
      std::ofstream q(dir_ / "q.fvecs", std::ios::binary);
      const int32_t dim = 24;
      q.write(reinterpret_cast<const char*>(&dim), 4);
      q.write(reinterpret_cast<const char*>(vs[i].data()), 24 * 4);
    }
    json r = Json({"search", "t", "--vector-file", (dir_ / "q.fvecs").string(), "-k", "3"});
    ASSERT_EQ(r["results"][0]["id"], "v" + std::to_string(i));
    for (const auto& hit : r["results"]) EXPECT_GE(hit["distance"].get<double>(), 0.0) << r.dump();
  }
}

}  // namespace
}  // namespace ailake::cli
