// The body of one data page of a column chunk: which rows it holds and their encoded levels and
// values (the layout is described at the top of writer.cc).
//
// Pages are cut where their uncompressed value bytes reach the writer's page_bytes (at least one
// row per page, at most INT32_MAX rows: page headers count rows in int32).
#pragma once

#include <cstdint>
#include <vector>

#include "parquet/batch.h"
#include "parquet/dictionary_encoder.h"
#include "parquet/plain_encoder.h"

namespace ailake::parquet {

// How a chunk's values are laid out in pages: a dictionary's index bit width, else the PLAIN
// fixed width (0: variable width, cut by the actual bytes).
struct PageCut {
  int64_t page_bytes = 0;
  int dictionary_bit_width = 0;  // > 0: dictionary-encoded
  int64_t fixed_width = 0;
};

// The end of the page that starts at row `begin` of `col` (rows before `end`).
int64_t PageEnd(const PageCut& cut, const Column& col, int64_t begin, int64_t end);

// RLE/bit-packed definition levels of rows [begin, begin + rows) into `out` (replaced); v1 pages
// carry them behind a u32 LE length prefix, v2 pages without (the header holds the length).
// `validity` may be null when the page has no nulls.
void EncodeDefinitionLevels(const uint8_t* validity, int64_t begin, int64_t rows, bool v2, std::vector<uint8_t>* out);

// The values of rows [begin, end) (`nulls` of them null): dictionary indices from `dict` starting
// at *dict_index (advanced past them) when `dict` is set, else PLAIN, pointing straight into the
// column when its layout allows. The span points into `scratch` or into `col`.
ByteSpan EncodePageValues(const Column& col, int64_t begin, int64_t end, int64_t nulls, const DictionaryEncoder* dict,
                          size_t* dict_index, std::vector<uint8_t>* scratch);

}  // namespace ailake::parquet
