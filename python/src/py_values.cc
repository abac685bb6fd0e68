// Python values <-> ailake::Column (include/ailake/values.h). Strict: a value of the wrong kind is an
// InvalidArgument naming the column and row, never coerced silently (guide §1: no value dropped).
#include <cmath>
#include <cstring>
#include <limits>

#include "py_common.h"

namespace ailake_py {
namespace {

using ailake::Column;
using ailake::ValueType;

constexpr int64_t kUnixEpochOrdinal = 719163;  // date(1970, 1, 1).toordinal()
constexpr int64_t kMsPerDay = 86400000;

// Cached module objects (leaked on purpose: they live as long as the interpreter).
struct PyRefs {
  py::handle datetime_cls, date_cls, timedelta_cls, utc, epoch_utc, one_us, np_datetime64, np_ndarray, json_dumps;
};
const PyRefs& Refs() {
  static PyRefs r = [] {
    PyRefs x;
    py::module_ dt = py::module_::import("datetime");
    x.datetime_cls = py::object(dt.attr("datetime")).release();
    x.date_cls = py::object(dt.attr("date")).release();
    x.timedelta_cls = py::object(dt.attr("timedelta")).release();
    x.utc = py::object(dt.attr("timezone").attr("utc")).release();
    x.epoch_utc = dt.attr("datetime")(1970, 1, 1, py::arg("tzinfo") = dt.attr("timezone").attr("utc")).release();
    x.one_us = dt.attr("timedelta")(py::arg("microseconds") = 1).release();
    py::module_ np = py::module_::import("numpy");
    x.np_datetime64 = py::object(np.attr("datetime64")).release();
    x.np_ndarray = py::object(np.attr("ndarray")).release();
    x.json_dumps = py::object(py::module_::import("json").attr("dumps")).release();
    return x;
  }();
  return r;
}

[[noreturn]] void Bad(const std::string& column, size_t row, const std::string& expected, py::handle v) {
  std::string got = py::str(py::type::handle_of(v).attr("__name__"));
  std::string shown = py::str(py::repr(v));
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  ThrowInvalid("column '" + column + "' row " + std::to_string(row) + ": expected " + expected + ", got " + got +
               " " + shown);
}

bool IsNumpyScalarOf(py::handle v, const char* kinds) {
  if (!py::hasattr(v, "dtype") || py::isinstance(v, Refs().np_ndarray)) return false;
  std::string kind = py::str(v.attr("dtype").attr("kind"));
  return kind.size() == 1 && std::strchr(kinds, kind[0]) != nullptr;
}

bool ToInt64(py::handle v, int64_t* out) {
  if (PyBool_Check(v.ptr())) return false;
  if (PyLong_Check(v.ptr()) || IsNumpyScalarOf(v, "iu")) {
    int overflow = 0;
    py::object idx = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
    if (!idx) throw py::error_already_set();
    long long x = PyLong_AsLongLongAndOverflow(idx.ptr(), &overflow);
    if (overflow != 0) return false;
    *out = x;
    return true;
  }
  if (PyFloat_Check(v.ptr()) || IsNumpyScalarOf(v, "f")) {  // an integral float (pandas ints with gaps)
    double d = py::cast<double>(v);
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.007199254740992e15) return false;
    *out = static_cast<int64_t>(d);
    return true;
  }
  return false;
}

bool ToDouble(py::handle v, double* out) {
  if (PyBool_Check(v.ptr())) return false;
  if (PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr()) || IsNumpyScalarOf(v, "iuf")) {
    *out = py::cast<double>(v);
    return true;
  }
  return false;
}

int64_t DatetimeToMicros(py::handle v) {
  const PyRefs& r = Refs();
  py::object dt = py::reinterpret_borrow<py::object>(v);
  if (dt.attr("tzinfo").is_none()) dt = dt.attr("replace")(py::arg("tzinfo") = r.utc);
  py::object micros = (dt - py::reinterpret_borrow<py::object>(r.epoch_utc)).attr("__floordiv__")(r.one_us);
  return micros.cast<int64_t>();
}

