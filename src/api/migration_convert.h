// Conversions between the public migration structs (include/ailake/migration.h) and the migrate
// layer's (src/migrate/). Kept apart from migration.cc so the mapping, which must stay field for
// field complete when either side grows, is reviewed in one place.
#pragma once

#include "ailake/migration.h"
#include "migrate/migration_job.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"

namespace ailake::api {

// The public options as the migrate layer's. Checks what only the public API can get wrong (the
// CLI checks the same before it calls), naming the MigrationOptions field; everything else is
// validated against the table by MigrationJob::Plan/DryRun.
Result<migrate::MigrationOptions> ToInternal(const MigrationOptions& options);

MigrationState ToPublic(migrate::JobState s);
MigrationInfo ToPublic(const migrate::MigrationJobDoc& doc);
MigrationProgress ToPublic(const migrate::MigrationProgress& p);
MigrationStatus ToPublic(const migrate::MigrationStatus& st);
MigrationRunResult ToPublic(const migrate::RunResult& r);
MigrationDryRun ToPublic(const migrate::DryRunReport& d);
MigrationTaskResult ToPublic(const migrate::TaskRecord& r, bool already_done);

}  // namespace ailake::api
