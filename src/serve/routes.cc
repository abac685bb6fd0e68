#include "serve/routes.h"

namespace ailake::serve {

Reply Reply::Json(const serve::Json& j, int status) {
  Reply r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, serve::Json::error_handler_t::replace);
  return r;
}

std::string PathRegex(std::string_view templ) {
  std::string out;
  for (size_t i = 0; i < templ.size(); ++i) {
    const char c = templ[i];
    if (c == '{') {
      const size_t close = templ.find('}', i);
      i = close;
      out += "([A-Za-z0-9][A-Za-z0-9_.\\-]{0,255})";
    } else if (c == '.' || c == '-') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// ---- OpenAPI schemas (JSON text) ------------------------------------------------------------

constexpr const char* kObject = R"({"type": "object"})";

constexpr const char* kTableList = R"({"type": "object", "required": ["tables"], "properties": {
  "tables": {"type": "array", "items": {"type": "object", "properties": {
    "name": {"type": "string"}, "model": {"type": "string"}, "dim": {"type": "integer"},
    "snapshot_id": {"type": "integer"}, "live_rows": {"type": "integer"},
    "running_migration": {"type": "string"}, "error": {"type": "string"}}}}}})";

constexpr const char* kInfo = R"({"type": "object", "properties": {
  "table": {"type": "string"}, "location": {"type": "string"}, "uuid": {"type": "string"},
  "vector_column": {"type": "object"}, "text_column": {"type": "string"},
  "model": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
    "version": {"type": "string"}, "dim": {"type": "integer"}, "metric": {"type": "string"}}},
  "snapshot_id": {"type": "integer"}, "snapshot_ms": {"type": "integer"}, "snapshots": {"type": "integer"},
  "data_files": {"type": "integer"}, "delete_files": {"type": "integer"}, "rows": {"type": "integer"},
  "deleted_rows": {"type": "integer"}, "live_rows": {"type": "integer"}, "data_bytes": {"type": "integer"},
  "schema_id": {"type": "integer"}, "schema": {"type": "array", "items": {"type": "object"}},
  "running_migration": {"type": "string"}}})";

constexpr const char* kHistory = R"({"type": "object", "properties": {"table": {"type": "string"},
  "history": {"type": "array", "items": {"type": "object", "properties": {
    "event": {"type": "string", "enum": ["commit", "rollback"]}, "snapshot_id": {"type": "integer"},
    "parent_snapshot_id": {"type": "integer"}, "sequence_number": {"type": "integer"},
    "timestamp_ms": {"type": "integer"}, "made_current_ms": {"type": "integer"}, "operation": {"type": "string"},
    "added_rows": {"type": "integer"}, "removed_rows": {"type": "integer"}, "total_live_rows": {"type": "integer"},
    "current": {"type": "boolean"}, "summary": {"type": "object"}}}}}})";

constexpr const char* kSearchRequest = R"({"type": "object", "description":
  "Exactly one of vector, vectors, text, texts. Text needs the server's --embedder.",
  "properties": {
    "vector": {"type": "array", "items": {"type": "number"}},
    "vectors": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
    "text": {"type": "string"}, "texts": {"type": "array", "items": {"type": "string"}},
    "k": {"type": "integer", "minimum": 1, "default": 10}, "ef": {"type": "integer", "minimum": 1, "default": 64},
    "where": {"type": "string"}, "columns": {"type": "array", "items": {"type": "string"}},
    "snapshot_id": {"type": "integer"}, "as_of": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "exact": {"type": "boolean", "default": false}, "model": {"type": "string"},
    "nprobe": {"type": "integer", "minimum": 1, "description": "search only the N files of nearest centroid"},
    "probe_patience": {"type": "integer", "minimum": 1,
      "description": "stop a search lane once this many of its files in a row add no hit"},
    "adaptive_probe": {"type": "number", "minimum": 0, "maximum": 1000, "default": 0,
      "description": "adaptive probing: search the nearest region first, then another only while the query lies within this factor x the k-th best distance of their boundary; 0 = off"}}})";

constexpr const char* kSearchResult = R"({"type": "object", "properties": {
  "snapshot_id": {"type": "integer"},
  "hits": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"},
    "distance": {"type": "number"}, "values": {"type": "object"}}}},
  "files": {"type": "object"}, "row_groups_skipped": {"type": "integer"},
  "results": {"type": "array", "description": "batch requests (vectors, texts): one result per query",
    "items": {"type": "object"}}}})";

constexpr const char* kRowsRequest = R"({"type": "object", "required": ["rows"], "properties": {
  "rows": {"type": "array", "items": {"type": "object", "description":
    "id, the text column, the vector column (array of numbers; absent or null = embedded from the text with the server's --embedder), doc_id, metadata, typed columns; other fields merge into metadata"}},
  "mode": {"type": "string", "enum": ["error-on-duplicate", "upsert", "insert-new", "append"], "default": "error-on-duplicate"},
  "generate_ids": {"type": "boolean", "default": false}}})";

constexpr const char* kWriteResult = R"({"type": "object", "properties": {"table": {"type": "string"},
  "mode": {"type": "string"}, "committed": {"type": "boolean"}, "snapshot_id": {"type": "integer"},
  "rows": {"type": "integer"}, "embedded": {"type": "integer"}, "without_vector": {"type": "integer"},
  "skipped_existing": {"type": "integer"}, "replaced": {"type": "integer"}, "files": {"type": "integer"},
  "data_files_removed": {"type": "integer"}, "replans": {"type": "integer"}, "commit_attempts": {"type": "integer"}}})";

