// EvalReportHtml: one self-contained page (inline CSS, inline SVG; no script, no external request)
// so a report can be mailed or archived and still render offline.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "ailake/eval.h"

namespace ailake {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string F(double v, int digits = 4) {
  if (!std::isfinite(v)) return "n/a";
  std::ostringstream os;
  os.precision(digits);
  os << std::fixed << v;
  return os.str();
}

// Old vs new bars per metric, with the CI of the difference as a whisker on the new bar.
std::string MetricBars(const EvalReport& r) {
  if (r.deltas.empty()) return "<p>No judgments (--qrels): see overlap and distances below.</p>";
  const int w = 520, h = 220, bar = 40;
  std::ostringstream s;
  s << "<svg width='" << w << "' height='" << h + 30 << "' role='img' aria-label='metrics'>";
  for (size_t i = 0; i < r.deltas.size(); ++i) {
    const auto& d = r.deltas[i];
    const int x = 30 + static_cast<int>(i) * 160;
    auto y = [&](double v) { return h - static_cast<int>(std::clamp(v, 0.0, 1.0) * (h - 20)); };
    s << "<rect class='old' x='" << x << "' y='" << y(d.old_value) << "' width='" << bar << "' height='" << h - y(d.old_value) << "'/>";
    s << "<rect class='new' x='" << x + bar + 4 << "' y='" << y(d.new_value) << "' width='" << bar << "' height='" << h - y(d.new_value) << "'/>";
    const int cx = x + bar + 4 + bar / 2;
    s << "<line class='ci' x1='" << cx << "' x2='" << cx << "' y1='" << y(d.old_value + d.low) << "' y2='" << y(d.old_value + d.high) << "'/>";
    s << "<text x='" << x << "' y='" << h + 20 << "'>" << Esc(d.metric) << "</text>";
  }
  s << "</svg>";
  return s.str();
}

std::string Histogram(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() && b.empty()) return "<p>No distances.</p>";
  double lo = INFINITY, hi = -INFINITY;
  for (double v : a) lo = std::min(lo, v), hi = std::max(hi, v);
  for (double v : b) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi <= lo) hi = lo + 1;
  constexpr int kBins = 30, w = 600, h = 160;
  auto counts = [&](const std::vector<double>& v) {
    std::vector<int> c(kBins, 0);
    for (double x : v) c[std::min(kBins - 1, static_cast<int>((x - lo) / (hi - lo) * kBins))]++;
    return c;
  };
  auto ca = counts(a), cb = counts(b);
  const int top = std::max(*std::max_element(ca.begin(), ca.end()), *std::max_element(cb.begin(), cb.end()));
  std::ostringstream s;
  s << "<svg width='" << w << "' height='" << h + 20 << "' role='img' aria-label='distance histogram'>";
  const int bw = w / kBins;
  for (int i = 0; i < kBins; ++i) {
    const int ha = top ? ca[i] * h / top : 0, hb = top ? cb[i] * h / top : 0;
    s << "<rect class='old' x='" << i * bw << "' y='" << h - ha << "' width='" << bw / 2 << "' height='" << ha << "'/>";
    s << "<rect class='new' x='" << i * bw + bw / 2 << "' y='" << h - hb << "' width='" << bw / 2 << "' height='" << hb << "'/>";
  }
  s << "<text x='0' y='" << h + 15 << "'>" << F(lo) << "</text><text x='" << w - 60 << "' y='" << h + 15 << "'>" << F(hi) << "</text></svg>";
  return s.str();
}

std::string Deltas(const EvalReport& r) {
  const auto& a = r.old_side.per_query_ndcg;
  const auto& b = r.new_side.per_query_ndcg;
  const size_t n = std::min(a.size(), b.size());
  if (n == 0) return "<p>No judged queries.</p>";
  const int w = 600, h = 160, mid = h / 2;
  std::ostringstream s;
  s << "<svg width='" << w << "' height='" << h << "' role='img' aria-label='per-query nDCG delta'>";
  s << "<line class='axis' x1='0' x2='" << w << "' y1='" << mid << "' y2='" << mid << "'/>";
  const double bw = static_cast<double>(w) / static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) {
    const double d = b[i] - a[i];
    const int len = static_cast<int>(std::abs(d) * mid);
    s << "<rect class='" << (d >= 0 ? "win" : "loss") << "' x='" << F(static_cast<double>(i) * bw, 1) << "' y='" << (d >= 0 ? mid - len : mid)
      << "' width='" << F(std::max(1.0, bw - 1), 1) << "' height='" << len << "'/>";
  }
  s << "</svg>";
  return s.str();
}

