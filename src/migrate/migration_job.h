// MigrationJob: re-embed every row of a live table with a new model and swap the files atomically
// (guide §5). Plan -> tasks -> commit:
//
//   Plan     snapshot S0, columns, models, strategy, policies; persisted in the table (job.json +
//            the ailake.migration property, migration_spec.h) so any process can continue it.
//   Tasks    one per live source file whose new column is not yet written by the new model
//            (rewrite_file.h). Idempotent; a finished task has a record and is never re-embedded.
//   Commit   AtomicReplace: each finished task is committed at once as a delta (remove the source,
//            add the output, carry deletes made since the task read the source), so the table stays
//            readable and the extra storage is bounded by the files in flight.
//            DualWriteThenCutover: nothing is committed until every task has finished.
//            Both: catch-up passes turn files appended after S0 into new tasks until none remain;
//            then one cutover commit adds the remaining outputs, removes their sources, switches
//            the table properties (vector column, dim, metric, precision, model) and the Iceberg
//            schema (a fresh field id for the new column), and clears ailake.migration. It
//            re-validates inside the commit that no old-model file appeared meanwhile (else it
//            catches up again) and that no row deleted meanwhile would come back.
//
// Old source files are left for `expire` (time travel keeps working); staged outputs that never got
// committed (a killed task, a lost race, an abort) are deleted when the job completes or aborts.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "embed/embedder.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"
#include "table/table.h"

namespace ailake::migrate {

struct TableView;    // table_view.h
class RunProgress;   // run_progress.h
struct TaskContext;  // rewrite_file.h
class EmbedPool;     // embed_pool.h

struct MigrationProgress {
  std::string phase;        // "rewrite", "commit", "catch-up", "cutover", "done"
  size_t files_done = 0;
  size_t files_total = 0;
  int64_t rows_done = 0;
  int64_t rows_total = 0;
  double rows_per_s = 0;    // this run's rate
  double eta_s = -1;        // -1 = unknown
  int64_t bytes_written = 0;
};
using ProgressFn = std::function<void(const MigrationProgress&)>;

enum class TaskState { kPending, kFinished, kCommitted };
std::string_view TaskStateName(TaskState s);

struct TaskStatus {
  std::string task_id;
  std::string source;
  TaskState state = TaskState::kPending;
  int64_t rows = 0;          // source rows
  std::string output;        // when finished
};

struct MigrationStatus {
  MigrationJobDoc job;
  bool running = false;           // the job is the table's job (state running or stopped)
  int64_t current_snapshot_id = 0;
  std::vector<TaskStatus> tasks;  // the files still to migrate plus every task with a record
  size_t pending = 0, finished = 0, committed = 0;
  int64_t rows_total = 0, rows_done = 0;
  // Committed work: live rows in files this job committed (AtomicReplace before its cutover; after
  // an abort, the rows the table's model cannot search unless the old column was kept).
  int64_t rows_committed = 0;
  // The job's embedding calls: every task record's plus the job document's unrecorded ones.
  EmbedCallStats embed;
};

struct RunResult {
  int64_t snapshot_id = 0;      // the table's snapshot after the cutover
  size_t tasks_run = 0;         // tasks this run executed (embedded)
  size_t tasks_committed = 0;
  size_t catch_up_passes = 0;   // passes after the first that found new files
  int64_t rows = 0;             // rows this run rewrote
  int64_t texts_embedded = 0;
  int64_t bytes_written = 0;
  size_t staged_removed = 0;    // uncommitted staged files deleted at the end
  double seconds = 0;
  bool cut_over = false;        // false only for Commit() with tasks still missing
  std::vector<std::string> remaining;  // Commit() without cutover: task ids that still need a run
};

struct DryRunReport {
  std::string strategy;
  size_t files = 0;
  int64_t rows = 0;             // live rows (deleted rows excluded)
  int64_t null_texts = 0;
  int64_t chars = 0;
  int64_t est_tokens = 0;       // chars / 4, the usual rule of thumb for English text
  double measured_rows_per_s = 0;  // the embedder's rate on a sample at the job's concurrency
  double est_seconds = 0;
  int64_t source_bytes = 0;
  int64_t est_new_bytes = 0;    // all rewritten files
  // Storage on top of the table: every new file until the old ones are expired (both strategies keep
  // old files for time travel); of it, staged = written but not yet committed at the worst moment
  // (AtomicReplace: the files in flight; DualWriteThenCutover: everything until the cutover).
  int64_t peak_extra_bytes = 0;
  int64_t peak_staged_bytes = 0;
  uint32_t new_dim = 0;
  std::string new_model;
};

class MigrationJob {
 public:
  ~MigrationJob();

