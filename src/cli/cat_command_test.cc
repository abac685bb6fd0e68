// `ailake cat` against DuckDB on files DuckDB writes: nested types several levels deep, decimals of
// every physical kind, unsigned integers at their maxima, dates and timestamps far outside
// 1677-2262, TIME, UUID; under v1 and v2 data pages and every codec. DuckDB prints each value
// itself (VARCHAR casts, to_json for nested values); both sides are brought to one canonical text
// and compared value for value.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "core/uuid.h"
#include "testing/oracles.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

using nlohmann::json;

struct CatOut {
  int code;
  std::string out, err;
};
CatOut Cat(const std::vector<std::string>& args) {
  std::ostringstream o, e;
  std::vector<std::string> argv{"cat"};
  argv.insert(argv.end(), args.begin(), args.end());
  const int code = Run(argv, o, e);
  return {code, o.str(), e.str()};
}

// "12:00:01.500000" -> "12:00:01.5"; "12:00:01.000" -> "12:00:01".
std::string TrimFraction(const std::string& s) {
  const auto dot = s.find('.');
  if (dot == std::string::npos) return s;
  size_t end = dot + 1;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  std::string frac = s.substr(dot + 1, end - dot - 1);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return s.substr(0, dot) + (frac.empty() ? "" : "." + frac) + s.substr(end);
}

// Ours: "-4999-01-01T00:00:00.000000Z" (ISO 8601, astronomical years).
// DuckDB: "5000-01-01 00:00:00 (BC)" (BC suffix, no year 0). Both -> "-4999-01-01 00:00:00".
std::string CanonicalInstant(std::string s, bool duckdb) {
  if (duckdb) {
    const std::string bc = " (BC)";  // after the date: "5000-01-01 (BC) 00:00:00"
    if (const auto at = s.find(bc); at != std::string::npos) {
      s.erase(at, bc.size());
      const auto dash = s.find('-');
      const long long year = std::stoll(s.substr(0, dash));
      std::string y = std::to_string(year - 1);
      if (y.size() < 4) y.insert(0, 4 - y.size(), '0');
      s = (year - 1 == 0 ? y : "-" + y) + s.substr(dash);
    }
  } else {
    for (char& c : s)
      if (c == 'T') c = ' ';
    if (!s.empty() && s.back() == 'Z') s.pop_back();
  }
  return TrimFraction(s);
}

// Compares a nested value: ours (parsed from cat) with DuckDB's to_json text (parsed).
void ExpectSameTree(const json& ours, const json& theirs, const std::string& where) {
  if (ours.is_string() && theirs.is_number_float()) {  // a DECIMAL: exact text for us, a number in to_json
    ASSERT_EQ(std::stod(ours.get<std::string>()), theirs.get<double>()) << where;
    return;
  }
  ASSERT_EQ(ours.type() == json::value_t::number_unsigned ? json::value_t::number_integer : ours.type(),
            theirs.type() == json::value_t::number_unsigned ? json::value_t::number_integer : theirs.type())
      << where << ": ours " << ours.dump() << " DuckDB " << theirs.dump();
  if (ours.is_object()) {
    ASSERT_EQ(ours.size(), theirs.size()) << where << ": ours " << ours.dump() << " DuckDB " << theirs.dump();
    auto a = ours.begin();
    for (auto b = theirs.begin(); b != theirs.end(); ++a, ++b) {  // member order matters too
      ASSERT_EQ(a.key(), b.key()) << where;
      ExpectSameTree(a.value(), b.value(), where + "." + a.key());
    }
  } else if (ours.is_array()) {
    ASSERT_EQ(ours.size(), theirs.size()) << where << ": ours " << ours.dump() << " DuckDB " << theirs.dump();
    for (size_t i = 0; i < ours.size(); ++i) ExpectSameTree(ours[i], theirs[i], where + "[" + std::to_string(i) + "]");
  } else {
    ASSERT_EQ(ours.dump(), theirs.dump()) << where;
  }
}

