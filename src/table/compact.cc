// Compaction: plan, write, and commit as one delta, re-planning after a conflicting concurrent
// commit (table/compact.h).
#include "table/compact.h"

#include <algorithm>
#include <map>
#include <set>

#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/compact_internal.h"
#include "table/layout_regions.h"
#include "table/table_delete.h"
#include "table/table_search.h"

namespace ailake::table {

namespace {

using compact_internal::Planned;
using compact_internal::Segment;
using compact_internal::WrittenGroups;

constexpr int kMaxCarryAttempts = 20;

struct Outcome {
  bool replan = false;       // a source is gone or the schema changed: plan again
  Status replan_reason;
  int64_t snapshot_id = 0;
  int attempts = 0;
  int64_t carried = 0;
  size_t delete_files_removed = 0;
};

// Commits the written outputs of `planned`. Each attempt reads the latest state, carries the rows
// deleted since the plan onto the outputs, and commits; a delete that lands between that read and
// the commit is a conflict (removed_seen_sequence), answered by another attempt.
// `*ambiguous` is set when a commit failed in a way that does not prove nothing was published.
Result<Outcome> CommitOutputs(Table& table, const Planned& planned, const WrittenGroups& written,
                              const CompactOptions& options, bool* ambiguous) {
  Store& store = table.catalog().store();
  std::map<std::string, const compact_internal::PlannedSource*> sources;
  for (const auto& g : planned.groups) {
    for (const auto& s : g.sources) sources[s.info.location] = &s;
  }
  std::map<std::string, const std::vector<Segment>*> segments;
  for (const auto& [loc, segs] : written.segments) segments[loc] = &segs;

  Outcome outcome;
  for (int attempt = 1;; ++attempt) {
    outcome.attempts = attempt;
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable latest, table.catalog().LoadTable(table.ident()));
    if (latest.metadata.current_schema_id != planned.schema_id) {
      outcome.replan = true;
      outcome.replan_reason = Status::CommitConflict("the table schema changed since the plan");
      return outcome;
    }
    const iceberg::Snapshot* snap = latest.metadata.CurrentSnapshot();
    AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files,
                            iceberg::ReadSnapshotFiles(store, table.locations(), snap));
    std::set<std::string> live;
    for (const auto& e : files.data_files) live.insert(e.file.file_path);
    for (const auto& [loc, s] : sources) {
      if (!live.count(loc)) {
        outcome.replan = true;
        outcome.replan_reason = Status::CommitConflict("data file " + loc + " was removed by a concurrent commit");
        return outcome;
      }
    }
    iceberg::TableChange change;
    change.operation = "replace";
    change.expected_schema_id = planned.schema_id;
    change.planned_snapshot_id = planned.plan.snapshot_id;
    const int64_t seen = snap ? snap->sequence_number : 0;
    // Deletes committed after the plan on a source: carried onto the outputs. Delete files naming
    // exactly one source are removed with it (the rows they delete are not in the outputs).
    std::vector<iceberg::ManifestEntry> later;
    for (const auto& d : files.delete_files) {
      const std::string target = iceberg::PositionDeleteTarget(d.file);
      if (!target.empty() && sources.count(target)) change.remove_delete_files.push_back(d.file.file_path);
      if (d.sequence_number.value_or(0) > planned.sequence_number) later.push_back(d);
    }
    std::map<size_t, std::set<int64_t>> carried;  // output index -> rows
    if (!later.empty()) {
      AILAKE_ASSIGN_OR_RETURN(auto by_file, ReadPositionDeletes(table, later));
      for (const auto& [loc, positions] : by_file) {
        auto s = sources.find(loc);
        if (s == sources.end()) continue;
        const auto& segs = *segments.at(loc);
        for (int64_t pos : positions) {
          if (pos < 0 || pos >= s->second->info.rows) continue;
          auto [out, row] = compact_internal::MapRow(s->second->deleted, segs, pos);
          if (out >= 0) carried[static_cast<size_t>(out)].insert(row);
        }
      }
    }
    std::vector<std::string> delete_keys;
    auto drop_delete_files = [&]() {
      for (const auto& k : delete_keys) (void)store.Delete(k);
    };
    int64_t carried_rows = 0;
    for (const auto& [out, rows] : carried) {
      const auto& o = written.outputs[out];
      auto df = WritePositionDeleteFile(table, o.added.file.file_path, std::vector<int64_t>(rows.begin(), rows.end()));
      if (!df.ok()) {
        drop_delete_files();
        return df.status();
      }
      delete_keys.push_back(df->key);
      change.add_delete_files.push_back(std::move(df->file));
      carried_rows += static_cast<int64_t>(rows.size());
    }
    for (const auto& [loc, s] : sources) {
      change.remove_files.push_back(loc);
      change.removed_seen_sequence[loc] = seen;
    }
    for (const auto& o : written.outputs) change.add_data_files.push_back(o.added);
    change.set_properties = written.set_properties;  // cluster mode: the new regions object
    change.extra_summary["ailake.compacted-files"] = std::to_string(sources.size());
    if (options.progress) {
      options.progress("committing " + std::to_string(change.add_data_files.size()) + " output(s) replacing " +
                       std::to_string(change.remove_files.size()) + " file(s) (attempt " + std::to_string(attempt) + ")");
    }
    auto committed = CommitChange(table.catalog(), table.ident(), change);
    if (committed.ok()) {
      outcome.snapshot_id = committed->snapshot_id;
      outcome.carried = carried_rows;
      outcome.delete_files_removed = change.remove_delete_files.size();
      return outcome;
    }
    // Only a conflict proves nothing was published; after any other error the delete files might
    // belong to a published snapshot, so they are left for expire's orphan cleanup.
    if (committed.status().code() != StatusCode::kCommitConflict) {
      *ambiguous = true;
      return committed.status();
    }
    drop_delete_files();
    if (attempt >= kMaxCarryAttempts) {
      outcome.replan = true;
      outcome.replan_reason = committed.status();
      return outcome;
    }
  }
}

}  // namespace

