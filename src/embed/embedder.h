// Embedder: turns texts into vectors for one embedding model.
//
// Implementations: `hash` (built in, lexical feature hashing; demos and tests); `command` and `http`
// come with the migration milestone. Every implementation's output goes through ValidateEmbeddings
// before anything is written: the right count, the right dimension, all values finite.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"

namespace ailake::embed {

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual const EmbeddingModelInfo& model() const = 0;
  // Appends texts.size() * model().dim floats (row-major) to *out.
  virtual Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) = 0;
};

// Parses an embedder spec string: "hash:dim=N[,seed=S][,name=MODEL]".
Result<std::unique_ptr<Embedder>> MakeEmbedder(std::string_view spec);

// Checks an embedder's output: `floats` must hold exactly count * dim finite values. The message
// names the embedder and the first bad row.
Status ValidateEmbeddings(const std::string& embedder, const std::vector<float>& floats, size_t offset, size_t count,
                          size_t dim);

}  // namespace ailake::embed
