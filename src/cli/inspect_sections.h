// The AILK part of `ailake inspect`: describes each AILK section of an AI-Lake file (none for a
// plain Parquet file). Kept apart so inspect_command.cc stays about Parquet.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ailake/status.h"
#include "parquet/reader.h"

namespace ailake::cli {

struct SectionsReport {
  std::string text;      // human-readable block (empty when the file has no AILK sections)
  nlohmann::json json;   // array of sections
};

Result<SectionsReport> InspectSections(const std::string& path, parquet::ParquetReader& reader);

}  // namespace ailake::cli
