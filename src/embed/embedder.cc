#include "embed/embedder.h"

#include <charconv>
#include <cmath>

#include "embed/hash_embedder.h"

namespace ailake::embed {

Status ValidateEmbeddings(const std::string& embedder, const std::vector<float>& floats, size_t offset, size_t count,
                          size_t dim) {
  if (floats.size() < offset || floats.size() - offset != count * dim) {
    return Status::InvalidArgument("embedder '" + embedder + "' returned " + std::to_string(floats.size() - offset) +
                                   " values for " + std::to_string(count) + " texts of dim " + std::to_string(dim) +
                                   " (expected " + std::to_string(count * dim) + ")");
  }
  for (size_t i = 0; i < count * dim; ++i) {
    if (!std::isfinite(floats[offset + i])) {
      return Status::InvalidArgument("embedder '" + embedder + "' returned a non-finite value for text " +
                                     std::to_string(i / dim) + " (element " + std::to_string(i % dim) + ")");
    }
  }
  return Status::OK();
}

namespace {
Result<uint64_t> ParseUint(std::string_view key, std::string_view v, uint64_t max) {
  uint64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || out > max) {
    return Status::InvalidArgument("embedder option " + std::string(key) + "=" + std::string(v) +
                                   " is not an integer in 0.." + std::to_string(max));
  }
  return out;
}
}  // namespace

Result<std::unique_ptr<Embedder>> MakeEmbedder(std::string_view spec) {
  auto colon = spec.find(':');
  std::string_view kind = spec.substr(0, colon);
  std::string_view opts = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  if (kind != "hash") {
    return Status::InvalidArgument("unknown embedder '" + std::string(kind) +
                                   "' in spec '" + std::string(spec) + "': this build supports hash:dim=N[,seed=S][,name=MODEL]");
  }
  uint64_t dim = 0, seed = 0;
  std::string name;
  while (!opts.empty()) {
    auto comma = opts.find(',');
    std::string_view kv = opts.substr(0, comma);
    opts = comma == std::string_view::npos ? std::string_view() : opts.substr(comma + 1);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("embedder option '" + std::string(kv) + "' must be key=value");
    }
    std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (key == "dim") {
      AILAKE_ASSIGN_OR_RETURN(dim, ParseUint(key, value, 65536));
    } else if (key == "seed") {
      AILAKE_ASSIGN_OR_RETURN(seed, ParseUint(key, value, UINT64_MAX));
    } else if (key == "name") {
      name = std::string(value);
    } else {
      return Status::InvalidArgument("unknown hash embedder option '" + std::string(key) + "' (use dim, seed, name)");
    }
  }
  if (dim == 0) return Status::InvalidArgument("hash embedder needs dim=N with N >= 1, e.g. hash:dim=256");
  return std::unique_ptr<Embedder>(std::make_unique<HashEmbedder>(static_cast<uint32_t>(dim), seed, name));
}

}  // namespace ailake::embed
