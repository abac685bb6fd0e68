// GET /openapi.json: an OpenAPI 3.0 document generated from the route table (routes.cc), so every
// served route is described and nothing else is.
#include <cctype>
#include <map>

#include "ailake/version.h"
#include "serve/routes.h"

namespace ailake::serve {

namespace {

Json ErrorResponse(const char* description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

}  // namespace

std::string OpenApiDocument(const std::vector<Route>& routes) {
  Json paths = Json::object();
  for (const Route& r : routes) {
    Json op = {{"operationId", r.operation_id}, {"summary", r.summary}};
    Json params = Json::array();
    const std::string path = r.path;
    for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
      const size_t close = path.find('}', open);
      params.push_back({{"name", path.substr(open + 1, close - open - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"description", "table name: NAME or NAMESPACE.NAME"},
                        {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (r.request_schema != nullptr) {
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", Json::parse(r.request_schema)}}}}}};
    }
    Json responses = {{"200", {{"description", "OK"}, {"content", {{r.response_type, {{"schema", Json::parse(r.response_schema)}}}}}}}};
    if (r.request_schema != nullptr) {
      responses["400"] = ErrorResponse("invalid request (the message names the field)");
      responses["413"] = ErrorResponse("request body larger than --max-body-bytes");
      responses["409"] = ErrorResponse("a conflicting commit or a duplicate id");
    }
    if (!params.empty()) responses["404"] = ErrorResponse("no such table (or no such migration / evaluation report)");
    if (r.auth) responses["401"] = ErrorResponse("missing or wrong bearer token");
    if (r.admitted) responses["503"] = ErrorResponse("too many requests in flight (--max-concurrency); see Retry-After");
    responses["500"] = ErrorResponse("internal failure (the message names it)");
    op["responses"] = responses;
    if (r.auth) op["security"] = Json::array({{{"bearer", Json::array()}}});
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[path][method] = op;
  }
  Json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "ailake serve"},
        {"version", Version()},
        {"description", "Search, write and watch ailake tables over HTTP/JSON (docs/SERVE.md)."}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"required", {"error"}},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"required", {"code", "message"}},
                {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}}}};
  return doc.dump(2);
}

Result<Reply> HandleOpenApi(ServeContext&, const RouteRequest&) {
  Reply r;
  r.body = OpenApiDocument(AllRoutes());
  return r;
}

}  // namespace ailake::serve
