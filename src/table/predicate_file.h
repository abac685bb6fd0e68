// Applying a bound predicate to one Parquet data file: the rows it keeps, as the AllowedRows set a
// vector search (or a delete) takes. Row groups whose footer statistics rule out every row are
// never read; the others are read for the referenced columns only.
#pragma once

#include <cstdint>

#include "ailake/status.h"
#include "index/index.h"
#include "parquet/reader.h"
#include "table/predicate.h"

namespace ailake::table {

struct FileFilterStats {
  int row_groups = 0;
  int row_groups_skipped = 0;  // ruled out by statistics, not read
  int64_t rows_matched = 0;
};

// Rows of the file (numbered from 0 across row groups) for which `predicate` is true. The predicate
// must be bound (normally against the table's data schema); columns are matched by name, and a column
// the file does not have (added to the table after the file was written) reads as all NULL. A file
// column whose type differs from the bound one is an InvalidArgument naming the file and column.
// Not thread-safe for one reader (ParquetReader::ReadRowGroup is not).
Result<index::AllowedRows> FilterFile(parquet::ParquetReader& reader, const Predicate& predicate,
                                      FileFilterStats* stats = nullptr);

}  // namespace ailake::table
