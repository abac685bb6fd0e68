#include "parquet/rle_decoder.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

namespace ailake::parquet {

int BitWidthFor(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

bool ReadUleb128(const uint8_t** p, const uint8_t* end, uint64_t* out, int max_bytes) {
  uint64_t v = 0;
  const uint8_t* q = *p;
  for (int i = 0; i < max_bytes; ++i) {
    if (q >= end) return false;
    uint8_t b = *q++;
    if (i == 9 && (b & 0x7E)) return false;  // would overflow 64 bits
    v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      *out = v;
      *p = q;
      return true;
    }
  }
  return false;
}

uint64_t UnpackBits(const uint8_t* data, size_t length, uint64_t index, int bit_width) {
  if (bit_width == 0) return 0;
  const uint64_t bit = index * static_cast<uint64_t>(bit_width);
  const size_t byte = static_cast<size_t>(bit >> 3);
  const int shift = static_cast<int>(bit & 7);
  uint64_t lo = 0;
  const size_t avail = length - byte;
  if (avail >= 8) {
    std::memcpy(&lo, data + byte, 8);
  } else {
    std::memcpy(&lo, data + byte, avail);
  }
  uint64_t v = lo >> shift;
  if (shift + bit_width > 64) v |= static_cast<uint64_t>(data[byte + 8]) << (64 - shift);
  if (bit_width < 64) v &= (uint64_t{1} << bit_width) - 1;
  return v;
}

Status RleBitPackedDecoder::NextRun() {
  uint64_t header = 0;
  if (!ReadUleb128(&data_, end_, &header, 5)) {
    return Status::Corruption("RLE/bit-packed data ends before all values were read (or has a bad run header)");
  }
  if (header & 1) {
    const uint64_t groups = header >> 1;
    if (groups == 0) return Status::Corruption("RLE/bit-packed data has an empty bit-packed run");
    const uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
    packed_ = data_;
    packed_avail_ = static_cast<size_t>(std::min<uint64_t>(bytes, static_cast<uint64_t>(end_ - data_)));
    packed_left_ = groups * 8;
    packed_index_ = 0;
    // Some writers drop the unused tail of the final run; only the values actually read must be
    // present, which Decode checks.
    data_ += packed_avail_;
  } else {
    rle_left_ = header >> 1;
    const int value_bytes = (bit_width_ + 7) / 8;
    if (end_ - data_ < value_bytes) return Status::Corruption("RLE run value is truncated");
    uint32_t v = 0;
    for (int i = 0; i < value_bytes; ++i) v |= static_cast<uint32_t>(data_[i]) << (8 * i);
    data_ += value_bytes;
    if (bit_width_ < 32 && (v >> bit_width_) != 0)
      return Status::Corruption("RLE run value " + std::to_string(v) + " does not fit its bit width " +
                                std::to_string(bit_width_));
    rle_value_ = v;
  }
  return Status::OK();
}

template <typename OutT>
Status RleBitPackedDecoder::Decode(OutT* out, size_t n) {
  constexpr uint64_t kMax = std::numeric_limits<OutT>::max();
  while (n > 0) {
    if (rle_left_ > 0) {
      if (rle_value_ > kMax) return Status::Corruption("RLE value " + std::to_string(rle_value_) + " is out of range");
      const size_t take = static_cast<size_t>(std::min<uint64_t>(rle_left_, n));
      std::fill(out, out + take, static_cast<OutT>(rle_value_));
      out += take;
      n -= take;
      rle_left_ -= take;
      continue;
    }
    if (packed_left_ > 0) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(packed_left_, n));
      const uint64_t last_bit = (packed_index_ + take) * static_cast<uint64_t>(bit_width_);
      if ((last_bit + 7) / 8 > packed_avail_) return Status::Corruption("bit-packed run is truncated");
      for (size_t i = 0; i < take; ++i) {
        uint64_t v = UnpackBits(packed_, packed_avail_, packed_index_ + i, bit_width_);
        if (v > kMax) return Status::Corruption("bit-packed value " + std::to_string(v) + " is out of range");
        out[i] = static_cast<OutT>(v);
      }
      out += take;
      n -= take;
      packed_left_ -= take;
      packed_index_ += take;
      continue;
    }
    AILAKE_RETURN_IF_ERROR(NextRun());
  }
  return Status::OK();
}

template Status RleBitPackedDecoder::Decode<uint8_t>(uint8_t*, size_t);
template Status RleBitPackedDecoder::Decode<int16_t>(int16_t*, size_t);
template Status RleBitPackedDecoder::Decode<uint32_t>(uint32_t*, size_t);

}  // namespace ailake::parquet
