#include "parquet/delta_decoder.h"

#include <string>

#include "core/checked.h"
#include "parquet/rle_decoder.h"

namespace ailake::parquet {

namespace {

// Block sizes beyond this are not written by any known writer and would only serve to make us
// allocate; the spec does not bound them.
constexpr uint64_t kMaxBlockSize = 1u << 16;

int64_t ZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

Status Bad(const std::string& what) { return Status::Corruption("DELTA_BINARY_PACKED " + what); }

}  // namespace

Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t length, size_t n, std::vector<int64_t>* out,
                               size_t* consumed) {
  const uint8_t* p = data;
  const uint8_t* end = data + length;
  uint64_t block_size = 0, miniblocks = 0, total = 0, first_raw = 0;
  if (!ReadUleb128(&p, end, &block_size) || !ReadUleb128(&p, end, &miniblocks) || !ReadUleb128(&p, end, &total) ||
      !ReadUleb128(&p, end, &first_raw)) {
    return Bad("header is truncated");
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > kMaxBlockSize)
    return Bad("block size " + std::to_string(block_size) + " is invalid");
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0)
    return Bad("miniblock count " + std::to_string(miniblocks) + " is invalid for block size " +
               std::to_string(block_size));
  if (total != n)
    return Bad("stream holds " + std::to_string(total) + " values where the page needs " + std::to_string(n));
  const uint64_t per_mini = block_size / miniblocks;
  out->clear();
  out->reserve(n);
  if (n == 0) {
    *consumed = static_cast<size_t>(p - data);
    return Status::OK();
  }
  uint64_t prev = static_cast<uint64_t>(ZigZag(first_raw));
  out->push_back(static_cast<int64_t>(prev));
  while (out->size() < n) {
    uint64_t min_raw = 0;
    if (!ReadUleb128(&p, end, &min_raw)) return Bad("block header is truncated");
    const uint64_t min_delta = static_cast<uint64_t>(ZigZag(min_raw));
    if (static_cast<uint64_t>(end - p) < miniblocks) return Bad("miniblock bit widths are truncated");
    const uint8_t* widths = p;
    p += miniblocks;
    for (uint64_t m = 0; m < miniblocks && out->size() < n; ++m) {
      const int bw = widths[m];
      if (bw > 64) return Bad("miniblock bit width " + std::to_string(bw) + " is above 64");
      const uint64_t bytes = per_mini * static_cast<uint64_t>(bw) / 8;
      if (bytes > static_cast<uint64_t>(end - p)) return Bad("miniblock is truncated");
      const uint64_t take = std::min<uint64_t>(per_mini, n - out->size());
      for (uint64_t i = 0; i < take; ++i) {
        prev += min_delta + UnpackBits(p, static_cast<size_t>(bytes), i, bw);  // wraps, as the spec says
        out->push_back(static_cast<int64_t>(prev));
      }
      p += bytes;
    }
  }
  *consumed = static_cast<size_t>(p - data);
  return Status::OK();
}

Status DecodeDeltaInts(const uint8_t* data, size_t length, size_t n, ValueBuffer* out, size_t* consumed) {
  std::vector<int64_t> vals;
  AILAKE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, length, n, &vals, consumed));
  AILAKE_RETURN_IF_ERROR(out->Reserve(n * static_cast<uint64_t>(out->width)));
  const size_t at = out->data.size();
  out->data.resize(at + n * static_cast<size_t>(out->width));
  uint8_t* dst = out->data.data() + at;
  if (out->width == 4) {
    for (size_t i = 0; i < n; ++i) StoreLE<int32_t>(dst + 4 * i, static_cast<int32_t>(static_cast<uint32_t>(vals[i])));
  } else {
    for (size_t i = 0; i < n; ++i) StoreLE<int64_t>(dst + 8 * i, vals[i]);
  }
  out->count += static_cast<int64_t>(n);
  return Status::OK();
}

namespace {

// Appends one decoded byte-array value, honouring FIXED_LEN_BYTE_ARRAY widths.
Status AppendValue(const uint8_t* p, size_t len, ValueBuffer* out) {
  if (out->width > 0) {
    if (len != static_cast<size_t>(out->width))
      return Status::Corruption("FIXED_LEN_BYTE_ARRAY value has " + std::to_string(len) + " bytes, expected " +
                                std::to_string(out->width));
    out->data.insert(out->data.end(), p, p + len);
    ++out->count;
    return Status::OK();
  }
  out->AppendVar(p, len);
  return Status::OK();
}

}  // namespace

Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t length, size_t n, ValueBuffer* out) {
  std::vector<int64_t> lens;
  size_t used = 0;
  AILAKE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, length, n, &lens, &used));
  const uint8_t* p = data + used;
  const uint8_t* end = data + length;
  uint64_t sum = 0;
  for (int64_t l : lens) {
    if (l < 0 || l > INT32_MAX) return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY has a negative or huge length");
    sum += static_cast<uint64_t>(l);
  }
  if (sum > static_cast<uint64_t>(end - p))
    return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY values run past the page");
  AILAKE_RETURN_IF_ERROR(out->Reserve(sum));
  for (int64_t l : lens) {
    AILAKE_RETURN_IF_ERROR(AppendValue(p, static_cast<size_t>(l), out));
    p += l;
  }
  return Status::OK();
}

Status DecodeDeltaByteArray(const uint8_t* data, size_t length, size_t n, ValueBuffer* out) {
  std::vector<int64_t> prefixes;
  size_t used = 0;
  AILAKE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, length, n, &prefixes, &used));
  ValueBuffer suffixes;
  suffixes.Reset(0);
  suffixes.byte_limit = out->byte_limit;
  AILAKE_RETURN_IF_ERROR(DecodeDeltaLengthByteArray(data + used, length - used, n, &suffixes));
  std::vector<uint8_t> prev, cur;
  for (size_t i = 0; i < n; ++i) {
    const int64_t pre = prefixes[i];
    if (pre < 0 || static_cast<uint64_t>(pre) > prev.size())
      return Status::Corruption("DELTA_BYTE_ARRAY prefix length " + std::to_string(pre) +
                                " is longer than the previous value");
    const uint64_t slen = suffixes.VarLen(static_cast<int64_t>(i));
    // Shared prefixes let a few input bytes claim huge outputs: check the cap before building.
    AILAKE_RETURN_IF_ERROR(out->Reserve(static_cast<uint64_t>(pre) + slen));
    cur.assign(prev.begin(), prev.begin() + pre);
    const uint8_t* s = suffixes.VarAt(static_cast<int64_t>(i));
    cur.insert(cur.end(), s, s + slen);
    AILAKE_RETURN_IF_ERROR(AppendValue(cur.data(), cur.size(), out));
    prev.swap(cur);
  }
  return Status::OK();
}

}  // namespace ailake::parquet
