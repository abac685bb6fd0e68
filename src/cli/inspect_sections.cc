#include "cli/inspect_sections.h"

namespace ailake::cli {

// Placeholder until the AI-Lake file layer lands: plain Parquet files have no sections.
Result<SectionsReport> InspectSections(const std::string& path, parquet::ParquetReader& reader) {
  (void)path;
  (void)reader;
  SectionsReport r;
  r.json = nlohmann::json::array();
  return r;
}

}  // namespace ailake::cli
