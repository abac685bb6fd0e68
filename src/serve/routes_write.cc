// POST /v1/tables/{name}/rows (insert / upsert) and /v1/tables/{name}/delete.
#include "serve/routes.h"

namespace ailake::serve {

Result<Reply> HandleInsertRows(ServeContext& ctx, const RouteRequest& req) {
  AILAKE_ASSIGN_OR_RETURN(Json body, ParseBody(req.body, ctx.limits.max_json_depth));
  Fields f(body, "rows");
  AILAKE_RETURN_IF_ERROR(f.OnlyKnown({"rows", "mode", "generate_ids"}));
  if (!f.Has("rows")) return Status::InvalidArgument("rows: field 'rows' is required (an array of row objects)");
  WriteOptions options;
  AILAKE_ASSIGN_OR_RETURN(auto mode, f.String("mode"));
  if (mode) {
    auto m = ParseWriteMode(*mode);
    if (!m.ok()) return Status::InvalidArgument("rows: field 'mode': " + m.status().message());
    options.mode = *m;
  }
  AILAKE_ASSIGN_OR_RETURN(auto gen, f.Bool("generate_ids"));
  if (gen) options.generate_ids = *gen;
  AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(req.params.at(0)));
  AILAKE_ASSIGN_OR_RETURN(TableInfo info, table->Info());
  AILAKE_ASSIGN_OR_RETURN(RowsInput in, RowsFromJson(body["rows"], info.vector_column, info.model.dim, ctx.limits.max_rows));
  const size_t n = in.batch.num_rows();
  if (in.with_vector < n) {
    // Rows without a vector are embedded from their text (or kept without one when the text is null).
    options.embedder = ctx.embedder;
  }
  AILAKE_ASSIGN_OR_RETURN(WriteResult w, table->Add(in.batch, in.vectors.data(), info.model.dim, options));
  Json out = WriteJson(w);
  out["table"] = table->name();
  out["mode"] = std::string(WriteModeName(options.mode));
  return Reply::Json(out);
}

Result<Reply> HandleDelete(ServeContext& ctx, const RouteRequest& req) {
  AILAKE_ASSIGN_OR_RETURN(Json body, ParseBody(req.body, ctx.limits.max_json_depth));
  Fields f(body, "delete");
  AILAKE_RETURN_IF_ERROR(f.OnlyKnown({"where", "ids"}));
  if (f.Has("where") == f.Has("ids")) return Status::InvalidArgument("delete: give exactly one of 'where' and 'ids'");
  AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(req.params.at(0)));
  DeleteResult r;
  if (f.Has("where")) {
    AILAKE_ASSIGN_OR_RETURN(auto where_field, f.String("where"));
    const std::string where = where_field.value_or("");
    if (where.empty()) return Status::InvalidArgument("delete: field 'where' is empty");
    AILAKE_ASSIGN_OR_RETURN(r, table->Delete(where));
  } else {
    AILAKE_ASSIGN_OR_RETURN(auto ids, f.StringList("ids", ctx.limits.max_rows));
    if (ids.empty()) return Status::InvalidArgument("delete: field 'ids' is empty");
    AILAKE_ASSIGN_OR_RETURN(r, table->DeleteIds(ids));
  }
  Json out = DeleteJson(r);
  out["table"] = table->name();
  return Reply::Json(out);
}

}  // namespace ailake::serve
