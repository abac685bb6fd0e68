#include "table/upsert.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/table_delete.h"
#include "table/table_search.h"

namespace ailake::table {

namespace {

using IdList = std::shared_ptr<const std::vector<std::string>>;  // sorted, unique

// The live rows holding any of `ids` in the table's latest snapshot, and where that snapshot sits.
struct Plan {
  std::optional<int64_t> snapshot_id;  // none for a table without a snapshot
  int64_t sequence = 0;
  std::vector<IdHit> hits;
  IdLookupStats stats;
  std::map<std::string, int64_t> dead_rows;  // per data file: distinct positions already deleted
  std::map<std::string, int64_t> file_rows;  // per data file: record count
};

Result<Plan> PlanOnLatest(Table& table, const std::vector<std::string>& ids) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  Plan p;
  const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
  if (!snap) return p;
  p.snapshot_id = snap->snapshot_id;
  p.sequence = snap->sequence_number;
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files,
                          iceberg::ReadSnapshotFiles(table.catalog().store(), table.locations(), snap));
  AILAKE_ASSIGN_OR_RETURN(auto deleted, ReadPositionDeletes(table, files.delete_files));
  for (auto& [file, positions] : deleted) {
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    p.dead_rows[file] = static_cast<int64_t>(positions.size());
  }
  for (const auto& e : files.data_files) p.file_rows[e.file.file_path] = e.file.record_count;
  AILAKE_ASSIGN_OR_RETURN(p.hits, FindIds(table, files.data_files, deleted, ids, &p.stats));
  return p;
}

// Marks the hits deleted: a data file left with no live row is removed from the table (readers skip
// it, and the commit checks that no rows of it were deleted since the plan); any other file gets one
// position-delete file, and must still be live at commit. Keys written go to `written` (cleanup).
Status StageDeletes(Table& table, const Plan& plan, iceberg::TableChange* change, std::vector<std::string>* written) {
  std::map<std::string, std::vector<int64_t>> by_file;
  for (const auto& h : plan.hits) by_file[h.file].push_back(h.pos);
  for (auto& [file, positions] : by_file) {
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    auto rows = plan.file_rows.find(file);
    auto dead = plan.dead_rows.find(file);
    const int64_t already = dead == plan.dead_rows.end() ? 0 : dead->second;
    if (rows != plan.file_rows.end() && already + static_cast<int64_t>(positions.size()) >= rows->second) {
      change->remove_files.push_back(file);
      continue;
    }
    AILAKE_ASSIGN_OR_RETURN(WrittenDeleteFile df, WritePositionDeleteFile(table, file, positions));
    written->push_back(df.key);
    change->add_delete_files.push_back(std::move(df.file));
    change->require_live_files.push_back(file);
  }
  return Status::OK();
}

void Unstage(Table& table, std::vector<std::string>* written) {
  for (const auto& k : *written) (void)table.catalog().store().Delete(k);
  written->clear();
}

// The validation every commit attempt runs against the latest state (see upsert.h): no data file
// committed after the plan's snapshot may hold one of `ids`. Delete files committed meanwhile need
// no check: a row of ours deleted concurrently stays deleted (deleting a position twice is
// harmless) and our row is added, the same as that delete followed by this write.
std::function<Status(const iceberg::TableMetadata&, const iceberg::SnapshotFiles&)> ConflictCheck(
    Table& table, int64_t planned_sequence, IdList ids) {
  return [&table, planned_sequence, ids = std::move(ids)](const iceberg::TableMetadata&,
                                                          const iceberg::SnapshotFiles& files) -> Status {
    std::vector<iceberg::ManifestEntry> newer;
    for (const auto& e : files.data_files) {
      if (e.sequence_number.value_or(0) > planned_sequence) newer.push_back(e);
    }
    if (newer.empty()) return Status::OK();
    AILAKE_ASSIGN_OR_RETURN(std::vector<IdHit> hits, FindIds(table, newer, {}, *ids));
    if (!hits.empty()) {
      return Status::CommitConflict("id '" + hits.front().id + "' was written by a concurrent commit (" +
                                    hits.front().file + ") after this write was planned");
    }
    return Status::OK();
  };
}

// A conflict worth planning again: the table's schema is still the one the rows were written for
// (otherwise TableWriter already said what happened and the rows must be written again).
bool Replannable(const Status& st, Table& table, int schema_id) {
  return st.code() == StatusCode::kCommitConflict && table.Refresh().ok() &&
         table.metadata().current_schema_id == schema_id;
}

