// Deterministic synthetic text chunks for WriteSampleFile (`ailake sample`): each chunk is about one
// of a fixed set of topics (so lexical embeddings cluster), made of that topic's words mixed with
// common words. Not meant to read well; meant to be reproducible and shaped like RAG chunks.
#pragma once

#include <cstdint>
#include <string>

namespace ailake::api {

struct SampleChunk {
  std::string doc_id;   // "doc-00042"
  std::string topic;    // e.g. "astronomy"
  std::string text;     // ~target_bytes of text
};

// Chunk number i of a corpus generated with `seed`.
SampleChunk MakeSampleChunk(uint64_t seed, uint64_t i, size_t target_bytes = 480);

}  // namespace ailake::api