constexpr const char* kDeleteRequest = R"({"type": "object", "description": "Exactly one of where, ids.",
  "properties": {"where": {"type": "string"}, "ids": {"type": "array", "items": {"type": "string"}}}})";

constexpr const char* kDeleteResult = R"({"type": "object", "properties": {"table": {"type": "string"},
  "committed": {"type": "boolean"}, "snapshot_id": {"type": "integer"}, "rows_deleted": {"type": "integer"},
  "delete_files": {"type": "integer"}, "data_files_removed": {"type": "integer"},
  "unknown_ids": {"type": "array", "items": {"type": "string"}}}})";

constexpr const char* kMigration = R"J({"type": "object", "properties": {"table": {"type": "string"},
  "job_id": {"type": "string"}, "state": {"type": "string"}, "running": {"type": "boolean"},
  "created_ms": {"type": "integer"}, "finished_ms": {"type": "integer"}, "strategy": {"type": "string"},
  "old_model": {"type": "object"}, "new_model": {"type": "object"},
  "tasks": {"type": "object"}, "rows": {"type": "object"},
  "progress": {"type": "object", "properties": {"fraction": {"type": "number"}, "rows_per_s": {"type": "number", "nullable": true},
    "eta_s": {"type": "number", "nullable": true},
    "embedder": {"type": "object", "description": "the job's embedding calls so far, from every process that ran its tasks: counted per finished task (and per failed or stopped run), so a task still running is not in them yet",
      "properties": {"spec": {"type": "string", "description": "the redacted embedder spec (empty for a user embedder)"},
      "calls": {"type": "integer"}, "texts": {"type": "integer"},
      "failed_calls": {"type": "integer", "description": "calls that returned an error or invalid vectors"},
      "retries": {"type": "integer", "description": "requests the embedder repeated inside calls (http: 429, 5xx, timeouts)"},
      "errors": {"type": "integer", "description": "failed_calls + retries"},
      "mean_ms": {"type": "number", "description": "mean latency per call (one batch)"},
      "p95_ms": {"type": "number", "description": "95th percentile latency per call, from a 16-bucket histogram"},
      "max_ms": {"type": "number"},
      "last_error": {"type": "string", "description": "the last error, redacted; empty when none"},
      "last_error_ms": {"type": "integer"}}}}}}})J";

constexpr const char* kEval = R"({"type": "object", "properties": {"table": {"type": "string"},
  "path": {"type": "string", "description": "the report's path inside the table folder"},
  "report": {"type": "object"}}})";

constexpr const char* kHealth = R"({"type": "object", "properties": {"status": {"type": "string"},
  "requests": {"type": "integer"}, "in_flight": {"type": "integer"}, "refused": {"type": "integer"},
  "warm_tables": {"type": "integer"},
  "manifest_cache": {"type": "object", "description": "the process's cache of decoded Iceberg manifests, bounded by --manifest-cache-mb",
    "properties": {"capacity_bytes": {"type": "integer"}, "bytes": {"type": "integer"}, "entries": {"type": "integer"},
      "hits": {"type": "integer"}, "misses": {"type": "integer"}}},
  "uptime_s": {"type": "number"}}})";

constexpr const char* kHtml = R"({"type": "string"})";

}  // namespace

const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> routes = {
      {"GET", "/v1/tables", "listTables", "The warehouse's tables with their model and current snapshot", true, true,
       nullptr, kTableList, "application/json", HandleListTables},
      {"GET", "/v1/tables/{name}", "tableInfo", "A table's location, snapshot, rows, files, model and schema", true, true,
       nullptr, kInfo, "application/json", HandleTableInfo},
      {"GET", "/v1/tables/{name}/history", "tableHistory", "The table's snapshot log (commits and rollbacks)", true, true,
       nullptr, kHistory, "application/json", HandleHistory},
      {"POST", "/v1/tables/{name}/search", "search",
       "k nearest rows to a vector, a batch of vectors, or text(s) embedded by the server's embedder", true, true,
       kSearchRequest, kSearchResult, "application/json", HandleSearch},
      {"POST", "/v1/tables/{name}/rows", "insertRows", "Insert or upsert rows (with vectors, or texts to embed) in one commit",
       true, true, kRowsRequest, kWriteResult, "application/json", HandleInsertRows},
      {"POST", "/v1/tables/{name}/delete", "deleteRows", "Delete rows matching a predicate, or by id, in one commit", true,
       true, kDeleteRequest, kDeleteResult, "application/json", HandleDelete},
      {"GET", "/v1/tables/{name}/migration", "migrationStatus",
       "The running (else latest) migration: tasks, rows, rows/s, ETA and embedder calls, latency and errors", true, true, nullptr, kMigration,
       "application/json", HandleMigration},
      {"GET", "/v1/tables/{name}/eval", "latestEval", "The latest evaluation report stored under the table (404 when none)",
       true, true, nullptr, kEval, "application/json", HandleEval},
      {"GET", "/openapi.json", "openapi", "This document", false, true, nullptr, kObject, "application/json", HandleOpenApi},
      {"GET", "/healthz", "health", "Liveness and request counters (never refused for load)", false, false, nullptr, kHealth,
       "application/json", HandleHealth},
      {"GET", "/", "dashboard", "The dashboard page (self-contained HTML)", false, true, nullptr, kHtml, "text/html",
       HandleDashboard},
  };
  return routes;
}

}  // namespace ailake::serve
