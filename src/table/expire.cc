#include "table/expire.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/uuid.h"
#include "iceberg/manifest_io.h"
#include "table/commit.h"
#include "table/layout_regions.h"
#include "table/metadata_files.h"

namespace ailake::table {

namespace {

// Deletion records: <table>/metadata/expire-<uuid>.json =
//   {"snapshots": [id, ...], "files": [{"key": K, "kind": "data"|"delete"|"manifest", "size": N}, ...]}
constexpr const char* kRecordPrefix = "expire-";
constexpr uint64_t kMaxRecordBytes = 256ull << 20;

enum class Kind { kData, kDelete, kManifest };
const char* KindName(Kind k) { return k == Kind::kData ? "data" : k == Kind::kDelete ? "delete" : "manifest"; }

struct Candidate {
  Kind kind = Kind::kData;
  int64_t size = 0;
};

// Reachability over many snapshots. Manifest lists and manifests are immutable, so each is read once.
class Reach {
 public:
  explicit Reach(Table& table) : table_(table) {}

  // Every object `snap` needs: its manifest list, its manifests and their live entries' files.
  // With `candidates`, also what it referenced at all (DELETED entries too), with kinds and sizes.
  Status Add(const iceberg::Snapshot& snap, std::set<std::string>* keys, std::map<std::string, Candidate>* candidates) {
    auto key = [&](const std::string& location) { return table_.locations().KeyOf(location); };
    AILAKE_ASSIGN_OR_RETURN(std::string list_key, key(snap.manifest_list));
    keys->insert(list_key);
    if (candidates) (*candidates)[list_key] = {Kind::kManifest, 0};
    auto lit = lists_.find(snap.manifest_list);
    if (lit == lists_.end()) {
      AILAKE_ASSIGN_OR_RETURN(auto list, iceberg::ReadManifestList(store(), table_.locations(), snap.manifest_list));
      lit = lists_.emplace(snap.manifest_list, std::move(list)).first;
    }
    for (const auto& mf : lit->second) {
      AILAKE_ASSIGN_OR_RETURN(std::string mkey, key(mf.manifest_path));
      keys->insert(mkey);
      if (candidates) (*candidates)[mkey] = {Kind::kManifest, mf.manifest_length};
      auto mit = manifests_.find(mf.manifest_path);
      if (mit == manifests_.end()) {
        AILAKE_ASSIGN_OR_RETURN(auto contents, iceberg::ReadManifest(store(), table_.locations(), mf));
        mit = manifests_.emplace(mf.manifest_path, std::move(contents.entries)).first;
      }
      for (const auto& e : mit->second) {
        const bool live = e.status != iceberg::EntryStatus::kDeleted;
        if (!live && !candidates) continue;
        AILAKE_ASSIGN_OR_RETURN(std::string fkey, key(e.file.file_path));
        if (live) keys->insert(fkey);
        if (candidates) {
          (*candidates)[fkey] = {e.file.content == iceberg::FileContent::kData ? Kind::kData : Kind::kDelete,
                                 e.file.file_size_in_bytes};
        }
      }
    }
    return Status::OK();
  }

  // Keys every snapshot of `m` needs, and the regions object its properties name (appends
  // route by it; older regions objects are needed by nothing).
  Result<std::set<std::string>> All(const iceberg::TableMetadata& m) {
    std::set<std::string> keys;
    for (const auto& s : m.snapshots) AILAKE_RETURN_IF_ERROR(Add(s, &keys, nullptr));
    auto regions = m.properties.find(kPropLayoutRegions);
    if (regions != m.properties.end()) {
      auto key = RegionsKey(table_.table_key(), regions->second);
      if (key.ok()) keys.insert(*key);  // a malformed name names nothing this could delete anyway
    }
    return keys;
  }

