#include "embed/embedder.h"

#include <cmath>

#include "embed/command_embedder.h"
#include "embed/embed_internal.h"
#include "embed/hash_embedder.h"
#include "embed/http_embedder.h"
#include "embed/redact.h"

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

Result<uint32_t> Embedder::Dimension() {
  uint32_t dim = model().dim;
  if (dim == 0) return Status::Internal("embedder " + Describe() + " does not know its dimension");
  return dim;
}

std::string Embedder::Describe() const { return model().Id(); }

EmbedderStats Embedder::stats() const {
  EmbedderStats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.texts = texts_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  return s;
}

namespace {

// What MakeEmbedder returns for "hash:...": the HashEmbedder plus its spec and the request counters
// (HashEmbedder itself stays the small final class that tests and `sample` construct directly).
class HashSpecEmbedder final : public Embedder {
 public:
  HashSpecEmbedder(uint32_t dim, uint64_t seed, std::string name, std::string spec)
      : hash_(dim, seed, std::move(name)), spec_(std::move(spec)) {}
  const EmbeddingModelInfo& model() const override { return hash_.model(); }
  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override {
    CountRequest();
    CountTexts(texts.size());
    size_t at = out->size();
    Status st = hash_.Embed(texts, out);
    if (!st.ok()) out->resize(at);
    return st;
  }
  std::string Describe() const override { return spec_; }

 private:
  HashEmbedder hash_;
  std::string spec_;
};

Result<std::unique_ptr<Embedder>> MakeHash(std::string_view spec, std::string_view opts) {
  uint64_t dim = 0, seed = 0;
  std::string name;
  AILAKE_ASSIGN_OR_RETURN(auto kvs, SplitOptions(opts, "hash"));
  for (const auto& [key, value] : kvs) {
    if (key == "dim") {
      AILAKE_ASSIGN_OR_RETURN(dim, ParseUintOption(key, value, kMaxEmbeddingDim));
    } else if (key == "seed") {
      AILAKE_ASSIGN_OR_RETURN(seed, ParseUintOption(key, value, UINT64_MAX));
    } else if (key == "name") {
      name = value;
    } else {
      return Status::InvalidArgument("unknown hash embedder option '" + key + "' (use dim, seed, name)");
    }
  }
  if (dim == 0) return Status::InvalidArgument("hash embedder needs dim=N with N >= 1, e.g. hash:dim=256");
  return std::unique_ptr<Embedder>(
      std::make_unique<HashSpecEmbedder>(static_cast<uint32_t>(dim), seed, std::move(name), std::string(spec)));
}

Status CheckOptions(const EmbedderOptions& o) {
  if (o.concurrency == 0 || o.concurrency > 4096) {
    return Status::InvalidArgument("embedder concurrency must be 1..4096, got " + std::to_string(o.concurrency));
  }
  if (o.timeout_ms <= 0) return Status::InvalidArgument("embedder timeout must be > 0 ms, got " + std::to_string(o.timeout_ms));
  if (o.max_retries < 0 || o.max_retries > 100) {
    return Status::InvalidArgument("embedder retries must be 0..100, got " + std::to_string(o.max_retries));
  }
  if (o.initial_backoff_ms < 0) {
    return Status::InvalidArgument("embedder initial backoff must be >= 0 ms, got " + std::to_string(o.initial_backoff_ms));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Embedder>> MakeEmbedder(std::string_view spec, const EmbedderOptions& options) {
  std::string_view kind = "http", rest = spec;  // a bare URL is an http spec
  if (!spec.starts_with("http://") && !spec.starts_with("https://")) {
    auto colon = spec.find(':');
    kind = spec.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  }
  if (kind == "hash") return MakeHash(spec, rest);
  if (kind == "command" || kind == "http") {
    AILAKE_RETURN_IF_ERROR(CheckOptions(options));
    if (kind == "command") return MakeCommandEmbedder(rest, options);
    return MakeHttpEmbedder(rest, options);
  }
  return Status::InvalidArgument("unknown embedder '" + Snippet(RedactedSpec(kind), 40) + "' in spec '" + Snippet(RedactedSpec(spec), 200) +
                                 "': use hash:dim=N[,seed=S][,name=MODEL], command:PROGRAM ARG... or "
                                 "http:URL[,model=NAME][,dim=N]");
}

}  // namespace ailake::embed
