// Row-group skipping: which truth values can the predicate take on some row of a row group, given
// only the footer statistics?
//
// Every node yields a set of possible outcomes (bit per kFalse/kUnknown/kTrue). Leaves derive theirs
// from min/max/null_count; AND/OR combine pairwise (min/max over all pairs, a superset of what rows
// can produce since it ignores correlation); NOT maps each outcome. The group is skipped only when
// kTrue is impossible. Soundness rests on every leaf set being a superset of the real outcomes, so
// anything uncertain (missing stats, a column typed differently than bound, unsigned or decimal
// logical types, NaN bounds) contributes all outcomes.
//
// Floating point: Parquet float bounds ignore NaN, and a NaN row is false for every comparison but
// !=, so float leaves always add kFalse (and kTrue for !=) for a possible NaN.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "table/predicate.h"
#include "table/column_resolve.h"
#include "table/predicate_internal.h"

namespace ailake::table {

namespace {

using namespace predicate_internal;
using Kind = PredicateNode::Kind;
using Domain = BoundTest::Domain;
using DT = parquet::DataType;

constexpr uint8_t kF = 1u << kFalse, kU = 1u << kUnknown, kT = 1u << kTrue;
constexpr uint8_t kAll = kF | kU | kT;

uint8_t Combine(uint8_t a, uint8_t b, bool is_and) {
  uint8_t out = 0;
  for (uint8_t x = 0; x <= kTrue; ++x)
    for (uint8_t y = 0; y <= kTrue; ++y)
      if ((a >> x & 1) && (b >> y & 1)) out |= 1u << (is_and ? std::min(x, y) : std::max(x, y));
  return out;
}

uint8_t Negate(uint8_t s) { return static_cast<uint8_t>((s & kU) | ((s & kT) ? kF : 0) | ((s & kF) ? kT : 0)); }

// Outcomes of `x op v` / `x IN set` for x ranging over [lo, hi] (bounds inclusive, and possibly not
// attained: truncated string bounds only enclose the values).
template <typename V>
uint8_t RangeOutcomes(const BoundTest& t, const V& lo, const V& hi, const V& v, const std::vector<V>& set) {
  if (t.in_list) {
    const auto it = std::lower_bound(set.begin(), set.end(), lo);
    uint8_t out = 0;
    if (it != set.end() && !(hi < *it)) out |= kT;
    if (!(lo == hi && it != set.end() && *it == lo)) out |= kF;
    return out;
  }
  const bool single = lo == hi && lo == v;
  const bool inside = !(v < lo) && !(hi < v);
  switch (t.op) {
    case CompareOp::kEq: return static_cast<uint8_t>((inside ? kT : 0) | (single ? 0 : kF));
    case CompareOp::kNe: return static_cast<uint8_t>((single ? 0 : kT) | (inside ? kF : 0));
    case CompareOp::kLt: return static_cast<uint8_t>((lo < v ? kT : 0) | (!(hi < v) ? kF : 0));
    case CompareOp::kLe: return static_cast<uint8_t>((!(v < lo) ? kT : 0) | (v < hi ? kF : 0));
    case CompareOp::kGt: return static_cast<uint8_t>((v < hi ? kT : 0) | (!(v < lo) ? kF : 0));
    case CompareOp::kGe: return static_cast<uint8_t>((!(hi < v) ? kT : 0) | (lo < v ? kF : 0));
  }
  return kF | kT;
}

template <typename T>
bool Decode(const std::string& raw, T* out) {
  if (raw.size() != sizeof(T)) return false;
  std::memcpy(out, raw.data(), sizeof(T));
  return true;
}

bool StartsWith(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

std::string_view UnitName(parquet::TimeUnit u) {
  switch (u) {
    case parquet::TimeUnit::kMillis: return "MILLIS";
    case parquet::TimeUnit::kMicros: return "MICROS";
    case parquet::TimeUnit::kNanos: return "NANOS";
  }
  return "";
}

// Plain signed integers: no logical type, or a signed INT annotation ("INT(n)" / INT_n; unsigned
// ones are "UINT(n)" / UINT_n and sort differently).
bool SignedIntLogical(const std::string& lt) {
  return lt.empty() || StartsWith(lt, "INT(") || lt == "INT_8" ||
         lt == "INT_16" || lt == "INT_32" || lt == "INT_64";
}

// Int domain: decodes min/max when the leaf stores exactly what the bound test compares.
bool IntBounds(const BoundTest& t, const parquet::LeafColumnInfo& leaf, const parquet::ColumnStats& st, int64_t* lo,
               int64_t* hi) {
  const std::string& pt = leaf.physical_type;
  const std::string& lt = leaf.logical_type;
  bool ok = false;
  switch (t.type) {
    case DT::kBool: ok = pt == "BOOLEAN"; break;
    case DT::kInt32:
    case DT::kInt64: ok = (pt == "INT32" || pt == "INT64") && SignedIntLogical(lt); break;
    case DT::kDate: ok = pt == "INT32" && lt == "DATE"; break;
    case DT::kTimestamp:
      ok = pt == "INT64" && StartsWith(lt, "TIMESTAMP(" + std::string(UnitName(t.unit)) + ",");
      break;
    default: break;
  }
  if (!ok) return false;
  if (pt == "BOOLEAN") {
    uint8_t a, b;
    if (!Decode(st.min_raw, &a) || !Decode(st.max_raw, &b) || a > 1 || b > 1) return false;
    *lo = a, *hi = b;
  } else if (pt == "INT32") {
    int32_t a, b;
    if (!Decode(st.min_raw, &a) || !Decode(st.max_raw, &b)) return false;
    *lo = a, *hi = b;
  } else {
    if (!Decode(st.min_raw, lo) || !Decode(st.max_raw, hi)) return false;
  }
  return *lo <= *hi;
}

bool FloatBounds(const BoundTest& t, const parquet::LeafColumnInfo& leaf, const parquet::ColumnStats& st, double* lo,
                 double* hi) {
  if (!leaf.logical_type.empty()) return false;
  if (leaf.physical_type == "FLOAT") {
    float a, b;
    if (!Decode(st.min_raw, &a) || !Decode(st.max_raw, &b)) return false;
    *lo = a, *hi = b;
  } else if (leaf.physical_type == "DOUBLE") {
    if (!Decode(st.min_raw, lo) || !Decode(st.max_raw, hi)) return false;
  } else {
    return false;
  }
  return !std::isnan(*lo) && !std::isnan(*hi) && *lo <= *hi;
}

bool BytesBounds(const parquet::LeafColumnInfo& leaf, const parquet::ColumnStats& st) {
  return leaf.physical_type == "BYTE_ARRAY" && !StartsWith(leaf.logical_type, "DECIMAL") && st.min_raw <= st.max_raw;
}

// Outcomes for non-null values of a comparison leaf (kF|kT when nothing is known).
uint8_t ValueOutcomes(const PredicateNode& n, const parquet::LeafColumnInfo& leaf, const parquet::ColumnStats& st) {
  const BoundTest& t = n.test;
  if (t.domain == Domain::kConst) return t.const_value ? kT : kF;
  if (!st.has_min_max) return kF | kT;
  switch (t.domain) {
    case Domain::kInt: {
      int64_t lo, hi;
      if (!IntBounds(t, leaf, st, &lo, &hi)) return kF | kT;
      return RangeOutcomes<int64_t>(t, lo, hi, t.i, t.ints);
    }
    case Domain::kFloat: {
      const bool float_col = t.type == DT::kFloat || t.type == DT::kDouble;
      double lo, hi;
      if (!float_col || !FloatBounds(t, leaf, st, &lo, &hi)) return kF | kT;
      // A NaN row (invisible in the bounds) is false for all but !=, true for !=.
      const uint8_t nan = (!t.in_list && t.op == CompareOp::kNe) ? kT : kF;
      return static_cast<uint8_t>(RangeOutcomes<double>(t, lo, hi, t.d, t.doubles) | nan);
    }
    case Domain::kBytes: {
      if (!(t.type == DT::kString || t.type == DT::kBinary) || !BytesBounds(leaf, st)) return kF | kT;
      // std::string compares as unsigned bytes, the order Parquet's min_value/max_value use.
      return RangeOutcomes<std::string>(t, st.min_raw, st.max_raw, t.s, t.strings);
    }
    default: return kF | kT;
  }
}

class StatsEvaluator {
 public:
  StatsEvaluator(const Predicate& p, const parquet::RowGroupInfo& rg, const std::vector<parquet::LeafColumnInfo>& leaves)
      : p_(p), rg_(rg), leaves_(leaves) {}

  uint8_t Eval(int32_t idx) const {
    const PredicateNode& n = p_.nodes[idx];
    switch (n.kind) {
      case Kind::kAnd:
      case Kind::kOr: {
        uint8_t acc = Eval(n.children[0]);
        for (size_t k = 1; k < n.children.size(); ++k) acc = Combine(acc, Eval(n.children[k]), n.kind == Kind::kAnd);
        return acc;
      }
      case Kind::kNot: return Negate(Eval(n.children[0]));
      default: return Leaf(n);
    }
  }

 private:
  uint8_t Leaf(const PredicateNode& n) const {
    // The column's chunk: a top-level, non-repeated leaf, found by field id (a renamed column keeps
    // its id; another column may carry its old name).
    const int found = ResolveFileLeaf(leaves_, n.column, n.test.field_id);
    if (found < 0) return kAll;
    const size_t li = static_cast<size_t>(found);
    if (li >= rg_.columns.size()) return kAll;
    const parquet::LeafColumnInfo& leaf = leaves_[li];
    const parquet::ColumnChunkInfo& cc = rg_.columns[li];
    if (!cc.physical_type.empty() && cc.physical_type != leaf.physical_type) return kAll;
    const parquet::ColumnStats& st = cc.stats;
    const bool may_null = !st.null_count || *st.null_count > 0;
    const bool may_value = !st.null_count || *st.null_count < rg_.num_rows;
    if (n.kind == Kind::kIsNull || n.kind == Kind::kIsNotNull) {
      const uint8_t is_null = static_cast<uint8_t>((may_null ? kT : 0) | (may_value ? kF : 0));
      return n.kind == Kind::kIsNull ? is_null : Negate(is_null);
    }
    uint8_t out = may_null ? kU : 0;
    if (may_value) {
      uint8_t v = ValueOutcomes(n, leaf, st);
      if (n.kind == Kind::kIn && n.negated_in) v = Negate(v);
      out |= v;
    }
    return out;
  }

  const Predicate& p_;
  const parquet::RowGroupInfo& rg_;
  const std::vector<parquet::LeafColumnInfo>& leaves_;
};

}  // namespace

bool Predicate::MayMatch(const parquet::RowGroupInfo& rg, const std::vector<parquet::LeafColumnInfo>& leaves) const {
  if (!bound_ || root < 0) return true;
  if (rg.num_rows <= 0) return rg.num_rows < 0;  // an empty group has no row to match; negative: don't guess
  return (StatsEvaluator(*this, rg, leaves).Eval(root) & kT) != 0;
}

}  // namespace ailake::table
