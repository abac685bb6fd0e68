#include "migrate/task_runs.h"

#include <algorithm>

#include "core/thread_pool.h"
#include "migrate/batch_checkpoint.h"
#include "migrate/job_commit.h"
#include "migrate/job_store.h"
#include "migrate/table_view.h"

namespace ailake::migrate {

Result<bool> RecordTask(Store& store, const std::string& table_key, const MigrationJobDoc& job, const TaskRecord& rec) {
  AILAKE_ASSIGN_OR_RETURN(bool won, PublishTaskRecord(store, table_key, job.job_id, rec));
  (void)DeleteCheckpoint(store, job.staging_prefix, rec.task_id);  // the record holds the task now
  if (!won) (void)store.Delete(rec.output_key);  // another process finished this task first
  return won;
}

namespace {

// `commit_mu` serialises this run's task commits: CommitTasks refreshes the shared Table object
// (and the catalog serialises commits anyway). Tasks never read the Table's mutable state.
Status RunOneTask(const TaskRunsEnv& env, const std::string& source, std::mutex* commit_mu) {
  table::Table& table = *env.table;
  const MigrationJobDoc& job = *env.job;
  Store& store = table.catalog().store();
  // The deletes as of now, not as of the pass: rows deleted since are never embedded.
  AILAKE_ASSIGN_OR_RETURN(TableView now, ReadLatestView(table.catalog(), env.ident));
  if (!now.IsLive(source)) return Status::OK();  // replaced meanwhile (another runner)
  AILAKE_ASSIGN_OR_RETURN(TaskSource src, now.SourceOf(table, source));
  AILAKE_ASSIGN_OR_RETURN(TaskRecord rec, RewriteFile(*env.ctx, src));
  AILAKE_ASSIGN_OR_RETURN(bool won, RecordTask(store, env.table_key, job, rec));
  if (!won) {
    if (env.ctx->unrecorded) env.ctx->unrecorded->Merge(rec.embed);  // another process finished it first
    return Status::OK();
  }
  env.progress->TaskRecorded(rec.texts_embedded);
  if (job.options.strategy == Strategy::kAtomicReplace) {
    std::lock_guard<std::mutex> commit_lock(*commit_mu);
    AILAKE_ASSIGN_OR_RETURN(CommitOutcome c, CommitTasks(table, job, {&rec}, false));
    env.progress->TasksCommitted(c.committed);
  }
  env.progress->Report(env.phase, true);
  return Status::OK();
}

}  // namespace

Status RunPendingTasks(const TaskRunsEnv& env, const std::vector<std::string>& pending) {
  std::mutex commit_mu;
  std::vector<Status> errors(pending.size());
  std::atomic<bool> failed{false};
  ThreadPool files_pool(std::min(env.job->options.file_parallelism, pending.size()));
  for (size_t i = 0; i < pending.size(); ++i) {
    files_pool.Submit([&, i] {
      if (failed || *env.stop) return;
      if (env.stopped_by_user()) {
        *env.stop = true;
        return;
      }
      errors[i] = RunOneTask(env, pending[i], &commit_mu);
      if (!errors[i].ok()) failed = true;
    });
  }
  files_pool.Wait();
  for (const auto& st : errors) {
    if (!st.ok()) return st;
  }
  return Status::OK();
}

}  // namespace ailake::migrate
