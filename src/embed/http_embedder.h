// The `http` embedder: an OpenAI-compatible embeddings endpoint (OpenAI, Ollama, vLLM, TEI, ...).
//
// Spec: "http:URL[,model=NAME[@VERSION]][,dim=N]" (URL must not contain a comma; percent-encode it). The
// endpoint is URL when it ends with "/embeddings", URL + "/embeddings" when it ends with "/v1",
// else URL + "/v1/embeddings" (a trailing '/' is dropped first).
//
//   POST {"model": "NAME", "input": ["text", ...]}      ("model" omitted when no name is known)
//   200  {"data": [{"index": 0, "embedding": [0.1, ...]}, ...], ...}
//
// Every index 0..n-1 must appear exactly once; rows are returned in index order. The API key is
// read once at construction from AILAKE_EMBED_API_KEY, else OPENAI_API_KEY, and sent as
// "Authorization: Bearer <key>"; it never appears in a message, a log line or Describe().
//
// At most EmbedderOptions::concurrency requests are in flight (a pool of reusable curl handles,
// which keeps connections alive). Each request has timeout_ms for the whole exchange. 429, 5xx,
// connection failures and timeouts are retried up to max_retries times: the wait is Retry-After
// (seconds or an HTTP date, capped at 60 s) when the server sends it, else exponential backoff with
// full jitter (uniform in [0, min(30 s, initial_backoff_ms * 2^attempt)]). Other 4xx are not
// retried; the message has the status and the start of the body.
//
// Model identity: options.model_name/_version (--model / --new-model), else model=NAME[@VERSION]
// from the spec, else no name; dim = dim= or learned from the first response (every response must
// match it). The request's "model" field is the spec's NAME (never the @VERSION), else
// options.model_name.
#pragma once

#include <memory>
#include <string_view>

#include "embed/embed_internal.h"
#include "embed/embedder.h"
#include "embed/redact.h"

namespace ailake::embed {

// `spec` comes from ParseSpec (kind "http"). Opens no connection.
Result<std::unique_ptr<Embedder>> MakeHttpEmbedder(const ParsedSpec& spec, const EmbedderOptions& options);

// The endpoint for a base URL, as described above (exposed for tests).
std::string HttpEmbeddingsEndpoint(std::string_view url);

// RedactUrl (a URL safe to print) lives in embed/redact.h.

}  // namespace ailake::embed
