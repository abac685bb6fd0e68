// Ingest's embedding of the rows that came without a vector.
#pragma once

#include <cstddef>

#include "ailake/status.h"
#include "ailake/types.h"
#include "embed/embedder.h"
#include "table/ingest_row.h"

namespace ailake::table {

// Embeds batch->embed_texts in calls of `call_rows` texts, up to `concurrency` calls at once, and
// stores each vector at its row (batch->to_embed). Every result is validated like an input vector
// (count, dim, finite, storable at `precision`); the first failing call's error is returned.
Status EmbedMissingVectors(embed::Embedder& embedder, size_t call_rows, size_t concurrency, size_t dim,
                           VectorPrecision precision, IngestBatch* batch);

}  // namespace ailake::table
