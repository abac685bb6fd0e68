// Compaction: merge a table's small data files (and apply their position deletes) into files of
// the target size, as one validated commit.
//
//   plan    Read the latest snapshot. A live data file is a candidate when it is smaller than the
//           target (fewer live rows than target_file_rows, or fewer bytes than target_file_bytes)
//           or has deleted rows, and, with `where`, when its row-group statistics say some row may
//           match. Candidates are grouped by their layout, read from each file's footer: the data
//           columns (names, types, field ids, field metadata), every vector column (name, model
//           name@version, dim, metric, precision, field id) and the file's own key/value metadata.
//           Files of different groups are never merged, so every output holds exactly the columns,
//           models and key/value pairs of its sources. A group is rewritten when it has two or
//           more files or any deleted row. During a running migration, the job's staged outputs
//           (data/migrate-<job>/...) are left alone: moving them would make the job redo them.
//   write   Per group, the sources' live rows are streamed in order (row group by row group; rows
//           deleted as of the plan left out) into new AI-Lake files at unique keys under the
//           table's data/ folder, cut at the target size; each output's vector indexes are built
//           anew (the table's index policy, each column's own precision). An output appears in the
//           store only when complete, so a killed compaction publishes nothing half-written; its
//           complete but uncommitted outputs are orphans for `expire`.
//   commit  One delta: remove the sources and the delete files that target them, add the outputs.
//           Rows deleted after the plan are carried onto the outputs as new position deletes (the
//           commit checks, through removed_seen_sequence, that no delete it did not see landed).
//           A source removed meanwhile (another compaction, a migration) or a schema change is a
//           conflict: the outputs are deleted and the compaction is planned again on the newer
//           state, up to `max_replans` times. Old files stay for time travel until `expire`.
//
// Clustered layout (`cluster`): instead of merging small files, every live row of the table's
// current model is rewritten into `cluster_files` files, each one region of the vector space:
// k-means centres are trained on a deterministic sample of the vectors (vec/kmeans.h, balanced
// training for the same capacity, so regions follow the data's density), every row
// goes to a region by the balanced assignment (a region holds at most (1 + `cluster_slack`) x the
// mean size), and each region's rows become one file per layout group (same writer, same carried
// deletes and commit validation as above). The commit also records the centres as the table's
// regions object (table/layout_regions.h), so later appends are routed to their nearest region
// and every file's centroid/radius stays tight for search pruning. Files written by another model
// are left as they are; clustering is refused while a migration runs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "table/table.h"

namespace ailake::table {

struct CompactOptions {
  int64_t target_file_rows = 0;   // rows per output file; 0 = the table's ailake.target-file-rows
  // Also cut an output once its rows reach this many bytes, uncompressed (as TableWriter counts);
  // 0 = no byte limit. A file of at least this many bytes is not small.
  int64_t target_file_bytes = 0;
  std::string where;              // compact only files whose statistics say a row may match
  bool dry_run = false;           // plan only: write and commit nothing
  uint32_t build_threads = 0;     // index build threads (0 = all cores)
  int64_t row_group_rows = 128 * 1024;  // Parquet row group size of the outputs
  int max_replans = 10;           // plans after a conflicting concurrent commit, before giving up
  bool cluster = false;           // clustered layout (see the file comment)
  int64_t cluster_files = 0;      // regions; 0 = ceil(live rows / target_file_rows)
  size_t cluster_sample_rows = 50000;  // k-means training sample
  uint64_t cluster_seed = 1;
  // A region holds at most ceil(rows / regions * (1 + slack)) rows. 1.0 (twice the mean): a tight
  // balance (0.05) pushes the rows of large natural clusters into other regions, where the nearest
  // centroids no longer point to them (measured on text-embedding-like data, 10 regions: recall@10
  // with the nearest 2 files 0.77 at 0.05, 0.89 at 0.5, 0.99 at 1.5, before k-means training was
  // balanced for the same bound; docs/BENCHMARKS.md).
  double cluster_slack = 1.0;
  size_t cluster_threads = 0;     // k-means threads (0 = cores)
  // Called with one line per step ("planned ...", "wrote ...", "committing ...", "committed ...").
  std::function<void(const std::string&)> progress;
};

struct CompactSource {
  std::string location;
  int64_t rows = 0;               // physical rows (the manifest's record count)
  int64_t deleted_rows = 0;       // rows deleted as of the plan
  int64_t bytes = 0;
};

struct CompactGroup {
  std::string layout;             // human-readable: the vector columns and models of the group
  std::vector<CompactSource> sources;
  int64_t rows_in = 0;            // physical rows of the sources
  int64_t deleted_rows = 0;
  int64_t live_rows = 0;          // rows the outputs will hold
  int64_t bytes_in = 0;
  int64_t delete_files = 0;       // delete files that target the sources (removed by the commit)
  int64_t files_out = 0;          // planned: ceil(live_rows / target rows) (the byte limit may add more)
};

struct CompactPlan {
  int64_t snapshot_id = 0;        // the snapshot planned on (0: empty table)
  int64_t target_file_rows = 0;
  int64_t target_file_bytes = 0;
  size_t live_files = 0;          // live data files of the snapshot
  size_t candidates = 0;          // files that are small, or have deletes (and may match `where`)
  std::vector<CompactGroup> groups;  // only groups that will be rewritten
};

struct CompactResult {
  CompactPlan plan;               // the plan that was committed (the last one after re-plans)
  int64_t snapshot_id = 0;        // 0 when there was nothing to do (or dry run)
  size_t files_removed = 0;
  size_t delete_files_removed = 0;
  size_t files_added = 0;
  int64_t rows_written = 0;
  int64_t bytes_written = 0;
  int64_t carried_deletes = 0;    // rows deleted during the compaction, carried onto the outputs
  int commit_attempts = 0;        // commit attempts of the last plan (> 1: lost races, deletes carried)
  int replans = 0;                // plans thrown away because of a conflicting concurrent commit
  size_t regions = 0;             // cluster: regions of the committed layout
  std::string regions_object;     // cluster: its name (the ailake.layout.regions property)
};

// Plans and (unless dry_run) performs a compaction; see the file comment.
Result<CompactResult> CompactTable(Table& table, const CompactOptions& options = {});

}  // namespace ailake::table
