#include "table/data_file_stats.h"

#include <cstring>

namespace ailake::table {

namespace {

// Negative when a < b for the leaf's physical type (PLAIN-encoded statistics bytes).
int CompareStat(const std::string& a, const std::string& b, const std::string& physical) {
  if (physical == "INT32" && a.size() == 4 && b.size() == 4) {
    int32_t x, y;
    std::memcpy(&x, a.data(), 4);
    std::memcpy(&y, b.data(), 4);
    return x < y ? -1 : x > y;
  }
  if (physical == "INT64" && a.size() == 8 && b.size() == 8) {
    int64_t x, y;
    std::memcpy(&x, a.data(), 8);
    std::memcpy(&y, b.data(), 8);
    return x < y ? -1 : x > y;
  }
  if (physical == "FLOAT" && a.size() == 4 && b.size() == 4) {
    float x, y;
    std::memcpy(&x, a.data(), 4);
    std::memcpy(&y, b.data(), 4);
    return x < y ? -1 : x > y;
  }
  if (physical == "DOUBLE" && a.size() == 8 && b.size() == 8) {
    double x, y;
    std::memcpy(&x, a.data(), 8);
    std::memcpy(&y, b.data(), 8);
    return x < y ? -1 : x > y;
  }
  // BOOLEAN and BYTE_ARRAY (strings): unsigned bytewise.
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size();
}

}  // namespace

iceberg::DataFile DataFileFromFooter(const parquet::ParquetReader& reader, const std::string& location,
                                     int64_t file_size) {
  const parquet::FileInfo& info = reader.info();
  iceberg::DataFile f;
  f.file_path = location;
  f.file_format = "PARQUET";
  f.record_count = info.num_rows;
  f.file_size_in_bytes = file_size;
  std::map<int32_t, std::string> lower, upper;
  std::map<int32_t, bool> bounds_ok;
  for (size_t rg = 0; rg < info.row_groups.size(); ++rg) {
    const auto& group = info.row_groups[rg];
    if (rg == 0) f.split_offsets.push_back(group.columns.empty() ? 4 : group.columns[0].data_page_offset);
    for (size_t c = 0; c < group.columns.size() && c < info.leaves.size(); ++c) {
      const auto& leaf = info.leaves[c];
      if (leaf.field_id < 0) continue;
      const auto& chunk = group.columns[c];
      const int32_t id = leaf.field_id;
      f.column_sizes[id] += chunk.total_compressed_size;
      f.value_counts[id] += chunk.num_values;
      if (chunk.stats.null_count) f.null_value_counts[id] += *chunk.stats.null_count;
      const bool boundable = leaf.physical_type != "FIXED_LEN_BYTE_ARRAY" &&
                             (leaf.physical_type != "BYTE_ARRAY" || leaf.logical_type == "STRING");
      if (!boundable) continue;
      if (!chunk.stats.has_min_max) {
        // A row group without bounds (all nulls) leaves the others' bounds valid.
        if (chunk.stats.null_count && *chunk.stats.null_count == chunk.num_values) continue;
        bounds_ok[id] = false;
        continue;
      }
      if (!bounds_ok.count(id)) bounds_ok[id] = true;
      if (!lower.count(id) || CompareStat(chunk.stats.min_raw, lower[id], leaf.physical_type) < 0) lower[id] = chunk.stats.min_raw;
      if (!upper.count(id) || CompareStat(chunk.stats.max_raw, upper[id], leaf.physical_type) > 0) upper[id] = chunk.stats.max_raw;
    }
  }
  for (const auto& [id, ok] : bounds_ok) {
    if (!ok || !lower.count(id)) continue;
    f.lower_bounds[id] = std::vector<uint8_t>(lower[id].begin(), lower[id].end());
    f.upper_bounds[id] = std::vector<uint8_t>(upper[id].begin(), upper[id].end());
  }
  return f;
}

}  // namespace ailake::table
