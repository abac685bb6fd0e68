// How an ailake table looks in Iceberg: its schema (with field ids, mapped to Parquet fields) and
// the table properties that describe its vector column.
//
// Default columns of a table made by `ailake create` (field ids in brackets):
//   id [1] string required     chunk id (generated "<file-uuid>-<row>" when the input has none)
//   doc_id [2] string          source document
//   <text column> [3] string   the chunk text (default name chunk_text)
//   metadata [4] string        the input's other fields, as a JSON object text
//   <vector column> [5] fixed[RowBytes]   the embedding (default name embedding)
// Extra typed scalar columns may be declared at creation (`--columns name:type,...`).
//
// Table properties (Iceberg `properties`):
//   ailake.vector-column, ailake.text-column, ailake.dim, ailake.metric, ailake.precision,
//   ailake.model, ailake.model-version, ailake.index (auto|flat|hnsw), ailake.hnsw.m,
//   ailake.hnsw.ef-construction, ailake.target-file-rows
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"
#include "iceberg/schema.h"
#include "parquet/batch.h"

namespace ailake::table {

inline constexpr const char* kPropVectorColumn = "ailake.vector-column";
inline constexpr const char* kPropTextColumn = "ailake.text-column";
inline constexpr const char* kPropDim = "ailake.dim";
inline constexpr const char* kPropMetric = "ailake.metric";
inline constexpr const char* kPropPrecision = "ailake.precision";
inline constexpr const char* kPropModel = "ailake.model";
inline constexpr const char* kPropModelVersion = "ailake.model-version";
inline constexpr const char* kPropIndex = "ailake.index";
inline constexpr const char* kPropHnswM = "ailake.hnsw.m";
inline constexpr const char* kPropHnswEfc = "ailake.hnsw.ef-construction";
inline constexpr const char* kPropTargetFileRows = "ailake.target-file-rows";

struct ExtraColumn {
  std::string name;
  std::string type;  // boolean, int, long, float, double, string, date, timestamptz
};

struct TableOptions {
  std::string vector_column = "embedding";
  std::string text_column = "chunk_text";
  EmbeddingModelInfo model;  // name, version, dim, metric
  VectorStoragePolicy policy;
  int64_t target_file_rows = 250000;
  std::vector<ExtraColumn> extra_columns;
};

// The vector-column description of a table, read back from its properties.
struct VectorConfig {
  std::string vector_column;
  std::string text_column;
  EmbeddingModelInfo model;
  VectorStoragePolicy policy;
  int64_t target_file_rows = 250000;
};

// The Iceberg type of a user column type name (boolean, int, long, float, double, string, date,
// timestamptz); InvalidArgument naming `column` otherwise.
Result<iceberg::TypePtr> TypeFromName(const std::string& column, const std::string& type);

Result<iceberg::Schema> DefaultSchema(const TableOptions& options);
std::map<std::string, std::string> TableProperties(const TableOptions& options);
Result<VectorConfig> VectorConfigFromProperties(const std::map<std::string, std::string>& props);

// Iceberg schema -> Parquet fields (with field ids). The vector column maps to FIXED_LEN_BYTE_ARRAY.
Result<parquet::Schema> ToParquetSchema(const iceberg::Schema& schema);
// Parquet data type of an Iceberg primitive (NotSupported for nested types).
Result<parquet::Field> ToParquetField(const iceberg::NestedField& field);

}  // namespace ailake::table
