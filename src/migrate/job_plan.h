// Planning a migration: the embedder a job's options describe, and the options resolved against
// the table (defaults filled, every check a user can fail made before anything is written).
#pragma once

#include <memory>

#include "ailake/status.h"
#include "embed/embedder.h"
#include "migrate/migration_spec.h"
#include "table/table.h"

namespace ailake::migrate {

Result<std::unique_ptr<embed::Embedder>> BuildEmbedder(const MigrationOptions& options);

// Checks: new model named and different from the table's, batch size / concurrency >= 1, the old
// column is the table's vector column, a new column name that is free (required with
// keep_old_column), a text column that exists and holds strings, the embedder's dim matching a
// declared one. Returns the job document (fresh job id, S0, field ids, staging prefix).
Result<MigrationJobDoc> ResolveJob(table::Table& table, MigrationOptions options, embed::Embedder& embedder);

}  // namespace ailake::migrate
