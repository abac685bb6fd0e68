// What a migration job is: the configuration a user gives (MigrationOptions) and the job document
// persisted in the table (MigrationJobDoc), from which any process can resume, run tasks, commit,
// report status or abort.
//
// Persisted state of job J of table T (keys relative to the warehouse root; guide §5):
//   T/metadata/migrations/J/job.json          the MigrationJobDoc below (JSON)
//   T/metadata/migrations/J/tasks/<task>.json one TaskRecord per finished task (task_record.h),
//                                             created with put-if-absent: first finisher wins; it
//                                             carries the task's embedder statistics (embed_stats.h)
//   T/data/migrate-J/<uuid>.parquet           staged output files (unique names)
//   table property ailake.migration = J       while the job runs (set by the plan commit; removed by
//                                             the cutover commit or by abort)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "ailake/status.h"
#include "ailake/types.h"
#include "migrate/embed_stats.h"

namespace ailake::migrate {

inline constexpr const char* kPropMigration = "ailake.migration";

enum class Strategy { kAtomicReplace, kDualWriteThenCutover };
std::string_view StrategyName(Strategy s);  // "atomic-replace" | "dual-write-then-cutover"
Result<Strategy> ParseStrategy(std::string_view s);

// What happens to a row whose text is null: `skip` keeps the row with a null vector (never
// embedded as ""), `empty` embeds the empty string, `fail` stops the task with an error.
enum class NullTextPolicy { kSkip, kEmpty, kFail };
std::string_view NullTextPolicyName(NullTextPolicy p);
Result<NullTextPolicy> ParseNullTextPolicy(std::string_view s);

struct MigrationOptions {
  std::string embedder_spec;          // embed/embedder.h: hash:..., command:..., http:...; in a
                                      // loaded job document: the redacted spec (embedder_spec.h)
  EmbeddingModelInfo new_model;       // name (required), version; dim 0 = the embedder's
  std::optional<VectorMetric> new_metric;        // default: the old column's metric
  std::optional<VectorPrecision> new_precision;  // default: the old column's precision
  std::string old_column;             // default: the table's vector column
  std::string new_column;             // default: the old column's name (in-place upgrade)
  std::string text_column;            // default: the table's text column
  Strategy strategy = Strategy::kAtomicReplace;
  bool keep_old_column = false;       // new files carry the old vectors too (dual vector columns)
  size_t batch_size = 256;            // texts per embedding call
  size_t concurrency = 4;             // embedding calls in flight
  size_t file_parallelism = 2;        // source files rewritten at once
  NullTextPolicy null_text = NullTextPolicy::kSkip;
  int embed_timeout_ms = 60000;
  int embed_retries = 5;
  uint32_t build_threads = 0;         // index build threads per file (0 = cores)
};

// running: the job is the table's job (ailake.migration names it) and no run stopped it cleanly; a
//   SIGKILLed run leaves this state too ('migrate resume' continues).
// stopped: the job is still the table's job, but its last run stopped (Ctrl-C, an error, or
//   'migrate abort --finish-later'); 'migrate resume' continues it.
// aborted: 'migrate abort' ended it (with --rollback the table went back to base_snapshot_id).
// finished: the cutover committed (persisted as "finished"; "committed" is read as finished too).
enum class JobState { kRunning, kStopped, kFinished, kAborted };
std::string_view JobStateName(JobState s);

// The persisted job (job.json). Everything a task needs is here, so a task can run in another
// process from the table name and the job id alone.
struct MigrationJobDoc {
  std::string job_id;
  std::string table;                  // "ns.table"
  JobState state = JobState::kRunning;
  int64_t created_ms = 0;
  int64_t finished_ms = 0;
  int64_t base_snapshot_id = 0;       // S0: the snapshot the plan saw (0 = empty table)
  int base_schema_id = 0;             // the schema every task writes for; cutover requires it
  MigrationOptions options;           // resolved: no defaults left
  EmbeddingModelInfo old_model;
  VectorPrecision old_precision = VectorPrecision::kF16;
  int32_t old_field_id = 0;
  int32_t new_field_id = 0;           // a fresh Iceberg field id (the type may change)
  VectorStoragePolicy new_policy;     // precision + index parameters of the new column
  std::string staging_prefix;         // store key prefix of staged outputs ("T/data/migrate-J/");
                                      // checked to be exactly StagingPrefix(T, J) when loaded
  bool rolled_back = false;           // aborted with --rollback: the table is at base_snapshot_id again
  // Embedding calls of tasks that ended without a record (failed, stopped, lost a race), added by
  // every run that saves the job's state (embed_stats.h); "unrecorded_embed", absent = none.
  EmbedCallStats unrecorded_embed;

  std::string ToJson() const;
  static Result<MigrationJobDoc> FromJson(const std::string& text, const std::string& where);
};

}  // namespace ailake::migrate
