// InspectFile (include/ailake/file.h): a Parquet file's metadata and its AILK sections.
#include <cstring>

#include "ailake/file.h"
#include "file/file_reader.h"
#include "parquet/reader.h"
#include "parquet/value_json.h"

namespace ailake {

namespace {

// A PLAIN-encoded statistics value rendered for people, by physical (and logical) type. Long
// strings and bytes are cut: a statistic is a hint, and a 1 MB max value would bury the report.
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

Result<std::vector<FileVectorSection>> ReadSections(const std::string& path) {
  std::vector<FileVectorSection> out;
  AILAKE_ASSIGN_OR_RETURN(auto file, file::AiLakeFileReader::OpenPath(path));
  for (const auto& m : file->vector_columns()) {
    AILAKE_ASSIGN_OR_RETURN(file::AilkSection s, file->ReadSection(m));
    FileVectorSection v;
    v.column = m.name;
    v.dim = s.dim;
    v.metric = s.metric;
    v.precision = s.precision;
    v.model = m.model;
    v.index = s.index_kind;
    v.index_params = m.index_params;
    v.record_count = s.record_count;
    v.rows_with_vector = m.rows_with_vector;
    v.section_offset = m.section_offset;
    v.section_bytes = file::AilkSectionSize(s.dim, s.has_centroid, s.index_blob.size());
    v.index_blob_bytes = s.index_blob.size();
    v.radius = s.radius;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

Result<FileReport> InspectFile(const std::string& path) {
  AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::OpenPath(path));
  const parquet::FileInfo& info = reader->info();
  FileReport r;
  r.path = path;
  r.file_size = info.file_size;
  r.num_rows = info.num_rows;
  r.created_by = info.created_by;
  r.format_version = info.version;
  r.footer_offset = info.footer_offset;
  r.footer_length = info.footer_length;
  for (const auto& l : info.leaves) {
    r.schema.push_back({l.path, l.physical_type, l.logical_type, l.repetition, l.type_length, l.max_definition_level,
                        l.max_repetition_level, l.field_id});
  }
  for (const auto& rg : info.row_groups) {
    FileRowGroup g;
    g.num_rows = rg.num_rows;
    g.total_byte_size = rg.total_byte_size;
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& cc = rg.columns[c];
      FileColumnChunk k;
      k.path = cc.path;
      k.physical_type = cc.physical_type;
      k.codec = cc.codec;
      k.encodings = cc.encodings;
      k.num_values = cc.num_values;
      k.compressed_size = cc.total_compressed_size;
      k.uncompressed_size = cc.total_uncompressed_size;
      k.data_page_offset = cc.data_page_offset;
      k.dictionary_page_offset = cc.dictionary_page_offset;
      k.null_count = cc.stats.null_count;
      // Statistics are rendered by the leaf's type; a chunk without a matching leaf (a malformed
      // footer the reader tolerated) shows none rather than guessing.
      if (cc.stats.has_min_max && c < info.leaves.size()) {
        k.min = StatText(cc.stats.min_raw, info.leaves[c]);
        k.max = StatText(cc.stats.max_raw, info.leaves[c]);
      }
      g.columns.push_back(std::move(k));
    }
    r.row_groups.push_back(std::move(g));
  }
  for (const auto& kv : info.key_value) r.key_value.emplace_back(kv.key, kv.value);
  // A second, AI-Lake-aware open: its extra cross-checks may fail on a file whose Parquet part is
  // fine, and that part is still worth reporting.
  auto sections = ReadSections(path);
  if (sections.ok()) {
    r.sections = std::move(*sections);
  } else {
    r.sections_status = sections.status();
  }
  return r;
}

}  // namespace ailake
