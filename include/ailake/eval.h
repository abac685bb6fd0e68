// Evaluate a new embedding model against the table's current one before switching (docs/EVAL.md):
// pilot mode embeds a sample of the table in memory (never committed), shadow mode ranks both models
// over the live rows a running migration has already embedded (staged or committed, before cutover). The report is stored under <table>/eval/ and the
// migration cutover can be gated on it (CheckEvalGate).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/embedder.h"
#include "ailake/export.h"
#include "ailake/status.h"
#include "ailake/table.h"

namespace ailake {

struct EvalQuery {
  std::string id{};
  std::string text{};
};

// query id -> (doc id -> grade); grade > 0 is relevant.
using EvalQrels = std::map<std::string, std::map<std::string, double>>;

// JSON Lines {"id": ..., "text": ...}; errors name the line.
AILAKE_EXPORT Result<std::vector<EvalQuery>> ReadEvalQueries(const std::string& path);
// BEIR TSV (query-id<TAB>corpus-id<TAB>score, with a header line) or TREC (qid 0 docid grade).
AILAKE_EXPORT Result<EvalQrels> ReadEvalQrels(const std::string& path);

enum class EvalMode { kPilot, kShadow };

struct EvalOptions {
  std::vector<EvalQuery> queries{};
  EvalQrels qrels{};                 // empty = no judgments: overlap/RBO/distances instead
  size_t k = 10;
  EvalMode mode = EvalMode::kPilot;
  Embedder* old_embedder = nullptr;  // computes the table's current model (queries only)
  Embedder* new_embedder = nullptr;  // the candidate model (queries and, in pilot mode, the sample)
  size_t sample = 1000;              // pilot: rows in the sample (every judged row is added) ...
  double fraction = 0;               // ... or this share of the live rows when > 0
  uint64_t seed = 1;                 // sample choice and bootstrap
  bool save = true;                  // store the report under <table>/eval/
};

struct EvalModelSide {
  std::string model{};
  std::optional<double> recall{}, ndcg{}, mrr{};  // means over judged queries
  std::vector<double> per_query_ndcg{};           // judged queries, in order (0 when none judged)
  std::vector<double> top1_distances{}, topk_distances{};
  std::map<std::string, double> top1_percentiles{}, topk_percentiles{};  // "p10".."p90"
  double latency_ms_per_query = 0;
};

struct EvalDelta {  // new - old, paired bootstrap 95% CI
  std::string metric{};
  double old_value = 0, new_value = 0, mean_diff = 0, low = 0, high = 0;
};

struct EvalThreshold {
  double old_threshold = 0, fraction = 0, new_threshold = 0;
};

struct EvalReport {
  std::string id{};             // report uuid
  std::string table{};
  std::string mode{};           // "pilot" | "shadow"
  size_t k = 10;
  size_t queries = 0, judged_queries = 0;
  size_t sample_rows = 0;       // pilot: the sample; shadow: the covered rows (both models' vectors)
  int64_t snapshot_id = 0;
  // Shadow mode: the running job, the live rows it has not embedded yet, and the embedded live rows
  // lacking one model's vector (null text; a committed file written without the old column).
  std::string job_id{};
  size_t pending_rows = 0, unpaired_rows = 0;
  EvalModelSide old_side{}, new_side{};
  std::vector<EvalDelta> deltas{};                 // with judgments
  std::vector<std::string> wins{}, losses{};       // query ids where new nDCG > / < old
  std::optional<double> overlap{}, rbo{};          // means over all queries
  std::vector<double> per_query_overlap{};
  std::vector<EvalThreshold> thresholds{};
  std::optional<double> estimated_seconds{};       // full migration, from the dry run
  std::optional<int64_t> estimated_texts{};
  std::string path{};           // where it was stored, relative to the table folder ("" = not stored)

  std::string ToJson() const;
  static Result<EvalReport> FromJson(const std::string& json);
};

// Runs the evaluation. Neither mode writes data files or metadata: only the report file. Shadow mode
// needs the table's running migration to have finished at least one task (InvalidArgument otherwise).
AILAKE_EXPORT Result<EvalReport> Evaluate(Table& table, const EvalOptions& options);
// The newest stored report of the table (NotFound when there is none).
AILAKE_EXPORT Result<EvalReport> LatestEvalReport(Table& table);
// A self-contained HTML page (inline CSS and SVG, no script, no external request).
AILAKE_EXPORT std::string EvalReportHtml(const EvalReport& report);

// The cutover gate: `expr` is METRIC@K OP RHS, METRIC in ndcg|recall|mrr|overlap|rbo, OP in
// >= > <= <, RHS a number, "old", or "old+N"/"old-N". Checked against the latest report, which must
// be for `new_model` (the running job's); Aborted naming the values when it fails.
AILAKE_EXPORT Status CheckEvalGate(Table& table, const std::string& expr, const std::string& new_model);

}  // namespace ailake
