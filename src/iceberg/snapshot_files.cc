#include "iceberg/snapshot_files.h"

namespace ailake::iceberg {

Result<SnapshotFiles> ReadSnapshotFiles(Store& store, const Locations& loc, const Snapshot* snapshot,
                                        ManifestRead how) {
  SnapshotFiles out;
  if (snapshot == nullptr) return out;
  AILAKE_ASSIGN_OR_RETURN(out.manifests, ReadManifestList(store, loc, snapshot->manifest_list));
  for (const auto& m : out.manifests) {
    AILAKE_ASSIGN_OR_RETURN(ManifestContents c, ReadManifest(store, loc, m, how));
    for (const auto& e : c.entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (e.file.content == FileContent::kData) out.data_files.push_back(e);
      else out.delete_files.push_back(e);
    }
    for (auto& [path, stats] : c.vector_stats) out.vector_stats[path] = std::move(stats);
    out.entries.push_back(std::move(c.entries));
  }
  return out;
}

}  // namespace ailake::iceberg
