// Table management end to end: list, drop (with and without --purge), alter (add and rename columns,
// resolved by field id in old files), the warehouse/catalog environment variables, global options
// before the command, and read-only commands leaving no warehouse behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "core/uuid.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;

using Out = testing::CliOut;

class CliCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_ / "wh").string();
    unsetenv("AILAKE_WAREHOUSE");
    unsetenv("AILAKE_CATALOG");
  }
  void TearDown() override {
    unsetenv("AILAKE_WAREHOUSE");
    unsetenv("AILAKE_CATALOG");
  }
  Out Raw(const std::vector<std::string>& args) {
    std::ostringstream o, e;
    int code = cli::Run(args, o, e);
    return {code, o.str(), e.str()};
  }
  Out Cli(std::vector<std::string> args) {
    args.push_back("--warehouse");
    args.push_back(wh_);
    return Raw(args);
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = (dir_ / name).string();
    std::ofstream(p) << content;
    return p;
  }
  // Rows id<prefix><i> with a 4-d vector; `extra` adds fields to every row.
  std::string Rows(const std::string& name, const std::string& prefix, int n, const nlohmann::json& extra = {},
                   int first = 0) {
    std::string jsonl;
    for (int i = first; i < first + n; ++i) {
      nlohmann::json row = {{"id", prefix + std::to_string(i)}, {"chunk_text", "t"}, {"embedding", {i, 1, 0, 0}}};
      for (auto& [k, v] : extra.items()) row[k] = v.is_string() && v.get<std::string>() == "$i" ? nlohmann::json(i) : v;
      jsonl += row.dump() + "\n";
    }
    return Write(name, jsonl);
  }
  std::string Query() {
    std::string p = (dir_ / "q.fvecs").string();
    std::ofstream q(p, std::ios::binary);
    int32_t dim = 4;
    float v[4] = {0, 1, 0, 0};
    q.write(reinterpret_cast<char*>(&dim), 4);
    q.write(reinterpret_cast<char*>(v), 16);
    return p;
  }
  // Every hit of an exact search for k rows, as id -> the requested columns.
  std::map<std::string, nlohmann::json> Search(const std::string& table, const std::string& columns, int k,
                                               const std::string& where = "") {
    std::vector<std::string> args = {"search", table, "--vector-file", Query(), "-k", std::to_string(k), "--exact",
                                     "--columns", "id," + columns, "--format", "json"};
    if (!where.empty()) {
      args.push_back("--where");
      args.push_back(where);
    }
    auto s = Cli(args);
    EXPECT_EQ(s.code, 0) << s.err;
    std::map<std::string, nlohmann::json> out;
    if (s.code != 0) return out;
    const nlohmann::json parsed = nlohmann::json::parse(s.out);  // named: a range-for over a temporary's member dangles
    for (const auto& r : parsed["results"]) out[r["id"].get<std::string>()] = r;
    return out;
  }
  nlohmann::json CurrentMetadata(const std::string& ns, const std::string& table) {
    fs::path meta = fs::path(wh_) / ns / table / "metadata";
    std::string hint;
    std::ifstream(meta / "version-hint.text") >> hint;
    std::ifstream in(meta / ("v" + hint + ".metadata.json"));
    return nlohmann::json::parse(in);
  }
  test_util::TempDir tmp_{"clicatalog"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string wh_;
};

TEST_F(CliCatalogTest, ListShowsEveryTableSortedAndByNamespace) {
  for (const char* t : {"zeta.t2", "alpha.t9", "alpha.t1", "plain"}) {
    ASSERT_EQ(Cli({"create", t, "--dim", "4", "--model", "m@1"}).code, 0) << t;
  }
  auto all = Cli({"list"});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(all.out, "alpha.t1\nalpha.t9\ndefault.plain\nzeta.t2\n");
  auto one = Cli({"list", "alpha", "--format", "json"});
  ASSERT_EQ(one.code, 0) << one.err;
  auto j = nlohmann::json::parse(one.out);
  ASSERT_EQ(j["tables"].size(), 2u);
  EXPECT_EQ(j["tables"][0]["name"], "alpha.t1");
  EXPECT_EQ(j["tables"][1]["table"], "t9");
  auto none = Cli({"list", "nothing"});
  EXPECT_EQ(none.code, 0);
  EXPECT_NE(none.out.find("no tables"), std::string::npos);
  EXPECT_EQ(Cli({"list", "bad/ns"}).code, 2);
  EXPECT_EQ(Cli({"list", "a", "b"}).code, 2);
}

