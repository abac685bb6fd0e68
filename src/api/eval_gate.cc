// The cutover gate (`ailake migrate commit --require EXPR`, docs/EVAL.md#gate): a small grammar
//   EXPR := METRIC '@' K OP RHS      METRIC := ndcg | recall | mrr | overlap | rbo
//   OP := >= | > | <= | <            RHS := NUMBER | old | old+NUMBER | old-NUMBER
// checked against the table's latest evaluation report for the job's new model.
#include <cctype>
#include <cmath>
#include <sstream>

#include "ailake/eval.h"

namespace ailake {
namespace {

struct Gate {
  std::string metric;
  size_t k = 0;
  std::string op;
  bool relative = false;  // RHS is old (+ offset)
  double value = 0;       // the number, or the offset from old
};

std::string Strip(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

bool ParseNumber(const std::string& s, double* out) {
  if (s.empty()) return false;
  try {
    size_t used = 0;
    *out = std::stod(s, &used);
    return used == s.size() && std::isfinite(*out);
  } catch (const std::exception&) {
    return false;
  }
}

Result<Gate> ParseGate(const std::string& expr) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("--require '" + expr + "': " + why +
                                   " (expected METRIC@K OP VALUE, e.g. 'ndcg@10>=old', 'overlap@10>=0.8', 'mrr@10>=old-0.01')");
  };
  const std::string s = Strip(expr);
  const size_t op_at = s.find_first_of("<>");
  if (op_at == std::string::npos) return bad("no comparison (>=, >, <=, <)");
  Gate g;
  g.op = s.substr(op_at, s.size() > op_at + 1 && s[op_at + 1] == '=' ? 2 : 1);
  const std::string lhs = s.substr(0, op_at), rhs = s.substr(op_at + g.op.size());
  if (!lhs.empty() && (lhs.back() == '=' || lhs.back() == '!')) return bad("unknown comparison (use >=, >, <=, <)");
  const size_t at = lhs.find('@');
  if (at == std::string::npos) return bad("the metric needs @K");
  g.metric = lhs.substr(0, at);
  for (auto& c : g.metric) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (g.metric != "ndcg" && g.metric != "recall" && g.metric != "mrr" && g.metric != "overlap" && g.metric != "rbo") {
    return bad("unknown metric '" + g.metric + "' (ndcg, recall, mrr, overlap, rbo)");
  }
  double k = 0;
  if (!ParseNumber(lhs.substr(at + 1), &k) || k < 1 || k != std::floor(k)) return bad("K must be a positive integer");
  g.k = static_cast<size_t>(k);
  if (rhs.rfind("old", 0) == 0) {
    if (g.metric == "overlap" || g.metric == "rbo") return bad(g.metric + " compares the two models already; give a number");
    g.relative = true;
    const std::string rest = rhs.substr(3);
    if (!rest.empty() && (rest[0] != '+' && rest[0] != '-')) return bad("after 'old' only +N or -N");
    if (!rest.empty() && !ParseNumber(rest, &g.value)) return bad("'" + rest + "' is not a number");
  } else if (!ParseNumber(rhs, &g.value)) {
    return bad("'" + rhs + "' is neither a number nor old[+-N]");
  }
  return g;
}

bool Compare(double a, const std::string& op, double b) {
  if (op == ">=") return a >= b;
  if (op == ">") return a > b;
  if (op == "<=") return a <= b;
  return a < b;
}

std::string Num(double v) {
  std::ostringstream os;
  os.precision(4);
  os << std::fixed << v;
  return os.str();
}

}  // namespace

Status CheckEvalGate(Table& table, const std::string& expr, const std::string& new_model) {
  AILAKE_ASSIGN_OR_RETURN(Gate g, ParseGate(expr));
  auto report = LatestEvalReport(table);
  if (!report.ok()) return Status::Aborted("--require '" + expr + "': " + report.status().message());
  const EvalReport& r = *report;
  if (r.new_side.model != new_model) {
    return Status::Aborted("--require '" + expr + "': the latest evaluation report (" + r.path + ") is for model '" + r.new_side.model +
                           "', the migration's new model is '" + new_model + "'; run 'ailake eval' with the job's embedder first");
  }
  if (r.k < g.k) {
    return Status::Aborted("--require '" + expr + "': the latest evaluation report has k=" + std::to_string(r.k) +
                           ", fewer than the " + std::to_string(g.k) + " the gate needs; run 'ailake eval --k " + std::to_string(g.k) + "'");
  }
  if (r.k != g.k) {
    return Status::Aborted("--require '" + expr + "': the latest evaluation report was computed at k=" + std::to_string(r.k));
  }
  double lhs = 0, rhs = g.value;
  std::string detail;
  if (g.metric == "overlap" || g.metric == "rbo") {
    const auto v = g.metric == "overlap" ? r.overlap : r.rbo;
    if (!v) return Status::Aborted("--require '" + expr + "': the report holds no " + g.metric);
    lhs = *v;
    detail = g.metric + "@" + std::to_string(g.k) + " = " + Num(lhs);
  } else {
    const std::string name = g.metric + "@" + std::to_string(g.k);
    const EvalDelta* d = nullptr;
    for (const auto& x : r.deltas) {
      if (x.metric == name) d = &x;
    }
    if (!d) return Status::Aborted("--require '" + expr + "': the latest report has no " + name + " (it needs --qrels judgments)");
    lhs = d->new_value;
    if (g.relative) rhs = d->old_value + g.value;
    detail = name + " new " + Num(d->new_value) + " vs old " + Num(d->old_value) + " (95% CI of the difference [" + Num(d->low) +
             ", " + Num(d->high) + "])";
  }
  if (!Compare(lhs, g.op, rhs)) {
    return Status::Aborted("cutover refused by --require '" + expr + "': " + detail + "; needs " + g.op + " " + Num(rhs) +
                           " (report " + r.path + ")");
  }
  return Status::OK();
}

}  // namespace ailake
