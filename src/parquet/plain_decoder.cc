#include "parquet/plain_decoder.h"

#include <algorithm>
#include <cstring>

#include "core/checked.h"

namespace ailake::parquet {

const char* PhysicalTypeName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return "BOOLEAN";
    case PhysicalType::kInt32: return "INT32";
    case PhysicalType::kInt64: return "INT64";
    case PhysicalType::kInt96: return "INT96";
    case PhysicalType::kFloat: return "FLOAT";
    case PhysicalType::kDouble: return "DOUBLE";
    case PhysicalType::kByteArray: return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN";
}

int32_t PhysicalWidth(PhysicalType t, int32_t type_length) {
  switch (t) {
    case PhysicalType::kBoolean: return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kInt96: return 12;
    case PhysicalType::kFixedLenByteArray: return type_length;
    case PhysicalType::kByteArray: return 0;
  }
  return 0;
}

Status ValueBuffer::Reserve(uint64_t more) {
  auto total = CheckedAdd(data.size(), more);
  if (!total || *total > byte_limit) {
    return Status::ResourceExhausted("decoded column data would exceed the reader's limit of " +
                                     std::to_string(byte_limit) + " bytes");
  }
  // Geometric growth: decoders call this once per value for some encodings.
  if (*total > data.capacity())
    data.reserve(std::max<size_t>(static_cast<size_t>(*total), std::min<size_t>(2 * data.capacity(), byte_limit)));
  return Status::OK();
}

Status DecodePlain(PhysicalType type, const uint8_t* data, size_t length, size_t n, ValueBuffer* out,
                   size_t* consumed) {
  if (type == PhysicalType::kBoolean) {
    const size_t bytes = (n + 7) / 8;
    if (bytes > length) return Status::Corruption("PLAIN BOOLEAN values are truncated");
    AILAKE_RETURN_IF_ERROR(out->Reserve(n));
    const size_t at = out->data.size();
    out->data.resize(at + n);
    uint8_t* dst = out->data.data() + at;
    for (size_t i = 0; i < n; ++i) dst[i] = (data[i >> 3] >> (i & 7)) & 1;
    out->count += static_cast<int64_t>(n);
    *consumed = bytes;
    return Status::OK();
  }
  if (type == PhysicalType::kByteArray) {
    const uint8_t* p = data;
    const uint8_t* end = data + length;
    for (size_t i = 0; i < n; ++i) {
      if (end - p < 4) return Status::Corruption("PLAIN BYTE_ARRAY length prefix is truncated");
      const uint32_t len = LoadLE<uint32_t>(p);
      p += 4;
      if (len > static_cast<size_t>(end - p))
        return Status::Corruption("PLAIN BYTE_ARRAY value of " + std::to_string(len) + " bytes runs past the page");
      if (out->data.size() + len > out->byte_limit) AILAKE_RETURN_IF_ERROR(out->Reserve(len));
      out->AppendVar(p, len);
      p += len;
    }
    *consumed = static_cast<size_t>(p - data);
    return Status::OK();
  }
  const uint64_t w = static_cast<uint64_t>(out->width);
  auto bytes = CheckedMul(n, w);
  if (!bytes || *bytes > length) {
    return Status::Corruption("page holds " + std::to_string(length) + " bytes, too few for " + std::to_string(n) +
                              " PLAIN " + PhysicalTypeName(type) + " values");
  }
  AILAKE_RETURN_IF_ERROR(out->Reserve(*bytes));
  // insert() from a pointer range is a single memcpy, without zero-filling first.
  out->data.insert(out->data.end(), data, data + *bytes);
  out->count += static_cast<int64_t>(n);
  *consumed = static_cast<size_t>(*bytes);
  return Status::OK();
}

Status GatherDictionary(const ValueBuffer& dict, const uint32_t* indices, size_t n, ValueBuffer* out) {
  for (size_t i = 0; i < n; ++i) {
    if (indices[i] >= static_cast<uint64_t>(dict.count)) {
      return Status::Corruption("dictionary index " + std::to_string(indices[i]) + " is out of range (dictionary has " +
                                std::to_string(dict.count) + " entries)");
    }
  }
  if (dict.width > 0) {
    const size_t w = static_cast<size_t>(dict.width);
    auto bytes = CheckedMul(n, w);
    if (!bytes) return Status::Corruption("dictionary-encoded page is too large");
    AILAKE_RETURN_IF_ERROR(out->Reserve(*bytes));
    const size_t at = out->data.size();
    out->data.resize(at + *bytes);
    uint8_t* dst = out->data.data() + at;
    switch (w) {
      case 4:
        for (size_t i = 0; i < n; ++i) std::memcpy(dst + 4 * i, dict.data.data() + 4 * size_t{indices[i]}, 4);
        break;
      case 8:
        for (size_t i = 0; i < n; ++i) std::memcpy(dst + 8 * i, dict.data.data() + 8 * size_t{indices[i]}, 8);
        break;
      default:
        for (size_t i = 0; i < n; ++i) std::memcpy(dst + w * i, dict.data.data() + w * size_t{indices[i]}, w);
    }
    out->count += static_cast<int64_t>(n);
    return Status::OK();
  }
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) total += dict.VarLen(indices[i]);
  AILAKE_RETURN_IF_ERROR(out->Reserve(total));
  out->offsets.reserve(out->offsets.size() + n);
  for (size_t i = 0; i < n; ++i) out->AppendVar(dict.VarAt(indices[i]), static_cast<size_t>(dict.VarLen(indices[i])));
  return Status::OK();
}

}  // namespace ailake::parquet
