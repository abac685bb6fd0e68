// Tests of the --where predicate language: parsing (accepts, rejects with positions, hostile nesting),
// binding errors, evaluation against a brute-force row-at-a-time reference on random batches with
// nulls and NaN, and row-group skipping against real Parquet files (never skips a group holding a
// match; does skip when the statistics prove it).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/io.h"
#include "parquet/reader.h"
#include "parquet/writer.h"
#include "table/predicate.h"
#include "table/predicate_file.h"
#include "core/civil_time.h"

namespace ailake::table {
namespace {

using parquet::Batch;
using parquet::Column;
using parquet::DataType;
using parquet::Field;
using parquet::Schema;

Predicate MustParse(const std::string& text) {
  auto p = ParsePredicate(text);
  EXPECT_TRUE(p.ok()) << text << " -> " << p.status().ToString();
  return p.ok() ? std::move(p).value() : Predicate();
}

std::string ParseError(const std::string& text) {
  auto p = ParsePredicate(text);
  EXPECT_FALSE(p.ok()) << text << " parsed as " << (p.ok() ? p->ToString() : "");
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << text;
  return p.status().message();
}

// ---------------------------------------------------------------- parsing

TEST(PredicateParse, AcceptsTheGrammar) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"year >= 2020", "year >= 2020"},
      {"year>=2020", "year >= 2020"},
      {"a = 1 AND b != 2", "(a = 1 AND b != 2)"},
      {"a <> 1", "a != 1"},
      {"a == 1", "a = 1"},
      {"a < 1 or b <= 2 OR c > 3", "(a < 1 OR b <= 2 OR c > 3)"},
      {"a = 1 OR b = 2 AND c = 3", "(a = 1 OR (b = 2 AND c = 3))"},
      {"(a = 1 OR b = 2) AND c = 3", "((a = 1 OR b = 2) AND c = 3)"},
      {"not a = 1", "NOT a = 1"},
      {"NOT NOT a = 1", "NOT NOT a = 1"},
      {"NOT (a = 1 AND b = 2)", "NOT (a = 1 AND b = 2)"},
      {"lang IN ('en', 'fr')", "lang IN ('en', 'fr')"},
      {"lang not in ('en')", "lang NOT IN ('en')"},
      {"x in (1,2 , 3)", "x IN (1, 2, 3)"},
      {"x IS NULL", "x IS NULL"},
      {"x is not null", "x IS NOT NULL"},
      {"x = -5", "x = -5"},
      {"x = +5", "x = 5"},
      {"x > -9223372036854775808", "x > -9223372036854775808"},
      {"x > 9223372036854775808", "x > 9223372036854775808.0"},
      {"x < 2.5", "x < 2.5"},
      {"x < .5", "x < 0.5"},
      {"x < 1e3", "x < 1000.0"},
      {"x < 1.5E-3", "x < 0.0015"},
      {"x < 1e-400", "x < 0.0"},
      {"s = 'it''s'", "s = 'it''s'"},
      {"s = ''", "s = ''"},
      {"s = 'héllo'", "s = 'héllo'"},
      {"b = TRUE AND c = false", "(b = TRUE AND c = FALSE)"},
      {"d >= DATE '2024-02-29'", "d >= DATE '2024-02-29'"},
      {"t < TIMESTAMP '2024-01-31 12:00:00'", "t < TIMESTAMP '2024-01-31 12:00:00'"},
      {"t < timestamp '2024-01-31T12:00:00.5Z'", "t < TIMESTAMP '2024-01-31 12:00:00.5'"},
      {"t < TIMESTAMP '2024-01-31 12:00:00.123456789'", "t < TIMESTAMP '2024-01-31 12:00:00.123456789'"},
      {"t < TIMESTAMP '2024-01-31 01:00:00+02:00'", "t < TIMESTAMP '2024-01-30 23:00:00'"},
      {"t < TIMESTAMP '2024-01-31'", "t < TIMESTAMP '2024-01-31 00:00:00'"},
      {"t < TIMESTAMP '2024-01-31 12:30'", "t < TIMESTAMP '2024-01-31 12:30:00'"},
      {"\"weird col\" = 1", "\"weird col\" = 1"},
      {"\"a\"\"b\" = 1", "\"a\"\"b\" = 1"},
      {"\"and\" = 1", "\"and\" = 1"},
      {"date >= DATE '2020-01-01'", "date >= DATE '2020-01-01'"},
      {"  \t year = 1  \n", "year = 1"},
      {"_x9 = 1", "_x9 = 1"},
  };
  for (const auto& [text, canonical] : cases) {
    Predicate p = MustParse(text);
    EXPECT_EQ(p.ToString(), canonical) << text;
    // The canonical form parses to itself.
    EXPECT_EQ(MustParse(p.ToString()).ToString(), canonical) << text;
  }
}

TEST(PredicateParse, ColumnsInOrderOfFirstUse) {
  Predicate p = MustParse("b = 1 AND (a IS NULL OR b IN (2)) AND NOT c < 3");
  EXPECT_EQ(p.Columns(), (std::vector<std::string>{"b", "a", "c"}));
}

