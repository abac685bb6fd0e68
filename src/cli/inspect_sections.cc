#include "cli/inspect_sections.h"

#include <sstream>

namespace ailake::cli {

SectionsReport RenderSections(const std::vector<FileVectorSection>& sections) {
  SectionsReport r;
  r.json = nlohmann::json::array();
  if (sections.empty()) return r;
  std::ostringstream os;
  os << "\nAILK sections:\n";
  for (const auto& s : sections) {
    os << "  column " << s.column << ": dim=" << s.dim << " metric=" << MetricName(s.metric)
       << " precision=" << PrecisionName(s.precision) << " model=" << s.model.Id() << "\n"
       << "    index=" << IndexKindName(s.index) << " params=" << s.index_params << " rows=" << s.record_count
       << " rows_with_vector=" << s.rows_with_vector << "\n"
       << "    section: offset=" << s.section_offset << " bytes=" << s.section_bytes
       << " index_blob=" << s.index_blob_bytes << " radius=" << s.radius << "\n";
    nlohmann::json params = nlohmann::json::parse(s.index_params, nullptr, false);
    r.json.push_back({{"column", s.column},
                      {"dim", s.dim},
                      {"metric", std::string(MetricName(s.metric))},
                      {"precision", std::string(PrecisionName(s.precision))},
                      {"model", s.model.name},
                      {"model_version", s.model.version},
                      {"index", std::string(IndexKindName(s.index))},
                      {"index_params", params.is_discarded() ? nlohmann::json(s.index_params) : params},
                      {"record_count", s.record_count},
                      {"rows_with_vector", s.rows_with_vector},
                      {"section_offset", s.section_offset},
                      {"section_bytes", s.section_bytes},
                      {"index_blob_bytes", s.index_blob_bytes},
                      {"radius", s.radius}});
  }
  r.text = os.str();
  return r;
}

}  // namespace ailake::cli