TEST_F(CliCatalogTest, DropKeepsFilesAndPurgeDeletesOnlyThatTable) {
  for (const char* t : {"keep", "gone", "purged"}) {
    ASSERT_EQ(Cli({"create", t, "--dim", "4", "--model", "m@1"}).code, 0);
    auto ins = Cli({"insert", t, Rows(std::string(t) + ".jsonl", t, 20)});
    ASSERT_EQ(ins.code, 0) << ins.err;
  }
  auto d = Cli({"drop", "gone"});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_TRUE(fs::exists(fs::path(wh_) / "default" / "gone" / "data"));  // data kept without --purge
  auto p = Cli({"drop", "purged", "--purge", "--format", "json"});
  ASSERT_EQ(p.code, 0) << p.err;
  auto pj = nlohmann::json::parse(p.out);
  EXPECT_TRUE(pj["purged"].get<bool>());
  EXPECT_GT(pj["files_deleted"].get<int64_t>(), 2);
  size_t left = 0;
  for (auto& e : fs::recursive_directory_iterator(fs::path(wh_) / "default" / "purged")) left += e.is_regular_file();
  EXPECT_EQ(left, 0u);
  EXPECT_EQ(Cli({"list"}).out, "default.keep\n");
  // The neighbour is untouched: verified, and every one of its rows is still found.
  auto v = Cli({"verify", "keep"});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_EQ(Search("keep", "chunk_text", 100).size(), 20u);
  // Dropping what is gone is an error naming the table.
  auto again = Cli({"drop", "purged"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("purged"), std::string::npos);
}

TEST_F(CliCatalogTest, PurgeRefusesWhenAnotherTablesMetadataSharesTheFolder) {
  ASSERT_EQ(Cli({"create", "a", "--dim", "4", "--model", "m@1"}).code, 0);
  ASSERT_EQ(Cli({"create", "b", "--dim", "4", "--model", "m@1"}).code, 0);
  ASSERT_EQ(Cli({"insert", "a", Rows("a.jsonl", "a", 5)}).code, 0);
  // Another table's metadata file inside a's folder (as a second catalog owning the location would
  // leave): purging a must not delete it, nor anything else.
  fs::path foreign = fs::path(wh_) / "default" / "a" / "metadata" / "00001-other.metadata.json";
  fs::copy_file(fs::path(wh_) / "default" / "b" / "metadata" / "v1.metadata.json", foreign);
  size_t before = 0;
  for (auto& e : fs::recursive_directory_iterator(fs::path(wh_) / "default" / "a")) before += e.is_regular_file();
  auto p = Cli({"drop", "a", "--purge"});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("00001-other.metadata.json"), std::string::npos) << p.err;
  size_t after = 0;
  for (auto& e : fs::recursive_directory_iterator(fs::path(wh_) / "default" / "a")) after += e.is_regular_file();
  EXPECT_EQ(after, before);
  EXPECT_EQ(Search("a", "chunk_text", 10).size(), 5u);
}

