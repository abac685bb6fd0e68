// Embedder: turns texts into vectors for one embedding model. Implement it to plug your own model
// into Table::Add, Table::SearchText and Migration (the Python package wraps any callable
// f(list[str]) -> array (n, dim) in one), or build a built-in one from a spec with MakeEmbedder.
//
// Built-in specs (docs/EMBEDDERS.md describes each):
//   hash:dim=N[,seed=S][,model=NAME[@VERSION]]      lexical feature hashing; demos and tests
//   command:[model=NAME[@VERSION],dim=N:]PROGRAM ARG...
//                                                    long-lived worker processes speaking JSON lines on
//                                                    stdin/stdout (argv split on whitespace, never a shell)
//   http:URL[,model=NAME[@VERSION]][,dim=N]          an OpenAI-compatible /v1/embeddings endpoint (Ollama,
//                                                    vLLM, TEI, OpenAI); API key from AILAKE_EMBED_API_KEY or
//                                                    OPENAI_API_KEY
// Every kind takes the same identity options, model= and dim=; EmbedderOptions::model_name/_version
// replace the spec's model when given. ailake validates every embedder's output (count, dimension,
// finite values) before using it, whoever implemented it.
//
// Thread safety: Embed(), Dimension(), stats() and Describe() MUST be safe to call from several
// threads at once, for every implementation (migration calls Embed() from `concurrency` threads).
// model() returns a reference whose `dim` an implementation may fill in once, when it learns the
// dimension; call Dimension() before sharing an embedder between threads if you read model()
// concurrently with the first Embed().
#pragma once

#include "ailake/export.h"
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"

namespace ailake {

// Knobs for the command and http embedders (hash uses only the model identity).
struct EmbedderOptions {
  size_t concurrency = 4;       // max Embed() calls served at once: command = worker processes, http = requests in flight
  int timeout_ms = 60000;       // per batch (command: reply deadline; http: whole request)
  int max_retries = 5;          // http: retries on 429, 5xx, connection errors and timeouts
  int initial_backoff_ms = 200; // http: exponential backoff with full jitter, capped at 30 s; a Retry-After header
                                // (seconds or HTTP date, capped at 60 s) wins when present
  // The model identity, overriding the spec's model=; empty = the spec's. Name and version are
  // replaced together (an empty version stays empty).
  std::string model_name{};
  std::string model_version{};
};

// Counters since construction. requests: requests sent to the model (command: request lines
// written; http: HTTP requests, retries included; hash and user embedders: Embed() calls); texts:
// texts passed to Embed(), counted once per call; retries: requests repeated after a retryable failure.
struct EmbedderStats {
  uint64_t requests = 0;
  uint64_t texts = 0;
  uint64_t retries = 0;
};

class AILAKE_EXPORT Embedder {
 public:
  virtual ~Embedder() = default;
  // The model's identity (name, version) and, once known, dim; metric/normalized are informational.
  virtual const EmbeddingModelInfo& model() const = 0;
  // Appends texts.size() * dim floats (row-major) to *out; on error *out keeps its old size.
  virtual Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) = 0;
  // The model's dimension. Returns model().dim when known; an embedder that has not learned it yet
  // embeds one probe text ("dimension probe") once (thread-safe, cached).
  virtual Result<uint32_t> Dimension();
  // A description safe to print (secrets removed), for logs and messages.
  virtual std::string Describe() const;
  EmbedderStats stats() const;

 protected:
  void CountRequest() { requests_.fetch_add(1, std::memory_order_relaxed); }
  void CountTexts(uint64_t n) { texts_.fetch_add(n, std::memory_order_relaxed); }
  // Also counted for the calling thread, so a caller running Embed() on its own thread can tell the
  // retries of that one call (the migration's embedder statistics).
  void CountRetry();

 private:
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> texts_{0};
  std::atomic<uint64_t> retries_{0};
};

// Builds a built-in embedder from a spec (see above). Unknown kinds and bad options are
// InvalidArgument. command/http embedders start nothing here: workers and connections are opened
// by the first Embed().
//
// Model identity: options.model_name/_version when given, else the spec's model=, else hash-N
// (hash), basename(PROGRAM) (command) or no name (http). hash: a name without @VERSION gets version
// "seedS". http: the request's "model" field is the spec's model NAME (without @VERSION), else
// options.model_name.
AILAKE_EXPORT Result<std::unique_ptr<Embedder>> MakeEmbedder(std::string_view spec, const EmbedderOptions& options = {});

// The model a spec names with model= (hash: name=), or nullopt; InvalidArgument for a bad spec.
AILAKE_EXPORT Result<std::optional<EmbeddingModelInfo>> SpecModel(std::string_view spec);

}  // namespace ailake
