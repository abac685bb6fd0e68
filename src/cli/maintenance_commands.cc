// Maintenance commands: rollback, verify, expire (through the public API only).
#include <nlohmann/json.hpp>
#include <ostream>

#include "ailake/table.h"
#include "cli/commands.h"
#include "cli/table_context.h"

namespace ailake::cli {

namespace {

int RunRollback(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  if (!args.has("to")) return ReportError(Status::InvalidArgument("--to SNAPSHOT_ID is required (see 'ailake history')"), err);
  auto to = args.GetInt("to", 1, INT64_MAX);
  if (!to.ok()) return ReportError(to.status(), err);
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  Status st = opened->table->Rollback(*to);
  if (!st.ok()) return ReportError(st, err);
  if (args.get("format") == "json") {
    nlohmann::json j;
    j["table"] = opened->table->name();
    j["current_snapshot_id"] = *to;
    out << j.dump(2) << "\n";
    return 0;
  }
  out << "table " << opened->table->name() << " is at snapshot " << *to
      << " (later snapshots stay available to time travel until expired)\n";
  return 0;
}

int RunVerify(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  const std::string format = args.get("format");
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  auto r = opened->table->Verify(args.has("deep"));
  if (!r.ok()) return ReportError(r.status(), err);
  if (format == "json") {
    out << nlohmann::json({{"snapshot_id", r->snapshot_id},
                           {"data_files", r->data_files},
                           {"delete_files", r->delete_files},
                           {"rows", r->rows},
                           {"deep", r->deep},
                           {"ok", r->problems.empty()},
                           {"problems", r->problems},
                           {"notes", r->notes}})
               .dump(2)
        << "\n";
  } else {
    out << "snapshot " << r->snapshot_id << ": " << r->data_files << " data file(s), " << r->delete_files
        << " delete file(s), " << r->rows << " rows\n";
    for (const auto& p : r->problems) out << "  PROBLEM " << p << "\n";
    for (const auto& n : r->notes) out << "  NOTE " << n << "\n";
    if (!r->problems.empty()) {
      out << r->problems.size() << " problem(s)\n";
    } else if (r->deep) {
      out << "ok: table properties match the schema; every file matches its manifest, the table's model and dim; "
             "every page decodes, every vector is finite, AILK sections and indexes are valid\n";
    } else {
      out << "ok: table properties match the schema; every file matches its manifest, the table's model and dim; "
             "footers, AILK sections and indexes are valid (--deep also decodes every page and checks every vector)\n";
    }
  }
  return r->problems.empty() ? 0 : 1;
}

int RunExpire(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  const std::string format = args.get("format");
  ExpireOptions o;
  if (args.has("older-than")) {
    if (args.get("older-than") == "now") {
      o.older_than_ms = INT64_MAX;
    } else {
      auto ms = ParseTimeMs(args.get("older-than"));
      if (!ms.ok()) return ReportError(ms.status(), err);
      o.older_than_ms = *ms;
    }
  }
  if (args.has("orphans-older-than")) {
    if (args.get("orphans-older-than") == "now") {
      o.orphans_older_than_ms = INT64_MAX;
    } else {
      auto ms = ParseTimeMs(args.get("orphans-older-than"));
      if (!ms.ok()) return ReportError(ms.status(), err);
      o.orphans_older_than_ms = *ms;
    }
  }
  auto keep = args.GetInt("retain-last", 1, 1000000);
  if (!keep.ok()) return ReportError(keep.status(), err);
  o.retain_last = static_cast<int>(*keep);
  o.dry_run = args.has("dry-run");
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  auto r = opened->table->Expire(o);
  if (!r.ok()) return ReportError(r.status(), err);
  if (format == "json") {
    out << nlohmann::json({{"expired_snapshots", r->expired_snapshots},
                           {"data_files_deleted", r->data_files_deleted},
                           {"delete_files_deleted", r->delete_files_deleted},
                           {"manifests_deleted", r->manifests_deleted},
                           {"orphan_files_deleted", r->orphan_files_deleted},
                           {"metadata_files_deleted", r->metadata_files_deleted},
                           {"interrupted_runs_finished", r->interrupted_runs_finished},
                           {"bytes_freed", r->bytes_freed},
                           {"dry_run", o.dry_run}})
               .dump()
        << "\n";
    return 0;
  }
  out << (o.dry_run ? "would expire " : "expired ") << r->expired_snapshots.size() << " snapshot(s); "
      << (o.dry_run ? "would delete " : "deleted ") << r->data_files_deleted << " data file(s), "
      << r->delete_files_deleted << " delete file(s), " << r->manifests_deleted << " manifest file(s), "
      << r->orphan_files_deleted << " orphan file(s), " << r->metadata_files_deleted << " old metadata file(s), "
      << r->bytes_freed << " bytes";
  if (r->interrupted_runs_finished > 0) out << "; finished " << r->interrupted_runs_finished << " interrupted expire run(s)";
  out << "\n";
  return 0;
}

}  // namespace

Command ExpireCommand() {
  CommandSpec spec;
  spec.name = "expire";
  spec.summary = "Expire old snapshots and delete the files only they referenced (e.g. after a migration)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"older-than", "", "TIME", "expire snapshots older than TIME (UTC date/time, epoch ms, or 'now'); default 5 days ago", ""},
      {"retain-last", "", "N", "always keep the N newest snapshots", "1"},
      {"orphans-older-than", "", "TIME",
       "delete unreferenced files and old metadata files only if written before TIME; default 1 day ago ('now' is "
       "safe only while nothing writes to the table)",
       ""},
      {"dry-run", "", "", "report what would be expired and deleted; change nothing", ""},
      {"format", "", "text|json", "output format", "text"},
  });
  spec.details =
      "The current snapshot and snapshots named by refs are never expired. Time travel to an expired\n"
      "snapshot fails afterwards. The files to delete are recorded in metadata/expire-<uuid>.json before the\n"
      "commit, so a run that is killed is finished by the next one. Files no snapshot references (a killed\n"
      "writer's output) and metadata files no longer in the metadata-log are deleted once older than\n"
      "--orphans-older-than; the staging folder of a running migration is never touched. Counts are of\n"
      "files this run deleted.";
  return {spec, RunExpire};
}

Command RollbackCommand() {
  CommandSpec spec;
  spec.name = "rollback";
  spec.summary = "Make an earlier snapshot current again (nothing is deleted)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({{"to", "", "SNAPSHOT_ID", "the snapshot to make current (required)", ""},
                                   {"format", "", "text|json", "output format", "text"}});
  return {spec, RunRollback};
}

Command VerifyCommand() {
  CommandSpec spec;
  spec.name = "verify";
  spec.summary = "Check the table properties and every live file: size, footer, rows, model, AILK section, index (exit 1 on problems)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({{"deep", "", "", "also decode every page (CRCs where stored) and check every vector is finite", ""},
                                   {"format", "", "text|json", "output format", "text"}});
  spec.details = "Default checks: table properties (ailake.dim, metric, precision, vector and text column) against the\n"
                 "schema; per live file: inside the table's folder, size equal to the manifest's, footer, row count,\n"
                 "the table's model, dim, metric and precision, manifest vector statistics, AILK section and index.\n"
                 "A file on another model is a problem (a NOTE while a migration is running).\n"
                 "--deep also decodes every page of every column, verifying page CRCs where the writer stored them,\n"
                 "checks every vector of every vector column is finite (and, under cosine metrics, not all zeros), and\n"
                 "that each index has one node per row. Exit 0 when healthy, 1 when any problem is found.";
  return {spec, RunVerify};
}

}  // namespace ailake::cli
