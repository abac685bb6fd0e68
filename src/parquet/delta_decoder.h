// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY decoding
// (parquet-format Encodings.md).
//
// DELTA_BINARY_PACKED:
//   header  := ULEB128 block_size (multiple of 128), ULEB128 miniblocks_per_block (block_size /
//              miniblocks a multiple of 32), ULEB128 total_value_count, zigzag-ULEB128 first_value
//   block   := zigzag-ULEB128 min_delta, one byte bit width per miniblock, the miniblocks
//   miniblock := values_per_miniblock deltas (minus min_delta), bit-packed LSB first at its width
//   Only miniblocks holding values are present; the last one is padded to full size. Arithmetic
//   wraps in two's complement (int32 values are the low 32 bits).
// DELTA_LENGTH_BYTE_ARRAY: DELTA_BINARY_PACKED lengths, then all value bytes concatenated.
// DELTA_BYTE_ARRAY: DELTA_BINARY_PACKED prefix lengths, then the suffixes as DELTA_LENGTH_BYTE_ARRAY;
//   value i = first prefix_length[i] bytes of value i-1, then suffix i.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ailake/status.h"
#include "parquet/plain_decoder.h"

namespace ailake::parquet {

// Decodes a DELTA_BINARY_PACKED stream holding exactly n values (max_values caps what the header
// may claim). *consumed = bytes of the stream, through the last (padded) miniblock.
Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t length, size_t n, std::vector<int64_t>* out,
                               size_t* consumed);

// Appends n INT32/INT64 values (width 4 or 8 in out) decoded from DELTA_BINARY_PACKED.
Status DecodeDeltaInts(const uint8_t* data, size_t length, size_t n, ValueBuffer* out, size_t* consumed);

// Appends n BYTE_ARRAY values (or FIXED_LEN_BYTE_ARRAY values when out->width > 0: every value must
// then have exactly that length).
Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t length, size_t n, ValueBuffer* out);
Status DecodeDeltaByteArray(const uint8_t* data, size_t length, size_t n, ValueBuffer* out);

}  // namespace ailake::parquet
