#include "embed/hash_embedder.h"

#include <cctype>
#include <cmath>
#include <cstring>

namespace ailake::embed {

namespace {

uint64_t Fnv1a(const char* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<uint8_t>(p[i]);
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

HashEmbedder::HashEmbedder(uint32_t dim, uint64_t seed, std::string model_name) : seed_(seed) {
  model_.name = model_name.empty() ? "hash-" + std::to_string(dim) : std::move(model_name);
  model_.version = "seed" + std::to_string(seed);
  model_.dim = dim;
  model_.metric = VectorMetric::kCosine;
  model_.normalized = true;
}

void HashEmbedder::EmbedOne(std::string_view text, float* out) const {
  const uint32_t dim = model_.dim;
  std::memset(out, 0, sizeof(float) * dim);
  auto add = [&](const char* p, size_t n, float weight) {
    uint64_t h = Mix(Fnv1a(p, n) ^ seed_);
    float sign = (h >> 63) ? -1.0f : 1.0f;
    out[(h & 0x7FFFFFFFFFFFFFFFull) % dim] += sign * weight;
  };
  std::string token;
  std::string padded;
  size_t i = 0;
  while (i <= text.size()) {
    unsigned char c = i < text.size() ? static_cast<unsigned char>(text[i]) : ' ';
    // Bytes >= 0x80 (UTF-8 continuation/lead bytes) count as word characters so non-ASCII words hash.
    if (std::isalnum(c) || c >= 0x80) {
      token.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
    } else if (!token.empty()) {
      add(token.data(), token.size(), 1.0f);
      padded = "<" + token + ">";
      for (size_t k = 0; k + 3 <= padded.size(); ++k) add(padded.data() + k, 3, 0.5f);
      token.clear();
    }
    ++i;
  }
  double n2 = 0;
  for (uint32_t d = 0; d < dim; ++d) n2 += double(out[d]) * out[d];
  if (n2 > 0) {
    float inv = static_cast<float>(1.0 / std::sqrt(n2));
    for (uint32_t d = 0; d < dim; ++d) out[d] *= inv;
  }
}

Status HashEmbedder::Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) {
  size_t at = out->size();
  out->resize(at + texts.size() * model_.dim);
  for (size_t t = 0; t < texts.size(); ++t) EmbedOne(texts[t], out->data() + at + t * model_.dim);
  return ValidateEmbeddings("hash", *out, at, texts.size(), model_.dim);
}

}  // namespace ailake::embed
