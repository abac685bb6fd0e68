// The built-in `hash` embedder: deterministic signed feature hashing.
//
// Features are lowercase alphanumeric word tokens (weight 1.0) and the character trigrams of each
// token padded with '<' and '>' (weight 0.5). Each feature hashes (64-bit FNV-1a, then a SplitMix64
// finaliser mixed with the seed) to a bucket h % dim and a sign from the top bit; the vector is the
// signed sum, L2-normalised (a text with no features embeds to the zero vector).
//
// It is LEXICAL, not semantic: texts sharing words and spellings land close together; synonyms do
// not. It exists so demos and tests run anywhere without a model server, and it is stable across
// versions: changing this algorithm would silently change every stored vector, so don't.
#pragma once

#include <cstdint>
#include <string_view>

#include "embed/embedder.h"

namespace ailake::embed {

class HashEmbedder final : public Embedder {
 public:
  HashEmbedder(uint32_t dim, uint64_t seed, std::string model_name = "");
  const EmbeddingModelInfo& model() const override { return model_; }
  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override;
  // One text into out[0..dim).
  void EmbedOne(std::string_view text, float* out) const;

 private:
  EmbeddingModelInfo model_;
  uint64_t seed_;
};

}  // namespace ailake::embed
