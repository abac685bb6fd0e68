#include "migrate/migration_job.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "core/uuid.h"
#include "migrate/batch_checkpoint.h"
#include "migrate/embed_pool.h"
#include "migrate/embedder_spec.h"
#include "migrate/job_commit.h"
#include "migrate/job_plan.h"
#include "migrate/job_store.h"
#include "migrate/rewrite_file.h"
#include "migrate/table_view.h"
#include "migrate/task_runs.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/table_schema.h"
#include "vec/quantize.h"

namespace ailake::migrate {

std::string_view TaskStateName(TaskState s) {
  switch (s) {
    case TaskState::kPending: return "pending";
    case TaskState::kFinished: return "finished";
    case TaskState::kCommitted: return "committed";
  }
  return "pending";
}

MigrationJob::~MigrationJob() = default;

namespace {

// The job's state as the table shows it: a job document can lag behind the table when a process
// died between a commit and the document's update (a cutover whose "finished" was never written,
// an abort whose "aborted" was never written).
JobState EffectiveState(const MigrationJobDoc& doc, const iceberg::TableMetadata& m) {
  auto running = m.properties.find(kPropMigration);
  if (running != m.properties.end() && running->second == doc.job_id) return doc.state;
  if (doc.state != JobState::kRunning && doc.state != JobState::kStopped) return doc.state;
  auto last = m.properties.find("ailake.last-migration");
  return last != m.properties.end() && last->second == doc.job_id ? JobState::kFinished : JobState::kAborted;
}

}  // namespace

Status MigrationJob::UseEmbedderSpec(const std::string& spec) {
  AILAKE_RETURN_IF_ERROR(CheckEmbedderSpec(spec, doc_.options.embedder_spec, doc_.job_id));
  user_spec_ = spec;
  own_embedder_.reset();
  return Status::OK();
}

Status MigrationJob::SaveState(JobState state) {
  Store& store = table_.catalog().store();
  auto now = LoadJobDoc(store, table_.table_key(), doc_.job_id);
  // Never overwrite an end state another process wrote (an abort racing this run's failure).
  if (now.ok() && (now->state == JobState::kAborted || now->state == JobState::kFinished) &&
      state != JobState::kAborted && state != JobState::kFinished) {
    doc_.state = now->state;
    return Status::OK();
  }
  doc_.state = state;
  doc_.finished_ms = state == JobState::kRunning ? 0 : table::NowMs();
  // Another process (a run that failed meanwhile) may have added its own unrecorded calls.
  if (now.ok()) doc_.unrecorded_embed = now->unrecorded_embed;
  const EmbedCallStats mine = unrecorded_->Take();
  doc_.unrecorded_embed.Merge(mine);
  Status st = SaveJobDoc(store, table_.table_key(), doc_);
  if (!st.ok()) unrecorded_->Merge(mine);  // kept for the next save
  return st;
}

bool MigrationJob::StoppedByUser(int64_t run_started_ms) {
  auto now = LoadJobDoc(table_.catalog().store(), table_.table_key(), doc_.job_id);
  return now.ok() && now->state == JobState::kStopped && now->finished_ms >= run_started_ms;
}

Status MigrationJob::CheckCanEmbed() const {
  if (external_embedder_ || own_embedder_ || !user_spec_.empty() || SpecRunsNothing(doc_.options.embedder_spec)) {
    return Status::OK();
  }
  return Status::InvalidArgument("migration job " + doc_.job_id + " embeds with '" + doc_.options.embedder_spec +
                                 "': give that embedder again with --embedder SPEC (a program or URL is never "
                                 "taken from the job's record in the warehouse)");
}

Result<embed::Embedder*> MigrationJob::GetEmbedder() {
  if (external_embedder_) return external_embedder_;
  if (!own_embedder_) {
    AILAKE_RETURN_IF_ERROR(CheckCanEmbed());
    MigrationOptions o = doc_.options;
    if (!user_spec_.empty()) o.embedder_spec = user_spec_;
    AILAKE_ASSIGN_OR_RETURN(own_embedder_, BuildEmbedder(o));
    AILAKE_ASSIGN_OR_RETURN(uint32_t dim, own_embedder_->Dimension());
    if (dim != doc_.options.new_model.dim) {
      return Status::InvalidArgument("embedder '" + doc_.options.embedder_spec + "' returns dim " + std::to_string(dim) +
                                     " but job " + doc_.job_id + " was planned for dim " +
                                     std::to_string(doc_.options.new_model.dim));
    }
  }
  return own_embedder_.get();
}

Result<std::unique_ptr<MigrationJob>> MigrationJob::Plan(table::Table& table, MigrationOptions options,
                                                        embed::Embedder* external) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  auto running = table.metadata().properties.find(kPropMigration);
  if (running != table.metadata().properties.end()) {
    return Status::AlreadyExists("migration job " + running->second + " is already running on table " +
                                 table.ident().ToString() + ": see 'ailake migrate status', 'resume' or 'abort'");
  }
  std::unique_ptr<embed::Embedder> embedder;
  if (!external) {
    AILAKE_ASSIGN_OR_RETURN(embedder, BuildEmbedder(options));
  }
  const std::string options_spec = options.embedder_spec;
  AILAKE_ASSIGN_OR_RETURN(MigrationJobDoc doc,
                          ResolveJob(table, std::move(options), external ? *external : *embedder));
  Store& store = table.catalog().store();
  AILAKE_RETURN_IF_ERROR(SaveJobDoc(store, table.table_key(), doc));
  // Publish the job: a property-only commit that requires no other job to be running.
  iceberg::TableChange change;
  change.set_properties[kPropMigration] = doc.job_id;
  change.expected_schema_id = doc.base_schema_id;
  change.new_schema = PlanSchema(table.schema(), doc);  // the new column is known from the start
  change.validate = [&](const iceberg::TableMetadata& latest, const iceberg::SnapshotFiles&) -> Status {
    auto it = latest.properties.find(kPropMigration);
    if (it != latest.properties.end()) {
      return Status::AlreadyExists("migration job " + it->second + " started on table " + doc.table +
                                   " meanwhile: see 'ailake migrate status'");
    }
    return Status::OK();
  };
  auto committed = table::CommitChange(table.catalog(), table.ident(), change);
  if (!committed.ok()) {
    (void)store.Delete(JobDocKey(table.table_key(), doc.job_id));
    return committed.status();
  }
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  const std::string spec = options_spec;
  auto job = std::unique_ptr<MigrationJob>(new MigrationJob(table, std::move(doc)));
  job->own_embedder_ = std::move(embedder);
  job->external_embedder_ = external;
  job->user_spec_ = spec;
  return job;
}

