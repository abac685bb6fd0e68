#include "parquet/rle_encoder.h"

namespace ailake::parquet {

void AppendUleb128(uint64_t v, std::vector<uint8_t>* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

namespace {

void AppendRleRun(uint32_t value, size_t count, int bit_width, std::vector<uint8_t>* out) {
  AppendUleb128(static_cast<uint64_t>(count) << 1, out);
  const int value_bytes = (bit_width + 7) / 8;
  for (int b = 0; b < value_bytes; ++b) out->push_back(static_cast<uint8_t>(value >> (8 * b)));
}

// Bit-packs values[0..n) as ceil(n / 8) groups; the missing tail of the last group is zeros.
template <typename T>
void AppendBitPackedRun(const T* values, size_t n, int bit_width, std::vector<uint8_t>* out) {
  if (n == 0) return;
  const size_t groups = (n + 7) / 8;
  AppendUleb128((static_cast<uint64_t>(groups) << 1) | 1, out);
  const size_t start = out->size();
  out->resize(start + groups * static_cast<size_t>(bit_width));
  uint8_t* dst = out->data() + start;
  uint64_t acc = 0;  // pending bits, LSB first; bit_width <= 32 keeps this below 40 bits
  int bits = 0;
  for (size_t i = 0; i < groups * 8; ++i) {
    const uint64_t v = i < n ? static_cast<uint64_t>(values[i]) : 0;
    acc |= v << bits;
    bits += bit_width;
    while (bits >= 8) {
      *dst++ = static_cast<uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

template <typename T>
void Encode(const T* v, size_t n, int bit_width, std::vector<uint8_t>* out) {
  size_t i = 0;
  size_t literal_start = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    size_t run = j - i;
    if (run < 8) {
      i = j;  // joins the pending literals
      continue;
    }
    // Literal runs must hold whole groups of 8 unless they end the data, so top up the pending
    // literals with copies of the repeated value; keep the repeat as an RLE run only if 8+ remain.
    const size_t pad = (8 - (i - literal_start) % 8) % 8;
    if (run - pad < 8) {
      i = j;
      continue;
    }
    i += pad;
    run -= pad;
    AppendBitPackedRun(v + literal_start, i - literal_start, bit_width, out);
    AppendRleRun(static_cast<uint32_t>(v[i]), run, bit_width, out);
    i = j;
    literal_start = j;
  }
  AppendBitPackedRun(v + literal_start, n - literal_start, bit_width, out);
}

}  // namespace

void RleHybridEncode(const uint32_t* values, size_t n, int bit_width, std::vector<uint8_t>* out) {
  Encode(values, n, bit_width, out);
}

void RleHybridEncode(const uint8_t* values, size_t n, int bit_width, std::vector<uint8_t>* out) {
  Encode(values, n, bit_width, out);
}

void RleEncodeValidity(const uint8_t* validity, int64_t bit_offset, int64_t n, std::vector<uint8_t>* out) {
  if (n <= 0) return;
  bool all_set = true;
  if (validity != nullptr) {
    for (int64_t i = 0; i < n && all_set; ++i) {
      const int64_t b = bit_offset + i;
      all_set = ((validity[b >> 3] >> (b & 7)) & 1) != 0;
    }
  }
  if (all_set) {
    AppendRleRun(1, static_cast<size_t>(n), 1, out);
    return;
  }
  std::vector<uint8_t> levels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t b = bit_offset + i;
    levels[static_cast<size_t>(i)] = (validity[b >> 3] >> (b & 7)) & 1;
  }
  Encode(levels.data(), levels.size(), 1, out);
}

}  // namespace ailake::parquet
