// Embedders from Python: PyEmbedder wraps a callable as an ailake::Embedder; _Embedder is the handle
// Python sees (built-in specs through MakeEmbedder, or a wrapped callable).
#include <cmath>
#include <cstring>

#include "py_common.h"

namespace ailake_py {

PyEmbedder::PyEmbedder(py::object fn, ailake::EmbeddingModelInfo info)
    : fn_(std::move(fn)), info_(std::move(info)) {}

PyEmbedder::~PyEmbedder() {
  // The callable and a kept exception are Python objects: drop them with the GIL held.
  py::gil_scoped_acquire gil;
  fn_ = py::object();
  error_ = py::object();
}

std::string PyEmbedder::Describe() const { return "python:" + info_.Id(); }

ailake::Status PyEmbedder::Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) {
  CountRequest();
  CountTexts(texts.size());
  const size_t n = texts.size();
  py::gil_scoped_acquire gil;
  try {
    py::list batch(n);
    for (size_t i = 0; i < n; ++i) {
      PyObject* s = PyUnicode_DecodeUTF8(texts[i].data(), static_cast<Py_ssize_t>(texts[i].size()), "surrogateescape");
      if (s == nullptr) throw py::error_already_set();
      PyList_SET_ITEM(batch.ptr(), static_cast<Py_ssize_t>(i), s);  // steals s
    }
    py::object result = fn_(batch);
    py::object np = py::module_::import("numpy");
    py::array arr = np.attr("ascontiguousarray")(result, py::arg("dtype") = np.attr("float32"));
    if (arr.ndim() != 2 || static_cast<size_t>(arr.shape(0)) != n) {
      std::string shape = py::str(py::tuple(arr.attr("shape")));
      return ailake::Status::InvalidArgument("embedder " + Describe() + " returned an array of shape " + shape +
                                             " for " + std::to_string(n) + " texts; expected (" +
                                             std::to_string(n) + ", dim)");
    }
    const size_t cols = static_cast<size_t>(arr.shape(1));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (info_.dim == 0) info_.dim = static_cast<uint32_t>(cols);
      if (cols != info_.dim) {
        return ailake::Status::InvalidArgument("embedder " + Describe() + " returned " + std::to_string(cols) +
                                               "-dimensional vectors; its model has dim " +
                                               std::to_string(info_.dim));
      }
    }
    const float* p = static_cast<const float*>(arr.data());
    out->insert(out->end(), p, p + n * cols);
    return ailake::Status::OK();
  } catch (py::error_already_set& e) {
    std::string what = e.what();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = e.value();
    }
    return ailake::Status::Aborted("embedder " + Describe() + " raised " + what);
  }
}

ailake::Result<uint32_t> PyEmbedder::Dimension() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (info_.dim != 0) return info_.dim;
  }
  std::vector<float> probe;
  ailake::Status st = Embed({std::string_view("dimension probe")}, &probe);
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> lock(mu_);
  return info_.dim;
}

py::object PyEmbedder::TakeError() {
  std::lock_guard<std::mutex> lock(mu_);
  py::object e = std::move(error_);
  error_ = py::object();
  return e ? e : py::none();
}

void ThrowWithEmbedder(const ailake::Status& st, EmbedderHandle* h) {
  if (h != nullptr && h->py != nullptr) {
    py::object err = h->py->TakeError();
    if (!err.is_none()) {
      if (py::hasattr(err, "add_note")) err.attr("add_note")("ailake: " + st.message());
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(err.ptr())), err.ptr());
      throw py::error_already_set();
    }
  }
  ThrowStatus(st);
}

namespace {

ailake::EmbeddingModelInfo ParseModel(const std::string& model) {
  return Unwrap(ailake::EmbeddingModelInfo::ParseId(model));
}

}  // namespace