Result<std::unique_ptr<MigrationJob>> MigrationJob::Load(table::Table& table) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  auto it = table.metadata().properties.find(kPropMigration);
  if (it == table.metadata().properties.end()) {
    return Status::NotFound("no migration is running on table " + table.ident().ToString());
  }
  AILAKE_ASSIGN_OR_RETURN(MigrationJobDoc doc, LoadJobDoc(table.catalog().store(), table.table_key(), it->second));
  if (doc.job_id != it->second) return Status::Corruption("migration job document names another job");
  return std::unique_ptr<MigrationJob>(new MigrationJob(table, std::move(doc)));
}

Result<std::unique_ptr<MigrationJob>> MigrationJob::LoadLatest(table::Table& table) {
  auto running = Load(table);
  if (running.ok() || running.status().code() != StatusCode::kNotFound) return running;
  AILAKE_ASSIGN_OR_RETURN(auto docs, List(table));
  if (docs.empty()) return running.status();
  return std::unique_ptr<MigrationJob>(new MigrationJob(table, std::move(docs.back())));
}

Result<std::vector<MigrationJobDoc>> MigrationJob::List(table::Table& table) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  AILAKE_ASSIGN_OR_RETURN(auto docs, ListJobDocs(table.catalog().store(), table.table_key()));
  for (auto& d : docs) d.state = EffectiveState(d, table.metadata());
  return docs;
}

