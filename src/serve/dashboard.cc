// GET /: the dashboard. One HTML page, CSS and JS inline, nothing fetched from anywhere but this
// server's own /v1 endpoints (relative URLs). Data is put in the page with textContent only.
// A bearer token, when the server needs one, is given in the URL fragment (#token=...), which the
// browser never sends; the page keeps it in sessionStorage and sends it as an Authorization header.
#include "serve/routes.h"

namespace ailake::serve {

const std::string& DashboardHtml() {
  static const std::string html = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:">
<title>ailake serve</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 .2em} h2{font-size:16px;margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.3em 0 1em;background:#fff}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;font-variant-numeric:tabular-nums}
th{background:#f0f0f0} .muted{color:#777} .err{color:#b00}
.card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:1em 0;background:#fff}
.bar{width:320px;height:12px;background:#eee;border-radius:6px;overflow:hidden;display:inline-block;vertical-align:middle}
.bar>div{height:100%;background:#3a7}
</style></head>
<body>
<h1>ailake serve</h1>
<div class="muted" id="warehouse">loading…</div>
<h2>Tables</h2>
<table id="tables"><thead><tr><th>table</th><th>model</th><th>dim</th><th>metric</th><th>snapshot</th>
<th>snapshots</th><th>live rows</th><th>files</th><th>migration</th></tr></thead><tbody></tbody></table>
<div id="details"></div>
<p class="muted">API: <a href="/openapi.json">/openapi.json</a> · updated <span id="updated">never</span></p>
<script>
"use strict";
(function () {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem("ailake_token", decodeURIComponent(m[1])); history.replaceState(null, "", location.pathname); }
})();
function api(path) {
  const h = {};
  const t = sessionStorage.getItem("ailake_token");
  if (t) h["Authorization"] = "Bearer " + t;
  // Ids are 64-bit: JSON numbers would lose digits in JS, so every "..._id": N becomes a string.
  return fetch(path, {headers: h}).then(r => r.text().then(t => ({status: r.status, body: JSON.parse(t.replace(/"(\w*_id)":(-?\d+)/g, '"$1":"$2"'))})));
}
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells, cls) { const tr = el("tr", null, cls); cells.forEach(c => tr.appendChild(c instanceof Node ? c : el("td", c))); return tr; }
function time(ms) { return ms ? new Date(ms).toISOString().replace(".000Z", "Z") : ""; }
function secs(s) { if (s === null || s === undefined || s < 0) return "–"; s = Math.round(s); return s >= 3600 ? Math.floor(s/3600) + "h" + Math.floor(s%3600/60) + "m" : s >= 60 ? Math.floor(s/60) + "m" + (s%60) + "s" : s + "s"; }
const tableNames = [];
function renderTables(j) {
  document.getElementById("warehouse").textContent = j.warehouse || "";
  const tb = document.querySelector("#tables tbody");
  tb.replaceChildren();
  tableNames.length = 0;
  (j.tables || []).forEach(t => {
    tableNames.push(t.name);
    if (t.error) { tb.appendChild(row([t.name, el("td", t.error, "err")])); return; }
    const tr = row([t.name, t.model, t.dim, t.metric, t.snapshot_id, t.snapshots, t.live_rows, t.data_files, t.running_migration || "none"]);
    tr.dataset.table = t.name;
    tb.appendChild(tr);
  });
}
function card(name) {
  const id = "card-" + name;
  let c = document.getElementById(id);
  if (!c) {
    c = el("div", null, "card"); c.id = id; c.dataset.table = name;
    c.appendChild(el("h2", name));
    ["migration", "eval", "snapshots"].forEach(k => { const d = el("div"); d.className = k; c.appendChild(d); });
    document.getElementById("details").appendChild(c);
  }
  return c;
}
function renderHistory(name, j) {
  const d = card(name).querySelector(".snapshots");
  d.replaceChildren(el("b", "Snapshots"));
  const t = el("table", null, "snapshots-table");
  t.appendChild(row([el("th", "snapshot"), el("th", "event"), el("th", "operation"), el("th", "time"), el("th", "+rows"), el("th", "-rows"), el("th", "live rows"), el("th", "current")]));
  (j.history || []).slice(-20).reverse().forEach(h => {
    const tr = row([h.snapshot_id, h.event, h.operation, time(h.made_current_ms), h.added_rows, h.removed_rows, h.total_live_rows, h.current ? "*" : ""], "snapshot");
    tr.dataset.snapshot = h.snapshot_id;
    t.appendChild(tr);
  });
  d.appendChild(t);
}
function renderMigration(name, r) {
  const d = card(name).querySelector(".migration");
  d.replaceChildren(el("b", "Migration: "));
  if (r.status === 404) { d.appendChild(el("span", "none", "muted")); return false; }
  if (r.status !== 200) { d.appendChild(el("span", (r.body.error || {}).message, "err")); return false; }
  const j = r.body, p = j.progress || {};
  d.appendChild(el("span", j.job_id + " · " + j.state + " · " + j.old_model.id + " → " + j.new_model.id + " (" + j.strategy + ")"));
  const bar = el("div", null, "bar"), fill = el("div");
  fill.style.width = Math.round(100 * (p.fraction || 0)) + "%"; bar.appendChild(fill);
  const t = el("table");
  t.appendChild(row(["progress", bar]));
  t.appendChild(row(["rows", j.rows.done + " / " + j.rows.total + " (committed " + j.rows.committed + ")"]));
  t.appendChild(row(["tasks", j.tasks.committed + " committed, " + j.tasks.finished + " finished, " + j.tasks.pending + " pending of " + j.tasks.total]));
  t.appendChild(row(["rows/s", p.rows_per_s === null || p.rows_per_s === undefined ? "–" : p.rows_per_s.toFixed(1)]));
  t.appendChild(row(["ETA", secs(p.eta_s)]));
  const e = p.embedder || {};
  const ms = v => (v === null || v === undefined) ? "–" : (v < 1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(0)) + " ms";
  const er = row(["embedder", e.spec || "user embedder"]);
  t.appendChild(er);
  const calls = row(["embed calls", (e.calls || 0) + " calls, " + (e.texts || 0) + " texts"], "embed-calls");
  calls.dataset.calls = e.calls || 0;
  t.appendChild(calls);
  const lat = row(["embed latency", "mean " + ms(e.mean_ms) + " · p95 " + ms(e.p95_ms) + " · max " + ms(e.max_ms)], "embed-latency");
  lat.dataset.meanMs = e.mean_ms || 0;
  t.appendChild(lat);
  const errs = row(["embed errors", (e.errors || 0) + " (" + (e.failed_calls || 0) + " failed calls, " + (e.retries || 0) + " retries)"], "embed-errors");
  errs.dataset.errors = e.errors || 0;
  if (e.errors) errs.lastChild.className = "err";
  t.appendChild(errs);
  if (e.last_error) t.appendChild(row(["last error", el("td", time(e.last_error_ms) + " " + e.last_error, "err")], "embed-last-error"));
  d.appendChild(t);
  return j.running;
}
function renderEval(name, r) {
  const d = card(name).querySelector(".eval");
  d.replaceChildren(el("b", "Evaluation: "));
  if (r.status !== 200) { d.appendChild(el("span", r.status === 404 ? "no report" : (r.body.error || {}).message, "muted")); return; }
  const a = el("a", r.body.path); a.href = "/v1/tables/" + encodeURIComponent(name) + "/eval";
  d.appendChild(a);
}
let running = new Set();
function refreshAll() {
  return api("/v1/tables").then(r => {
    if (r.status !== 200) { document.getElementById("warehouse").textContent = (r.body.error || {}).message || ("HTTP " + r.status); document.getElementById("warehouse").className = "err"; return; }
    renderTables(r.body);
    return Promise.all(tableNames.map(n => Promise.all([
      api("/v1/tables/" + encodeURIComponent(n) + "/history").then(h => h.status === 200 && renderHistory(n, h.body)),
      api("/v1/tables/" + encodeURIComponent(n) + "/migration").then(m => { if (renderMigration(n, m)) running.add(n); else running.delete(n); }),
      api("/v1/tables/" + encodeURIComponent(n) + "/eval").then(e => renderEval(n, e)),
    ])));
  }).then(() => { document.getElementById("updated").textContent = new Date().toISOString(); document.body.dataset.loaded = "1"; })
    .catch(e => { document.getElementById("warehouse").textContent = "error: " + e; });
}
function pollMigrations() {
  running.forEach(n => api("/v1/tables/" + encodeURIComponent(n) + "/migration").then(m => { if (!renderMigration(n, m)) running.delete(n); }));
}
refreshAll();
setInterval(pollMigrations, 2000);
setInterval(refreshAll, 15000);
</script>
</body></html>
)HTML";
  return html;
}

Result<Reply> HandleDashboard(ServeContext&, const RouteRequest&) {
  Reply r;
  r.content_type = "text/html; charset=utf-8";
  r.body = DashboardHtml();
  return r;
}

}  // namespace ailake::serve
