// _SearchResult: one query's hits, held in C++ (shared with Arrow exports and numpy views). The
// Python SearchResult (ailake/__init__.py) is a list of its row dicts plus these accessors.
#include "py_arrow.h"
#include "py_common.h"

namespace ailake_py {
namespace {

using Shared = std::shared_ptr<const ailake::SearchResult>;

struct NativeResult {
  Shared r;
};

// Column names in the order rows carry them (the id and _distance first; a requested "id" column is
// the id itself).
std::vector<const ailake::Column*> ValueColumns(const ailake::SearchResult& r) {
  std::vector<const ailake::Column*> cols;
  for (const auto& c : r.values.columns) {
    if (c.name != "id" && c.name != "_distance") cols.push_back(&c);
  }
  return cols;
}

py::list Rows(const ailake::SearchResult& r) {
  const size_t n = r.ids.size();
  auto cols = ValueColumns(r);
  py::list rows(n);
  py::str id_key("id"), dist_key("_distance");
  std::vector<py::str> keys;
  for (const auto* c : cols) keys.emplace_back(c->name);
  for (size_t i = 0; i < n; ++i) {
    py::dict d;
    d[id_key] = py::str(r.ids[i]);
    d[dist_key] = py::float_(r.distances[i]);
    for (size_t j = 0; j < cols.size(); ++j) d[keys[j]] = ValueToPy(*cols[j], i);
    rows[i] = std::move(d);
  }
  return rows;
}

}  // namespace

py::object WrapResult(ailake::SearchResult&& r) {
  return py::cast(NativeResult{std::make_shared<const ailake::SearchResult>(std::move(r))});
}

void RegisterSearchResult(py::module_& m) {
  py::class_<NativeResult>(m, "_SearchResult")
      .def("rows", [](const NativeResult& n) { return Rows(*n.r); }, "The hits as row dicts")
      .def("__len__", [](const NativeResult& n) { return n.r->ids.size(); })
      .def_property_readonly("ids", [](const NativeResult& n) {
        py::list ids(n.r->ids.size());
        for (size_t i = 0; i < n.r->ids.size(); ++i) ids[i] = py::str(n.r->ids[i]);
        py::object np = py::module_::import("numpy");
        return np.attr("array")(ids, py::arg("dtype") = np.attr("object_"));
      })
      .def_property_readonly("distances", [](py::object self) {
        // Zero copy: a read-only float32 view of the result, which `self` keeps alive.
        const NativeResult& n = self.cast<const NativeResult&>();
        py::array_t<float> a({n.r->distances.size()}, {sizeof(float)}, n.r->distances.data(), self);
        py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
        return a;
      })
      .def("columns", [](const NativeResult& n) {
        py::dict d;
        for (const auto* c : ValueColumns(*n.r)) d[py::str(c->name)] = ColumnToPy(*c);
        return d;
      }, "Requested columns as numpy arrays (lists when a column holds nulls or text)")
      .def("column_types", [](const NativeResult& n) {
        py::dict d;
        for (const auto* c : ValueColumns(*n.r)) d[py::str(c->name)] = std::string(ailake::ValueTypeName(c->type));
        return d;
      })
      .def_property_readonly("files", [](const NativeResult& n) { return n.r->files; })
      .def_property_readonly("positions", [](const NativeResult& n) { return n.r->rows; })
      .def("stats", [](const NativeResult& n) {
        py::dict d;
        d["snapshot_id"] = n.r->snapshot_id;
        d["files_total"] = n.r->files_total;
        d["files_searched"] = n.r->files_searched;
        d["files_pruned"] = n.r->files_pruned;
        d["files_other_model"] = n.r->files_other_model;
        d["other_models"] = n.r->other_models;
        d["row_groups_skipped"] = n.r->row_groups_skipped;
        return d;
      })
      .def_property_readonly("snapshot_id", [](const NativeResult& n) { return n.r->snapshot_id; })
      .def("arrow_c_stream", [](const NativeResult& n, py::object requested_schema) {
        // requested_schema is a hint the producer may ignore (PyCapsule interface); we export our own types.
        PyObject* cap = SearchResultStreamCapsule(n.r);
        if (cap == nullptr) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(cap);
      }, py::arg("requested_schema") = py::none(), "A PyCapsule 'arrow_array_stream' over the hits");
}

}  // namespace ailake_py
