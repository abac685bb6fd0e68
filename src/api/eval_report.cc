// EvalReport <-> JSON (the stored form under <table>/eval/, read back by the gate and the server)
// and the query/qrels file readers.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ailake/eval.h"

namespace ailake {
namespace {

using nlohmann::json;

json Opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
std::optional<double> OptOf(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<double>();
}

json SideJson(const EvalModelSide& s) {
  return {{"model", s.model},
          {"recall", Opt(s.recall)},
          {"ndcg", Opt(s.ndcg)},
          {"mrr", Opt(s.mrr)},
          {"per_query_ndcg", s.per_query_ndcg},
          {"top1_distance_percentiles", s.top1_percentiles},
          {"topk_distance_percentiles", s.topk_percentiles},
          {"top1_distances", s.top1_distances},
          {"topk_distances", s.topk_distances},
          {"latency_ms_per_query", s.latency_ms_per_query}};
}

EvalModelSide SideOf(const json& j) {
  EvalModelSide s;
  s.model = j.value("model", "");
  s.recall = OptOf(j, "recall");
  s.ndcg = OptOf(j, "ndcg");
  s.mrr = OptOf(j, "mrr");
  s.per_query_ndcg = j.value("per_query_ndcg", std::vector<double>{});
  s.top1_percentiles = j.value("top1_distance_percentiles", std::map<std::string, double>{});
  s.topk_percentiles = j.value("topk_distance_percentiles", std::map<std::string, double>{});
  s.top1_distances = j.value("top1_distances", std::vector<double>{});
  s.topk_distances = j.value("topk_distances", std::vector<double>{});
  s.latency_ms_per_query = j.value("latency_ms_per_query", 0.0);
  return s;
}

}  // namespace

std::string EvalReport::ToJson() const {
  json deltas_j = json::array();
  for (const auto& d : deltas) {
    deltas_j.push_back({{"metric", d.metric}, {"old", d.old_value}, {"new", d.new_value}, {"mean_diff", d.mean_diff},
                        {"ci95", {d.low, d.high}}});
  }
  json thr = json::array();
  for (const auto& t : thresholds) thr.push_back({{"old", t.old_threshold}, {"fraction", t.fraction}, {"new", t.new_threshold}});
  json j = {{"format", "ailake-eval/1"},
            {"id", id},
            {"table", table},
            {"mode", mode},
            {"k", k},
            {"queries", queries},
            {"judged_queries", judged_queries},
            {"sample_rows", sample_rows},
            {"snapshot_id", snapshot_id},
            {"job_id", job_id},
            {"pending_rows", pending_rows},
            {"unpaired_rows", unpaired_rows},
            {"old", SideJson(old_side)},
            {"new", SideJson(new_side)},
            // The server and the gate look these up by name: keep them flat.
            {"old_model", old_side.model},
            {"new_model", new_side.model},
            {"deltas", deltas_j},
            {"wins", wins},
            {"losses", losses},
            {"overlap", Opt(overlap)},
            {"rbo", Opt(rbo)},
            {"per_query_overlap", per_query_overlap},
            {"thresholds", thr},
            {"estimated_seconds", Opt(estimated_seconds)},
            {"estimated_texts", estimated_texts ? json(*estimated_texts) : json(nullptr)},
            {"path", path}};
  return j.dump(2);
}

Result<EvalReport> EvalReport::FromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "ailake-eval/1") {
    return Status::Corruption("not an ailake evaluation report (format ailake-eval/1)");
  }
  try {
    EvalReport r;
    r.id = j.value("id", "");
    r.table = j.value("table", "");
    r.mode = j.value("mode", "");
    r.k = j.value("k", size_t{10});
    r.queries = j.value("queries", size_t{0});
    r.judged_queries = j.value("judged_queries", size_t{0});
    r.sample_rows = j.value("sample_rows", size_t{0});
    r.snapshot_id = j.value("snapshot_id", int64_t{0});
    r.job_id = j.value("job_id", "");
    r.pending_rows = j.value("pending_rows", size_t{0});
    r.unpaired_rows = j.value("unpaired_rows", size_t{0});
    r.old_side = SideOf(j.at("old"));
    r.new_side = SideOf(j.at("new"));
    for (const auto& d : j.at("deltas")) {
      r.deltas.push_back({d.at("metric").get<std::string>(), d.at("old").get<double>(), d.at("new").get<double>(),
                          d.at("mean_diff").get<double>(), d.at("ci95")[0].get<double>(), d.at("ci95")[1].get<double>()});
    }
    r.wins = j.value("wins", std::vector<std::string>{});
    r.losses = j.value("losses", std::vector<std::string>{});
    r.overlap = OptOf(j, "overlap");
    r.rbo = OptOf(j, "rbo");
    r.per_query_overlap = j.value("per_query_overlap", std::vector<double>{});
    for (const auto& t : j.at("thresholds")) {
      r.thresholds.push_back({t.at("old").get<double>(), t.at("fraction").get<double>(), t.at("new").get<double>()});
    }
    r.estimated_seconds = OptOf(j, "estimated_seconds");
    if (j.contains("estimated_texts") && !j["estimated_texts"].is_null()) r.estimated_texts = j["estimated_texts"].get<int64_t>();
    r.path = j.value("path", "");
    return r;
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("evaluation report: ") + e.what());
  }
}

Result<std::vector<EvalQuery>> ReadEvalQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot open queries file '" + path + "'");
  std::vector<EvalQuery> out;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string() || !j.contains("id")) {
      return Status::InvalidArgument(path + ":" + std::to_string(n) + ": expected {\"id\": ..., \"text\": \"...\"}");
    }
    EvalQuery q;
    q.id = j["id"].is_string() ? j["id"].get<std::string>() : j["id"].dump();
    q.text = j["text"].get<std::string>();
    out.push_back(std::move(q));
  }
  if (out.empty()) return Status::InvalidArgument("queries file '" + path + "' holds no query");
  return out;
}

Result<EvalQrels> ReadEvalQrels(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot open qrels file '" + path + "'");
  EvalQrels out;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> f;
    if (line.find('\t') != std::string::npos) {  // BEIR TSV
      std::stringstream ss(line);
      for (std::string part; std::getline(ss, part, '\t');) f.push_back(part);
      if (f.size() != 3) return Status::InvalidArgument(path + ":" + std::to_string(n) + ": expected query-id<TAB>corpus-id<TAB>score");
      if (n == 1 && f[0] == "query-id") continue;  // header
      f = {f[0], "0", f[1], f[2]};
    } else {  // TREC: qid iter docid grade
      std::stringstream ss(line);
      for (std::string part; ss >> part;) f.push_back(part);
      if (f.size() != 4) return Status::InvalidArgument(path + ":" + std::to_string(n) + ": expected 'qid 0 docid grade' (TREC) or a BEIR TSV line");
    }
    try {
      size_t used = 0;
      const double grade = std::stod(f[3], &used);
      if (used != f[3].size()) throw std::invalid_argument(f[3]);
      out[f[0]][f[2]] = grade;
    } catch (const std::exception&) {
      return Status::InvalidArgument(path + ":" + std::to_string(n) + ": grade '" + f[3] + "' is not a number");
    }
  }
  return out;
}

}  // namespace ailake
