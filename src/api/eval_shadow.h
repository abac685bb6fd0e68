// Shadow-mode evaluation (docs/EVAL.md): both models ranked exactly over the live rows that the
// table's running migration has already embedded, before its commit or cutover. Only src/api
// includes this (eval.cc calls it; eval_shadow.cc implements it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ailake/eval.h"
#include "ailake/status.h"
#include "ailake/table.h"
#include "migrate/eval_metrics.h"

namespace ailake::api {

struct ShadowQueries {
  const float* old_q = nullptr;  // n x old_dim, the table's model
  uint32_t old_dim = 0;
  const float* new_q = nullptr;  // n x new_dim, the job's new model
  uint32_t new_dim = 0;
  size_t n = 0;
  size_t k = 10;
};

struct ShadowResult {
  std::string job_id;
  std::vector<std::vector<migrate::RankedHit>> old_hits, new_hits;  // per query, best first, <= k
  size_t covered_rows = 0;   // live rows with both models' vectors: the set both sides rank
  size_t pending_rows = 0;   // live rows the job has not embedded yet (no finished or committed task)
  size_t unpaired_rows = 0;  // embedded live rows lacking one model's vector (null text, or a
                             // committed file written without the old column)
  double old_ms = 0, new_ms = 0;  // search time per side, all queries
};

// Reads only: the current snapshot's live files, the job's records and its staged outputs. Writes
// nothing. InvalidArgument (saying what to run) when no migration is running, none of its tasks has
// finished, or the new embedder is not the job's new model.
Result<ShadowResult> ShadowSearch(Table& table, const Embedder& new_embedder, const ShadowQueries& q);

}  // namespace ailake::api
