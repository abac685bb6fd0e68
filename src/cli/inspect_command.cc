// `ailake inspect FILE [--format text|json]`: schema, row groups, codecs, statistics and key/value
// metadata of a Parquet file (and, for AI-Lake files, each AILK section).
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/inspect_sections.h"
#include "parquet/reader.h"
#include "parquet/value_json.h"

namespace ailake::cli {

namespace {

// Renders a PLAIN-encoded statistics value for humans, by physical type.
std::string StatText(const std::string& raw, const parquet::LeafColumnInfo& leaf) {
  const std::string& t = leaf.physical_type;
  auto fixed = [&](size_t n) { return raw.size() == n; };
  if (t == "BOOLEAN" && fixed(1)) return raw[0] ? "true" : "false";
  if (t == "INT32" && fixed(4)) {
    int32_t v;
    std::memcpy(&v, raw.data(), 4);
    if (leaf.logical_type == "DATE") return parquet::FormatDate(v);
    return std::to_string(v);
  }
  if (t == "INT64" && fixed(8)) {
    int64_t v;
    std::memcpy(&v, raw.data(), 8);
    if (leaf.logical_type.rfind("TIMESTAMP", 0) == 0) {
      auto unit = leaf.logical_type.find("MILLIS") != std::string::npos   ? parquet::TimeUnit::kMillis
                  : leaf.logical_type.find("NANOS") != std::string::npos ? parquet::TimeUnit::kNanos
                                                                          : parquet::TimeUnit::kMicros;
      return parquet::FormatTimestamp(v, unit);
    }
    return std::to_string(v);
  }
  if (t == "FLOAT" && fixed(4)) {
    float v;
    std::memcpy(&v, raw.data(), 4);
    std::string s;
    parquet::AppendJsonFloat(v, &s);
    return s;
  }
  if (t == "DOUBLE" && fixed(8)) {
    double v;
    std::memcpy(&v, raw.data(), 8);
    std::string s;
    parquet::AppendJsonDouble(v, &s);
    return s;
  }
  if (t == "BYTE_ARRAY" && (leaf.logical_type == "STRING" || leaf.logical_type == "JSON" || leaf.logical_type == "ENUM")) {
    std::string s;
    parquet::AppendJsonString(raw.size() > 64 ? raw.substr(0, 64) : raw, &s);
    return raw.size() > 64 ? s + "..." : s;
  }
  std::string b64 = parquet::Base64Encode(raw.size() > 48 ? std::string_view(raw).substr(0, 48) : raw);
  return "base64:" + b64 + (raw.size() > 48 ? "..." : "");
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string Truncate(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n) + "..."; }

nlohmann::json InfoJson(const parquet::FileInfo& info) {
  using nlohmann::json;
  json j;
  j["file_size"] = info.file_size;
  j["num_rows"] = info.num_rows;
  j["created_by"] = info.created_by;
  j["format_version"] = info.version;
  j["footer_offset"] = info.footer_offset;
  j["footer_length"] = info.footer_length;
  j["schema"] = json::array();
  for (const auto& l : info.leaves) {
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
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& cc = rg.columns[c];
      json col{{"path", cc.path},
               {"physical_type", cc.physical_type},
               {"codec", cc.codec},
               {"encodings", cc.encodings},
               {"num_values", cc.num_values},
               {"compressed_size", cc.total_compressed_size},
               {"uncompressed_size", cc.total_uncompressed_size},
               {"data_page_offset", cc.data_page_offset}};
      if (cc.dictionary_page_offset) col["dictionary_page_offset"] = *cc.dictionary_page_offset;
      if (cc.stats.null_count) col["null_count"] = *cc.stats.null_count;
      if (cc.stats.has_min_max && c < info.leaves.size()) {
        col["min"] = StatText(cc.stats.min_raw, info.leaves[c]);
        col["max"] = StatText(cc.stats.max_raw, info.leaves[c]);
      }
      r["columns"].push_back(col);
    }
    j["row_groups"].push_back(r);
  }
  j["key_value_metadata"] = json::object();
  for (const auto& kv : info.key_value) j["key_value_metadata"][kv.key] = kv.value;
  return j;
}

void PrintText(const std::string& path, const parquet::FileInfo& info, std::ostream& out) {
  out << "file:        " << path << " (" << info.file_size << " bytes)\n"
      << "created_by:  " << info.created_by << "\n"
      << "rows:        " << info.num_rows << " in " << info.row_groups.size() << " row group(s)\n"
      << "footer:      " << info.footer_length << " bytes at offset " << info.footer_offset << "\n\nschema:\n";
  for (const auto& l : info.leaves) {
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
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& cc = rg.columns[c];
      out << "  " << cc.path << ": " << cc.codec << " [" << Join(cc.encodings, ",") << "] values=" << cc.num_values
          << " size=" << cc.total_compressed_size << "/" << cc.total_uncompressed_size;
      if (cc.stats.null_count) out << " nulls=" << *cc.stats.null_count;
      if (cc.stats.has_min_max && c < info.leaves.size()) {
        out << " min=" << StatText(cc.stats.min_raw, info.leaves[c]) << " max=" << StatText(cc.stats.max_raw, info.leaves[c]);
      }
      out << "\n";
    }
  }
  out << "\nkey/value metadata:" << (info.key_value.empty() ? " (none)" : "") << "\n";
  for (const auto& kv : info.key_value) out << "  " << kv.key << " = " << Truncate(kv.value, 200) << "\n";
}

int RunInspect(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.get("format");
  if (format != "text" && format != "json") {
    return ReportError(Status::InvalidArgument("--format must be text or json, got '" + format + "'"), err);
  }
  const std::string& path = args.positional(0);
  auto reader = parquet::ParquetReader::OpenPath(path);
  if (!reader.ok()) return ReportError(reader.status(), err);
  const parquet::FileInfo& info = (*reader)->info();
  auto sections = InspectSections(path, **reader);
  if (format == "json") {
    nlohmann::json j = InfoJson(info);
    j["file"] = path;
    if (sections.ok()) j["ailk_sections"] = sections->json;
    else j["ailk_error"] = sections.status().message();
    out << j.dump(2) << "\n";
  } else {
    PrintText(path, info, out);
    if (sections.ok()) out << sections->text;
    else out << "\nAILK: error: " << sections.status().message() << "\n";
  }
  return sections.ok() ? 0 : 1;
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