Result<MigrationStatus> MigrationJob::GetStatus() {
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
  AILAKE_ASSIGN_OR_RETURN(auto records, LoadTaskRecords(table_.catalog().store(), table_.table_key(), doc_.job_id));
  MigrationStatus st;
  st.job = doc_;
  st.job.state = EffectiveState(doc_, table_.metadata());
  st.running = st.job.state == JobState::kRunning || st.job.state == JobState::kStopped;
  st.current_snapshot_id = view.snapshot ? view.snapshot->snapshot_id : 0;
  const bool finished = st.job.state == JobState::kFinished;
  std::set<std::string> seen;
  st.embed = doc_.unrecorded_embed;
  for (const auto& [source, r] : records) {
    st.embed.Merge(r.embed);  // every recorded run's calls, also of tasks no longer live
    TaskStatus t;
    t.task_id = r.task_id;
    t.source = source;
    t.rows = r.source_rows;
    t.output = r.output;
    if (view.IsLive(r.output) || finished) {
      t.state = TaskState::kCommitted;  // a finished job committed every record (outputs may be compacted since)
      st.rows_committed += r.rows;
    } else if (view.IsLive(source) && st.running) {
      t.state = TaskState::kFinished;
    } else {
      continue;  // stale: its source was replaced by something else (or the abort deleted its output)
    }
    seen.insert(source);
    seen.insert(r.output);
    st.tasks.push_back(t);
  }
  for (const auto& e : view.files.data_files) {
    if (finished) break;  // files appended after the cutover are on the new model already
    const std::string& p = e.file.file_path;
    if (seen.count(p) || view.HasNewModel(doc_, p)) continue;
    TaskStatus t;
    t.task_id = TaskId(p);
    t.source = p;
    t.rows = e.file.record_count;
    st.tasks.push_back(t);
  }
  for (const auto& t : st.tasks) {
    st.rows_total += t.rows;
    switch (t.state) {
      case TaskState::kPending: ++st.pending; break;
      case TaskState::kFinished: ++st.finished; st.rows_done += t.rows; break;
      case TaskState::kCommitted: ++st.committed; st.rows_done += t.rows; break;
    }
  }
  return st;
}

Result<RunResult> MigrationJob::DriveAndRecord(bool run_tasks) {
  auto r = Drive(run_tasks);
  if (!r.ok() && run_tasks) {
    // Stopped (Ctrl-C, an error, finish-later): the job stays the table's job; say so in job.json.
    if (table_.Refresh().ok() && EffectiveState(doc_, table_.metadata()) == JobState::kRunning) {
      (void)SaveState(JobState::kStopped);
    }
  }
  return r;
}

Result<RunResult> MigrationJob::Run() { return DriveAndRecord(true); }
Result<RunResult> MigrationJob::Commit() { return Drive(false); }

Result<TaskRecord> MigrationJob::RunTask(const std::string& task) {
  Store& store = table_.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(auto records, LoadTaskRecords(store, table_.table_key(), doc_.job_id));
  for (const auto& [src, r] : records) {
    if (r.task_id == task || src == task) return r;  // finished (maybe committed) already: never embed twice
  }
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
  std::string source;
  for (const auto& e : view.files.data_files) {
    if (e.file.file_path == task || TaskId(e.file.file_path) == task) source = e.file.file_path;
  }
  if (source.empty()) return Status::NotFound("no live data file of table " + doc_.table + " matches task '" + task + "'");
  if (view.HasNewModel(doc_, source)) {
    return Status::InvalidArgument("data file " + source + " already holds the new model; nothing to do");
  }
  AILAKE_ASSIGN_OR_RETURN(embed::Embedder * embedder, GetEmbedder());
  EmbedPool pool(*embedder, doc_.options.concurrency);
  AILAKE_ASSIGN_OR_RETURN(TaskContext ctx, MakeTaskContext(&pool));
  AILAKE_ASSIGN_OR_RETURN(TaskSource src, view.SourceOf(table_, source));
  AILAKE_ASSIGN_OR_RETURN(TaskRecord rec, RewriteFile(ctx, src));
  AILAKE_ASSIGN_OR_RETURN(bool won, RecordTask(store, table_.table_key(), doc_, rec));
  if (!won) {
    unrecorded_->Merge(rec.embed);
    AILAKE_ASSIGN_OR_RETURN(records, LoadTaskRecords(store, table_.table_key(), doc_.job_id));
    auto r = records.find(source);
    if (r == records.end()) return Status::Internal("task record vanished");
    return r->second;
  }
  return rec;
}