  // Validates the options against the table, plans a new job on the current snapshot and persists
  // it. Fails with kAlreadyExists when a job is already running on the table. `embedder` (caller
  // owned, outliving the job) replaces the one options.embedder_spec would build; the spec may then
  // be empty (the public API's user embedders: nothing to persist, a resume supplies one again).
  static Result<std::unique_ptr<MigrationJob>> Plan(table::Table& table, MigrationOptions options,
                                                    embed::Embedder* embedder = nullptr);
  // The table's running job (kNotFound when none).
  static Result<std::unique_ptr<MigrationJob>> Load(table::Table& table);
  // The running job, else the most recently planned one (aborted or finished); kNotFound when the
  // table never had one. Only for status: a job that is not running refuses to run.
  static Result<std::unique_ptr<MigrationJob>> LoadLatest(table::Table& table);
  // Every job of the table, oldest first (job documents under metadata/migrations/).
  static Result<std::vector<MigrationJobDoc>> List(table::Table& table);
  // What Plan + Run would do, without writing anything. Embeds a small sample to measure the rate.
  // `embedder` as for Plan.
  static Result<DryRunReport> DryRun(table::Table& table, MigrationOptions options, embed::Embedder* embedder = nullptr);

  const MigrationJobDoc& doc() const { return doc_; }
  void set_progress(ProgressFn fn) { progress_ = std::move(fn); }
  // Use this embedder instead of building one from the job's spec (tests, benchmarks).
  void set_embedder(embed::Embedder* embedder) { external_embedder_ = embedder; }
  // The embedder spec the user gave for a loaded job (resume, run-task): it must redact to the
  // persisted spec (embedder_spec.h). Without one, only a hash: job can embed: a program or URL is
  // never taken from job.json.
  Status UseEmbedderSpec(const std::string& spec);
  // OK when this job can get an embedder: set_embedder, UseEmbedderSpec, a planned job, or a hash:
  // spec; else InvalidArgument asking for --embedder.
  Status CheckCanEmbed() const;
  // Asks a running Run/RunTask to stop after the current batches (safe from a signal-handling thread).
  void Stop() { stop_ = true; }

  Result<MigrationStatus> GetStatus();
  // Runs every unfinished task, commits per the strategy, catches up and cuts over. Resume = Load + Run.
  Result<RunResult> Run();
  // Runs one task (by task id or source location) and records it; commits nothing (distributed runs).
  Result<TaskRecord> RunTask(const std::string& task);
  // Commits every finished task; when no task is missing, also cuts over. Embeds nothing.
  Result<RunResult> Commit();
  // Stops the job: clears ailake.migration, deletes uncommitted staged outputs and checkpoints.
  // Tasks already committed by AtomicReplace stay (their files hold the new column; see
  // docs/MIGRATION.md); when none did, the new column leaves the schema again.
  Status Abort();
  // Abort that first puts the table back at the job's base snapshot (and schema) in one validated
  // commit: refused (kCommitConflict, naming the snapshots) when anything but this job committed
  // since the base snapshot, or when the base is no longer an ancestor of the current snapshot.
  Status AbortWithRollback();
  // Marks the job stopped without undoing anything: a run in progress stops after its current
  // file; 'resume' finishes the job later.
  Status StopForLater();

 private:
  MigrationJob(table::Table& table, MigrationJobDoc doc) : table_(table), doc_(std::move(doc)) {}
  struct Impl;
  table::Table& table_;
  MigrationJobDoc doc_;
  ProgressFn progress_;
  embed::Embedder* external_embedder_ = nullptr;
  std::unique_ptr<embed::Embedder> own_embedder_;
  std::atomic<bool> stop_{false};
  Result<embed::Embedder*> GetEmbedder();
  // Deletes staged objects that are neither live in `view` nor in `keep_keys`, and half-written
  // ones; returns how many.
  Result<size_t> DeleteStaged(const TableView& view, const std::set<std::string>& keep_keys);
  Result<TaskContext> MakeTaskContext(EmbedPool* pool);
  // The run loop shared by Run (run_tasks) and Commit (migration_drive.cc): passes until nothing
  // is pending, then the cutover.
  Result<RunResult> Drive(bool run_tasks);
  // Runs one pass's pending tasks (pass 0 rewrites, later passes catch up); the pool is created on
  // first use and kept for the next passes.
  Status RunPass(size_t pass, const std::vector<std::string>& pending, int64_t run_started_ms,
                 std::unique_ptr<EmbedPool>* pool, RunProgress* progress);
  // Nothing pending: clears staging of what killed runs left, then commits the cutover
  // (migration_cutover.cc). False when old-model files appeared meanwhile (catch up again).
  Result<bool> CutOver(const TableView& view, const std::map<std::string, TaskRecord>& records,
                       const std::vector<const TaskRecord*>& uncommitted, RunProgress* progress);
  // After the cutover: deletes staged outputs that never became live and closes job.json.
  Status CloseFinishedJob(RunProgress* progress);
  Result<RunResult> DriveAndRecord(bool run_tasks);
  // True when job.json says a later 'abort --finish-later' stopped the job (checked per file).
  bool StoppedByUser(int64_t run_started_ms);
  // Writes job.json with `state`, adding the embedder statistics of this process's tasks that got
  // no record since the last save.
  Status SaveState(JobState state);
  std::string user_spec_;
  std::shared_ptr<EmbedStatsSink> unrecorded_ = std::make_shared<EmbedStatsSink>();
};

}  // namespace ailake::migrate
