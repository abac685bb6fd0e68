// _Migration: ailake::Migration for Python (ailake.Migration and Table.migrate wrap it).
//
// Lifetimes: the job keeps its Table and its user embedder alive (the library holds raw pointers to
// both). Run/RunTask release the GIL; the progress hook takes it per step to call the Python callback
// and to let Ctrl-C through (a KeyboardInterrupt asks the job to Stop() and is re-raised afterwards).
#include "py_common.h"

namespace ailake_py {
namespace {

using TablePtr = std::shared_ptr<ailake::Table>;

struct PyMigration {
  // Declaration order = destruction in reverse: the job goes first, then the embedder, then the table.
  TablePtr table;
  std::shared_ptr<EmbedderHandle> embedder;
  std::unique_ptr<ailake::Migration> job;
  std::mutex mu;
  py::object pending_error;  // raised by the progress callback (or a signal); GIL needed
};

py::dict InfoToDict(const ailake::MigrationInfo& i) {
  py::dict d;
  d["job_id"] = i.job_id;
  d["table"] = i.table;
  d["state"] = std::string(ailake::MigrationStateName(i.state));
  d["created_ms"] = i.created_ms;
  d["finished_ms"] = i.finished_ms;
  d["base_snapshot_id"] = i.base_snapshot_id;
  d["strategy"] = i.strategy;
  d["embedder"] = i.embedder;
  d["needs_embedder"] = i.needs_embedder;
  d["old_model"] = ModelToDict(i.old_model);
  d["new_model"] = ModelToDict(i.new_model);
  d["old_column"] = i.old_column;
  d["new_column"] = i.new_column;
  d["text_column"] = i.text_column;
  d["new_precision"] = i.new_precision;
  d["keep_old_column"] = i.keep_old_column;
  d["rolled_back"] = i.rolled_back;
  return d;
}

py::dict StatusToDict(const ailake::MigrationStatus& s) {
  py::dict d;
  d["job"] = InfoToDict(s.job);
  d["running"] = s.running;
  d["current_snapshot_id"] = s.current_snapshot_id;
  py::list tasks;
  for (const auto& t : s.tasks) {
    py::dict td;
    td["task_id"] = t.task_id;
    td["source"] = t.source;
    td["state"] = t.state;
    td["rows"] = t.rows;
    td["output"] = t.output;
    tasks.append(td);
  }
  d["tasks"] = tasks;
  d["pending"] = s.pending;
  d["finished"] = s.finished;
  d["committed"] = s.committed;
  d["rows_total"] = s.rows_total;
  d["rows_done"] = s.rows_done;
  d["rows_committed"] = s.rows_committed;
  py::dict e;
  e["calls"] = s.embedder.calls;
  e["texts"] = s.embedder.texts;
  e["failed_calls"] = s.embedder.failed_calls;
  e["retries"] = s.embedder.retries;
  e["errors"] = s.embedder.errors;
  e["mean_ms"] = s.embedder.mean_ms;
  e["p95_ms"] = s.embedder.p95_ms;
  e["max_ms"] = s.embedder.max_ms;
  e["last_error"] = s.embedder.last_error;
  e["last_error_ms"] = s.embedder.last_error_ms;
  d["embed_stats"] = e;
  return d;
}

py::dict RunToDict(const ailake::MigrationRunResult& r) {
  py::dict d;
  d["snapshot_id"] = r.snapshot_id;
  d["tasks_run"] = r.tasks_run;
  d["tasks_committed"] = r.tasks_committed;
  d["catch_up_passes"] = r.catch_up_passes;
  d["rows"] = r.rows;
  d["texts_embedded"] = r.texts_embedded;
  d["bytes_written"] = r.bytes_written;
  d["staged_removed"] = r.staged_removed;
  d["seconds"] = r.seconds;
  d["cut_over"] = r.cut_over;
  d["remaining"] = r.remaining;
  return d;
}

py::dict ProgressToDict(const ailake::MigrationProgress& p) {
  py::dict d;
  d["phase"] = p.phase;
  d["files_done"] = p.files_done;
  d["files_total"] = p.files_total;
  d["rows_done"] = p.rows_done;
  d["rows_total"] = p.rows_total;
  d["rows_per_s"] = p.rows_per_s;
  d["eta_s"] = p.eta_s;
  d["bytes_written"] = p.bytes_written;
  return d;
}

py::dict DryRunToDict(const ailake::MigrationDryRun& r) {
  py::dict d;
  d["strategy"] = r.strategy;
  d["files"] = r.files;
  d["rows"] = r.rows;
  d["null_texts"] = r.null_texts;
  d["chars"] = r.chars;
  d["est_tokens"] = r.est_tokens;
  d["measured_rows_per_s"] = r.measured_rows_per_s;
  d["est_seconds"] = r.est_seconds;
  d["source_bytes"] = r.source_bytes;
  d["est_new_bytes"] = r.est_new_bytes;
  d["peak_extra_bytes"] = r.peak_extra_bytes;
  d["peak_staged_bytes"] = r.peak_staged_bytes;
  d["new_dim"] = r.new_dim;
  d["new_model"] = r.new_model;
  return d;
}

// Options from keyword arguments; a spec string (or a built-in ailake.embedder) is persisted with the
// job, a callable is attached as a user embedder (a resume must pass it again).
ailake::MigrationOptions MakeOptions(py::object embedder, const std::string& new_model, uint32_t new_dim,
                                     const std::string& new_metric, const std::string& new_precision,
                                     const std::string& old_column, const std::string& new_column,
                                     const std::string& text_column, const std::string& strategy,
                                     bool keep_old_column, size_t batch_size, size_t concurrency,
                                     size_t file_parallelism, const std::string& null_text, uint32_t build_threads,
                                     std::shared_ptr<EmbedderHandle>* handle) {
  ailake::MigrationOptions o;
  o.new_model = new_model;
  o.new_dim = new_dim;
  if (!new_metric.empty()) o.new_metric = Unwrap(ailake::ParseMetric(new_metric));
  if (!new_precision.empty()) o.new_precision = Unwrap(ailake::ParsePrecision(new_precision));
  o.old_column = old_column;
  o.new_column = new_column;
  o.text_column = text_column;
  o.strategy = Unwrap(ailake::ParseMigrationStrategy(strategy));
  o.keep_old_column = keep_old_column;
  o.batch_size = batch_size;
  o.concurrency = concurrency;
  o.file_parallelism = file_parallelism;
  o.null_text = Unwrap(ailake::ParseNullTextPolicy(null_text));
  o.build_threads = build_threads;
  if (embedder.is_none()) ThrowInvalid("a migration needs an embedder for the new model");
  if (py::isinstance<py::str>(embedder)) {
    o.embedder_spec = embedder.cast<std::string>();
    return o;
  }
  *handle = ResolveEmbedder(embedder, new_model, new_dim);
  if (!(*handle)->spec.empty()) {
    o.embedder_spec = (*handle)->spec;
  } else {
    o.embedder = (*handle)->embedder.get();
  }
  return o;
}

std::shared_ptr<PyMigration> Wrap(TablePtr table, std::unique_ptr<ailake::Migration> job,
                                  std::shared_ptr<EmbedderHandle> emb) {
  auto m = std::make_shared<PyMigration>();
  m->table = std::move(table);
  m->embedder = std::move(emb);
  m->job = std::move(job);
  return m;
}

// Installs the progress hook: calls `fn` (when not None) with a dict, and turns a Python exception
// from it, or a pending signal (Ctrl-C), into Stop() plus a re-raise after the run returns.
void InstallProgress(const std::shared_ptr<PyMigration>& m, py::object fn) {
  std::weak_ptr<PyMigration> weak = m;
  auto cb = std::shared_ptr<py::object>(new py::object(std::move(fn)), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
  m->job->SetProgress([weak, cb](const ailake::MigrationProgress& p) {
    auto self = weak.lock();
    if (!self) return;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!cb->is_none()) (*cb)(ProgressToDict(p));
    } catch (py::error_already_set& e) {
      {
        std::lock_guard<std::mutex> lock(self->mu);
        if (!self->pending_error) self->pending_error = e.value();
      }
      self->job->Stop();
    }
  });
}

void RaisePending(PyMigration& m) {
  py::object err;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    err = std::move(m.pending_error);
    m.pending_error = py::object();
  }
  if (err) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(err.ptr())), err.ptr());
    throw py::error_already_set();
  }
}

