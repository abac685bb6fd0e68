// Encoder for Parquet's RLE / bit-packed hybrid encoding (definition levels, dictionary indices).
//
// On-disk layout (parquet-format Encodings.md, "RLE"): a sequence of runs, each starting with a
// ULEB128 varint header h:
//   h & 1 == 0  RLE run:        h >> 1 = repeat count; then the value in ceil(bit_width / 8) bytes,
//                               little-endian.
//   h & 1 == 1  bit-packed run: h >> 1 = number of 8-value groups; then groups * bit_width bytes,
//                               values packed LSB-first (value 0 in the lowest bits of byte 0).
// Only the very last bit-packed run may be padded (with zeros) past the real value count; readers
// stop at the count they know from the page header. No length prefix is written here: data page v1
// prepends a 4-byte length to definition levels, dictionary indices are preceded by one byte holding
// bit_width, and data page v2 stores the level length in its header — the caller adds those.
//
// The decoder lives in rle_decoder.h (read side).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ailake::parquet {

// Appends the hybrid encoding of values[0..n) (each < 2^bit_width, 1 <= bit_width <= 32) to *out.
// Repeats of 8 or more become RLE runs; everything else is bit-packed in groups of 8.
void RleHybridEncode(const uint32_t* values, size_t n, int bit_width, std::vector<uint8_t>* out);
void RleHybridEncode(const uint8_t* values, size_t n, int bit_width, std::vector<uint8_t>* out);

// Definition levels of one optional column (max level 1) taken straight from an Arrow-style validity
// bitmap: bit (bit_offset + i) of `validity` is the level of value i. `validity` may be null (all
// values present: one RLE run of 1s).
void RleEncodeValidity(const uint8_t* validity, int64_t bit_offset, int64_t n, std::vector<uint8_t>* out);

// ULEB128 varint (also used by run headers).
void AppendUleb128(uint64_t v, std::vector<uint8_t>* out);

}  // namespace ailake::parquet