 private:
  Store& store() { return table_.catalog().store(); }
  Table& table_;
  std::map<std::string, std::vector<iceberg::ManifestFile>> lists_;
  std::map<std::string, std::vector<iceberg::ManifestEntry>> manifests_;
};

void Say(const ExpireOptions& o, const std::string& line) {
  if (o.progress) o.progress(line);
}

// Deletes the candidates no snapshot of the latest state needs (read now, after the commit that
// made them unreferenced). Counts only files this call deleted.
Status DeleteCandidates(Table& table, Reach& reach, const std::map<std::string, Candidate>& candidates,
                        const ExpireOptions& o, ExpireResult* result) {
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable latest, table.catalog().LoadTable(table.ident()));
  AILAKE_ASSIGN_OR_RETURN(std::set<std::string> needed, reach.All(latest.metadata));
  Store& store = table.catalog().store();
  for (const auto& [key, c] : candidates) {
    if (needed.count(key)) continue;
    Say(o, "deleting " + std::string(KindName(c.kind)) + " file " + key);
    AILAKE_ASSIGN_OR_RETURN(bool exists, store.Exists(key));
    if (!exists) continue;
    AILAKE_RETURN_IF_ERROR(store.Delete(key));
    (c.kind == Kind::kData ? result->data_files_deleted
                           : c.kind == Kind::kDelete ? result->delete_files_deleted : result->manifests_deleted)++;
    result->bytes_freed += c.size;
  }
  return Status::OK();
}

std::string RecordJson(const std::vector<int64_t>& snapshots, const std::map<std::string, Candidate>& candidates) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& [key, c] : candidates) files.push_back({{"key", key}, {"kind", KindName(c.kind)}, {"size", c.size}});
  return nlohmann::json({{"snapshots", snapshots}, {"files", files}}).dump();
}

Status ParseRecord(const std::string& text, const std::string& table_key, const std::string& where,
                   std::vector<int64_t>* snapshots, std::map<std::string, Candidate>* candidates) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(where + ": " + why + "; delete this expire record if it was not written by ailake");
  };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("snapshots") || !j.contains("files") ||
      !j["snapshots"].is_array() || !j["files"].is_array()) {
    return bad("not an expire record");
  }
  for (const auto& s : j["snapshots"]) {
    if (!s.is_number_integer()) return bad("a snapshot id is not an integer");
    snapshots->push_back(s.get<int64_t>());
  }
  for (const auto& f : j["files"]) {
    if (!f.is_object() || !f.contains("key") || !f["key"].is_string() || !f.contains("kind") ||
        !f["kind"].is_string() || !f.contains("size") || !f["size"].is_number_integer()) {
      return bad("a file entry lacks key, kind or size");
    }
    const std::string key = f["key"].get<std::string>();
    // Only files of this table's data/ and metadata/ folders: a record must never reach elsewhere.
    if (!ValidateKey(key).ok() || (!key.starts_with(table_key + "/data/") && !key.starts_with(table_key + "/metadata/"))) {
      return bad("file '" + key + "' is outside the table's data and metadata folders");
    }
    const std::string kind = f["kind"].get<std::string>();
    Candidate c;
    c.kind = kind == "data" ? Kind::kData : kind == "delete" ? Kind::kDelete : Kind::kManifest;
    if (kind != "data" && kind != "delete" && kind != "manifest") return bad("unknown file kind '" + kind + "'");
    c.size = f["size"].get<int64_t>();
    (*candidates)[key] = c;
  }
  return Status::OK();
}

// Finishes the deletion records of interrupted runs: a record whose snapshots are all gone from the
// table was committed, so its files are deleted (re-checked) and the record goes; a record whose
// snapshots are still there never committed: it goes once older than the grace period (a
// concurrent run may still be about to commit it).
Status ResumeRecords(Table& table, Reach& reach, const ExpireOptions& o, int64_t grace_cutoff, ExpireResult* result) {
  Store& store = table.catalog().store();
  const std::string prefix = table.table_key() + "/metadata/" + kRecordPrefix;
  AILAKE_ASSIGN_OR_RETURN(auto records, store.List(prefix));
  for (const auto& rec : records) {
    if (!rec.key.ends_with(".json") || rec.key.find('/', prefix.size()) != std::string::npos) continue;
    auto text = store.GetString(rec.key, kMaxRecordBytes);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;  // a concurrent run finished it
      return text.status();
    }
    std::vector<int64_t> snapshots;
    std::map<std::string, Candidate> candidates;
    AILAKE_RETURN_IF_ERROR(ParseRecord(*text, table.table_key(), store.Describe() + "/" + rec.key, &snapshots, &candidates));
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable latest, table.catalog().LoadTable(table.ident()));
    const bool committed = std::none_of(snapshots.begin(), snapshots.end(),
                                        [&](int64_t id) { return latest.metadata.FindSnapshot(id) != nullptr; });
    if (o.dry_run) continue;
    if (committed) {
      Say(o, "resuming interrupted expire " + rec.key);
      AILAKE_RETURN_IF_ERROR(DeleteCandidates(table, reach, candidates, o, result));
      ++result->records_resumed;
    } else if (rec.created_ms == 0 || rec.created_ms >= grace_cutoff) {
      continue;
    }
    Say(o, "deleting expire record " + rec.key);
    AILAKE_RETURN_IF_ERROR(store.Delete(rec.key));
  }
  return Status::OK();
}