enum class Kind { kId, kNested, kText, kDecimal, kNumberText, kTime, kInstant, kInterval };
struct Col {
  const char* name;
  const char* expr;      // DuckDB expression over `r` (the row number)
  Kind kind;
};

// nlohmann::json keeps object members sorted unless ordered_json is used: the nested columns are
// compared with member order, so parse with ordered_json and convert.
using ojson = nlohmann::ordered_json;

const std::vector<Col>& Matrix() {
  static const std::vector<Col> cols = {
      {"id", "r", Kind::kId},
      // struct -> list -> struct -> map -> struct -> list -> list: 7 levels.
      {"deep",
       "{'a': r, 'b': [{'c': CASE WHEN r % 3 = 0 THEN NULL ELSE [r, NULL, r * 2] END, "
       "'m': MAP {'k' || (r % 5): {'deep': [[r % 4, NULL], []]}}}], "
       "'e': CASE WHEN r % 7 = 0 THEN NULL ELSE 'txt' || r END}",
       Kind::kNested},
      {"ll", "CASE WHEN r % 4 = 0 THEN NULL WHEN r % 4 = 1 THEN [] ELSE [[r, NULL], [], NULL, [r + 1]] END",
       Kind::kNested},
      {"lst", "CASE WHEN r % 5 = 0 THEN NULL ELSE [{'x': r, 'y': CASE WHEN r % 2 = 0 THEN NULL ELSE 'y' || r END}, NULL] END",
       Kind::kNested},
      {"mp", "CASE WHEN r % 6 = 0 THEN NULL WHEN r % 6 = 1 THEN MAP {} ELSE MAP {r: 'v' || r, r + 1: NULL} END",
       Kind::kNested},
      {"null_member", "CASE WHEN r % 3 = 0 THEN NULL ELSE {'only': NULL::INT, 'f': r * 0.5} END", Kind::kNested},
      {"d4", "(((r % 19999) - 9999)::DECIMAL(8,0) / 10000)::DECIMAL(4,4)", Kind::kDecimal},
      {"d9", "(r * 12345 - 9999999)::DECIMAL(9,2)", Kind::kDecimal},
      {"d18", "CASE WHEN r % 2 = 0 THEN 999999999999999.999::DECIMAL(18,3) ELSE (r * -1234567.891)::DECIMAL(18,3) END::DECIMAL(18,3)",
       Kind::kDecimal},
      {"d38", "CASE WHEN r % 3 = 0 THEN '99999999999999999999999999.9999999999'::DECIMAL(38,10) "
              "WHEN r % 3 = 1 THEN '-99999999999999999999999999.9999999999'::DECIMAL(38,10) "
              "ELSE (r::HUGEINT * -1234567890123456789::HUGEINT)::DECIMAL(38,10) END::DECIMAL(38,10)",
       Kind::kDecimal},
      {"d38_0", "(r::HUGEINT * 12345678901234567890123456::HUGEINT * CASE WHEN r % 2 = 0 THEN 1 ELSE -1 END::HUGEINT)::DECIMAL(38,0)",
       Kind::kDecimal},
      {"u8", "CASE WHEN r % 2 = 0 THEN 255 ELSE r % 256 END::UTINYINT", Kind::kNumberText},
      {"u16", "CASE WHEN r % 2 = 0 THEN 65535 ELSE r END::USMALLINT", Kind::kNumberText},
      {"u32", "CASE WHEN r % 2 = 0 THEN 4294967295 ELSE r END::UINTEGER", Kind::kNumberText},
      {"u64", "CASE WHEN r % 2 = 0 THEN 18446744073709551615 ELSE 18446744073709551615 - r END::UBIGINT",
       Kind::kNumberText},
      {"i64_min", "CASE WHEN r % 2 = 0 THEN -9223372036854775808 ELSE 9223372036854775807 END::BIGINT",
       Kind::kNumberText},
      {"dt", "DATE '1970-01-01' + ((r - 1000) * 7919)::INTEGER", Kind::kInstant},
      {"ts", "TIMESTAMP '1970-01-01' + to_microseconds((r - 1000)::BIGINT * 5000000000000000 + r)", Kind::kInstant},
      {"ts_ms", "(TIMESTAMP '1970-01-01' + to_milliseconds((r - 1000)::BIGINT * 9000000000000 + r))::TIMESTAMP_MS",
       Kind::kInstant},
      {"tm", "make_time((r % 24)::BIGINT, (r % 60)::BIGINT, (r % 60) + 0.123456)", Kind::kTime},
      {"uid", "CASE WHEN r % 9 = 0 THEN NULL ELSE uuid() END", Kind::kText},
      {"iv", "CASE WHEN r % 8 = 0 THEN NULL ELSE to_months(r % 30) + to_days(r % 40) + to_milliseconds(r * 1234567) END",
       Kind::kInterval},
  };
  return cols;
}

