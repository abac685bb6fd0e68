// Vector-column metadata of an AI-Lake file, as recorded in the Parquet footer's key/value pairs.
//
// Keys (docs/FORMAT.md), for each vector column C (names listed in `ailake.vector_columns`, primary
// first):
//   ailake.format_version        "1"
//   ailake.vector_columns        "C1,C2,..."
//   ailake.footer_offset         absolute offset of the primary column's AILK section
//   ailake.C.footer_offset       absolute offset of C's AILK section
//   ailake.C.dim / .metric / .precision          e.g. "384", "cosine", "f16"
//   ailake.C.model / .model_version / .model_normalized   the embedding model ("true"/"false")
//   ailake.C.index               "flat" or "hnsw"
//   ailake.C.index_params        JSON, e.g. {"m":16,"ef_construction":200,"seed":42}
//   ailake.C.rows_with_vector    rows whose vector is not null
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"
#include "parquet/batch.h"

namespace ailake::file {

inline constexpr const char* kFormatVersionKey = "ailake.format_version";
inline constexpr const char* kVectorColumnsKey = "ailake.vector_columns";
inline constexpr const char* kPrimaryOffsetKey = "ailake.footer_offset";

// What a writer is told about a vector column.
struct VectorColumnSpec {
  std::string name;
  EmbeddingModelInfo model;     // dim and metric come from here
  VectorStoragePolicy policy;   // precision and index parameters
  int32_t field_id = -1;        // Parquet field_id (the Iceberg column id), -1 = none
};

// What a reader learns from the footer.
struct VectorColumnMeta {
  std::string name;
  EmbeddingModelInfo model;
  VectorPrecision precision = VectorPrecision::kF16;
  IndexKind index_kind = IndexKind::kFlat;
  std::string index_params;  // JSON text
  uint64_t section_offset = 0;
  uint64_t rows_with_vector = 0;
  int field_index = -1;  // index of the column in the Parquet schema
};

std::string ColumnKey(const std::string& column, const char* suffix);  // "ailake.<column>.<suffix>"

// Parquet field for a vector column: FIXED_LEN_BYTE_ARRAY(RowBytes(precision, dim)), nullable.
parquet::Field VectorField(const VectorColumnSpec& spec);

}  // namespace ailake::file