// Orphans: listed first, then the state is read, then reachability is checked again right before
// the deletions (see the header).
Status DeleteOrphans(Table& table, Reach& reach, const ExpireOptions& o, int64_t cutoff, ExpireResult* result) {
  Store& store = table.catalog().store();
  const std::string data_prefix = table.table_key() + "/data/";
  const std::string meta_prefix = table.table_key() + "/metadata/";
  AILAKE_ASSIGN_OR_RETURN(auto data, store.List(data_prefix));
  AILAKE_ASSIGN_OR_RETURN(auto meta, store.List(meta_prefix));
  for (auto& m : meta) {
    // Manifests, manifest lists and regions objects sit directly in metadata/ (job state, records
    // and metadata JSON files are not orphans of this kind). A regions object no longer named by
    // the table's properties is an orphan: a clustering that is still committing wrote its object
    // within the grace period, so the age rule keeps it.
    const bool direct = m.key.find('/', meta_prefix.size()) == std::string::npos;
    const bool regions = direct && m.key.compare(meta_prefix.size(), 8, "regions-") == 0 && m.key.ends_with(".json");
    if (direct && (m.key.ends_with(".avro") || regions)) data.push_back(std::move(m));
  }
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable state, table.catalog().LoadTable(table.ident()));
  const auto running = state.metadata.properties.find(kPropRunningMigration);
  const std::string running_folder =
      running == state.metadata.properties.end() ? "" : data_prefix + "migrate-" + running->second + "/";
  AILAKE_ASSIGN_OR_RETURN(std::set<std::string> needed, reach.All(state.metadata));
  std::vector<ObjectInfo> orphans;
  std::set<std::string> old_job_folders;
  for (auto& obj : data) {
    if (!running_folder.empty() && obj.key.starts_with(running_folder)) continue;
    if (obj.key.starts_with(data_prefix + "migrate-")) {
      const size_t slash = obj.key.find('/', data_prefix.size());
      if (slash != std::string::npos) old_job_folders.insert(obj.key.substr(0, slash + 1));
    }
    if (needed.count(obj.key) || obj.created_ms == 0 || obj.created_ms >= cutoff) continue;
    orphans.push_back(std::move(obj));
  }
  if (o.dry_run) {
    result->orphan_files_deleted += orphans.size();
    for (const auto& obj : orphans) result->bytes_freed += static_cast<int64_t>(obj.size);
    return Status::OK();
  }
  if (!orphans.empty()) {
    // The re-check: a commit may have landed since `state` was read.
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable now, table.catalog().LoadTable(table.ident()));
    AILAKE_ASSIGN_OR_RETURN(needed, reach.All(now.metadata));
    const auto job = now.metadata.properties.find(kPropRunningMigration);
    for (const auto& obj : orphans) {
      if (needed.count(obj.key)) continue;
      if (job != now.metadata.properties.end() && obj.key.starts_with(data_prefix + "migrate-" + job->second + "/")) continue;
      Say(o, "deleting orphan file " + obj.key);
      AILAKE_ASSIGN_OR_RETURN(bool exists, store.Exists(obj.key));
      if (!exists) continue;
      AILAKE_RETURN_IF_ERROR(store.Delete(obj.key));
      ++result->orphan_files_deleted;
      result->bytes_freed += static_cast<int64_t>(obj.size);
    }
  }
  // Half-written outputs of killed runs of migration jobs that are over (their folder names a job
  // that is not running; a job started later writes into its own, new folder).
  for (const auto& folder : old_job_folders) {
    AILAKE_ASSIGN_OR_RETURN(size_t n, store.DeleteUnpublished(folder));
    result->orphan_files_deleted += n;
  }
  return Status::OK();
}

}  // namespace