class CatDuckDb : public ::testing::Test {
 protected:
  void Check(const std::string& name, const std::string& options) {
    SCOPED_TRACE(name + " (" + options + ")");
    const std::string path = (dir_ / (name + ".parquet")).string();
    std::string select, read;
    for (const Col& c : Matrix()) {
      select += std::string(select.empty() ? "" : ", ") + c.expr + " AS " + c.name;
      read += std::string(read.empty() ? "" : ", ");
      if (c.kind == Kind::kId) read += c.name;
      else if (c.kind == Kind::kNested) read += std::string("to_json(") + c.name + ")::VARCHAR AS " + c.name;
      else if (c.kind == Kind::kInterval)  // DuckDB's own parts, spelled as our ISO-8601 duration
        read += std::string("printf('P%dM%dDT%d.%03dS', datepart('year', ") + c.name + ") * 12 + datepart('month', " +
                c.name + "), datepart('day', " + c.name + "), (datepart('hour', " + c.name + ") * 3600 + datepart('minute', " +
                c.name + ") * 60 + datepart('second', " + c.name + ")), datepart('millisecond', " + c.name +
                ") % 1000) AS " + c.name;
      else read += std::string(c.name) + "::VARCHAR AS " + c.name;
    }
    test_util::DuckDbQuery({"COPY (SELECT " + select + " FROM range(1500) t(r)) TO '" + path + "' (FORMAT PARQUET, " +
                              options + ")",
                          "SELECT 1"});
    ASSERT_TRUE(std::filesystem::exists(path));
    auto theirs = test_util::DuckDbQuery({"SELECT " + read + " FROM read_parquet('" + path + "') ORDER BY id"});
    ASSERT_EQ(theirs.size(), 1500u);
    CatOut cat = Cat({path});
    ASSERT_EQ(cat.code, 0) << cat.err;
    std::vector<ojson> ours;
    {
      std::istringstream is(cat.out);
      for (std::string l; std::getline(is, l);) ours.push_back(ojson::parse(l));
    }
    ASSERT_EQ(ours.size(), theirs.size());
    for (size_t i = 0; i < ours.size(); ++i) {
      const ojson& a = ours[i];
      const json& b = theirs[i];
      ASSERT_EQ(a.size(), Matrix().size()) << "cat left a column out: " << a.dump();
      ASSERT_EQ(a["id"].get<int64_t>(), b["id"].get<int64_t>());
      for (const Col& c : Matrix()) {
        const std::string where = "row " + std::to_string(i) + " column " + c.name;
        const ojson& x = a[c.name];
        const json& y = b[c.name];
        SCOPED_TRACE(where + ": ours " + x.dump() + " DuckDB " + y.dump());
        if (y.is_null() || x.is_null()) {
          ASSERT_EQ(x.is_null(), y.is_null()) << where << ": ours " << x.dump() << " DuckDB " << y.dump();
          continue;
        }
        ASSERT_TRUE(c.kind == Kind::kId || c.kind == Kind::kNumberText || x.is_string() || x.is_structured());
        ASSERT_TRUE(c.kind == Kind::kId || y.is_string());
        switch (c.kind) {
          case Kind::kId: break;
          case Kind::kNested:
            ExpectSameTree(json::parse(x.dump()), json::parse(y.get<std::string>()), where);
            break;
          case Kind::kInterval:
          case Kind::kText:
            ASSERT_EQ(x.get<std::string>(), y.get<std::string>()) << where;
            break;
          case Kind::kDecimal: {
            // DuckDB spells DECIMAL(4,4) values without the integer digit: "-.9999".
            std::string t = y.get<std::string>();
            if (t.rfind(".", 0) == 0) t.insert(0, "0");
            if (t.rfind("-.", 0) == 0) t.insert(1, "0");
            ASSERT_EQ(x.get<std::string>(), t) << where;
            break;
          }
          case Kind::kNumberText:
            ASSERT_TRUE(x.is_number_integer()) << where << ": " << x.dump();
            ASSERT_EQ(x.dump(), y.get<std::string>()) << where;
            break;
          case Kind::kTime:
            ASSERT_EQ(TrimFraction(x.get<std::string>()), TrimFraction(y.get<std::string>())) << where;
            break;
          case Kind::kInstant:
            ASSERT_EQ(CanonicalInstant(x.get<std::string>(), false), CanonicalInstant(y.get<std::string>(), true))
                << where;
            break;
        }
      }
    }
  }