Result<CompactResult> CompactTable(Table& table, const CompactOptions& options) {
  if (options.target_file_rows < 0 || options.target_file_bytes < 0) {
    return Status::InvalidArgument("the target file size must not be negative");
  }
  if (options.row_group_rows <= 0) return Status::InvalidArgument("row_group_rows must be at least 1");
  CompactResult result;
  Store& store = table.catalog().store();
  for (int plan_no = 0;; ++plan_no) {
    AILAKE_ASSIGN_OR_RETURN(Planned planned, options.cluster ? compact_internal::PlanClustering(table, options)
                                                             : compact_internal::PlanCompaction(table, options));
    result.plan = planned.plan;
    if (options.progress) {
      int64_t files = 0, rows = 0;
      for (const auto& g : planned.plan.groups) {
        files += static_cast<int64_t>(g.sources.size());
        rows += g.live_rows;
      }
      options.progress("planned on snapshot " + std::to_string(planned.plan.snapshot_id) + ": " +
                       std::to_string(planned.plan.groups.size()) + " group(s), " + std::to_string(files) +
                       " file(s), " + std::to_string(rows) + " live rows");
    }
    if (options.dry_run || planned.groups.empty()) return result;
    AILAKE_ASSIGN_OR_RETURN(WrittenGroups written, options.cluster ? compact_internal::WriteClustered(table, planned, options)
                                                                   : compact_internal::WriteGroups(table, planned, options));
    bool ambiguous = false;
    auto outcome = CommitOutputs(table, planned, written, options, &ambiguous);
    if (!outcome.ok() || outcome->replan) {
      // Unless a commit may have published them, the outputs are ours alone: delete them. Otherwise
      // they stay (a snapshot may list them); expire's orphan cleanup handles them if not.
      if (!ambiguous) {
        for (const auto& o : written.outputs) (void)store.Delete(o.key);
        if (!written.regions_key.empty()) (void)store.Delete(written.regions_key);
      }
      if (!outcome.ok()) return outcome.status();
      if (plan_no >= options.max_replans) {
        return Status::CommitConflict("compaction gave up after " + std::to_string(plan_no + 1) +
                                      " plans, each overtaken by concurrent commits (last: " +
                                      outcome->replan_reason.message() + "); run it again when the table is quieter");
      }
      ++result.replans;
      if (options.progress) options.progress("re-planning: " + outcome->replan_reason.message());
      continue;
    }
    result.snapshot_id = outcome->snapshot_id;
    result.commit_attempts = outcome->attempts;
    result.carried_deletes = outcome->carried;
    result.delete_files_removed = outcome->delete_files_removed;
    for (const auto& g : planned.groups) result.files_removed += g.sources.size();
    result.files_added = written.outputs.size();
    result.rows_written = written.rows;
    result.bytes_written = written.bytes;
    result.regions = written.regions;
    if (written.set_properties.count(kPropLayoutRegions)) result.regions_object = written.set_properties.at(kPropLayoutRegions);
    if (options.progress) options.progress("committed snapshot " + std::to_string(result.snapshot_id));
    AILAKE_RETURN_IF_ERROR(table.Refresh());
    return result;
  }
}

}  // namespace ailake::table
