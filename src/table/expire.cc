#include "table/expire.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "iceberg/snapshot_files.h"
#include "table/commit.h"

namespace ailake::table {

namespace {

// Every object a snapshot needs: its manifest list, manifests, and the live files they list.
// With `all_entries`, DELETED entries' files count too (candidates for deletion).
Status CollectFiles(Table& table, const iceberg::Snapshot& snap, bool all_entries, std::set<std::string>* out,
                    std::map<std::string, int64_t>* sizes, std::set<std::string>* deletes) {
  Store& store = table.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files, iceberg::ReadSnapshotFiles(store, table.locations(), &snap));
  out->insert(snap.manifest_list);
  for (size_t m = 0; m < files.manifests.size(); ++m) {
    out->insert(files.manifests[m].manifest_path);
    (*sizes)[files.manifests[m].manifest_path] = files.manifests[m].manifest_length;
    for (const auto& e : files.entries[m]) {
      if (!all_entries && e.status == iceberg::EntryStatus::kDeleted) continue;
      out->insert(e.file.file_path);
      (*sizes)[e.file.file_path] = e.file.file_size_in_bytes;
      if (e.file.content != iceberg::FileContent::kData) deletes->insert(e.file.file_path);
    }
  }
  return Status::OK();
}

}  // namespace

Result<ExpireResult> ExpireSnapshots(Table& table, const ExpireOptions& o) {
  if (o.retain_last < 1) return Status::InvalidArgument("--retain-last must be at least 1");
  const int64_t cutoff = o.older_than_ms.value_or(NowMs() - 5LL * 24 * 3600 * 1000);
  ExpireResult result;
  iceberg::TableMetadata after;
  std::vector<iceberg::Snapshot> expired;
  for (int attempt = 0;; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable base, table.catalog().LoadTable(table.ident()));
    iceberg::TableMetadata m = base.metadata;
    std::vector<const iceberg::Snapshot*> by_time;
    for (const auto& s : m.snapshots) by_time.push_back(&s);
    std::sort(by_time.begin(), by_time.end(),
              [](const iceberg::Snapshot* a, const iceberg::Snapshot* b) { return a->timestamp_ms > b->timestamp_ms; });
    std::set<int64_t> keep;
    for (size_t i = 0; i < by_time.size() && i < static_cast<size_t>(o.retain_last); ++i) keep.insert(by_time[i]->snapshot_id);
    if (m.current_snapshot_id) keep.insert(*m.current_snapshot_id);
    for (const auto& [name, ref] : m.refs) keep.insert(ref.snapshot_id);
    std::set<int64_t> gone;
    expired.clear();
    for (const auto& s : m.snapshots) {
      if (!keep.count(s.snapshot_id) && s.timestamp_ms < cutoff) {
        gone.insert(s.snapshot_id);
        expired.push_back(s);
      }
    }
    result.expired_snapshots.assign(gone.begin(), gone.end());
    if (gone.empty()) {
      after = m;
      break;
    }
    m.snapshots.erase(std::remove_if(m.snapshots.begin(), m.snapshots.end(),
                                     [&](const iceberg::Snapshot& s) { return gone.count(s.snapshot_id) > 0; }),
                      m.snapshots.end());
    m.snapshot_log.erase(std::remove_if(m.snapshot_log.begin(), m.snapshot_log.end(),
                                        [&](const iceberg::SnapshotLogEntry& e) { return gone.count(e.snapshot_id) > 0; }),
                         m.snapshot_log.end());
    m.last_updated_ms = std::max(NowMs(), base.metadata.last_updated_ms + 1);
    after = m;
    if (o.dry_run) break;
    auto r = table.catalog().CommitTable(base, std::move(m));
    if (r.ok()) break;
    if (r.status().code() != StatusCode::kCommitConflict || attempt >= 100) return r.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + attempt));  // backoff between CAS attempts
  }

  // Files: referenced by an expired snapshot and by no retained one.
  std::set<std::string> reachable, candidates, delete_files;
  std::map<std::string, int64_t> sizes;
  for (const auto& s : after.snapshots) {
    AILAKE_RETURN_IF_ERROR(CollectFiles(table, s, false, &reachable, &sizes, &delete_files));
  }
  for (const auto& s : expired) {
    AILAKE_RETURN_IF_ERROR(CollectFiles(table, s, true, &candidates, &sizes, &delete_files));
  }
  Store& store = table.catalog().store();
  // Staging folders of migration jobs that are over: whatever in them no retained snapshot
  // references was never committed (a run killed between its cutover and its cleanup, say).
  if (!o.dry_run) {
    // List first, then read which job runs: a job planned after this read cannot have written
    // anything that the listing saw.
    const std::string data_prefix = table.table_key() + "/data/migrate-";
    AILAKE_ASSIGN_OR_RETURN(auto staged, store.List(data_prefix));
    AILAKE_RETURN_IF_ERROR(table.Refresh());
    auto running = table.metadata().properties.find("ailake.migration");
    std::set<std::string> folders;
    for (const auto& obj : staged) {
      const size_t slash = obj.key.find('/', data_prefix.size());
      if (slash == std::string::npos) continue;
      const std::string job = obj.key.substr(data_prefix.size(), slash - data_prefix.size());
      if (running != table.metadata().properties.end() && running->second == job) continue;
      folders.insert(obj.key.substr(0, slash + 1));
      const std::string location = table.catalog().LocationOf(obj.key);
      if (!reachable.count(location) && !candidates.count(location)) {
        AILAKE_RETURN_IF_ERROR(store.Delete(obj.key));
        ++result.data_files_deleted;
        result.bytes_freed += static_cast<int64_t>(obj.size);
      }
    }
    for (const auto& f : folders) AILAKE_RETURN_IF_ERROR(store.DeleteUnpublished(f).status());
  }
  for (const auto& path : candidates) {
    if (reachable.count(path)) continue;
    AILAKE_ASSIGN_OR_RETURN(std::string key, table.locations().KeyOf(path));
    if (!o.dry_run) AILAKE_RETURN_IF_ERROR(store.Delete(key));
    const bool is_meta = key.find("/metadata/") != std::string::npos;
    if (is_meta) {
      ++result.manifests_deleted;
    } else if (delete_files.count(path)) {
      ++result.delete_files_deleted;
    } else {
      ++result.data_files_deleted;
    }
    auto sz = sizes.find(path);
    if (sz != sizes.end()) result.bytes_freed += sz->second;
  }
  return result;
}

}  // namespace ailake::table
