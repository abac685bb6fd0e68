// The table commands end to end: create, insert (JSONL, CSV, Parquet), search, info, history, and
// their errors; DuckDB reads every data file of the table with the values we wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "core/uuid.h"
#include "testing/oracles.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

using Out = testing::CliOut;

class CliTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_ / "wh").string();
  }
  Out Cli(std::vector<std::string> args, bool warehouse = true) {
    return testing::RunCli(std::move(args), warehouse ? wh_ : std::string());
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = (dir_ / name).string();
    std::ofstream(p) << content;
    return p;
  }
  test_util::TempDir tmp_{"clitable"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string wh_;
};

TEST_F(CliTableTest, CreateInsertSearchInfoHistory) {
  ASSERT_EQ(Cli({"create", "docs", "--dim", "4", "--model", "m@1", "--metric", "euclidean", "--columns", "year:int"}).code, 0);
  std::string jsonl;
  for (int i = 0; i < 50; ++i) {
    jsonl += nlohmann::json({{"id", "j" + std::to_string(i)}, {"chunk_text", "t" + std::to_string(i)},
                             {"embedding", {i, 0.5, -1, 2}}, {"year", 2000 + i}, {"source", "web"}})
                 .dump() +
             "\n";
  }
  auto ins = Cli({"insert", "docs", Write("a.jsonl", jsonl)});
  ASSERT_EQ(ins.code, 0) << ins.err;
  EXPECT_NE(ins.out.find("inserted 50 rows"), std::string::npos);
  auto csv = Cli({"insert", "docs", Write("b.csv", "id,chunk_text,embedding,year\nc1,\"a, quoted \"\"text\"\"\",\"[100,0.5,-1,2]\",1999\nc2,,\"[101,0.5,-1,2]\",\n")});
  ASSERT_EQ(csv.code, 0) << csv.err;
  // Query close to [100, .5, -1, 2]: the CSV row c1 first, then c2.
  std::ofstream q(dir_ / "q.fvecs", std::ios::binary);
  int32_t dim = 4;
  float v[4] = {100.2f, 0.5f, -1, 2};
  q.write(reinterpret_cast<char*>(&dim), 4);
  q.write(reinterpret_cast<char*>(v), 16);
  q.close();
  auto s = Cli({"search", "docs", "--vector-file", (dir_ / "q.fvecs").string(), "-k", "3", "--columns",
                "id,chunk_text,year,metadata", "--format", "json"});
  ASSERT_EQ(s.code, 0) << s.err;
  auto j = nlohmann::json::parse(s.out);
  ASSERT_EQ(j["results"].size(), 3u);
  EXPECT_EQ(j["results"][0]["id"], "c1");
  EXPECT_EQ(j["results"][0]["chunk_text"], "a, quoted \"text\"");
  EXPECT_EQ(j["results"][0]["year"], 1999);
  EXPECT_EQ(j["results"][1]["id"], "c2");
  EXPECT_TRUE(j["results"][1]["year"].is_null());
  EXPECT_EQ(j["results"][2]["id"], "j49");
  EXPECT_EQ(nlohmann::json::parse(std::string(j["results"][2]["metadata"]))["source"], "web");

  auto info = Cli({"info", "docs", "--format", "json"});
  ASSERT_EQ(info.code, 0) << info.err;
  auto ij = nlohmann::json::parse(info.out);
  EXPECT_EQ(ij["rows"], 52);
  EXPECT_EQ(ij["snapshots"], 2);
  EXPECT_EQ(ij["model"], "m@1");
  auto hist = Cli({"history", "docs", "--format", "json"});
  ASSERT_EQ(hist.code, 0);
  auto hj = nlohmann::json::parse(hist.out);
  ASSERT_EQ(hj.size(), 2u);
  EXPECT_TRUE(hj[1]["current"]);
  // Time travel to the first snapshot: the CSV rows are not there yet.
  const std::string first = std::to_string(hj[0]["snapshot_id"].get<int64_t>());
  auto old = Cli({"search", "docs", "--vector-file", (dir_ / "q.fvecs").string(), "-k", "1", "--snapshot", first,
                  "--format", "json"});
  ASSERT_EQ(old.code, 0) << old.err;
  EXPECT_EQ(nlohmann::json::parse(old.out)["results"][0]["id"], "j49");

  // Parquet input: our own `cat`-able sample file has no vectors field; use DuckDB to write one.
  const std::string pq = (dir_ / "in.parquet").string();
  test_util::DuckDbQuery({"COPY (SELECT 'p' || range AS id, 'text ' || range AS chunk_text, [range::FLOAT, 0.5, -1.0, 2.0] AS embedding FROM range(5)) TO '" + pq + "' (FORMAT parquet)"});
  auto pins = Cli({"insert", "docs", pq});
  ASSERT_EQ(pins.code, 0) << pins.err;
  EXPECT_NE(pins.out.find("inserted 5 rows"), std::string::npos);
}

