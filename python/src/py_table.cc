// _Table: ailake::Table for Python. Every library call runs with the GIL released; values are
// converted (and checked) before, results after.
#include <cmath>

#include "py_common.h"

namespace ailake_py {
namespace {

using TablePtr = std::shared_ptr<ailake::Table>;

py::dict InfoToDict(const ailake::TableInfo& i) {
  py::dict d;
  d["name"] = i.name;
  d["location"] = i.location;
  d["metadata_location"] = i.metadata_location;
  d["uuid"] = i.uuid;
  d["vector_column"] = i.vector_column;
  d["text_column"] = i.text_column;
  d["model"] = ModelToDict(i.model);
  py::dict s;
  s["precision"] = std::string(ailake::PrecisionName(i.storage.precision));
  s["index"] = std::string(ailake::IndexKindName(i.storage.index));
  s["flat_threshold_rows"] = i.storage.flat_threshold_rows;
  s["hnsw_m"] = i.storage.hnsw_m;
  s["hnsw_ef_construction"] = i.storage.hnsw_ef_construction;
  d["storage"] = s;
  d["target_file_rows"] = i.target_file_rows;
  py::list schema;
  for (const auto& f : i.schema) {
    py::dict fd;
    fd["id"] = f.id;
    fd["name"] = f.name;
    fd["type"] = f.type;
    fd["required"] = f.required;
    fd["is_vector"] = f.is_vector;
    schema.append(fd);
  }
  d["schema"] = schema;
  d["schema_id"] = i.schema_id;
  d["snapshot_id"] = i.snapshot_id;
  d["snapshot_ms"] = i.snapshot_ms;
  d["data_files"] = i.data_files;
  d["delete_files"] = i.delete_files;
  d["rows"] = i.rows;
  d["deleted_rows"] = i.deleted_rows;
  d["live_rows"] = i.live_rows;
  d["data_bytes"] = i.data_bytes;
  d["running_migration"] = i.running_migration;
  d["properties"] = i.properties;
  return d;
}

py::dict HistoryToDict(const ailake::HistoryEntry& h) {
  py::dict d;
  d["event"] = h.event;
  d["snapshot_id"] = h.snapshot_id;
  d["parent_id"] = h.parent_id;
  d["made_current_ms"] = h.made_current_ms;
  d["snapshot_ms"] = h.snapshot_ms;
  d["operation"] = h.operation;
  d["added_rows"] = h.added_rows;
  d["removed_rows"] = h.removed_rows;
  d["total_live_rows"] = h.total_live_rows;
  d["is_current"] = h.is_current;
  d["summary"] = h.summary;
  return d;
}

py::dict LiveFileToDict(const ailake::LiveFile& f) {
  py::dict d;
  d["kind"] = f.kind;
  d["path"] = f.path;
  d["bytes"] = f.bytes;
  d["rows"] = f.rows;
  d["sequence_number"] = f.sequence_number;
  if (f.kind == "data") {
    d["deleted_rows"] = f.deleted_rows;
    d["live_rows"] = f.rows - f.deleted_rows;
    d["model"] = f.model.empty() ? py::object(py::none()) : py::object(py::str(f.model));
  } else {
    d["target"] = f.target.empty() ? py::object(py::none()) : py::object(py::str(f.target));
  }
  return d;
}

py::dict WriteToDict(const ailake::WriteResult& w) {
  py::dict d;
  d["rows"] = w.rows;
  d["embedded"] = w.embedded;
  d["without_vector"] = w.without_vector;
  d["skipped"] = w.skipped;
  d["replaced"] = w.replaced;
  d["files"] = w.files;
  d["files_removed"] = w.files_removed;
  d["replans"] = w.replans;
  d["snapshot_id"] = w.snapshot_id;
  return d;
}

py::dict DeleteToDict(const ailake::DeleteResult& r) {
  py::dict d;
  d["rows_deleted"] = r.rows_deleted;
  d["delete_files"] = r.delete_files;
  d["files_removed"] = r.files_removed;
  d["unknown_ids"] = r.unknown_ids;
  d["snapshot_id"] = r.snapshot_id;
  return d;
}

// A Python callable receiving one argument per progress step; an exception it raises is reported as
// unraisable (the operation is not interrupted half-way through a commit).
template <typename T>
std::function<void(const T&)> ProgressFn(py::object fn, py::dict (*to_dict)(const T&)) {
  if (fn.is_none()) return nullptr;
  // The deleter releases the callable with the GIL held, whichever thread drops it last.
  std::shared_ptr<py::object> guarded(new py::object(std::move(fn)), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
  return [guarded, to_dict](const T& p) {
    py::gil_scoped_acquire gil;
    try {
      (*guarded)(to_dict(p));
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("ailake progress callback");
    }
  };
}

py::dict WriteProgressToDict(const ailake::WriteProgress& p) {
  py::dict d;
  d["phase"] = p.phase;
  d["rows_done"] = p.rows_done;
  d["rows_embedded"] = p.rows_embedded;
  d["input_fraction"] = p.input_fraction;
  d["files_done"] = p.files_done;
  d["rows_per_s"] = p.rows_per_s;
  d["eta_s"] = p.eta_s;
  return d;
}

py::dict LineToDict(const std::string& line) {
  py::dict d;
  d["message"] = line;
  return d;
}

ailake::ValueType InferType(const std::string& name, py::handle values) {
  py::object datetime = py::module_::import("datetime");
  py::object np = py::module_::import("numpy");
  if (py::isinstance(values, np.attr("ndarray"))) {
    char kind = py::reinterpret_borrow<py::array>(values).dtype().kind();
    if (kind == 'b') return ailake::ValueType::kBool;
    if (kind == 'i' || kind == 'u') return ailake::ValueType::kInt64;
    if (kind == 'f') return ailake::ValueType::kFloat64;
    if (kind == 'M') return ailake::ValueType::kTimestamp;
  }
  for (py::handle v : py::iter(values)) {
    if (v.is_none()) continue;
    if (PyBool_Check(v.ptr())) return ailake::ValueType::kBool;
    if (PyLong_Check(v.ptr())) return ailake::ValueType::kInt64;
    if (PyFloat_Check(v.ptr())) return ailake::ValueType::kFloat64;
    if (PyBytes_Check(v.ptr())) return ailake::ValueType::kBinary;
    if (py::isinstance(v, datetime.attr("datetime"))) return ailake::ValueType::kTimestamp;
    if (py::isinstance(v, datetime.attr("date"))) return ailake::ValueType::kDate;
    break;
  }
  return ailake::ValueType::kString;
}

// Column types by name from the table's current schema (vector columns left out).
std::map<std::string, ailake::ValueType> SchemaTypes(ailake::Table& t) {
  auto info = Unwrap(NoGil([&] { return t.Info(); }));
  std::map<std::string, ailake::ValueType> types;
  for (const auto& f : info.schema) {
    if (f.is_vector) continue;
    auto vt = ailake::ParseValueType(f.type);
    if (vt.ok()) types[f.name] = *vt;
  }
  return types;
}

void CheckFinite(const float* p, size_t n, size_t dim, const char* what) {
  for (size_t i = 0; i < n * dim; ++i) {
    if (!std::isfinite(p[i])) {
      ThrowInvalid(std::string(what) + (n > 1 ? " " + std::to_string(i / dim) : "") + " has a non-finite value (" +
                   std::to_string(p[i]) + ") at element " + std::to_string(i % dim));
    }
  }
}

ailake::SearchOptions MakeSearchOptions(size_t k, size_t ef, bool exact, std::optional<int64_t> snapshot_id,
                                        std::optional<int64_t> as_of_ms, std::vector<std::string> columns,
                                        std::string where, std::string model, size_t threads, bool prune,
                                        size_t nprobe, size_t probe_patience, double adaptive_probe) {
  ailake::SearchOptions o;
  o.k = k;
  o.ef = ef;
  o.exact = exact;
  o.snapshot_id = snapshot_id;
  o.as_of_ms = as_of_ms;
  o.columns = std::move(columns);
  o.where = std::move(where);
  o.model = std::move(model);
  o.threads = threads;
  o.prune = prune;
  o.nprobe = nprobe;
  o.probe_patience = probe_patience;
  o.adaptive_probe = adaptive_probe;
  return o;
}

py::list WrapAll(std::vector<ailake::SearchResult>&& rs) {
  py::list out;
  for (auto& r : rs) out.append(WrapResult(std::move(r)));
  return out;
}

#define SEARCH_ARGS                                                                                          \
  py::arg("k") = 10, py::arg("ef") = 64, py::arg("exact") = false, py::arg("snapshot_id") = py::none(),     \
      py::arg("as_of_ms") = py::none(), py::arg("columns") = std::vector<std::string>{},                     \
      py::arg("where") = "", py::arg("model") = "", py::arg("threads") = 0, py::arg("prune") = true,  \
      py::arg("nprobe") = 0, py::arg("probe_patience") = 0, py::arg("adaptive_probe") = 0.0

}  // namespace

void RegisterTable(py::module_& m) {
  py::class_<ailake::Table, TablePtr>(m, "_Table")
      .def_property_readonly("name", &ailake::Table::name)
      .def("info", [](ailake::Table& t) { return InfoToDict(Unwrap(NoGil([&] { return t.Info(); }))); })
      .def("history", [](ailake::Table& t) {
        auto h = Unwrap(NoGil([&] { return t.History(); }));
        py::list out;
        for (const auto& e : h) out.append(HistoryToDict(e));
        return out;
      })
      .def("files", [](ailake::Table& t) {
        auto files = Unwrap(NoGil([&] { return t.Files(); }));
        py::list out;
        for (const auto& f : files) out.append(LiveFileToDict(f));
        return out;
      })
      .def("refresh", [](ailake::Table& t) { Check(NoGil([&] { return t.Refresh(); })); })
      .def("cache_bytes", &ailake::Table::cache_bytes)
      .def("add", [](ailake::Table& t, py::dict columns, py::object vectors, const std::string& mode,
                     py::object embedder, const std::string& model, uint32_t dim, bool generate_ids,
                     size_t batch_rows, size_t concurrency, py::object progress) {
        auto types = SchemaTypes(t);
        ailake::RecordBatch batch;
        for (auto item : columns) {
          std::string name = py::str(item.first);
          auto it = types.find(name);
          ailake::ValueType type = it != types.end() ? it->second : InferType(name, item.second);
          batch.columns.push_back(ToColumn(name, type, item.second));
        }
        const size_t rows = batch.num_rows();
        for (const auto& c : batch.columns) {
          if (c.size() != rows) {
            ThrowInvalid("column '" + c.name + "' has " + std::to_string(c.size()) + " values; column '" +
                         batch.columns.front().name + "' has " + std::to_string(rows));
          }
        }
        py::array_t<float, py::array::c_style | py::array::forcecast> vec;
        size_t vdim = 0;
        if (!vectors.is_none()) {
          vec = AsF32Matrix(vectors, "vectors");
          if (vec.ndim() != 2) ThrowInvalid("vectors must be a 2-D array (rows, dim); got " + std::to_string(vec.ndim()) + "-D");
          if (static_cast<size_t>(vec.shape(0)) != rows) {
            ThrowInvalid("vectors has " + std::to_string(vec.shape(0)) + " rows; the columns have " + std::to_string(rows));
          }
          vdim = static_cast<size_t>(vec.shape(1));
        }
        ailake::WriteOptions o;
        o.mode = Unwrap(ailake::ParseWriteMode(mode));
        o.generate_ids = generate_ids;
        o.batch_rows = batch_rows;
        o.concurrency = concurrency;
        o.progress = ProgressFn<ailake::WriteProgress>(progress, &WriteProgressToDict);
        std::shared_ptr<EmbedderHandle> emb = ResolveEmbedder(embedder, model, dim);
        if (emb) o.embedder = emb->embedder.get();
        const float* vp = vectors.is_none() ? nullptr : vec.data();
        auto r = NoGil([&] { return t.Add(batch, vp, vdim, o); });
        return WriteToDict(UnwrapWith(std::move(r), emb.get()));
      }, py::arg("columns"), py::arg("vectors") = py::none(), py::arg("mode") = "error-on-duplicate",
         py::arg("embedder") = py::none(), py::arg("model") = "", py::arg("dim") = 0, py::arg("generate_ids") = false,
         py::arg("batch_rows") = 256, py::arg("concurrency") = 1, py::arg("progress") = py::none())
      .def("add_file", [](ailake::Table& t, const std::string& path, const std::string& mode, py::object embedder,
                          const std::string& model, uint32_t dim, bool generate_ids, const std::string& input_format,
                          const std::string& text_field, size_t batch_rows, size_t concurrency, py::object progress) {
        ailake::WriteOptions o;
        o.mode = Unwrap(ailake::ParseWriteMode(mode));
        o.generate_ids = generate_ids;
        o.input_format = input_format;
        o.text_field = text_field;
        o.batch_rows = batch_rows;
        o.concurrency = concurrency;
        o.progress = ProgressFn<ailake::WriteProgress>(progress, &WriteProgressToDict);
        std::shared_ptr<EmbedderHandle> emb = ResolveEmbedder(embedder, model, dim);
        if (emb) o.embedder = emb->embedder.get();
        auto r = NoGil([&] { return t.AddFile(path, o); });
        return WriteToDict(UnwrapWith(std::move(r), emb.get()));
      }, py::arg("path"), py::arg("mode") = "error-on-duplicate", py::arg("embedder") = py::none(),
         py::arg("model") = "", py::arg("dim") = 0, py::arg("generate_ids") = false, py::arg("input_format") = "",
         py::arg("text_field") = "", py::arg("batch_rows") = 256, py::arg("concurrency") = 1,
         py::arg("progress") = py::none())
      .def("delete", [](ailake::Table& t, const std::string& where) {
        return DeleteToDict(Unwrap(NoGil([&] { return t.Delete(where); })));
      }, py::arg("where"))
      .def("delete_ids", [](ailake::Table& t, const std::vector<std::string>& ids) {
        return DeleteToDict(Unwrap(NoGil([&] { return t.DeleteIds(ids); })));
      }, py::arg("ids"))
      .def("search", [](ailake::Table& t, py::object query, size_t k, size_t ef, bool exact,
                        std::optional<int64_t> snapshot_id, std::optional<int64_t> as_of_ms,
                        std::vector<std::string> columns, std::string where, std::string model, size_t threads,
                        bool prune, size_t nprobe, size_t probe_patience, double adaptive_probe) {
        auto q = AsF32Matrix(query, "query");
        if (q.ndim() != 1) ThrowInvalid("query must be a 1-D vector; got " + std::to_string(q.ndim()) + "-D");
        const size_t dim = static_cast<size_t>(q.shape(0));
        CheckFinite(q.data(), 1, dim, "query");
        auto o = MakeSearchOptions(k, ef, exact, snapshot_id, as_of_ms, std::move(columns), std::move(where),
                                   std::move(model), threads, prune, nprobe, probe_patience, adaptive_probe);
        auto r = Unwrap(NoGil([&] { return t.Search(q.data(), dim, o); }));
        return WrapResult(std::move(r));
      }, py::arg("query"), SEARCH_ARGS)
      .def("search_batch", [](ailake::Table& t, py::object queries, size_t k, size_t ef, bool exact,
                              std::optional<int64_t> snapshot_id, std::optional<int64_t> as_of_ms,
                              std::vector<std::string> columns, std::string where, std::string model, size_t threads,
                              bool prune, size_t nprobe, size_t probe_patience, double adaptive_probe) {
        auto q = AsF32Matrix(queries, "queries");
        if (q.ndim() != 2) ThrowInvalid("queries must be a 2-D array (n, dim); got " + std::to_string(q.ndim()) + "-D");
        const size_t n = static_cast<size_t>(q.shape(0)), dim = static_cast<size_t>(q.shape(1));
        CheckFinite(q.data(), n, dim, "query");
        auto o = MakeSearchOptions(k, ef, exact, snapshot_id, as_of_ms, std::move(columns), std::move(where),
                                   std::move(model), threads, prune, nprobe, probe_patience, adaptive_probe);
        auto rs = Unwrap(NoGil([&] { return t.SearchBatch(q.data(), n, dim, o); }));
        return WrapAll(std::move(rs));
      }, py::arg("queries"), SEARCH_ARGS)
      .def("search_text", [](ailake::Table& t, std::vector<std::string> texts, py::object embedder,
                             const std::string& embedder_model, uint32_t embedder_dim, size_t k, size_t ef, bool exact,
                             std::optional<int64_t> snapshot_id, std::optional<int64_t> as_of_ms,
                             std::vector<std::string> columns, std::string where, std::string model, size_t threads,
                             bool prune, size_t nprobe, size_t probe_patience, double adaptive_probe) {
        std::shared_ptr<EmbedderHandle> emb = ResolveEmbedder(embedder, embedder_model, embedder_dim);
        if (!emb) ThrowInvalid("a text query needs an embedder (embedder=callable, spec string or ailake.embedder(...))");
        auto o = MakeSearchOptions(k, ef, exact, snapshot_id, as_of_ms, std::move(columns), std::move(where),
                                   std::move(model), threads, prune, nprobe, probe_patience, adaptive_probe);
        auto rs = NoGil([&] { return t.SearchText(texts, *emb->embedder, o); });
        return WrapAll(UnwrapWith(std::move(rs), emb.get()));
      }, py::arg("texts"), py::arg("embedder"), py::arg("embedder_model") = "", py::arg("embedder_dim") = 0,
         SEARCH_ARGS)
      .def("rollback", [](ailake::Table& t, int64_t snapshot_id) {
        Check(NoGil([&] { return t.Rollback(snapshot_id); }));
      }, py::arg("snapshot_id"))
      .def("expire", [](ailake::Table& t, std::optional<int64_t> older_than_ms, int retain_last,
                        std::optional<int64_t> orphans_older_than_ms, bool dry_run, py::object progress) {
        ailake::ExpireOptions o;
        o.older_than_ms = older_than_ms;
        o.retain_last = retain_last;
        o.orphans_older_than_ms = orphans_older_than_ms;
        o.dry_run = dry_run;
        auto line = ProgressFn<std::string>(progress, &LineToDict);
        if (line) o.progress = line;
        auto r = Unwrap(NoGil([&] { return t.Expire(o); }));
        py::dict d;
        d["expired_snapshots"] = r.expired_snapshots;
        d["data_files_deleted"] = r.data_files_deleted;
        d["delete_files_deleted"] = r.delete_files_deleted;
        d["manifests_deleted"] = r.manifests_deleted;
        d["orphan_files_deleted"] = r.orphan_files_deleted;
        d["metadata_files_deleted"] = r.metadata_files_deleted;
        d["bytes_freed"] = r.bytes_freed;
        return d;
      }, py::arg("older_than_ms") = py::none(), py::arg("retain_last") = 1,
         py::arg("orphans_older_than_ms") = py::none(), py::arg("dry_run") = false, py::arg("progress") = py::none())
      .def("compact", [](ailake::Table& t, int64_t target_file_rows, int64_t target_file_bytes,
                         const std::string& where, bool dry_run, py::object progress, bool cluster,
                         int64_t cluster_files) {
        ailake::CompactOptions o;
        o.target_file_rows = target_file_rows;
        o.target_file_bytes = target_file_bytes;
        o.cluster = cluster;
        o.cluster_files = cluster_files;
        o.where = where;
        o.dry_run = dry_run;
        auto line = ProgressFn<std::string>(progress, &LineToDict);
        if (line) o.progress = line;
        auto r = Unwrap(NoGil([&] { return t.Compact(o); }));
        py::dict d;
        d["snapshot_id"] = r.snapshot_id;
        d["candidates"] = r.candidates;
        d["groups"] = r.groups;
        d["files_removed"] = r.files_removed;
        d["delete_files_removed"] = r.delete_files_removed;
        d["files_added"] = r.files_added;
        d["rows_written"] = r.rows_written;
        d["bytes_written"] = r.bytes_written;
        d["carried_deletes"] = r.carried_deletes;
        d["replans"] = r.replans;
        return d;
      }, py::arg("target_file_rows") = 0, py::arg("target_file_bytes") = 0, py::arg("where") = "",
         py::arg("dry_run") = false, py::arg("progress") = py::none(), py::arg("cluster") = false,
         py::arg("cluster_files") = 0)
      .def("verify", [](ailake::Table& t, bool deep) {
        auto r = Unwrap(NoGil([&] { return t.Verify(deep); }));
        py::dict d;
        d["snapshot_id"] = r.snapshot_id;
        d["data_files"] = r.data_files;
        d["delete_files"] = r.delete_files;
        d["rows"] = r.rows;
        d["deep"] = r.deep;
        d["problems"] = r.problems;
        d["notes"] = r.notes;
        d["ok"] = r.problems.empty();
        return d;
      }, py::arg("deep") = false);
}

}  // namespace ailake_py
