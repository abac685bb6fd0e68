// MigrationJob::Drive: the passes of a run. Each pass reads the table, commits tasks a killed run
// left finished but uncommitted (AtomicReplace), and runs a task per pending file; a pass that
// finds nothing pending cuts over. Files appended while a pass ran are found by the next one (the
// catch-up), so the loop ends only when a cutover commit saw no old-model file.
#include <memory>

#include "embed/embedder.h"
#include "migrate/embed_pool.h"
#include "migrate/job_commit.h"
#include "migrate/job_store.h"
#include "migrate/migration_job.h"
#include "migrate/migration_pass.h"
#include "migrate/run_progress.h"
#include "migrate/table_view.h"
#include "migrate/task_runs.h"
#include "table/commit.h"

namespace ailake::migrate {

namespace {

Status StoppedError() { return Status::Aborted("the migration was stopped; run 'ailake migrate resume' to continue"); }

// Commit embeds nothing: what is finished is committed, the rest is reported as remaining.
RunResult Remaining(const TableView& view, const std::vector<std::string>& pending, RunProgress* progress) {
  RunResult& result = progress->result();
  result.cut_over = false;
  if (view.snapshot) result.snapshot_id = view.snapshot->snapshot_id;
  for (const auto& p : pending) result.remaining.push_back(TaskId(p));
  result.seconds = progress->seconds();
  return result;
}

}  // namespace

Result<RunResult> MigrationJob::Drive(bool run_tasks) {
  const int64_t started_ms = table::NowMs();
  if (run_tasks && doc_.state != JobState::kRunning) AILAKE_RETURN_IF_ERROR(SaveState(JobState::kRunning));
  Store& store = table_.catalog().store();
  RunProgress progress(progress_);
  std::unique_ptr<EmbedPool> pool;
  for (size_t pass = 0;; ++pass) {
    if (stop_) return StoppedError();
    AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table_));
    {
      auto it = table_.metadata().properties.find(kPropMigration);
      if (it == table_.metadata().properties.end() || it->second != doc_.job_id) {
        return Status::Aborted("migration job " + doc_.job_id + " is no longer running on table " + doc_.table);
      }
    }
    AILAKE_ASSIGN_OR_RETURN(auto records, LoadTaskRecords(store, table_.table_key(), doc_.job_id));
    const PassFiles files = ClassifyPassFiles(view, doc_, records);
    progress.StartPass(files.done_files + files.pending.size(), files.done_files, files.total_rows, files.done_rows);
    if (pass > 0 && !files.pending.empty()) ++progress.result().catch_up_passes;

    // Commit what is finished but not live yet (AtomicReplace: tasks a killed run left behind).
    if (doc_.options.strategy == Strategy::kAtomicReplace && !files.uncommitted.empty() && !files.pending.empty()) {
      progress.Report("commit", true);
      AILAKE_ASSIGN_OR_RETURN(CommitOutcome c, CommitTasks(table_, doc_, files.uncommitted, false));
      progress.TasksCommitted(c.committed);
    }
    if (!files.pending.empty()) {
      if (!run_tasks) return Remaining(view, files.pending, &progress);
      AILAKE_RETURN_IF_ERROR(RunPass(pass, files.pending, started_ms, &pool, &progress));
      if (stop_) return StoppedError();
      continue;  // catch up: look again for files appended meanwhile
    }
    AILAKE_ASSIGN_OR_RETURN(bool cut_over, CutOver(view, records, files.uncommitted, &progress));
    if (cut_over) break;
  }
  AILAKE_RETURN_IF_ERROR(CloseFinishedJob(&progress));
  return progress.result();
}

Status MigrationJob::RunPass(size_t pass, const std::vector<std::string>& pending, int64_t run_started_ms,
                             std::unique_ptr<EmbedPool>* pool, RunProgress* progress) {
  AILAKE_ASSIGN_OR_RETURN(embed::Embedder * embedder, GetEmbedder());
  if (!*pool) *pool = std::make_unique<EmbedPool>(*embedder, doc_.options.concurrency);
  AILAKE_ASSIGN_OR_RETURN(TaskContext ctx, MakeTaskContext(pool->get()));
  const std::string phase = pass == 0 ? "rewrite" : "catch-up";
  ctx.progress = [progress, &phase](int64_t rows, int64_t bytes) { progress->AddRows(phase, rows, bytes); };
  progress->Report(phase, true);
  TaskRunsEnv env;
  env.table = &table_;
  env.table_key = table_.table_key();
  env.ident = table_.ident();
  env.job = &doc_;
  env.ctx = &ctx;
  env.progress = progress;
  env.phase = phase;
  env.stop = &stop_;
  env.stopped_by_user = [this, run_started_ms] { return StoppedByUser(run_started_ms); };
  return RunPendingTasks(env, pending);
}

}  // namespace ailake::migrate
