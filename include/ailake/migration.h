// Migration: re-embed every row of a live table with a new model (possibly another dimension,
// metric or precision) and swap the files atomically. Plan -> tasks -> commit (docs/MIGRATION.md):
// the job is persisted in the table, so Status/Resume/Abort work from any process, and RunTask lets
// other processes or machines run its tasks.
//
//   ailake::MigrationOptions o;
//   o.embedder = &my_embedder;             // or o.embedder_spec = "http:http://127.0.0.1:8080,model=e5@2"
//   o.new_model = "e5@2";
//   auto job = ailake::Migration::Plan(*table, o);
//   (*job)->SetProgress([](const ailake::MigrationProgress& p) { ... });
//   auto done = (*job)->Run();             // catches up concurrent appends, then cuts over
//
// Thread safety: one thread drives a Migration; Stop() may be called from any thread (or a signal
// handler's thread). The Table it was made from must outlive it.
#pragma once

#include "ailake/export.h"
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/embedder.h"
#include "ailake/status.h"
#include "ailake/table.h"
#include "ailake/types.h"

namespace ailake {

enum class MigrationStrategy { kAtomicReplace, kDualWriteThenCutover };
AILAKE_EXPORT std::string_view MigrationStrategyName(MigrationStrategy s);  // "atomic-replace" | "dual-write-then-cutover"
AILAKE_EXPORT Result<MigrationStrategy> ParseMigrationStrategy(std::string_view s);

enum class NullTextPolicy { kSkip, kEmpty, kFail };  // "skip" | "empty" | "fail"
AILAKE_EXPORT std::string_view NullTextPolicyName(NullTextPolicy p);
AILAKE_EXPORT Result<NullTextPolicy> ParseNullTextPolicy(std::string_view s);

struct MigrationOptions {
  // The new model's embedder: a user object (not persisted; a resume must supply one again) or a
  // built-in spec (persisted with secrets removed). Exactly one.
  Embedder* embedder = nullptr;
  std::string embedder_spec;
  std::string new_model;                      // "NAME[@VERSION]", required
  uint32_t new_dim = 0;                       // 0 = the embedder's
  std::optional<VectorMetric> new_metric;     // default: the old column's
  std::optional<VectorPrecision> new_precision;
  std::string old_column;                     // default: the table's vector column
  std::string new_column;                     // default: the old column's name (in-place upgrade)
  std::string text_column;                    // default: the table's text column
  MigrationStrategy strategy = MigrationStrategy::kAtomicReplace;
  bool keep_old_column = false;               // new files carry the old vectors too
  size_t batch_size = 256;                    // texts per Embed() call
  size_t concurrency = 4;                     // Embed() calls in flight
  size_t file_parallelism = 2;                // source files rewritten at once
  NullTextPolicy null_text = NullTextPolicy::kSkip;
  int embed_timeout_ms = 60000;               // built-in embedders only
  int embed_retries = 5;
  uint32_t build_threads = 0;                 // index build threads per file (0 = cores)
};

enum class MigrationState { kRunning, kStopped, kFinished, kAborted };
AILAKE_EXPORT std::string_view MigrationStateName(MigrationState s);  // "running", "stopped", "finished", "aborted"

// The persisted description of a job.
struct MigrationInfo {
  std::string job_id;
  std::string table;
  MigrationState state = MigrationState::kRunning;
  int64_t created_ms = 0;
  int64_t finished_ms = 0;
  int64_t base_snapshot_id = 0;
  std::string strategy;
  std::string embedder;                       // the redacted spec ("" for a user embedder)
  // A Load()ed job needs UseEmbedder/UseEmbedderSpec before Run/RunTask: true unless the job embeds
  // with a hash: spec (rebuilt from the record; a program, URL or user object never is).
  bool needs_embedder = true;
  EmbeddingModelInfo old_model;
  EmbeddingModelInfo new_model;               // incl. dim and metric
  std::string old_column, new_column, text_column;
  std::string new_precision;
  bool keep_old_column = false;
  bool rolled_back = false;
};

struct MigrationProgress {
  std::string phase;        // "rewrite", "commit", "catch-up", "cutover", "done"
  size_t files_done = 0;
  size_t files_total = 0;
  int64_t rows_done = 0;
  int64_t rows_total = 0;
  double rows_per_s = 0;
  double eta_s = -1;        // -1 = unknown
  int64_t bytes_written = 0;
};

struct MigrationTask {
  std::string task_id;
  std::string source;
  std::string state;        // "pending", "finished", "committed"
  int64_t rows = 0;
  std::string output;
};

// The job's embedding calls, from any process: each finished task's record carries its run's calls,
// and the calls of tasks that ended without a record (a failed or stopped run) are added to the job
// when that run saves its state. Latency is per Embed() call (one batch), from a 16-bucket histogram
// (p95 interpolated within its bucket, never above max_ms).
struct MigrationEmbedderStats {
  int64_t calls = 0;           // Embed() calls, failed ones included
  int64_t texts = 0;           // texts sent in them
  int64_t failed_calls = 0;    // calls that returned an error or invalid vectors
  int64_t retries = 0;         // requests repeated inside calls (http: 429, 5xx, connection errors, timeouts)
  int64_t errors = 0;          // failed_calls + retries
  double mean_ms = 0, p95_ms = 0, max_ms = 0;
  std::string last_error;      // redacted (no credentials, no URL query values); "" = none
  int64_t last_error_ms = 0;   // when (wall clock ms), 0 = none
};

struct MigrationStatus {
  MigrationInfo job;
  bool running = false;
  int64_t current_snapshot_id = 0;
  std::vector<MigrationTask> tasks;
  size_t pending = 0, finished = 0, committed = 0;
  int64_t rows_total = 0, rows_done = 0, rows_committed = 0;
  MigrationEmbedderStats embedder;
};

struct MigrationRunResult {
  int64_t snapshot_id = 0;
  size_t tasks_run = 0;
  size_t tasks_committed = 0;
  size_t catch_up_passes = 0;
  int64_t rows = 0;
  int64_t texts_embedded = 0;
  int64_t bytes_written = 0;
  size_t staged_removed = 0;
  double seconds = 0;
  bool cut_over = false;                 // false only for Commit() with tasks still missing
  std::vector<std::string> remaining;    // Commit() without cutover: tasks that still need a run
};

struct MigrationTaskResult {
  std::string task_id;
  std::string source;
  std::string output;
  int64_t rows = 0;
  int64_t texts_embedded = 0;
  bool already_done = false;             // another process had finished it
};

struct MigrationDryRun {
  std::string strategy;
  size_t files = 0;
  int64_t rows = 0;
  int64_t null_texts = 0;
  int64_t chars = 0;
  int64_t est_tokens = 0;
  double measured_rows_per_s = 0;
  double est_seconds = 0;
  int64_t source_bytes = 0;
  int64_t est_new_bytes = 0;
  int64_t peak_extra_bytes = 0;
  int64_t peak_staged_bytes = 0;
  uint32_t new_dim = 0;
  std::string new_model;
};

class AILAKE_EXPORT Migration {
 public:
  ~Migration();
  Migration(const Migration&) = delete;
  Migration& operator=(const Migration&) = delete;

