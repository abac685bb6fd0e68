// Running a pass's pending migration tasks, several files at once (MigrationJob::Run), and
// recording a finished task (Run and RunTask).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "migrate/rewrite_file.h"
#include "migrate/run_progress.h"

namespace ailake::migrate {

// Publishes the task's record (put-if-absent) and drops its checkpoint (the record holds the task
// now). Returns false when another process recorded the task first; this run's output is then
// deleted and the other record stands.
Result<bool> RecordTask(Store& store, const std::string& table_key, const MigrationJobDoc& job, const TaskRecord& rec);

struct TaskRunsEnv {
  table::Table* table = nullptr;  // for reading sources and committing; its mutable state is never read
  // Copied on the driving thread: a commit on another thread may refresh the shared Table.
  std::string table_key;
  catalog::TableIdent ident;
  const MigrationJobDoc* job = nullptr;
  const TaskContext* ctx = nullptr;
  RunProgress* progress = nullptr;
  std::string phase;                  // "rewrite" or "catch-up"
  std::atomic<bool>* stop = nullptr;  // set to stop; also set here when the user stopped the job
  std::function<bool()> stopped_by_user;  // 'migrate abort --finish-later' from any process
};

// Runs a task per pending source on up to file_parallelism threads. Each reads the source's deletes
// as of its own start (rows deleted since the pass are never embedded), skips a source replaced
// meanwhile, records its task and, under AtomicReplace, commits it at once. The first error stops
// the tasks not started yet and is returned.
Status RunPendingTasks(const TaskRunsEnv& env, const std::vector<std::string>& pending);

}  // namespace ailake::migrate
