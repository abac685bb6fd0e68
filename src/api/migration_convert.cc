#include "api/migration_convert.h"

#include "migrate/embedder_spec.h"

namespace ailake::api {

Result<migrate::MigrationOptions> ToInternal(const MigrationOptions& o) {
  migrate::MigrationOptions m;
  const bool user = o.embedder != nullptr, spec = !o.embedder_spec.empty();
  if (user == spec) {
    return Status::InvalidArgument(user ? "MigrationOptions: set either embedder or embedder_spec, not both"
                                        : "MigrationOptions: set embedder (an Embedder object) or embedder_spec "
                                          "(hash:..., command:..., http:...)");
  }
  if (o.new_model.empty()) {
    return Status::InvalidArgument("MigrationOptions.new_model is required (NAME[@VERSION]): every vector column "
                                   "records its model");
  }
  auto model = EmbeddingModelInfo::ParseId(o.new_model);
  if (!model.ok()) return model.status().WithContext("MigrationOptions.new_model");
  if (model->name.empty()) return Status::InvalidArgument("MigrationOptions.new_model needs a name: NAME[@VERSION]");
  if (user && !o.embedder->model().name.empty() && !o.embedder->model().SameModel(*model)) {
    return Status::InvalidArgument("MigrationOptions.embedder's model '" + o.embedder->model().Id() +
                                   "' is not MigrationOptions.new_model '" + model->Id() + "'");
  }
  if (o.batch_size == 0) return Status::InvalidArgument("MigrationOptions.batch_size must be at least 1");
  if (o.concurrency == 0) return Status::InvalidArgument("MigrationOptions.concurrency must be at least 1");
  if (o.file_parallelism == 0) return Status::InvalidArgument("MigrationOptions.file_parallelism must be at least 1");
  if (o.embed_timeout_ms <= 0) return Status::InvalidArgument("MigrationOptions.embed_timeout_ms must be positive");
  if (o.embed_retries < 0) return Status::InvalidArgument("MigrationOptions.embed_retries must not be negative");
  m.embedder_spec = o.embedder_spec;
  m.new_model = *model;
  m.new_model.dim = o.new_dim;
  m.new_metric = o.new_metric;
  m.new_precision = o.new_precision;
  m.old_column = o.old_column;
  m.new_column = o.new_column;
  m.text_column = o.text_column;
  m.strategy = o.strategy == MigrationStrategy::kAtomicReplace ? migrate::Strategy::kAtomicReplace
                                                               : migrate::Strategy::kDualWriteThenCutover;
  m.keep_old_column = o.keep_old_column;
  m.batch_size = o.batch_size;
  m.concurrency = o.concurrency;
  m.file_parallelism = o.file_parallelism;
  switch (o.null_text) {
    case NullTextPolicy::kSkip: m.null_text = migrate::NullTextPolicy::kSkip; break;
    case NullTextPolicy::kEmpty: m.null_text = migrate::NullTextPolicy::kEmpty; break;
    case NullTextPolicy::kFail: m.null_text = migrate::NullTextPolicy::kFail; break;
  }
  m.embed_timeout_ms = o.embed_timeout_ms;
  m.embed_retries = o.embed_retries;
  m.build_threads = o.build_threads;
  return m;
}

MigrationState ToPublic(migrate::JobState s) {
  switch (s) {
    case migrate::JobState::kRunning: return MigrationState::kRunning;
    case migrate::JobState::kStopped: return MigrationState::kStopped;
    case migrate::JobState::kFinished: return MigrationState::kFinished;
    case migrate::JobState::kAborted: return MigrationState::kAborted;
  }
  return MigrationState::kRunning;
}

MigrationInfo ToPublic(const migrate::MigrationJobDoc& d) {
  MigrationInfo i;
  i.job_id = d.job_id;
  i.table = d.table;
  i.state = ToPublic(d.state);
  i.created_ms = d.created_ms;
  i.finished_ms = d.finished_ms;
  i.base_snapshot_id = d.base_snapshot_id;
  i.strategy = std::string(migrate::StrategyName(d.options.strategy));
  i.embedder = d.options.embedder_spec;
  i.needs_embedder = !migrate::SpecRunsNothing(d.options.embedder_spec);
  i.old_model = d.old_model;
  i.new_model = d.options.new_model;
  i.old_column = d.options.old_column;
  i.new_column = d.options.new_column;
  i.text_column = d.options.text_column;
  i.new_precision = std::string(PrecisionName(d.new_policy.precision));
  i.keep_old_column = d.options.keep_old_column;
  i.rolled_back = d.rolled_back;
  return i;
}

MigrationProgress ToPublic(const migrate::MigrationProgress& p) {
  MigrationProgress o;
  o.phase = p.phase;
  o.files_done = p.files_done;
  o.files_total = p.files_total;
  o.rows_done = p.rows_done;
  o.rows_total = p.rows_total;
  o.rows_per_s = p.rows_per_s;
  o.eta_s = p.eta_s;
  o.bytes_written = p.bytes_written;
  return o;
}

MigrationStatus ToPublic(const migrate::MigrationStatus& st) {
  MigrationStatus o;
  o.job = ToPublic(st.job);
  o.running = st.running;
  o.current_snapshot_id = st.current_snapshot_id;
  o.tasks.reserve(st.tasks.size());
  for (const auto& t : st.tasks) {
    o.tasks.push_back({t.task_id, t.source, std::string(migrate::TaskStateName(t.state)), t.rows, t.output});
  }
  o.pending = st.pending;
  o.finished = st.finished;
  o.committed = st.committed;
  o.rows_total = st.rows_total;
  o.rows_done = st.rows_done;
  o.rows_committed = st.rows_committed;
  const migrate::EmbedCallStats& e = st.embed;
  o.embedder.calls = e.calls;
  o.embedder.texts = e.texts;
  o.embedder.failed_calls = e.failed_calls;
  o.embedder.retries = e.retries;
  o.embedder.errors = e.errors();
  o.embedder.mean_ms = e.mean_ms();
  o.embedder.p95_ms = e.QuantileMs(0.95);
  o.embedder.max_ms = e.latency_max_ms;
  o.embedder.last_error = e.last_error;
  o.embedder.last_error_ms = e.last_error_ms;
  return o;
}

MigrationRunResult ToPublic(const migrate::RunResult& r) {
  MigrationRunResult o;
  o.snapshot_id = r.snapshot_id;
  o.tasks_run = r.tasks_run;
  o.tasks_committed = r.tasks_committed;
  o.catch_up_passes = r.catch_up_passes;
  o.rows = r.rows;
  o.texts_embedded = r.texts_embedded;
  o.bytes_written = r.bytes_written;
  o.staged_removed = r.staged_removed;
  o.seconds = r.seconds;
  o.cut_over = r.cut_over;
  o.remaining = r.remaining;
  return o;
}

MigrationDryRun ToPublic(const migrate::DryRunReport& d) {
  MigrationDryRun o;
  o.strategy = d.strategy;
  o.files = d.files;
  o.rows = d.rows;
  o.null_texts = d.null_texts;
  o.chars = d.chars;
  o.est_tokens = d.est_tokens;
  o.measured_rows_per_s = d.measured_rows_per_s;
  o.est_seconds = d.est_seconds;
  o.source_bytes = d.source_bytes;
  o.est_new_bytes = d.est_new_bytes;
  o.peak_extra_bytes = d.peak_extra_bytes;
  o.peak_staged_bytes = d.peak_staged_bytes;
  o.new_dim = d.new_dim;
  o.new_model = d.new_model;
  return o;
}

MigrationTaskResult ToPublic(const migrate::TaskRecord& r, bool already_done) {
  MigrationTaskResult o;
  o.task_id = r.task_id;
  o.source = r.source;
  o.output = r.output;
  o.rows = r.rows;
  o.texts_embedded = r.texts_embedded;
  o.already_done = already_done;
  return o;
}

}  // namespace ailake::api
