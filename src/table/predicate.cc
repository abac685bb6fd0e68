// Predicate binding (column lookup, literal conversion) and printing. Parsing is in
// predicate_parser.cc, evaluation in predicate_eval.cc, statistics in predicate_stats.cc.
//
// Binding turns every literal into the column's own domain so evaluation and statistics never
// convert per row: ints/dates/timestamps/bools become int64 in the column's unit, and a literal that
// falls between two representable values (2.5 on an int column, 12:00 on a date column) is rewritten
// exactly: x < 2.5 -> x <= 2, x = 2.5 -> false for every non-null x, x != 2.5 -> true.
#include "table/predicate.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cfloat>
#include <cmath>
#include <limits>
#include <system_error>

#include "core/civil_time.h"
#include "table/predicate_internal.h"

namespace ailake::table {

namespace predicate_internal {

Status WhereError(std::string_view text, const std::string& what, int32_t pos) {
  // Quote the text around the position (whole when short) so the message stays one readable line.
  constexpr size_t kWindow = 60;
  std::string excerpt;
  const size_t p = std::min(static_cast<size_t>(pos < 0 ? 0 : pos), text.size());
  if (text.size() <= 2 * kWindow) {
    excerpt = std::string(text);
  } else {
    const size_t b = p > kWindow ? p - kWindow : 0;
    const size_t e = std::min(text.size(), p + kWindow);
    excerpt = (b > 0 ? "..." : "") + std::string(text.substr(b, e - b)) + (e < text.size() ? "..." : "");
  }
  return Status::InvalidArgument("--where: " + what + " at column " + std::to_string(p + 1) + ": \"" + excerpt + "\"");
}

}  // namespace predicate_internal

using predicate_internal::WhereError;
using Kind = PredicateNode::Kind;
using LitKind = PredicateLiteral::Kind;
using Domain = BoundTest::Domain;

std::string_view CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

namespace {

using i128 = __int128;

// How literals print back: SQL's "YYYY-MM-DD HH:MM:SS[.f]", no zone (literals are UTC).
constexpr civil::DateTimeStyle kSqlTimestamp{' ', false, true};

// A literal converted to an integer domain: the largest representable value <= the literal, and
// whether the literal equals it. floor may lie outside int64 (the literal is beyond every value).
struct IntLiteral {
  i128 floor = 0;
  bool exact = true;
};

IntLiteral FromDouble(double d) {
  constexpr double kBig = 1e30;  // far outside int64, still exact in i128
  if (d >= kBig) return {static_cast<i128>(kBig), false};
  if (d <= -kBig) return {-static_cast<i128>(kBig), false};
  const double f = std::floor(d);
  return {static_cast<i128>(f), f == d};
}

i128 FloorDiv(i128 a, i128 b) {  // b > 0
  i128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

int64_t UnitsPerSecond(parquet::TimeUnit u) {
  switch (u) {
    case parquet::TimeUnit::kMillis: return 1000;
    case parquet::TimeUnit::kMicros: return 1000000;
    case parquet::TimeUnit::kNanos: return 1000000000;
  }
  return 1000000;
}

// The shortest text that parses back to d (literals are finite).
std::string ShortestDouble(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::string DescribeLiteral(const PredicateLiteral& l) {
  switch (l.kind) {
    case LitKind::kInt: return "the number " + std::to_string(l.i);
    case LitKind::kDouble: return "the number " + ShortestDouble(l.d);
    case LitKind::kString: return "the string '" + l.s.substr(0, 40) + (l.s.size() > 40 ? "...'" : "'");
    case LitKind::kBool: return l.i ? "TRUE" : "FALSE";
    case LitKind::kDate: return "DATE '" + civil::FormatDate(l.i) + "'";
    case LitKind::kTimestamp: return "TIMESTAMP '" + civil::FormatInstant(l.i, l.nanos, kSqlTimestamp) + "'";
  }
  return "the value";
}

std::string TypeName(const parquet::Field& f) {
  switch (f.type) {
    case parquet::DataType::kBool: return "boolean";
    case parquet::DataType::kInt32: return "int";
    case parquet::DataType::kInt64: return "long";
    case parquet::DataType::kFloat: return "float";
    case parquet::DataType::kDouble: return "double";
    case parquet::DataType::kString: return "string";
    case parquet::DataType::kBinary: return "binary";
    case parquet::DataType::kFixedBinary: return "fixed[" + std::to_string(f.fixed_len) + "] (a vector column)";
    case parquet::DataType::kDate: return "date";
    case parquet::DataType::kTimestamp: return "timestamp";
    case parquet::DataType::kList: return "list (a vector column)";
  }
  return "unknown";
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

class Binder {
 public:
  Binder(std::string_view text, const parquet::Schema& schema) : text_(text), schema_(schema) {}

  Status BindLeaf(PredicateNode* n) {
    const int idx = schema_.FieldIndex(n->column);
    if (idx < 0) return UnknownColumn(*n);
    const parquet::Field& f = schema_.fields[idx];
    BoundTest t;
    t.type = f.type;
    t.unit = f.unit;
    t.field_id = f.field_id;
    if (n->kind == Kind::kIsNull || n->kind == Kind::kIsNotNull) {
      n->test = std::move(t);
      return Status::OK();
    }
    if (f.type == parquet::DataType::kFixedBinary || f.type == parquet::DataType::kList)
      return WhereError(text_,
                        "column '" + n->column + "' is " + TypeName(f) +
                            "; --where compares scalar columns only (IS NULL / IS NOT NULL work on any column)",
                        n->column_pos);
    t.in_list = n->kind == Kind::kIn;
    t.op = n->op;
    switch (f.type) {
      case parquet::DataType::kFloat:
      case parquet::DataType::kDouble: AILAKE_RETURN_IF_ERROR(BindFloat(*n, f, &t)); break;
      case parquet::DataType::kString:
      case parquet::DataType::kBinary: AILAKE_RETURN_IF_ERROR(BindBytes(*n, f, &t)); break;
      default: AILAKE_RETURN_IF_ERROR(BindInt(*n, f, &t)); break;
    }
    n->test = std::move(t);
    return Status::OK();
  }

 private:
  Status Mismatch(const PredicateNode& n, const parquet::Field& f, const PredicateLiteral& l, const std::string& hint) {
    return WhereError(text_,
                      "column '" + n.column + "' is " + TypeName(f) + " and cannot be compared with " +
                          DescribeLiteral(l) + " (" + hint + ")",
                      l.pos);
  }

  Status UnknownColumn(const PredicateNode& n) {
    std::string list, best;
    size_t best_d = 3;  // suggest only close names
    for (const parquet::Field& f : schema_.fields) {
      if (!list.empty()) list += ", ";
      list += f.name;
      const size_t d = EditDistance(n.column, f.name);
      if (d < best_d) best_d = d, best = f.name;
    }
    std::string what = "unknown column '" + n.column + "'";
    if (!best.empty()) what += " (did you mean '" + best + "'?)";
    what += "; the columns are: " + (list.empty() ? std::string("(none)") : list);
    return WhereError(text_, what, n.column_pos);
  }

  Status BindFloat(const PredicateNode& n, const parquet::Field& f, BoundTest* t) {
    t->domain = Domain::kFloat;
    for (const PredicateLiteral& l : n.values) {
      double d;
      if (l.kind == LitKind::kInt) d = static_cast<double>(l.i);
      else if (l.kind == LitKind::kDouble) d = l.d;
      else return Mismatch(n, f, l, "use a number");
      // A float column compares against the literal as the float it would be stored as, so
      // score = 0.1 finds the rows written as 0.1f. Beyond float's range the double is kept.
      if (f.type == parquet::DataType::kFloat && std::fabs(d) <= FLT_MAX) d = static_cast<double>(static_cast<float>(d));
      t->doubles.push_back(d);
    }
    if (!t->in_list) {
      t->d = t->doubles[0];
      t->doubles.clear();
    } else {
      std::sort(t->doubles.begin(), t->doubles.end());
      t->doubles.erase(std::unique(t->doubles.begin(), t->doubles.end()), t->doubles.end());
    }
    return Status::OK();
  }

  Status BindBytes(const PredicateNode& n, const parquet::Field& f, BoundTest* t) {
    t->domain = Domain::kBytes;
    for (const PredicateLiteral& l : n.values) {
      if (l.kind != LitKind::kString) return Mismatch(n, f, l, "use a 'quoted string'");
      t->strings.push_back(l.s);
    }
    if (!t->in_list) {
      t->s = std::move(t->strings[0]);
      t->strings.clear();
    } else {
      std::sort(t->strings.begin(), t->strings.end());
      t->strings.erase(std::unique(t->strings.begin(), t->strings.end()), t->strings.end());
    }
    return Status::OK();
  }

  // Converts a literal to the integer domain of column f (bool 0/1, int, long, date days,
  // timestamp in f.unit).
  Status ToInt(const PredicateNode& n, const parquet::Field& f, const PredicateLiteral& l, IntLiteral* out) {
    using DT = parquet::DataType;
    const PredicateLiteral* lit = &l;
    PredicateLiteral parsed;
    if ((f.type == DT::kDate || f.type == DT::kTimestamp) && l.kind == LitKind::kString) {
      // ISO strings on temporal columns: a date, else a timestamp.
      parsed.pos = l.pos;
      if (auto date = civil::ParseDate(l.s); date.ok()) {
        parsed.kind = LitKind::kDate;
        parsed.i = *date;
      } else if (auto instant = civil::ParseInstant(l.s); instant.ok() && instant->fraction_digits <= 9) {
        parsed.kind = LitKind::kTimestamp;
        parsed.i = instant->seconds;
        parsed.nanos = instant->nanos;
      } else {
        return WhereError(text_,
                          "column '" + n.column + "' is " + TypeName(f) + " and '" + l.s.substr(0, 40) +
                              "' is not a date or timestamp (use YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS[.fffffffff]][Z|+HH:MM])",
                          l.pos);
      }
      lit = &parsed;
    }
    switch (f.type) {
      case DT::kBool:
        if (lit->kind != LitKind::kBool) return Mismatch(n, f, *lit, "use TRUE or FALSE");
        *out = {lit->i, true};
        return Status::OK();
      case DT::kInt32:
      case DT::kInt64:
        if (lit->kind == LitKind::kInt) *out = {lit->i, true};
        else if (lit->kind == LitKind::kDouble) *out = FromDouble(lit->d);
        else return Mismatch(n, f, *lit, "use a number");
        return Status::OK();
      case DT::kDate:
        if (lit->kind == LitKind::kDate) {
          *out = {lit->i, true};
        } else if (lit->kind == LitKind::kTimestamp) {
          const i128 ns = static_cast<i128>(lit->i) * 1000000000 + lit->nanos;
          const i128 day = static_cast<i128>(civil::kSecondsPerDay) * 1000000000;
          *out = {FloorDiv(ns, day), ns % day == 0};
        } else {
          return Mismatch(n, f, *lit, "use DATE 'YYYY-MM-DD'");
        }
        return Status::OK();
      case DT::kTimestamp: {
        const int64_t per = UnitsPerSecond(f.unit);
        if (lit->kind == LitKind::kDate) {
          *out = {static_cast<i128>(lit->i) * civil::kSecondsPerDay * per, true};
        } else if (lit->kind == LitKind::kTimestamp) {
          const int64_t ns_per_unit = 1000000000 / per;
          *out = {static_cast<i128>(lit->i) * per + lit->nanos / ns_per_unit, lit->nanos % ns_per_unit == 0};
        } else {
          return Mismatch(n, f, *lit, "use TIMESTAMP 'YYYY-MM-DD HH:MM:SS' or DATE 'YYYY-MM-DD'");
        }
        return Status::OK();
      }
      default: return Status::Internal("predicate: no integer domain for column '" + n.column + "'");
    }
  }

  Status BindInt(const PredicateNode& n, const parquet::Field& f, BoundTest* t) {
    t->domain = Domain::kInt;
    constexpr i128 kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
    if (t->in_list) {
      // Values no column value can equal (out of range, or between two representable values) drop out.
      for (const PredicateLiteral& l : n.values) {
        IntLiteral v;
        AILAKE_RETURN_IF_ERROR(ToInt(n, f, l, &v));
        if (v.exact && v.floor >= kMin && v.floor <= kMax) t->ints.push_back(static_cast<int64_t>(v.floor));
      }
      std::sort(t->ints.begin(), t->ints.end());
      t->ints.erase(std::unique(t->ints.begin(), t->ints.end()), t->ints.end());
      return Status::OK();
    }
    IntLiteral v;
    AILAKE_RETURN_IF_ERROR(ToInt(n, f, n.values[0], &v));
    const CompareOp op = n.op;
    auto constant = [&](bool value) {
      t->domain = Domain::kConst;
      t->const_value = value;
    };
    if (v.floor > kMax) {  // every value is below the literal
      constant(op == CompareOp::kNe || op == CompareOp::kLt || op == CompareOp::kLe);
    } else if (v.floor < kMin) {  // every value is above the literal
      constant(op == CompareOp::kNe || op == CompareOp::kGt || op == CompareOp::kGe);
    } else if (v.exact) {
      t->i = static_cast<int64_t>(v.floor);
    } else {  // floor < literal < floor + 1
      t->i = static_cast<int64_t>(v.floor);
      switch (op) {
        case CompareOp::kEq: constant(false); break;
        case CompareOp::kNe: constant(true); break;
        case CompareOp::kLt:
        case CompareOp::kLe: t->op = CompareOp::kLe; break;
        case CompareOp::kGt:
        case CompareOp::kGe: t->op = CompareOp::kGt; break;
      }
    }
    return Status::OK();
  }

  std::string_view text_;
  const parquet::Schema& schema_;
};

bool PlainIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  std::string up;
  for (char c : s) up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return up != "AND" && up != "OR" && up != "NOT" && up != "IN" && up != "IS" && up != "NULL";
}

std::string Quote(const std::string& s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out.push_back(c);
    if (c == q) out.push_back(q);
  }
  out.push_back(q);
  return out;
}

std::string LiteralText(const PredicateLiteral& l) {
  switch (l.kind) {
    case LitKind::kInt: return std::to_string(l.i);
    case LitKind::kDouble: {
      std::string s = ShortestDouble(l.d);
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // keep it a decimal when re-parsed
      return s;
    }
    case LitKind::kString: return Quote(l.s, '\'');
    case LitKind::kBool: return l.i ? "TRUE" : "FALSE";
    case LitKind::kDate: return "DATE '" + civil::FormatDate(l.i) + "'";
    case LitKind::kTimestamp: return "TIMESTAMP '" + civil::FormatInstant(l.i, l.nanos, kSqlTimestamp) + "'";
  }
  return "?";
}

void Print(const std::vector<PredicateNode>& nodes, int32_t i, std::string* out) {
  const PredicateNode& n = nodes[i];
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      out->push_back('(');
      for (size_t k = 0; k < n.children.size(); ++k) {
        if (k) *out += n.kind == Kind::kAnd ? " AND " : " OR ";
        Print(nodes, n.children[k], out);
      }
      out->push_back(')');
      return;
    case Kind::kNot:
      *out += "NOT ";
      Print(nodes, n.children[0], out);
      return;
    default: break;
  }
  *out += PlainIdentifier(n.column) ? n.column : Quote(n.column, '"');
  switch (n.kind) {
    case Kind::kIsNull: *out += " IS NULL"; return;
    case Kind::kIsNotNull: *out += " IS NOT NULL"; return;
    case Kind::kCompare:
      *out += " ";
      *out += CompareOpName(n.op);
      *out += " " + LiteralText(n.values[0]);
      return;
    default:
      *out += n.negated_in ? " NOT IN (" : " IN (";
      for (size_t k = 0; k < n.values.size(); ++k) *out += (k ? ", " : "") + LiteralText(n.values[k]);
      *out += ")";
      return;
  }
}

bool IsLeaf(const PredicateNode& n) { return n.kind != Kind::kAnd && n.kind != Kind::kOr && n.kind != Kind::kNot; }

}  // namespace

std::vector<std::string> Predicate::Columns() const {
  // Leaves are stored in source order (the parser appends a leaf as soon as it is read).
  std::vector<std::string> out;
  for (const PredicateNode& n : nodes)
    if (IsLeaf(n) && std::find(out.begin(), out.end(), n.column) == out.end()) out.push_back(n.column);
  return out;
}

std::string Predicate::ToString() const {
  std::string out;
  if (root >= 0) Print(nodes, root, &out);
  return out;
}

Status Predicate::Bind(const parquet::Schema& schema) {
  bound_ = false;
  Binder binder(text_, schema);
  for (PredicateNode& n : nodes)
    if (IsLeaf(n)) AILAKE_RETURN_IF_ERROR(binder.BindLeaf(&n));
  bound_ = root >= 0;
  return Status::OK();
}

}  // namespace ailake::table