// numpy.datetime64 scalar -> integer in `unit` ("D" or "us"); false for NaT.
bool Datetime64To(py::handle v, const char* unit, int64_t* out) {
  py::object conv = py::reinterpret_borrow<py::object>(v).attr("astype")(std::string("datetime64[") + unit + "]");
  int64_t x = conv.attr("astype")("int64").cast<int64_t>();
  if (x == std::numeric_limits<int64_t>::min()) return false;  // NaT
  *out = x;
  return true;
}

void AppendOne(Column& c, size_t row, py::handle v) {
  const PyRefs& r = Refs();
  if (v.is_none()) {
    c.AppendNull();
    return;
  }
  switch (c.type) {
    case ValueType::kBool: {
      if (PyBool_Check(v.ptr()) || IsNumpyScalarOf(v, "b")) {
        c.AppendInt(PyObject_IsTrue(v.ptr()) ? 1 : 0);
        return;
      }
      Bad(c.name, row, "bool", v);
    }
    case ValueType::kInt32:
    case ValueType::kInt64: {
      int64_t x = 0;
      if (!ToInt64(v, &x)) Bad(c.name, row, c.type == ValueType::kInt32 ? "int (32-bit)" : "int (64-bit)", v);
      if (c.type == ValueType::kInt32 &&
          (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())) {
        ThrowInvalid("column '" + c.name + "' row " + std::to_string(row) + ": " + std::to_string(x) +
                     " does not fit a 32-bit int");
      }
      c.AppendInt(x);
      return;
    }
    case ValueType::kFloat32:
    case ValueType::kFloat64: {
      double d = 0;
      if (!ToDouble(v, &d)) Bad(c.name, row, "float", v);
      if (c.type == ValueType::kFloat32) {
        float f = static_cast<float>(d);
        if (std::isfinite(d) && !std::isfinite(f)) {
          ThrowInvalid("column '" + c.name + "' row " + std::to_string(row) + ": " + std::to_string(d) +
                       " is outside the float (32-bit) range");
        }
        d = f;
      }
      c.AppendDouble(d);
      return;
    }
    case ValueType::kString: {
      if (PyUnicode_Check(v.ptr())) {
        Py_ssize_t n = 0;
        const char* s = PyUnicode_AsUTF8AndSize(v.ptr(), &n);
        if (s == nullptr) throw py::error_already_set();
        c.AppendString(std::string(s, static_cast<size_t>(n)));
        return;
      }
      if (PyDict_Check(v.ptr()) || PyList_Check(v.ptr())) {  // metadata={"k": ...} -> JSON text
        c.AppendString(py::reinterpret_borrow<py::object>(r.json_dumps)(v, py::arg("ensure_ascii") = false)
                           .cast<std::string>());
        return;
      }
      Bad(c.name, row, "str", v);
    }
    case ValueType::kBinary: {
      if (PyBytes_Check(v.ptr()) || PyByteArray_Check(v.ptr()) || PyMemoryView_Check(v.ptr())) {
        py::bytes b = py::reinterpret_steal<py::bytes>(PyBytes_FromObject(v.ptr()));
        if (!b) throw py::error_already_set();
        c.AppendString(std::string(b));
        return;
      }
      Bad(c.name, row, "bytes", v);
    }
    case ValueType::kDate: {
      int64_t days = 0;
      if (py::isinstance(v, r.datetime_cls)) Bad(c.name, row, "datetime.date (not a datetime)", v);
      if (py::isinstance(v, r.date_cls)) {
        c.AppendInt(v.attr("toordinal")().cast<int64_t>() - kUnixEpochOrdinal);
        return;
      }
      if (py::isinstance(v, r.np_datetime64)) {
        if (Datetime64To(v, "D", &days)) c.AppendInt(days); else c.AppendNull();
        return;
      }
      if (PyUnicode_Check(v.ptr())) {
        int64_t ms = Unwrap(ailake::ParseInstantMs(v.cast<std::string>()));
        if (ms % kMsPerDay != 0) Bad(c.name, row, "a date (no time of day)", v);
        c.AppendInt(ms / kMsPerDay);
        return;
      }
      if (ToInt64(v, &days)) {  // days since 1970-01-01
        c.AppendInt(days);
        return;
      }
      Bad(c.name, row, "datetime.date, 'YYYY-MM-DD' or days since 1970-01-01", v);
    }
    case ValueType::kTimestamp: {
      int64_t us = 0;
      if (py::isinstance(v, r.datetime_cls)) {
        c.AppendInt(DatetimeToMicros(v));
        return;
      }
      if (py::isinstance(v, r.date_cls)) {
        c.AppendInt((v.attr("toordinal")().cast<int64_t>() - kUnixEpochOrdinal) * kMsPerDay * 1000);
        return;
      }
      if (py::isinstance(v, r.np_datetime64)) {
        if (Datetime64To(v, "us", &us)) c.AppendInt(us); else c.AppendNull();
        return;
      }
      if (PyUnicode_Check(v.ptr())) {
        c.AppendInt(Unwrap(ailake::ParseInstantMs(v.cast<std::string>())) * 1000);
        return;
      }
      if (ToInt64(v, &us)) {  // microseconds since the epoch
        c.AppendInt(us);
        return;
      }
      Bad(c.name, row, "datetime.datetime, an ISO-8601 string or microseconds since the epoch", v);
    }
  }
  Bad(c.name, row, "a supported value", v);
}

}  // namespace

