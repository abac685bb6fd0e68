#include "embed/embed_internal.h"

#include <charconv>

namespace ailake::embed {

Status ModelDim::Accept(uint32_t dim, const std::string& who) {
  uint32_t known = dim_.load(std::memory_order_acquire);
  if (known == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    known = dim_.load(std::memory_order_acquire);
    if (known == 0) {
      model_->dim = dim;
      dim_.store(dim, std::memory_order_release);
      return Status::OK();
    }
  }
  if (known != dim) {
    return Status::Corruption(who + " returned embeddings of dim " + std::to_string(dim) + " but the model's dim is " +
                                   std::to_string(known) + " (learned from its first reply or set with dim=)");
  }
  return Status::OK();
}

Status AppendEmbeddingRow(const nlohmann::json& row, size_t text, const std::string& who, uint32_t* dim,
                          std::vector<float>* out) {
  if (!row.is_array()) {
    return Status::Corruption(who + " returned a non-array embedding for text " + std::to_string(text) + " (" +
                                   row.type_name() + ")");
  }
  if (row.empty() || row.size() > kMaxEmbeddingDim) {
    return Status::Corruption(who + " returned an embedding of " + std::to_string(row.size()) + " values for text " +
                                   std::to_string(text) + " (a dimension must be 1.." + std::to_string(kMaxEmbeddingDim) +
                                   ")");
  }
  if (*dim == 0) {
    *dim = static_cast<uint32_t>(row.size());
  } else if (row.size() != *dim) {
    return Status::Corruption(who + " returned an embedding of dim " + std::to_string(row.size()) + " for text " +
                                   std::to_string(text) + ", expected dim " + std::to_string(*dim));
  }
  out->reserve(out->size() + row.size());
  for (size_t j = 0; j < row.size(); ++j) {
    const nlohmann::json& v = row[j];
    if (v.is_number()) {
      out->push_back(static_cast<float>(v.get<double>()));
      continue;
    }
    std::string shown = v.is_null() ? "null" : v.is_string() ? "\"" + Snippet(v.get_ref<const std::string&>(), 40) + "\""
                                                             : std::string(v.type_name());
    return Status::Corruption(who + " returned a non-finite or non-numeric value " + shown + " for text " +
                                   std::to_string(text) + " (element " + std::to_string(j) +
                                   "); NaN and Infinity are not valid embeddings");
  }
  return Status::OK();
}

std::string Snippet(std::string_view s, size_t max) {
  std::string out;
  size_t n = std::min(s.size(), max);
  out.reserve(n + 3);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
  }
  if (s.size() > max) out += "...";
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> SplitOptions(std::string_view opts, std::string_view kind) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!opts.empty()) {
    auto comma = opts.find(',');
    std::string_view kv = opts.substr(0, comma);
    opts = comma == std::string_view::npos ? std::string_view() : opts.substr(comma + 1);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(std::string(kind) + " embedder option '" + std::string(kv) + "' must be key=value");
    }
    out.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

Result<uint64_t> ParseUintOption(std::string_view key, std::string_view v, uint64_t max) {
  uint64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || out > max) {
    return Status::InvalidArgument("embedder option " + std::string(key) + "=" + std::string(v) +
                                   " is not an integer in 0.." + std::to_string(max));
  }
  return out;
}

}  // namespace ailake::embed
