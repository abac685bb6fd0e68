#include "migrate/task_record.h"
#include "core/json_numbers.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace ailake::migrate {

std::string TaskId(const std::string& source) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : source) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

int64_t MapSourceRow(const std::vector<int64_t>& skipped, int64_t pos) {
  auto it = std::lower_bound(skipped.begin(), skipped.end(), pos);
  if (it != skipped.end() && *it == pos) return -1;
  return pos - static_cast<int64_t>(it - skipped.begin());
}

std::string TaskRecord::ToJson() const {
  nlohmann::ordered_json j;
  j["format"] = "ailake-migration-task/1";
  j["task_id"] = task_id;
  j["source"] = source;
  j["output"] = output;
  j["output_key"] = output_key;
  j["source_rows"] = source_rows;
  j["rows"] = rows;
  j["skipped"] = skipped;
  j["seen_sequence"] = seen_sequence;
  j["read_snapshot_id"] = read_snapshot_id;
  j["null_vectors"] = null_vectors;
  j["texts_embedded"] = texts_embedded;
  j["chars_embedded"] = chars_embedded;
  j["output_bytes"] = output_bytes;
  j["vector_stats"] = iceberg::VectorStatsToJson({{output, vector_stats}});
  j["finished_ms"] = finished_ms;
  j["embed"] = embed.ToJson();
  return j.dump();
}

Result<TaskRecord> TaskRecord::FromJson(const std::string& text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(where + ": migration task record is not JSON");
  AILAKE_RETURN_IF_ERROR(CheckJsonNumbersCastable(j, where));
  try {
    if (j.at("format").get<std::string>() != "ailake-migration-task/1") {
      return Status::NotSupported(where + ": unknown migration task record format");
    }
    TaskRecord r;
    r.task_id = j.at("task_id").get<std::string>();
    r.source = j.at("source").get<std::string>();
    r.output = j.at("output").get<std::string>();
    r.output_key = j.at("output_key").get<std::string>();
    r.source_rows = j.at("source_rows").get<int64_t>();
    r.rows = j.at("rows").get<int64_t>();
    r.skipped = j.at("skipped").get<std::vector<int64_t>>();
    r.seen_sequence = j.at("seen_sequence").get<int64_t>();
    r.read_snapshot_id = j.at("read_snapshot_id").get<int64_t>();
    r.null_vectors = j.at("null_vectors").get<int64_t>();
    r.texts_embedded = j.at("texts_embedded").get<int64_t>();
    r.chars_embedded = j.at("chars_embedded").get<int64_t>();
    r.output_bytes = j.at("output_bytes").get<int64_t>();
    r.finished_ms = j.at("finished_ms").get<int64_t>();
    if (auto e = j.find("embed"); e != j.end()) {
      AILAKE_ASSIGN_OR_RETURN(r.embed, EmbedCallStats::FromJson(*e, where));
    }
    AILAKE_ASSIGN_OR_RETURN(iceberg::VectorStatsMap stats,
                            iceberg::VectorStatsFromJson(j.at("vector_stats").get<std::string>(), where));
    auto it = stats.find(r.output);
    if (it != stats.end()) r.vector_stats = it->second;
    if (r.task_id != TaskId(r.source) || !std::is_sorted(r.skipped.begin(), r.skipped.end()) || r.rows < 0 ||
        r.source_rows < r.rows || r.vector_stats.empty()) {
      return Status::Corruption(where + ": migration task record is inconsistent");
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(where + ": migration task record is malformed: " + e.what());
  }
}

}  // namespace ailake::migrate