Column ToColumn(const std::string& name, ValueType type, py::handle values) {
  Column c;
  c.name = name;
  c.type = type;
  py::object seq = py::reinterpret_borrow<py::object>(values);
  if (py::isinstance(values, Refs().np_ndarray)) {
    py::array arr = py::reinterpret_borrow<py::array>(values);
    if (arr.ndim() != 1) ThrowInvalid("column '" + name + "': expected a 1-D array, got " + std::to_string(arr.ndim()) + "-D");
    const char kind = arr.dtype().kind();
    const bool int_like = type == ValueType::kInt64 || type == ValueType::kInt32;
    if (int_like && (kind == 'i' || kind == 'u') && type == ValueType::kInt64) {
      auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
      if (!a) throw py::error_already_set();
      c.ints.assign(a.data(), a.data() + a.size());
      return c;
    }
    if (type == ValueType::kFloat64 && (kind == 'f' || kind == 'i' || kind == 'u')) {
      auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(arr);
      if (!a) throw py::error_already_set();
      c.doubles.assign(a.data(), a.data() + a.size());
      return c;
    }
    // numpy scalars -> Python values, checked one by one below; datetime64 stays scalars (tolist()
    // gives bare ints for nanosecond units).
    seq = kind == 'M' ? py::object(py::list(arr)) : py::object(arr.attr("tolist")());
  }
  if (PyUnicode_Check(seq.ptr()) || PyBytes_Check(seq.ptr())) {
    ThrowInvalid("column '" + name + "': expected a sequence of values, got a single " +
                 std::string(py::str(py::type::handle_of(seq).attr("__name__"))));
  }
  py::object fast = py::reinterpret_steal<py::object>(PySequence_Fast(seq.ptr(), "column values must be a sequence"));
  if (!fast) throw py::error_already_set();
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
  PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
  for (Py_ssize_t i = 0; i < n; ++i) AppendOne(c, static_cast<size_t>(i), items[i]);
  return c;
}

