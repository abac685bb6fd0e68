// BYTE_STREAM_SPLIT decoding (parquet-format Encodings.md): for n values of w bytes, the page holds
// w streams of n bytes; stream k holds byte k of every value. Defined for FLOAT and DOUBLE, and
// since parquet-format 2.11 for INT32, INT64 and FIXED_LEN_BYTE_ARRAY too (any fixed width).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ailake/status.h"
#include "parquet/plain_decoder.h"

namespace ailake::parquet {

// Appends n values of out->width bytes. The page must hold exactly n * width bytes (the streams'
// length is implied by the page size, so any other size is corrupt).
Status DecodeByteStreamSplit(const uint8_t* data, size_t length, size_t n, ValueBuffer* out);

}  // namespace ailake::parquet
