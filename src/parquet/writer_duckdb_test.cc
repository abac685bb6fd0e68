// Interop: every file ParquetWriter writes is read by DuckDB (an independent Parquet reader) with
// identical values, for every codec, data page v1 and v2, dictionary on and off, several row groups and
// pages, nulls and every column type; also with 1 KiB of caller bytes placed before the footer.
// DuckDB must also see the key/value metadata and the column-chunk statistics.
//
// The oracle is tests/interop/duckdb_sql.mjs (node + @duckdb/node-api, installed by scripts/setup.sh).
// A missing oracle FAILS the test: interop is part of the bar, never skipped. To keep the test quick,
// DuckDB is started only a few times, each query reading all files at once.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "parquet/value_json.h"
#include "parquet/writer.h"
#include "testing/oracles.h"
#include "testing/temp_dir.h"

namespace ailake::parquet {
namespace {

using nlohmann::json;

// ---- the data ----------------------------------------------------------------------------------

constexpr int64_t kRows = 2000;
constexpr int32_t kVecBytes = 32;

Schema TestSchema() {
  Schema s;
  Field id = Field::Make("id", DataType::kInt64, false);
  id.field_id = 1;
  Field ts_us = Field::Make("ts_us", DataType::kTimestamp);
  ts_us.unit = TimeUnit::kMicros;
  Field ts_ms = Field::Make("ts_ms", DataType::kTimestamp);
  ts_ms.unit = TimeUnit::kMillis;
  Field vec = Field::FixedBinary("vec", kVecBytes, false);
  vec.metadata = {{"dim", "16"}, {"precision", "f16"}, {"model", "test-model"}};
  s.fields = {id,
              Field::Make("i32", DataType::kInt32),
              Field::Make("i64", DataType::kInt64),
              Field::Make("f32", DataType::kFloat),
              Field::Make("f64", DataType::kDouble),
              Field::Make("b", DataType::kBool),
              Field::Make("s", DataType::kString),
              Field::Make("s_uniq", DataType::kString),
              Field::Make("bin", DataType::kBinary),
              Field::FixedBinary("fb", 5),
              Field::Make("d", DataType::kDate),
              ts_us,
              ts_ms,
              vec};
  return s;
}

Batch TestData() {
  const Schema schema = TestSchema();
  Batch b = Batch::Empty(schema);
  std::mt19937_64 rng(2024);
  const int32_t i32_special[] = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), 0, -1};
  const int64_t i64_special[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                                 (int64_t{1} << 53) + 1, -(int64_t{1} << 53) - 1, 0};
  const float inf_f = std::numeric_limits<float>::infinity();
  const double inf_d = std::numeric_limits<double>::infinity();
  const float f_special[] = {std::nanf(""), inf_f, -inf_f, -0.0f, std::numeric_limits<float>::denorm_min(),
                             std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()};
  const double d_special[] = {std::nan(""), inf_d, -inf_d, -0.0, std::numeric_limits<double>::denorm_min(),
                              std::numeric_limits<double>::max(), 0.1};
  // A small vocabulary: dictionary encoding pays for `s` when enabled.
  const std::vector<std::string> vocab = {"", "héllo", "日本語テキスト", "emoji 😀🎉", "tab\tnew\nline",
                                          "quote\" back\\slash", "plain ascii", "ÄÖÜ äöü ß", "z", "~~~"};
  const int32_t dates[] = {-719162, 2932896, -1, 0, 19000, -25567};
  const int64_t us_special[] = {-62135596800000000, 253402300799999999, -1, 0, 1, 1700000000123456};
  const int64_t ms_special[] = {-62135596800000, 253402300799999, -1, 0, 1700000000123};
  for (int64_t i = 0; i < kRows; ++i) {
    const bool null_row = i % 11 == 5;  // every nullable column is null here
    auto& c = b.columns;
    c[0].AppendInt64(i);
    if (null_row) {
      for (size_t k = 1; k < c.size() - 1; ++k) c[k].AppendNull();
    } else {
      c[1].AppendInt32(i < 4 ? i32_special[i] : static_cast<int32_t>(rng()));
      c[2].AppendInt64(i < 5 ? i64_special[i] : static_cast<int64_t>(rng()) >> (rng() % 64));
      c[3].AppendFloat(i < 7 ? f_special[i] : static_cast<float>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 37.0f);
      c[4].AppendDouble(i < 7 ? d_special[i] : static_cast<double>(static_cast<int64_t>(rng())) / 1e7);
      c[5].AppendBool(rng() % 3 == 0);
      c[6].AppendString(vocab[rng() % vocab.size()]);
      c[7].AppendString("unique " + std::to_string(i) + " " + std::to_string(rng()) + (i % 3 == 0 ? " ü" : ""));
      std::string bin(rng() % 12, '\0');
      for (char& ch : bin) ch = static_cast<char>(rng());
      if (i == 0) bin = std::string("\x00\xff\x00", 3);
      c[8].AppendString(bin);
      uint8_t fb[5];
      for (uint8_t& x : fb) x = static_cast<uint8_t>(rng());
      c[9].AppendFixed(fb);
      c[10].AppendInt32(i < 6 ? dates[i] : static_cast<int32_t>(rng() % 100000) - 50000);
      c[11].AppendInt64(i < 6 ? us_special[i] : static_cast<int64_t>(rng() % 4000000000000000000ull) - 2000000000000000000);
      c[12].AppendInt64(i < 5 ? ms_special[i] : static_cast<int64_t>(rng() % 4000000000000ull) - 2000000000000);
    }
    uint8_t v[kVecBytes];
    for (uint8_t& x : v) x = static_cast<uint8_t>(rng());
    c[13].AppendFixed(v);
  }
  b.num_rows = kRows;
  return b;
}

