// Embedder: turns texts into vectors for one embedding model.
//
// Implementations (docs/EMBEDDERS.md describes each spec and protocol):
//   hash:dim=N[,seed=S][,model=NAME[@VERSION]]      built in, lexical feature hashing; demos and tests
//   command:[model=NAME[@VERSION],dim=N:]PROGRAM ARG...
//                                                    long-lived worker processes speaking JSON lines on
//                                                    stdin/stdout (argv split on whitespace, never a shell)
//   http:URL[,model=NAME[@VERSION]][,dim=N]          an OpenAI-compatible /v1/embeddings endpoint (Ollama,
//                                                    vLLM, TEI, OpenAI); API key from AILAKE_EMBED_API_KEY or
//                                                    OPENAI_API_KEY
// Every kind takes the same identity options, model= and dim=; EmbedderOptions::model_name/_version
// (the CLI's --model / --new-model) replace the spec's model when given. Every implementation's
// output goes through ValidateEmbeddings before anything is returned: the right count, the right
// dimension, all values finite.
//
// Thread safety: Embed(), Dimension(), stats() and Describe() MUST be safe to call from several
// threads at once, for every implementation (the migration pipeline calls Embed() from
// `concurrency` threads). model() returns a reference whose `dim` a command/http embedder fills in
// once, when it learns the dimension; call Dimension() before sharing the embedder between
// threads if you read model() concurrently with the first Embed().
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "ailake/embedder.h"
#include "ailake/types.h"

namespace ailake::embed {

// The interface and the built-in factory are public (include/ailake/embedder.h); this layer
// implements them and keeps the output check every caller runs.
using ::ailake::Embedder;
using ::ailake::EmbedderOptions;
using ::ailake::EmbedderStats;
using ::ailake::MakeEmbedder;
using ::ailake::SpecModel;

// Retries counted on the calling thread (Embedder::CountRetry) and the message of the last failure
// retried on it (NoteRetryError, already redacted by the embedder), so a caller that runs one Embed()
// on a thread can attribute them to that call: read before and after the call.
uint64_t RetriesOnThisThread();
const std::string& LastRetryErrorOnThisThread();
void NoteRetryError(std::string message);

// Checks an embedder's output: `floats` must hold exactly count * dim finite values. The message
// names the embedder and the first bad row.
Status ValidateEmbeddings(const std::string& embedder, const std::vector<float>& floats, size_t offset, size_t count,
                          size_t dim);

}  // namespace ailake::embed