TEST_F(CliCatalogTest, AddColumnReadsNullInOlderFilesAndFilters) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "4", "--model", "m@1"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Rows("old.jsonl", "old", 10)}).code, 0);
  const int last_before = CurrentMetadata("default", "t")["last-column-id"];
  auto a = Cli({"alter", "t", "--add-column", "score:double,lang:string", "--format", "json"});
  ASSERT_EQ(a.code, 0) << a.err;
  auto aj = nlohmann::json::parse(a.out);
  ASSERT_EQ(aj["added"].size(), 2u);
  EXPECT_EQ(aj["added"][0]["field_id"], last_before + 1);
  EXPECT_EQ(aj["added"][1]["field_id"], last_before + 2);
  // The Iceberg schema other engines read: optional fields with the fresh ids.
  auto meta = CurrentMetadata("default", "t");
  bool found = false;
  for (auto& s : meta["schemas"]) {
    if (s["schema-id"] != meta["current-schema-id"]) continue;
    for (auto& f : s["fields"]) {
      if (f["name"] == "score") {
        found = true;
        EXPECT_EQ(f["id"], last_before + 1);
        EXPECT_EQ(f["type"], "double");
        EXPECT_FALSE(f["required"].get<bool>());
      }
    }
  }
  EXPECT_TRUE(found);
  ASSERT_EQ(Cli({"insert", "t", Rows("new.jsonl", "new", 10, {{"score", "$i"}, {"lang", "en"}}, 10)}).code, 0);
  auto all = Search("t", "score,lang", 100);
  ASSERT_EQ(all.size(), 20u);
  EXPECT_TRUE(all["old3"]["score"].is_null());
  EXPECT_TRUE(all["old3"]["lang"].is_null());
  EXPECT_EQ(all["new13"]["score"], 13.0);
  EXPECT_EQ(all["new13"]["lang"], "en");
  EXPECT_EQ(Search("t", "score", 100, "score >= 15").size(), 5u);
  EXPECT_EQ(Search("t", "score", 100, "score IS NULL").size(), 10u);
  // Errors: a taken name, a bad type, nothing to do.
  EXPECT_EQ(Cli({"alter", "t", "--add-column", "score:long"}).code, 2);
  auto bad = Cli({"alter", "t", "--add-column", "x:vector"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("'x'"), std::string::npos);
  EXPECT_EQ(Cli({"alter", "t"}).code, 2);
  EXPECT_EQ(Cli({"alter", "t", "--add-column", "novalue"}).code, 2);
  // A planned migration pins the schema it rewrites to: alter waits for it to finish or be aborted.
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=8,seed=0", "--new-model", "h8@1"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto busy = Cli({"alter", "t", "--add-column", "later:int"});
  EXPECT_EQ(busy.code, 1);
  EXPECT_NE(busy.err.find("migration in progress"), std::string::npos) << busy.err;
  ASSERT_EQ(Cli({"migrate", "abort", "t"}).code, 0);
  EXPECT_EQ(Cli({"alter", "t", "--add-column", "later:int"}).code, 0);
}