TEST(PredicateParse, RejectsWithPositionAndExpectation) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"year >= ", "--where: expected a value after '>=', found the end of the expression at column 9: \"year >= \""},
      {"", "--where: the expression is empty"},
      {"   ", "--where: the expression is empty"},
      {"year", "expected an operator (=, !=, <>, <, <=, >, >=, IN, NOT IN, IS) after 'year', found the end of the expression at column 5"},
      {"year 2020", "expected an operator (=, !=, <>, <, <=, >, >=, IN, NOT IN, IS) after 'year', found '2020' at column 6"},
      {"= 5", "expected a column name, NOT or '(', found '=' at column 1"},
      {"a = 1 AND", "expected a column name, NOT or '(', found the end of the expression at column 10"},
      {"a = 1 b = 2", "expected AND, OR or the end of the expression, found 'b' at column 7"},
      {"a = 1)", "unmatched ')' at column 6"},
      {"(a = 1", "expected ')' to close the '(' at column 1, found the end of the expression at column 7"},
      {"a = 'abc", "unterminated string at column 5"},
      {"\"abc = 1", "unterminated quoted column name at column 1"},
      {"\"\" = 1", "empty quoted column name at column 1"},
      {"a = NULL", "comparing with NULL is never true; use IS NULL or IS NOT NULL at column 5"},
      {"a != null", "use IS NULL or IS NOT NULL at column 6"},
      {"a IS 5", "expected NULL or NOT NULL after IS, found '5' at column 6"},
      {"a IS NOT", "expected NULL or NOT NULL after IS, found the end of the expression at column 9"},
      {"a IN 1", "expected '(' after IN, found '1' at column 6"},
      {"a IN ()", "expected a value in the IN list, found ')' at column 7"},
      {"a IN (1 2)", "expected ',' or ')' in the IN list, found '2' at column 9"},
      {"a IN (1,", "expected a value in the IN list, found the end of the expression at column 9"},
      {"a NOT 5", "expected IN after 'a' NOT, found '5' at column 7"},
      {"a = b", "expected a value after '=', found 'b' (strings take 'single quotes'; comparing two columns is not supported) at column 5"},
      {"a = \"b\"", "found the column name '\"b\"'"},
      {"'a' = 1", "expected a column name, found the string ''a''"},
      {"AND = 1", "expected a column name, found the keyword 'AND' (write \"AND\" for a column of that name) at column 1"},
      {"a = 1 # x", "unexpected character '#' at column 7"},
      {"a ! 1", "unexpected character '!' (did you mean '!=') at column 3"},
      {"a = 12abc", "malformed number '12a' at column 5"},
      {"a = 1.2.3", "malformed number '1.2.' at column 5"},
      {"a = 1e", "malformed number (exponent without digits) at column 5"},
      {"a = 1e999", "number 1e999 is out of range at column 5"},
      {"a = -", "expected a number after '-', found the end of the expression at column 6"},
      {"a = -'x'", "expected a number after '-', found ''x'' at column 6"},
      {"d = DATE 5", "expected a quoted value after DATE, like DATE '2024-01-31', found '5' at column 10"},
      {"d = DATE '2023-02-29'", "invalid date '2023-02-29' (expected a real date as YYYY-MM-DD) at column 10"},
      {"d = DATE '2023-13-01'", "invalid date '2023-13-01'"},
      {"d = DATE '2023-1-01'", "invalid date '2023-1-01'"},
      {"t = TIMESTAMP '2023-01-01 24:00:00'", "invalid timestamp '2023-01-01 24:00:00'"},
      {"t = TIMESTAMP '2023-01-01 10:60'", "invalid timestamp '2023-01-01 10:60'"},
      {"t = TIMESTAMP '2023-01-01 10'", "invalid timestamp '2023-01-01 10'"},
      {"t = TIMESTAMP '2023-02-29 10:00'", "invalid timestamp '2023-02-29 10:00'"},
      {"t = TIMESTAMP '2023-01-01t10:00:00'", "invalid timestamp"},
      {"t = TIMESTAMP '2023-01-01 10:00:00z'", "invalid timestamp"},
      {"t = TIMESTAMP '2023-01-01 10:00:00+1:00'", "invalid timestamp"},
      {"t = TIMESTAMP '2023-01-01Z'", "invalid timestamp"},
      {"d = DATE '2023-01-01 '", "invalid date"},
      {"d = DATE '20231-01-01'", "invalid date"},
      {"t = TIMESTAMP '2023-01-01 10:00:00.'", "invalid timestamp"},
      {"t = TIMESTAMP '2023-01-01 10:00:00.1234567891'", "invalid timestamp"},
      {"t = TIMESTAMP '2023-01-01 10:00:00X'", "invalid timestamp"},
      {"a = \x01", "unexpected character '\\x01' at column 5"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string msg = ParseError(text);
    EXPECT_NE(msg.find(expected), std::string::npos) << "input: " << text << "\nmessage: " << msg;
    EXPECT_EQ(msg.rfind("--where: ", 0), 0u) << msg;
  }
}

TEST(PredicateParse, LongInputQuotesAnExcerpt) {
  std::string text = "a = 1";
  for (int i = 0; i < 200; ++i) text += " AND a = 1";
  text += " AND )";
  const std::string msg = ParseError(text);
  EXPECT_NE(msg.find("expected a column name, NOT or '(', found ')' at column " + std::to_string(text.size())),
            std::string::npos)
      << msg;
  EXPECT_LT(msg.size(), 300u) << msg;
  EXPECT_NE(msg.find(": \"..."), std::string::npos) << msg;
  EXPECT_EQ(msg.substr(msg.size() - 12), "a = 1 AND )\"") << msg;
}

TEST(PredicateParse, HostileNestingIsRefusedNotCrashing) {
  // Within the limit.
  std::string ok = std::string(kMaxPredicateDepth - 1, '(') + "a = 1" + std::string(kMaxPredicateDepth - 1, ')');
  EXPECT_EQ(MustParse(ok).ToString(), "a = 1");
  std::string nots;
  for (int i = 0; i < kMaxPredicateDepth - 1; ++i) nots += "NOT ";
  MustParse(nots + "a = 1");
  // Far beyond it: parentheses, NOTs, and a mix; all fail fast with the depth message.
  for (const std::string& text :
       {std::string(200000, '(') + "a = 1" + std::string(200000, ')'), [] {
          std::string s;
          for (int i = 0; i < 100000; ++i) s += "NOT ";
          return s + "a = 1";
        }(),
        [] {
          std::string s;
          for (int i = 0; i < 50000; ++i) s += "NOT (";
          return s + "a = 1";
        }()}) {
    const std::string msg = ParseError(text);
    EXPECT_NE(msg.find("nests deeper than 64 levels"), std::string::npos) << msg.substr(0, 200);
  }
  // Long flat chains are not nesting: they parse (iteratively) into one node.
  std::string chain = "a = 0";
  for (int i = 1; i < 20000; ++i) chain += (i % 2 ? " AND a = " : " OR a = ") + std::to_string(i);
  Predicate p = MustParse(chain);
  EXPECT_EQ(p.Columns().size(), 1u);
  // Oversized input is refused up front.
  const std::string msg = ParseError("a IN (" + std::string(kMaxPredicateBytes, '1') + ")");
  EXPECT_NE(msg.find("the limit is"), std::string::npos);
}