  // What Plan + Run would do, without writing anything (embeds a small sample to measure the rate).
  static Result<MigrationDryRun> DryRun(Table& table, const MigrationOptions& options);
  // Validates the options and persists a new job planned on the current snapshot; kAlreadyExists
  // when a job is already running on the table.
  static Result<std::unique_ptr<Migration>> Plan(Table& table, const MigrationOptions& options);
  // The table's running job (kNotFound when none). Give it an embedder (UseEmbedder /
  // UseEmbedderSpec) before Run/RunTask unless it was planned with a hash: spec.
  static Result<std::unique_ptr<Migration>> Load(Table& table);
  // The running job, else the most recent one (for status only).
  static Result<std::unique_ptr<Migration>> LoadLatest(Table& table);
  // Every job of the table, oldest first.
  static Result<std::vector<MigrationInfo>> List(Table& table);

  const MigrationInfo& info() const;
  void SetProgress(std::function<void(const MigrationProgress&)> fn);
  // A user embedder for a loaded job: its model must be the job's new model.
  Status UseEmbedder(Embedder* embedder);
  // The spec given at plan time for a loaded job (it must redact to the persisted spec: a program
  // or URL is never taken from the table's files).
  Status UseEmbedderSpec(const std::string& spec);

  Result<MigrationStatus> GetStatus();
  // Runs every unfinished task, commits per the strategy, catches up and cuts over.
  Result<MigrationRunResult> Run();
  // One task (by id or source location), recorded, not committed (distributed runs).
  Result<MigrationTaskResult> RunTask(const std::string& task);
  // Commits every finished task; when none is missing, also cuts over. Embeds nothing.
  Result<MigrationRunResult> Commit();
  // Stops the job and deletes uncommitted staged files (committed AtomicReplace work stays).
  Status Abort();
  // Abort that first puts the table back at the job's base snapshot (refused when another writer
  // committed since).
  Status AbortWithRollback();
  // Marks the job stopped without undoing anything; Resume (Load + Run) finishes it later.
  Status StopForLater();
  // Asks a running Run/RunTask to stop after its current batches.
  void Stop();

  struct Impl;

 private:
  explicit Migration(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ailake
