#include "cli/inspect_sections.h"

#include <sstream>

#include "file/file_reader.h"

namespace ailake::cli {

Result<SectionsReport> InspectSections(const std::string& path, parquet::ParquetReader& reader) {
  (void)reader;
  SectionsReport r;
  r.json = nlohmann::json::array();
  AILAKE_ASSIGN_OR_RETURN(auto file, file::AiLakeFileReader::OpenPath(path));
  if (!file->is_ailake()) return r;
  std::ostringstream os;
  os << "\nAILK sections:\n";
  for (const auto& m : file->vector_columns()) {
    AILAKE_ASSIGN_OR_RETURN(file::AilkSection s, file->ReadSection(m));
    const uint64_t size = file::AilkSectionSize(s.dim, s.has_centroid, s.index_blob.size());
    os << "  column " << m.name << ": dim=" << s.dim << " metric=" << MetricName(s.metric)
       << " precision=" << PrecisionName(s.precision) << " model=" << m.model.Id() << "\n"
       << "    index=" << IndexKindName(s.index_kind) << " params=" << m.index_params << " rows=" << s.record_count
       << " rows_with_vector=" << m.rows_with_vector << "\n"
       << "    section: offset=" << m.section_offset << " bytes=" << size << " index_blob=" << s.index_blob.size()
       << " radius=" << s.radius << "\n";
    nlohmann::json params = nlohmann::json::parse(m.index_params, nullptr, false);
    r.json.push_back({{"column", m.name},
                      {"dim", s.dim},
                      {"metric", std::string(MetricName(s.metric))},
                      {"precision", std::string(PrecisionName(s.precision))},
                      {"model", m.model.name},
                      {"model_version", m.model.version},
                      {"index", std::string(IndexKindName(s.index_kind))},
                      {"index_params", params.is_discarded() ? nlohmann::json(m.index_params) : params},
                      {"record_count", s.record_count},
                      {"rows_with_vector", m.rows_with_vector},
                      {"section_offset", m.section_offset},
                      {"section_bytes", size},
                      {"index_blob_bytes", s.index_blob.size()},
                      {"radius", s.radius}});
  }
  r.text = os.str();
  return r;
}

}  // namespace ailake::cli
