#include "migrate/migration_job.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "core/thread_pool.h"
#include "core/uuid.h"
#include "migrate/embed_pool.h"
#include "migrate/job_commit.h"
#include "migrate/job_plan.h"
#include "migrate/job_store.h"
#include "migrate/rewrite_file.h"
#include "migrate/table_view.h"
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

using Clock = std::chrono::steady_clock;

}  // namespace

Result<embed::Embedder*> MigrationJob::GetEmbedder() {
  if (external_embedder_) return external_embedder_;
  if (!own_embedder_) {
    AILAKE_ASSIGN_OR_RETURN(own_embedder_, BuildEmbedder(doc_.options));
    AILAKE_ASSIGN_OR_RETURN(uint32_t dim, own_embedder_->Dimension());
    if (dim != doc_.options.new_model.dim) {
      return Status::InvalidArgument("embedder '" + doc_.options.embedder_spec + "' returns dim " + std::to_string(dim) +
                                     " but job " + doc_.job_id + " was planned for dim " +
                                     std::to_string(doc_.options.new_model.dim));
    }
  }
  return own_embedder_.get();
}

Result<std::unique_ptr<MigrationJob>> MigrationJob::Plan(table::Table& table, MigrationOptions options) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  auto running = table.metadata().properties.find(kPropMigration);
  if (running != table.metadata().properties.end()) {
    return Status::AlreadyExists("migration job " + running->second + " is already running on table " +
                                 table.ident().ToString() + ": see 'ailake migrate status', 'resume' or 'abort'");
  }
  AILAKE_ASSIGN_OR_RETURN(auto embedder, BuildEmbedder(options));
  AILAKE_ASSIGN_OR_RETURN(MigrationJobDoc doc, ResolveJob(table, std::move(options), *embedder));
  Store& store = table.catalog().store();
  AILAKE_RETURN_IF_ERROR(SaveJobDoc(store, table.table_key(), doc));
  // Publish the job: a property-only commit that requires no other job to be running.
  iceberg::TableChange change;
  change.set_properties[kPropMigration] = doc.job_id;
  change.expected_schema_id = doc.base_schema_id;
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
  auto job = std::unique_ptr<MigrationJob>(new MigrationJob(table, std::move(doc)));
  job->own_embedder_ = std::move(embedder);
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

