// PLAIN encoding of a row range of a Column (the values of a data page or a dictionary page).
//
// On-disk layout (parquet-format Encodings.md, "PLAIN"), non-null values only, back to back:
//   BOOLEAN               1 bit per value, LSB-first within each byte, last byte zero-padded
//   INT32 / FLOAT         4 bytes little-endian (DATE is INT32 days)
//   INT64 / DOUBLE        8 bytes little-endian (TIMESTAMP is INT64 in its unit)
//   BYTE_ARRAY            4-byte little-endian length, then the bytes
//   FIXED_LEN_BYTE_ARRAY  the bytes (type_length each)
// Nulls are not stored: they exist only as definition levels.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "parquet/batch.h"

namespace ailake::parquet {

// Number of null rows among [begin, end) (0 when the column has no validity bitmap).
int64_t NullCountInRange(const Column& column, int64_t begin, int64_t end);

// Appends the PLAIN encoding of the non-null values of rows [begin, end) to *out.
// `nulls` is NullCountInRange(column, begin, end) (callers already have it).
void PlainEncode(const Column& column, int64_t begin, int64_t end, int64_t nulls, std::vector<uint8_t>* out);

// When the PLAIN bytes of [begin, end) are exactly the column's value buffer (fixed-width type other
// than bool, no nulls in the range): the span, so callers can write it without a copy. Otherwise
// {nullptr, 0}.
struct ByteSpan {
  const uint8_t* data = nullptr;
  size_t size = 0;
};
ByteSpan PlainZeroCopySpan(const Column& column, int64_t begin, int64_t end, int64_t nulls);

// One BYTE_ARRAY value (length prefix + bytes).
void AppendPlainByteArray(std::string_view value, std::vector<uint8_t>* out);

}  // namespace ailake::parquet