TEST(PredicateParse, RandomBytesNeverCrash) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "aZ_9 ()'\",=!<>-+.eE\\\x01\xff";
  const std::vector<std::string> words = {"AND", "OR", "NOT", "IN", "IS", "NULL", "DATE", "TIMESTAMP", "TRUE", "x", "'s'", "1.5", "(", ")", "=", ","};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) {
      if (rng() % 2) s += alphabet[rng() % alphabet.size()];
      else s += " " + words[rng() % words.size()] + " ";
    }
    auto p = ParsePredicate(s);
    if (p.ok()) {
      // Whatever parses prints to a form that parses to the same thing.
      auto again = ParsePredicate(p->ToString());
      ASSERT_TRUE(again.ok()) << s << " -> " << p->ToString();
      EXPECT_EQ(again->ToString(), p->ToString());
    } else {
      EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

// ---------------------------------------------------------------- binding

Schema TestSchema() {
  Schema s;
  s.fields.push_back(Field::Make("i32", DataType::kInt32));
  s.fields.push_back(Field::Make("i64", DataType::kInt64));
  s.fields.push_back(Field::Make("f", DataType::kFloat));
  s.fields.push_back(Field::Make("dbl", DataType::kDouble));
  s.fields.push_back(Field::Make("s", DataType::kString));
  s.fields.push_back(Field::Make("b", DataType::kBool));
  s.fields.push_back(Field::Make("d", DataType::kDate));
  Field ts = Field::Make("ts", DataType::kTimestamp);
  ts.unit = parquet::TimeUnit::kMicros;
  s.fields.push_back(ts);
  return s;
}

std::string BindError(const std::string& text, const Schema& schema) {
  Predicate p = MustParse(text);
  Status st = p.Bind(schema);
  EXPECT_FALSE(st.ok()) << text;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
  EXPECT_FALSE(p.bound());
  return st.message();
}

TEST(PredicateBind, ErrorsNameColumnAndValue) {
  Schema s = TestSchema();
  s.fields.push_back(Field::FixedBinary("embedding", 1536));
  Field list = Field::Make("emb_list", DataType::kList);
  list.element_type = DataType::kFloat;
  s.fields.push_back(list);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"yaer = 1", "unknown column 'yaer'; the columns are: i32, i64, f, dbl, s, b, d, ts, embedding, emb_list at column 1"},
      {"I64 = 1", "unknown column 'I64' (did you mean 'i64'?)"},
      {"i32 = 1 AND i6 = 2", "unknown column 'i6' (did you mean 'i64'?)"},
      {"i32 = 'x'", "column 'i32' is int and cannot be compared with the string 'x' (use a number) at column 7"},
      {"i64 IN (1, 'x')", "column 'i64' is long and cannot be compared with the string 'x' (use a number) at column 12"},
      {"i64 = TRUE", "column 'i64' is long and cannot be compared with TRUE"},
      {"f = 'x'", "column 'f' is float"},
      {"s = 5", "column 's' is string and cannot be compared with the number 5 (use a 'quoted string')"},
      {"b = 1", "column 'b' is boolean and cannot be compared with the number 1 (use TRUE or FALSE)"},
      {"d = 5", "column 'd' is date and cannot be compared with the number 5 (use DATE 'YYYY-MM-DD')"},
      {"d = 'yesterday'", "column 'd' is date and 'yesterday' is not a date or timestamp"},
      {"ts = 5", "column 'ts' is timestamp and cannot be compared with the number 5"},
      {"embedding = 'x'", "column 'embedding' is fixed[1536] (a vector column); --where compares scalar columns only"},
      {"emb_list IN (1)", "column 'emb_list' is list (a vector column); --where compares scalar columns only"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string msg = BindError(text, s);
    EXPECT_NE(msg.find(expected), std::string::npos) << text << "\n" << msg;
  }
  // IS NULL applies to any column, vectors included.
  Predicate p = MustParse("embedding IS NOT NULL AND emb_list IS NULL");
  EXPECT_TRUE(p.Bind(s).ok());
  EXPECT_TRUE(p.bound());
}

// ---------------------------------------------------------------- evaluation

// Builds a batch of the TestSchema from per-row optional values.
struct Rows {
  std::vector<std::optional<int32_t>> i32;
  std::vector<std::optional<int64_t>> i64;
  std::vector<std::optional<float>> f;
  std::vector<std::optional<double>> dbl;
  std::vector<std::optional<std::string>> s;
  std::vector<std::optional<bool>> b;
  std::vector<std::optional<int32_t>> d;
  std::vector<std::optional<int64_t>> ts;
  size_t size() const { return i32.size(); }

  Batch ToBatch() const {
    Batch batch = Batch::Empty(TestSchema());
    auto put = [](Column& c, const auto& v, auto append) {
      for (const auto& x : v) {
        if (x) append(c, *x);
        else c.AppendNull();
      }
    };
    put(batch.columns[0], i32, [](Column& c, int32_t x) { c.AppendInt32(x); });
    put(batch.columns[1], i64, [](Column& c, int64_t x) { c.AppendInt64(x); });
    put(batch.columns[2], f, [](Column& c, float x) { c.AppendFloat(x); });
    put(batch.columns[3], dbl, [](Column& c, double x) { c.AppendDouble(x); });
    put(batch.columns[4], s, [](Column& c, const std::string& x) { c.AppendString(x); });
    put(batch.columns[5], b, [](Column& c, bool x) { c.AppendBool(x); });
    put(batch.columns[6], d, [](Column& c, int32_t x) { c.AppendInt32(x); });
    put(batch.columns[7], ts, [](Column& c, int64_t x) { c.AppendInt64(x); });
    batch.num_rows = static_cast<int64_t>(size());
    return batch;
  }
};

std::vector<uint8_t> Eval(const std::string& text, const Batch& batch) {
  Predicate p = MustParse(text);
  Status st = p.Bind(batch.schema);
  EXPECT_TRUE(st.ok()) << text << ": " << st.ToString();
  std::vector<uint8_t> keep;
  st = p.Evaluate(batch, &keep);
  EXPECT_TRUE(st.ok()) << text << ": " << st.ToString();
  return keep;
}

Rows SmallRows() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Rows r;
  r.i32 = {1, 2, std::nullopt, 4};
  r.i64 = {10, std::nullopt, 30, 40};
  r.f = {0.1f, std::nullopt, 2.5f, static_cast<float>(nan)};
  r.dbl = {0.5, nan, std::nullopt, -1.0};
  r.s = {"a", "it's", std::nullopt, "\xc3\xa9"};
  r.b = {true, false, std::nullopt, true};
  r.d = {static_cast<int32_t>(civil::DaysFromCivil(2024, 1, 1)), static_cast<int32_t>(civil::DaysFromCivil(2024, 1, 2)), std::nullopt,
         static_cast<int32_t>(civil::DaysFromCivil(1969, 12, 31))};
  const int64_t noon = (civil::DaysFromCivil(2024, 1, 1) * 86400 + 12 * 3600) * 1000000;
  r.ts = {noon, noon + 1, std::nullopt, -1};
  return r;
}

using Keep = std::vector<uint8_t>;