// ---- comparison ----------------------------------------------------------------------------------

json ExpectInt(int64_t v) {
  constexpr int64_t kSafe = (int64_t{1} << 53) - 1;  // the oracle prints larger magnitudes as strings
  if (v > kSafe || v < -kSafe) return json(std::to_string(v));
  return json(v);
}

json ExpectReal(double v) {
  if (std::isnan(v)) return json("NaN");
  if (std::isinf(v)) return json(v > 0 ? "Infinity" : "-Infinity");
  return json(v);
}

// What the oracle should print for row i of column c (the query converts dates to day numbers and
// timestamps to epoch microseconds so values compare exactly).
json Expected(const Field& f, const Column& col, int64_t i) {
  if (!col.IsValid(i)) return json(nullptr);
  switch (f.type) {
    case DataType::kBool: return json(col.Value<uint8_t>(i) != 0);
    case DataType::kInt32:
    case DataType::kDate: return ExpectInt(col.Value<int32_t>(i));
    case DataType::kInt64: return ExpectInt(col.Value<int64_t>(i));
    case DataType::kTimestamp: {
      const int64_t v = col.Value<int64_t>(i);
      return ExpectInt(f.unit == TimeUnit::kMillis ? v * 1000 : v);
    }
    case DataType::kFloat: return ExpectReal(static_cast<double>(col.Value<float>(i)));
    case DataType::kDouble: return ExpectReal(col.Value<double>(i));
    case DataType::kString: return json(std::string(col.StringValue(i)));
    case DataType::kBinary: return json(Base64Encode(col.StringValue(i)));
    case DataType::kFixedBinary:
      return json(Base64Encode(std::string_view(reinterpret_cast<const char*>(col.FixedValue(i)),
                                                static_cast<size_t>(col.fixed_len()))));
    case DataType::kList: break;
  }
  return json("unsupported");
}

bool SameValue(const json& want, const json& got) {
  if (want.is_number() && got.is_number()) return want.get<double>() == got.get<double>() &&
                                                   (!want.is_number_integer() || want.get<int64_t>() == got.get<int64_t>());
  return want == got;
}

std::string SelectList(const Schema& schema) {
  std::string sql;
  for (const Field& f : schema.fields) {
    if (!sql.empty()) sql += ", ";
    if (f.type == DataType::kDate) sql += "(" + f.name + " - DATE '1970-01-01') AS " + f.name;
    else if (f.type == DataType::kTimestamp) sql += "epoch_us(" + f.name + ") AS " + f.name;
    else sql += f.name;
  }
  return sql;
}

struct Variant {
  std::string path;
  Compression codec;
  bool v2;
  bool dictionary;
  bool extra_bytes;
};

Status WriteVariant(const Schema& schema, const Batch& data, const Variant& v) {
  AILAKE_ASSIGN_OR_RETURN(auto file, OpenLocalWritable(v.path));
  WriterOptions opt;
  opt.compression = v.codec;
  opt.data_page_v2 = v.v2;
  opt.dictionary = v.dictionary;
  opt.row_group_rows = 700;  // 3 row groups
  opt.page_bytes = 2048;     // several pages per chunk
  opt.plain_uncompressed_columns = {"vec"};
  AILAKE_ASSIGN_OR_RETURN(auto w, ParquetWriter::Open(file.get(), schema, opt));
  for (int64_t off = 0; off < data.num_rows; off += 450) {
    AILAKE_RETURN_IF_ERROR(w->WriteBatch(data.Slice(off, std::min<int64_t>(450, data.num_rows - off))));
  }
  if (v.extra_bytes) {
    std::vector<uint8_t> extra(1024);
    for (size_t i = 0; i < extra.size(); ++i) extra[i] = static_cast<uint8_t>(i * 131 + 7);
    std::memcpy(extra.data(), "PAR1AILK", 8);  // even magic-looking bytes must not confuse a reader
    AILAKE_ASSIGN_OR_RETURN(uint64_t at, w->WriteBeforeFooter(extra.data(), extra.size()));
    if (at == 0) return Status::Internal("extra bytes at offset 0");
  }
  w->AddKeyValue("ailake.test", "variant:" + std::string(CompressionName(v.codec)));
  return w->Close();
}