py::object ValueToPy(const Column& c, size_t row) {
  if (c.is_null(row)) return py::none();
  const PyRefs& r = Refs();
  switch (c.type) {
    case ValueType::kBool: return py::bool_(c.ints[row] != 0);
    case ValueType::kInt32:
    case ValueType::kInt64: return py::int_(c.ints[row]);
    case ValueType::kFloat32:
    case ValueType::kFloat64: return py::float_(c.doubles[row]);
    case ValueType::kString: {
      const std::string& s = c.strings[row];
      PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
      if (o == nullptr) throw py::error_already_set();
      return py::reinterpret_steal<py::object>(o);
    }
    case ValueType::kBinary: return py::bytes(c.strings[row]);
    case ValueType::kDate: {
      int64_t ord = c.ints[row] + kUnixEpochOrdinal;
      if (ord >= 1 && ord <= 3652059) return py::reinterpret_borrow<py::object>(r.date_cls).attr("fromordinal")(ord);
      return py::str(c.ValueJson(row)).attr("strip")("\"");  // outside datetime.date's years 1..9999
    }
    case ValueType::kTimestamp: {
      try {
        return py::reinterpret_borrow<py::object>(r.epoch_utc) +
               py::reinterpret_borrow<py::object>(r.timedelta_cls)(py::arg("microseconds") = c.ints[row]);
      } catch (py::error_already_set&) {  // OverflowError: outside datetime's years 1..9999
        return py::str(c.ValueJson(row)).attr("strip")("\"");
      }
    }
  }
  return py::none();
}

py::object ColumnToPy(const Column& c) {
  const size_t n = c.size();
  const bool nulls = !c.valid.empty();
  if (!nulls) {
    switch (c.type) {
      case ValueType::kBool: {
        py::array_t<bool> a(n);
        for (size_t i = 0; i < n; ++i) a.mutable_data()[i] = c.ints[i] != 0;
        return a;
      }
      case ValueType::kInt32: {
        py::array_t<int32_t> a(n);
        for (size_t i = 0; i < n; ++i) a.mutable_data()[i] = static_cast<int32_t>(c.ints[i]);
        return a;
      }
      case ValueType::kInt64: {
        py::array_t<int64_t> a(n);
        if (n) std::memcpy(a.mutable_data(), c.ints.data(), n * sizeof(int64_t));
        return a;
      }
      case ValueType::kFloat32: {
        py::array_t<float> a(n);
        for (size_t i = 0; i < n; ++i) a.mutable_data()[i] = static_cast<float>(c.doubles[i]);
        return a;
      }
      case ValueType::kFloat64: {
        py::array_t<double> a(n);
        if (n) std::memcpy(a.mutable_data(), c.doubles.data(), n * sizeof(double));
        return a;
      }
      case ValueType::kDate:
      case ValueType::kTimestamp: {
        py::array_t<int64_t> a(n);
        if (n) std::memcpy(a.mutable_data(), c.ints.data(), n * sizeof(int64_t));
        return a.attr("view")(c.type == ValueType::kDate ? "datetime64[D]" : "datetime64[us]");
      }
      default: break;
    }
  }
  py::list out(n);
  for (size_t i = 0; i < n; ++i) out[i] = ValueToPy(c, i);
  return out;
}

py::dict ModelToDict(const ailake::EmbeddingModelInfo& m) {
  py::dict d;
  d["id"] = m.Id();
  d["name"] = m.name;
  d["version"] = m.version;
  d["dim"] = m.dim;
  d["metric"] = std::string(ailake::MetricName(m.metric));
  d["normalized"] = m.normalized;
  return d;
}

py::array_t<float, py::array::c_style | py::array::forcecast> AsF32Matrix(py::handle obj, const char* what) {
  py::object np = py::module_::import("numpy");
  py::object arr;
  try {
    arr = np.attr("ascontiguousarray")(obj, py::arg("dtype") = np.attr("float32"));
  } catch (py::error_already_set& e) {
    ThrowInvalid(std::string(what) + " must be numeric (array-like of floats): " + e.what());
  }
  return py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(arr);
}

}  // namespace ailake_py
