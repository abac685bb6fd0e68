// PLAIN decoding (parquet-format Encodings.md, "Plain") into a ValueBuffer, the physical-value
// representation every page decoder in the reader appends to.
//
// PLAIN layouts:
//   BOOLEAN               bit-packed, LSB first, one bit per value
//   INT32 / FLOAT         4 bytes little-endian per value
//   INT64 / DOUBLE        8 bytes little-endian per value
//   INT96                 12 bytes per value
//   FIXED_LEN_BYTE_ARRAY  type_length bytes per value
//   BYTE_ARRAY            4-byte little-endian length, then that many bytes, per value
// Fixed-width values are appended with one memcpy per page (the vector-column fast path).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake::parquet {

// Values of parquet.thrift's Type enum.
enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};
const char* PhysicalTypeName(PhysicalType t);
// Bytes per value in a ValueBuffer (booleans one byte each), 0 for BYTE_ARRAY.
int32_t PhysicalWidth(PhysicalType t, int32_t type_length);

// Decoded non-null values of one column chunk, in file order.
//   fixed width (width > 0): data holds count * width bytes
//   BYTE_ARRAY (width == 0): data holds the bytes, offsets count + 1 entries into data
struct ValueBuffer {
  int32_t width = 0;
  int64_t count = 0;
  std::vector<uint8_t> data;
  std::vector<int64_t> offsets{0};
  uint64_t byte_limit = UINT64_MAX;  // decoders refuse to grow data past this (decompression bombs)

  void Reset(int32_t w) {
    width = w;
    count = 0;
    data.clear();
    offsets.assign(1, 0);
  }
  // Checks that `more` bytes may still be appended.
  Status Reserve(uint64_t more);
  const uint8_t* FixedAt(int64_t i) const { return data.data() + i * width; }
  const uint8_t* VarAt(int64_t i) const { return data.data() + offsets[i]; }
  uint64_t VarLen(int64_t i) const { return static_cast<uint64_t>(offsets[i + 1] - offsets[i]); }
  void AppendVar(const uint8_t* p, size_t n) {
    data.insert(data.end(), p, p + n);
    offsets.push_back(static_cast<int64_t>(data.size()));
    ++count;
  }
};

// Decodes n PLAIN values from [data, data+length) and appends them; *consumed = bytes used.
Status DecodePlain(PhysicalType type, const uint8_t* data, size_t length, size_t n, ValueBuffer* out,
                   size_t* consumed);

// Appends dict[indices[i]] for i < n. Indices are checked against dict.count.
Status GatherDictionary(const ValueBuffer& dict, const uint32_t* indices, size_t n, ValueBuffer* out);

}  // namespace ailake::parquet