Result<ExpireResult> ExpireSnapshots(Table& table, const ExpireOptions& o) {
  if (o.retain_last < 1) return Status::InvalidArgument("--retain-last must be at least 1");
  const int64_t now = NowMs();
  const int64_t cutoff = o.older_than_ms.value_or(now - 5LL * 24 * 3600 * 1000);
  const int64_t orphan_cutoff = o.orphans_older_than_ms.value_or(now - kDefaultOrphanGraceMs);
  ExpireResult result;
  Reach reach(table);
  Store& store = table.catalog().store();

  // 0. Finish what interrupted runs recorded.
  AILAKE_RETURN_IF_ERROR(ResumeRecords(table, reach, o, orphan_cutoff, &result));

  // 1. Plan on the latest state.
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable base, table.catalog().LoadTable(table.ident()));
  const iceberg::TableMetadata& m = base.metadata;
  std::vector<const iceberg::Snapshot*> by_time;
  for (const auto& s : m.snapshots) by_time.push_back(&s);
  std::sort(by_time.begin(), by_time.end(),
            [](const iceberg::Snapshot* a, const iceberg::Snapshot* b) { return a->timestamp_ms > b->timestamp_ms; });
  std::set<int64_t> keep;
  for (size_t i = 0; i < by_time.size() && i < static_cast<size_t>(o.retain_last); ++i) keep.insert(by_time[i]->snapshot_id);
  if (m.current_snapshot_id) keep.insert(*m.current_snapshot_id);
  for (const auto& [name, ref] : m.refs) keep.insert(ref.snapshot_id);
  iceberg::TableChange change;
  std::set<std::string> retained_keys;
  std::map<std::string, Candidate> candidates;
  for (const auto& s : m.snapshots) {
    if (!keep.count(s.snapshot_id) && s.timestamp_ms < cutoff) {
      change.remove_snapshots.insert(s.snapshot_id);
      std::set<std::string> unused;
      AILAKE_RETURN_IF_ERROR(reach.Add(s, &unused, &candidates));
    } else {
      AILAKE_RETURN_IF_ERROR(reach.Add(s, &retained_keys, nullptr));
    }
  }
  for (const auto& k : retained_keys) candidates.erase(k);
  result.expired_snapshots.assign(change.remove_snapshots.begin(), change.remove_snapshots.end());
  Say(o, "planned: " + std::to_string(result.expired_snapshots.size()) + " snapshot(s), " +
             std::to_string(candidates.size()) + " file(s)");

  if (o.dry_run) {
    for (const auto& [key, c] : candidates) {
      (c.kind == Kind::kData ? result.data_files_deleted
                             : c.kind == Kind::kDelete ? result.delete_files_deleted : result.manifests_deleted)++;
      result.bytes_freed += c.size;
    }
  } else if (!change.remove_snapshots.empty()) {
    // 2. Record, 3. commit, 4. delete (re-checked), then drop the record.
    const std::string record = table.table_key() + "/metadata/" + kRecordPrefix + Uuid::Random().ToString() + ".json";
    AILAKE_RETURN_IF_ERROR(store.PutIfAbsent(record, RecordJson(result.expired_snapshots, candidates)));
    Say(o, "recorded " + record);
    auto committed = CommitChange(table.catalog(), table.ident(), change);
    if (!committed.ok()) {
      (void)store.Delete(record);
      return committed.status();
    }
    result.expired_snapshots = committed->removed_snapshots;
    Say(o, "committed: " + std::to_string(result.expired_snapshots.size()) + " snapshot(s) expired");
    AILAKE_RETURN_IF_ERROR(DeleteCandidates(table, reach, candidates, o, &result));
    Say(o, "deleting expire record " + record);
    AILAKE_RETURN_IF_ERROR(store.Delete(record));
  }

  // 5. Orphans and old metadata files past the grace period.
  AILAKE_RETURN_IF_ERROR(DeleteOrphans(table, reach, o, orphan_cutoff, &result));
  AILAKE_ASSIGN_OR_RETURN(MetadataCleanup meta,
                          DeleteOldMetadataFiles(table.catalog(), table.ident(), orphan_cutoff, o.dry_run, o.progress));
  result.metadata_files_deleted = meta.files_deleted;
  result.bytes_freed += meta.bytes_freed;
  Say(o, "done");
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  return result;
}

Result<std::vector<std::string>> ListUnreferencedFiles(Table& table) {
  Store& store = table.catalog().store();
  const std::string data_prefix = table.table_key() + "/data/";
  const std::string meta_prefix = table.table_key() + "/metadata/";
  AILAKE_ASSIGN_OR_RETURN(auto data, store.List(data_prefix));
  AILAKE_ASSIGN_OR_RETURN(auto meta, store.List(meta_prefix));
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable state, table.catalog().LoadTable(table.ident()));
  Reach reach(table);
  AILAKE_ASSIGN_OR_RETURN(std::set<std::string> needed, reach.All(state.metadata));
  std::vector<std::string> out;
  for (const auto& o : data) {
    if (!needed.count(o.key)) out.push_back(o.key);
  }
  for (const auto& o : meta) {
    if (o.key.find('/', meta_prefix.size()) == std::string::npos && o.key.ends_with(".avro") && !needed.count(o.key)) {
      out.push_back(o.key);
    }
  }
  return out;
}

}  // namespace ailake::table
