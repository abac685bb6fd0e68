// ailake::Evaluate (docs/EVAL.md): runs both models on the user's queries and builds the report.
// Pilot mode reads the table only through searches and keeps the new embeddings in memory, so it
// cannot change a snapshot or a metadata file; the only write is the report object. Shadow mode
// (eval_shadow.cc) only reads too: the live files, the running job's records and staged outputs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <unordered_map>

#include "ailake/eval.h"
#include "ailake/migration.h"
#include "api/api_internal.h"
#include "api/eval_shadow.h"
#include "core/uuid.h"
#include "migrate/eval_bootstrap.h"
#include "migrate/eval_metrics.h"
#include "migrate/eval_threshold.h"

namespace ailake {
namespace {

using Clock = std::chrono::steady_clock;
using migrate::Judgments;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

Result<std::vector<float>> EmbedAll(Embedder& e, const std::vector<std::string>& texts, uint32_t* dim) {
  std::vector<float> out;
  constexpr size_t kBatch = 256;
  for (size_t i = 0; i < texts.size(); i += kBatch) {
    std::vector<std::string_view> views;
    for (size_t j = i; j < std::min(texts.size(), i + kBatch); ++j) views.push_back(texts[j]);
    std::vector<float> part;
    AILAKE_RETURN_IF_ERROR(e.Embed(views, &part));
    if (views.empty() || part.size() % views.size() != 0) return Status::Internal(e.Describe() + " returned a ragged batch");
    *dim = static_cast<uint32_t>(part.size() / views.size());
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

float Distance(VectorMetric metric, const float* a, const float* b, uint32_t dim) {
  double dot = 0, na = 0, nb = 0, l2 = 0;
  for (uint32_t i = 0; i < dim; ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
    l2 += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  }
  switch (metric) {
    case VectorMetric::kCosine:
      return (na == 0 || nb == 0) ? 1.0f : static_cast<float>(1 - dot / std::sqrt(na * nb));
    case VectorMetric::kEuclidean:
      return static_cast<float>(l2);
    default:
      return static_cast<float>(-dot);  // inner product: larger is closer
  }
}

// One model's hits per query, as the metrics consume them.
using Hits = std::vector<std::vector<migrate::RankedHit>>;

Hits FromResults(const std::vector<SearchResult>& results) {
  Hits out;
  for (const auto& r : results) {
    std::vector<migrate::RankedHit> h;
    for (size_t i = 0; i < r.ids.size(); ++i) h.push_back({r.ids[i], r.distances[i]});
    out.push_back(std::move(h));
  }
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else out += c;
  }
  return out + "'";
}

uint64_t Mix(uint64_t seed, const std::string& id) {  // FNV-1a then a splitmix step: stable sample order
  uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 31);
}

void Fill(EvalModelSide* side, const std::vector<std::vector<std::string>>& ranked, const Hits& hits,
          const std::vector<EvalQuery>& queries, const EvalQrels& qrels, size_t k) {
  std::vector<std::optional<double>> rec, nd, mr;
  for (size_t q = 0; q < queries.size(); ++q) {
    auto it = qrels.find(queries[q].id);
    if (it != qrels.end()) {
      Judgments j(it->second.begin(), it->second.end());
      rec.push_back(migrate::RecallAtK(ranked[q], j, k));
      nd.push_back(migrate::NdcgAtK(ranked[q], j, k));
      mr.push_back(migrate::MrrAtK(ranked[q], j, k));
      if (nd.back()) side->per_query_ndcg.push_back(*nd.back());
    }
    std::vector<double> d;
    for (const auto& h : hits[q]) d.push_back(h.distance);
    std::sort(d.begin(), d.end());
    if (!d.empty()) side->top1_distances.push_back(d.front());
    for (size_t i = 0; i < std::min(k, d.size()); ++i) side->topk_distances.push_back(d[i]);
  }
  side->recall = migrate::MeanOf(rec);
  side->ndcg = migrate::MeanOf(nd);
  side->mrr = migrate::MeanOf(mr);
  for (double p : {10.0, 50.0, 90.0, 99.0}) {
    const std::string key = "p" + std::to_string(static_cast<int>(p));
    if (auto v = migrate::Percentile(side->top1_distances, p)) side->top1_percentiles[key] = *v;
    if (auto v = migrate::Percentile(side->topk_distances, p)) side->topk_percentiles[key] = *v;
  }
}

std::vector<double> PerQuery(const std::vector<std::vector<std::string>>& ranked, const std::vector<EvalQuery>& queries,
                             const EvalQrels& qrels, size_t k,
                             std::optional<double> (*metric)(const std::vector<std::string>&, const Judgments&, size_t)) {
  std::vector<double> out;
  for (size_t q = 0; q < queries.size(); ++q) {
    auto it = qrels.find(queries[q].id);
    if (it == qrels.end()) continue;
    if (auto v = metric(ranked[q], Judgments(it->second.begin(), it->second.end()), k)) out.push_back(*v);
  }
  return out;
}

Status SaveReport(Table& table, EvalReport* report) {
  auto& impl = table.impl();
  auto current = impl.Current();
  if (!current) return Status::Internal("table handle has no state");
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  // The server picks the newest eval/*.json by name: a zero-padded time prefix keeps name order =
  // time order, the uuid keeps concurrent runs apart.
  std::string stamp = std::to_string(now_ms);
  stamp.insert(0, stamp.size() < 15 ? 15 - stamp.size() : 0, '0');
  report->path = "eval/" + stamp + "-" + report->id + ".json";
  const std::string text = report->ToJson();
  std::lock_guard<std::mutex> lock(impl.write_mu);
  return impl.catalog->store().Put(current->table_key() + "/" + report->path,
                                   reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

}  // namespace

Result<EvalReport> Evaluate(Table& table, const EvalOptions& o) {
  if (o.queries.empty()) return Status::InvalidArgument("eval: no queries");
  if (!o.old_embedder || !o.new_embedder) return Status::InvalidArgument("eval: both the old and the new embedder are required");
  if (o.k == 0) return Status::InvalidArgument("eval: k must be > 0");
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  AILAKE_ASSIGN_OR_RETURN(TableInfo info, table.Info());
  if (info.live_rows == 0) return Status::InvalidArgument("eval: table '" + info.name + "' has no rows");
  if (!o.old_embedder->model().SameModel(info.model)) {
    return Status::InvalidArgument("eval: the old embedder computes '" + o.old_embedder->model().Id() + "', the table's model is '" +
                                   info.model.Id() + "'");
  }

  EvalReport report;
  report.id = Uuid::Random().ToString();
  report.table = info.name;
  report.mode = o.mode == EvalMode::kPilot ? "pilot" : "shadow";
  report.k = o.k;
  report.queries = o.queries.size();
  report.snapshot_id = info.snapshot_id;
  report.old_side.model = info.model.Id();
  report.new_side.model = o.new_embedder->model().Id();
  for (const auto& q : o.queries) report.judged_queries += o.qrels.count(q.id);

  std::vector<std::string> texts;
  for (const auto& q : o.queries) texts.push_back(q.text);
  uint32_t old_dim = 0, new_dim = 0;
  auto t0 = Clock::now();
  AILAKE_ASSIGN_OR_RETURN(auto old_q, EmbedAll(*o.old_embedder, texts, &old_dim));
  double old_ms = MsSince(t0);
  t0 = Clock::now();
  AILAKE_ASSIGN_OR_RETURN(auto new_q, EmbedAll(*o.new_embedder, texts, &new_dim));
  double new_ms = MsSince(t0);
  const size_t n = o.queries.size();

  Hits old_hits, new_hits;
  if (o.mode == EvalMode::kShadow) {
    // Both models ranked exactly over the live rows the running job has embedded (eval_shadow.cc).
    api::ShadowQueries sq{old_q.data(), old_dim, new_q.data(), new_dim, n, o.k};
    AILAKE_ASSIGN_OR_RETURN(api::ShadowResult sh, api::ShadowSearch(table, *o.new_embedder, sq));
    old_ms += sh.old_ms;
    new_ms += sh.new_ms;
    old_hits = std::move(sh.old_hits);
    new_hits = std::move(sh.new_hits);
    report.sample_rows = sh.covered_rows;
    report.pending_rows = sh.pending_rows;
    report.unpaired_rows = sh.unpaired_rows;
    report.job_id = sh.job_id;
  } else {
    // Every live row with its text: one exact search with k = all rows (reads only).
    SearchOptions all;
    all.k = static_cast<size_t>(info.live_rows);
    all.exact = true;
    all.columns = {info.text_column};
    AILAKE_ASSIGN_OR_RETURN(auto scan, table.Search(old_q.data(), old_dim, all));
    const Column* text_col = scan.values.Find(info.text_column);
    if (!text_col) return Status::Internal("eval: the scan returned no '" + info.text_column + "' column");
    std::set<std::string> judged;
    for (const auto& q : o.queries) {
      auto it = o.qrels.find(q.id);
      if (it == o.qrels.end()) continue;
      for (const auto& [doc, grade] : it->second) judged.insert(doc);
    }
    size_t want = o.fraction > 0 ? static_cast<size_t>(std::ceil(o.fraction * static_cast<double>(scan.ids.size()))) : o.sample;
    std::vector<size_t> order(scan.ids.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return Mix(o.seed, scan.ids[a]) < Mix(o.seed, scan.ids[b]);
    });
    std::vector<size_t> chosen;
    for (size_t i : order) {
      if (judged.count(scan.ids[i])) chosen.push_back(i);  // every judged row, always
    }
    for (size_t i : order) {
      if (chosen.size() >= std::max(want, judged.size())) break;
      if (!judged.count(scan.ids[i])) chosen.push_back(i);
    }
    report.sample_rows = chosen.size();
    std::vector<std::string> ids, sample_texts;
    for (size_t i : chosen) {
      ids.push_back(scan.ids[i]);
      sample_texts.push_back(text_col->is_null(i) ? std::string() : text_col->strings[i]);
    }
    // Old model: its stored vectors of exactly the sample rows, searched exactly.
    SearchOptions so;
    so.k = o.k;
    so.exact = true;
    if (chosen.size() < scan.ids.size()) {
      std::string where = "id IN (";
      for (size_t i = 0; i < ids.size(); ++i) where += (i ? ", " : "") + Quote(ids[i]);
      so.where = where + ")";
    }
    t0 = Clock::now();
    AILAKE_ASSIGN_OR_RETURN(auto r_old, table.SearchBatch(old_q.data(), n, old_dim, so));
    old_ms += MsSince(t0);
    old_hits = FromResults(r_old);
    // New model: the sample embedded in memory (never written), searched exactly.
    uint32_t doc_dim = 0;
    AILAKE_ASSIGN_OR_RETURN(auto docs, EmbedAll(*o.new_embedder, sample_texts, &doc_dim));
    if (doc_dim != new_dim && !docs.empty()) return Status::Internal("eval: the new embedder changed dimension between calls");
    const VectorMetric metric = o.new_embedder->model().metric;
    t0 = Clock::now();
    for (size_t q = 0; q < n; ++q) {
      std::vector<migrate::RankedHit> h;
      for (size_t d = 0; d < ids.size(); ++d) h.push_back({ids[d], Distance(metric, &new_q[q * new_dim], &docs[d * new_dim], new_dim)});
      std::partial_sort(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(std::min(o.k, h.size())), h.end(),
                        [](const auto& a, const auto& b) { return a.distance != b.distance ? a.distance < b.distance : a.id < b.id; });
      h.resize(std::min(o.k, h.size()));
      new_hits.push_back(std::move(h));
    }
    new_ms += MsSince(t0);
  }
  report.old_side.latency_ms_per_query = old_ms / static_cast<double>(n);
  report.new_side.latency_ms_per_query = new_ms / static_cast<double>(n);

  std::vector<std::vector<std::string>> old_ranked, new_ranked;
  for (size_t q = 0; q < n; ++q) {
    old_ranked.push_back(migrate::RankHits(old_hits[q]));
    new_ranked.push_back(migrate::RankHits(new_hits[q]));
  }
  Fill(&report.old_side, old_ranked, old_hits, o.queries, o.qrels, o.k);
  Fill(&report.new_side, new_ranked, new_hits, o.queries, o.qrels, o.k);

  if (report.judged_queries > 0) {
    struct M {
      const char* name;
      std::optional<double> (*fn)(const std::vector<std::string>&, const Judgments&, size_t);
    };
    for (const M& m : {M{"recall", migrate::RecallAtK}, M{"ndcg", migrate::NdcgAtK}, M{"mrr", migrate::MrrAtK}}) {
      auto a = PerQuery(old_ranked, o.queries, o.qrels, o.k, m.fn);
      auto b = PerQuery(new_ranked, o.queries, o.qrels, o.k, m.fn);
      auto ci = migrate::PairedBootstrap(a, b, o.seed);
      double sa = 0, sb = 0;
      for (double v : a) sa += v;
      for (double v : b) sb += v;
      const double na = a.empty() ? 1 : static_cast<double>(a.size());
      report.deltas.push_back({std::string(m.name) + "@" + std::to_string(o.k), sa / na, sb / na, ci.mean_diff, ci.low, ci.high});
    }
    for (size_t q = 0; q < n; ++q) {
      auto it = o.qrels.find(o.queries[q].id);
      if (it == o.qrels.end()) continue;
      Judgments j(it->second.begin(), it->second.end());
      auto a = migrate::NdcgAtK(old_ranked[q], j, o.k), b = migrate::NdcgAtK(new_ranked[q], j, o.k);
      if (!a || !b) continue;
      if (*b > *a) report.wins.push_back(o.queries[q].id);
      if (*b < *a) report.losses.push_back(o.queries[q].id);
    }
  }
  // Agreement between the models is reported with or without judgments (the gate may use it).
  std::vector<std::optional<double>> ov, rb;
  for (size_t q = 0; q < n; ++q) {
    report.per_query_overlap.push_back(migrate::OverlapAtK(old_ranked[q], new_ranked[q], o.k));
    ov.push_back(report.per_query_overlap.back());
    rb.push_back(migrate::RankBiasedOverlap(old_ranked[q], new_ranked[q], 0.9));
  }
  report.overlap = migrate::MeanOf(ov);
  report.rbo = migrate::MeanOf(rb);
  for (const auto& t : migrate::MapThresholds(report.old_side.topk_distances, report.new_side.topk_distances)) {
    report.thresholds.push_back({t.old_threshold, t.fraction, t.new_threshold});
  }

  // The full migration's cost, from the dry run (reads a little, embeds a small sample, writes nothing).
  MigrationOptions mo;
  mo.embedder = o.new_embedder;
  mo.new_model = report.new_side.model;
  if (auto dry = Migration::DryRun(table, mo); dry.ok()) {
    report.estimated_seconds = dry->est_seconds;
    report.estimated_texts = dry->rows - dry->null_texts;
  }
  if (o.save) AILAKE_RETURN_IF_ERROR(SaveReport(table, &report));
  return report;
}

Result<EvalReport> LatestEvalReport(Table& table) {
  auto& impl = table.impl();
  auto current = impl.Current();
  if (!current) return Status::Internal("table handle has no state");
  std::lock_guard<std::mutex> lock(impl.write_mu);
  Store& store = impl.catalog->store();
  const std::string prefix = current->table_key() + "/eval/";
  AILAKE_ASSIGN_OR_RETURN(auto objects, store.List(prefix));
  std::string newest;
  for (const auto& obj : objects) {
    if (obj.key.size() > 5 && obj.key.ends_with(".json") && obj.key > newest) newest = obj.key;
  }
  if (newest.empty()) return Status::NotFound("table '" + table.name() + "' has no evaluation report; run 'ailake eval' first");
  AILAKE_ASSIGN_OR_RETURN(auto bytes, store.Get(newest));
  auto r = EvalReport::FromJson(std::string(bytes.begin(), bytes.end()));
  if (!r.ok()) return Status::Corruption(newest + ": " + r.status().message());
  return r;
}

}  // namespace ailake
