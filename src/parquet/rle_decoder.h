// Decoder for Parquet's RLE / bit-packing hybrid encoding (levels, dictionary indices, booleans).
//
// Layout (parquet-format Encodings.md, "RLE"):
//   hybrid      := run*
//   run         := bit-packed-run | rle-run
//   rle-run     := ULEB128(count << 1)            value in ceil(bit_width / 8) bytes, little-endian
//   bit-packed  := ULEB128((groups << 1) | 1)     groups * 8 values, bit_width bits each, LSB first
//                                                 (groups * bit_width bytes)
// Data page v1 levels and RLE-encoded booleans prefix the hybrid data with its byte length as a
// 4-byte little-endian integer; data page v2 levels carry their length in the page header instead;
// dictionary indices prefix it with one byte holding the bit width.
//
// Nothing in the input is trusted: reading past the end, a zero-length bit-packed run or a varint
// over 5 bytes is kCorruption.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ailake/status.h"

namespace ailake::parquet {

class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder() = default;
  // bit_width must be 0..32 (callers validate widths read from files before constructing).
  RleBitPackedDecoder(const uint8_t* data, size_t length, int bit_width)
      : data_(data), end_(data + length), bit_width_(bit_width) {}

  // Decodes exactly n values into out. OutT is uint8_t, int16_t or uint32_t; values wider than
  // OutT are kCorruption (a level of 70000 cannot be a valid int16 level).
  template <typename OutT>
  Status Decode(OutT* out, size_t n);

 private:
  Status NextRun();

  const uint8_t* data_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  uint64_t rle_left_ = 0;       // values left in the current RLE run
  uint32_t rle_value_ = 0;
  uint64_t packed_left_ = 0;    // values left in the current bit-packed run
  const uint8_t* packed_ = nullptr;  // start of the current bit-packed run's bytes
  size_t packed_avail_ = 0;     // bytes of the run present in the buffer
  uint64_t packed_index_ = 0;   // next value index within the run
};

// Minimal number of bits to store values 0..max_value.
int BitWidthFor(uint64_t max_value);

// Reads a ULEB128 varint of at most max_bytes from [*p, end); advances *p.
bool ReadUleb128(const uint8_t** p, const uint8_t* end, uint64_t* out, int max_bytes = 10);

// Extracts value `index` of `bit_width` bits (0..64) from an LSB-first bit-packed buffer of
// `length` bytes. The caller guarantees (index + 1) * bit_width bits lie within the buffer.
uint64_t UnpackBits(const uint8_t* data, size_t length, uint64_t index, int bit_width);

}  // namespace ailake::parquet