std::string Thresholds(const EvalReport& r) {
  if (r.thresholds.empty()) return "<p>No threshold mapping.</p>";
  double omax = 0, nmax = 0;
  for (const auto& t : r.thresholds) omax = std::max(omax, std::abs(t.old_threshold)), nmax = std::max(nmax, std::abs(t.new_threshold));
  if (omax == 0) omax = 1;
  if (nmax == 0) nmax = 1;
  const int w = 300, h = 200;
  std::ostringstream s;
  s << "<svg width='" << w << "' height='" << h << "' role='img' aria-label='threshold mapping'><polyline class='map' points='";
  for (const auto& t : r.thresholds) s << F(t.old_threshold / omax * (w - 10), 1) << "," << F(h - t.new_threshold / nmax * (h - 10), 1) << " ";
  s << "'/></svg><table><tr><th>old distance &le;</th><th>share of old top-k hits</th><th>new distance &le;</th></tr>";
  for (const auto& t : r.thresholds) s << "<tr><td>" << F(t.old_threshold) << "</td><td>" << F(t.fraction, 2) << "</td><td>" << F(t.new_threshold) << "</td></tr>";
  s << "</table>";
  return s.str();
}

std::string Opt(const std::optional<double>& v) { return v ? F(*v) : "n/a"; }

}  // namespace

std::string EvalReportHtml(const EvalReport& r) {
  std::ostringstream s;
  s << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>ailake eval " << Esc(r.table) << "</title><style>"
    << "body{font:14px sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
    << ".old{fill:#888}.new{fill:#2a7ae2}.ci{stroke:#000;stroke-width:2}.win{fill:#2a2}.loss{fill:#c33}.axis{stroke:#555}"
    << ".map{fill:none;stroke:#2a7ae2;stroke-width:2}.k{display:inline-block;width:10px;height:10px}</style></head><body>";
  s << "<h1>Evaluation of " << Esc(r.new_side.model) << " against " << Esc(r.old_side.model) << "</h1>";
  s << "<p>Table " << Esc(r.table) << ", snapshot " << r.snapshot_id << ", " << Esc(r.mode) << " mode, k=" << r.k << ", " << r.queries
    << " queries (" << r.judged_queries << " judged), " << r.sample_rows << " rows compared. Report " << Esc(r.id) << ".</p>";
  if (r.mode == "shadow") {
    s << "<p>Migration job " << Esc(r.job_id) << ": " << r.pending_rows << " live rows not reached by the job yet";
    if (r.unpaired_rows > 0) s << ", " << r.unpaired_rows << " without one model's vector";
    s << " (not compared).</p>";
  }
  s << "<p><span class='k' style='background:#888'></span> old &nbsp; <span class='k' style='background:#2a7ae2'></span> new</p>";
  s << "<table><tr><th>model</th><th>recall@k</th><th>nDCG@k</th><th>MRR@k</th><th>top-1 p50</th><th>ms/query</th></tr>";
  for (const auto* side : {&r.old_side, &r.new_side}) {
    auto p50 = side->top1_percentiles.find("p50");
    s << "<tr><td>" << Esc(side->model) << "</td><td>" << Opt(side->recall) << "</td><td>" << Opt(side->ndcg) << "</td><td>" << Opt(side->mrr)
      << "</td><td>" << (p50 == side->top1_percentiles.end() ? "n/a" : F(p50->second)) << "</td><td>" << F(side->latency_ms_per_query, 2) << "</td></tr>";
  }
  s << "</table>";
  s << "<h2>Metrics (bars; whisker = 95% CI of new - old)</h2>" << MetricBars(r);
  if (!r.deltas.empty()) {
    s << "<table><tr><th>metric</th><th>old</th><th>new</th><th>new - old</th><th>95% CI</th></tr>";
    for (const auto& d : r.deltas) {
      s << "<tr><td>" << Esc(d.metric) << "</td><td>" << F(d.old_value) << "</td><td>" << F(d.new_value) << "</td><td>" << F(d.mean_diff)
        << "</td><td>[" << F(d.low) << ", " << F(d.high) << "]</td></tr>";
    }
    s << "</table><p>" << r.wins.size() << " queries better, " << r.losses.size() << " worse.</p>";
  }
  s << "<h2>Agreement</h2><p>overlap@k " << Opt(r.overlap) << ", rank-biased overlap (p=0.9) " << Opt(r.rbo) << "</p>";
  s << "<h2>Top-k distance histogram</h2>" << Histogram(r.old_side.topk_distances, r.new_side.topk_distances);
  s << "<h2>Per-query nDCG delta</h2>" << Deltas(r);
  s << "<h2>Threshold mapping</h2>" << Thresholds(r);
  if (r.estimated_seconds) {
    s << "<h2>Full migration estimate</h2><p>" << (r.estimated_texts ? std::to_string(*r.estimated_texts) : std::string("?")) << " texts, about "
      << F(*r.estimated_seconds, 0) << " s of embedding.</p>";
  }
  s << "</body></html>\n";
  return s.str();
}

}  // namespace ailake
