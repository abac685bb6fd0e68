// Committing migration tasks: the per-task delta of AtomicReplace and the final cutover.
//
// For each finished task whose source is still live and whose output is not yet: remove the source,
// add the output (with its vector statistics), and carry every position delete committed on the
// source after the task read it to the output (task_record.h has the row mapping), recording in the
// change the sequence number up to which deletes were carried, so a delete that lands between this
// read and the commit makes the commit conflict instead of resurrecting a row. Conflicts are retried
// on the newer state.
//
// The cutover also switches the table to the new column (properties + a new Iceberg schema) and
// clears ailake.migration, and validates inside the commit that every other live file already has
// the new model; if a file with the old model was appended meanwhile, it reports `needs_catch_up`
// and commits nothing.
#pragma once

#include <vector>

#include "ailake/status.h"
#include "iceberg/schema.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"
#include "table/table.h"

namespace ailake::migrate {

struct CommitOutcome {
  int64_t snapshot_id = 0;
  size_t committed = 0;        // tasks whose output became live in this commit
  size_t carried_deletes = 0;  // rows deleted after their task read them, carried to the outputs
  bool needs_catch_up = false; // cutover only: old-model files appeared; nothing was committed
};

Result<CommitOutcome> CommitTasks(table::Table& table, const MigrationJobDoc& job,
                                  const std::vector<const TaskRecord*>& records, bool cutover);

// Snapshot summary key naming the migration job that made the snapshot (abort --rollback checks
// that every snapshot since the job's base was made by the job itself).
inline constexpr const char* kSummaryMigrationJob = "ailake.migration-job";

// The name the new column has in the schema while the job runs: the final name when it differs from
// the old column's, else "<column>__<first 8 hex digits of the job id>" (two columns cannot share a
// name until the cutover drops the old one).
std::string RunningColumnName(const MigrationJobDoc& job);

// The schema while the job runs (committed by the plan): the base schema plus the new column,
// nullable, under its fresh field id, so an Iceberg reader knows every column a live data file
// carries at every instant of the job (older files read it as null).
iceberg::Schema PlanSchema(const iceberg::Schema& base, const MigrationJobDoc& job);

// The running schema minus the new column (abort of a job that left no file carrying it).
iceberg::Schema WithoutNewColumn(const iceberg::Schema& running, const MigrationJobDoc& job);

// OK when `latest`'s current schema is still PlanSchema(base schema) of the job; else kAborted
// naming the change (someone altered the table while the job ran).
Status CheckJobSchema(const iceberg::TableMetadata& latest, const MigrationJobDoc& job);

// The table's schema after the cutover, from the running schema: the new vector column keeps its
// field id (its type may differ from the old one's) and takes its final name; without
// keep_old_column it takes the old column's place, with it the old one stays.
Result<iceberg::Schema> CutoverSchema(const iceberg::Schema& running, const MigrationJobDoc& job);

}  // namespace ailake::migrate