class ParquetWriterDuckDb : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) tmp_.Keep();  // keep the files when something failed
  }
  test_util::TempDir tmp_{"writer_duckdb"};
  const std::string dir_ = tmp_.str();
};

TEST_F(ParquetWriterDuckDb, ReadsEveryVariantWithIdenticalValues) {
  ASSERT_TRUE(test_util::DuckDbAvailable());
  const Schema schema = TestSchema();
  const Batch data = TestData();

  std::vector<Variant> variants;
  for (Compression c : {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kLz4Raw, Compression::kZstd})
    for (bool v2 : {false, true})
      for (bool dict : {false, true}) {
        const std::string name = std::string(CompressionName(c)) + (v2 ? "_v2" : "_v1") + (dict ? "_dict" : "_plain");
        variants.push_back({dir_ + "/" + name + ".parquet", c, v2, dict, false});
      }
  variants.push_back({dir_ + "/zstd_v1_dict_extra.parquet", Compression::kZstd, false, true, true});
  variants.push_back({dir_ + "/snappy_v2_plain_extra.parquet", Compression::kSnappy, true, false, true});
  for (const Variant& v : variants) {
    Status st = WriteVariant(schema, data, v);
    ASSERT_TRUE(st.ok()) << v.path << ": " << st.ToString();
  }
  std::string file_list;
  for (const Variant& v : variants) file_list += (file_list.empty() ? "'" : ", '") + v.path + "'";

  // 1. Types as DuckDB sees them (logical types carried by the schema).
  std::vector<json> rows;
  ASSERT_TRUE(test_util::DuckDb({"DESCRIBE SELECT * FROM read_parquet('" + variants[0].path + "')"}, &rows));
  std::map<std::string, std::string> types;
  for (const json& r : rows) types[r["column_name"].get<std::string>()] = r["column_type"].get<std::string>();
  EXPECT_EQ(types["id"], "BIGINT");
  EXPECT_EQ(types["i32"], "INTEGER");
  EXPECT_EQ(types["f32"], "FLOAT");
  EXPECT_EQ(types["f64"], "DOUBLE");
  EXPECT_EQ(types["b"], "BOOLEAN");
  EXPECT_EQ(types["s"], "VARCHAR");
  EXPECT_EQ(types["bin"], "BLOB");
  EXPECT_EQ(types["fb"], "BLOB");
  EXPECT_EQ(types["d"], "DATE");
  EXPECT_EQ(types["ts_us"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(types["ts_ms"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(types["vec"], "BLOB");

  // 2. Every value of every file.
  ASSERT_TRUE(test_util::DuckDb({"SELECT filename, " + SelectList(schema) + " FROM read_parquet([" + file_list +
                      "], filename = true) ORDER BY filename, id"}, &rows));
  std::map<std::string, std::vector<const json*>> by_file;
  for (const json& r : rows) by_file[r["filename"].get<std::string>()].push_back(&r);
  int mismatches = 0;
  for (const Variant& v : variants) {
    const auto& got = by_file[v.path];
    ASSERT_EQ(static_cast<int64_t>(got.size()), kRows) << v.path;
    for (int64_t i = 0; i < kRows && mismatches < 20; ++i) {
      for (size_t c = 0; c < schema.fields.size(); ++c) {
        const Field& f = schema.fields[c];
        const json want = Expected(f, data.columns[c], i);
        const json& have = (*got[static_cast<size_t>(i)])[f.name];
        if (!SameValue(want, have)) {
          ADD_FAILURE() << v.path << " row " << i << " column " << f.name << ": DuckDB read " << have.dump()
                        << ", we wrote " << want.dump();
          ++mismatches;
        }
      }
    }
  }

  // 3. Column-chunk metadata and statistics as DuckDB decodes them.
  ASSERT_TRUE(test_util::DuckDb({"SELECT file_name, row_group_id, row_group_num_rows, path_in_schema, num_values, compression, "
                      "encodings, dictionary_page_offset, stats_min_value, stats_max_value, stats_null_count, "
                      "min_is_exact, max_is_exact FROM parquet_metadata([" + file_list + "])"}, &rows));
  ASSERT_EQ(rows.size(), variants.size() * 3 * schema.fields.size());
  std::map<std::string, const Variant*> variant_of;
  for (const Variant& v : variants) variant_of[v.path] = &v;
  const std::map<Compression, std::string> codec_names = {{Compression::kNone, "UNCOMPRESSED"},
                                                          {Compression::kSnappy, "SNAPPY"},
                                                          {Compression::kGzip, "GZIP"},
                                                          {Compression::kLz4Raw, "LZ4_RAW"},
                                                          {Compression::kZstd, "ZSTD"}};
  for (const json& r : rows) {
    const Variant& v = *variant_of.at(r["file_name"].get<std::string>());
    const int64_t rg = r["row_group_id"].get<int64_t>();
    const std::string col = r["path_in_schema"].get<std::string>();
    const int64_t begin = rg * 700, end = std::min<int64_t>(kRows, begin + 700);
    const std::string where = v.path + " rg " + std::to_string(rg) + " " + col;
    EXPECT_EQ(r["row_group_num_rows"].get<int64_t>(), end - begin) << where;
    EXPECT_EQ(r["num_values"].get<int64_t>(), end - begin) << where;
    EXPECT_EQ(r["compression"].get<std::string>(), col == "vec" ? "UNCOMPRESSED" : codec_names.at(v.codec)) << where;
    const Column& data_col = data.columns[static_cast<size_t>(schema.FieldIndex(col))];
    int64_t nulls = 0;
    for (int64_t i = begin; i < end; ++i) nulls += data_col.IsValid(i) ? 0 : 1;
    EXPECT_EQ(r["stats_null_count"].get<int64_t>(), nulls) << where;
    const std::string encodings = r["encodings"].get<std::string>();
    if (col == "s") {
      EXPECT_EQ(encodings.find("RLE_DICTIONARY") != std::string::npos, v.dictionary) << where << ": " << encodings;
      EXPECT_EQ(!r["dictionary_page_offset"].is_null(), v.dictionary) << where;
    } else {
      EXPECT_EQ(encodings.find("RLE_DICTIONARY"), std::string::npos) << where << ": " << encodings;
    }
    if (col == "id") {
      EXPECT_EQ(r["stats_min_value"], json(std::to_string(begin))) << where;
      EXPECT_EQ(r["stats_max_value"], json(std::to_string(end - 1))) << where;
      EXPECT_EQ(r["min_is_exact"], json(true)) << where;
    }
    if (col == "i32" && rg == 0) {
      EXPECT_EQ(r["stats_min_value"], json(std::to_string(std::numeric_limits<int32_t>::min()))) << where;
      EXPECT_EQ(r["stats_max_value"], json(std::to_string(std::numeric_limits<int32_t>::max()))) << where;
    }
    if (col == "s" || col == "s_uniq") {  // unsigned byte order, computed independently here
      std::string lo, hi;
      bool any = false;
      for (int64_t i = begin; i < end; ++i) {
        if (!data_col.IsValid(i)) continue;
        const std::string s(data_col.StringValue(i));
        if (!any || s < lo) lo = s;
        if (!any || s > hi) hi = s;
        any = true;
      }
      EXPECT_EQ(r["stats_min_value"], json(lo)) << where;
      EXPECT_EQ(r["stats_max_value"], json(hi)) << where;
    }
    if (col == "vec") {
      EXPECT_TRUE(r["stats_min_value"].is_null()) << where;  // no bounds on embeddings
    }
  }

  // 4. Key/value metadata: file-level pairs and per-field "<field>.<key>" pairs.
  ASSERT_TRUE(test_util::DuckDb({"SELECT file_name, key, value FROM parquet_kv_metadata([" + file_list + "])"}, &rows));
  std::map<std::string, std::map<std::string, std::string>> kv;
  for (const json& r : rows)
    kv[r["file_name"].get<std::string>()][r["key"].get<std::string>()] = r["value"].get<std::string>();
  for (const Variant& v : variants) {
    auto& m = kv[v.path];
    EXPECT_EQ(m[Base64Encode("ailake.test")], Base64Encode("variant:" + std::string(CompressionName(v.codec)))) << v.path;
    EXPECT_EQ(m[Base64Encode("vec.dim")], Base64Encode("16")) << v.path;
    EXPECT_EQ(m[Base64Encode("vec.precision")], Base64Encode("f16")) << v.path;
    EXPECT_EQ(m[Base64Encode("vec.model")], Base64Encode("test-model")) << v.path;
    EXPECT_EQ(m.size(), 4u) << v.path;
  }
}

}  // namespace
}  // namespace ailake::parquet