// The input's ids, sorted; an error naming the row for a missing id, and both rows for a repeated
// one. Memory: the ids and one ordinal each (a second pass finds the rows' names for the error).
// A row without an id is new when ids are generated (a generated id matches nothing); without
// generate_ids it is an error.
Result<IdList> CheckedInputIds(const std::string& path, const IngestOptions& ingest, WriteMode mode) {
  const std::string& format = ingest.format;
  const bool generate_ids = ingest.generate_ids;
  std::vector<std::pair<std::string, int64_t>> rows;  // id, ordinal among all input rows
  int64_t ordinal = 0;
  AILAKE_RETURN_IF_ERROR(ForEachInputId(path, format, [&](const std::optional<std::string>& id, const std::string& where) {
    const int64_t n = ordinal++;
    if (!id) {
      if (generate_ids) return Status::OK();
      return Status::InvalidArgument(where + ": has no 'id'; mode " + WriteModeName(mode) +
                                     " matches rows by id, so every row needs one (or pass --generate-ids to give "
                                     "rows without one a new id)");
    }
    rows.emplace_back(*id, n);
    return Status::OK();
  }, ingest.open_source));
  std::sort(rows.begin(), rows.end());
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].first != rows[i - 1].first) continue;
    const int64_t first = rows[i - 1].second, again = rows[i].second;
    std::string first_where, again_where;
    int64_t n = 0;
    AILAKE_RETURN_IF_ERROR(ForEachInputId(path, format, [&](const std::optional<std::string>&, const std::string& where) {
      if (n == first) first_where = where;
      if (n == again) again_where = where;
      ++n;
      return Status::OK();
    }, ingest.open_source));
    return Status::InvalidArgument(again_where + ": id '" + rows[i].first + "' repeats " + first_where +
                                   "; an input may hold each id once (merge or drop one of the rows)");
  }
  auto ids = std::make_shared<std::vector<std::string>>();
  ids->reserve(rows.size());
  for (auto& r : rows) ids->push_back(std::move(r.first));
  return IdList(std::move(ids));
}

}  // namespace

Result<WriteMode> ParseWriteMode(const std::string& text) {
  if (text == "append") return WriteMode::kAppend;
  if (text == "error-on-duplicate") return WriteMode::kErrorOnDuplicate;
  if (text == "insert-new") return WriteMode::kInsertNew;
  if (text == "upsert") return WriteMode::kUpsert;
  return Status::InvalidArgument("unknown write mode '" + text + "' (use append, upsert, insert-new or error-on-duplicate)");
}

const char* WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kAppend: return "append";
    case WriteMode::kErrorOnDuplicate: return "error-on-duplicate";
    case WriteMode::kInsertNew: return "insert-new";
    case WriteMode::kUpsert: return "upsert";
  }
  return "?";
}

