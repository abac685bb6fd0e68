// Interop: files written by DuckDB (an independent Parquet writer) are read by ParquetReader and
// every value is compared with what DuckDB itself reads back from the same file.
//
// The oracle is tests/interop/duckdb_sql.mjs (node + @duckdb/node-api, installed by
// scripts/setup.sh). A missing oracle fails the test: interop is part of the bar, never skipped.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "parquet/reader.h"
#include "parquet/value_json.h"
#include "testing/oracles.h"
#include "testing/temp_dir.h"

namespace ailake::parquet {
namespace {

using nlohmann::json;

// Files DuckDB writes for this run; removed at exit.
std::string ScratchDir() {
  static test_util::TempDir dir("reader_duckdb");
  return dir.str();
}

// "2020-01-01T00:00:01.500000Z" and "2020-01-01T00:00:01.5Z" are the same instant.
std::string NormalizeTimestamp(std::string s) {
  auto dot = s.find('.');
  if (dot == std::string::npos || s.empty() || s.back() != 'Z') return s;
  std::string frac = s.substr(dot + 1, s.size() - dot - 2);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return s.substr(0, dot) + (frac.empty() ? "" : "." + frac) + "Z";
}

// Compares one value; floats (32-bit) with a relative tolerance because DuckDB widens them to
// double before printing while we print the shortest float representation.
void ExpectSame(const json& ours, const json& theirs, bool is_float, const std::string& where) {
  if (theirs.is_array()) {
    ASSERT_TRUE(ours.is_array()) << where << ": ours " << ours.dump() << " theirs " << theirs.dump();
    ASSERT_EQ(ours.size(), theirs.size()) << where << ": ours " << ours.dump() << " theirs " << theirs.dump();
    for (size_t i = 0; i < ours.size(); ++i) ExpectSame(ours[i], theirs[i], is_float, where + "[" + std::to_string(i) + "]");
    return;
  }
  if (theirs.is_number() && ours.is_number()) {
    if (theirs.is_number_integer() && ours.is_number_integer()) {
      EXPECT_EQ(ours.get<int64_t>(), theirs.get<int64_t>()) << where;
      return;
    }
    const double a = ours.get<double>(), b = theirs.get<double>();
    if (is_float) EXPECT_NEAR(a, b, 1e-6 * std::max(1.0, std::fabs(b))) << where;
    else EXPECT_EQ(a, b) << where;
    return;
  }
  if (theirs.is_string() && ours.is_string()) {
    EXPECT_EQ(NormalizeTimestamp(ours.get<std::string>()), NormalizeTimestamp(theirs.get<std::string>())) << where;
    return;
  }
  EXPECT_EQ(ours, theirs) << where;
}

// Writes `select` to a Parquet file with DuckDB using `options`, reads it with ParquetReader and
// compares every value with DuckDB's own reading of the file.
void CheckRoundTrip(const std::string& name, const std::string& select, const std::string& options,
                    int64_t expect_row_groups_at_least = 1) {
  SCOPED_TRACE(name);
  const std::string path = ScratchDir() + "/" + name + ".parquet";
  std::filesystem::remove(path);
  test_util::DuckDbQuery({"COPY (" + select + ") TO '" + path + "' (FORMAT PARQUET" + (options.empty() ? "" : ", " + options) + ")",
          "SELECT 1"});
  ASSERT_TRUE(std::filesystem::exists(path)) << "DuckDB did not write " << path;
  std::vector<json> expected = test_util::DuckDbQuery({"SELECT * FROM read_parquet('" + path + "')"});
  auto reader = ParquetReader::OpenPath(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ParquetReader& r = **reader;
  EXPECT_GE(r.num_row_groups(), expect_row_groups_at_least);
  for (int f = 0; f < static_cast<int>(r.schema().fields.size()); ++f)
    ASSERT_TRUE(r.supported(f)) << "field " << r.schema().fields[f].name << " unsupported";
  ASSERT_EQ(r.num_rows(), static_cast<int64_t>(expected.size()));
  // Row group by row group (exercises per-chunk reads) and also ReadAll.
  int64_t row = 0;
  for (int rg = 0; rg < r.num_row_groups(); ++rg) {
    auto batch = r.ReadRowGroup(rg, {});
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_TRUE(batch->Validate().ok()) << batch->Validate().ToString();
    for (int64_t i = 0; i < batch->num_rows; ++i, ++row) {
      json ours = json::parse(RowToJson(*batch, i));
      const json& theirs = expected[static_cast<size_t>(row)];
      for (const Field& f : batch->schema.fields) {
        const bool is_float = f.type == DataType::kFloat || (f.type == DataType::kList && f.element_type == DataType::kFloat);
        ExpectSame(ours[f.name], theirs[f.name], is_float, "row " + std::to_string(row) + " column " + f.name);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
  EXPECT_EQ(row, r.num_rows());
  auto all = r.ReadAll({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_TRUE(all->Validate().ok()) << all->Validate().ToString();
  ASSERT_EQ(all->num_rows, r.num_rows());
  for (int64_t i = 0; i < all->num_rows; i += 97) {
    json ours = json::parse(RowToJson(*all, i));
    for (const Field& f : all->schema.fields) {
      const bool is_float = f.type == DataType::kFloat || (f.type == DataType::kList && f.element_type == DataType::kFloat);
      ExpectSame(ours[f.name], expected[static_cast<size_t>(i)][f.name], is_float, "ReadAll row " + std::to_string(i));
    }
  }
}

// A mixed table: ints of every width, doubles, floats, bools, dictionary strings with nulls,
// free-form strings, blobs, dates, timestamps, list<float> (with null and empty lists, null
// elements), list<int>, list<string>.
const char* kMixedSelect =
    "SELECT range::BIGINT AS id, (range % 100)::TINYINT AS i8, (range * 7 % 30000)::SMALLINT AS i16, "
    "(range * 13)::INTEGER AS i32, (range % 200)::UTINYINT AS u8, (range % 60000)::USMALLINT AS u16, "
    "(range * 100003 % 4000000000)::UINTEGER AS u32, "
    "range * 1.25::DOUBLE - 3 AS d, (range / 3.0)::FLOAT AS f, range % 3 = 0 AS b, "
    "CASE WHEN range % 5 = 0 THEN NULL ELSE 'cat_' || (range % 7) END AS s_dict, "
    "'row-' || range || repeat('x', (range % 13)::INT) AS s_plain, "
    "CASE WHEN range % 11 = 0 THEN NULL ELSE range * 3 END AS n_i64, "
    "CASE WHEN range % 4 = 1 THEN NULL ELSE range * 0.5::DOUBLE END AS n_d, "
    "('\\x00\\xFF' || range::VARCHAR)::BLOB AS blob, "
    "DATE '1999-12-30' + (range % 10000)::INT AS dt, "
    "TIMESTAMP '2021-03-04 05:06:07.123456' + to_microseconds(range * 1000003) AS ts, "
    "CASE WHEN range % 9 = 0 THEN NULL WHEN range % 9 = 1 THEN []::FLOAT[] "
    "     WHEN range % 9 = 2 THEN [NULL, 1.5]::FLOAT[] "
    "     ELSE [range::FLOAT, (range * 0.25)::FLOAT, -1.0::FLOAT, (range % 17)::FLOAT] END AS emb, "
    "[range, range + 1]::BIGINT[] AS li, "
    "CASE WHEN range % 6 = 0 THEN NULL ELSE ['a' || (range % 4), NULL, 'zz'] END AS ls "
    "FROM range(5000)";

TEST(ReaderDuckDb, MixedZstdSeveralRowGroups) {
  CheckRoundTrip("mixed_zstd", kMixedSelect, "COMPRESSION ZSTD, ROW_GROUP_SIZE 1024", 2);
}
TEST(ReaderDuckDb, MixedSnappy) { CheckRoundTrip("mixed_snappy", kMixedSelect, "COMPRESSION SNAPPY, ROW_GROUP_SIZE 2048", 2); }
TEST(ReaderDuckDb, MixedGzip) { CheckRoundTrip("mixed_gzip", kMixedSelect, "COMPRESSION GZIP"); }
TEST(ReaderDuckDb, MixedUncompressed) { CheckRoundTrip("mixed_none", kMixedSelect, "COMPRESSION UNCOMPRESSED"); }
TEST(ReaderDuckDb, MixedLz4Raw) { CheckRoundTrip("mixed_lz4", kMixedSelect, "COMPRESSION LZ4_RAW"); }

// PARQUET_VERSION V2: DATA_PAGE_V2, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY /
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT where DuckDB chooses them.
TEST(ReaderDuckDb, MixedV2Pages) {
  CheckRoundTrip("mixed_v2_zstd", kMixedSelect, "COMPRESSION ZSTD, PARQUET_VERSION V2, ROW_GROUP_SIZE 1500", 3);
  CheckRoundTrip("mixed_v2_none", kMixedSelect, "COMPRESSION UNCOMPRESSED, PARQUET_VERSION V2");
}

TEST(ReaderDuckDb, HighCardinalityStringsAndDoublesV2) {
  CheckRoundTrip("strings_v2",
                 "SELECT md5(range::VARCHAR) AS h, 'prefix/shared/' || range AS p, random() AS r, "
                 "(range * 3.5)::FLOAT AS f, range * -123456789 AS big FROM range(20000)",
                 "PARQUET_VERSION V2, COMPRESSION SNAPPY");
}

TEST(ReaderDuckDb, TimestampUnitsDecimalAndFixedWidth) {
  CheckRoundTrip("ts_units",
                 "SELECT range AS id, (TIMESTAMP '2001-02-03 04:05:06' + to_milliseconds(range * 37))::TIMESTAMP_MS "
                 "AS ts_ms, TIMESTAMP '1969-12-31 23:59:59' + to_microseconds(range * 999000) AS ts_us_pre_epoch, "
                 "(range * 1.5)::DECIMAL(9,2)::DOUBLE AS dec_as_double FROM range(3000)",
                 "");
}

TEST(ReaderDuckDb, Projection) {
  const std::string path = ScratchDir() + "/proj.parquet";
  test_util::DuckDbQuery({"COPY (SELECT range AS a, 'v' || range AS b, range * 2.0::DOUBLE AS c FROM range(100)) TO '" + path +
              "' (FORMAT PARQUET)",
          "SELECT 1"});
  auto r = ParquetReader::OpenPath(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto idx = (*r)->FieldIndices({"c", "a"});
  ASSERT_TRUE(idx.ok());
  auto b = (*r)->ReadAll(*idx);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->schema.fields.size(), 2u);
  EXPECT_EQ(b->schema.fields[0].name, "c");
  EXPECT_EQ(b->columns[0].Value<double>(7), 14.0);
  EXPECT_EQ(b->columns[1].Value<int64_t>(7), 7);
  auto missing = (*r)->FieldIndices({"nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  // Statistics and codec reach FileInfo.
  const FileInfo& info = (*r)->info();
  ASSERT_FALSE(info.row_groups.empty());
  EXPECT_EQ(info.row_groups[0].columns.size(), 3u);
  EXPECT_TRUE(info.row_groups[0].columns[0].stats.has_min_max);
  EXPECT_EQ(info.leaves[1].logical_type, "STRING");
}

// Structs used to be listed as unsupported and dropped from the default projection (`cat` hid
// them). They are now JSON documents in a kString column marked Logical::kJson, read by default.
TEST(ReaderDuckDb, StructIsReadAsJsonDocuments) {
  const std::string path = ScratchDir() + "/struct.parquet";
  test_util::DuckDbQuery({"COPY (SELECT range AS a, CASE WHEN range = 3 THEN NULL ELSE {'x': range, 'y': 'q'} END AS st "
          "FROM range(10)) TO '" + path + "' (FORMAT PARQUET)",
          "SELECT 1"});
  auto r = ParquetReader::OpenPath(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->schema().fields.size(), 2u);
  EXPECT_TRUE((*r)->supported(1));
  EXPECT_EQ((*r)->schema().fields[1].type, DataType::kString);
  EXPECT_EQ((*r)->schema().fields[1].logical, Logical::kJson);
  auto all = (*r)->ReadAll({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->columns.size(), 2u);
  EXPECT_EQ(all->columns[1].StringValue(2), R"({"x":2,"y":"q"})");
  EXPECT_FALSE(all->columns[1].IsValid(3));
  EXPECT_EQ(RowToJson(*all, 4), R"({"a":4,"st":{"x":4,"y":"q"}})");
  EXPECT_EQ(RowToJson(*all, 3), R"({"a":3,"st":null})");
}

}  // namespace
}  // namespace ailake::parquet