TEST(PredicateEvaluate, ThreeValuedLogic) {
  const Batch b = SmallRows().ToBatch();
  EXPECT_EQ(Eval("i32 = 2", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("i32 != 2", b), (Keep{1, 0, 0, 1}));          // NULL != 2 is unknown
  EXPECT_EQ(Eval("NOT i32 = 2", b), (Keep{1, 0, 0, 1}));       // NOT unknown is unknown
  EXPECT_EQ(Eval("NOT NOT i32 = 2", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("i32 IS NULL", b), (Keep{0, 0, 1, 0}));
  EXPECT_EQ(Eval("NOT i32 IS NULL", b), (Keep{1, 1, 0, 1}));
  EXPECT_EQ(Eval("i32 IS NOT NULL", b), (Keep{1, 1, 0, 1}));
  EXPECT_EQ(Eval("i32 = 2 OR i32 IS NULL", b), (Keep{0, 1, 1, 0}));
  EXPECT_EQ(Eval("i32 > 0 OR i64 = 30", b), (Keep{1, 1, 1, 1}));  // unknown OR true = true
  EXPECT_EQ(Eval("NOT (i32 > 1 AND i64 > 0)", b), (Keep{1, 0, 0, 0}));  // false AND unknown = false
  EXPECT_EQ(Eval("i32 IN (1, 4, 99)", b), (Keep{1, 0, 0, 1}));
  EXPECT_EQ(Eval("i32 NOT IN (1, 4)", b), (Keep{0, 1, 0, 0}));
}

TEST(PredicateEvaluate, NumbersCompareExactly) {
  const Batch b = SmallRows().ToBatch();
  EXPECT_EQ(Eval("i32 < 2.5", b), (Keep{1, 1, 0, 0}));
  EXPECT_EQ(Eval("i32 <= 2.0", b), (Keep{1, 1, 0, 0}));
  EXPECT_EQ(Eval("i32 > 1.0000001", b), (Keep{0, 1, 0, 1}));
  EXPECT_EQ(Eval("i32 = 2.5", b), (Keep{0, 0, 0, 0}));
  EXPECT_EQ(Eval("i32 != 2.5", b), (Keep{1, 1, 0, 1}));  // still unknown for NULL
  EXPECT_EQ(Eval("i32 IN (1.0, 2.5, 4)", b), (Keep{1, 0, 0, 1}));
  EXPECT_EQ(Eval("i32 < 1e30", b), (Keep{1, 1, 0, 1}));
  EXPECT_EQ(Eval("i32 > -1e30", b), (Keep{1, 1, 0, 1}));
  EXPECT_EQ(Eval("i32 > 99999999999", b), (Keep{0, 0, 0, 0}));
  EXPECT_EQ(Eval("i64 >= -2.5", b), (Keep{1, 0, 1, 1}));
  EXPECT_EQ(Eval("i64 > 9223372036854775807", b), (Keep{0, 0, 0, 0}));
  EXPECT_EQ(Eval("i64 < 9223372036854775808", b), (Keep{1, 0, 1, 1}));
  // Float column: the literal as the float it would be stored as.
  EXPECT_EQ(Eval("f = 0.1", b), (Keep{1, 0, 0, 0}));
  EXPECT_EQ(Eval("f >= 2", b), (Keep{0, 0, 1, 0}));
  // NaN: unequal to everything, false for every order comparison.
  EXPECT_EQ(Eval("f != 1", b), (Keep{1, 0, 1, 1}));
  EXPECT_EQ(Eval("f < 100 OR f >= 100", b), (Keep{1, 0, 1, 0}));
  EXPECT_EQ(Eval("NOT f < 100", b), (Keep{0, 0, 0, 1}));
  EXPECT_EQ(Eval("dbl < 0", b), (Keep{0, 0, 0, 1}));
  EXPECT_EQ(Eval("dbl = 0.5", b), (Keep{1, 0, 0, 0}));
  EXPECT_EQ(Eval("dbl IN (0.5, -1)", b), (Keep{1, 0, 0, 1}));
}

TEST(PredicateEvaluate, StringsBoolsDatesTimestamps) {
  const Batch b = SmallRows().ToBatch();
  EXPECT_EQ(Eval("s = 'it''s'", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("s > 'z'", b), (Keep{0, 0, 0, 1}));  // bytes compare unsigned: 0xC3 > 'z'
  EXPECT_EQ(Eval("s IN ('a', '\xc3\xa9')", b), (Keep{1, 0, 0, 1}));
  EXPECT_EQ(Eval("s >= ''", b), (Keep{1, 1, 0, 1}));
  EXPECT_EQ(Eval("b = TRUE", b), (Keep{1, 0, 0, 1}));
  EXPECT_EQ(Eval("b != TRUE", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("b < TRUE", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("d = DATE '2024-01-02'", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("d = '2024-01-02'", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("d < DATE '1970-01-01'", b), (Keep{0, 0, 0, 1}));
  // TIMESTAMP against a date: exact (a date is its midnight).
  EXPECT_EQ(Eval("d < TIMESTAMP '2024-01-01 12:00:00'", b), (Keep{1, 0, 0, 1}));
  EXPECT_EQ(Eval("d <= TIMESTAMP '2024-01-01 00:00:00'", b), (Keep{1, 0, 0, 1}));
  EXPECT_EQ(Eval("d > TIMESTAMP '2024-01-01 00:00:00.000001'", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("d = TIMESTAMP '2024-01-01 00:00:01'", b), (Keep{0, 0, 0, 0}));
  EXPECT_EQ(Eval("d = '2024-01-01 00:00:00Z'", b), (Keep{1, 0, 0, 0}));
  // Timestamps (micros): nanosecond literals, DATE literals, ISO strings, offsets.
  EXPECT_EQ(Eval("ts = TIMESTAMP '2024-01-01 12:00:00'", b), (Keep{1, 0, 0, 0}));
  EXPECT_EQ(Eval("ts = '2024-01-01T14:00:00+02:00'", b), (Keep{1, 0, 0, 0}));
  EXPECT_EQ(Eval("ts > TIMESTAMP '2024-01-01 12:00:00.0000005'", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("ts = TIMESTAMP '2024-01-01 12:00:00.000001'", b), (Keep{0, 1, 0, 0}));
  EXPECT_EQ(Eval("ts = TIMESTAMP '2024-01-01 12:00:00.0000015'", b), (Keep{0, 0, 0, 0}));
  EXPECT_EQ(Eval("ts >= DATE '2024-01-01'", b), (Keep{1, 1, 0, 0}));
  EXPECT_EQ(Eval("ts < '1970-01-01'", b), (Keep{0, 0, 0, 1}));
}

TEST(PredicateEvaluate, BatchMismatchesAreErrors) {
  const Batch b = SmallRows().ToBatch();
  Predicate p = MustParse("i32 = 1");
  std::vector<uint8_t> keep;
  EXPECT_EQ(p.Evaluate(b, &keep).code(), StatusCode::kInvalidArgument);  // not bound
  ASSERT_TRUE(p.Bind(b.schema).ok());
  Batch other = b;
  other.schema.fields[0].name = "renamed";
  EXPECT_NE(p.Evaluate(other, &keep).message().find("no column 'i32'"), std::string::npos);
  // int32 -> int64 promotion is fine; int -> string is not.
  Predicate q = MustParse("i64 = 30");
  Schema promoted = b.schema;
  promoted.fields[1].type = DataType::kInt32;
  ASSERT_TRUE(q.Bind(promoted).ok());
  ASSERT_TRUE(q.Evaluate(b, &keep).ok());
  EXPECT_EQ(keep, (Keep{0, 0, 1, 0}));
  Predicate r = MustParse("s = 'a'");
  ASSERT_TRUE(r.Bind(b.schema).ok());
  Batch swapped = b;
  std::swap(swapped.schema.fields[0].name, swapped.schema.fields[4].name);
  EXPECT_EQ(r.Evaluate(swapped, &keep).code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------- random predicates + reference

// Small value domains so comparisons hit both sides often; literals straddle them.
Rows RandomRows(std::mt19937_64& rng, size_t n, double null_rate) {
  auto null = [&] { return std::uniform_real_distribution<double>(0, 1)(rng) < null_rate; };
  auto pick = [&](int lo, int hi) { return static_cast<int>(lo + static_cast<int>(rng() % static_cast<uint64_t>(hi - lo + 1))); };
  const std::vector<std::string> words = {"", "a", "ab", "b", "ba", "z", "\xc3\xa9", "A", std::string(150, 'q'),
                                          std::string(150, 'q') + "r"};
  Rows r;
  for (size_t i = 0; i < n; ++i) {
    r.i32.push_back(null() ? std::nullopt : std::optional<int32_t>(pick(-5, 5)));
    r.i64.push_back(null() ? std::nullopt : std::optional<int64_t>(pick(-5, 5) * int64_t{1000000007}));
    r.f.push_back(null() ? std::nullopt
                         : std::optional<float>(pick(0, 20) == 0 ? std::nanf("") : static_cast<float>(pick(-8, 8)) / 4));
    r.dbl.push_back(null() ? std::nullopt
                           : std::optional<double>(pick(0, 20) == 0 ? std::nan("") : static_cast<double>(pick(-8, 8)) / 4));
    r.s.push_back(null() ? std::nullopt : std::optional<std::string>(words[rng() % words.size()]));
    r.b.push_back(null() ? std::nullopt : std::optional<bool>(rng() % 2 == 0));
    r.d.push_back(null() ? std::nullopt : std::optional<int32_t>(static_cast<int32_t>(civil::DaysFromCivil(2024, 1, 10)) + pick(-3, 3)));
    r.ts.push_back(null() ? std::nullopt
                          : std::optional<int64_t>((civil::DaysFromCivil(2024, 1, 10) * 86400 + pick(-2, 2) * 43200) * 1000000 +
                                                   pick(-1, 1)));
  }
  return r;
}

// A random literal for column `col`: sometimes of another (still bindable) kind.
std::string RandomLiteral(std::mt19937_64& rng, const std::string& col) {
  auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % static_cast<uint64_t>(hi - lo + 1)); };
  if (col == "i32" || col == "f" || col == "dbl") {
    switch (pick(0, 3)) {
      case 0: return std::to_string(pick(-6, 6));
      case 1: return std::to_string(pick(-12, 12) / 4.0).substr(0, 5);
      case 2: return pick(0, 1) ? "1e30" : "-1e30";
      default: return std::to_string(pick(-6, 6)) + ".5";
    }
  }
  if (col == "i64") {
    switch (pick(0, 2)) {
      case 0: return std::to_string(pick(-6, 6) * int64_t{1000000007});
      case 1: return std::to_string(pick(-6, 6) * int64_t{1000000007} + pick(-1, 1)) + ".5";
      default: return pick(0, 1) ? "9223372036854775807" : "-9223372036854775808";
    }
  }
  if (col == "s") {
    const std::vector<std::string> lits = {"''", "'a'", "'aa'", "'b'", "'z'", "'\xc3\xa9'", "'A'",
                                           "'" + std::string(150, 'q') + "'", "'" + std::string(149, 'q') + "'",
                                           "'" + std::string(200, 'q') + "'", "'q'", "'r'"};
    return lits[rng() % lits.size()];
  }
  if (col == "b") return pick(0, 1) ? "TRUE" : "FALSE";
  if (col == "d") {
    const std::string day = civil::FormatDate(civil::DaysFromCivil(2024, 1, 10) + pick(-4, 4));
    switch (pick(0, 2)) {
      case 0: return "DATE '" + day + "'";
      case 1: return "'" + day + "'";
      default: return "TIMESTAMP '" + day + (pick(0, 1) ? " 00:00:00'" : " 12:30:00'");
    }
  }
  // ts
  const std::string day = civil::FormatDate(civil::DaysFromCivil(2024, 1, 10) + pick(-2, 2));
  switch (pick(0, 3)) {
    case 0: return "DATE '" + day + "'";
    case 1: return "TIMESTAMP '" + day + " 12:00:00'";
    case 2: return "TIMESTAMP '" + day + " 00:00:00.000001'";
    default: return "'" + day + "T11:59:59.9999995Z'";
  }
}

std::string RandomExpr(std::mt19937_64& rng, int depth) {
  static const std::vector<std::string> cols = {"i32", "i64", "f", "dbl", "s", "b", "d", "ts"};
  static const std::vector<std::string> ops = {"=", "!=", "<>", "<", "<=", ">", ">="};
  const int choice = static_cast<int>(rng() % (depth > 0 ? 8 : 4));
  const std::string col = cols[rng() % cols.size()];
  switch (choice) {
    case 0:
    case 1: return col + " " + ops[rng() % ops.size()] + " " + RandomLiteral(rng, col);
    case 2: {
      std::string s = col + (rng() % 3 == 0 ? " NOT IN (" : " IN (");
      const int n = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) s += (i ? ", " : "") + RandomLiteral(rng, col);
      return s + ")";
    }
    case 3: return col + (rng() % 2 ? " IS NULL" : " IS NOT NULL");
    case 4: return "NOT " + RandomExpr(rng, depth - 1);
    case 5: return "(" + RandomExpr(rng, depth - 1) + ")";
    case 6: return RandomExpr(rng, depth - 1) + " AND " + RandomExpr(rng, depth - 1);
    default: return RandomExpr(rng, depth - 1) + " OR " + RandomExpr(rng, depth - 1);
  }
}

// ---- the reference: one row at a time, straight from the literals (no binding, no rewriting).

using Truth = std::optional<bool>;  // nullopt = unknown

template <typename A, typename B>
bool Cmp(CompareOp op, const A& a, const B& b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return a != b;
    case CompareOp::kLt: return a < b;
    case CompareOp::kLe: return a <= b;
    case CompareOp::kGt: return a > b;
    case CompareOp::kGe: return a >= b;
  }
  return false;
}

using i128 = __int128;

// A literal as nanoseconds since the epoch (dates/timestamps/ISO strings).
i128 LiteralNanos(const PredicateLiteral& l) {
  if (l.kind == PredicateLiteral::Kind::kDate) return static_cast<i128>(l.i) * 86400 * 1000000000;
  if (l.kind == PredicateLiteral::Kind::kTimestamp) return static_cast<i128>(l.i) * 1000000000 + l.nanos;
  if (auto days = civil::ParseDate(l.s); days.ok()) return static_cast<i128>(*days) * 86400 * 1000000000;
  auto t = civil::ParseInstant(l.s);
  EXPECT_TRUE(t.ok()) << l.s;
  return t.ok() ? static_cast<i128>(t->seconds) * 1000000000 + t->nanos : 0;
}

bool RefCompare(const Rows& r, size_t row, const std::string& col, CompareOp op, const PredicateLiteral& l, bool* null) {
  *null = false;
  auto num = [&]() -> long double {
    return l.kind == PredicateLiteral::Kind::kInt ? static_cast<long double>(l.i) : static_cast<long double>(l.d);
  };
  if (col == "i32") {
    if (!r.i32[row]) return *null = true;
    return Cmp(op, static_cast<long double>(*r.i32[row]), num());
  }
  if (col == "i64") {
    if (!r.i64[row]) return *null = true;
    return Cmp(op, static_cast<long double>(*r.i64[row]), num());
  }
  if (col == "f") {
    if (!r.f[row]) return *null = true;
    const double lit = l.kind == PredicateLiteral::Kind::kInt ? static_cast<double>(l.i) : l.d;
    const double rounded = std::fabs(lit) <= 3.4e38 ? static_cast<double>(static_cast<float>(lit)) : lit;
    return Cmp(op, static_cast<double>(*r.f[row]), rounded);
  }
  if (col == "dbl") {
    if (!r.dbl[row]) return *null = true;
    return Cmp(op, *r.dbl[row], l.kind == PredicateLiteral::Kind::kInt ? static_cast<double>(l.i) : l.d);
  }
  if (col == "s") {
    if (!r.s[row]) return *null = true;
    return Cmp(op, std::string_view(*r.s[row]), std::string_view(l.s));
  }
  if (col == "b") {
    if (!r.b[row]) return *null = true;
    return Cmp(op, static_cast<int>(*r.b[row]), static_cast<int>(l.i));
  }
  if (col == "d") {
    if (!r.d[row]) return *null = true;
    return Cmp(op, static_cast<i128>(*r.d[row]) * 86400 * 1000000000, LiteralNanos(l));
  }
  if (!r.ts[row]) return *null = true;
  return Cmp(op, static_cast<i128>(*r.ts[row]) * 1000, LiteralNanos(l));
}

bool IsNullAt(const Rows& r, size_t row, const std::string& col) {
  if (col == "i32") return !r.i32[row];
  if (col == "i64") return !r.i64[row];
  if (col == "f") return !r.f[row];
  if (col == "dbl") return !r.dbl[row];
  if (col == "s") return !r.s[row];
  if (col == "b") return !r.b[row];
  if (col == "d") return !r.d[row];
  return !r.ts[row];
}

Truth RefEval(const Predicate& p, int32_t idx, const Rows& r, size_t row) {
  const PredicateNode& n = p.nodes[idx];
  using K = PredicateNode::Kind;
  switch (n.kind) {
    case K::kAnd: {
      Truth acc = true;
      for (int32_t c : n.children) {
        const Truth t = RefEval(p, c, r, row);
        if (t == false) return false;
        if (!t) acc = std::nullopt;
      }
      return acc;
    }
    case K::kOr: {
      Truth acc = false;
      for (int32_t c : n.children) {
        const Truth t = RefEval(p, c, r, row);
        if (t == true) return true;
        if (!t) acc = std::nullopt;
      }
      return acc;
    }
    case K::kNot: {
      const Truth t = RefEval(p, n.children[0], r, row);
      return t ? Truth(!*t) : std::nullopt;
    }
    case K::kIsNull: return IsNullAt(r, row, n.column);
    case K::kIsNotNull: return !IsNullAt(r, row, n.column);
    case K::kCompare: {
      bool null;
      const bool v = RefCompare(r, row, n.column, n.op, n.values[0], &null);
      return null ? std::nullopt : Truth(v);
    }
    case K::kIn: {
      bool any = false, null = false;
      for (const PredicateLiteral& l : n.values) any |= RefCompare(r, row, n.column, CompareOp::kEq, l, &null);
      if (null) return std::nullopt;
      return n.negated_in ? !any : any;
    }
  }
  return std::nullopt;
}

TEST(PredicateProperty, EvaluateMatchesRowAtATimeReference) {
  std::mt19937_64 rng(20261124);
  int kept_total = 0, rows_total = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const Rows rows = RandomRows(rng, 1 + rng() % 64, iter % 4 == 0 ? 0.0 : 0.2);
    const Batch batch = rows.ToBatch();
    ASSERT_TRUE(batch.Validate().ok());
    for (int q = 0; q < 10; ++q) {
      const std::string text = RandomExpr(rng, 3);
      Predicate p = MustParse(text);
      ASSERT_TRUE(p.Bind(batch.schema).ok()) << text;
      std::vector<uint8_t> keep;
      ASSERT_TRUE(p.Evaluate(batch, &keep).ok()) << text;
      ASSERT_EQ(keep.size(), rows.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        const bool want = RefEval(p, p.root, rows, i) == true;
        ASSERT_EQ(keep[i] != 0, want) << text << " row " << i;
        kept_total += want;
      }
      rows_total += static_cast<int>(rows.size());
    }
  }
  // The generator is not degenerate: plenty of rows on both sides.
  EXPECT_GT(kept_total, rows_total / 10);
  EXPECT_LT(kept_total, rows_total * 9 / 10);
}

// ---------------------------------------------------------------- row-group skipping

struct WrittenFile {
  std::unique_ptr<parquet::ParquetReader> reader;
};

WrittenFile WriteRowGroups(const Batch& batch, int64_t rows_per_group) {
  BufferWritableFile out;
  parquet::WriterOptions opt;
  opt.row_group_rows = rows_per_group;
  auto w = parquet::ParquetWriter::Open(&out, batch.schema, opt);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE((*w)->WriteBatch(batch).ok());
  EXPECT_TRUE((*w)->Close().ok());
  auto r = parquet::ParquetReader::Open(MakeBufferReadable(std::move(out.buffer())));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return {std::move(r).value()};
}

// Rows sorted by a drifting key so row groups have narrow, distinct ranges and skipping happens.
Rows ClusteredRows(std::mt19937_64& rng, size_t n) {
  Rows r = RandomRows(rng, n, 0.15);
  for (size_t i = 0; i < n; ++i) {
    const int band = static_cast<int>(i * 11 / n) - 5;  // -5 .. 5 across the file
    if (r.i32[i]) r.i32[i] = band;
    if (r.i64[i]) r.i64[i] = band * int64_t{1000000007} + static_cast<int64_t>(rng() % 3) - 1;
    if (r.f[i] && !std::isnan(*r.f[i])) r.f[i] = static_cast<float>(band) / 2;
    if (r.dbl[i] && !std::isnan(*r.dbl[i])) r.dbl[i] = band / 2.0 + 0.25 * static_cast<double>(rng() % 2);
    if (r.d[i]) r.d[i] = static_cast<int32_t>(civil::DaysFromCivil(2024, 1, 10)) + band / 2;
    if (r.ts[i]) r.ts[i] = (civil::DaysFromCivil(2024, 1, 10) * 86400 + band * 21600) * 1000000;
  }
  std::vector<std::optional<std::string>> sorted = r.s;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.value_or("") < b.value_or(""); });
  r.s = sorted;
  // Some whole-null stretches.
  for (size_t i = n / 3; i < n / 3 + 8 && i < n; ++i) r.i32[i] = std::nullopt, r.s[i] = std::nullopt;
  return r;
}

TEST(PredicateProperty, RowGroupSkippingNeverSkipsAMatch) {
  std::mt19937_64 rng(424242);
  int groups = 0, skipped = 0;
  for (int file = 0; file < 12; ++file) {
    const Rows rows = file % 2 ? ClusteredRows(rng, 120) : RandomRows(rng, 90, 0.3);
    const Batch batch = rows.ToBatch();
    WrittenFile wf = WriteRowGroups(batch, 5 + file % 4);
    parquet::ParquetReader& reader = *wf.reader;
    ASSERT_GT(reader.num_row_groups(), 5);
    std::vector<Batch> groups_data;
    for (int g = 0; g < reader.num_row_groups(); ++g) {
      auto b = reader.ReadRowGroup(g, {});
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      groups_data.push_back(std::move(b).value());
    }
    for (int q = 0; q < 150; ++q) {
      const std::string text = RandomExpr(rng, 3);
      Predicate p = MustParse(text);
      ASSERT_TRUE(p.Bind(reader.schema()).ok()) << text;
      for (int g = 0; g < reader.num_row_groups(); ++g) {
        std::vector<uint8_t> keep;
        ASSERT_TRUE(p.Evaluate(groups_data[g], &keep).ok()) << text;
        const bool any = std::find(keep.begin(), keep.end(), 1) != keep.end();
        const bool may = p.MayMatch(reader.info().row_groups[g], reader.info().leaves);
        if (any) {
          ASSERT_TRUE(may) << "skipped a matching group " << g << " for " << text;
        }
        ++groups;
        skipped += may ? 0 : 1;
      }
    }
  }
  // Statistics do prune a meaningful share of these groups.
  EXPECT_GT(skipped, groups / 10) << skipped << " of " << groups;
}

TEST(PredicateStats, SkipsWhenStatisticsProveNoMatch) {
  Rows r;
  for (int i = 0; i < 40; ++i) {
    r.i32.push_back(i < 10 ? std::nullopt : std::optional<int32_t>(i));  // group 0 all null
    r.i64.push_back(i * 100);
    r.f.push_back(static_cast<float>(i));
    r.dbl.push_back(i == 25 ? std::nan("") : i / 2.0);
    r.s.push_back(std::string(1, static_cast<char>('a' + i / 10)) + std::to_string(i));
    r.b.push_back(i >= 20);
    r.d.push_back(static_cast<int32_t>(civil::DaysFromCivil(2024, 1, 1) + i / 10));
    r.ts.push_back((civil::DaysFromCivil(2024, 1, 1) * 86400 + i * 3600) * int64_t{1000000});
  }
  WrittenFile wf = WriteRowGroups(r.ToBatch(), 10);
  parquet::ParquetReader& reader = *wf.reader;
  ASSERT_EQ(reader.num_row_groups(), 4);
  auto groups = [&](const std::string& text) {
    Predicate p = MustParse(text);
    EXPECT_TRUE(p.Bind(reader.schema()).ok()) << text;
    std::string out;
    for (int g = 0; g < 4; ++g) out += p.MayMatch(reader.info().row_groups[g], reader.info().leaves) ? '1' : '0';
    return out;
  };
  EXPECT_EQ(groups("i64 >= 2500"), "0011");
  EXPECT_EQ(groups("i64 < 1000"), "1000");
  EXPECT_EQ(groups("i64 = 1500"), "0100");
  EXPECT_EQ(groups("i64 = 1550"), "0100");  // inside [1000, 1900]: min/max cannot rule it out
  EXPECT_EQ(groups("i64 IN (50, 3900)"), "1001");
  EXPECT_EQ(groups("i64 > 1e30 OR i64 < -5.5"), "0000");
  EXPECT_EQ(groups("i32 IS NULL"), "1000");
  EXPECT_EQ(groups("i32 IS NOT NULL"), "0111");
  EXPECT_EQ(groups("i32 < 100"), "0111");  // the all-null group cannot match a comparison
  EXPECT_EQ(groups("NOT i32 < 100"), "0000");
  EXPECT_EQ(groups("NOT i64 < 2000"), "0011");
  EXPECT_EQ(groups("s >= 'c'"), "0011");
  EXPECT_EQ(groups("s < 'b'"), "1000");
  EXPECT_EQ(groups("s IN ('b15', 'zz')"), "0100");
  EXPECT_EQ(groups("b = TRUE"), "0011");
  EXPECT_EQ(groups("NOT b = TRUE"), "1100");
  EXPECT_EQ(groups("d = DATE '2024-01-03'"), "0010");
  EXPECT_EQ(groups("d > TIMESTAMP '2024-01-03 00:00:01'"), "0001");
  EXPECT_EQ(groups("ts >= '2024-01-02T06:00:00Z'"), "0001");  // hour 30 on
  EXPECT_EQ(groups("ts < DATE '2024-01-01'"), "0000");
  EXPECT_EQ(groups("f > 25 AND i64 < 3000"), "0010");
  EXPECT_EQ(groups("f > 35 OR i64 < 500"), "1001");
  EXPECT_EQ(groups("dbl > 15"), "0001");
  // A NaN row is invisible in float bounds: != and NOT must keep its group.
  EXPECT_EQ(groups("dbl != 12.5"), "1111");
  EXPECT_EQ(groups("NOT dbl < 100"), "1111");  // a NaN could hide in any group
  EXPECT_EQ(groups("NOT i64 < 100000"), "0000");  // ints have no NaN: NOT is decided
  // Unknown to the file: never skipped.
  Predicate missing = MustParse("i64 > 99999");
  ASSERT_TRUE(missing.Bind(reader.schema()).ok());
  std::vector<parquet::LeafColumnInfo> no_leaves;
  EXPECT_TRUE(missing.MayMatch(reader.info().row_groups[0], no_leaves));
  parquet::RowGroupInfo no_stats = reader.info().row_groups[0];
  for (auto& c : no_stats.columns) c.stats = {};
  EXPECT_TRUE(missing.MayMatch(no_stats, reader.info().leaves));
}

TEST(PredicateStats, ConservativeForTypesItCannotOrder) {
  // Hand-made footers: unsigned ints, decimals and a timestamp of another unit are never used.
  Schema s;
  s.fields.push_back(Field::Make("u", DataType::kInt64));
  Field ts = Field::Make("t", DataType::kTimestamp);
  ts.unit = parquet::TimeUnit::kMicros;
  s.fields.push_back(ts);
  s.fields.push_back(Field::Make("x", DataType::kDouble));
  auto leaf = [](std::string path, std::string phys, std::string logical) {
    parquet::LeafColumnInfo l;
    l.path = std::move(path);
    l.physical_type = std::move(phys);
    l.logical_type = std::move(logical);
    return l;
  };
  auto chunk = [](std::string min, std::string max) {
    parquet::ColumnChunkInfo c;
    c.stats.has_min_max = true;
    c.stats.null_count = 0;
    c.stats.min_raw = std::move(min);
    c.stats.max_raw = std::move(max);
    return c;
  };
  auto i64 = [](int64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); };
  auto i32 = [](int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  parquet::RowGroupInfo rg;
  rg.num_rows = 10;
  rg.columns = {chunk(i64(0), i64(5)), chunk(i64(0), i64(5)), chunk(i32(0), i32(5))};
  auto may = [&](const std::string& text, const std::vector<parquet::LeafColumnInfo>& leaves) {
    Predicate p = MustParse(text);
    EXPECT_TRUE(p.Bind(s).ok());
    return p.MayMatch(rg, leaves);
  };
  const std::vector<parquet::LeafColumnInfo> plain = {leaf("u", "INT64", ""), leaf("t", "INT64", "TIMESTAMP(MICROS,UTC)"),
                                                      leaf("x", "DOUBLE", "")};
  EXPECT_FALSE(may("u > 100", plain));
  EXPECT_FALSE(may("t > TIMESTAMP '1970-01-01 00:00:01'", plain));
  EXPECT_TRUE(may("x > 100", plain));  // 4-byte bounds on a DOUBLE leaf: malformed, unused
  EXPECT_TRUE(may("u > 100", {leaf("u", "INT64", "UINT(64)"), plain[1], plain[2]}));
  EXPECT_TRUE(may("u > 100", {leaf("u", "INT64", "DECIMAL(10,2)"), plain[1], plain[2]}));
  EXPECT_TRUE(may("t > TIMESTAMP '1970-01-01 00:00:01'", {plain[0], leaf("t", "INT64", "TIMESTAMP(MILLIS,UTC)"), plain[2]}));
  EXPECT_TRUE(may("t > TIMESTAMP '1970-01-01 00:00:01'", {plain[0], leaf("t", "INT64", ""), plain[2]}));
  // Empty groups hold no match.
  parquet::RowGroupInfo empty;
  Predicate p = MustParse("u IS NULL");
  ASSERT_TRUE(p.Bind(s).ok());
  EXPECT_FALSE(p.MayMatch(empty, plain));
}

TEST(PredicateFile, FilterFileSkipsGroupsAndReadsMissingColumnsAsNull) {
  std::mt19937_64 rng(99);
  const Rows rows = ClusteredRows(rng, 100);
  const Batch batch = rows.ToBatch();
  WrittenFile wf = WriteRowGroups(batch, 10);
  // The table has gained a column since the file was written.
  Schema table_schema = TestSchema();
  table_schema.fields.push_back(Field::Make("added", DataType::kInt64));
  auto filter = [&](const std::string& text, FileFilterStats* st) {
    Predicate p = MustParse(text);
    EXPECT_TRUE(p.Bind(table_schema).ok()) << text;
    auto allowed = FilterFile(*wf.reader, p, st);
    EXPECT_TRUE(allowed.ok()) << text << ": " << allowed.status().ToString();
    return std::move(allowed).value();
  };
  FileFilterStats st;
  for (const std::string text : {"i32 >= 3", "i64 < 0 AND s > 'a'", "ts IS NULL OR d = DATE '2024-01-08'", "f != 0"}) {
    index::AllowedRows allowed = filter(text, &st);
    ASSERT_EQ(allowed.size(), rows.size());
    Predicate ref = MustParse(text);
    ASSERT_TRUE(ref.Bind(batch.schema).ok());
    size_t want_count = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const bool want = RefEval(ref, ref.root, rows, i) == true;
      EXPECT_EQ(allowed.Contains(static_cast<uint32_t>(i)), want) << text << " row " << i;
      want_count += want;
    }
    EXPECT_EQ(st.rows_matched, static_cast<int64_t>(want_count));
    EXPECT_EQ(st.row_groups, 10);
  }
  filter("i32 >= 3", &st);
  EXPECT_GE(st.row_groups_skipped, 5);  // the low bands are ruled out by max < 3
  EXPECT_EQ(filter("added IS NULL", &st).CountAllowed(), rows.size());
  EXPECT_EQ(filter("added = 5 OR i32 IS NULL AND added IS NOT NULL", &st).CountAllowed(), 0u);
  EXPECT_EQ(filter("NOT added = 5", &st).CountAllowed(), 0u);  // NOT unknown
  // A type clash between the table and the file is an error, not a wrong answer.
  Schema clash = TestSchema();
  clash.fields[4].type = DataType::kInt64;  // s: string in the file
  Predicate p = MustParse("s = 1");
  ASSERT_TRUE(p.Bind(clash).ok());
  auto r = FilterFile(*wf.reader, p);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ailake::table
