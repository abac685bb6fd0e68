// Predicate evaluation over a Batch, column at a time.
//
// Each node produces one truth byte per row (kFalse/kUnknown/kTrue, predicate_internal.h), so AND
// is a running min, OR a running max and NOT 2 - v: tight loops without per-row dispatch. A leaf
// first computes its outcome for every row as if all were non-null, then marks null rows unknown.
#include <algorithm>

#include "table/predicate.h"
#include "table/predicate_internal.h"

namespace ailake::table {

namespace {

using namespace predicate_internal;
using Kind = PredicateNode::Kind;
using Domain = BoundTest::Domain;
using DT = parquet::DataType;

// Compares every row through `get(i)` against v, writing kTrue/kFalse.
template <typename Get, typename V>
void CompareAll(CompareOp op, int64_t n, Get get, const V& v, uint8_t* out) {
  auto run = [&](auto pred) {
    for (int64_t i = 0; i < n; ++i) out[i] = pred(get(i)) ? kTrue : kFalse;
  };
  switch (op) {
    case CompareOp::kEq: run([&](const auto& x) { return x == v; }); break;
    case CompareOp::kNe: run([&](const auto& x) { return x != v; }); break;
    case CompareOp::kLt: run([&](const auto& x) { return x < v; }); break;
    case CompareOp::kLe: run([&](const auto& x) { return x <= v; }); break;
    case CompareOp::kGt: run([&](const auto& x) { return x > v; }); break;
    case CompareOp::kGe: run([&](const auto& x) { return x >= v; }); break;
  }
}

// IN over a sorted, unique list: linear for a handful of values, binary search beyond.
template <typename Get, typename V>
void InAll(int64_t n, Get get, const std::vector<V>& set, uint8_t* out) {
  if (set.size() <= 8) {
    for (int64_t i = 0; i < n; ++i) {
      const auto x = get(i);
      bool hit = false;
      for (const V& s : set) hit |= (x == s);
      out[i] = hit ? kTrue : kFalse;
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = std::binary_search(set.begin(), set.end(), get(i)) ? kTrue : kFalse;
}

template <typename Get, typename V>
void TestAll(const BoundTest& t, int64_t n, Get get, const V& v, const std::vector<V>& set, uint8_t* out) {
  if (t.in_list) InAll(n, get, set, out);
  else CompareAll(t.op, n, get, v, out);
}

template <typename T>
void IntTest(const BoundTest& t, const parquet::Column& c, int64_t n, uint8_t* out) {
  const uint8_t* base = c.values().data();
  auto get = [base](int64_t i) {
    T v;
    __builtin_memcpy(&v, base + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    return static_cast<int64_t>(v);
  };
  TestAll(t, n, get, t.i, t.ints, out);
}

template <typename T>
void FloatTest(const BoundTest& t, const parquet::Column& c, int64_t n, uint8_t* out) {
  const uint8_t* base = c.values().data();
  auto get = [base](int64_t i) {
    T v;
    __builtin_memcpy(&v, base + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    return static_cast<double>(v);  // NaN stays NaN: unequal to everything, as IEEE compares
  };
  TestAll(t, n, get, t.d, t.doubles, out);
}

void BytesTest(const BoundTest& t, const parquet::Column& c, int64_t n, uint8_t* out) {
  auto get = [&c](int64_t i) { return c.StringValue(i); };
  // string_view compares as unsigned bytes (char_traits<char>::compare is memcmp), Parquet's order.
  if (t.in_list) {
    std::vector<std::string_view> set(t.strings.begin(), t.strings.end());
    InAll(n, get, set, out);
  } else {
    CompareAll(t.op, n, get, std::string_view(t.s), out);
  }
}

// Whether a batch column of type `actual` can be read with a test bound to `t.type`.
bool Compatible(const BoundTest& t, const parquet::Field& actual) {
  auto intish = [](DT x) { return x == DT::kInt32 || x == DT::kInt64; };
  auto floatish = [](DT x) { return x == DT::kFloat || x == DT::kDouble; };
  auto bytes = [](DT x) { return x == DT::kString || x == DT::kBinary; };
  if (intish(t.type)) return intish(actual.type);
  if (floatish(t.type)) return floatish(actual.type);
  if (bytes(t.type)) return bytes(actual.type);
  if (t.type == DT::kTimestamp) return actual.type == DT::kTimestamp && actual.unit == t.unit;
  return actual.type == t.type;
}

class Evaluator {
 public:
  explicit Evaluator(const Predicate& p, const parquet::Batch& b) : p_(p), b_(b), n_(b.num_rows) {}

  Status Eval(int32_t idx, std::vector<uint8_t>* out) {
    const PredicateNode& node = p_.nodes[idx];
    out->resize(static_cast<size_t>(n_));
    uint8_t* o = out->data();
    switch (node.kind) {
      case Kind::kAnd:
      case Kind::kOr: {
        AILAKE_RETURN_IF_ERROR(Eval(node.children[0], out));
        std::vector<uint8_t> tmp;
        for (size_t k = 1; k < node.children.size(); ++k) {
          AILAKE_RETURN_IF_ERROR(Eval(node.children[k], &tmp));
          if (node.kind == Kind::kAnd) for (int64_t i = 0; i < n_; ++i) o[i] = std::min(o[i], tmp[i]);
          else for (int64_t i = 0; i < n_; ++i) o[i] = std::max(o[i], tmp[i]);
        }
        return Status::OK();
      }
      case Kind::kNot:
        AILAKE_RETURN_IF_ERROR(Eval(node.children[0], out));
        for (int64_t i = 0; i < n_; ++i) o[i] = static_cast<uint8_t>(kTrue - o[i]);
        return Status::OK();
      default: return Leaf(node, o);
    }
  }

 private:
  Status Leaf(const PredicateNode& node, uint8_t* o) {
    const int idx = b_.schema.FieldIndex(node.column);
    if (idx < 0 || static_cast<size_t>(idx) >= b_.columns.size())
      return Status::InvalidArgument("predicate: the batch has no column '" + node.column + "'");
    const parquet::Column& c = b_.columns[idx];
    const parquet::Field& f = b_.schema.fields[idx];
    if (c.length() != n_ || c.type() != f.type)
      return Status::InvalidArgument("predicate: column '" + node.column + "' does not match the batch (" +
                                     std::to_string(c.length()) + " rows, batch " + std::to_string(n_) + ")");
    const bool has_nulls = !c.validity().empty();
    if (has_nulls && static_cast<int64_t>(c.validity().size()) * 8 < n_)
      return Status::InvalidArgument("predicate: column '" + node.column + "' has a short validity bitmap");
    if (node.kind == Kind::kIsNull || node.kind == Kind::kIsNotNull) {
      const bool want_null = node.kind == Kind::kIsNull;
      for (int64_t i = 0; i < n_; ++i) o[i] = (c.IsValid(i) != want_null) ? kTrue : kFalse;
      return Status::OK();
    }
    const BoundTest& t = node.test;
    if (!Compatible(t, f))
      return Status::InvalidArgument("predicate: column '" + node.column + "' is " +
                                     std::string(parquet::DataTypeName(f.type)) + " in the batch but " +
                                     std::string(parquet::DataTypeName(t.type)) + " when bound");
    AILAKE_RETURN_IF_ERROR(CheckBuffers(node, c));
    if (t.domain == Domain::kConst) {
      std::fill(o, o + n_, t.const_value ? kTrue : kFalse);
    } else {
      switch (c.type()) {
        case DT::kBool: IntTest<uint8_t>(t, c, n_, o); break;
        case DT::kInt32:
        case DT::kDate: IntTest<int32_t>(t, c, n_, o); break;
        case DT::kInt64:
        case DT::kTimestamp: IntTest<int64_t>(t, c, n_, o); break;
        case DT::kFloat: FloatTest<float>(t, c, n_, o); break;
        case DT::kDouble: FloatTest<double>(t, c, n_, o); break;
        case DT::kString:
        case DT::kBinary: BytesTest(t, c, n_, o); break;
        default: return Status::Internal("predicate: column '" + node.column + "' cannot be compared");
      }
    }
    if (node.kind == Kind::kIn && node.negated_in)
      for (int64_t i = 0; i < n_; ++i) o[i] = static_cast<uint8_t>(kTrue - o[i]);
    if (has_nulls)
      for (int64_t i = 0; i < n_; ++i)
        if (!c.IsValid(i)) o[i] = kUnknown;
    return Status::OK();
  }

  // The value buffers must cover every row: a malformed batch is an error, never an out-of-bounds read.
  Status CheckBuffers(const PredicateNode& node, const parquet::Column& c) const {
    const int32_t w = parquet::FixedWidth(parquet::Field::Make("", c.type()));
    bool ok = true;
    if (c.type() == DT::kString || c.type() == DT::kBinary) {
      const auto& off = c.offsets();
      ok = static_cast<int64_t>(off.size()) >= n_ + 1;
      for (int64_t i = 0; ok && i < n_; ++i)
        ok = off[i] >= 0 && off[i] <= off[i + 1] && off[i + 1] <= static_cast<int64_t>(c.values().size());
    } else if (w > 0) {
      ok = static_cast<int64_t>(c.values().size()) >= n_ * w;
    }
    if (!ok) return Status::InvalidArgument("predicate: column '" + node.column + "' has short value buffers");
    return Status::OK();
  }

  const Predicate& p_;
  const parquet::Batch& b_;
  int64_t n_;
};

}  // namespace

Status Predicate::Evaluate(const parquet::Batch& batch, std::vector<uint8_t>* keep) const {
  if (!bound_) return Status::InvalidArgument("predicate: Evaluate before Bind ('" + text_ + "')");
  if (batch.num_rows < 0) return Status::InvalidArgument("predicate: negative row count");
  Evaluator ev(*this, batch);
  AILAKE_RETURN_IF_ERROR(ev.Eval(root, keep));
  for (uint8_t& k : *keep) k = k == kTrue ? 1 : 0;
  return Status::OK();
}

}  // namespace ailake::table
