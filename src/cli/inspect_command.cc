// `ailake inspect FILE [--format text|json]`: schema, row groups, codecs, statistics and key/value
// metadata of a Parquet file (and, for AI-Lake files, each AILK section).
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "ailake/file.h"
#include "cli/commands.h"
#include "cli/inspect_sections.h"

namespace ailake::cli {

namespace {

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string Truncate(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n) + "..."; }

nlohmann::json InfoJson(const FileReport& info) {
  using nlohmann::json;
  json j;
  j["file_size"] = info.file_size;
  j["num_rows"] = info.num_rows;
  j["created_by"] = info.created_by;
  j["format_version"] = info.format_version;
  j["footer_offset"] = info.footer_offset;
  j["footer_length"] = info.footer_length;
  j["schema"] = json::array();
  for (const auto& l : info.schema) {
    json c{{"path", l.path}, {"physical_type", l.physical_type}, {"logical_type", l.logical_type},
           {"repetition", l.repetition}, {"max_definition_level", l.max_definition_level},
           {"max_repetition_level", l.max_repetition_level}};
    if (l.type_length) c["type_length"] = l.type_length;
    if (l.field_id >= 0) c["field_id"] = l.field_id;
    j["schema"].push_back(c);
  }
  j["row_groups"] = json::array();
  for (const auto& rg : info.row_groups) {
    json r{{"num_rows", rg.num_rows}, {"total_byte_size", rg.total_byte_size}, {"columns", json::array()}};
    for (const auto& cc : rg.columns) {
      json col{{"path", cc.path},
               {"physical_type", cc.physical_type},
               {"codec", cc.codec},
               {"encodings", cc.encodings},
               {"num_values", cc.num_values},
               {"compressed_size", cc.compressed_size},
               {"uncompressed_size", cc.uncompressed_size},
               {"data_page_offset", cc.data_page_offset}};
      if (cc.dictionary_page_offset) col["dictionary_page_offset"] = *cc.dictionary_page_offset;
      if (cc.null_count) col["null_count"] = *cc.null_count;
      if (cc.min && cc.max) {
        col["min"] = *cc.min;
        col["max"] = *cc.max;
      }
      r["columns"].push_back(col);
    }
    j["row_groups"].push_back(r);
  }
  j["key_value_metadata"] = json::object();
  for (const auto& [key, value] : info.key_value) j["key_value_metadata"][key] = value;
  return j;
}

void PrintText(const std::string& path, const FileReport& info, std::ostream& out) {
  out << "file:        " << path << " (" << info.file_size << " bytes)\n"
      << "created_by:  " << info.created_by << "\n"
      << "rows:        " << info.num_rows << " in " << info.row_groups.size() << " row group(s)\n"
      << "footer:      " << info.footer_length << " bytes at offset " << info.footer_offset << "\n\nschema:\n";
  for (const auto& l : info.schema) {
    std::ostringstream line;
    line << "  " << l.path << "  " << l.physical_type;
    if (l.type_length) line << "(" << l.type_length << ")";
    if (!l.logical_type.empty()) line << " " << l.logical_type;
    line << " " << l.repetition;
    if (l.field_id >= 0) line << " field_id=" << l.field_id;
    out << line.str() << "\n";
  }
  for (size_t r = 0; r < info.row_groups.size(); ++r) {
    const auto& rg = info.row_groups[r];
    out << "\nrow group " << r << ": " << rg.num_rows << " rows, " << rg.total_byte_size << " bytes\n";
    for (const auto& cc : rg.columns) {
      out << "  " << cc.path << ": " << cc.codec << " [" << Join(cc.encodings, ",") << "] values=" << cc.num_values
          << " size=" << cc.compressed_size << "/" << cc.uncompressed_size;
      if (cc.null_count) out << " nulls=" << *cc.null_count;
      if (cc.min && cc.max) out << " min=" << *cc.min << " max=" << *cc.max;
      out << "\n";
    }
  }
  out << "\nkey/value metadata:" << (info.key_value.empty() ? " (none)" : "") << "\n";
  for (const auto& [key, value] : info.key_value) out << "  " << key << " = " << Truncate(value, 200) << "\n";
}

int RunInspect(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.get("format");
  if (format != "text" && format != "json") {
    return ReportError(Status::InvalidArgument("--format must be text or json, got '" + format + "'"), err);
  }
  const std::string& path = args.positional(0);
  auto report = InspectFile(path);
  if (!report.ok()) return ReportError(report.status(), err);
  const FileReport& info = *report;
  const bool sections_ok = info.sections_status.ok();
  const SectionsReport sections = RenderSections(info.sections);
  if (format == "json") {
    nlohmann::json j = InfoJson(info);
    j["file"] = path;
    if (sections_ok) j["ailk_sections"] = sections.json;
    else j["ailk_error"] = info.sections_status.message();
    out << j.dump(2) << "\n";
  } else {
    PrintText(path, info, out);
    if (sections_ok) out << sections.text;
    else out << "\nAILK: error: " << info.sections_status.message() << "\n";
  }
  return sections_ok ? 0 : 1;
}

}  // namespace

Command InspectCommand() {
  CommandSpec spec;
  spec.name = "inspect";
  spec.summary = "Show a Parquet/AI-Lake file's schema, row groups, statistics, metadata and AILK sections";
  spec.positionals = {"FILE"};
  spec.flags = {{"format", "", "text|json", "output format", "text"}};
  spec.details = "Exit code 1 when the file (or one of its AILK sections) is corrupt.";
  return {spec, RunInspect};
}

}  // namespace ailake::cli
