// MigrationJob's last steps: the cutover commit and closing the finished job.
#include <set>

#include "migrate/job_commit.h"
#include "migrate/migration_job.h"
#include "migrate/run_progress.h"
#include "migrate/table_view.h"

namespace ailake::migrate {

Result<bool> MigrationJob::CutOver(const TableView& view, const std::map<std::string, TaskRecord>& records,
                                   const std::vector<const TaskRecord*>& uncommitted, RunProgress* progress) {
  // Commits every finished task not yet live. First delete what killed runs left in staging
  // (half-written outputs, outputs published without a record), so that a crash right after the
  // cutover commit leaves (almost) nothing behind. No task of this job is writing now; a straggling
  // run-task elsewhere would only lose its unrecorded output.
  progress->Report("cutover", true);
  RunResult& result = progress->result();
  {
    std::set<std::string> recorded;
    for (const auto& [source, r] : records) recorded.insert(r.output_key);
    auto removed = DeleteStaged(view, recorded);
    if (removed.ok()) result.staged_removed += *removed;
  }
  AILAKE_ASSIGN_OR_RETURN(CommitOutcome c, CommitTasks(table_, doc_, uncommitted, true));
  if (c.needs_catch_up) return false;
  result.tasks_committed += c.committed;
  result.snapshot_id = c.snapshot_id;
  result.cut_over = true;
  return true;
}

Status MigrationJob::CloseFinishedJob(RunProgress* progress) {
  RunResult& result = progress->result();
  AILAKE_ASSIGN_OR_RETURN(TableView final_view, ReadTableView(table_));
  if (final_view.snapshot) result.snapshot_id = final_view.snapshot->snapshot_id;
  auto removed = DeleteStaged(final_view, {});
  if (removed.ok()) result.staged_removed += *removed;
  AILAKE_RETURN_IF_ERROR(SaveState(JobState::kFinished));
  result.seconds = progress->seconds();
  progress->Done();
  return Status::OK();
}

}  // namespace ailake::migrate
