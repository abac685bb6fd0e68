// Dictionary encoding of a string/binary column chunk.
//
// On-disk layout (parquet-format Encodings.md, "Dictionary Encoding"):
//   dictionary page  the distinct values, PLAIN-encoded, in first-seen order (DictionaryPageHeader
//                    encoding PLAIN, num_values = entries); one per column chunk, before its data pages
//   data pages       encoding RLE_DICTIONARY: 1 byte bit_width, then the entry index of every non-null
//                    value as RLE/bit-packed hybrid (rle_encoder.h) with that bit width
//
// The writer buffers a whole row group, so the decision is made per column chunk with full knowledge:
// Build() dictionary-encodes the chunk and reports whether it pays (the dictionary stays under
// max_dictionary_bytes, and dictionary + indices are clearly smaller than PLAIN). When it does not, the
// chunk is written PLAIN; there is never a mid-chunk fallback.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "parquet/batch.h"

namespace ailake::parquet {

class DictionaryEncoder {
 public:
  explicit DictionaryEncoder(int64_t max_dictionary_bytes) : max_dictionary_bytes_(max_dictionary_bytes) {}

  // Encodes the non-null values of rows [begin, end) of a kString/kBinary column. Returns true when the
  // dictionary should be used. The column must outlive the encoder's use (entries point into it).
  bool Build(const Column& column, int64_t begin, int64_t end);

  size_t num_entries() const { return entries_.size(); }
  // Index of each non-null value, in row order.
  const std::vector<uint32_t>& indices() const { return indices_; }
  int bit_width() const { return bit_width_; }
  int64_t dictionary_bytes() const { return dictionary_bytes_; }

  // Appends the PLAIN-encoded dictionary (the dictionary page body before compression).
  void EncodeDictionaryPage(std::vector<uint8_t>* out) const;
  // Appends a RLE_DICTIONARY data page body for indices [first, first + count).
  void EncodeIndices(size_t first, size_t count, std::vector<uint8_t>* out) const;

 private:
  uint32_t Insert(std::string_view v, size_t hash);
  void Grow();

  int64_t max_dictionary_bytes_;
  std::vector<std::string_view> entries_;
  std::vector<size_t> entry_hashes_;
  std::vector<uint32_t> slots_;  // open addressing; entry index + 1, 0 = empty
  std::vector<uint32_t> indices_;
  int64_t dictionary_bytes_ = 0;  // PLAIN size of the dictionary
  int bit_width_ = 1;
};

}  // namespace ailake::parquet
