// ailake migrate: re-embed a table with a new model (ailake/migration.h), and the job's
// subcommands: status, resume, abort, and plan / run-task / commit for runs spread over processes
// or machines that share the warehouse.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>

#include "ailake/embedder.h"
#include "ailake/eval.h"
#include "ailake/migration.h"
#include "ailake/table.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/table_context.h"

namespace ailake::cli {

namespace {

// The table named by the first positional, through the public API (a Table keeps its warehouse
// alive, so the Warehouse handle can go).
Result<std::unique_ptr<Table>> OpenTableArg(const ParsedArgs& args) {
  AILAKE_ASSIGN_OR_RETURN(OpenedHandle opened, OpenTable(args, args.positional(0)));
  return std::move(opened.table);
}

// Ctrl-C asks the running job to stop after its current batches; a second Ctrl-C kills.
std::atomic<Migration*> g_running{nullptr};
void OnInterrupt(int) {
  Migration* j = g_running.load();
  if (j) j->Stop();
  std::signal(SIGINT, SIG_DFL);
}

class RunningGuard {
 public:
  explicit RunningGuard(Migration* j) {
    g_running = j;
    std::signal(SIGINT, OnInterrupt);
  }
  ~RunningGuard() {
    g_running = nullptr;
    std::signal(SIGINT, SIG_DFL);
  }
};

Result<MigrationOptions> OptionsFromArgs(const ParsedArgs& args) {
  MigrationOptions o;
  if (!args.has("embedder")) return Status::InvalidArgument("--embedder SPEC is required (hash:..., command:..., http:...)");
  o.embedder_spec = args.get("embedder");
  // The new model's identity: --new-model, else the spec's model= (one identity either way: the
  // embedder records exactly this pair).
  AILAKE_ASSIGN_OR_RETURN(std::optional<EmbeddingModelInfo> named, SpecModel(o.embedder_spec));
  if (args.has("new-model")) {
    AILAKE_ASSIGN_OR_RETURN(EmbeddingModelInfo m, EmbeddingModelInfo::ParseId(args.get("new-model")));
    o.new_model = m.Id();
  } else if (named) {
    o.new_model = named->Id();
  } else {
    return Status::InvalidArgument("--new-model NAME[@VERSION] is required (or model=NAME[@VERSION] in the embedder "
                                   "spec): every vector column records its model");
  }
  if (args.has("new-dim")) {
    AILAKE_ASSIGN_OR_RETURN(long long d, args.GetInt("new-dim", 1, 65536));
    o.new_dim = static_cast<uint32_t>(d);
  }
  if (args.has("new-metric")) {
    AILAKE_ASSIGN_OR_RETURN(VectorMetric m, ParseMetric(args.get("new-metric")));
    o.new_metric = m;
  }
  if (args.has("new-precision")) {
    AILAKE_ASSIGN_OR_RETURN(VectorPrecision p, ParsePrecision(args.get("new-precision")));
    o.new_precision = p;
  }
  o.new_column = args.get("new-column");
  o.text_column = args.get("text-column");
  AILAKE_ASSIGN_OR_RETURN(o.strategy, ParseMigrationStrategy(args.get("strategy")));
  o.keep_old_column = args.has("keep-old-column");
  AILAKE_ASSIGN_OR_RETURN(long long batch, args.GetInt("batch-size", 0, 1000000));
  if (batch == 0) return Status::InvalidArgument("--batch-size must be at least 1");
  o.batch_size = static_cast<size_t>(batch);
  AILAKE_ASSIGN_OR_RETURN(long long conc, args.GetInt("concurrency", 1, 1024));
  o.concurrency = static_cast<size_t>(conc);
  AILAKE_ASSIGN_OR_RETURN(long long files, args.GetInt("file-parallelism", 1, 64));
  o.file_parallelism = static_cast<size_t>(files);
  AILAKE_ASSIGN_OR_RETURN(o.null_text, ParseNullTextPolicy(args.get("null-text")));
  AILAKE_ASSIGN_OR_RETURN(long long timeout, args.GetInt("embed-timeout-ms", 1, 3600000));
  o.embed_timeout_ms = static_cast<int>(timeout);
  AILAKE_ASSIGN_OR_RETURN(long long retries, args.GetInt("embed-retries", 0, 100));
  o.embed_retries = static_cast<int>(retries);
  return o;
}

std::vector<FlagSpec> JobFlags() {
  return {
      {"embedder", "", "SPEC", "the new model's embedder: hash:dim=N[,seed=S] | command:[model=M,dim=N:]PROGRAM ARG... | "
                              "http:URL[,model=M][,dim=N] (M = NAME[@VERSION])", ""},
      {"new-model", "", "NAME[@VERSION]", "the new model's identity, recorded in every file and the table (default: the "
                                         "spec's model=; required when the spec has none)", ""},
      {"new-column", "", "C", "column for the new vectors (default: the old column's name, an in-place upgrade)", ""},
      {"new-dim", "", "N", "expected dimension (checked against the embedder's output)", ""},
      {"new-metric", "", "M", "cosine | euclidean | dot | normalized_cosine (default: the old column's)", ""},
      {"new-precision", "", "P", "f32 | f16 | i8 (default: the old column's)", ""},
      {"text-column", "", "C", "column holding the text to embed (default: the table's text column)", ""},
      {"strategy", "", "S", "atomic-replace (file by file) | dual-write-then-cutover (one commit)", "atomic-replace"},
      {"keep-old-column", "", "", "new files keep the old vectors too (needs --new-column); old-model searches keep working", ""},
      {"batch-size", "", "N", "texts per embedding call", "256"},
      {"concurrency", "", "N", "embedding calls in flight (command workers / HTTP requests)", "4"},
      {"file-parallelism", "", "N", "source files rewritten at once", "2"},
      {"null-text", "", "P", "rows with a null text: skip (null vector) | empty (embed \"\") | fail", "skip"},
      {"embed-timeout-ms", "", "MS", "timeout of one embedding call", "60000"},
      {"embed-retries", "", "N", "HTTP retries on 429/5xx/timeouts", "5"},
  };
}

void PrintRunResult(const MigrationRunResult& r, const MigrationInfo& job, const std::string& format, std::ostream& out) {
  if (format == "json") {
    nlohmann::json j = {{"job_id", job.job_id},
                        {"table", job.table},
                        {"cut_over", r.cut_over},
                        {"snapshot_id", r.snapshot_id},
                        {"tasks_run", r.tasks_run},
                        {"tasks_committed", r.tasks_committed},
                        {"catch_up_passes", r.catch_up_passes},
                        {"rows", r.rows},
                        {"texts_embedded", r.texts_embedded},
                        {"bytes_written", r.bytes_written},
                        {"staged_removed", r.staged_removed},
                        {"seconds", r.seconds},
                        {"model", job.new_model.Id()}};
    out << j.dump() << "\n";
    return;
  }
  out << "migrated " << job.table << " to " << job.new_model.Id() << " (" << job.new_model.dim << "-d "
      << MetricName(job.new_model.metric) << ") in " << ProgressPrinter::Duration(r.seconds) << ": " << r.tasks_run
      << " file(s) rewritten, " << r.rows << " rows, " << r.texts_embedded << " texts embedded, "
      << ProgressPrinter::Bytes(static_cast<double>(r.bytes_written)) << " written";
  if (r.catch_up_passes) out << ", " << r.catch_up_passes << " catch-up pass(es)";
  out << "\n  job " << job.job_id << ", snapshot " << r.snapshot_id
      << "; old files stay for time travel until expired\n";
}

int RunJob(Migration& job, const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  ProgressPrinter printer(err, ProgressPrinter::ModeFor(2, args.has("quiet")));
  job.SetProgress([&](const MigrationProgress& p) { printer.Update(p); });
  RunningGuard guard(&job);
  auto r = job.Run();
  printer.Finish();
  if (!r.ok()) {
    // The arguments were checked when the job was planned: a failure now is about the data or the
    // embedder (a null text under --null-text fail, a bad embedding), exit code 1, not a usage error.
    ReportError(r.status(), err);
    const int rc = 1;
    err << "hint: finished tasks are kept; 'ailake migrate resume " << args.positional(0)
        << "' continues, 'ailake migrate abort " << args.positional(0) << "' gives up\n";
    return rc;
  }
  PrintRunResult(*r, job.info(), args.get("format"), out);
  return 0;
}

int PrintDryRun(const MigrationDryRun& d, const std::string& format, std::ostream& out) {
  if (format == "json") {
    nlohmann::json j = {{"strategy", d.strategy},       {"files", d.files},
                        {"rows", d.rows},               {"null_texts", d.null_texts},
                        {"chars", d.chars},             {"est_tokens", d.est_tokens},
                        {"rows_per_s", d.measured_rows_per_s}, {"est_seconds", d.est_seconds},
                        {"source_bytes", d.source_bytes}, {"est_new_bytes", d.est_new_bytes},
                        {"peak_extra_bytes", d.peak_extra_bytes}, {"peak_staged_bytes", d.peak_staged_bytes},
                        {"new_model", d.new_model},     {"new_dim", d.new_dim}};
    out << j.dump() << "\n";
    return 0;
  }
  out << "dry run (" << d.strategy << ") to " << d.new_model << ", " << d.new_dim << "-d; nothing was written\n"
      << "  files to rewrite:   " << d.files << " (" << ProgressPrinter::Bytes(static_cast<double>(d.source_bytes)) << ")\n"
      << "  rows:               " << d.rows << " (" << d.null_texts << " with a null text)\n"
      << "  characters:         " << d.chars << " (~" << d.est_tokens << " tokens at 4 chars/token)\n"
      << "  embedder rate:      " << static_cast<long long>(d.measured_rows_per_s) << " rows/s (measured on a sample)\n"
      << "  estimated time:     " << ProgressPrinter::Duration(d.est_seconds) << " of embedding\n"
      << "  new files:          ~" << ProgressPrinter::Bytes(static_cast<double>(d.est_new_bytes)) << "\n"
      << "  peak extra storage: ~" << ProgressPrinter::Bytes(static_cast<double>(d.peak_extra_bytes))
      << " until old snapshots are expired (staged, uncommitted at worst: ~"
      << ProgressPrinter::Bytes(static_cast<double>(d.peak_staged_bytes)) << ")\n";
  return 0;
}

int RunMigrate(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto o = OptionsFromArgs(args);
  if (!o.ok()) return ReportError(o.status(), err);
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  if (args.has("dry-run")) {
    auto d = Migration::DryRun(**table, *o);
    if (!d.ok()) return ReportError(d.status(), err);
    return PrintDryRun(*d, args.get("format"), out);
  }
  auto job = Migration::Plan(**table, *o);
  if (!job.ok()) return ReportError(job.status(), err);
  if (!args.has("quiet") && args.get("format") == "text") {
    err << "migration job " << (*job)->info().job_id << " planned on snapshot " << (*job)->info().base_snapshot_id
        << " (" << (*job)->info().strategy << ")\n";
  }
  return RunJob(**job, args, out, err);
}

int RunPlan(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto o = OptionsFromArgs(args);
  if (!o.ok()) return ReportError(o.status(), err);
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  auto job = Migration::Plan(**table, *o);
  if (!job.ok()) return ReportError(job.status(), err);
  auto st = (*job)->GetStatus();
  if (!st.ok()) return ReportError(st.status(), err);
  if (args.get("format") == "json") {
    nlohmann::json j = {{"job_id", (*job)->info().job_id}, {"tasks", nlohmann::json::array()}};
    for (const auto& t : st->tasks) j["tasks"].push_back({{"task", t.task_id}, {"source", t.source}, {"rows", t.rows}});
    out << j.dump() << "\n";
    return 0;
  }
  out << "planned migration job " << (*job)->info().job_id << ": " << st->tasks.size() << " task(s)\n";
  for (const auto& t : st->tasks) out << "  " << t.task_id << "  " << t.rows << " rows  " << t.source << "\n";
  out << "run each with 'ailake migrate run-task " << args.positional(0) << " --task ID' (any machine sharing the "
      << "warehouse), then 'ailake migrate commit " << args.positional(0) << "'\n";
  return 0;
}

// A loaded job that will embed: the embedder comes from the user (--embedder), checked against the
// job's persisted (redacted) spec; only a hash: job may omit it (a program or URL is never taken
// from the job's record).
Status TakeEmbedder(Migration& job, const ParsedArgs& args) {
  if (args.has("embedder")) return job.UseEmbedderSpec(args.get("embedder"));
  const MigrationInfo& d = job.info();
  if (!d.needs_embedder) return Status::OK();
  return Status::InvalidArgument("migration job " + d.job_id + " embeds with '" + d.embedder +
                                 "': give that embedder again with --embedder SPEC (a program or URL is never "
                                 "taken from the job's record in the warehouse)");
}

std::string StateName(MigrationState s) { return std::string(MigrationStateName(s)); }

nlohmann::json StatusJson(const MigrationStatus& st, const std::string& last_job_id) {
  const auto& d = st.job;
  nlohmann::json j = {{"running", st.running},
                      {"job_id", d.job_id},
                      {"state", StateName(d.state)},
                      {"last_job_id", last_job_id},
                      {"strategy", d.strategy},
                      {"embedder", d.embedder},
                      {"old_model", d.old_model.Id()},
                      {"new_model", d.new_model.Id()},
                      {"new_dim", d.new_model.dim},
                      {"base_snapshot_id", d.base_snapshot_id},
                      {"current_snapshot_id", st.current_snapshot_id},
                      {"rolled_back", d.rolled_back},
                      {"created_ms", d.created_ms},
                      {"finished_ms", d.finished_ms},
                      {"pending", st.pending},
                      {"finished", st.finished},
                      {"committed", st.committed},
                      {"remaining", st.pending + st.finished},
                      {"rows_total", st.rows_total},
                      {"rows_done", st.rows_done},
                      {"rows_committed", st.rows_committed},
                      {"tasks", nlohmann::json::array()}};
  for (const auto& t : st.tasks) {
    j["tasks"].push_back({{"task", t.task_id}, {"source", t.source}, {"state", t.state}, {"rows", t.rows}});
  }
  const MigrationEmbedderStats& e = st.embedder;
  j["embed_stats"] = {{"calls", e.calls},           {"texts", e.texts},         {"failed_calls", e.failed_calls},
                      {"retries", e.retries},       {"errors", e.errors},       {"mean_ms", e.mean_ms},
                      {"p95_ms", e.p95_ms},         {"max_ms", e.max_ms},       {"last_error", e.last_error},
                      {"last_error_ms", e.last_error_ms}};
  return j;
}

int RunStatus(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  const std::string name = args.positional(0);
  auto job = Migration::LoadLatest(**table);
  if (!job.ok() && job.status().code() != StatusCode::kNotFound) return ReportError(job.status(), err);
  // After the load: the table as the job saw it (its last-migration property, its model).
  if (Status st = (*table)->Refresh(); !st.ok()) return ReportError(st, err);
  auto info = (*table)->Info();
  if (!info.ok()) return ReportError(info.status(), err);
  auto last = info->properties.find("ailake.last-migration");
  const std::string last_id = last == info->properties.end() ? "" : last->second;
  if (!job.ok()) {
    if (args.get("format") == "json") {
      out << nlohmann::json({{"running", false}, {"state", "none"}, {"last_job_id", last_id}}).dump() << "\n";
    } else {
      out << "no migration job on " << info->name << "; model " << info->model.Id() << "\n";
    }
    return 0;
  }
  auto st = (*job)->GetStatus();
  if (!st.ok()) return ReportError(st.status(), err);
  if (args.get("format") == "json") {
    out << StatusJson(*st, last_id).dump() << "\n";
    return 0;
  }
  const auto& d = st->job;
  out << "migration job " << d.job_id << " on " << d.table << ": " << StateName(d.state)
      << (d.rolled_back ? " (rolled back)" : "") << ", " << d.strategy << "\n"
      << "  " << d.old_model.Id() << " -> " << d.new_model.Id() << " (" << d.new_model.dim << "-d "
      << MetricName(d.new_model.metric) << "), column " << d.old_column << " -> " << d.new_column
      << (d.keep_old_column ? " (old column kept)" : "") << "\n"
      << "  embedder: " << d.embedder << "\n"
      << "  base snapshot " << d.base_snapshot_id << ", current snapshot " << st->current_snapshot_id << "\n"
      << "  files: " << st->committed << " committed (" << st->rows_committed << " rows), " << st->finished
      << " finished, " << st->pending << " pending; rows " << st->rows_done << "/" << st->rows_total << "\n";
  {
    const MigrationEmbedderStats& e = st->embedder;
    auto ms = [](double v) {
      char b[32];
      std::snprintf(b, sizeof b, v < 1 ? "%.3f" : v < 10 ? "%.2f" : "%.0f", v);
      return std::string(b) + " ms";
    };
    out << "  embedder calls: " << e.calls << " (" << e.texts << " texts), latency per call mean " << ms(e.mean_ms) << ", p95 "
        << ms(e.p95_ms) << ", max " << ms(e.max_ms) << "; errors " << e.errors << " (" << e.failed_calls << " failed calls, "
        << e.retries << " retries)\n";
    if (!e.last_error.empty()) out << "  last embedder error: " << e.last_error << "\n";
  }
  switch (d.state) {
    case MigrationState::kRunning:
    case MigrationState::kStopped:
      out << "  continue with 'ailake migrate resume " << name << (d.needs_embedder ? " --embedder SPEC" : "")
          << "' or stop with 'ailake migrate abort " << name << "'\n";
      break;
    case MigrationState::kAborted:
      if (st->committed > 0 && !d.keep_old_column) {
        out << "  warning: " << st->rows_committed << " row(s) in " << st->committed << " file(s) hold only " << d.new_model.Id()
            << " vectors: searches with the table's model " << d.old_model.Id() << " skip them; 'ailake rollback "
            << name << " --to " << d.base_snapshot_id << "' or a new migration fixes that\n";
      }
      break;
    case MigrationState::kFinished: break;
  }
  return 0;
}

int RunList(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  auto docs = Migration::List(**table);
  if (!docs.ok()) return ReportError(docs.status(), err);
  if (args.get("format") == "json") {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& d : *docs) {
      j.push_back({{"job_id", d.job_id}, {"state", StateName(d.state)}, {"strategy", d.strategy},
                   {"old_model", d.old_model.Id()}, {"new_model", d.new_model.Id()},
                   {"base_snapshot_id", d.base_snapshot_id}, {"rolled_back", d.rolled_back},
                   {"created_ms", d.created_ms}, {"finished_ms", d.finished_ms}, {"embedder", d.embedder}});
    }
    out << j.dump() << "\n";
    return 0;
  }
  if (docs->empty()) {
    out << "no migration job on " << (*table)->name() << "\n";
    return 0;
  }
  for (const auto& d : *docs) {
    out << d.job_id << "  " << StateName(d.state) << (d.rolled_back ? " (rolled back)" : "") << "  "
        << d.old_model.Id() << " -> " << d.new_model.Id() << "  " << d.strategy
        << "  base snapshot " << d.base_snapshot_id << "  planned " << FormatTimeMs(d.created_ms) << "\n";
  }
  return 0;
}

int RunResume(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  auto job = Migration::Load(**table);
  if (!job.ok()) return ReportError(job.status(), err);
  if (Status st = TakeEmbedder(**job, args); !st.ok()) return ReportError(st, err);
  return RunJob(**job, args, out, err);
}

int RunAbort(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  const bool json_out = args.get("format") == "json";
  // The --format json summary: what became of the job and of the table.
  auto report = [&](const std::string& outcome, const std::string& job_id, const std::string& text) {
    if (!json_out) {
      out << text;
      return;
    }
    nlohmann::json j;
    j["table"] = args.positional(0);
    j["job_id"] = job_id;
    j["outcome"] = outcome;
    out << j.dump(2) << "\n";
  };
  const bool rollback = args.has("rollback"), later = args.has("finish-later");
  if (rollback && later) {
    return ReportError(Status::InvalidArgument("--rollback and --finish-later exclude each other"), err);
  }
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  const std::string name = args.positional(0);
  auto job = Migration::Load(**table);
  if (!job.ok()) return ReportError(job.status(), err);
  const MigrationInfo d = (*job)->info();  // a copy: the calls below refresh info()
  if (later) {
    Status st = (*job)->StopForLater();
    if (!st.ok()) return ReportError(st, err);
    report("stopped", d.job_id,
           "stopped migration job " + d.job_id + " (a run in progress stops after its current file); committed " +
               "and finished work is kept; finish it with 'ailake migrate resume " + name +
               (d.needs_embedder ? " --embedder SPEC" : "") + "'\n");
    return 0;
  }
  if (rollback) {
    Status st = (*job)->AbortWithRollback();
    if (!st.ok()) return ReportError(st, err);
    report("rolled-back", d.job_id,
           "aborted migration job " + d.job_id + " and rolled table " + d.table + " back to snapshot " +
               std::to_string(d.base_snapshot_id) + "; staged files deleted (committed ones stay for time travel until expired)\n");
    return 0;
  }
  auto st = (*job)->GetStatus();
  if (!st.ok()) return ReportError(st.status(), err);
  if (st->committed > 0) {
    err << "error: migration job " << d.job_id << " already committed " << st->committed << " file(s) ("
        << st->rows_committed << " rows) with model " << d.new_model.Id() << "; the table's model is still "
        << d.old_model.Id() << (d.keep_old_column ? "" : ", so searches with it would skip those rows")
        << ". Choose:\n"
        << "  ailake migrate abort " << name << " --rollback       back to snapshot " << d.base_snapshot_id
        << " (refused if other writers committed since)\n"
        << "  ailake migrate abort " << name << " --finish-later   stop now, keep the work; 'ailake migrate resume' finishes it\n";
    return 2;
  }
  Status ab = (*job)->Abort();
  if (!ab.ok()) return ReportError(ab, err);
  report("aborted", d.job_id, "aborted migration job " + d.job_id + "; staged files deleted; the table is as before the job\n");
  return 0;
}

int RunRunTask(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  if (!args.has("task")) return ReportError(Status::InvalidArgument("--task ID (or a source file location) is required"), err);
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  auto job = Migration::Load(**table);
  if (!job.ok()) return ReportError(job.status(), err);
  if (Status st = TakeEmbedder(**job, args); !st.ok()) return ReportError(st, err);
  RunningGuard guard(job->get());
  auto r = (*job)->RunTask(args.get("task"));
  if (!r.ok()) return ReportError(r.status(), err);
  if (args.get("format") == "json") {
    out << nlohmann::json({{"task", r->task_id}, {"source", r->source}, {"output", r->output}, {"rows", r->rows},
                           {"texts_embedded", r->texts_embedded}})
               .dump()
        << "\n";
  } else {
    out << "task " << r->task_id << " finished: " << r->rows << " rows -> " << r->output << "\n";
  }
  return 0;
}

int RunCommit(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto table = OpenTableArg(args);
  if (!table.ok()) return ReportError(table.status(), err);
  auto job = Migration::Load(**table);
  if (!job.ok()) return ReportError(job.status(), err);
  if (args.has("require")) {
    // The evaluation gate (docs/EVAL.md#gate): checked before anything is committed.
    if (Status st = CheckEvalGate(**table, args.get("require"), (*job)->info().new_model.Id()); !st.ok()) return ReportError(st, err);
  }
  auto r = (*job)->Commit();
  if (!r.ok()) return ReportError(r.status(), err);
  if (!r->cut_over) {
    // Not an error: what was finished is committed; the rest needs tasks run first.
    const std::string name = args.positional(0);
    if (args.get("format") == "json") {
      out << nlohmann::json({{"job_id", (*job)->info().job_id}, {"cut_over", false}, {"snapshot_id", r->snapshot_id},
                             {"tasks_committed", r->tasks_committed}, {"remaining", r->remaining}})
                 .dump()
          << "\n";
      return 0;
    }
    out << "committed " << r->tasks_committed << ", " << r->remaining.size() << " remaining (job "
        << (*job)->info().job_id << ", snapshot " << r->snapshot_id << ")\n";
    for (const auto& t : r->remaining) out << "  " << t << "\n";
    out << "run 'ailake migrate run-task " << name << " --task ID' for each, then 'ailake migrate commit " << name
        << "' again (or 'ailake migrate resume " << name << "')\n";
    return 0;
  }
  PrintRunResult(*r, (*job)->info(), args.get("format"), out);
  return 0;
}

FlagSpec ResumeEmbedderFlag() {
  return {"embedder", "", "SPEC", "the job's embedder again (required unless it is hash:...)", ""};
}

std::vector<FlagSpec> OutputFlags(bool quiet) {
  std::vector<FlagSpec> f = {{"format", "", "text|json", "output format", "text"}};
  if (quiet) f.push_back({"quiet", "q", "", "no progress output", ""});
  return f;
}

std::vector<FlagSpec> Concat(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

Command MigrateCommand() {
  CommandSpec spec;
  spec.name = "migrate";
  spec.summary = "Re-embed a table with a new model and swap its files atomically (also: migrate status|list|resume|abort|plan|run-task|commit)";
  spec.positionals = {"TABLE"};
  auto flags = JobFlags();
  flags.push_back({"dry-run", "", "", "print files, rows, characters, tokens, estimated time and storage; write nothing", ""});
  spec.flags = WithWarehouseFlags(Concat(flags, OutputFlags(true)));
  spec.details =
      "Plans a job on the current snapshot (persisted in the table), rewrites every file with the new model's vectors\n"
      "and cuts over in one commit; files appended meanwhile are caught up, deleted rows stay deleted. A killed or\n"
      "interrupted run continues with 'ailake migrate resume TABLE' without re-embedding finished files.\n"
      "Subcommands: migrate status|list|resume|abort TABLE; migrate plan TABLE ... / run-task TABLE --task ID / commit TABLE.";
  return {spec, RunMigrate};
}

Command MigratePlanCommand() {
  CommandSpec spec;
  spec.name = "migrate plan";
  spec.summary = "Plan a migration job without running it (for distributed runs); prints its tasks";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags(Concat(JobFlags(), OutputFlags(false)));
  return {spec, RunPlan};
}

Command MigrateStatusCommand() {
  CommandSpec spec;
  spec.name = "migrate status";
  spec.summary = "Show the table's current or last migration job: state, embedder, base snapshot, files committed and remaining";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags(OutputFlags(false));
  spec.details =
      "Also the embedder's statistics, read from the warehouse (any process sees them): calls and texts, latency per call "
      "(mean, p95, max), errors (failed calls + retries of HTTP 429/5xx/timeouts) and the last error, redacted; JSON: "
      "embed_stats. Counted per finished task, plus the calls of tasks a failed or stopped run left unfinished; a task "
      "still running is not in them yet.";
  return {spec, RunStatus};
}

Command MigrateResumeCommand() {
  CommandSpec spec;
  spec.name = "migrate resume";
  spec.summary = "Continue the table's migration job (only rows not yet embedded are sent to the embedder)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags(Concat({ResumeEmbedderFlag()}, OutputFlags(true)));
  spec.details =
      "--embedder is required unless the job embeds with hash:... (a program or URL is never taken from the job's\n"
      "record). It must be the spec the job was planned with (secrets such as URL passwords may differ). Only rows\n"
      "that no finished task or checkpointed batch holds are sent to the embedder.";
  return {spec, RunResume};
}

Command MigrateAbortCommand() {
  CommandSpec spec;
  spec.name = "migrate abort";
  spec.summary = "Stop the table's migration job and delete its uncommitted staged files";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"rollback", "", "", "also put the table back at the job's base snapshot (refused if other writers committed since)", ""},
      {"finish-later", "", "", "only stop the job, keeping its work; 'migrate resume' finishes it", ""},
      {"format", "", "text|json", "output format (json: table, job_id, outcome aborted|rolled-back|stopped)", "text"},
  });
  spec.details =
      "A job that already committed files (atomic-replace) is not aborted without a choice (exit 2): --rollback\n"
      "or --finish-later. Without committed work the table is exactly as before the job. See docs/MIGRATION.md.";
  return {spec, RunAbort};
}

Command MigrateListCommand() {
  CommandSpec spec;
  spec.name = "migrate list";
  spec.summary = "List the table's migration jobs, past and present (state, models, base snapshot)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags(OutputFlags(false));
  return {spec, RunList};
}

Command MigrateRunTaskCommand() {
  CommandSpec spec;
  spec.name = "migrate run-task";
  spec.summary = "Run one task of the table's migration job (any process sharing the warehouse)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags(Concat({{"task", "", "ID", "task id from 'migrate plan'/'migrate status', or the source file location", ""},
                                          ResumeEmbedderFlag()},
                                         OutputFlags(false)));
  return {spec, RunRunTask};
}

Command MigrateCommitCommand() {
  CommandSpec spec;
  spec.name = "migrate commit";
  spec.summary = "Commit the finished tasks of the table's migration job and cut over when none is missing";
  spec.details = "With tasks still missing it commits what is finished, lists the rest and exits 0.";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags(Concat(
      OutputFlags(false), {{"require", "", "EXPR", "refuse unless the latest 'ailake eval' report meets EXPR, e.g. 'ndcg@10>=old'", ""}}));
  return {spec, RunCommit};
}

}  // namespace ailake::cli
