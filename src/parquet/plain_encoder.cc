#include "parquet/plain_encoder.h"

#include <cstring>

namespace ailake::parquet {

namespace {

inline bool BitSet(const uint8_t* bits, int64_t i) { return ((bits[i >> 3] >> (i & 7)) & 1) != 0; }

inline void PutLe32(uint8_t* dst, uint32_t v) {
  dst[0] = static_cast<uint8_t>(v);
  dst[1] = static_cast<uint8_t>(v >> 8);
  dst[2] = static_cast<uint8_t>(v >> 16);
  dst[3] = static_cast<uint8_t>(v >> 24);
}

// Fixed-width values (little-endian in memory on every platform we build for).
void EncodeFixed(const Column& c, int64_t begin, int64_t end, int64_t nulls, size_t width, std::vector<uint8_t>* out) {
  const uint8_t* src = c.values().data();
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(end - begin - nulls) * width);
  uint8_t* dst = out->data() + start;
  if (nulls == 0) {
    std::memcpy(dst, src + static_cast<size_t>(begin) * width, static_cast<size_t>(end - begin) * width);
    return;
  }
  const uint8_t* valid = c.validity().data();
  for (int64_t i = begin; i < end; ++i) {
    if (!BitSet(valid, i)) continue;
    std::memcpy(dst, src + static_cast<size_t>(i) * width, width);
    dst += width;
  }
}

void EncodeBool(const Column& c, int64_t begin, int64_t end, std::vector<uint8_t>* out) {
  const uint8_t* src = c.values().data();
  const uint8_t* valid = c.validity().empty() ? nullptr : c.validity().data();
  uint8_t acc = 0;
  int bits = 0;
  for (int64_t i = begin; i < end; ++i) {
    if (valid != nullptr && !BitSet(valid, i)) continue;
    acc = static_cast<uint8_t>(acc | ((src[i] != 0 ? 1u : 0u) << bits));
    if (++bits == 8) {
      out->push_back(acc);
      acc = 0;
      bits = 0;
    }
  }
  if (bits > 0) out->push_back(acc);
}

void EncodeByteArray(const Column& c, int64_t begin, int64_t end, int64_t nulls, std::vector<uint8_t>* out) {
  const int64_t* off = c.offsets().data();
  const uint8_t* src = c.values().data();
  const int64_t payload = off[end] - off[begin];  // null rows contribute no bytes
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(payload) + 4 * static_cast<size_t>(end - begin - nulls));
  uint8_t* dst = out->data() + start;
  const uint8_t* valid = (nulls == 0) ? nullptr : c.validity().data();
  for (int64_t i = begin; i < end; ++i) {
    if (valid != nullptr && !BitSet(valid, i)) continue;
    const size_t len = static_cast<size_t>(off[i + 1] - off[i]);
    PutLe32(dst, static_cast<uint32_t>(len));
    if (len != 0) std::memcpy(dst + 4, src + off[i], len);
    dst += 4 + len;
  }
  // A null row may still own bytes when a producer left them in place; the resize above was then an
  // overestimate, so trim to what was actually written.
  out->resize(static_cast<size_t>(dst - out->data()));
}

}  // namespace

int64_t NullCountInRange(const Column& column, int64_t begin, int64_t end) {
  if (column.validity().empty()) return 0;
  const uint8_t* v = column.validity().data();
  int64_t valid = 0;
  int64_t i = begin;
  for (; i < end && (i & 7) != 0; ++i) valid += BitSet(v, i) ? 1 : 0;
  for (; i + 64 <= end; i += 64) {
    uint64_t w;
    std::memcpy(&w, v + (i >> 3), 8);
    valid += __builtin_popcountll(w);
  }
  for (; i < end; ++i) valid += BitSet(v, i) ? 1 : 0;
  return (end - begin) - valid;
}

void PlainEncode(const Column& column, int64_t begin, int64_t end, int64_t nulls, std::vector<uint8_t>* out) {
  switch (column.type()) {
    case DataType::kBool: EncodeBool(column, begin, end, out); return;
    case DataType::kInt32:
    case DataType::kDate:
    case DataType::kFloat: EncodeFixed(column, begin, end, nulls, 4, out); return;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kDouble: EncodeFixed(column, begin, end, nulls, 8, out); return;
    case DataType::kFixedBinary:
      EncodeFixed(column, begin, end, nulls, static_cast<size_t>(column.fixed_len()), out);
      return;
    case DataType::kString:
    case DataType::kBinary: EncodeByteArray(column, begin, end, nulls, out); return;
    case DataType::kList: return;  // refused by the writer before it gets here
  }
}

ByteSpan PlainZeroCopySpan(const Column& column, int64_t begin, int64_t end, int64_t nulls) {
  if (nulls != 0) return {};
  size_t width = 0;
  switch (column.type()) {
    case DataType::kInt32:
    case DataType::kDate:
    case DataType::kFloat: width = 4; break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kDouble: width = 8; break;
    case DataType::kFixedBinary: width = static_cast<size_t>(column.fixed_len()); break;
    default: return {};
  }
  return {column.values().data() + static_cast<size_t>(begin) * width, static_cast<size_t>(end - begin) * width};
}

void AppendPlainByteArray(std::string_view value, std::vector<uint8_t>* out) {
  const size_t start = out->size();
  out->resize(start + 4 + value.size());
  PutLe32(out->data() + start, static_cast<uint32_t>(value.size()));
  if (!value.empty()) std::memcpy(out->data() + start + 4, value.data(), value.size());
}

}  // namespace ailake::parquet