  test_util::TempDir tmp_{"cat"};
  const std::filesystem::path dir_ = tmp_.path();
};

TEST_F(CatDuckDb, NestedDecimalUnsignedFarDatesV1Zstd) { Check("v1_zstd", "COMPRESSION ZSTD, ROW_GROUP_SIZE 700"); }
TEST_F(CatDuckDb, NestedDecimalUnsignedFarDatesV2Snappy) {
  Check("v2_snappy", "COMPRESSION SNAPPY, PARQUET_VERSION V2, ROW_GROUP_SIZE 600");
}
TEST_F(CatDuckDb, NestedDecimalUnsignedFarDatesV2Uncompressed) {
  Check("v2_none", "COMPRESSION UNCOMPRESSED, PARQUET_VERSION V2");
}
TEST_F(CatDuckDb, NestedDecimalUnsignedFarDatesGzipLz4) {
  Check("v1_gzip", "COMPRESSION GZIP");
  Check("v2_lz4", "COMPRESSION LZ4_RAW, PARQUET_VERSION V2");
}

// A column that cannot be represented is an error naming it, never left out (exit 1); with
// --columns the readable ones still print.
TEST_F(CatDuckDb, StructColumnIsPrintedNotHidden) {
  const std::string path = (dir_ / "author.parquet").string();
  test_util::DuckDbQuery({"COPY (SELECT range AS id, {'name': 'n' || range, 'tags': ['a', 'b']} AS author FROM range(3)) TO '" +
                            path + "' (FORMAT PARQUET)",
                        "SELECT 1"});
  CatOut cat = Cat({path});
  ASSERT_EQ(cat.code, 0) << cat.err;
  EXPECT_EQ(cat.out.substr(0, cat.out.find('\n')), R"({"id":0,"author":{"name":"n0","tags":["a","b"]}})");
  CatOut one = Cat({path, "--columns", "author", "--limit", "1"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(one.out, "{\"author\":{\"name\":\"n0\",\"tags\":[\"a\",\"b\"]}}\n");
}

// A column the reader cannot represent is an error naming it (exit 1), never left out of the rows;
// --columns without it still prints the rest. The file is the hand-built seed of
// src/parquet/reader_handbuilt_test.cc (a column marked encrypted under a plaintext footer).
TEST(CatRefusals, EncryptedColumnFailsTheCommandNamingIt) {
  const std::string f = std::string(AILAKE_SOURCE_DIR) + "/fuzz/corpus/parquet/hand_encrypted_column_refused.parquet";
  CatOut all = Cat({f});
  EXPECT_EQ(all.code, 1);
  EXPECT_EQ(all.out, "");
  EXPECT_NE(all.err.find("'secret'"), std::string::npos) << all.err;
  EXPECT_NE(all.err.find("encrypted"), std::string::npos) << all.err;
  CatOut plain = Cat({f, "--columns", "plain"});
  EXPECT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(plain.out, "{\"plain\":1}\n{\"plain\":2}\n");
}

}  // namespace
}  // namespace ailake::cli
