// Vector search over a table snapshot (guide §6).
//
//  1. Pick the snapshot (current, by id, or as of a time) and read its live files and their vector
//     statistics from the manifests (no data file is opened for this).
//  2. Model check: only files whose vector column was written by the query's model are searched
//     (search never mixes models); no such file at all is an InvalidArgument.
//  3. Pruning: for each file a lower bound on the distance from the query to any of its rows, from
//     the centroid c and radius r (exact, by the triangle inequality):
//       euclidean          max(0, |q - c| - r)^2
//       cosine, normalized max(0, |q^ - c| - r)^2 / 2       (q^ = q / |q|; c, r on unit vectors)
//       dot                -(q . c) - |q| r
//     Files are visited in ascending bound order: the first `threads` files at once, then the rest
//     dealt round-robin to `threads` lanes that each search their files in turn, skipping a file
//     whose bound cannot beat the lane's k-th best distance (SearchOne in table_search.cc).
//  4. Each file's index (cached, validated on load) is searched with its deleted rows (Iceberg v2
//     position deletes) and predicate misses excluded; results are merged into the global top k.
//  5. Requested columns are read for the winners only, from the row groups that hold them (ids
//     come from the file cache when the file is cached: they are loaded with its vectors).
//
// Each step is a function below. Step 1 depends only on the snapshot, so it is a SnapshotPlan that
// a warm caller (the public Table handle) keeps in a SnapshotPlanCache and shares between queries;
// step 2 depends on the query's model, shared by every query of a batch (SearchTableBatch).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "core/thread_pool.h"
#include "iceberg/snapshot_files.h"
#include "parquet/batch.h"
#include "table/file_cache.h"
#include "table/table.h"