Status MigrationJob::Abort() {
  const std::string id = doc_.job_id;
  for (int attempt = 0;; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
    // When no live file carries the new column (dual-write, or nothing committed yet), the column
    // leaves the schema again; files this job committed keep it visible to Iceberg readers.
    bool carried = false;
    for (const auto& e : view.files.data_files) carried = carried || view.HasNewModel(doc_, e.file.file_path);
    iceberg::TableChange change;
    change.remove_properties = {kPropMigration};
    if (!carried && CheckJobSchema(table_.metadata(), doc_).ok()) {
      change.new_schema = WithoutNewColumn(table_.schema(), doc_);
    }
    const bool drop_column = change.new_schema.has_value();
    change.validate = [&](const iceberg::TableMetadata& latest, const iceberg::SnapshotFiles& files) -> Status {
      auto it = latest.properties.find(kPropMigration);
      if (it == latest.properties.end() || it->second != id) {
        return Status::NotFound("migration job " + id + " is not running any more");
      }
      if (drop_column) {
        AILAKE_RETURN_IF_ERROR(CheckJobSchema(latest, doc_));
        TableView now;
        now.files = files;
        for (const auto& e : files.data_files) {
          if (now.HasNewModel(doc_, e.file.file_path)) return Status::CommitConflict("a task of the job was committed meanwhile");
        }
      }
      return Status::OK();
    };
    auto committed = table::CommitChange(table_.catalog(), table_.ident(), change);
    if (committed.ok()) break;
    if (committed.status().code() != StatusCode::kCommitConflict || attempt >= 10) return committed.status();
  }
  AILAKE_RETURN_IF_ERROR(SaveState(JobState::kAborted));
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
  return DeleteStaged(view, {}).status();
}