TEST_F(CliTableTest, BadInputIsAClearErrorAndCommitsNothing) {
  EXPECT_EQ(Cli({"create", "docs", "--model", "m"}).code, 2);                  // no --dim
  EXPECT_EQ(Cli({"create", "docs", "--dim", "4"}).code, 2);                    // no --model
  EXPECT_EQ(Cli({"create", "docs", "--dim", "0", "--model", "m"}).code, 2);
  EXPECT_EQ(Cli({"create", "docs", "--dim", "4", "--model", "m", "--metric", "hamming"}).code, 2);
  EXPECT_EQ(Cli({"create", "../x", "--dim", "4", "--model", "m"}).code, 2);
  ASSERT_EQ(Cli({"create", "docs", "--dim", "3", "--model", "m"}).code, 0);
  EXPECT_EQ(Cli({"create", "docs", "--dim", "3", "--model", "m"}).code, 1);  // exists
  auto unknown = Cli({"insert", "nope", Write("x.jsonl", "{}\n")});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("default.nope"), std::string::npos);
  auto wrong_dim = Cli({"insert", "docs", Write("w.jsonl", "{\"id\":\"a\",\"chunk_text\":null,\"embedding\":[1,2,3]}\n{\"id\":\"b\",\"chunk_text\":null,\"embedding\":[1,2]}\n")});
  EXPECT_EQ(wrong_dim.code, 1);  // bad data, not a bad command line
  EXPECT_NE(wrong_dim.err.find("line 2"), std::string::npos) << wrong_dim.err;
  EXPECT_NE(wrong_dim.err.find("dim is 3"), std::string::npos) << wrong_dim.err;
  auto nan = Cli({"insert", "docs", Write("n.jsonl", "{\"id\":\"a\",\"chunk_text\":null,\"embedding\":[1,\"NaN\",3]}\n")});
  EXPECT_EQ(nan.code, 1);
  EXPECT_NE(nan.err.find("finite"), std::string::npos) << nan.err;
  auto inf = Cli({"insert", "docs", Write("i.jsonl", "{\"id\":\"a\",\"embedding\":[1,1e999,3]}\n")});
  EXPECT_NE(inf.code, 0);
  auto bad_json = Cli({"insert", "docs", Write("b.jsonl", "{\"id\":\n")});
  EXPECT_EQ(bad_json.code, 1);
  EXPECT_NE(bad_json.err.find("line 1"), std::string::npos);
  auto no_vec = Cli({"insert", "docs", Write("t.jsonl", "{\"id\":\"a\",\"chunk_text\":\"hello\"}\n")});
  EXPECT_EQ(no_vec.code, 1);
  EXPECT_NE(no_vec.err.find("--embedder"), std::string::npos);
  auto wrong_model = Cli({"insert", "docs", Write("t2.jsonl", "{\"id\":\"a\",\"chunk_text\":\"hello\"}\n"), "--embedder", "hash:dim=3"});
  EXPECT_EQ(wrong_model.code, 2);
  EXPECT_EQ(Cli({"insert", "docs", Write("f.txt", "x")}).code, 2);
  EXPECT_EQ(Cli({"insert", "docs", (dir_ / "missing.jsonl").string()}).code, 1);
  EXPECT_EQ(Cli({"search", "docs", "--text", "x"}).code, 2);  // no embedder
  EXPECT_EQ(Cli({"search", "docs"}).code, 2);
  EXPECT_EQ(Cli({"info", "docs", "--catalog", "hive"}).code, 2);
  // Nothing of the failed inserts was committed, and no data file was left behind.
  auto info = Cli({"info", "docs", "--format", "json"});
  ASSERT_EQ(info.code, 0);
  EXPECT_EQ(nlohmann::json::parse(info.out)["snapshots"], 0);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(wh_) / "default/docs/data") &&
               !std::filesystem::is_empty(std::filesystem::path(wh_) / "default/docs/data"));
}

