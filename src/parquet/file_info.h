// A plain description of a Parquet footer, independent of the Thrift-generated types: what
// `ailake inspect` prints and what planners use for row-group skipping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parquet/batch.h"

namespace ailake::parquet {

// Min/max as decoded scalars when the column type allows (ints, floats, strings), raw otherwise.
struct ColumnStats {
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  bool has_min_max = false;
  std::string min_raw, max_raw;  // PLAIN-encoded bytes as stored (min_value/max_value, or legacy min/max)
};

struct ColumnChunkInfo {
  std::string path;                  // dotted path in schema, e.g. "vec" or "emb.list.element"
  std::string physical_type;         // "INT64", "BYTE_ARRAY", ...
  std::string codec;                 // "ZSTD", "SNAPPY", ...
  std::vector<std::string> encodings;
  int64_t num_values = 0;
  int64_t total_compressed_size = 0;
  int64_t total_uncompressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  ColumnStats stats;
};

struct RowGroupInfo {
  int64_t num_rows = 0;
  int64_t total_byte_size = 0;
  std::vector<ColumnChunkInfo> columns;  // one per leaf column
};

struct LeafColumnInfo {
  std::string path;
  std::string physical_type;
  std::string logical_type;  // "STRING", "TIMESTAMP(MICROS,UTC)", "DATE", "LIST", "" ...
  std::string repetition;    // "REQUIRED" / "OPTIONAL" / "REPEATED"
  int32_t type_length = 0;
  int16_t max_definition_level = 0;
  int16_t max_repetition_level = 0;
  int32_t field_id = -1;
};

struct FileInfo {
  int32_t version = 0;
  int64_t num_rows = 0;
  std::string created_by;
  uint64_t file_size = 0;
  uint64_t footer_offset = 0;  // where the Thrift FileMetaData starts
  uint32_t footer_length = 0;
  std::vector<LeafColumnInfo> leaves;
  std::vector<RowGroupInfo> row_groups;
  std::vector<KeyValue> key_value;
};

}  // namespace ailake::parquet
