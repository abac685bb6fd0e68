// `ailake compact TABLE`: merge small files and apply deletes (table/compact.h).
#include <nlohmann/json.hpp>
#include <ostream>

#include "ailake/table.h"
#include "cli/commands.h"
#include "cli/table_context.h"

namespace ailake::cli {

namespace {

// The plan of a compaction, from the public CompactResult (its plan_* fields and groups).
nlohmann::json PlanJson(const CompactResult& p) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : p.plan) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& s : g.sources) {
      files.push_back({{"location", s.location}, {"rows", s.rows}, {"deleted_rows", s.deleted_rows}, {"bytes", s.bytes}});
    }
    groups.push_back({{"layout", g.layout},
                      {"files_in", g.sources.size()},
                      {"files_out", g.files_out},
                      {"rows_in", g.rows_in},
                      {"deleted_rows", g.deleted_rows},
                      {"live_rows", g.live_rows},
                      {"bytes_in", g.bytes_in},
                      {"delete_files", g.delete_files},
                      {"files", files}});
  }
  return {{"snapshot_id", p.plan_snapshot_id},
          {"target_file_rows", p.target_file_rows},
          {"target_file_bytes", p.target_file_bytes},
          {"live_files", p.live_files},
          {"candidates", p.candidates},
          {"groups", groups}};
}

void PrintPlan(const CompactResult& p, std::ostream& out) {
  out << "plan on snapshot " << p.plan_snapshot_id << ": " << p.live_files << " live data file(s), " << p.candidates
      << " small or with deletes; target " << p.target_file_rows << " rows"
      << (p.target_file_bytes > 0 ? " / " + std::to_string(p.target_file_bytes) + " bytes" : std::string()) << "\n";
  for (size_t i = 0; i < p.plan.size(); ++i) {
    const auto& g = p.plan[i];
    out << "  group " << (i + 1) << " [" << g.layout << "]: " << g.sources.size() << " file(s) in -> " << g.files_out
        << " out; " << g.rows_in << " rows, " << g.deleted_rows << " deleted, " << g.live_rows << " live; "
        << g.bytes_in << " bytes in; " << g.delete_files << " delete file(s) dropped\n";
  }
}

int RunCompact(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  const bool json = args.get("format") == "json";
  CompactOptions o;
  if (args.has("target-file-rows")) {
    auto n = args.GetInt("target-file-rows", 1, INT64_MAX);
    if (!n.ok()) return ReportError(n.status(), err);
    o.target_file_rows = *n;
  }
  if (args.has("target-file-bytes")) {
    auto n = args.GetInt("target-file-bytes", 1, INT64_MAX);
    if (!n.ok()) return ReportError(n.status(), err);
    o.target_file_bytes = *n;
  }
  o.where = args.get("where");
  o.dry_run = args.has("dry-run");
  o.cluster = args.has("cluster");
  if (args.has("cluster-files")) {
    if (!o.cluster) return ReportError(Status::InvalidArgument("--cluster-files needs --cluster"), err);
    auto n = args.GetInt("cluster-files", 1, 1000000);
    if (!n.ok()) return ReportError(n.status(), err);
    o.cluster_files = *n;
  }
  if (!args.has("quiet")) {
    o.progress = [&err](const std::string& line) { err << "compact: " << line << "\n" << std::flush; };
  }
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  auto r = opened->table->Compact(o);
  if (!r.ok()) return ReportError(r.status(), err);
  if (json) {
    out << nlohmann::json({{"dry_run", o.dry_run},
                           {"plan", PlanJson(*r)},
                           {"snapshot_id", r->snapshot_id},
                           {"files_removed", r->files_removed},
                           {"delete_files_removed", r->delete_files_removed},
                           {"files_added", r->files_added},
                           {"rows_written", r->rows_written},
                           {"bytes_written", r->bytes_written},
                           {"carried_deletes", r->carried_deletes},
                           {"commit_attempts", r->commit_attempts},
                           {"replans", r->replans}})
               .dump()
        << "\n";
    return 0;
  }
  PrintPlan(*r, out);
  if (o.dry_run) {
    out << "dry run: nothing written or committed\n";
  } else if (r->snapshot_id == 0) {
    out << "nothing to compact\n";
  } else {
    out << "replaced " << r->files_removed << " data file(s) and " << r->delete_files_removed
        << " delete file(s) with " << r->files_added << " data file(s) (" << r->rows_written << " rows, "
        << r->bytes_written << " bytes), snapshot " << r->snapshot_id;
    if (r->carried_deletes > 0) out << "; " << r->carried_deletes << " row(s) deleted meanwhile stay deleted";
    if (r->replans > 0) out << "; re-planned " << r->replans << " time(s) after concurrent commits";
    out << "\nthe old files stay for time travel until 'ailake expire'\n";
  }
  return 0;
}

}  // namespace

Command CompactCommand() {
  CommandSpec spec;
  spec.name = "compact";
  spec.summary = "Merge small data files and apply deletes (one commit; old files stay until expire)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"target-file-rows", "", "N", "rows per output file (default: the table's ailake.target-file-rows)", ""},
      {"target-file-bytes", "", "N", "also cut outputs at N uncompressed bytes; files of N bytes or more are not small", ""},
      {"where", "", "EXPR", "compact only files whose statistics say a row may match EXPR", ""},
      {"cluster", "", "", "clustered layout: rewrite every live file into regions of the vector space (k-means), "
                          "so 'search --nprobe N' reads few files", ""},
      {"cluster-files", "", "F", "with --cluster: F regions (files); default ceil(live rows / target file rows)", ""},
      {"dry-run", "", "", "print the plan (groups, files in/out, rows, bytes); write and commit nothing", ""},
      {"format", "", "text|json", "output format", "text"},
      {"quiet", "q", "", "no progress lines on stderr", ""},
  });
  spec.details =
      "A file is rewritten when it has fewer live rows than the target (and fewer bytes, with --target-file-bytes)\n"
      "or has deleted rows. Files merge only with files of the same layout: data columns, vector columns and their\n"
      "models, and the file's key/value metadata. Deleted rows are left out; indexes are rebuilt. Rows deleted while\n"
      "the compaction runs stay deleted; a file removed meanwhile by another commit makes it plan again.";
  return {spec, RunCompact};
}

}  // namespace ailake::cli