TEST_F(CliTableTest, CorruptMetadataAndMissingManifest) {
  ASSERT_EQ(Cli({"create", "docs", "--dim", "2", "--model", "m"}).code, 0);
  ASSERT_EQ(Cli({"insert", "docs", Write("a.jsonl", "{\"id\":\"a\",\"chunk_text\":\"t\",\"embedding\":[1,2]}\n")}).code, 0);
  const auto meta = std::filesystem::path(wh_) / "default/docs/metadata";
  // A missing manifest list is reported with its path.
  std::string list;
  for (const auto& e : std::filesystem::directory_iterator(meta))
    if (e.path().filename().string().rfind("snap-", 0) == 0) list = e.path().string();
  ASSERT_FALSE(list.empty());
  std::filesystem::rename(list, list + ".moved");
  auto missing = Cli({"info", "docs"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("snap-"), std::string::npos) << missing.err;
  std::filesystem::rename(list + ".moved", list);
  EXPECT_EQ(Cli({"info", "docs"}).code, 0);
  // Corrupt metadata JSON.
  std::ofstream(meta / "v2.metadata.json", std::ios::trunc) << "{\"format-version\": 2, ";
  auto corrupt = Cli({"info", "docs"});
  EXPECT_EQ(corrupt.code, 1);
  EXPECT_NE(corrupt.err.find("v2.metadata.json"), std::string::npos) << corrupt.err;
}

// `ailake files` lists what an engine reading files directly must read. DuckDB, reading exactly the
// listed data files minus the positions in the listed delete files, must see the live rows (the
// ids left after the deletes), while the data folder holds more files (a compaction's sources).
TEST_F(CliTableTest, FilesListsWhatAnotherEngineMustReadForTheLiveRows) {
  ASSERT_TRUE(test_util::DuckDbAvailable());
  ASSERT_EQ(Cli({"create", "docs", "--dim", "2", "--model", "m@1"}).code, 0);
  std::set<std::string> live;
  for (int batch = 0; batch < 3; ++batch) {
    std::string jsonl;
    for (int i = 0; i < 40; ++i) {
      const std::string id = "b" + std::to_string(batch) + "-" + std::to_string(i);
      live.insert(id);
      jsonl += nlohmann::json({{"id", id}, {"chunk_text", id}, {"embedding", {i + 1, batch + 1}}}).dump() + "\n";
    }
    ASSERT_EQ(Cli({"insert", "docs", Write("in" + std::to_string(batch) + ".jsonl", jsonl), "--target-file-rows", "25"}).code, 0);
  }
  ASSERT_EQ(Cli({"compact", "docs", "--where", "id < 'b1'"}).code, 0);  // merges batch 0's two files
  for (const char* id : {"b0-3", "b1-0", "b1-39", "b2-17"}) live.erase(id);
  ASSERT_EQ(Cli({"delete", "docs", "--where", "id IN ('b0-3', 'b1-0', 'b1-39', 'b2-17')"}).code, 0);

  auto listed = Cli({"files", "docs", "--format", "json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  const auto files = nlohmann::json::parse(listed.out);
  const auto info = nlohmann::json::parse(Cli({"info", "docs", "--format", "json"}).out);
  std::vector<std::string> data, deletes;
  std::set<std::string> data_set;
  int64_t rows = 0, deleted = 0;
  for (const auto& f : files) {
    const std::string path = f["path"];
    ASSERT_EQ(path.rfind("file://", 0), 0u) << path;
    if (f["kind"] == "data") {
      data.push_back(path);  // as listed: DuckDB reads file:/// URIs
      data_set.insert(path);
      rows += f["rows"].get<int64_t>();
      deleted += f["deleted_rows"].get<int64_t>();
      EXPECT_EQ(f["live_rows"].get<int64_t>(), f["rows"].get<int64_t>() - f["deleted_rows"].get<int64_t>());
      EXPECT_EQ(f["model"], "m@1");
    } else {
      ASSERT_EQ(f["kind"], "deletes");
      deletes.push_back(path);
      EXPECT_TRUE(data_set.count(f["target"].get<std::string>())) << f.dump();  // data files come first
    }
  }
  EXPECT_EQ(static_cast<int64_t>(data.size()), info["data_files"].get<int64_t>());
  EXPECT_EQ(static_cast<int64_t>(deletes.size()), info["delete_files"].get<int64_t>());
  EXPECT_EQ(rows, info["rows"].get<int64_t>());
  EXPECT_EQ(deleted, 4);
  EXPECT_EQ(rows - deleted, static_cast<int64_t>(live.size()));
  ASSERT_FALSE(deletes.empty());
  size_t on_disk = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(wh_) / "default/docs/data"))
    on_disk += e.path().extension() == ".parquet" ? 1 : 0;
  EXPECT_GT(on_disk, data.size() + deletes.size()) << "the compaction's sources should still be on disk";

  auto list = [](const std::vector<std::string>& paths) {
    std::string s = "[";
    for (const auto& p : paths) s += (s.size() > 1 ? ", '" : "'") + p + "'";
    return s + "]";
  };
  auto rows_seen = test_util::DuckDbQuery(
      {"SELECT d.id FROM read_parquet(" + list(data) + ", filename = true, file_row_number = true) d "
       "WHERE NOT EXISTS (SELECT 1 FROM read_parquet(" + list(deletes) + ") x "
       // DuckDB's filename column drops the scheme; the delete files name data files by URI.
       "WHERE x.file_path = 'file://' || d.filename AND x.pos = d.file_row_number) ORDER BY d.id"});
  std::set<std::string> seen;
  for (const auto& r : rows_seen) seen.insert(r["id"].get<std::string>());
  EXPECT_EQ(rows_seen.size(), live.size());  // no id twice
  EXPECT_EQ(seen, live);

  // --paths: the same data files, bare; bad arguments are usage errors.
  auto paths = Cli({"files", "docs", "--kind", "data", "--paths"});
  ASSERT_EQ(paths.code, 0);
  std::set<std::string> bare;
  std::istringstream lines(paths.out);
  for (std::string line; std::getline(lines, line);) bare.insert(line);
  EXPECT_EQ(bare, data_set);
  EXPECT_EQ(Cli({"files", "docs", "--kind", "everything"}).code, 2);
  EXPECT_EQ(Cli({"files", "docs", "--paths", "--format", "json"}).code, 2);
  EXPECT_EQ(Cli({"files", "nosuch"}).code, 1);
}

TEST_F(CliTableTest, DeleteWhereAndSearchWhere) {
  ASSERT_EQ(Cli({"create", "docs", "--dim", "2", "--model", "m", "--metric", "euclidean", "--columns", "year:int,lang:string"}).code, 0);
  std::string jsonl;
  for (int i = 0; i < 100; ++i) {
    jsonl += nlohmann::json({{"id", std::to_string(i)}, {"chunk_text", "t" + std::to_string(i)}, {"embedding", {i, 0}}, {"year", 2000 + i % 20},
                             {"lang", i % 2 ? "en" : "fr"}}).dump() + "\n";
  }
  ASSERT_EQ(Cli({"insert", "docs", Write("a.jsonl", jsonl), "--target-file-rows", "30"}).code, 0);
  std::ofstream q(dir_ / "q.fvecs", std::ios::binary);
  int32_t dim = 2;
  float v[2] = {10.2f, 0};  // off-integer so no two rows tie
  q.write(reinterpret_cast<char*>(&dim), 4);
  q.write(reinterpret_cast<char*>(v), 8);
  q.close();
  const std::string qf = (dir_ / "q.fvecs").string();
  auto before = nlohmann::json::parse(Cli({"history", "docs", "--format", "json"}).out);
  // --where filters search results (and the nearest rows that fail it are skipped).
  auto en = Cli({"search", "docs", "--vector-file", qf, "-k", "5", "--where", "lang = 'en' AND year >= 2005",
                 "--columns", "id,lang,year", "--format", "json", "--exact"});
  ASSERT_EQ(en.code, 0) << en.err;
  auto ej = nlohmann::json::parse(en.out);
  ASSERT_EQ(ej["results"].size(), 5u);
  for (const auto& r : ej["results"]) {
    EXPECT_EQ(r["lang"], "en");
    EXPECT_GE(r["year"].get<int>(), 2005);
  }
  EXPECT_EQ(ej["results"][0]["id"], "11");
  // Delete rows 8..12: gone from searches, verify still passes, time travel still sees them.
  auto del = Cli({"delete", "docs", "--where", "id IN ('8','9','10','11','12')"});
  ASSERT_EQ(del.code, 0) << del.err;
  EXPECT_NE(del.out.find("deleted 5 row(s)"), std::string::npos) << del.out;
  auto after = nlohmann::json::parse(Cli({"search", "docs", "--vector-file", qf, "-k", "3", "--format", "json", "--exact"}).out);
  std::vector<std::string> ids;
  for (const auto& r : after["results"]) ids.push_back(r["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"13", "7", "14"}));
  EXPECT_EQ(Cli({"verify", "docs"}).code, 0);
  auto info = nlohmann::json::parse(Cli({"info", "docs", "--format", "json"}).out);
  EXPECT_EQ(info["deleted_rows"], 5);
  auto old = nlohmann::json::parse(Cli({"search", "docs", "--vector-file", qf, "-k", "1", "--format", "json", "--exact",
                                        "--snapshot", std::to_string(before[0]["snapshot_id"].get<int64_t>())}).out);
  EXPECT_EQ(old["results"][0]["id"], "10");
  // Deleting already-deleted rows or nothing commits nothing.
  auto none = Cli({"delete", "docs", "--where", "id = '10'"});
  EXPECT_EQ(none.code, 0);
  EXPECT_NE(none.out.find("nothing committed"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(Cli({"history", "docs", "--format", "json"}).out).size(), 2u);
  // Bad predicates are usage errors naming the problem.
  auto bad = Cli({"delete", "docs", "--where", "year >= "});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("expected a value"), std::string::npos) << bad.err;
  auto badcol = Cli({"search", "docs", "--vector-file", qf, "--where", "colour = 'red'"});
  EXPECT_EQ(badcol.code, 2);
  EXPECT_NE(badcol.err.find("colour"), std::string::npos);
  EXPECT_EQ(Cli({"delete", "docs"}).code, 2);
}

// Every data file of a table is ordinary Parquet: DuckDB reads it with the values `search` returns.
TEST_F(CliTableTest, InsertModesAndDeleteIds) {
  ASSERT_EQ(Cli({"create", "docs", "--dim", "2", "--model", "m@1", "--metric", "euclidean"}).code, 0);
  const std::string a = Write("a.jsonl", "{\"id\":\"x\",\"chunk_text\":\"one\",\"embedding\":[1,0]}\n"
                                         "{\"id\":7,\"chunk_text\":\"two\",\"embedding\":[0,1]}\n");
  auto first = Cli({"insert", "docs", a});
  ASSERT_EQ(first.code, 0) << first.err;
  auto rows = [&] { return nlohmann::json::parse(Cli({"info", "docs", "--format", "json"}).out)["rows"].get<int64_t>(); };
  auto snapshots = [&] { return nlohmann::json::parse(Cli({"history", "docs", "--format", "json"}).out).size(); };
  // The default mode refuses a re-load: exit 1, names an id and the other modes, commits nothing.
  auto again = Cli({"insert", "docs", a});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("id 'x' is already in table default.docs (and 1 more input id(s))"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--mode upsert"), std::string::npos);
  EXPECT_EQ(snapshots(), 1u);
  // upsert: one snapshot, both rows replaced, the row count unchanged.
  auto up = Cli({"insert", "docs", Write("b.jsonl", "{\"id\":\"x\",\"chunk_text\":\"ONE\",\"embedding\":[1,1]}\n"
                                                    "{\"id\":\"y\",\"chunk_text\":\"new\",\"embedding\":[2,2]}\n"),
                 "--mode", "upsert"});
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_NE(up.out.find("upsert: 1 existing row(s) replaced, 1 new, in the same snapshot"), std::string::npos) << up.out;
  EXPECT_EQ(snapshots(), 2u);
  auto hist = nlohmann::json::parse(Cli({"history", "docs", "--format", "json"}).out);
  EXPECT_EQ(hist.back()["summary"]["operation"], "overwrite");
  EXPECT_EQ(hist.back()["summary"]["added-position-deletes"], "1");
  // insert-new skips x and y, adds z.
  auto fresh = Cli({"insert", "docs", Write("c.jsonl", "{\"id\":\"x\",\"chunk_text\":\"X\",\"embedding\":[9,9]}\n"
                                                       "{\"id\":\"z\",\"chunk_text\":\"zed\",\"embedding\":[3,3]}\n"
                                                       "{\"id\":\"y\",\"chunk_text\":\"Y\",\"embedding\":[9,9]}\n"),
                    "--mode", "insert-new"});
  ASSERT_EQ(fresh.code, 0) << fresh.err;
  EXPECT_NE(fresh.out.find("inserted 1 rows"), std::string::npos) << fresh.out;
  EXPECT_NE(fresh.out.find("insert-new: 2 row(s) skipped"), std::string::npos) << fresh.out;
  // Search sees one x, with the upserted text.
  std::ofstream q(dir_ / "q.fvecs", std::ios::binary);
  int32_t dim = 2;
  float v[2] = {1, 1};
  q.write(reinterpret_cast<char*>(&dim), 4);
  q.write(reinterpret_cast<char*>(v), 8);
  q.close();
  auto s = nlohmann::json::parse(Cli({"search", "docs", "--vector-file", (dir_ / "q.fvecs").string(), "-k", "10",
                                      "--format", "json"}).out);
  ASSERT_EQ(s["results"].size(), 4u);  // x, 7, y, z: each once
  EXPECT_EQ(s["results"][0]["id"], "x");
  EXPECT_EQ(s["results"][0]["chunk_text"], "ONE");
  std::set<std::string> ids;
  for (const auto& r : s["results"]) ids.insert(r["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"x", "7", "y", "z"}));
  // Duplicate ids in one input: a data error (exit 1, as every bad row), both lines named.
  auto dup = Cli({"insert", "docs", Write("d.jsonl", "{\"id\":\"q\"}\n{\"id\":\"r\"}\n{\"id\":\"q\"}\n"), "--mode", "upsert"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("d.jsonl line 3: id 'q' repeats"), std::string::npos) << dup.err;
  EXPECT_NE(dup.err.find("d.jsonl line 1"), std::string::npos) << dup.err;
  EXPECT_EQ(Cli({"insert", "docs", a, "--mode", "merge"}).code, 2);
  // delete --ids: exactly those, one commit, unknown ids reported.
  const int64_t before = rows();
  auto del = Cli({"delete", "docs", "--ids", Write("ids.txt", "7\n{\"id\":\"z\"}\nnot-there\n")});
  ASSERT_EQ(del.code, 0) << del.err;
  // 7 was the last live row of the first file (x was upserted away), z the only row of its file:
  // both files are removed rather than given delete files.
  EXPECT_NE(del.out.find("deleted 2 row(s) with 0 position-delete file(s) and 2 data file(s) removed"), std::string::npos)
      << del.out;
  EXPECT_NE(del.out.find("1 id(s) not in the table: not-there"), std::string::npos) << del.out;
  EXPECT_EQ(snapshots(), 4u);
  auto after = nlohmann::json::parse(Cli({"search", "docs", "--vector-file", (dir_ / "q.fvecs").string(), "-k", "10",
                                          "--format", "json"}).out);
  ids.clear();
  for (const auto& r : after["results"]) ids.insert(r["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"x", "y"}));
  EXPECT_EQ(before - 3, rows());  // info counts the rows of live files: x's old copy, 7 and z left with theirs
  EXPECT_EQ(Cli({"delete", "docs", "--ids", (dir_ / "missing.txt").string()}).code, 1);
  EXPECT_EQ(Cli({"delete", "docs", "--ids", Write("e.txt", "x\n"), "--where", "id = 'x'"}).code, 2);
  EXPECT_EQ(Cli({"delete", "docs"}).code, 2);
}

// compact --cluster --cluster-files 2 makes one file per region; search --nprobe 1 reads one of them
// (text and JSON say so) and still finds the query's own region's nearest row.
TEST_F(CliTableTest, CompactClusterAndSearchNprobe) {
  ASSERT_EQ(Cli({"create", "docs", "--dim", "2", "--model", "m@1", "--metric", "euclidean"}).code, 0);
  for (int part = 0; part < 2; ++part) {  // two inserts, each spanning both regions
    std::string jsonl;
    for (int i = 0; i < 100; ++i) {
      const int id = part * 100 + i;
      const float base = id % 2 == 0 ? 0.0f : 100.0f;  // even ids near (0,0), odd near (100,100)
      jsonl += nlohmann::json({{"id", "r" + std::to_string(id)}, {"chunk_text", "t"},
                               {"embedding", {base + 0.01f * float(id), base - 0.01f * float(id)}}})
                   .dump() +
               "\n";
    }
    auto ins = Cli({"insert", "docs", Write("p" + std::to_string(part) + ".jsonl", jsonl)});
    ASSERT_EQ(ins.code, 0) << ins.err;
  }
  EXPECT_NE(Cli({"compact", "docs", "--cluster-files", "2"}).code, 0);  // needs --cluster
  auto c = Cli({"compact", "docs", "--cluster", "--cluster-files", "2", "-q", "--format", "json"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(nlohmann::json::parse(c.out)["files_added"], 2) << c.out;
  std::ofstream q(dir_ / "q.fvecs", std::ios::binary);
  int32_t dim = 2;
  float v[2] = {100.5f, 99.5f};
  q.write(reinterpret_cast<char*>(&dim), 4);
  q.write(reinterpret_cast<char*>(v), 8);
  q.close();
  const std::string qf = (dir_ / "q.fvecs").string();
  auto one = Cli({"search", "docs", "--vector-file", qf, "-k", "3", "--nprobe", "1", "--format", "json"});
  ASSERT_EQ(one.code, 0) << one.err;
  auto j = nlohmann::json::parse(one.out);
  EXPECT_EQ(j["files"]["total"], 2);
  EXPECT_EQ(j["files"]["searched"], 1);
  EXPECT_EQ(j["files"]["pruned"], 1);
  ASSERT_EQ(j["results"].size(), 3u);
  for (const auto& r : j["results"]) {
    const std::string id = r["id"].get<std::string>();
    EXPECT_EQ(std::stoi(id.substr(1)) % 2, 1) << id;  // all from the (100,100) region
  }
  // Exact pruning gives the same top 3 here (the other region cannot win).
  auto all = nlohmann::json::parse(Cli({"search", "docs", "--vector-file", qf, "-k", "3", "--format", "json"}).out);
  EXPECT_EQ(all["results"], j["results"]);
  auto text = Cli({"search", "docs", "--vector-file", qf, "-k", "3", "--nprobe", "1"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("searched 1 of 2 file(s)"), std::string::npos) << text.out;
  EXPECT_NE(Cli({"search", "docs", "--vector-file", qf, "--nprobe", "0"}).code, 0);  // N >= 1
  // --probe-patience 1: the second file (the other region) adds nothing to the top 3 and is the
  // lane's only file, so it is searched; P >= 1 is checked.
  auto patient = Cli({"search", "docs", "--vector-file", qf, "-k", "3", "--probe-patience", "1", "--format", "json"});
  ASSERT_EQ(patient.code, 0) << patient.err;
  EXPECT_EQ(nlohmann::json::parse(patient.out)["results"], all["results"]);
  auto zero = Cli({"search", "docs", "--vector-file", qf, "--probe-patience", "0"});
  EXPECT_NE(zero.code, 0);
  EXPECT_NE(zero.err.find("probe-patience"), std::string::npos) << zero.err;
  // --adaptive-probe 1: the query's region is searched, the other lies far beyond the bisector
  // between the two centroids and is skipped; the answer is the exact one. Bad factors are refused.
  auto adaptive = Cli({"search", "docs", "--vector-file", qf, "-k", "3", "--adaptive-probe", "1", "--format", "json"});
  ASSERT_EQ(adaptive.code, 0) << adaptive.err;
  auto a = nlohmann::json::parse(adaptive.out);
  EXPECT_EQ(a["results"], all["results"]);
  EXPECT_EQ(a["files"]["searched"], 1);
  EXPECT_EQ(a["files"]["pruned"], 1);
  for (const char* bad : {"-1", "x", "nan", "inf", "1001"}) {
    auto r = Cli({"search", "docs", "--vector-file", qf, "--adaptive-probe", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("--adaptive-probe"), std::string::npos) << bad << ": " << r.err;
  }
}

TEST_F(CliTableTest, DuckDbReadsTableDataFiles) {
  ASSERT_EQ(Cli({"create", "docs", "--dim", "8", "--model", "hash-8@seed0", "--columns", "score:double"}).code, 0);
  std::string jsonl;
  for (int i = 0; i < 300; ++i) {
    jsonl += nlohmann::json({{"id", std::to_string(i)}, {"doc_id", "d" + std::to_string(i % 7)},
                             {"chunk_text", "chunk " + std::to_string(i)}, {"score", i * 0.5}})
                 .dump() + "\n";
  }
  ASSERT_EQ(Cli({"insert", "docs", Write("a.jsonl", jsonl), "--embedder", "hash:dim=8", "--target-file-rows", "100"}).code, 0);
  const auto data = std::filesystem::path(wh_) / "default/docs/data";
  int files = 0;
  int64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(data)) {
    ++files;
    auto rows = test_util::DuckDbQuery({"SELECT id, doc_id, chunk_text, score FROM read_parquet('" + e.path().string() +
                                      "') ORDER BY CAST(id AS INTEGER)"});
    ASSERT_EQ(rows.size(), 100u);
    for (const auto& r : rows) {
      int id = std::stoi(r["id"].get<std::string>());
      EXPECT_EQ(r["doc_id"], "d" + std::to_string(id % 7));
      EXPECT_EQ(r["chunk_text"], "chunk " + std::to_string(id));
      EXPECT_DOUBLE_EQ(r["score"].get<double>(), id * 0.5);
      ++total;
    }
    // Iceberg engines map columns by Parquet field id.
    auto ids = test_util::DuckDbQuery({"SELECT name, field_id FROM parquet_schema('" + e.path().string() + "') WHERE field_id IS NOT NULL ORDER BY field_id"});
    ASSERT_EQ(ids.size(), 6u);
    EXPECT_EQ(ids[0]["name"], "id");
    EXPECT_EQ(ids[4]["name"], "embedding");
    EXPECT_EQ(ids[4]["field_id"], 5);
  }
  EXPECT_EQ(files, 3);
  EXPECT_EQ(total, 300);
}

}  // namespace
}  // namespace ailake::cli
