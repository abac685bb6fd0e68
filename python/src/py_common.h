// Shared pieces of the _ailake extension module: status -> Python exception, GIL helpers, the
// embedder adapter, value conversion. The module uses only the public API (include/ailake/).
//
// GIL rule: every call into the library runs with the GIL released (NoGil); the library calls back
// into Python only through PyEmbedder::Embed and progress callbacks, which take the GIL for the
// callback alone.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ailake/ailake.h"

namespace py = pybind11;

namespace ailake_py {

// Raises the ailake.Error subclass for st.code() with st.message() (GIL held).
[[noreturn]] void ThrowStatus(const ailake::Status& st);
inline void Check(const ailake::Status& st) {
  if (!st.ok()) ThrowStatus(st);
}
template <typename T>
T Unwrap(ailake::Result<T>&& r) {
  if (!r.ok()) ThrowStatus(r.status());
  return std::move(r).value();
}
// Raises ailake.InvalidArgument (a ValueError) with `message`.
[[noreturn]] void ThrowInvalid(const std::string& message);

// Runs f() with the GIL released.
template <typename F>
auto NoGil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

// ---- embedders ----------------------------------------------------------------------------------

// A Python callable f(list[str]) -> array-like (n, dim) as an ailake::Embedder. Embed() takes the GIL
// only for the call; the result is validated (2-D, n rows, dim columns) before it is copied out. A
// Python exception raised by the callable is kept (TakeError) so the binding re-raises the original
// after the library call fails.
class PyEmbedder final : public ailake::Embedder {
 public:
  PyEmbedder(py::object fn, ailake::EmbeddingModelInfo info);
  ~PyEmbedder() override;

  const ailake::EmbeddingModelInfo& model() const override { return info_; }
  ailake::Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override;
  std::string Describe() const override;
  // The dim given at construction, else learned from one probe call ("dimension probe").
  ailake::Result<uint32_t> Dimension() override;

  // The first exception the callable raised since the last TakeError (GIL held), or None.
  py::object TakeError();

 private:
  py::object fn_;
  ailake::EmbeddingModelInfo info_;
  std::mutex mu_;          // guards info_.dim learning and error_
  py::object error_;       // a raised exception instance (GIL needed to touch it)
};

// An embedder handle usable from Python: a built-in (MakeEmbedder) or a PyEmbedder.
struct EmbedderHandle {
  std::shared_ptr<ailake::Embedder> embedder;
  PyEmbedder* py = nullptr;  // set when embedder is a PyEmbedder
  std::string spec;          // set for built-in specs
};

// Resolves what a Python caller passed as an embedder: an ailake._Embedder handle, a spec string, or a
// callable (model "name@ver" and dim from the arguments or the callable's .model/.dim attributes).
std::shared_ptr<EmbedderHandle> ResolveEmbedder(py::handle obj, const std::string& model, uint32_t dim);

// After a failed library call that used `h`: re-raises the callable's own exception when it raised
// one (with the library's message added as a note), else the status.
[[noreturn]] void ThrowWithEmbedder(const ailake::Status& st, EmbedderHandle* h);
template <typename T>
T UnwrapWith(ailake::Result<T>&& r, EmbedderHandle* h) {
  if (!r.ok()) ThrowWithEmbedder(r.status(), h);
  return std::move(r).value();
}

// ---- values ---------------------------------------------------------------------------------------

// One column of Python values (list, tuple, numpy array) -> an ailake::Column of `type`. None is null;
// values of another kind raise InvalidArgument naming the column and row (nothing is coerced silently).
ailake::Column ToColumn(const std::string& name, ailake::ValueType type, py::handle values);
// A column value as a Python object (None for null; date -> datetime.date, timestamptz ->
// aware datetime.datetime in UTC, binary -> bytes).
py::object ValueToPy(const ailake::Column& c, size_t row);
// A whole column as a numpy array (numeric without nulls) or a list.
py::object ColumnToPy(const ailake::Column& c);

// ---- misc -----------------------------------------------------------------------------------------

// A library search result as a Python _SearchResult object.
py::object WrapResult(ailake::SearchResult&& r);
py::dict ModelToDict(const ailake::EmbeddingModelInfo& m);
// (n, dim) float32 C-contiguous view of `obj` (copied when needed); raises on another rank.
py::array_t<float, py::array::c_style | py::array::forcecast> AsF32Matrix(py::handle obj, const char* what);

// Registration, one per concept (one file each).
void RegisterEmbedder(py::module_& m);
void RegisterSearchResult(py::module_& m);
void RegisterWarehouse(py::module_& m);
void RegisterTable(py::module_& m);
void RegisterMigration(py::module_& m);

}  // namespace ailake_py
