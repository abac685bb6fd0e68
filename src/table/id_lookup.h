// Finding rows by id without reading every file: the lookup behind upsert and delete --ids.
//
// Three levels, each ruling out what the one above could not:
//   1. the manifest entry's `id` lower/upper bounds (no file opened): a file is a candidate only if
//      some wanted id lies in [lower, upper];
//   2. the candidate file's footer: a row group is read only if some wanted id lies in its id column
//      chunk's [min, max] statistics;
//   3. the id column chunk alone of each surviving row group is read and matched.
// Bounds that are missing (another writer, an all-null column) make the file or row group a
// candidate, never a skip. Truncated bounds (Iceberg and Parquet writers may shorten long strings)
// stay correct: a truncated lower bound is a prefix (<= every value) and a truncated upper bound is
// rounded up, so "some id in [lower, upper]" never rules out a real match. Strings compare as
// unsigned bytes, like the bounds.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/manifest.h"
#include "table/table.h"

namespace ailake::table {

struct IdHit {
  std::string id;
  std::string file;  // data file location
  int64_t pos = 0;   // row number in the file
};

struct IdLookupStats {
  int64_t files = 0;            // data files considered
  int64_t files_opened = 0;     // candidates by manifest bounds (footer read)
  int64_t row_groups = 0;       // row groups of the opened files
  int64_t row_groups_read = 0;  // candidates by row-group statistics (id column read)
  int64_t rows_read = 0;        // ids compared
};

// The rows of `data_files` whose id is in `ids` (sorted ascending, unique) and whose position is not
// in `deleted` (file location -> deleted positions, ascending). Every live occurrence is returned,
// so an id stored twice (e.g. appended twice in append mode) yields two hits. Order: file by file in
// `data_files` order, ascending positions.
Result<std::vector<IdHit>> FindIds(Table& table, const std::vector<iceberg::ManifestEntry>& data_files,
                                   const std::map<std::string, std::vector<int64_t>>& deleted,
                                   const std::vector<std::string>& ids, IdLookupStats* stats = nullptr);

}  // namespace ailake::table
