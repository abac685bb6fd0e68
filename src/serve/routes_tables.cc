// GET /v1/tables, /v1/tables/{name}, /v1/tables/{name}/history.
#include "serve/routes.h"

namespace ailake::serve {

Result<Reply> HandleListTables(ServeContext& ctx, const RouteRequest&) {
  AILAKE_ASSIGN_OR_RETURN(std::vector<std::string> names, ctx.warehouse.ListTables());
  Json tables = Json::array();
  for (const auto& name : names) {
    Json t = {{"name", name}};
    auto info = [&]() -> Result<TableInfo> {
      AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(name));
      return table->Info();
    }();
    if (info.ok()) {
      t["model"] = info->model.Id();
      t["dim"] = info->model.dim;
      t["metric"] = std::string(MetricName(info->model.metric));
      t["snapshot_id"] = info->snapshot_id;
      t["snapshot_ms"] = info->snapshot_ms;
      t["snapshots"] = info->snapshots;
      t["live_rows"] = info->live_rows;
      t["data_files"] = info->data_files;
      t["running_migration"] = info->running_migration;
    } else {
      t["error"] = info.status().message();  // one unreadable table does not hide the others
    }
    tables.push_back(std::move(t));
  }
  return Reply::Json({{"warehouse", ctx.warehouse.Describe()}, {"tables", tables}});
}

Result<Reply> HandleTableInfo(ServeContext& ctx, const RouteRequest& req) {
  AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(req.params.at(0)));
  AILAKE_ASSIGN_OR_RETURN(TableInfo info, table->Info());
  return Reply::Json(InfoJson(info));
}

Result<Reply> HandleHistory(ServeContext& ctx, const RouteRequest& req) {
  AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(req.params.at(0)));
  AILAKE_ASSIGN_OR_RETURN(std::vector<HistoryEntry> history, table->History());
  return Reply::Json({{"table", table->name()}, {"history", HistoryJson(history)}});
}

}  // namespace ailake::serve
