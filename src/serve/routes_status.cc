// GET /v1/tables/{name}/migration, /v1/tables/{name}/eval, /healthz.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ailake/migration.h"
#include "ailake/warehouse.h"
#include "serve/routes.h"

namespace ailake::serve {

namespace {
namespace fs = std::filesystem;

constexpr uintmax_t kMaxReportBytes = 16ull << 20;

// The local folder of a table location ("/abs", "file:/abs", "file:///abs"); empty when not local.
std::string LocalFolder(const std::string& location) {
  if (location.rfind("file://", 0) == 0) return location.substr(7);
  if (location.rfind("file:", 0) == 0) return location.substr(5);
  if (location.rfind("local:", 0) == 0) return location.substr(6);
  if (!location.empty() && location[0] == '/') return location;
  return "";
}

// `rel` resolved inside `root` (no absolute path, no "..", no symlink leading out), or an error.
Result<fs::path> Inside(const fs::path& root, const std::string& rel) {
  fs::path p(rel);
  if (rel.empty() || p.is_absolute()) return Status::InvalidArgument("eval report path '" + rel + "' must be relative to the table folder");
  for (const auto& part : p) {
    if (part == "..") return Status::InvalidArgument("eval report path '" + rel + "' must not contain '..'");
  }
  std::error_code ec;
  const fs::path canon_root = fs::weakly_canonical(root, ec);
  const fs::path canon = fs::weakly_canonical(root / p, ec);
  if (ec) return Status::NotFound("eval report '" + rel + "' cannot be resolved: " + ec.message());
  auto mismatch = std::mismatch(canon_root.begin(), canon_root.end(), canon.begin(), canon.end());
  if (mismatch.first != canon_root.end()) return Status::InvalidArgument("eval report path '" + rel + "' leads outside the table folder");
  return canon;
}

}  // namespace

Result<Reply> HandleMigration(ServeContext& ctx, const RouteRequest& req) {
  AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(req.params.at(0)));
  auto job = Migration::LoadLatest(*table);
  if (!job.ok()) {
    if (job.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("table '" + table->name() + "' has no migration (start one with 'ailake migrate')");
    }
    return job.status();
  }
  AILAKE_ASSIGN_OR_RETURN(MigrationStatus st, (*job)->GetStatus());
  Json out = MigrationStatusJson(st);
  out["table"] = table->name();
  Json progress = {{"fraction", st.rows_total > 0 ? static_cast<double>(st.rows_done) / static_cast<double>(st.rows_total) : 0.0}};
  if (st.running) {
    auto rate = ctx.rates.Observe(st.job.job_id, st.rows_done, st.rows_total);
    progress["rows_per_s"] = rate.rows_per_s;
    progress["eta_s"] = rate.eta_s;
  } else {
    progress["rows_per_s"] = nullptr;
    progress["eta_s"] = nullptr;
  }
  // Persisted per finished task (and per failed run), so they come from whichever process migrates.
  progress["embedder"] = EmbedderStatsJson(st);
  out["progress"] = progress;
  return Reply::Json(out);
}

Result<Reply> HandleEval(ServeContext& ctx, const RouteRequest& req) {
  AILAKE_ASSIGN_OR_RETURN(auto table, ctx.tables.Get(req.params.at(0)));
  AILAKE_ASSIGN_OR_RETURN(TableInfo info, table->Info());
  const std::string folder = LocalFolder(info.location);
  if (folder.empty()) {
    return Status::NotFound("table '" + info.name + "': evaluation reports are read from local warehouses only (location " +
                            info.location + ")");
  }
  const fs::path root(folder);
  std::string rel;
  auto prop = info.properties.find("ailake.eval.latest-report");
  if (prop != info.properties.end() && !prop->second.empty()) {
    rel = prop->second;
  } else {
    // Newest by name (reports are named by their time) among eval/*.json.
    std::error_code ec;
    for (fs::directory_iterator it(root / "eval", ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      if (p.extension() == ".json" && it->is_regular_file(ec)) {
        const std::string name = "eval/" + p.filename().string();
        if (name > rel) rel = name;
      }
    }
    if (rel.empty()) {
      return Status::NotFound("table '" + info.name + "' has no evaluation report (none under eval/ in its folder and no "
                              "'ailake.eval.latest-report' property); run 'ailake eval' first");
    }
  }
  AILAKE_ASSIGN_OR_RETURN(fs::path path, Inside(root, rel));
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return Status::NotFound("table '" + info.name + "': evaluation report '" + rel + "' is missing");
  if (size > kMaxReportBytes) return Status::ResourceExhausted("evaluation report '" + rel + "' is larger than 16 MiB");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  Json report = Json::parse(ss.str(), nullptr, false);
  if (report.is_discarded()) return Status::Corruption("evaluation report '" + rel + "' is not valid JSON");
  return Reply::Json({{"table", info.name}, {"path", rel}, {"report", report}});
}

Result<Reply> HandleHealth(ServeContext& ctx, const RouteRequest&) {
  const double up = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started).count();
  const ManifestCacheStats mc = GetManifestCacheStats();
  return Reply::Json({{"status", "ok"},
                      {"requests", ctx.requests.load()},
                      {"in_flight", ctx.gate.in_flight()},
                      {"refused", ctx.gate.refused()},
                      {"warm_tables", ctx.tables.open_count()},
                      {"manifest_cache", {{"capacity_bytes", mc.capacity_bytes},
                                          {"bytes", mc.bytes},
                                          {"entries", mc.entries},
                                          {"hits", mc.hits},
                                          {"misses", mc.misses}}},
                      {"uptime_s", up}});
}

}  // namespace ailake::serve
