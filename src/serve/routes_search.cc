// POST /v1/tables/{name}/search: one vector, a batch of vectors, or text(s) for the server's
// embedder; the options of Table::Search (k, ef, where, columns, snapshot_id/as_of, exact, model,
// nprobe, probe_patience, adaptive_probe).
#include "ailake/time.h"
#include "serve/routes.h"

namespace ailake::serve {

namespace {

constexpr size_t kMaxDim = 65536;

Result<SearchOptions> ParseSearchOptions(const Fields& f, const ServeLimits& limits) {
  SearchOptions o;
  AILAKE_ASSIGN_OR_RETURN(auto k, f.Int("k", 1, INT64_MAX));
  if (k) {
    if (static_cast<uint64_t>(*k) > limits.max_k) {
      return Status::InvalidArgument("search: field 'k' is " + std::to_string(*k) + "; this server answers at most k = " +
                                     std::to_string(limits.max_k) + " (--max-k)");
    }
    o.k = static_cast<size_t>(*k);
  }
  AILAKE_ASSIGN_OR_RETURN(auto ef, f.Int("ef", 1, 100000));
  if (ef) o.ef = static_cast<size_t>(*ef);
  AILAKE_ASSIGN_OR_RETURN(auto nprobe, f.Int("nprobe", 1, 1000000));
  if (nprobe) o.nprobe = static_cast<size_t>(*nprobe);
  AILAKE_ASSIGN_OR_RETURN(auto patience, f.Int("probe_patience", 1, 1000000));
  if (patience) o.probe_patience = static_cast<size_t>(*patience);
  AILAKE_ASSIGN_OR_RETURN(auto adaptive, f.Number("adaptive_probe", 0, 1000));
  if (adaptive) o.adaptive_probe = *adaptive;
  AILAKE_ASSIGN_OR_RETURN(auto exact, f.Bool("exact"));
  if (exact) o.exact = *exact;
  AILAKE_ASSIGN_OR_RETURN(auto where, f.String("where"));
  if (where) o.where = *where;
  AILAKE_ASSIGN_OR_RETURN(auto model, f.String("model"));
  if (model) o.model = *model;
  AILAKE_ASSIGN_OR_RETURN(o.columns, f.StringList("columns", 1024));
  AILAKE_ASSIGN_OR_RETURN(auto snap, f.Int("snapshot_id", INT64_MIN, INT64_MAX));
  if (snap) o.snapshot_id = *snap;
  if (f.Has("as_of")) {
    if (snap) return Status::InvalidArgument("search: give snapshot_id or as_of, not both");
    const Json& v = f.Get("as_of");
    if (v.is_number_integer()) {
      o.as_of_ms = v.get<int64_t>();
    } else if (v.is_string()) {
      auto ms = ParseInstantMs(v.get<std::string>());
      if (!ms.ok()) return Status::InvalidArgument("search: field 'as_of': " + ms.status().message());
      o.as_of_ms = *ms;
    } else {
      return Status::InvalidArgument("search: field 'as_of' must be a time string or epoch milliseconds");
    }
  }
  return o;
}

// The query vectors of `vector` / `vectors`: n x dim, dim from the first vector.
Status ParseVectors(const Json& body, const ServeLimits& limits, std::vector<float>* out, size_t* n, size_t* dim) {
  if (body.contains("vector")) {
    const Json& v = body["vector"];
    if (!v.is_array() || v.empty() || v.size() > kMaxDim) {
      return Status::InvalidArgument("search: field 'vector' must be a non-empty array of at most " + std::to_string(kMaxDim) +
                                     " numbers");
    }
    *dim = v.size();
    *n = 1;
    out->reserve(*dim);
    return AppendVector(v, "vector", *dim, out);
  }
  const Json& vs = body["vectors"];
  if (!vs.is_array() || vs.empty()) return Status::InvalidArgument("search: field 'vectors' must be a non-empty array of arrays");
  if (vs.size() > limits.max_queries) {
    return Status::InvalidArgument("search: " + std::to_string(vs.size()) + " query vectors; at most " +
                                   std::to_string(limits.max_queries) + " per request");
  }
  if (!vs[0].is_array() || vs[0].empty() || vs[0].size() > kMaxDim) {
    return Status::InvalidArgument("search: field 'vectors[0]' must be a non-empty array of at most " + std::to_string(kMaxDim) +
                                   " numbers");
  }
  *dim = vs[0].size();
  *n = vs.size();
  out->reserve(*n * *dim);
  for (size_t i = 0; i < vs.size(); ++i) {
    AILAKE_RETURN_IF_ERROR(AppendVector(vs[i], "vectors[" + std::to_string(i) + "]", *dim, out));
  }
  return Status::OK();
}

}  // namespace

Result<Reply> HandleSearch(ServeContext& ctx, const RouteRequest& req) {
  AILAKE_ASSIGN_OR_RETURN(Json body, ParseBody(req.body, ctx.limits.max_json_depth));
  Fields f(body, "search");
  AILAKE_RETURN_IF_ERROR(f.OnlyKnown({"vector", "vectors", "text", "texts", "k", "ef", "where", "columns", "snapshot_id",
                                      "as_of", "exact", "model", "nprobe", "probe_patience", "adaptive_probe"}));
  const int given = int(f.Has("vector")) + int(f.Has("vectors")) + int(f.Has("text")) + int(f.Has("texts"));
  if (given != 1) {
    return Status::InvalidArgument("search: give exactly one of 'vector', 'vectors', 'text', 'texts' (got " +
                                   std::to_string(given) + ")");
  }
  AILAKE_ASSIGN_OR_RETURN(SearchOptions options, ParseSearchOptions(f, ctx.limits));
  AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(req.params.at(0)));
  const bool batch = f.Has("vectors") || f.Has("texts");
  std::vector<SearchResult> results;
  if (f.Has("text") || f.Has("texts")) {
    std::vector<std::string> texts;
    if (f.Has("text")) {
      AILAKE_ASSIGN_OR_RETURN(auto t, f.String("text"));
      texts.push_back(*t);
    } else {
      AILAKE_ASSIGN_OR_RETURN(texts, f.StringList("texts", ctx.limits.max_queries));
      if (texts.empty()) return Status::InvalidArgument("search: field 'texts' is empty");
    }
    for (size_t i = 0; i < texts.size(); ++i) {
      if (texts[i].empty()) return Status::InvalidArgument("search: query text " + std::to_string(i) + " is empty");
    }
    if (ctx.embedder == nullptr) {
      return Status::InvalidArgument("search: text queries need an embedder; start the server with --embedder SPEC, "
                                     "or send 'vector'/'vectors'");
    }
    AILAKE_ASSIGN_OR_RETURN(results, table->SearchText(texts, *ctx.embedder, options));
  } else {
    std::vector<float> q;
    size_t n = 0, dim = 0;
    AILAKE_RETURN_IF_ERROR(ParseVectors(body, ctx.limits, &q, &n, &dim));
    if (n == 1 && !batch) {
      AILAKE_ASSIGN_OR_RETURN(SearchResult r, table->Search(q.data(), dim, options));
      results.push_back(std::move(r));
    } else {
      AILAKE_ASSIGN_OR_RETURN(results, table->SearchBatch(q.data(), n, dim, options));
    }
  }
  if (!batch) {
    if (results.size() != 1) return Status::Internal("search: expected one result, got " + std::to_string(results.size()));
    Json out = SearchJson(results[0]);
    out["table"] = table->name();
    return Reply::Json(out);
  }
  Json arr = Json::array();
  for (const auto& r : results) arr.push_back(SearchJson(r));
  return Reply::Json({{"table", table->name()}, {"results", arr}});
}

}  // namespace ailake::serve
