// Avro binary encoding of one datum (the body of an object-container block).
//
// Layout, per the Avro spec: int and long are zig-zag varints (7 bits per byte, low group first,
// high bit = more); float/double are 4/8 bytes little-endian; bytes and string are a long length
// then the bytes; fixed is its bytes; enum is an int index; a union is a long branch index then
// the value; a record is its fields in order; arrays and maps are blocks: a long count, then that
// many items (map item = string key + value), repeated until a zero count. A negative count means
// |count| items preceded by a long byte size of the block (lets readers skip); we read both forms
// and write positive counts.
//
// Decoding treats the bytes as untrusted: lengths and counts are checked against the bytes left
// and the configured caps, varints may not overflow, strings must be valid UTF-8, and every
// failure is a kCorruption status (the caller adds which file and block).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "iceberg/avro_value.h"

namespace ailake {

struct AvroDecodeLimits {
  // Longest bytes/string value.
  uint64_t max_bytes_length = 64ull << 20;
  // Array/map items one Decode() call may produce in total (bounds memory for zero-byte items).
  uint64_t max_collection_items = 1ull << 20;
};

void AvroAppendLong(int64_t v, std::vector<uint8_t>* out);
// Appends the encoding of `value` under `schema`. kInvalidArgument (naming the path, e.g.
// "$.data_file.partition") when the value does not fit the schema or a string is not UTF-8.
Status AvroEncode(const AvroSchema& schema, const AvroValue& value, std::vector<uint8_t>* out);

// The fewest bytes any value of `schema` encodes to (0 for null or a record of nulls).
uint64_t AvroMinEncodedSize(const AvroSchema& schema);

class AvroDecoder {
 public:
  AvroDecoder(const uint8_t* data, size_t size, AvroDecodeLimits limits = {})
      : data_(data), size_(size), limits_(limits) {}

  Result<int64_t> ReadLong();
  Result<int32_t> ReadInt();
  // A long length followed by that many bytes (capped by limits and by the bytes left).
  Result<std::vector<uint8_t>> ReadBytes();
  Result<std::string> ReadString();
  Status ReadFixed(size_t n, uint8_t* out);

  // Decodes one datum; resets the per-call item budget.
  Status Decode(const AvroSchema& schema, AvroValue* out);

  size_t position() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }

 private:
  Status DecodeValue(const AvroSchema& schema, AvroValue* out, int depth);
  // Reads one array/map block header; 0 at the end of the collection.
  Result<uint64_t> ReadBlockCount(const AvroSchema& item_schema, uint64_t extra_min_size);
  Result<uint64_t> ReadLength(const char* what);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  AvroDecodeLimits limits_;
  uint64_t items_left_ = 0;
};

// True when `s` is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(const uint8_t* s, size_t n);

}  // namespace ailake