Result<MigrationStatus> MigrationJob::GetStatus() {
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
  AILAKE_ASSIGN_OR_RETURN(auto records, LoadTaskRecords(table_.catalog().store(), table_.table_key(), doc_.job_id));
  MigrationStatus st;
  st.job = doc_;
  std::set<std::string> seen;
  for (const auto& [source, r] : records) {
    TaskStatus t;
    t.task_id = r.task_id;
    t.source = source;
    t.rows = r.source_rows;
    t.output = r.output;
    if (view.IsLive(r.output)) {
      t.state = TaskState::kCommitted;
    } else if (view.IsLive(source)) {
      t.state = TaskState::kFinished;
    } else {
      continue;  // stale: its source was replaced by something else
    }
    seen.insert(source);
    seen.insert(r.output);
    st.tasks.push_back(t);
  }
  for (const auto& e : view.files.data_files) {
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

// The run loop shared by Run (run_tasks = true) and Commit (false).
Result<RunResult> MigrationJob::Drive(bool run_tasks) {
  const auto start = Clock::now();
  const MigrationOptions& o = doc_.options;
  Store& store = table_.catalog().store();
  RunResult result;
  std::mutex mu;  // guards result, progress and the callback
  std::mutex commit_mu;
  MigrationProgress prog;
  auto last_report = Clock::now() - std::chrono::seconds(10);
  auto report = [&](const std::string& phase, bool force) {
    if (!progress_) return;
    const auto now = Clock::now();
    if (!force && now - last_report < std::chrono::milliseconds(100)) return;
    last_report = now;
    prog.phase = phase;
    const double secs = std::chrono::duration<double>(now - start).count();
    prog.rows_per_s = secs > 0 ? static_cast<double>(result.rows) / secs : 0;
    const int64_t left = prog.rows_total - prog.rows_done;
    prog.eta_s = prog.rows_per_s > 0 ? static_cast<double>(left) / prog.rows_per_s : -1;
    prog.bytes_written = result.bytes_written;
    progress_(prog);
  };

  std::unique_ptr<EmbedPool> pool;
  for (size_t pass = 0;; ++pass) {
    if (stop_) return Status::Aborted("the migration was stopped; run 'ailake migrate resume' to continue");
    AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
    {
      auto it = table_.metadata().properties.find(kPropMigration);
      if (it == table_.metadata().properties.end() || it->second != doc_.job_id) {
        return Status::Aborted("migration job " + doc_.job_id + " is no longer running on table " + doc_.table);
      }
    }
    AILAKE_ASSIGN_OR_RETURN(auto records, LoadTaskRecords(store, table_.table_key(), doc_.job_id));
    std::vector<const TaskRecord*> uncommitted;
    std::vector<std::string> pending;
    size_t done_files = 0;
    int64_t done_rows = 0, total_rows = 0;
    for (const auto& e : view.files.data_files) {
      const std::string& p = e.file.file_path;
      auto r = records.find(p);
      if (r != records.end()) {
        uncommitted.push_back(&r->second);
        ++done_files;
        done_rows += e.file.record_count;
      } else if (!view.HasNewModel(doc_, p)) {
        pending.push_back(p);
      } else {
        ++done_files;
        done_rows += e.file.record_count;
      }
      total_rows += e.file.record_count;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      prog.files_total = done_files + pending.size();
      prog.files_done = done_files;
      prog.rows_total = total_rows;
      prog.rows_done = done_rows;
    }
    if (pass > 0 && !pending.empty()) ++result.catch_up_passes;

    // Commit what is finished but not live yet (AtomicReplace: tasks a killed run left behind).
    if (o.strategy == Strategy::kAtomicReplace && !uncommitted.empty() && !pending.empty()) {
      report("commit", true);
      AILAKE_ASSIGN_OR_RETURN(CommitOutcome c, CommitTasks(table_, doc_, uncommitted, false));
      result.tasks_committed += c.committed;
    }
    if (!pending.empty()) {
      if (!run_tasks) {
        result.cut_over = false;
        return Status::InvalidArgument(std::to_string(pending.size()) + " file(s) of table " + doc_.table +
                                       " still need a task (e.g. task " + TaskId(pending.front()) + " for " +
                                       pending.front() + "): run 'ailake migrate run-task' for each, or "
                                       "'ailake migrate resume'");
      }
      AILAKE_ASSIGN_OR_RETURN(embed::Embedder * embedder, GetEmbedder());
      if (!pool) pool = std::make_unique<EmbedPool>(*embedder, o.concurrency);
      AILAKE_ASSIGN_OR_RETURN(TaskContext ctx, MakeTaskContext(pool.get()));
      const std::string phase = pass == 0 ? "rewrite" : "catch-up";
      ctx.progress = [&](int64_t rows, int64_t bytes) {
        std::lock_guard<std::mutex> lock(mu);
        prog.rows_done += rows;
        result.rows += rows;
        result.bytes_written += bytes;
        report(phase, false);
      };
      report(phase, true);
      // Worker threads never read the shared Table's state (a commit on another thread refreshes it).
      const std::string table_key = table_.table_key();
      const catalog::TableIdent ident = table_.ident();
      catalog::Catalog& catalog = table_.catalog();
      std::vector<Status> errors(pending.size());
      std::atomic<bool> failed{false};
      ThreadPool files_pool(std::min(o.file_parallelism, pending.size()));
      for (size_t i = 0; i < pending.size(); ++i) {
        files_pool.Submit([&, i] {
          if (failed || stop_) return;
          auto run_one = [&]() -> Status {
            // The deletes as of now, not as of the pass: rows deleted since are never embedded.
            AILAKE_ASSIGN_OR_RETURN(TableView now, ReadLatestView(catalog, ident));
            if (!now.IsLive(pending[i])) return Status::OK();  // replaced meanwhile (another runner)
            AILAKE_ASSIGN_OR_RETURN(TaskSource src, now.SourceOf(table_, pending[i]));
            AILAKE_ASSIGN_OR_RETURN(TaskRecord rec, RewriteFile(ctx, src));
            AILAKE_ASSIGN_OR_RETURN(bool won, PublishTaskRecord(store, table_key, doc_.job_id, rec));
            if (!won) {
              (void)store.Delete(rec.output_key);  // another process finished this task first
              return Status::OK();
            }
            {
              std::lock_guard<std::mutex> lock(mu);
              ++result.tasks_run;
              result.texts_embedded += rec.texts_embedded;
              ++prog.files_done;
            }
            if (o.strategy == Strategy::kAtomicReplace) {
              // One commit at a time: CommitTasks refreshes the shared Table object (and the
              // catalog serialises commits anyway). Tasks never read the Table's mutable state.
              std::lock_guard<std::mutex> commit_lock(commit_mu);
              AILAKE_ASSIGN_OR_RETURN(CommitOutcome c, CommitTasks(table_, doc_, {&rec}, false));
              std::lock_guard<std::mutex> lock(mu);
              result.tasks_committed += c.committed;
            }
            std::lock_guard<std::mutex> lock(mu);
            report(phase, true);
            return Status::OK();
          };
          errors[i] = run_one();
          if (!errors[i].ok()) failed = true;
        });
      }
      files_pool.Wait();
      for (const auto& st : errors) {
        if (!st.ok()) return st;
      }
      if (stop_) return Status::Aborted("the migration was stopped; run 'ailake migrate resume' to continue");
      continue;  // catch up: look again for files appended meanwhile
    }

    // Nothing pending: cut over (commits every finished task not yet live). First delete what
    // killed runs left in staging (half-written outputs, outputs published without a record), so
    // that a crash right after the cutover commit leaves (almost) nothing behind. No task of this
    // job is writing now; a straggling run-task elsewhere would only lose its unrecorded output.
    report("cutover", true);
    {
      std::set<std::string> recorded;
      for (const auto& [source, r] : records) recorded.insert(r.output_key);
      auto removed = DeleteStaged(view, recorded);
      if (removed.ok()) result.staged_removed += *removed;
    }
    AILAKE_ASSIGN_OR_RETURN(CommitOutcome c, CommitTasks(table_, doc_, uncommitted, true));
    if (c.needs_catch_up) continue;
    result.tasks_committed += c.committed;
    result.snapshot_id = c.snapshot_id;
    result.cut_over = true;
    break;
  }

  // Done: delete staged outputs that never became live, and close the job document.
  AILAKE_ASSIGN_OR_RETURN(TableView final_view, ReadTableView(table_));
  if (final_view.snapshot) result.snapshot_id = final_view.snapshot->snapshot_id;
  auto removed = DeleteStaged(final_view, {});
  if (removed.ok()) result.staged_removed += *removed;
  doc_.state = JobState::kCommitted;
  doc_.finished_ms = table::NowMs();
  AILAKE_RETURN_IF_ERROR(SaveJobDoc(store, table_.table_key(), doc_));
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  {
    std::lock_guard<std::mutex> lock(mu);
    prog.files_done = prog.files_total;
    prog.rows_done = prog.rows_total;
    report("done", true);
  }
  return result;
}

Result<RunResult> MigrationJob::Run() { return Drive(true); }
Result<RunResult> MigrationJob::Commit() { return Drive(false); }

Result<TaskRecord> MigrationJob::RunTask(const std::string& task) {
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
  std::string source;
  for (const auto& e : view.files.data_files) {
    if (e.file.file_path == task || TaskId(e.file.file_path) == task) source = e.file.file_path;
  }
  if (source.empty()) return Status::NotFound("no live data file of table " + doc_.table + " matches task '" + task + "'");
  Store& store = table_.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(auto records, LoadTaskRecords(store, table_.table_key(), doc_.job_id));
  auto have = records.find(source);
  if (have != records.end()) return have->second;  // finished already: never embed twice
  if (view.HasNewModel(doc_, source)) {
    return Status::InvalidArgument("data file " + source + " already holds the new model; nothing to do");
  }
  AILAKE_ASSIGN_OR_RETURN(embed::Embedder * embedder, GetEmbedder());
  EmbedPool pool(*embedder, doc_.options.concurrency);
  AILAKE_ASSIGN_OR_RETURN(TaskContext ctx, MakeTaskContext(&pool));
  AILAKE_ASSIGN_OR_RETURN(TaskSource src, view.SourceOf(table_, source));
  AILAKE_ASSIGN_OR_RETURN(TaskRecord rec, RewriteFile(ctx, src));
  AILAKE_ASSIGN_OR_RETURN(bool won, PublishTaskRecord(store, table_.table_key(), doc_.job_id, rec));
  if (!won) {
    (void)store.Delete(rec.output_key);
    AILAKE_ASSIGN_OR_RETURN(records, LoadTaskRecords(store, table_.table_key(), doc_.job_id));
    auto r = records.find(source);
    if (r == records.end()) return Status::Internal("task record vanished");
    return r->second;
  }
  return rec;
}

Status MigrationJob::Abort() {
  Store& store = table_.catalog().store();
  doc_.state = JobState::kAborted;
  doc_.finished_ms = table::NowMs();
  AILAKE_RETURN_IF_ERROR(SaveJobDoc(store, table_.table_key(), doc_));
  iceberg::TableChange change;
  change.remove_properties = {kPropMigration};
  const std::string id = doc_.job_id;
  change.validate = [&](const iceberg::TableMetadata& latest, const iceberg::SnapshotFiles&) -> Status {
    auto it = latest.properties.find(kPropMigration);
    if (it == latest.properties.end() || it->second != id) {
      return Status::NotFound("migration job " + id + " is not running any more");
    }
    return Status::OK();
  };
  AILAKE_RETURN_IF_ERROR(table::CommitChange(table_.catalog(), table_.ident(), change).status());
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
  return DeleteStaged(view, {}).status();
}

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
  return ctx;
}

}  // namespace ailake::migrate
