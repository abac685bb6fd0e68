#include "iceberg/table_change.h"

#include <map>
#include <set>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"

namespace ailake::iceberg {

std::string PositionDeleteTarget(const DataFile& f) {
  auto lo = f.lower_bounds.find(kDeleteFilePathFieldId);
  auto hi = f.upper_bounds.find(kDeleteFilePathFieldId);
  if (lo == f.lower_bounds.end() || hi == f.upper_bounds.end() || lo->second != hi->second) return "";
  return std::string(lo->second.begin(), lo->second.end());
}

namespace {

int64_t SumRecords(const std::vector<ManifestEntry>& v) {
  int64_t n = 0;
  for (const auto& e : v) n += e.file.record_count;
  return n;
}
int64_t SumBytes(const std::vector<ManifestEntry>& v) {
  int64_t n = 0;
  for (const auto& e : v) n += e.file.file_size_in_bytes;
  return n;
}

// Schema change: reuse an identical existing schema, else add it with the next id.
Status ApplySchema(const Schema& requested, TableMetadata* m) {
  AILAKE_RETURN_IF_ERROR(ValidateSchema(requested));
  const Schema* current = m->CurrentSchema();
  // Field ids are identities: a field keeping its id must keep its type (no silent retyping).
  for (const auto& f : requested.fields) {
    const NestedField* old = current ? current->FindFieldById(f.id) : nullptr;
    if (old && !TypesEqual(*old->type, *f.type) && old->type->is_primitive() && f.type->is_primitive()) {
      return Status::InvalidArgument("schema change retypes field id " + std::to_string(f.id) + " ('" + f.name +
                                     "') from " + TypeToString(*old->type) + " to " + TypeToString(*f.type) +
                                     ": give the new column a new field id");
    }
  }
  for (const auto& s : m->schemas) {
    if (s.SameStructure(requested)) {
      m->current_schema_id = s.schema_id;
      return Status::OK();
    }
  }
  Schema added = requested;
  int next = 0;
  for (const auto& s : m->schemas) next = std::max(next, s.schema_id + 1);
  added.schema_id = next;
  m->last_column_id = std::max(m->last_column_id, added.HighestFieldId());
  m->schemas.push_back(added);
  m->current_schema_id = next;
  return Status::OK();
}

// set-current-snapshot and remove-snapshots (table_change.h), applied to `out->metadata` (a copy of
// `base` with the change's properties and schema already applied).
Status ApplySnapshotEdits(const TableMetadata& base, const TableChange& change, AppliedChange* out) {
  TableMetadata& m = out->metadata;
  bool changed_anything = change.new_schema.has_value() || !change.set_properties.empty() ||
                          !change.remove_properties.empty();
  if (change.set_current_snapshot) {
    const int64_t id = *change.set_current_snapshot;
    if (!base.FindSnapshot(id)) {
      return Status::NotFound("the table has no snapshot " + std::to_string(id) +
                              " (expired, or never existed; see 'ailake history')");
    }
    if (!base.current_snapshot_id || *base.current_snapshot_id != id) {
      m.current_snapshot_id = id;
      m.refs["main"] = {id, "branch"};
      m.snapshot_log.push_back({id, m.last_updated_ms});
      changed_anything = true;
    }
  }
  if (!change.remove_snapshots.empty()) {
    std::set<int64_t> pinned;
    if (m.current_snapshot_id) pinned.insert(*m.current_snapshot_id);
    for (const auto& [name, ref] : m.refs) pinned.insert(ref.snapshot_id);
    std::set<int64_t> gone;
    for (int64_t id : change.remove_snapshots) {
      if (!m.FindSnapshot(id)) continue;  // a concurrent expire removed it already
      if (pinned.count(id)) {
        return Status::CommitConflict("snapshot " + std::to_string(id) +
                                      " became current or the target of a ref (a rollback?) after expiry was "
                                      "planned; plan again");
      }
      gone.insert(id);
    }
    if (!gone.empty()) {
      std::erase_if(m.snapshots, [&](const Snapshot& s) { return gone.count(s.snapshot_id) > 0; });
      std::erase_if(m.snapshot_log, [&](const SnapshotLogEntry& e) { return gone.count(e.snapshot_id) > 0; });
      out->removed_snapshots.assign(gone.begin(), gone.end());
      changed_anything = true;
    }
  }
  out->unchanged = !changed_anything;
  return Status::OK();
}

}  // namespace

Result<AppliedChange> ApplyChange(Store& store, const Locations& loc, const std::string& table_key,
                                  const TableMetadata& base, const TableChange& change, int64_t now_ms) {
  AppliedChange out;
  out.metadata = base;
  TableMetadata& m = out.metadata;
  if (change.expected_schema_id && *change.expected_schema_id != base.current_schema_id) {
    return Status::CommitConflict("the table schema changed (schema " + std::to_string(base.current_schema_id) +
                                  ") since this change was planned on schema " +
                                  std::to_string(*change.expected_schema_id) + "; plan again");
  }
  for (const auto& [k, v] : change.set_properties) m.properties[k] = v;
  for (const auto& k : change.remove_properties) m.properties.erase(k);
  if (change.new_schema) AILAKE_RETURN_IF_ERROR(ApplySchema(*change.new_schema, &m));
  const int64_t last_ts = base.snapshot_log.empty() ? 0 : base.snapshot_log.back().timestamp_ms;
  m.last_updated_ms = std::max({now_ms, base.last_updated_ms + 1, last_ts});
  const bool makes_snapshot = change.makes_snapshot();
  const Snapshot* current = base.CurrentSnapshot();
  if (makes_snapshot && (change.set_current_snapshot || !change.remove_snapshots.empty())) {
    return Status::InvalidArgument("a change that adds or removes files cannot also roll back or expire snapshots");
  }
  if (!makes_snapshot) {
    if (change.validate) {
      AILAKE_ASSIGN_OR_RETURN(SnapshotFiles files, ReadSnapshotFiles(store, loc, current));
      AILAKE_RETURN_IF_ERROR(change.validate(base, files));
    }
    AILAKE_RETURN_IF_ERROR(ApplySnapshotEdits(base, change, &out));
    if (out.unchanged) return out;
    AILAKE_RETURN_IF_ERROR(m.Validate());
    return out;
  }
  AILAKE_ASSIGN_OR_RETURN(SnapshotFiles files, ReadSnapshotFiles(store, loc, current));

  // Validation against the latest state.
  std::set<std::string> live;
  for (const auto& e : files.data_files) live.insert(e.file.file_path);
  std::set<std::string> removing(change.remove_files.begin(), change.remove_files.end());
  for (const auto& path : removing) {
    if (!live.count(path)) {
      return Status::CommitConflict("data file " + path + " is no longer live (a concurrent commit removed it); plan again");
    }
  }
  std::set<std::string> removing_deletes(change.remove_delete_files.begin(), change.remove_delete_files.end());
  {
    std::set<std::string> live_deletes;
    for (const auto& e : files.delete_files) live_deletes.insert(e.file.file_path);
    for (const auto& path : removing_deletes) {
      if (!live_deletes.count(path)) {
        return Status::CommitConflict("delete file " + path + " is no longer live (a concurrent commit removed it); plan again");
      }
    }
  }
  for (const auto& path : change.require_live_files) {
    if (!live.count(path)) {
      return Status::CommitConflict("data file " + path + " was rewritten or removed by a concurrent commit after "
                                    "this change was planned; plan again");
    }
  }
  if (!removing.empty()) {
    int64_t planned_seq = 0;
    if (change.planned_snapshot_id) {
      const Snapshot* planned = base.FindSnapshot(*change.planned_snapshot_id);
      if (!planned) return Status::CommitConflict("the snapshot this change was planned on has expired; plan again");
      planned_seq = planned->sequence_number;
    }
    for (const auto& d : files.delete_files) {
      std::string target = PositionDeleteTarget(d.file);
      auto seen = change.removed_seen_sequence.find(target);
      const int64_t seen_seq = seen != change.removed_seen_sequence.end() ? seen->second : planned_seq;
      if (d.sequence_number.value_or(0) <= seen_seq) continue;
      if (target.empty() || removing.count(target)) {
        return Status::CommitConflict("rows of " + (target.empty() ? std::string("a file being replaced") : target) +
                                      " were deleted after this change was planned (" + d.file.file_path +
                                      "); replacing it now would resurrect them; plan again");
      }
    }
  }
  if (change.validate) {
    AILAKE_RETURN_IF_ERROR(change.validate(base, files));
  }
  for (const auto& a : change.add_data_files) {
    if (live.count(a.file.file_path)) {
      return Status::InvalidArgument("data file " + a.file.file_path + " is already in the table");
    }
  }

  // The new snapshot.
  int64_t snapshot_id;
  do {
    snapshot_id = RandomPositiveId();
  } while (base.FindSnapshot(snapshot_id));
  const int64_t seq = base.last_sequence_number + 1;
  const std::string meta_prefix = table_key + "/metadata/";
  const std::string tag = Uuid::Random().ToString();
  const Schema* schema = m.CurrentSchema();
  std::vector<ManifestFile> manifests;
  auto cleanup_on_error = [&](Status st) {
    for (const auto& k : out.written_keys) (void)store.Delete(k);
    return st;
  };

  // Existing manifests: reused as they are unless they list a removed file; those are rewritten with
  // the removed entries DELETED and the rest EXISTING (explicit sequence numbers).
  //
  // Manifest merge (Iceberg's commit.manifest-merge.enabled): once a content kind has at least
  // min-count-to-merge manifests, the untouched ones smaller than the target size are merged into one
  // (live entries EXISTING with their sequence numbers, DELETED history dropped), so a table with
  // thousands of small appends keeps a bounded number of manifests. The merged-away manifests stay
  // on disk for the older snapshots that list them until expire deletes them.
  AILAKE_ASSIGN_OR_RETURN(bool merge_enabled, base.BoolProperty(kPropManifestMergeEnabled, true));
  AILAKE_ASSIGN_OR_RETURN(int64_t merge_min, base.IntProperty(kPropManifestMinMergeCount, 100, 2, 1000000));
  AILAKE_ASSIGN_OR_RETURN(int64_t merge_target,
                          base.IntProperty(kPropManifestTargetBytes, 8LL << 20, 1, int64_t{1} << 40));
  std::map<ManifestContent, size_t> count_of;
  for (const auto& mf : files.manifests) ++count_of[mf.content];
  std::map<ManifestContent, std::vector<size_t>> to_merge;
  int64_t deleted_records = 0, deleted_files = 0, removed_bytes = 0;
  int64_t removed_delete_files = 0, removed_pos_deletes = 0;
  for (size_t i = 0; i < files.manifests.size(); ++i) {
    const auto& mf = files.manifests[i];
    const auto& entries = files.entries[i];
    bool touched = false;
    for (const auto& e : entries) {
      touched |= e.status != EntryStatus::kDeleted &&
                 (removing.count(e.file.file_path) || removing_deletes.count(e.file.file_path));
    }
    if (!touched) {
      if (merge_enabled && static_cast<int64_t>(count_of[mf.content]) + 1 >= merge_min &&
          mf.manifest_length < merge_target) {
        to_merge[mf.content].push_back(i);
      } else {
        manifests.push_back(mf);
      }
      continue;
    }
    ManifestWrite w;
    w.key = meta_prefix + tag + "-m" + std::to_string(manifests.size()) + ".avro";
    w.table_schema = schema;
    w.content = mf.content;
    w.snapshot_id = snapshot_id;
    w.sequence_number = seq;
    for (const auto& e : entries) {
      if (e.status == EntryStatus::kDeleted) continue;  // deletions of earlier snapshots are history
      ManifestEntry ne = e;
      if (removing.count(e.file.file_path)) {
        ne.status = EntryStatus::kDeleted;
        ne.snapshot_id = snapshot_id;
        deleted_records += e.file.record_count;
        removed_bytes += e.file.file_size_in_bytes;
        ++deleted_files;
      } else if (removing_deletes.count(e.file.file_path)) {
        ne.status = EntryStatus::kDeleted;
        ne.snapshot_id = snapshot_id;
        removed_pos_deletes += e.file.record_count;
        ++removed_delete_files;
      } else {
        ne.status = EntryStatus::kExisting;
        auto st = files.vector_stats.find(e.file.file_path);
        if (st != files.vector_stats.end()) w.vector_stats[e.file.file_path] = st->second;
      }
      w.entries.push_back(std::move(ne));
    }
    auto written = WriteManifest(store, loc, w);
    if (!written.ok()) return cleanup_on_error(written.status());
    out.written_keys.push_back(w.key);
    manifests.push_back(*written);
  }
  for (const auto& [content, indexes] : to_merge) {
    if (indexes.size() < 2) {
      for (size_t i : indexes) manifests.push_back(files.manifests[i]);
      continue;
    }
    ManifestWrite w;
    w.key = meta_prefix + tag + "-m" + std::to_string(manifests.size()) + ".avro";
    w.table_schema = schema;
    w.content = content;
    w.snapshot_id = snapshot_id;
    w.sequence_number = seq;
    for (size_t i : indexes) {
      for (const auto& e : files.entries[i]) {
        if (e.status == EntryStatus::kDeleted) continue;  // history of older snapshots
        ManifestEntry ne = e;
        ne.status = EntryStatus::kExisting;
        auto st = files.vector_stats.find(e.file.file_path);
        if (st != files.vector_stats.end()) w.vector_stats[e.file.file_path] = st->second;
        w.entries.push_back(std::move(ne));
      }
    }
    if (w.entries.empty()) continue;  // only history left: the new snapshot needs none of it
    auto written = WriteManifest(store, loc, w);
    if (!written.ok()) return cleanup_on_error(written.status());
    out.written_keys.push_back(w.key);
    manifests.push_back(*written);
  }
  // New data files.
  int64_t added_records = 0, added_bytes = 0;
  if (!change.add_data_files.empty()) {
    ManifestWrite w;
    w.key = meta_prefix + tag + "-m" + std::to_string(manifests.size()) + ".avro";
    w.table_schema = schema;
    w.snapshot_id = snapshot_id;
    w.sequence_number = seq;
    for (const auto& a : change.add_data_files) {
      ManifestEntry e;
      e.status = EntryStatus::kAdded;
      e.snapshot_id = snapshot_id;
      e.file = a.file;
      e.file.content = FileContent::kData;
      added_records += a.file.record_count;
      added_bytes += a.file.file_size_in_bytes;
      if (!a.vector_stats.empty()) w.vector_stats[a.file.file_path] = a.vector_stats;
      w.entries.push_back(std::move(e));
    }
    auto written = WriteManifest(store, loc, w);
    if (!written.ok()) return cleanup_on_error(written.status());
    out.written_keys.push_back(w.key);
    manifests.push_back(*written);
  }
  int64_t added_deletes = 0;
  if (!change.add_delete_files.empty()) {
    ManifestWrite w;
    w.key = meta_prefix + tag + "-m" + std::to_string(manifests.size()) + ".avro";
    w.table_schema = schema;
    w.content = ManifestContent::kDeletes;
    w.snapshot_id = snapshot_id;
    w.sequence_number = seq;
    for (const auto& d : change.add_delete_files) {
      ManifestEntry e;
      e.status = EntryStatus::kAdded;
      e.snapshot_id = snapshot_id;
      e.file = d;
      e.file.content = FileContent::kPositionDeletes;
      added_deletes += d.record_count;
      w.entries.push_back(std::move(e));
    }
    auto written = WriteManifest(store, loc, w);
    if (!written.ok()) return cleanup_on_error(written.status());
    out.written_keys.push_back(w.key);
    manifests.push_back(*written);
  }
  const std::string list_key = meta_prefix + "snap-" + std::to_string(snapshot_id) + "-" + tag + ".avro";
  std::optional<int64_t> parent;
  if (current) parent = current->snapshot_id;
  Status st = WriteManifestList(store, list_key, snapshot_id, parent, seq, manifests);
  if (!st.ok()) return cleanup_on_error(st);
  out.written_keys.push_back(list_key);

  // Totals after the change.
  const int64_t total_records = SumRecords(files.data_files) + added_records - deleted_records;
  const int64_t total_files = static_cast<int64_t>(files.data_files.size() + change.add_data_files.size()) - deleted_files;
  const int64_t total_bytes = SumBytes(files.data_files) + added_bytes - removed_bytes;
  const int64_t total_delete_files =
      static_cast<int64_t>(files.delete_files.size() + change.add_delete_files.size()) - removed_delete_files;
  const int64_t total_pos_deletes = SumRecords(files.delete_files) + added_deletes - removed_pos_deletes;

  Snapshot snap;
  snap.snapshot_id = snapshot_id;
  snap.parent_snapshot_id = parent;
  snap.sequence_number = seq;
  snap.timestamp_ms = m.last_updated_ms;
  snap.manifest_list = loc.LocationOf(list_key);
  snap.schema_id = m.current_schema_id;
  snap.summary = {{"operation", change.operation},
                  {"added-data-files", std::to_string(change.add_data_files.size())},
                  {"deleted-data-files", std::to_string(deleted_files)},
                  {"added-records", std::to_string(added_records)},
                  {"deleted-records", std::to_string(deleted_records)},
                  {"added-files-size", std::to_string(added_bytes)},
                  {"removed-files-size", std::to_string(removed_bytes)},
                  {"added-delete-files", std::to_string(change.add_delete_files.size())},
                  {"added-position-deletes", std::to_string(added_deletes)},
                  {"removed-delete-files", std::to_string(removed_delete_files)},
                  {"removed-position-deletes", std::to_string(removed_pos_deletes)},
                  {"total-records", std::to_string(total_records)},
                  {"total-data-files", std::to_string(total_files)},
                  {"total-files-size", std::to_string(total_bytes)},
                  {"total-delete-files", std::to_string(total_delete_files)},
                  {"total-position-deletes", std::to_string(total_pos_deletes)},
                  {"total-equality-deletes", "0"}};
  for (const auto& [k, v] : change.extra_summary) snap.summary[k] = v;
  m.snapshots.push_back(snap);
  m.last_sequence_number = seq;
  m.current_snapshot_id = snapshot_id;
  m.refs["main"] = {snapshot_id, "branch"};
  m.snapshot_log.push_back({snapshot_id, snap.timestamp_ms});
  out.snapshot_id = snapshot_id;
  AILAKE_RETURN_IF_ERROR(m.Validate());
  return out;
}

}  // namespace ailake::iceberg
