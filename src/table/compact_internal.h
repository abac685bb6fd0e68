// Compaction internals shared by its plan, write and commit steps (table/compact.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ailake/status.h"
#include "file/file_reader.h"
#include "file/vector_column.h"
#include "iceberg/snapshot_files.h"
#include "iceberg/table_change.h"
#include "parquet/batch.h"
#include "table/compact.h"
#include "table/table.h"

namespace ailake::table::compact_internal {

// What a file looks like, from its footer. Files with equal `key` can be merged: an output holds
// exactly these data columns, vector columns (models) and key/value pairs.
struct FileLayout {
  parquet::Schema data_schema;                      // the non-vector columns, in file order
  std::vector<std::string> data_names;              // their names (projection for the reader)
  std::vector<file::VectorColumnSpec> vectors;      // primary first, with field ids
  std::vector<std::pair<std::string, std::string>> extra_key_values;  // the file's own pairs
  std::string key;                                  // canonical text of everything above
  std::string description;                          // "embedding mini@1 384-d cosine f16"
};

struct PlannedSource {
  CompactSource info;
  std::vector<int64_t> deleted;                     // positions deleted as of the plan (sorted, unique)
};

struct PlannedGroup {
  CompactGroup summary;
  FileLayout layout;
  std::vector<PlannedSource> sources;
};

struct Planned {
  CompactPlan plan;
  std::vector<PlannedGroup> groups;
  int64_t sequence_number = 0;                      // of the planned snapshot
  int schema_id = 0;
};

Result<Planned> PlanCompaction(Table& table, const CompactOptions& options);
// Cluster mode: every live file whose vectors in the table's vector column were written by the
// table's model, grouped by layout; every group is rewritten.
Result<Planned> PlanClustering(Table& table, const CompactOptions& options);

// The layout of an opened file; `table_vectors` gives the index policy outputs are built with.
Result<FileLayout> LayoutOf(file::AiLakeFileReader& reader, const std::string& location, const VectorConfig& table_vectors);

// Where the kept rows of one source went: kept rows [kept_start, kept_start + count) (numbered
// over the source's rows that were not deleted at the plan) are rows [out_row, out_row + count) of
// output `output`.
struct Segment {
  int64_t kept_start = 0;
  size_t output = 0;
  int64_t out_row = 0;
  int64_t count = 0;
};

struct WrittenOutput {
  std::string key;
  iceberg::AddedFile added;
};

// The outputs of one compaction (all groups) and, per source location, where its rows went.
struct WrittenGroups {
  std::vector<WrittenOutput> outputs;
  std::vector<std::pair<std::string, std::vector<Segment>>> segments;  // per source (plan order)
  int64_t rows = 0;
  int64_t bytes = 0;
  // Cluster mode: the regions object written for this layout (deleted with the outputs when the
  // commit does not happen) and the table properties the commit sets.
  std::string regions_key;
  std::map<std::string, std::string> set_properties;
  size_t regions = 0;
};

// Writes every planned group's outputs (published, not committed). On failure the outputs written
// so far are deleted.
Result<WrittenGroups> WriteGroups(Table& table, const Planned& planned, const CompactOptions& options);
// Cluster mode: trains the regions, assigns every planned row and writes one output per region
// and group, plus the regions object. On failure everything written is deleted.
Result<WrittenGroups> WriteClustered(Table& table, const Planned& planned, const CompactOptions& options);

// Output position of source row `pos`, or {-1, -1} when the row was deleted at the plan.
std::pair<int64_t, int64_t> MapRow(const std::vector<int64_t>& deleted_at_plan, const std::vector<Segment>& segments,
                                   int64_t pos);

}  // namespace ailake::table::compact_internal
