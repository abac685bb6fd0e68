// Thrift compact-protocol (de)serialisation of the generated Parquet metadata structs, with limits.
// Deserialize never throws: a malformed buffer, a string or container above the limits, or nesting
// deeper than max_depth is a kCorruption Status whose message names `what`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake::parquet {

struct ThriftLimits {
  uint32_t max_string_bytes = 16u << 20;
  uint32_t max_container_items = 1u << 20;
  int32_t max_depth = 64;
};

// T is one of the generated ailake::parquet::format types (FileMetaData, PageHeader, ...).
// On success *consumed is the number of bytes the struct took (page headers precede page data).
template <typename T>
Status ThriftDeserialize(const uint8_t* data, size_t length, const ThriftLimits& limits, T* out,
                         size_t* consumed, const std::string& what);

template <typename T>
Status ThriftSerialize(const T& value, std::vector<uint8_t>* out);  // appends

}  // namespace ailake::parquet
