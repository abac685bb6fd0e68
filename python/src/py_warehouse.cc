// _Warehouse: ailake::Warehouse for Python (the ailake.connect() object wraps it).
#include "py_common.h"

namespace ailake_py {
namespace {

using WarehousePtr = std::shared_ptr<ailake::Warehouse>;
using TablePtr = std::shared_ptr<ailake::Table>;

std::vector<ailake::ColumnSpec> Specs(const std::vector<std::pair<std::string, std::string>>& cols) {
  std::vector<ailake::ColumnSpec> out;
  for (const auto& [name, type] : cols) out.push_back({name, type});
  return out;
}

}  // namespace

void RegisterWarehouse(py::module_& m) {
  py::class_<ailake::Warehouse, WarehousePtr>(m, "_Warehouse")
      .def_static("open", [](const std::string& uri, const std::string& catalog, bool create,
                             std::optional<uint64_t> cache_bytes, std::optional<uint64_t> manifest_cache_bytes) {
        ailake::WarehouseOptions o;
        o.catalog = catalog;
        o.create = create;
        if (cache_bytes) o.table_cache_bytes = *cache_bytes;
        o.manifest_cache_bytes = manifest_cache_bytes;
        auto wh = Unwrap(NoGil([&] { return ailake::Warehouse::Open(uri, o); }));
        return WarehousePtr(std::move(wh));
      }, py::arg("uri"), py::arg("catalog") = "fs", py::arg("create") = false, py::arg("cache_bytes") = py::none(),
         py::arg("manifest_cache_bytes") = py::none())
      .def_property_readonly("uri", &ailake::Warehouse::uri)
      .def("describe", &ailake::Warehouse::Describe)
      .def("create_table", [](ailake::Warehouse& w, const std::string& name, const std::string& model, uint32_t dim,
                              const std::string& metric, const std::string& precision,
                              const std::vector<std::pair<std::string, std::string>>& columns,
                              const std::string& vector_column, const std::string& text_column, bool if_not_exists,
                              const std::string& index, std::optional<int64_t> target_file_rows,
                              std::optional<uint32_t> hnsw_m, std::optional<uint32_t> hnsw_ef_construction,
                              std::optional<uint64_t> flat_threshold_rows) {
        ailake::CreateTableOptions o;
        o.model = Unwrap(ailake::EmbeddingModelInfo::ParseId(model));
        o.model.dim = dim;
        o.model.metric = Unwrap(ailake::ParseMetric(metric));
        o.storage.precision = Unwrap(ailake::ParsePrecision(precision));
        o.storage.index = Unwrap(ailake::ParseIndexKind(index));
        if (hnsw_m) o.storage.hnsw_m = *hnsw_m;
        if (hnsw_ef_construction) o.storage.hnsw_ef_construction = *hnsw_ef_construction;
        if (flat_threshold_rows) o.storage.flat_threshold_rows = *flat_threshold_rows;
        o.columns = Specs(columns);
        if (!vector_column.empty()) o.vector_column = vector_column;
        if (!text_column.empty()) o.text_column = text_column;
        if (target_file_rows) o.target_file_rows = *target_file_rows;
        o.if_not_exists = if_not_exists;
        auto t = Unwrap(NoGil([&] { return w.CreateTable(name, o); }));
        return TablePtr(std::move(t));
      }, py::arg("name"), py::arg("model"), py::arg("dim"), py::arg("metric") = "cosine",
         py::arg("precision") = "f16", py::arg("columns") = std::vector<std::pair<std::string, std::string>>{},
         py::arg("vector_column") = "", py::arg("text_column") = "", py::arg("if_not_exists") = false,
         py::arg("index") = "auto", py::arg("target_file_rows") = py::none(), py::arg("hnsw_m") = py::none(),
         py::arg("hnsw_ef_construction") = py::none(), py::arg("flat_threshold_rows") = py::none())
      .def("open_table", [](ailake::Warehouse& w, const std::string& name) {
        return TablePtr(Unwrap(NoGil([&] { return w.OpenTable(name); })));
      }, py::arg("name"))
      .def("list_tables", [](ailake::Warehouse& w, const std::string& ns) {
        return Unwrap(NoGil([&] { return w.ListTables(ns); }));
      }, py::arg("namespace") = "")
      .def("list_namespaces", [](ailake::Warehouse& w) { return Unwrap(NoGil([&] { return w.ListNamespaces(); })); })
      .def("drop_table", [](ailake::Warehouse& w, const std::string& name, bool purge) {
        auto r = Unwrap(NoGil([&] { return w.DropTable(name, purge); }));
        py::dict d;
        d["purged"] = r.purged;
        d["files_deleted"] = r.files_deleted;
        d["bytes_deleted"] = r.bytes_deleted;
        return d;
      }, py::arg("name"), py::arg("purge") = false)
      .def("alter_table", [](ailake::Warehouse& w, const std::string& name,
                             const std::vector<std::pair<std::string, std::string>>& add_columns,
                             const std::vector<std::pair<std::string, std::string>>& renames) {
        ailake::AlterTableSpec spec;
        spec.add_columns = Specs(add_columns);
        spec.renames = renames;
        auto r = Unwrap(NoGil([&] { return w.AlterTable(name, spec); }));
        py::dict d;
        d["schema_id"] = r.schema_id;
        d["added"] = r.added;
        return d;
      }, py::arg("name"), py::arg("add_columns") = std::vector<std::pair<std::string, std::string>>{},
         py::arg("renames") = std::vector<std::pair<std::string, std::string>>{});
  m.def("manifest_cache_stats", [] {
    const ailake::ManifestCacheStats st = ailake::GetManifestCacheStats();
    py::dict d;
    d["capacity_bytes"] = st.capacity_bytes;
    d["bytes"] = st.bytes;
    d["entries"] = st.entries;
    d["hits"] = st.hits;
    d["misses"] = st.misses;
    return d;
  });
}

}  // namespace ailake_py
