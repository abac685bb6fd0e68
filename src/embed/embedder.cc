#include "embed/embedder.h"

#include <cctype>
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
    return Status::Corruption("embedder '" + embedder + "' returned " + std::to_string(floats.size() - offset) +
                                   " values for " + std::to_string(count) + " texts of dim " + std::to_string(dim) +
                                   " (expected " + std::to_string(count * dim) + ")");
  }
  for (size_t i = 0; i < count * dim; ++i) {
    if (!std::isfinite(floats[offset + i])) {
      return Status::Corruption("embedder '" + embedder + "' returned a non-finite value for text " +
                                     std::to_string(i / dim) + " (element " + std::to_string(i % dim) + ")");
    }
  }
  return Status::OK();
}

namespace {

// What MakeEmbedder returns for "hash:...": the HashEmbedder plus its spec, its resolved identity and
// the request counters (HashEmbedder itself stays the small final class that tests and `sample`
// construct directly).
class HashSpecEmbedder final : public Embedder {
 public:
  HashSpecEmbedder(uint32_t dim, uint64_t seed, EmbeddingModelInfo model, std::string spec)
      : hash_(dim, seed), model_(std::move(model)), spec_(std::move(spec)) {
    model_.dim = hash_.model().dim;
    model_.metric = hash_.model().metric;
    model_.normalized = hash_.model().normalized;
  }
  const EmbeddingModelInfo& model() const override { return model_; }
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
  EmbeddingModelInfo model_;
  std::string spec_;
};

Result<std::unique_ptr<Embedder>> MakeHash(const ParsedSpec& p, const EmbedderOptions& options) {
  if (p.dim == 0) return Status::InvalidArgument("hash embedder needs dim=N with N >= 1, e.g. hash:dim=256");
  EmbeddingModelInfo fallback;
  fallback.name = "hash-" + std::to_string(p.dim);
  fallback.version = "seed" + std::to_string(p.seed);
  EmbeddingModelInfo model = ResolveModel(p, options, fallback);
  return std::unique_ptr<Embedder>(std::make_unique<HashSpecEmbedder>(p.dim, p.seed, std::move(model), p.describe));
}

// model=NAME[@VERSION] as a spec option.
Result<EmbeddingModelInfo> ParseModelOption(std::string_view kind, const std::string& value) {
  auto m = EmbeddingModelInfo::ParseId(value);
  if (!m.ok() || (value.find('@') != std::string::npos && m->version.empty())) {
    return Status::InvalidArgument(std::string(kind) + " embedder option model='" + Snippet(value, 200) +
                                   "' must be NAME or NAME@VERSION with both parts non-empty");
  }
  return *m;
}

// Applies one identity option (model=, dim=) to *p; false when `key` is not one.
Result<bool> IdentityOption(std::string_view kind, const std::string& key, const std::string& value, ParsedSpec* p) {
  if (key == "model" || (kind == "hash" && key == "name")) {
    if (p->model) {
      return Status::InvalidArgument(std::string(kind) + " embedder spec names its model twice (model=" +
                                     (kind == "hash" ? std::string(" or name=") : std::string()) + ")");
    }
    AILAKE_ASSIGN_OR_RETURN(p->model, ParseModelOption(kind, value));
    return true;
  }
  if (key == "dim") {
    AILAKE_ASSIGN_OR_RETURN(uint64_t d, ParseUintOption(key, value, kMaxEmbeddingDim));
    if (d == 0) return Status::InvalidArgument(std::string(kind) + " embedder option dim= must be >= 1");
    p->dim = static_cast<uint32_t>(d);
    return true;
  }
  return false;
}

Status ParseHashSpec(std::string_view opts, ParsedSpec* p) {
  AILAKE_ASSIGN_OR_RETURN(auto kvs, SplitOptions(opts, "hash"));
  for (const auto& [key, value] : kvs) {
    AILAKE_ASSIGN_OR_RETURN(bool identity, IdentityOption("hash", key, value, p));
    if (identity) continue;
    if (key == "seed") {
      AILAKE_ASSIGN_OR_RETURN(p->seed, ParseUintOption(key, value, UINT64_MAX));
    } else {
      return Status::InvalidArgument("unknown hash embedder option '" + key + "' (use dim, seed, model)");
    }
  }
  // A hash model named without a version is versioned by its seed, like the default hash-N@seedS.
  if (p->model && p->model->version.empty()) p->model->version = "seed" + std::to_string(p->seed);
  return Status::OK();
}

// "command:[OPTS:]PROGRAM ARG...": the first whitespace-separated word holds options when it has
// an '=' before its last ':' (no program name does in practice); they end at that ':'.
Status ParseCommandSpec(std::string_view text, ParsedSpec* p) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  size_t word_end = i;
  while (word_end < text.size() && !std::isspace(static_cast<unsigned char>(text[word_end]))) ++word_end;
  std::string_view word = text.substr(i, word_end - i);
  const size_t colon = word.rfind(':');
  const size_t eq = word.find('=');
  if (colon != std::string_view::npos && eq != std::string_view::npos && eq < colon) {
    AILAKE_ASSIGN_OR_RETURN(auto kvs, SplitOptions(word.substr(0, colon), "command"));
    for (const auto& [key, value] : kvs) {
      AILAKE_ASSIGN_OR_RETURN(bool identity, IdentityOption("command", key, value, p));
      if (!identity) {
        return Status::InvalidArgument("unknown command embedder option '" + key +
                                       "' (use model, dim: command:model=NAME[@VERSION],dim=N:PROGRAM ARG...)");
      }
    }
    text = text.substr(i + colon + 1);
    i = 0;
  }
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) p->argv.emplace_back(text.substr(start, i - start));
  }
  if (p->argv.empty()) {
    return Status::InvalidArgument("command embedder needs a program: command:[model=NAME[@VERSION],dim=N:]PROGRAM "
                                   "ARG..., e.g. command:python3 /opt/embed/worker.py");
  }
  for (const std::string& a : p->argv) {
    if (a.find('\0') != std::string::npos) return Status::InvalidArgument("command embedder argv contains a NUL byte");
  }
  return Status::OK();
}

