// The `command` embedder: a pool of long-lived worker processes speaking JSON lines.
//
// Spec: "command:[model=NAME[@VERSION][,dim=N]:]PROGRAM ARG...". The options, when present, come
// first and end at a ':' inside the first word; the rest is split on whitespace into an argv
// (no quoting, no shell, ever); PROGRAM is looked up in PATH unless it contains a '/'. Workers are
// started lazily, at most EmbedderOptions::concurrency of them; each Embed() call takes an idle
// worker (starting one when below the limit, else waiting), sends one request line and reads one
// reply line within timeout_ms:
//
//   request  {"id": 7, "texts": ["first text", "second text"]}\n
//   reply    {"id": 7, "embeddings": [[0.1, ...], [0.3, ...]]}\n
//        or  {"id": 7, "error": "message"}\n
//
// A worker's stderr is captured; its last few KiB are quoted when it dies. A worker that fails
// (cannot start, exits, times out and is killed, breaks the protocol) is discarded and the next
// call starts a fresh one; an "error" reply or an invalid batch (count, dim, NaN) leaves it in the
// pool. The destructor closes every worker's stdin, waits up to 2 s, then SIGKILLs; every child is
// reaped. SIGPIPE is ignored process-wide (once) unless the program installed its own handler.
//
// Model identity: options.model_name/_version (--model / --new-model), else the spec's model=, else
// basename(PROGRAM) with no version; dim = dim= or learned from the first reply (every reply must
// match it).
#pragma once

#include <memory>
#include <string_view>

#include "embed/embed_internal.h"
#include "embed/embedder.h"

namespace ailake::embed {

// `spec` comes from ParseSpec (kind "command"). Starts no process.
Result<std::unique_ptr<Embedder>> MakeCommandEmbedder(const ParsedSpec& spec, const EmbedderOptions& options);

}  // namespace ailake::embed
