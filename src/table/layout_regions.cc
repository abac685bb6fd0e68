// The regions object of a clustered table (table/layout_regions.h).
#include "table/layout_regions.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/uuid.h"

namespace ailake::table {

namespace {

constexpr const char* kFormat = "ailake-regions";
constexpr int kVersion = 1;
constexpr uint64_t kMaxObjectBytes = 512ull << 20;
constexpr size_t kMaxRegions = 1u << 20;
constexpr size_t kMaxDim = 65536;
constexpr const char* kPrefix = "regions-";
constexpr const char* kSuffix = ".json";

std::string HexFloats(const float* v, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 8);
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits = 0;
    std::memcpy(&bits, &v[i], 4);
    for (int b = 0; b < 4; ++b) {  // little-endian bytes, high nibble first within each
      const uint8_t byte = static_cast<uint8_t>(bits >> (8 * b));
      out.push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 15]);
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseHexFloats(const std::string& hex, size_t n, float* out) {
  if (hex.size() != n * 8) return false;
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) {
      const int hi = HexDigit(hex[i * 8 + 2 * b]), lo = HexDigit(hex[i * 8 + 2 * b + 1]);
      if (hi < 0 || lo < 0) return false;
      bits |= static_cast<uint32_t>(hi * 16 + lo) << (8 * b);
    }
    std::memcpy(&out[i], &bits, 4);
    if (!std::isfinite(out[i])) return false;
  }
  return true;
}

bool ValidName(const std::string& name) {
  const size_t p = std::strlen(kPrefix), s = std::strlen(kSuffix);
  if (name.size() != p + 36 + s || name.compare(0, p, kPrefix) != 0 || name.compare(p + 36, s, kSuffix) != 0) return false;
  for (size_t i = p; i < p + 36; ++i) {
    const char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string RegionsJson(const LayoutRegions& r) {
  nlohmann::json regions = nlohmann::json::array();
  const size_t k = r.centres.k(), dim = r.centres.dim;
  for (size_t c = 0; c < k; ++c) {
    regions.push_back({{"centroid", HexFloats(r.centres.centroids.data() + c * dim, dim)},
                       {"rows", c < r.rows.size() ? r.rows[c] : 0}});
  }
  nlohmann::json j = {{"format", kFormat},
                      {"version", kVersion},
                      {"model", r.model.name},
                      {"model-version", r.model.version},
                      {"dim", r.model.dim},
                      {"metric", std::string(MetricName(r.model.metric))},
                      {"space", vec::ClustersDirections(r.model.metric) ? "unit" : "raw"},
                      {"regions", std::move(regions)}};
  return j.dump();
}

Result<LayoutRegions> ParseRegions(const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(where + ": " + why + "; cluster the table again (ailake compact --cluster) to replace it");
  };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto str = [&](const char* key) -> const std::string* {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  if (!str("format") || *str("format") != kFormat) return bad("not an ailake regions object");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int64_t>() != kVersion) {
    return bad("unsupported version (this build reads version " + std::to_string(kVersion) + ")");
  }
  if (!str("model") || !str("model-version") || !str("metric") || !str("space")) return bad("model, metric or space missing");
  if (!j.contains("dim") || !j["dim"].is_number_unsigned()) return bad("dim missing");
  const uint64_t dim = j["dim"].get<uint64_t>();
  if (dim == 0 || dim > kMaxDim) return bad("dim " + std::to_string(dim) + " out of range");
  auto metric = ParseMetric(*str("metric"));
  if (!metric.ok()) return bad("unknown metric '" + *str("metric") + "'");
  if (*str("space") != (vec::ClustersDirections(*metric) ? "unit" : "raw")) return bad("space does not match the metric");
  if (!j.contains("regions") || !j["regions"].is_array() || j["regions"].empty() || j["regions"].size() > kMaxRegions) {
    return bad("regions missing, empty or too many");
  }
  LayoutRegions r;
  r.model.name = *str("model");
  r.model.version = *str("model-version");
  r.model.dim = static_cast<uint32_t>(dim);
  r.model.metric = *metric;
  r.centres.metric = *metric;
  r.centres.dim = dim;
  const size_t k = j["regions"].size();
  r.centres.centroids.resize(k * dim);
  for (size_t c = 0; c < k; ++c) {
    const auto& e = j["regions"][c];
    if (!e.is_object() || !e.contains("centroid") || !e["centroid"].is_string() || !e.contains("rows") ||
        !e["rows"].is_number_integer()) {
      return bad("region " + std::to_string(c) + " is malformed");
    }
    if (!ParseHexFloats(e["centroid"].get_ref<const std::string&>(), dim, r.centres.centroids.data() + c * dim)) {
      return bad("region " + std::to_string(c) + ": the centroid is not " + std::to_string(dim) + " finite float32 values");
    }
    r.rows.push_back(e["rows"].get<int64_t>());
  }
  return r;
}

Result<std::string> RegionsKey(const std::string& table_key, const std::string& name) {
  if (!ValidName(name)) {
    return Status::Corruption("table property " + std::string(kPropLayoutRegions) + " = '" + name +
                              "' is not a regions object name (regions-<uuid>.json); cluster the table again or "
                              "remove the property");
  }
  return table_key + "/metadata/" + name;
}

Result<std::string> WriteRegions(Store& store, const std::string& table_key, const LayoutRegions& regions) {
  const std::string name = std::string(kPrefix) + Uuid::Random().ToString() + kSuffix;
  AILAKE_ASSIGN_OR_RETURN(std::string key, RegionsKey(table_key, name));
  const std::string text = RegionsJson(regions);
  AILAKE_RETURN_IF_ERROR(store.PutIfAbsent(key, reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  return name;
}

Result<std::optional<LayoutRegions>> LoadRegions(const Store& store, const std::string& table_key,
                                                 const std::map<std::string, std::string>& properties,
                                                 const EmbeddingModelInfo& model) {
  auto layout = properties.find(kPropLayout);
  auto name = properties.find(kPropLayoutRegions);
  if (layout == properties.end() || layout->second != kLayoutClustered || name == properties.end()) return std::optional<LayoutRegions>();
  AILAKE_ASSIGN_OR_RETURN(std::string key, RegionsKey(table_key, name->second));
  AILAKE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, store.Get(key, kMaxObjectBytes));
  AILAKE_ASSIGN_OR_RETURN(LayoutRegions r, ParseRegions(std::string(bytes.begin(), bytes.end()), key));
  if (!r.model.SameModel(model) || r.model.dim != model.dim || r.model.metric != model.metric) return std::optional<LayoutRegions>();
  return std::optional<LayoutRegions>(std::move(r));
}

}  // namespace ailake::table
