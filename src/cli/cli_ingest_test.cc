// `ailake insert` never drops an input value silently: every field lands in a column or in
// `metadata`, or the insert fails (exit 1) naming the row and the field, and commits nothing.
// JSON Lines, CSV and Parquet (written by DuckDB, an independent writer) inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "core/uuid.h"
#include "testing/oracles.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using Out = testing::CliOut;

class CliIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_ / "wh").string();
    ASSERT_EQ(Cli({"create", "t", "--dim", "4", "--model", "hash-4@seed0", "--columns", "year:int,note:string"}).code, 0);
  }

  Out Cli(std::vector<std::string> args) { return testing::RunCli(std::move(args), wh_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = (dir_ / name).string();
    std::ofstream(p) << content;
    return p;
  }
  // A Parquet file written by DuckDB from a SELECT.
  std::string Parquet(const std::string& name, const std::string& select) {
    std::string p = (dir_ / name).string();
    test_util::DuckDbQuery({"COPY (" + select + ") TO '" + p + "' (FORMAT parquet)"});
    EXPECT_TRUE(fs::exists(p)) << select;
    return p;
  }
  // Every live row by id: the columns id, doc_id, chunk_text, metadata (parsed), year, note.
  std::map<std::string, json> Table() {
    auto r = Cli({"search", "t", "--text", "probe", "--embedder", "hash:dim=4", "--exact", "-k", "100000", "--columns",
                  "id,doc_id,chunk_text,metadata,year,note", "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    std::map<std::string, json> rows;
    if (r.code != 0) return rows;
    const json parsed = json::parse(r.out);
    for (json hit : parsed["results"]) {
      hit.erase("distance");
      if (hit["metadata"].is_string()) {
        json m = json::parse(hit["metadata"].get<std::string>(), nullptr, false);
        if (!m.is_discarded()) hit["metadata"] = m;  // else a plain string, kept as given
      }
      rows[hit["id"]] = hit;
    }
    return rows;
  }
  int64_t Snapshots() {
    auto r = Cli({"info", "t", "--format", "json"});
    return json::parse(r.out)["snapshots"];
  }
  // Runs insert expecting a data error (exit 1) whose message has every phrase, and no commit.
  void ExpectRefused(const std::vector<std::string>& args, const std::vector<std::string>& phrases) {
    const int64_t before = Snapshots();
    std::vector<std::string> a = {"insert", "t"};
    a.insert(a.end(), args.begin(), args.end());
    auto r = Cli(a);
    EXPECT_EQ(r.code, 1) << r.err;
    for (const auto& p : phrases) EXPECT_NE(r.err.find(p), std::string::npos) << "'" << p << "' not in: " << r.err;
    EXPECT_EQ(Snapshots(), before) << "a refused insert committed";
  }

  test_util::TempDir tmp_{"cliingest"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string wh_;
};

// Planted bug (F9): extra fields were collected only when the row had no `metadata`, so "foo"
// vanished next to a metadata object; this test failed on it.
TEST_F(CliIngestTest, ExtraFieldsMergeIntoMetadata) {
  auto j = Cli({"insert", "t", Write("a.jsonl", R"({"id":"j1","chunk_text":"a","metadata":{"k":1},"foo":2,"deep":{"z":[1,{"y":null}]}}
{"id":"j2","chunk_text":"b","metadata":"{\"k\":2}","flag":true}
{"id":"j3","chunk_text":"c","metadata":"plain text"}
)"), "--embedder", "hash:dim=4"});
  ASSERT_EQ(j.code, 0) << j.err;
  auto c = Cli({"insert", "t", Write("b.csv", "id,chunk_text,metadata,foo\nc1,x,\"{\"\"k\"\":3}\",bar\n"), "--embedder",
                "hash:dim=4"});
  ASSERT_EQ(c.code, 0) << c.err;
  auto p = Cli({"insert", "t",
                Parquet("c.parquet", "SELECT 'p1' AS id, 'y' AS chunk_text, '{\"k\":4}' AS metadata, 42 AS foo, "
                                     "[1.5, 2.5]::DOUBLE[] AS scores"),
                "--embedder", "hash:dim=4"});
  ASSERT_EQ(p.code, 0) << p.err;
  auto rows = Table();
  EXPECT_EQ(rows["j1"]["metadata"], json::parse(R"({"k":1,"foo":2,"deep":{"z":[1,{"y":null}]}})"));
  EXPECT_EQ(rows["j2"]["metadata"], json::parse(R"({"k":2,"flag":true})"));
  EXPECT_EQ(rows["j3"]["metadata"], "plain text");  // a non-JSON string with nothing to merge is kept as is
  EXPECT_EQ(rows["c1"]["metadata"], json::parse(R"({"k":3,"foo":"bar"})"));
  EXPECT_EQ(rows["p1"]["metadata"], json::parse(R"({"k":4,"foo":42,"scores":[1.5,2.5]})"));

  // A key in both places is an error, never an overwrite; so is merging into a non-object.
  ExpectRefused({Write("d.jsonl", "{\"id\":\"x\",\"chunk_text\":\"a\"}\n{\"id\":\"y\",\"chunk_text\":\"a\",\"metadata\":{\"k\":1},\"k\":2}\n"),
                 "--embedder", "hash:dim=4"},
                {"line 2", "field 'k' is also a key of 'metadata'"});
  ExpectRefused({Write("e.jsonl", "{\"id\":\"x\",\"chunk_text\":\"a\",\"metadata\":[1],\"foo\":1}\n"), "--embedder", "hash:dim=4"},
                {"line 1", "'metadata' is not a JSON object", "'foo'"});
}

// Nested Parquet values (struct, map, list of struct) are kept as JSON in metadata or in a
// declared string column, or the insert fails naming the column; never dropped (F9: DuckDB's
// `author STRUCT(...)` disappeared). Which of the two depends on the Parquet reader decoding
// nested columns; both are checked.
TEST_F(CliIngestTest, NestedParquetValuesAreKeptOrNamed) {
  struct Case {
    std::string column, select;
    json want;  // the value as JSON
  };
  for (const Case& c : std::vector<Case>{
           {"author", "{'name': 'ann', 'age': 3} AS author", json::parse(R"({"name":"ann","age":3})")},
           {"tags", "MAP {'a': 1, 'b': 2} AS tags", json::parse(R"({"a":1,"b":2})")},
           {"refs", "[{'u': 'x'}, {'u': 'y'}] AS refs", json::parse(R"([{"u":"x"},{"u":"y"}])")},
           {"note", "{'n': 1} AS note", json::parse(R"({"n":1})")},  // a declared string column
       }) {
    const std::string id = "n_" + c.column;
    auto r = Cli({"insert", "t", Parquet(c.column + ".parquet", "SELECT '" + id + "' AS id, 'z' AS chunk_text, " + c.select),
                  "--embedder", "hash:dim=4"});
    if (r.code != 0) {
      EXPECT_EQ(r.code, 1) << r.err;
      EXPECT_NE(r.err.find("column '" + c.column + "'"), std::string::npos) << r.err;
      continue;
    }
    auto rows = Table();
    ASSERT_TRUE(rows.count(id)) << c.column;
    const json got = c.column == "note" ? json::parse(rows[id]["note"].get<std::string>()) : rows[id]["metadata"][c.column];
    EXPECT_EQ(got, c.want) << c.column;
  }
}

// Planted bug (F9): a row whose text was in a field named `text` was inserted with chunk_text null
// and no vector; now it fails unless --text-field maps it, on every input format.
TEST_F(CliIngestTest, TextFieldIsRequiredOrMapped) {
  const std::string jsonl = Write("t.jsonl", "{\"id\":\"j1\",\"text\":\"hello world\"}\n");
  const std::string csv = Write("t.csv", "id,text\nc1,hello csv\n");
  const std::string pq = Parquet("t.parquet", "SELECT 'p1' AS id, 'hello parquet' AS text");
  for (const auto& [file, where] : std::vector<std::pair<std::string, std::string>>{
           {jsonl, "line 1"}, {csv, "record 2"}, {pq, "row 0"}}) {  // CSV records count the header
    ExpectRefused({file, "--embedder", "hash:dim=4"}, {where, "has no 'chunk_text' field", "--text-field"});
    auto ok = Cli({"insert", "t", file, "--embedder", "hash:dim=4", "--text-field", "text"});
    ASSERT_EQ(ok.code, 0) << ok.err;
  }
  auto rows = Table();
  EXPECT_EQ(rows["j1"]["chunk_text"], "hello world");
  EXPECT_EQ(rows["c1"]["chunk_text"], "hello csv");
  EXPECT_EQ(rows["p1"]["chunk_text"], "hello parquet");
  EXPECT_TRUE(rows["j1"]["metadata"].is_null());  // `text` became the text column, not an extra field
  // Both the mapped field and the column: ambiguous.
  ExpectRefused({Write("both.jsonl", "{\"id\":\"x\",\"text\":\"a\",\"chunk_text\":\"b\"}\n"), "--embedder", "hash:dim=4",
                 "--text-field", "text"},
                {"line 1", "has both 'text'"});
  // An explicit null text is a deliberate row without text: kept, with a null vector.
  auto null_text = Cli({"insert", "t", Write("n.jsonl", "{\"id\":\"nt\",\"chunk_text\":null}\n"), "--embedder", "hash:dim=4"});
  EXPECT_EQ(null_text.code, 0) << null_text.err;
  EXPECT_NE(null_text.out.find("1 without a vector"), std::string::npos) << null_text.out;
}

TEST_F(CliIngestTest, IdIsRequiredUnlessGenerated) {
  const std::string f = Write("i.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\"}\n{\"chunk_text\":\"y\"}\n");
  ExpectRefused({f, "--embedder", "hash:dim=4"}, {"line 2", "has no 'id'", "--generate-ids"});
  ExpectRefused({Write("c.csv", "id,chunk_text\n,x\n"), "--embedder", "hash:dim=4"}, {"record 2", "has no 'id'"});
  ExpectRefused({Write("f.jsonl", "{\"id\":7.5,\"chunk_text\":\"x\"}\n"), "--embedder", "hash:dim=4"},
                {"line 1", "'id' must be a string or an integer, got 7.5"});
  ASSERT_EQ(Cli({"insert", "t", f, "--embedder", "hash:dim=4", "--generate-ids"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Write("n.jsonl", "{\"id\":7,\"chunk_text\":\"x\"}\n"), "--embedder", "hash:dim=4"}).code, 0);
  auto rows = Table();
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows.count("a") && rows.count("7"));
}

// F25: an explicit "embedding": null was reported as a missing field.
TEST_F(CliIngestTest, NullAndMissingVectorsAreToldApart) {
  ExpectRefused({Write("n.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"embedding\":null}\n")},
                {"line 1", "'embedding' is null", "--embedder"});
  ExpectRefused({Write("m.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\"}\n")}, {"line 1", "has no 'embedding' field"});
}

// A row with neither text nor vector keeps a null vector; --where finds such rows by the vector
// column (IS [NOT] NULL is the one test a vector column takes), in search and delete alike.
TEST_F(CliIngestTest, NullVectorsAreFoundByWhere) {
  auto in = Cli({"insert", "t", Write("nv.jsonl", "{\"id\":\"v1\",\"chunk_text\":\"x\",\"embedding\":[1,0,0,0]}\n"
                                                  "{\"id\":\"n1\",\"chunk_text\":null}\n"
                                                  "{\"id\":\"v2\",\"chunk_text\":\"y\",\"embedding\":[0,1,0,0]}\n"
                                                  "{\"id\":\"n2\",\"chunk_text\":null,\"embedding\":null}\n")});
  ASSERT_EQ(in.code, 0) << in.err;
  std::ofstream(dir_ / "q.fvecs", std::ios::binary).write("\4\0\0\0\0\0\x80\x3f\0\0\0\0\0\0\0\0\0\0\0\0", 20);
  auto s = Cli({"search", "t", "--vector-file", (dir_ / "q.fvecs").string(), "--exact", "--where", "embedding IS NOT NULL",
                "--format", "json"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(json::parse(s.out)["results"].size(), 2u) << s.out;
  auto bad = Cli({"delete", "t", "--where", "embedding = 'x'"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("a vector column"), std::string::npos) << bad.err;
  auto d = Cli({"delete", "t", "--where", "embedding IS NULL", "--format", "json"});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(json::parse(d.out)["rows_deleted"], 2) << d.out;
  const json info = json::parse(Cli({"info", "t", "--format", "json"}).out);
  EXPECT_EQ(info["live_rows"], 2) << info.dump();
  auto rows = Table();
  EXPECT_TRUE(rows.count("v1") && rows.count("v2"));
}

// A vector given as a JSON string is refused (it was parsed as if it were an array); a CSV cell is
// text by nature and is parsed.
TEST_F(CliIngestTest, VectorsAsStringsAreRefusedOutsideCsv) {
  ExpectRefused({Write("s.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"embedding\":\"[1,2,3,4]\"}\n")},
                {"line 1", "field 'embedding' is a string"});
  ExpectRefused({Parquet("s.parquet", "SELECT 'a' AS id, 'x' AS chunk_text, '[1,2,3,4]' AS embedding")},
                {"row 0", "field 'embedding' is a string"});
  auto csv = Cli({"insert", "t", Write("v.csv", "id,chunk_text,embedding\nc1,x,\"[1,2,3,4]\"\n")});
  EXPECT_EQ(csv.code, 0) << csv.err;
}

// Issue 12: an input without line breaks must not grow memory without bound.
TEST_F(CliIngestTest, EndlessLinesFailAtTheLimit) {
  ExpectRefused({"/dev/zero", "--input-format", "jsonl"}, {"line 1 is longer than 64 MiB"});
  ExpectRefused({"/dev/zero", "--input-format", "csv"}, {"longer than 64 MiB"});
}

// Issue 12: 70000 does not fit f16; it was stored as +Inf. Planted bug: without CheckStorable in
// ParseVector and the file writer this insert committed and the test failed.
TEST_F(CliIngestTest, F16RangeIsCheckedAtWriteTime) {
  ExpectRefused({Write("big.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"embedding\":[1,1,1,1]}\n"
                                    "{\"id\":\"b\",\"chunk_text\":\"x\",\"embedding\":[70000,1,1,1]}\n")},
                {"line 2", "element 0 is 70000", "f16 range", "--precision f32"});
  auto edge = Cli({"insert", "t", Write("edge.jsonl", "{\"id\":\"e\",\"chunk_text\":\"x\",\"embedding\":[65504,-65504,1,1]}\n")});
  EXPECT_EQ(edge.code, 0) << edge.err;
  ASSERT_EQ(Cli({"create", "t32", "--dim", "4", "--model", "m", "--precision", "f32"}).code, 0);
  auto f32 = Cli({"insert", "t32", Write("big32.jsonl", "{\"id\":\"b\",\"chunk_text\":\"x\",\"embedding\":[70000,1,1,1]}\n")});
  EXPECT_EQ(f32.code, 0) << f32.err;
}

// Every input value is recoverable from the table: columns by name, every other field in metadata,
// for JSONL, CSV and Parquet.
TEST_F(CliIngestTest, RoundTripKeepsEveryValue) {
  const json in = json::parse(R"([
    {"id":"r1","doc_id":"d1","chunk_text":"first text","year":2001,"note":"n1","lang":"en","score":0.25,"ok":true,
     "missing":null,"nested":{"a":[1,2,{"b":"c"}]}},
    {"id":2,"doc_id":null,"chunk_text":"second text","year":null,"note":{"as":"json"},"metadata":{"m":1},"extra":"x"}
  ])");
  std::string jsonl;
  for (const auto& r : in) jsonl += r.dump() + "\n";
  ASSERT_EQ(Cli({"insert", "t", Write("rt.jsonl", jsonl), "--embedder", "hash:dim=4"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Write("rt.csv", "id,doc_id,chunk_text,year,note,lang\nc1,d9,csv text,1999,,fr\n"),
                 "--embedder", "hash:dim=4"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t",
                 Parquet("rt.parquet", "SELECT 'q1' AS id, 'pq text' AS chunk_text, 2020 AS year, 'xx' AS lang, "
                                       "DATE '2024-01-02' AS day, 3.5::DOUBLE AS w"),
                 "--embedder", "hash:dim=4"}).code, 0);
  auto rows = Table();
  ASSERT_EQ(rows.size(), 4u);
  const json r1 = rows["r1"], r2 = rows["2"], c1 = rows["c1"], q1 = rows["q1"];
  EXPECT_EQ(r1["doc_id"], "d1");
  EXPECT_EQ(r1["chunk_text"], "first text");
  EXPECT_EQ(r1["year"], 2001);
  EXPECT_EQ(r1["note"], "n1");
  EXPECT_EQ(r1["metadata"], json::parse(R"({"lang":"en","score":0.25,"ok":true,"missing":null,"nested":{"a":[1,2,{"b":"c"}]}})"));
  EXPECT_TRUE(r2["doc_id"].is_null());
  EXPECT_TRUE(r2["year"].is_null());
  EXPECT_EQ(json::parse(r2["note"].get<std::string>()), json::parse(R"({"as":"json"})"));
  EXPECT_EQ(r2["metadata"], json::parse(R"({"m":1,"extra":"x"})"));
  EXPECT_EQ(c1["doc_id"], "d9");
  EXPECT_EQ(c1["year"], 1999);
  EXPECT_TRUE(c1["note"].is_null());
  EXPECT_EQ(c1["metadata"], json::parse(R"({"lang":"fr"})"));
  EXPECT_EQ(q1["year"], 2020);
  EXPECT_EQ(q1["metadata"], json::parse(R"({"lang":"xx","day":"2024-01-02","w":3.5})"));
}

// Issue 13: `insert` took 2023-02-31 (sscanf and a day <= 31 check). Dates and timestamps now go
// through the one calendar (core/civil_time.h): an impossible one fails naming the row and the
// field, on every input format, and commits nothing; real ones land exactly.
TEST_F(CliIngestTest, DatesAndTimestampsMustBeRealOnes) {
  ASSERT_EQ(Cli({"create", "dt", "--dim", "4", "--model", "hash-4@seed0", "--columns", "day:date,at:timestamptz"}).code, 0);
  auto snapshots = [&] { return json::parse(Cli({"info", "dt", "--format", "json"}).out)["snapshots"].get<int64_t>(); };
  auto refused = [&](const std::string& file, const std::vector<std::string>& phrases) {
    auto r = Cli({"insert", "dt", file, "--embedder", "hash:dim=4"});
    EXPECT_EQ(r.code, 1) << r.err;
    for (const auto& p : phrases) EXPECT_NE(r.err.find(p), std::string::npos) << "'" << p << "' not in: " << r.err;
  };
  refused(Write("a.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"day\":\"2024-02-29\"}\n"
                           "{\"id\":\"b\",\"chunk_text\":\"y\",\"day\":\"2023-02-31\"}\n"),
          {"line 2", "column 'day'", "'2023-02-31' is not a calendar date"});
  refused(Write("b.csv", "id,chunk_text,day\nc1,x,2024-01-01\nc2,y,2023-02-31\n"),
          {"record 3", "column 'day'", "'2023-02-31' is not a calendar date"});
  refused(Write("c.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"day\":\"1900-02-29\"}\n"), {"line 1", "column 'day'"});
  refused(Write("d.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"day\":\"2023-2-3\"}\n"),
          {"line 1", "column 'day'", "'2023-2-3' is not a date", "YYYY-MM-DD"});
  refused(Write("e.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"at\":\"2024-01-01T24:00:00Z\"}\n"),
          {"line 1", "column 'at'", "is not a time of day"});
  refused(Write("f.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"at\":\"2023-02-31T10:00:00Z\"}\n"),
          {"line 1", "column 'at'", "is not a calendar date"});
  refused(Write("g.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"at\":\"2024-01-01T10:00:00+1\"}\n"),
          {"line 1", "column 'at'", "malformed UTC offset"});
  refused(Write("h.jsonl", "{\"id\":\"a\",\"chunk_text\":\"x\",\"day\":20240101}\n"), {"line 1", "column 'day'"});
  refused(Parquet("i.parquet", "SELECT 'p' AS id, 'z' AS chunk_text, '2023-02-31' AS day"), {"row 0", "column 'day'"});
  EXPECT_EQ(snapshots(), 0) << "a refused insert committed";

  // Real ones: offsets, a date alone for a timestamp (its midnight), digits past microseconds
  // dropped, and the years beyond 9999 that the Parquet reader prints.
  auto ok = Cli({"insert", "dt",
                 Write("ok.jsonl", "{\"id\":\"j1\",\"chunk_text\":\"a\",\"day\":\"2024-02-29\",\"at\":\"2024-02-29T23:30:00.1234567-01:00\"}\n"
                                   "{\"id\":\"j2\",\"chunk_text\":\"b\",\"day\":\"2000-02-29\",\"at\":\"2024-03-01\"}\n"
                                   "{\"id\":\"j3\",\"chunk_text\":\"c\",\"day\":\"12345-01-01\",\"at\":\"1969-12-31 23:59\"}\n"),
                 "--embedder", "hash:dim=4"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  auto pq = Cli({"insert", "dt",
                 Parquet("ok.parquet", "SELECT 'p1' AS id, 'd' AS chunk_text, DATE '1900-02-28' AS day, "
                                       "TIMESTAMPTZ '2024-01-02 03:04:05.678901+00' AS at"),
                 "--embedder", "hash:dim=4"});
  ASSERT_EQ(pq.code, 0) << pq.err;
  auto r = Cli({"search", "dt", "--text", "probe", "--embedder", "hash:dim=4", "--exact", "-k", "10", "--columns", "id,day,at",
                "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::map<std::string, json> rows;
  const json found = json::parse(r.out);
  for (const json& hit : found["results"]) rows[hit["id"].get<std::string>()] = hit;
  EXPECT_EQ(rows.size(), 4u) << r.out;
  EXPECT_EQ(rows["j1"]["day"], "2024-02-29");
  EXPECT_EQ(rows["j1"]["at"], "2024-03-01T00:30:00.123456Z");
  EXPECT_EQ(rows["j2"]["day"], "2000-02-29");
  EXPECT_EQ(rows["j2"]["at"], "2024-03-01T00:00:00.000000Z");
  EXPECT_EQ(rows["j3"]["day"], "12345-01-01");
  EXPECT_EQ(rows["j3"]["at"], "1969-12-31T23:59:00.000000Z");
  EXPECT_EQ(rows["p1"]["day"], "1900-02-28");
  EXPECT_EQ(rows["p1"]["at"], "2024-01-02T03:04:05.678901Z");
}

}  // namespace
}  // namespace ailake::cli
