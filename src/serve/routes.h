// The route table of `ailake serve`: every endpoint once, with what the OpenAPI document says about
// it and the handler that answers it. server.cc registers these with HTTP; openapi.cc describes
// exactly these, so the document never drifts from what is served.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "serve/json_codec.h"
#include "serve/serve_context.h"

namespace ailake::serve {

struct RouteRequest {
  std::vector<std::string> params;  // path parameters, in order ({name})
  std::string_view body;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  static Reply Json(const serve::Json& j, int status = 200);
};

struct Route {
  const char* method;         // "GET" | "POST"
  const char* path;           // OpenAPI path template: "/v1/tables/{name}/search"
  const char* operation_id;
  const char* summary;
  bool auth;                  // needs the bearer token when the server has one (every /v1/ route)
  bool admitted;              // counts against --max-concurrency (503 beyond it)
  const char* request_schema;   // OpenAPI schema of the JSON body (JSON text), nullptr = no body
  const char* response_schema;  // OpenAPI schema of the 200 answer (JSON text)
  const char* response_type;    // "application/json" or "text/html"
  Result<Reply> (*handler)(ServeContext& ctx, const RouteRequest& req);
};

const std::vector<Route>& AllRoutes();
// The path template as an anchored regex: {x} matches a table name.
std::string PathRegex(std::string_view templ);

// Handlers (routes_*.cc, openapi.cc, dashboard.cc).
Result<Reply> HandleListTables(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleTableInfo(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleHistory(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleSearch(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleInsertRows(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleDelete(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleMigration(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleEval(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleHealth(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleOpenApi(ServeContext& ctx, const RouteRequest& req);
Result<Reply> HandleDashboard(ServeContext& ctx, const RouteRequest& req);

// The OpenAPI 3 document for `routes` (valid JSON).
std::string OpenApiDocument(const std::vector<Route>& routes);
// The dashboard page: one self-contained HTML document (inline CSS and JS, no external request).
const std::string& DashboardHtml();

}  // namespace ailake::serve