Status ParseHttpSpec(std::string_view spec, ParsedSpec* p) {
  auto comma = spec.find(',');
  p->url = std::string(spec.substr(0, comma));
  std::string_view opts = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
  const std::string& url = p->url;
  if (!(url.starts_with("http://") || url.starts_with("https://")) || url.size() <= url.find("://") + 3) {
    return Status::InvalidArgument("http embedder URL '" + RedactUrl(url) +
                                   "' must start with http:// or https://, e.g. http:http://127.0.0.1:11434,model=NAME");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Status::InvalidArgument("http embedder URL '" + RedactUrl(url) + "' contains a space or control character");
    }
  }
  AILAKE_ASSIGN_OR_RETURN(auto kvs, SplitOptions(opts, "http"));
  for (const auto& [key, value] : kvs) {
    if (key == "model" && value.empty()) return Status::InvalidArgument("http embedder option model= needs a name");
    AILAKE_ASSIGN_OR_RETURN(bool identity, IdentityOption("http", key, value, p));
    if (!identity) return Status::InvalidArgument("unknown http embedder option '" + key + "' (use model, dim)");
  }
  p->describe = "http:" + RedactUrl(url);
  if (!opts.empty()) p->describe += "," + std::string(opts);
  return Status::OK();
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

Result<ParsedSpec> ParseSpec(std::string_view spec) {
  ParsedSpec p;
  std::string_view kind = "http", rest = spec;  // a bare URL is an http spec
  if (!spec.starts_with("http://") && !spec.starts_with("https://")) {
    auto colon = spec.find(':');
    kind = spec.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  }
  p.kind = std::string(kind);
  p.describe = std::string(spec);
  if (kind == "hash") {
    AILAKE_RETURN_IF_ERROR(ParseHashSpec(rest, &p));
  } else if (kind == "command") {
    AILAKE_RETURN_IF_ERROR(ParseCommandSpec(rest, &p));
  } else if (kind == "http") {
    AILAKE_RETURN_IF_ERROR(ParseHttpSpec(rest, &p));
  } else {
    return Status::InvalidArgument("unknown embedder '" + Snippet(RedactedSpec(kind), 40) + "' in spec '" +
                                   Snippet(RedactedSpec(spec), 200) +
                                   "': use hash:dim=N[,seed=S][,model=M], command:PROGRAM ARG... (options first: "
                                   "command:model=M,dim=N:PROGRAM ARG...) or http:URL[,model=M][,dim=N], where M is "
                                   "NAME[@VERSION]");
  }
  return p;
}

EmbeddingModelInfo ResolveModel(const ParsedSpec& spec, const EmbedderOptions& options, EmbeddingModelInfo fallback) {
  EmbeddingModelInfo m = std::move(fallback);
  if (!options.model_name.empty()) {
    m.name = options.model_name;
    m.version = options.model_version;
  } else if (spec.model) {
    m.name = spec.model->name;
    m.version = spec.model->version;
  }
  m.dim = spec.dim;
  return m;
}

}  // namespace ailake::embed

namespace ailake {

namespace embed {
namespace {
thread_local uint64_t t_retries = 0;
thread_local std::string t_last_retry_error;
}  // namespace

uint64_t RetriesOnThisThread() { return t_retries; }
const std::string& LastRetryErrorOnThisThread() { return t_last_retry_error; }
void NoteRetryError(std::string message) { t_last_retry_error = std::move(message); }
}  // namespace embed

void Embedder::CountRetry() {
  retries_.fetch_add(1, std::memory_order_relaxed);
  ++embed::t_retries;
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

Result<std::optional<EmbeddingModelInfo>> SpecModel(std::string_view spec) {
  AILAKE_ASSIGN_OR_RETURN(embed::ParsedSpec p, embed::ParseSpec(spec));
  return p.model;
}

Result<std::unique_ptr<Embedder>> MakeEmbedder(std::string_view spec, const EmbedderOptions& options) {
  AILAKE_ASSIGN_OR_RETURN(embed::ParsedSpec p, embed::ParseSpec(spec));
  if (p.kind == "hash") return embed::MakeHash(p, options);
  AILAKE_RETURN_IF_ERROR(embed::CheckOptions(options));
  if (p.kind == "command") return embed::MakeCommandEmbedder(p, options);
  return embed::MakeHttpEmbedder(p, options);
}

}  // namespace ailake
