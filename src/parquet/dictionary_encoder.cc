#include "parquet/dictionary_encoder.h"

#include <functional>

#include "parquet/plain_encoder.h"
#include "parquet/rle_encoder.h"

namespace ailake::parquet {

namespace {
// Give up early on columns that are plainly (almost) all distinct: hashing the rest of the chunk
// would only burn time before the final size comparison rejects the dictionary anyway.
constexpr size_t kSampleValues = 8192;
constexpr size_t kSampleDistinctPercent = 90;
}  // namespace

void DictionaryEncoder::Grow() {
  const size_t cap = slots_.empty() ? 1024 : slots_.size() * 2;
  slots_.assign(cap, 0);
  const size_t mask = cap - 1;
  for (size_t e = 0; e < entries_.size(); ++e) {
    size_t s = entry_hashes_[e] & mask;
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = static_cast<uint32_t>(e + 1);
  }
}

uint32_t DictionaryEncoder::Insert(std::string_view v, size_t hash) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();  // load factor <= 1/2
  const size_t mask = slots_.size() - 1;
  size_t s = hash & mask;
  while (slots_[s] != 0) {
    const uint32_t e = slots_[s] - 1;
    if (entry_hashes_[e] == hash && entries_[e] == v) return e;
    s = (s + 1) & mask;
  }
  const uint32_t e = static_cast<uint32_t>(entries_.size());
  entries_.push_back(v);
  entry_hashes_.push_back(hash);
  slots_[s] = e + 1;
  dictionary_bytes_ += 4 + static_cast<int64_t>(v.size());
  return e;
}

bool DictionaryEncoder::Build(const Column& column, int64_t begin, int64_t end) {
  entries_.clear();
  entry_hashes_.clear();
  slots_.clear();
  indices_.clear();
  dictionary_bytes_ = 0;
  if (column.type() != DataType::kString && column.type() != DataType::kBinary) return false;

  indices_.reserve(static_cast<size_t>(end - begin));
  const std::hash<std::string_view> hasher;
  int64_t plain_bytes = 0;
  for (int64_t i = begin; i < end; ++i) {
    if (!column.IsValid(i)) continue;
    const std::string_view v = column.StringValue(i);
    plain_bytes += 4 + static_cast<int64_t>(v.size());
    indices_.push_back(Insert(v, hasher(v)));
    if (dictionary_bytes_ > max_dictionary_bytes_) return false;
    if (indices_.size() == kSampleValues && entries_.size() * 100 > kSampleValues * kSampleDistinctPercent) return false;
  }
  if (entries_.empty()) return false;  // all null: PLAIN is empty anyway
  // Bit width 0 is legal for a one-entry dictionary, but some readers mishandle it; 1 costs nothing.
  bit_width_ = 1;
  while ((uint64_t{1} << bit_width_) < entries_.size()) ++bit_width_;
  const int64_t index_bytes = (static_cast<int64_t>(indices_.size()) * bit_width_ + 7) / 8;
  // Pays when it saves at least a quarter of the PLAIN size (RLE runs only make it better).
  return (dictionary_bytes_ + index_bytes) * 4 < plain_bytes * 3;
}

void DictionaryEncoder::EncodeDictionaryPage(std::vector<uint8_t>* out) const {
  out->reserve(out->size() + static_cast<size_t>(dictionary_bytes_));
  for (std::string_view e : entries_) AppendPlainByteArray(e, out);
}

void DictionaryEncoder::EncodeIndices(size_t first, size_t count, std::vector<uint8_t>* out) const {
  out->push_back(static_cast<uint8_t>(bit_width_));
  RleHybridEncode(indices_.data() + first, count, bit_width_, out);
}

}  // namespace ailake::parquet
