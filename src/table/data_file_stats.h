// Iceberg per-file statistics of a written AI-Lake file, from its Parquet footer: record count,
// size, and per field id the column sizes, value counts, null counts and lower/upper bounds (Iceberg
// single-value binary form, which for the types ailake writes equals Parquet's PLAIN statistics).
// Bounds are skipped for binary/fixed columns (vector columns: meaningless and large).
#pragma once

#include "ailake/status.h"
#include "iceberg/manifest.h"
#include "parquet/reader.h"

namespace ailake::table {

iceberg::DataFile DataFileFromFooter(const parquet::ParquetReader& reader, const std::string& location,
                                     int64_t file_size);

}  // namespace ailake::table
