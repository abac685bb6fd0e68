// The files of one snapshot: its manifest list, every manifest, and the live entries in them.
#pragma once

#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/manifest_io.h"
#include "iceberg/table_metadata.h"

namespace ailake::iceberg {

struct SnapshotFiles {
  std::vector<ManifestFile> manifests;
  // Per manifest (same order): its entries (sequence numbers inherited).
  std::vector<std::vector<ManifestEntry>> entries;
  // Live (non-DELETED) entries, split by content.
  std::vector<ManifestEntry> data_files;
  std::vector<ManifestEntry> delete_files;
  VectorStatsMap vector_stats;  // union of every manifest's header stats
};

// Empty for a null snapshot (a table with no snapshot yet). The manifest list is always read from
// storage; the manifests as `how` says (manifest_io.h).
Result<SnapshotFiles> ReadSnapshotFiles(Store& store, const Locations& loc, const Snapshot* snapshot,
                                        ManifestRead how = ManifestRead::kCached);

}  // namespace ailake::iceberg
