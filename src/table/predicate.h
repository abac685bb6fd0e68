// Row predicates for `--where` (search, delete): parse, bind to a schema, evaluate over a Batch, and
// skip row groups whose statistics prove that no row can match.
//
// Language (keywords case-insensitive):
//   expr       := or
//   or         := and ('OR' and)*
//   and        := not ('AND' not)*
//   not        := 'NOT' not | '(' expr ')' | comparison
//   comparison := column op literal | column ['NOT'] 'IN' '(' literal (',' literal)* ')'
//               | column 'IS' ['NOT'] 'NULL'
//   op         := = | != | <> | < | <= | > | >=
//   column     := [A-Za-z_][A-Za-z0-9_]* | "double quoted" ("" is a quote)
//   literal    := [+-] integer | [+-] decimal [exponent] | 'string' ('' is a quote) | TRUE | FALSE
//               | DATE 'YYYY-MM-DD' | TIMESTAMP 'YYYY-MM-DD[( |T)HH:MM[:SS[.fffffffff]]][Z|+HH:MM|-HH:MM]'
//                 (core/civil_time.h's grammar, at most nine fraction digits)
//
// Semantics: SQL three-valued logic. A comparison with a NULL value is unknown, NOT unknown is unknown,
// unknown AND false is false, unknown OR true is true; a row is kept only when the predicate is true.
// Numbers compare numerically across int/long/float/double (an int column against 2.5 is exact, never
// rounded); a float column compares against the literal rounded to float. Floating-point NaN is unequal
// to everything (only != is true). Strings and binary compare as unsigned bytes (Parquet's order).
// Dates and timestamps (UTC) accept DATE/TIMESTAMP literals and ISO strings; a DATE on a timestamp
// column is its midnight, a TIMESTAMP on a date column compares exactly (d < TIMESTAMP '2020-01-01 12:00'
// holds for 2020-01-01). Vector (fixed-size binary) and list columns accept only IS [NOT] NULL.
//
// Invariants: parsing is iterative for AND/OR chains and nesting of NOT/parentheses is capped
// (kMaxPredicateDepth), so every recursive walk below is bounded; no input makes any call throw.
// A bound Predicate is immutable: Evaluate and MayMatch may run on many threads at once.
//
//   AILAKE_ASSIGN_OR_RETURN(Predicate p, ParsePredicate("lang IN ('en','fr') AND year >= 2020"));
//   AILAKE_RETURN_IF_ERROR(p.Bind(data_schema));          // p.Columns() == {"lang", "year"}
//   if (p.MayMatch(info.row_groups[g], info.leaves)) { read p.Columns() of group g; p.Evaluate(...) }
// predicate_file.h does that loop for one file (FilterFile -> index::AllowedRows).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "parquet/batch.h"
#include "parquet/file_info.h"

namespace ailake::table {

inline constexpr int kMaxPredicateDepth = 64;
inline constexpr size_t kMaxPredicateBytes = 1u << 20;

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
std::string_view CompareOpName(CompareOp op);

// A literal as written. Timestamps are kept as seconds + nanoseconds so any unit converts exactly.
struct PredicateLiteral {
  enum class Kind : uint8_t { kInt, kDouble, kString, kBool, kDate, kTimestamp };
  Kind kind = Kind::kInt;
  int64_t i = 0;          // kInt; kBool (0/1); kDate (days since 1970-01-01); kTimestamp (seconds)
  int32_t nanos = 0;      // kTimestamp: [0, 1e9)
  double d = 0.0;         // kDouble
  std::string s;          // kString (unescaped)
  int32_t pos = 0;        // 0-based offset in the source text (for messages)
};

// How a bound comparison tests a value. The domain follows the column type: kInt holds int32/int64/
// date/timestamp/bool columns widened to int64 (literals already converted to the column's unit);
// kFloat float/double; kBytes string/binary; kConst a test whose outcome is fixed for non-null values.
struct BoundTest {
  enum class Domain : uint8_t { kInt, kFloat, kBytes, kConst };
  Domain domain = Domain::kConst;
  bool in_list = false;               // IN: the values below (sorted, unique); else op + value
  CompareOp op = CompareOp::kEq;
  int64_t i = 0;
  double d = 0.0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  bool const_value = false;           // kConst: outcome for every non-null value
  parquet::DataType type = parquet::DataType::kInt64;  // the column type bound against
  parquet::TimeUnit unit = parquet::TimeUnit::kMicros;
  int32_t field_id = -1;              // the column's field id in the bound schema (table/column_resolve.h)
};

struct PredicateNode {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCompare, kIn, kIsNull, kIsNotNull };
  Kind kind = Kind::kCompare;
  std::vector<int32_t> children;       // kAnd/kOr: >= 2; kNot: 1 (indices into Predicate::nodes)
  std::string column;                  // leaves
  int32_t column_pos = 0;
  CompareOp op = CompareOp::kEq;       // kCompare
  bool negated_in = false;             // kIn written as NOT IN
  std::vector<PredicateLiteral> values;  // kCompare: 1; kIn: >= 1
  BoundTest test;                      // filled by Bind (leaves other than IS [NOT] NULL)
};

class Predicate {
 public:
  const std::string& text() const { return text_; }
  // The columns the predicate reads, each once, in order of first use.
  std::vector<std::string> Columns() const;
  // Canonical form, fully parenthesized (tests, logs).
  std::string ToString() const;

  // Resolves columns and converts literals to the column types. May be called again with another
  // schema (it rebinds). Errors are InvalidArgument naming the column, the literal and its position.
  Status Bind(const parquet::Schema& schema);
  bool bound() const { return bound_; }

  // keep[i] = 1 when row i satisfies the predicate, else 0 (resized to batch.num_rows). The batch
  // must hold every referenced column (by name, any order) with the type bound against (int32/int64
  // and float/double may be interchanged, as schema evolution allows).
  Status Evaluate(const parquet::Batch& batch, std::vector<uint8_t>* keep) const;

  // False only when the row group's statistics prove no row can satisfy the predicate. Columns that
  // are missing, typed differently than bound, or lack statistics never cause a skip.
  bool MayMatch(const parquet::RowGroupInfo& rg, const std::vector<parquet::LeafColumnInfo>& leaves) const;

  // Internal representation (read by the parser and tests). nodes[root] is the whole expression.
  std::vector<PredicateNode> nodes;
  int32_t root = -1;

 private:
  friend Result<Predicate> ParsePredicate(std::string_view text);
  std::string text_;
  bool bound_ = false;
};

// Parses `text`; errors are InvalidArgument like
//   --where: expected a value after '>=' at column 9: "year >= "
Result<Predicate> ParsePredicate(std::string_view text);

}  // namespace ailake::table