std::shared_ptr<EmbedderHandle> ResolveEmbedder(py::handle obj, const std::string& model, uint32_t dim) {
  if (obj.is_none()) return nullptr;
  if (py::isinstance<EmbedderHandle>(obj)) return obj.cast<std::shared_ptr<EmbedderHandle>>();
  auto h = std::make_shared<EmbedderHandle>();
  if (py::isinstance<py::str>(obj)) {
    h->spec = obj.cast<std::string>();
    ailake::EmbedderOptions o;
    if (!model.empty()) {
      auto info = ParseModel(model);
      o.model_name = info.name;
      o.model_version = info.version;
    }
    h->embedder = std::shared_ptr<ailake::Embedder>(Unwrap(ailake::MakeEmbedder(h->spec, o)).release());
    return h;
  }
  py::object fn;
  if (PyCallable_Check(obj.ptr())) {
    fn = py::reinterpret_borrow<py::object>(obj);
  } else if (py::hasattr(obj, "embed")) {
    fn = obj.attr("embed");
  } else {
    ThrowInvalid("an embedder is a callable f(list[str]) -> array (n, dim), an ailake.embedder(...) or a spec string; got " +
                 std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  }
  std::string model_id = model;
  if (model_id.empty() && py::hasattr(obj, "model") && py::isinstance<py::str>(obj.attr("model"))) {
    model_id = obj.attr("model").cast<std::string>();
  }
  if (model_id.empty()) {
    ThrowInvalid("a Python embedder needs its model identity: pass model=\"NAME@VERSION\" or give the callable a "
                 "`model` attribute");
  }
  ailake::EmbeddingModelInfo info = ParseModel(model_id);
  if (dim == 0 && py::hasattr(obj, "dim")) {
    py::object d = obj.attr("dim");
    if (py::isinstance<py::int_>(d)) dim = d.cast<uint32_t>();
  }
  info.dim = dim;
  auto pe = std::make_shared<PyEmbedder>(fn, info);
  h->py = pe.get();
  h->embedder = pe;
  return h;
}

void RegisterEmbedder(py::module_& m) {
  py::class_<EmbedderHandle, std::shared_ptr<EmbedderHandle>>(m, "_Embedder")
      .def_property_readonly("model", [](EmbedderHandle& h) { return h.embedder->model().Id(); })
      .def_property_readonly("model_info", [](EmbedderHandle& h) { return ModelToDict(h.embedder->model()); })
      .def_property_readonly("dim", [](EmbedderHandle& h) {
        return Unwrap(NoGil([&] { return h.embedder->Dimension(); }));
      })
      .def_property_readonly("spec", [](EmbedderHandle& h) { return h.spec; })
      .def("describe", [](EmbedderHandle& h) { return h.embedder->Describe(); })
      .def("stats", [](EmbedderHandle& h) {
        auto s = h.embedder->stats();
        py::dict d;
        d["requests"] = s.requests;
        d["texts"] = s.texts;
        d["retries"] = s.retries;
        return d;
      })
      .def("__call__", [](EmbedderHandle& h, std::vector<std::string> texts) {
        std::vector<std::string_view> views(texts.begin(), texts.end());
        std::vector<float> out;
        ailake::Status st = NoGil([&] { return h.embedder->Embed(views, &out); });
        if (!st.ok()) ThrowWithEmbedder(st, &h);
        size_t dim = texts.empty() ? h.embedder->model().dim : out.size() / texts.size();
        py::array_t<float> arr({texts.size(), dim});
        if (!out.empty()) std::memcpy(arr.mutable_data(), out.data(), out.size() * sizeof(float));
        return arr;
      }, py::arg("texts"), "Embeds texts: list[str] -> float32 array (n, dim)")
      .def("__repr__", [](EmbedderHandle& h) { return "ailake.embedder(" + h.embedder->Describe() + ")"; });

  m.def("embedder", [](py::object spec_or_fn, const std::string& model, uint32_t dim) {
    return ResolveEmbedder(spec_or_fn, model, dim);
  }, py::arg("spec"), py::arg("model") = "", py::arg("dim") = 0,
     "A built-in embedder from a spec ('hash:dim=64', 'command:...', 'http:...') or a Python callable wrapped");
}

}  // namespace ailake_py