// Planted: ResolveFileLeaf matching leaves by name instead of field id. After renaming year -> yr and
// adding a new column named year, the old files' leaf "year" (old id, values 2000..) made
// `year IS NULL` skip their row groups: 0 rows instead of 10. Likewise FilterFile by name read the old
// values as the new column.
TEST_F(CliCatalogTest, RenameKeepsOldFilesReadableByFieldId) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "4", "--model", "m@1", "--columns", "year:int"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Rows("old.jsonl", "old", 10, {{"year", 2000}})}).code, 0);
  auto r = Cli({"alter", "t", "--rename-column", "year:yr"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto all = Search("t", "yr", 100);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all["old4"]["yr"], 2000);
  EXPECT_EQ(Search("t", "yr", 100, "yr = 2000").size(), 10u);
  EXPECT_EQ(Cli({"search", "t", "--vector-file", Query(), "--columns", "year"}).code, 2);  // the old name is gone
  // A new column may take the old name: it is a different column (new id), NULL in the old files.
  ASSERT_EQ(Cli({"alter", "t", "--add-column", "year:long"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Rows("new.jsonl", "new", 5, {{"year", 7}, {"yr", 1999}}, 10)}).code, 0);
  auto mixed = Search("t", "yr,year", 100);
  ASSERT_EQ(mixed.size(), 15u);
  EXPECT_EQ(mixed["old4"]["yr"], 2000);
  EXPECT_TRUE(mixed["old4"]["year"].is_null());
  EXPECT_EQ(mixed["new12"]["yr"], 1999);
  EXPECT_EQ(mixed["new12"]["year"], 7);
  EXPECT_EQ(Search("t", "year", 100, "year IS NULL").size(), 10u);
  EXPECT_EQ(Search("t", "year", 100, "year = 7").size(), 5u);
  EXPECT_EQ(Search("t", "yr", 100, "yr >= 2000").size(), 10u);
  // ailake's own columns cannot be renamed (ingest, upsert and migration find them by name).
  for (const char* c : {"id:key", "chunk_text:body", "embedding:vec", "metadata:meta", "doc_id:doc"}) {
    auto no = Cli({"alter", "t", "--rename-column", c});
    EXPECT_EQ(no.code, 2) << c;
    EXPECT_NE(no.err.find("cannot rename"), std::string::npos) << no.err;
  }
  EXPECT_EQ(Cli({"alter", "t", "--rename-column", "nope:x"}).code, 2);
  EXPECT_EQ(Cli({"alter", "t", "--rename-column", "yr:year"}).code, 2);  // taken
}

TEST_F(CliCatalogTest, WarehouseAndCatalogFromEnvironmentFlagsWin) {
  ASSERT_EQ(Raw({"create", "t", "--dim", "4", "--model", "m@1", "--warehouse", wh_, "--catalog", "sqlite"}).code, 0);
  setenv("AILAKE_WAREHOUSE", wh_.c_str(), 1);
  setenv("AILAKE_CATALOG", "sqlite", 1);
  auto info = Raw({"info", "t"});
  EXPECT_EQ(info.code, 0) << info.err;
  // The flag wins over the variable: the fs catalog has no table t.
  auto fsinfo = Raw({"info", "t", "--catalog", "fs"});
  EXPECT_EQ(fsinfo.code, 1);
  // ... and so does --warehouse.
  auto other = Raw({"info", "t", "--warehouse", (dir_ / "elsewhere").string()});
  EXPECT_EQ(other.code, 2);
  EXPECT_NE(other.err.find("elsewhere"), std::string::npos);
  setenv("AILAKE_CATALOG", "oracle", 1);
  auto bad = Raw({"info", "t"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("AILAKE_CATALOG"), std::string::npos);
}

TEST_F(CliCatalogTest, GlobalOptionsBeforeTheCommand) {
  ASSERT_EQ(Raw({"--warehouse", wh_, "create", "t", "--dim", "4", "--model", "m@1"}).code, 0);
  ASSERT_EQ(Raw({"--warehouse=" + wh_, "--format", "json", "list"}).code, 0);
  auto j = Raw({"--warehouse", wh_, "--format", "json", "list"});
  EXPECT_EQ(nlohmann::json::parse(j.out)["tables"].size(), 1u);
  auto bad = Raw({"--dim", "4", "create", "t"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--dim"), std::string::npos);
  EXPECT_EQ(Raw({"--warehouse", wh_}).code, 2);
  EXPECT_EQ(Raw({"--warehouse"}).code, 2);
}

TEST_F(CliCatalogTest, ReadOnlyCommandsLeaveNoWarehouseBehind) {
  const std::string missing = (dir_ / "typo").string();
  for (std::vector<std::string> args : {std::vector<std::string>{"info", "t"}, {"list"}, {"search", "t", "--text", "x"},
                                        {"history", "t"}, {"verify", "t"}}) {
    args.push_back("--warehouse");
    args.push_back(missing);
    auto r = Raw(args);
    EXPECT_EQ(r.code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(missing)) << args[0];
  }
  auto empty = Raw({"info", "t", "--warehouse", ""});
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("empty"), std::string::npos);
}

}  // namespace
}  // namespace ailake::cli