namespace ailake::table {

struct SearchOptions {
  size_t k = 10;
  size_t ef = 64;
  bool exact = false;
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> as_of_ms;
  std::vector<std::string> columns;          // data columns to return for each hit
  std::string where;                         // predicate (table/predicate.h); empty = all rows
  std::optional<EmbeddingModelInfo> model;   // the query's model (default: the table's)
  size_t threads = 0;                        // files searched at once (0 = cores)
  bool prune = true;
  // Search only the `nprobe` files whose centroids are nearest the query (0 = all files, exact
  // pruning only). The exact bound still skips what it can among them. A clustered table's files
  // each hold one k-means region, so a file's centroid (in its manifest vector statistics) is its
  // region's centre of mass: ranking files by it ranks regions without reading the regions object,
  // and it works the same for unclustered tables. Approximate: a true neighbour in an unprobed
  // file is missed.
  size_t nprobe = 0;
  // Stop early (approximate): once the first files (one per thread) are searched, the rest are
  // searched in lanes (table_search.cc SearchOne), and a lane stops after `probe_patience` of its
  // files in a row put no hit into its k best; its remaining files count as pruned. 0 = never.
  // A clustered table's neighbours sit in few regions, so the files ranked after them add
  // nothing and are skipped; an unclustered table's files each hold some neighbours, so few are.
  size_t probe_patience = 0;
  // Adaptive probing (approximate; 0 = off; cosine and euclidean metrics). The file of nearest
  // centroid is searched first and alone; then a further file is searched only while its
  // bisector bound is below adaptive_probe x the k-th best distance found so far. The bisector
  // bound of file i is the query's distance to the hyperplane halfway between its centroid c_i and
  // the nearest centroid c_1, h = (|q - c_i|^2 - |q - c_1|^2) / (2 |c_i - c_1|), in the metric's
  // units (h^2 for euclidean, h^2 / 2 for cosine's unit vectors): no point on c_i's side of that
  // hyperplane is nearer the query. In a clustered table each file is a k-means region, so its
  // rows lie (nearly) on their centroid's side, and 1 skips only files that such a partition
  // says cannot help; the bound is loose in high dimension, so values near 0.1 keep recall and
  // skip far more (docs/BENCHMARKS.md). Combines with nprobe (the candidates) and the exact bound.
  double adaptive_probe = 0;
  // How a file's --where allow-list is searched. A predicate that leaves few rows makes a filtered
  // graph walk slow (most visited nodes are rejected, the walk widens, recall drops), so when the
  // matching rows are fewer than max(k * 50, 2% of the file's rows) they are scanned exactly
  // (brute-force distances over the allowed rows only); otherwise the filter stays inside the
  // graph walk. kAuto picks by that rule; the others force one path (tests, benchmarks).
  enum class FilterPath { kAuto, kScan, kGraph };
  FilterPath filter_path = FilterPath::kAuto;
};

// True when `matched` allowed rows of a `rows`-row file are scanned exactly (FilterPath::kAuto).
inline bool FilterScans(int64_t matched, int64_t rows, size_t k) {
  const int64_t floor = static_cast<int64_t>(k) * 50;
  return matched < std::max(floor, rows / 50);
}

struct SearchHit {
  std::string file;   // location
  uint32_t row = 0;   // row within the file
  float distance = 0.0f;
};

struct SearchResult {
  std::vector<SearchHit> hits;  // ascending distance
  parquet::Batch values;        // one row per hit, the requested columns
  int64_t snapshot_id = 0;
  size_t files_total = 0;       // live files of the snapshot with the query's model
  size_t files_searched = 0;
  size_t files_pruned = 0;
  size_t files_other_model = 0;  // live files skipped: no vector column of the query's model
  // The models of those skipped files (model id, or "unknown" without vector statistics) -> files.
  std::map<std::string, size_t> other_models;
  size_t row_groups_skipped = 0;  // by the --where predicate's statistics check
};

Result<SearchResult> SearchTable(Table& table, const float* query, const SearchOptions& options, FileCache* cache);

struct ModelFiles;  // one query model's files of a plan, with their statistics (table_search.cc)

// Step 1: what a snapshot holds, read once. Immutable after PlanSnapshot (a snapshot never changes)
// but for the step-2 memo below, so it may be shared between threads and queries.
struct SnapshotPlan {
  int64_t snapshot_id = 0;  // 0 = the table has no snapshot yet
  iceberg::SnapshotFiles files;
  std::map<std::string, std::vector<int64_t>> deletes;  // position deletes per data-file location
  std::map<std::string, int64_t> file_size;             // data-file location -> manifest size
  // Step 2's answer per query model (model id, dim and vector column), worked out by the first
  // search that needs it: a single-query search of a 100-file table otherwise spent 8 us per query
  // looking up every file's statistics again. The only mutable part; guarded by memo_mu.
  mutable std::mutex memo_mu;
  mutable std::vector<std::pair<std::string, std::shared_ptr<const ModelFiles>>> model_files;
};
Result<std::shared_ptr<const SnapshotPlan>> PlanSnapshot(Table& table, const iceberg::Snapshot* snapshot);

// The last few snapshots' plans, by snapshot id (thread-safe). Keyed by id alone: one cache belongs
// to one table, and a snapshot id names the same immutable file set for the table's whole life.
class SnapshotPlanCache {
 public:
  explicit SnapshotPlanCache(size_t capacity = 4) : capacity_(capacity) {}
  Result<std::shared_ptr<const SnapshotPlan>> Get(Table& table, const iceberg::Snapshot* snapshot);

 private:
  std::mutex mu_;
  size_t capacity_;
  std::vector<std::shared_ptr<const SnapshotPlan>> plans_;  // most recent last
};

// What a warm caller keeps between searches; every member may be null (then the search reads the
// manifests itself and makes a pool of options.threads threads).
struct SearchContext {
  FileCache* cache = nullptr;
  SnapshotPlanCache* plans = nullptr;
  ThreadPool* pool = nullptr;  // used when options.threads is 0 or equals its size
};

// n queries (n x dim floats, row-major, dim = the query model's) against one snapshot: the snapshot
// plan and the model check are made once; queries run in parallel on the pool (each query's files
// in the same lanes as SearchTable, run on the query's thread, so each result equals SearchTable's).
Result<std::vector<SearchResult>> SearchTableBatch(Table& table, const float* queries, size_t n,
                                                   const SearchOptions& options, const SearchContext& context);

// The snapshot a read should use (current, by id, or as of a time); nullptr for an empty table.
Result<const iceberg::Snapshot*> ResolveSnapshot(const iceberg::TableMetadata& m, std::optional<int64_t> snapshot_id,
                                                 std::optional<int64_t> as_of_ms);

// Deleted row positions per data-file location, from the snapshot's position-delete files.
Result<std::map<std::string, std::vector<int64_t>>> ReadPositionDeletes(Table& table,
                                                                        const std::vector<iceberg::ManifestEntry>& deletes);

}  // namespace ailake::table
