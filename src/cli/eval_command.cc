// `ailake eval TABLE`: compares the table's model with a candidate embedder on the user's queries
// (docs/EVAL.md). Public API only: the work is ailake::Evaluate; this file parses flags and prints.
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "ailake/eval.h"
#include "cli/commands.h"
#include "cli/table_context.h"

namespace ailake::cli {
namespace {

std::string Num(const std::optional<double>& v) {
  if (!v) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", *v);
  return buf;
}

void PrintText(const EvalReport& r, std::ostream& out) {
  out << "eval " << r.table << " (" << r.mode << ", k=" << r.k << ", " << r.queries << " queries, " << r.judged_queries
      << " judged, " << r.sample_rows << " rows): " << r.old_side.model << " -> " << r.new_side.model << "\n";
  if (r.mode == "shadow") {
    out << "  migration " << r.job_id << ": " << r.sample_rows << " rows covered, " << r.pending_rows << " not reached by the job yet";
    if (r.unpaired_rows > 0) out << ", " << r.unpaired_rows << " without one model's vector";
    out << "\n";
  }
  for (const auto& d : r.deltas) {
    out << "  " << d.metric << ": old " << Num(d.old_value) << "  new " << Num(d.new_value) << "  diff " << Num(d.mean_diff) << "  95% CI ["
        << Num(d.low) << ", " << Num(d.high) << "]\n";
  }
  if (!r.deltas.empty()) out << "  queries better " << r.wins.size() << ", worse " << r.losses.size() << "\n";
  out << "  overlap@" << r.k << " " << Num(r.overlap) << "  rbo " << Num(r.rbo) << "\n";
  for (const auto* side : {&r.old_side, &r.new_side}) {
    auto p = [&](const char* key) {
      auto it = side->top1_percentiles.find(key);
      return it == side->top1_percentiles.end() ? std::string("n/a") : Num(it->second);
    };
    out << "  " << side->model << ": top-1 distance p10 " << p("p10") << " p50 " << p("p50") << " p90 " << p("p90") << ", "
        << Num(side->latency_ms_per_query) << " ms/query\n";
  }
  for (const auto& t : r.thresholds) {
    out << "  threshold: old <= " << Num(t.old_threshold) << " (" << Num(t.fraction) << " of hits) ~ new <= " << Num(t.new_threshold) << "\n";
  }
  if (r.estimated_seconds) out << "  full migration: ~" << Num(*r.estimated_seconds) << " s of embedding\n";
  if (!r.path.empty()) out << "  report: " << r.path << " (in the table folder)\n";
}

int RunEval(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  if (!args.has("queries")) return ReportError(Status::InvalidArgument("--queries Q.jsonl is required"), err);
  if (!args.has("embedder")) return ReportError(Status::InvalidArgument("--embedder SPEC (the new model) is required"), err);
  if (!args.has("old-embedder")) {
    return ReportError(Status::InvalidArgument("--old-embedder SPEC (an embedder computing the table's current model) is required"), err);
  }
  if (args.has("sample") && args.has("fraction")) return ReportError(Status::InvalidArgument("give --sample or --fraction, not both"), err);
  const std::string mode = args.get("mode");
  if (mode != "pilot" && mode != "shadow") return ReportError(Status::InvalidArgument("--mode must be pilot or shadow"), err);
  if (mode == "shadow" && (args.has("sample") || args.has("fraction"))) {
    return ReportError(Status::InvalidArgument("--sample and --fraction are for --mode pilot: shadow mode compares every row the job has embedded"), err);
  }
  auto k = args.GetInt("k", 1, 10000);
  if (!k.ok()) return ReportError(k.status(), err);
  auto sample = args.GetInt("sample", 1, INT64_MAX);
  if (!sample.ok()) return ReportError(sample.status(), err);
  auto seed = args.GetInt("seed", 0, INT64_MAX);
  if (!seed.ok()) return ReportError(seed.status(), err);
  EvalOptions o;
  if (args.has("fraction")) {
    try {
      size_t used = 0;
      const std::string f = args.get("fraction");
      o.fraction = std::stod(f, &used);
      if (used != f.size() || !(o.fraction > 0 && o.fraction <= 1)) throw std::invalid_argument(f);
    } catch (const std::exception&) {
      return ReportError(Status::InvalidArgument("--fraction must be a number in (0, 1]"), err);
    }
  }
  auto queries = ReadEvalQueries(args.get("queries"));
  if (!queries.ok()) return ReportError(queries.status(), err);
  o.queries = std::move(*queries);
  if (args.has("qrels")) {
    auto qrels = ReadEvalQrels(args.get("qrels"));
    if (!qrels.ok()) return ReportError(qrels.status(), err);
    o.qrels = std::move(*qrels);
  }
  EmbedderOptions eo;
  if (args.has("new-model")) {
    auto m = EmbeddingModelInfo::ParseId(args.get("new-model"));
    if (!m.ok()) return ReportError(m.status(), err);
    eo.model_name = m->name;
    eo.model_version = m->version;
  }
  auto new_embedder = MakeEmbedder(args.get("embedder"), eo);
  if (!new_embedder.ok()) return ReportError(new_embedder.status(), err);
  auto old_embedder = MakeEmbedder(args.get("old-embedder"));
  if (!old_embedder.ok()) return ReportError(old_embedder.status(), err);
  auto handle = OpenTable(args, args.positional(0));
  if (!handle.ok()) return ReportError(handle.status(), err);
  o.k = static_cast<size_t>(*k);
  o.sample = static_cast<size_t>(*sample);
  o.seed = static_cast<uint64_t>(*seed);
  o.mode = mode == "pilot" ? EvalMode::kPilot : EvalMode::kShadow;
  o.old_embedder = old_embedder->get();
  o.new_embedder = new_embedder->get();
  auto report = Evaluate(*handle->table, o);
  if (!report.ok()) return ReportError(report.status(), err);
  if (args.has("html")) {
    std::ofstream html(args.get("html"), std::ios::binary | std::ios::trunc);
    html << EvalReportHtml(*report);
    if (!html.flush()) return ReportError(Status::IOError("cannot write " + args.get("html")), err);
  }
  if (args.get("format") == "json") {
    out << report->ToJson() << "\n";
  } else {
    PrintText(*report, out);
  }
  return 0;
}

}  // namespace

Command EvalCommand() {
  CommandSpec spec;
  spec.name = "eval";
  spec.summary = "Compare a new embedding model with the table's on your queries (pilot: a sample; shadow: during a migration)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"queries", "", "Q.jsonl", "queries, one {\"id\", \"text\"} per line", ""},
      {"qrels", "", "FILE", "judgments: BEIR TSV (query-id, corpus-id, score) or TREC (qid 0 docid grade)", ""},
      {"embedder", "", "SPEC", "the new model's embedder (hash:..., command:..., http:...)", ""},
      {"new-model", "", "NAME[@VERSION]", "the new embedder's model (wins over the spec's model=)", ""},
      {"old-embedder", "", "SPEC", "an embedder computing the table's current model (embeds the queries)", ""},
      {"k", "", "K", "hits per query", "10"},
      {"sample", "", "N", "pilot: rows embedded with the new model (every judged row is added)", "1000"},
      {"fraction", "", "F", "pilot: this share of the rows instead of --sample", ""},
      {"mode", "", "pilot|shadow",
       "pilot: a sample embedded in memory; shadow: the live rows the running migration has embedded (finished tasks, "
       "staged or committed), before its cutover",
       "pilot"},
      {"seed", "", "S", "sample choice and bootstrap seed", "1"},
      {"html", "", "REPORT.html", "also write a self-contained HTML report", ""},
      {"format", "", "text|json", "output format", "text"},
  });
  spec.details =
      "Neither mode commits. Pilot: the sample's new embeddings stay in memory. Shadow (during 'migrate plan' ... 'migrate "
      "commit'): both models are ranked exactly over the live rows whose tasks have finished (dual-write staged outputs, "
      "atomic-replace outputs committed or not; the old vectors from the live files or the kept old column); run tasks with "
      "'ailake migrate run-task' first. The report is stored under the table folder at "
      "eval/<time>-<uuid>.json (the newest is what 'migrate commit --require' and 'ailake serve' read). See docs/EVAL.md.";
  return {spec, RunEval};
}

}  // namespace ailake::cli
