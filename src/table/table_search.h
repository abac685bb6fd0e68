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
//     Files are visited in ascending bound order, a wave of `threads` files at a time, and a file is
//     skipped once its bound cannot beat the current k-th best distance.
//  4. Each file's index (cached, validated on load) is searched with its deleted rows (Iceberg v2
//     position deletes) and predicate misses excluded; results are merged into the global top k.
//  5. Requested columns are read for the winners only, from the row groups that hold them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
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
};

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

// The snapshot a read should use (current, by id, or as of a time); nullptr for an empty table.
Result<const iceberg::Snapshot*> ResolveSnapshot(const iceberg::TableMetadata& m, std::optional<int64_t> snapshot_id,
                                                 std::optional<int64_t> as_of_ms);

// Deleted row positions per data-file location, from the snapshot's position-delete files.
Result<std::map<std::string, std::vector<int64_t>>> ReadPositionDeletes(Table& table,
                                                                        const std::vector<iceberg::ManifestEntry>& deletes);

}  // namespace ailake::table