Status MigrationJob::AbortWithRollback() {
  catalog::Catalog& catalog = table_.catalog();
  const std::string id = doc_.job_id;
  std::optional<iceberg::Snapshot> rolled_back_from;  // the job's last snapshot, undone
  for (int attempt = 0;; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable base, catalog.LoadTable(table_.ident()));
    rolled_back_from.reset();
    if (const iceberg::Snapshot* cs = base.metadata.CurrentSnapshot()) rolled_back_from = *cs;
    iceberg::TableMetadata m = base.metadata;
    auto it = m.properties.find(kPropMigration);
    if (it == m.properties.end() || it->second != id) {
      return Status::NotFound("migration job " + id + " is not running any more");
    }
    // Every snapshot since the base must be this job's own commit: anything else would be undone.
    std::vector<std::string> others;
    std::optional<int64_t> cur = m.current_snapshot_id;
    while (cur && *cur != doc_.base_snapshot_id) {
      const iceberg::Snapshot* snap = m.FindSnapshot(*cur);
      if (!snap) break;
      auto job = snap->summary.find(kSummaryMigrationJob);
      if (job == snap->summary.end() || job->second != id) {
        auto op = snap->summary.find("operation");
        others.push_back("snapshot " + std::to_string(snap->snapshot_id) + " (" +
                         (op == snap->summary.end() ? std::string("?") : op->second) + ")");
      }
      cur = snap->parent_snapshot_id;
    }
    const bool base_reached = doc_.base_snapshot_id == 0 ? !cur.has_value() : (cur && *cur == doc_.base_snapshot_id);
    if (!base_reached) {
      return Status::CommitConflict("cannot roll back table " + doc_.table + " to the base snapshot " +
                                    std::to_string(doc_.base_snapshot_id) + " of migration job " + id +
                                    ": it is no longer an ancestor of the current snapshot (the table was rolled back "
                                    "meanwhile); nothing was changed");
    }
    if (!others.empty()) {
      std::string list;
      for (size_t i = 0; i < others.size() && i < 10; ++i) list += (i ? ", " : "") + others[i];
      if (others.size() > 10) list += " and " + std::to_string(others.size() - 10) + " more";
      return Status::CommitConflict("cannot roll back table " + doc_.table + " to snapshot " +
                                    std::to_string(doc_.base_snapshot_id) + ": other writers committed since migration job " +
                                    id + " was planned: " + list + "; a rollback would undo their work. Nothing was "
                                    "changed: use 'ailake migrate abort --finish-later' and resume the job, or roll back "
                                    "by hand ('ailake rollback --to " + std::to_string(doc_.base_snapshot_id) + "')");
    }
    AILAKE_RETURN_IF_ERROR(CheckJobSchema(m, doc_));
    const int64_t now = std::max({table::NowMs(), m.last_updated_ms + 1,
                                  m.snapshot_log.empty() ? int64_t{0} : m.snapshot_log.back().timestamp_ms});
    if (doc_.base_snapshot_id == 0) {
      m.current_snapshot_id.reset();
      m.refs.erase("main");
    } else {
      m.current_snapshot_id = doc_.base_snapshot_id;
      m.refs["main"] = {doc_.base_snapshot_id, "branch"};
      m.snapshot_log.push_back({doc_.base_snapshot_id, now});
    }
    m.current_schema_id = doc_.base_schema_id;
    m.properties.erase(kPropMigration);
    m.last_updated_ms = now;
    auto r = catalog.CommitTable(base, std::move(m));
    if (r.ok()) break;
    if (r.status().code() != StatusCode::kCommitConflict || attempt >= 50) return r.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + attempt));  // backoff of a lost race, not a sync
  }
  doc_.rolled_back = true;
  AILAKE_RETURN_IF_ERROR(SaveState(JobState::kAborted));
  // Outputs the job committed are no longer live, but the rolled-back snapshots still name them
  // (time travel): keep those (every snapshot since the base was the job's, so the last one names
  // them all); `expire` removes them with those snapshots.
  Store& store = table_.catalog().store();
  std::set<std::string> keep;
  if (rolled_back_from) {
    AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles was,
                            iceberg::ReadSnapshotFiles(store, table_.locations(), &*rolled_back_from));
    for (const auto& e : was.data_files) {
      auto key = table_.locations().KeyOf(e.file.file_path);
      if (key.ok() && key->rfind(doc_.staging_prefix, 0) == 0) keep.insert(*key);
    }
  }
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
  return DeleteStaged(view, keep).status();
}

Status MigrationJob::StopForLater() { return SaveState(JobState::kStopped); }

Result<size_t> MigrationJob::DeleteStaged(const TableView& view, const std::set<std::string>& keep_keys) {
  Store& store = table_.catalog().store();
  size_t removed = 0;
  AILAKE_ASSIGN_OR_RETURN(auto staged, store.List(doc_.staging_prefix));
  // Liveness from a state read AFTER the listing too: a commit of this job by another process
  // (distributed `migrate commit`) may have published a listed output after `view` was read.
  AILAKE_ASSIGN_OR_RETURN(TableView fresh, ReadTableView(table_));
  for (const auto& obj : staged) {
    const std::string location = table_.catalog().LocationOf(obj.key);
    if (keep_keys.count(obj.key) || view.IsLive(location) || fresh.IsLive(location)) continue;
    AILAKE_RETURN_IF_ERROR(store.Delete(obj.key));
    ++removed;
  }
  // Half-written outputs of tasks killed mid-way (never published, so List does not show them).
  AILAKE_ASSIGN_OR_RETURN(size_t unpublished, store.DeleteUnpublished(doc_.staging_prefix));
  return removed + unpublished;
}

Result<TaskContext> MigrationJob::MakeTaskContext(EmbedPool* pool) {
  TaskContext ctx;
  AILAKE_ASSIGN_OR_RETURN(ctx.data_schema, table_.DataSchema());
  ctx.table = &table_;
  ctx.job = &doc_;
  ctx.pool = pool;
  ctx.cancel = &stop_;
  ctx.unrecorded = unrecorded_;
  return ctx;
}

}  // namespace ailake::migrate
