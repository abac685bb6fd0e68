#include "parquet/page_body.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "parquet/rle_encoder.h"

namespace ailake::parquet {

int64_t PageEnd(const PageCut& cut, const Column& col, int64_t begin, int64_t end) {
  int64_t page_end;
  if (cut.dictionary_bit_width > 0) {
    const int64_t rows = std::max<int64_t>(1, cut.page_bytes * 8 / cut.dictionary_bit_width);
    page_end = begin + std::min(rows, end - begin);
  } else if (cut.fixed_width > 0) {
    const int64_t rows = std::max<int64_t>(1, cut.page_bytes / cut.fixed_width);
    page_end = begin + std::min(rows, end - begin);
  } else {
    const int64_t* off = col.offsets().data();
    page_end = begin;
    while (page_end < end && off[page_end] - off[begin] + 4 * (page_end - begin) < cut.page_bytes) ++page_end;
    if (page_end == begin && begin < end) page_end = begin + 1;
  }
  return std::min(page_end, begin + static_cast<int64_t>(INT32_MAX));
}

void EncodeDefinitionLevels(const uint8_t* validity, int64_t begin, int64_t rows, bool v2, std::vector<uint8_t>* out) {
  out->clear();
  if (!v2) out->resize(4);  // v1: u32 length prefix, patched below
  RleEncodeValidity(validity, begin, rows, out);
  if (!v2) {
    const uint32_t len = static_cast<uint32_t>(out->size() - 4);
    std::memcpy(out->data(), &len, 4);
  }
}

ByteSpan EncodePageValues(const Column& col, int64_t begin, int64_t end, int64_t nulls, const DictionaryEncoder* dict,
                          size_t* dict_index, std::vector<uint8_t>* scratch) {
  if (dict) {
    scratch->clear();
    const size_t count = static_cast<size_t>(end - begin - nulls);
    dict->EncodeIndices(*dict_index, count, scratch);
    *dict_index += count;
    return {scratch->data(), scratch->size()};
  }
  ByteSpan values = PlainZeroCopySpan(col, begin, end, nulls);
  if (values.data == nullptr) {
    scratch->clear();
    PlainEncode(col, begin, end, nulls, scratch);
    values = {scratch->data(), scratch->size()};
  }
  return values;
}

}  // namespace ailake::parquet