#define MIGRATE_OPTION_ARGS                                                                                   \
  py::arg("embedder"), py::arg("new_model"), py::arg("new_dim") = 0, py::arg("new_metric") = "",             \
      py::arg("new_precision") = "", py::arg("old_column") = "", py::arg("new_column") = "",                 \
      py::arg("text_column") = "", py::arg("strategy") = "atomic-replace", py::arg("keep_old_column") = false, \
      py::arg("batch_size") = 256, py::arg("concurrency") = 4, py::arg("file_parallelism") = 2,              \
      py::arg("null_text") = "skip", py::arg("build_threads") = 0

}  // namespace

void RegisterMigration(py::module_& m) {
  py::class_<PyMigration, std::shared_ptr<PyMigration>>(m, "_Migration")
      .def_static("dry_run", [](TablePtr t, py::object embedder, const std::string& new_model, uint32_t new_dim,
                                const std::string& new_metric, const std::string& new_precision,
                                const std::string& old_column, const std::string& new_column,
                                const std::string& text_column, const std::string& strategy, bool keep_old_column,
                                size_t batch_size, size_t concurrency, size_t file_parallelism,
                                const std::string& null_text, uint32_t build_threads) {
        std::shared_ptr<EmbedderHandle> h;
        auto o = MakeOptions(embedder, new_model, new_dim, new_metric, new_precision, old_column, new_column,
                             text_column, strategy, keep_old_column, batch_size, concurrency, file_parallelism,
                             null_text, build_threads, &h);
        auto r = NoGil([&] { return ailake::Migration::DryRun(*t, o); });
        return DryRunToDict(UnwrapWith(std::move(r), h.get()));
      }, py::arg("table"), MIGRATE_OPTION_ARGS)
      .def_static("plan", [](TablePtr t, py::object embedder, const std::string& new_model, uint32_t new_dim,
                             const std::string& new_metric, const std::string& new_precision,
                             const std::string& old_column, const std::string& new_column,
                             const std::string& text_column, const std::string& strategy, bool keep_old_column,
                             size_t batch_size, size_t concurrency, size_t file_parallelism,
                             const std::string& null_text, uint32_t build_threads) {
        std::shared_ptr<EmbedderHandle> h;
        auto o = MakeOptions(embedder, new_model, new_dim, new_metric, new_precision, old_column, new_column,
                             text_column, strategy, keep_old_column, batch_size, concurrency, file_parallelism,
                             null_text, build_threads, &h);
        auto job = NoGil([&] { return ailake::Migration::Plan(*t, o); });
        return Wrap(t, UnwrapWith(std::move(job), h.get()), h);
      }, py::arg("table"), MIGRATE_OPTION_ARGS)
      .def_static("load", [](TablePtr t) {
        return Wrap(t, Unwrap(NoGil([&] { return ailake::Migration::Load(*t); })), nullptr);
      }, py::arg("table"))
      .def_static("load_latest", [](TablePtr t) {
        return Wrap(t, Unwrap(NoGil([&] { return ailake::Migration::LoadLatest(*t); })), nullptr);
      }, py::arg("table"))
      .def_static("list", [](TablePtr t) {
        auto jobs = Unwrap(NoGil([&] { return ailake::Migration::List(*t); }));
        py::list out;
        for (const auto& j : jobs) out.append(InfoToDict(j));
        return out;
      }, py::arg("table"))
      .def("info", [](PyMigration& m) { return InfoToDict(m.job->info()); })
      .def("use_embedder", [](PyMigration& m, py::object embedder, uint32_t dim) {
        if (py::isinstance<py::str>(embedder)) {
          Check(NoGil([&] { return m.job->UseEmbedderSpec(embedder.cast<std::string>()); }));
          return;
        }
        auto h = ResolveEmbedder(embedder, m.job->info().new_model.Id(), dim);
        if (!h) ThrowInvalid("use_embedder needs an embedder");
        if (!h->spec.empty()) {
          Check(NoGil([&] { return m.job->UseEmbedderSpec(h->spec); }));
        } else {
          Check(NoGil([&] { return m.job->UseEmbedder(h->embedder.get()); }));
        }
        m.embedder = h;  // keep it alive as long as the job may call it
      }, py::arg("embedder"), py::arg("dim") = 0)
      .def("status", [](PyMigration& m) { return StatusToDict(Unwrap(NoGil([&] { return m.job->GetStatus(); }))); })
      .def("run", [](std::shared_ptr<PyMigration> m, py::object progress) {
        InstallProgress(m, progress);
        auto r = NoGil([&] { return m->job->Run(); });
        RaisePending(*m);
        return RunToDict(UnwrapWith(std::move(r), m->embedder.get()));
      }, py::arg("progress") = py::none())
      .def("run_task", [](std::shared_ptr<PyMigration> m, const std::string& task, py::object progress) {
        InstallProgress(m, progress);
        auto r = NoGil([&] { return m->job->RunTask(task); });
        RaisePending(*m);
        auto t = UnwrapWith(std::move(r), m->embedder.get());
        py::dict d;
        d["task_id"] = t.task_id;
        d["source"] = t.source;
        d["output"] = t.output;
        d["rows"] = t.rows;
        d["texts_embedded"] = t.texts_embedded;
        d["already_done"] = t.already_done;
        return d;
      }, py::arg("task"), py::arg("progress") = py::none())
      .def("commit", [](PyMigration& m) { return RunToDict(Unwrap(NoGil([&] { return m.job->Commit(); }))); })
      .def("abort", [](PyMigration& m, bool rollback) {
        Check(NoGil([&] { return rollback ? m.job->AbortWithRollback() : m.job->Abort(); }));
      }, py::arg("rollback") = false)
      .def("stop_for_later", [](PyMigration& m) { Check(NoGil([&] { return m.job->StopForLater(); })); })
      .def("stop", [](PyMigration& m) { m.job->Stop(); }, "Asks a running run()/run_task() (another thread) to stop");
}

}  // namespace ailake_py