Result<WriteResult> IngestWithMode(Table& table, const std::string& path, embed::Embedder* embedder,
                                   const IngestOptions& ingest, const UpsertOptions& options) {
  WriteResult out;
  if (options.mode == WriteMode::kAppend) {
    AILAKE_ASSIGN_OR_RETURN(out.ingest, IngestFile(table, path, embedder, ingest));
    return out;
  }
  // Every id is checked before anything is embedded or written.
  AILAKE_ASSIGN_OR_RETURN(IdList ids, CheckedInputIds(path, ingest, options.mode));
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  const int schema_id = table.metadata().current_schema_id;

  if (options.mode == WriteMode::kUpsert) {
    // Write every row once; plan (and re-plan) only the deletes of the rows they replace.
    IngestOptions io = ingest;
    io.commit = [&](TableWriter& writer) -> Result<CommitResult> {
      for (int plan = 0;; ++plan) {
        AILAKE_ASSIGN_OR_RETURN(Plan p, PlanOnLatest(table, *ids));
        iceberg::TableChange change;
        change.operation = p.hits.empty() ? "append" : "overwrite";
        change.planned_snapshot_id = p.snapshot_id;
        std::vector<std::string> written;
        Status st = StageDeletes(table, p, &change, &written);
        if (!st.ok()) {
          Unstage(table, &written);
          return st;
        }
        change.validate = ConflictCheck(table, p.sequence, ids);
        const size_t change_files_removed = change.remove_files.size();
        if (plan == 0 && options.before_first_commit) options.before_first_commit();
        auto committed = writer.Commit(std::move(change));
        if (committed.ok()) {
          out.replaced = static_cast<int64_t>(p.hits.size());
          out.files_removed = change_files_removed;
          out.lookup = p.stats;
          out.commit_attempts = committed->attempts;
          return committed;
        }
        Unstage(table, &written);
        if (plan >= options.max_replans || !Replannable(committed.status(), table, schema_id)) {
          return committed.status();
        }
        ++out.replans;
      }
    };
    AILAKE_ASSIGN_OR_RETURN(out.ingest, IngestFile(table, path, embedder, io));
    return out;
  }

  // error-on-duplicate and insert-new: look up first, so refused or skipped rows are never embedded.
  for (int attempt = 0;; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(Plan p, PlanOnLatest(table, *ids));
    std::unordered_set<std::string> skip;
    for (const auto& h : p.hits) skip.insert(h.id);
    if (options.mode == WriteMode::kErrorOnDuplicate && !skip.empty()) {
      return Status::AlreadyExists("id '" + p.hits.front().id + "' is already in table " + table.ident().ToString() +
                                   (skip.size() > 1 ? " (and " + std::to_string(skip.size() - 1) + " more input id(s))" : "") +
                                   "; nothing was written. Use --mode upsert to replace those rows, --mode insert-new "
                                   "to skip them, or --mode append to add them again as duplicates");
    }
    auto written_ids = std::make_shared<std::vector<std::string>>();
    for (const auto& id : *ids) {
      if (!skip.count(id)) written_ids->push_back(id);
    }
    IngestOptions io = ingest;
    io.skip_ids = &skip;
    io.commit = [&](TableWriter& writer) -> Result<CommitResult> {
      iceberg::TableChange change;
      change.operation = "append";
      change.planned_snapshot_id = p.snapshot_id;
      change.validate = ConflictCheck(table, p.sequence, written_ids);
      if (attempt == 0 && options.before_first_commit) options.before_first_commit();
      auto committed = writer.Commit(std::move(change));
      if (committed.ok()) out.commit_attempts = committed->attempts;
      return committed;
    };
    auto r = IngestFile(table, path, embedder, io);
    if (r.ok()) {
      out.ingest = *r;
      out.lookup = p.stats;
      return out;
    }
    if (attempt >= options.max_replans || !Replannable(r.status(), table, schema_id)) return r.status();
    ++out.replans;
  }
}

Result<DeleteIdsResult> DeleteIds(Table& table, std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  DeleteIdsResult out;
  for (int attempt = 0;; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(Plan p, PlanOnLatest(table, ids));
    std::set<std::string> found;
    for (const auto& h : p.hits) found.insert(h.id);
    out.unknown_ids.clear();
    for (const auto& id : ids) {
      if (!found.count(id)) out.unknown_ids.push_back(id);
    }
    if (p.hits.empty()) return out;
    iceberg::TableChange change;
    change.operation = "delete";
    change.planned_snapshot_id = p.snapshot_id;
    change.expected_schema_id = table.metadata().current_schema_id;
    std::vector<std::string> written;
    Status st = StageDeletes(table, p, &change, &written);
    if (!st.ok()) {
      Unstage(table, &written);
      return st;
    }
    auto committed = CommitChange(table.catalog(), table.ident(), change);
    if (committed.ok()) {
      out.rows_deleted = static_cast<int64_t>(p.hits.size());
      out.delete_files = change.add_delete_files.size();
      out.files_removed = change.remove_files.size();
      out.snapshot_id = committed->snapshot_id;
      AILAKE_RETURN_IF_ERROR(table.Refresh());
      return out;
    }
    Unstage(table, &written);
    // A targeted file was rewritten concurrently (e.g. by a migration): its rows live on in the
    // replacement, so look them up again.
    if (committed.status().code() != StatusCode::kCommitConflict || attempt >= 10) return committed.status();
    ++out.replans;
  }
}

Result<std::vector<std::string>> ReadIdsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": cannot open for reading");
  std::vector<std::string> ids;
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const size_t e = line.find_last_not_of(" \t\r");
    std::string text = line.substr(b, e - b + 1);
    if (text[0] != '{') {
      ids.push_back(std::move(text));
      continue;
    }
    const std::string where = path + " line " + std::to_string(n);
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(where + ": not a JSON object");
    auto id = j.find("id");
    if (id == j.end() || !(id->is_string() || id->is_number_integer())) {
      return Status::InvalidArgument(where + ": expected an \"id\" field holding a string or an integer");
    }
    ids.push_back(id->is_string() ? id->get<std::string>() : std::to_string(id->get<int64_t>()));
  }
  if (in.bad()) return Status::IOError(path + ": read error");
  return ids;
}

}  // namespace ailake::table
