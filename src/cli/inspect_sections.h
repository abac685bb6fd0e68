// The AILK part of `ailake inspect`: renders each AILK section of an AI-Lake file (none for a plain
// Parquet file) as text and JSON. Kept apart so inspect_command.cc stays about Parquet.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ailake/file.h"

namespace ailake::cli {

struct SectionsReport {
  std::string text;      // human-readable block (empty when the file has no AILK sections)
  nlohmann::json json;   // array of sections
};

SectionsReport RenderSections(const std::vector<FileVectorSection>& sections);

}  // namespace ailake::cli
