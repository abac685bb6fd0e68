// Helpers shared by the command and http embedders: learning the model dimension once, turning a
// JSON embedding row into floats, and quoting untrusted text in error messages.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ailake/status.h"
#include "ailake/types.h"
#include "embed/embedder.h"

namespace ailake::embed {

// Largest dimension any embedder may report (the AILK section's limit).
inline constexpr uint32_t kMaxEmbeddingDim = 65536;

// An embedder spec taken apart (docs/EMBEDDERS.md). Every kind carries the same identity options,
// model=NAME[@VERSION] and dim=N; the rest is the kind's own.
struct ParsedSpec {
  std::string kind;                          // "hash", "command" or "http"
  std::optional<EmbeddingModelInfo> model;   // model= (hash: also its older name name=); parsed once
  uint32_t dim = 0;                          // dim= (0: learn it from the first reply)
  uint64_t seed = 0;                         // hash: seed=
  std::vector<std::string> argv;             // command: PROGRAM ARG...
  std::string url;                           // http: the base URL as given
  std::string describe;                      // the spec as shown in messages (secrets removed)
};

Result<ParsedSpec> ParseSpec(std::string_view spec);

// The identity an embedder records: the caller's override (EmbedderOptions::model_name/_version,
// from --model / --new-model) when given, else the spec's model=, else `fallback`. Name and
// version always travel together: an override replaces both.
EmbeddingModelInfo ResolveModel(const ParsedSpec& spec, const EmbedderOptions& options, EmbeddingModelInfo fallback);

// The dimension of a command/http model: fixed up front (http dim=N) or learned from the first
// reply; every later reply must match. Writes model->dim once, under a mutex.
class ModelDim {
 public:
  // `fixed` (0 = learn it) becomes model->dim.
  ModelDim(EmbeddingModelInfo* model, uint32_t fixed) : model_(model), dim_(fixed) { model->dim = fixed; }
  uint32_t get() const { return dim_.load(std::memory_order_acquire); }
  // Accepts `dim` from a reply of `who`: the first one sets the model's dim, later ones must equal it.
  Status Accept(uint32_t dim, const std::string& who);

 private:
  EmbeddingModelInfo* model_;
  std::atomic<uint32_t> dim_;
  std::mutex mu_;
};

// Appends one embedding row (a JSON array of numbers) to *out. *dim == 0 takes this row's length
// (and stores it); otherwise the row must have *dim values. null and strings ("NaN", "Infinity")
// are rejected as non-finite; `text` is the row's position in the batch, for the message.
Status AppendEmbeddingRow(const nlohmann::json& row, size_t text, const std::string& who, uint32_t* dim,
                          std::vector<float>* out);

// At most `max` bytes of `s` with control characters shown as '?', and "..." when cut.
std::string Snippet(std::string_view s, size_t max);

// The option list "k=v,k=v" split at commas; an item without '=' is an error naming the embedder.
Result<std::vector<std::pair<std::string, std::string>>> SplitOptions(std::string_view opts, std::string_view kind);
Result<uint64_t> ParseUintOption(std::string_view key, std::string_view v, uint64_t max);

}  // namespace ailake::embed
