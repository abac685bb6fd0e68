#include "file/ailk_section.h"

#include <zlib.h>

#include <cmath>
#include <cstring>

#include "core/checked.h"

namespace ailake::file {

namespace {

constexpr uint8_t kMagic[4] = {'A', 'I', 'L', 'K'};
constexpr uint16_t kFlagCentroid = 1;
constexpr uint16_t kFlagIndex = 2;

uint32_t Crc32(const uint8_t* data, size_t n, uint32_t crc = 0) {
  // zlib's crc32 takes uInt lengths; feed large buffers in pieces.
  crc = crc == 0 ? static_cast<uint32_t>(::crc32(0L, Z_NULL, 0)) : crc;
  while (n > 0) {
    uInt chunk = static_cast<uInt>(n > (1u << 30) ? (1u << 30) : n);
    crc = static_cast<uint32_t>(::crc32(crc, data, chunk));
    data += chunk;
    n -= chunk;
  }
  return crc;
}

uint64_t CentroidBytes(uint32_t dim) { return 4ull * dim + 4; }

}  // namespace

uint64_t AilkSectionSize(uint32_t dim, bool has_centroid, uint64_t index_bytes) {
  return kAilkHeaderSize + (has_centroid ? CentroidBytes(dim) : 0) + index_bytes + kAilkTrailerSize;
}

Result<std::vector<uint8_t>> EncodeAilkSection(const AilkSection& s, uint64_t absolute_offset) {
  if (s.dim == 0 || s.dim > kAilkMaxDim) {
    return Status::InvalidArgument("AILK: dim " + std::to_string(s.dim) + " is outside 1.." + std::to_string(kAilkMaxDim));
  }
  if (s.has_centroid && s.centroid.size() != s.dim) {
    return Status::InvalidArgument("AILK: centroid has " + std::to_string(s.centroid.size()) + " values, dim is " +
                                   std::to_string(s.dim));
  }
  if (s.index_kind != IndexKind::kFlat && s.index_kind != IndexKind::kHnsw) {
    return Status::InvalidArgument("AILK: index kind must be flat or hnsw (auto is resolved before writing)");
  }
  const uint64_t centroid_len = s.has_centroid ? CentroidBytes(s.dim) : 0;
  const uint64_t index_len = s.index_blob.size();
  const uint64_t total = AilkSectionSize(s.dim, s.has_centroid, index_len);
  std::vector<uint8_t> out(total, 0);
  uint8_t* h = out.data();
  std::memcpy(h, kMagic, 4);
  StoreLE<uint16_t>(h + 4, kAilkVersion);
  StoreLE<uint16_t>(h + 6, static_cast<uint16_t>((s.has_centroid ? kFlagCentroid : 0) | (index_len ? kFlagIndex : 0)));
  StoreLE<uint32_t>(h + 8, s.dim);
  h[12] = static_cast<uint8_t>(s.precision);
  h[13] = static_cast<uint8_t>(s.metric);
  h[14] = static_cast<uint8_t>(s.index_kind);
  StoreLE<uint64_t>(h + 16, s.record_count);
  StoreLE<uint64_t>(h + 24, kAilkHeaderSize);
  StoreLE<uint64_t>(h + 32, centroid_len);
  StoreLE<uint64_t>(h + 40, kAilkHeaderSize + centroid_len);
  StoreLE<uint64_t>(h + 48, index_len);
  uint8_t* body = h + kAilkHeaderSize;
  if (s.has_centroid) {
    std::memcpy(body, s.centroid.data(), 4ull * s.dim);
    StoreLE<float>(body + 4ull * s.dim, s.radius);
  }
  if (index_len) std::memcpy(body + centroid_len, s.index_blob.data(), index_len);
  StoreLE<uint32_t>(h + 56, Crc32(body, centroid_len + index_len));
  StoreLE<uint32_t>(h + 60, Crc32(h, 60));
  uint8_t* t = h + total - kAilkTrailerSize;
  StoreLE<uint64_t>(t, absolute_offset);
  StoreLE<uint64_t>(t + 8, total);
  StoreLE<uint32_t>(t + 16, kAilkVersion);
  std::memcpy(t + 20, kMagic, 4);
  return out;
}

Result<uint64_t> AilkSectionLengthFromHeader(const uint8_t* h, size_t length, const std::string& where) {
  if (length < kAilkHeaderSize) return Status::Corruption(where + ": AILK header is truncated");
  if (std::memcmp(h, kMagic, 4) != 0) {
    return Status::Corruption(where + ": no AILK magic at the section offset (the footer key points at the wrong place "
                              "or the file is damaged)");
  }
  if (LoadLE<uint32_t>(h + 60) != Crc32(h, 60)) return Status::Corruption(where + ": AILK header checksum mismatch");
  uint16_t version = LoadLE<uint16_t>(h + 4);
  if (version != kAilkVersion) {
    return Status::NotSupported(where + ": AILK version " + std::to_string(version) + " (this build reads version " +
                                std::to_string(kAilkVersion) + "; upgrade ailake)");
  }
  uint64_t centroid_len = LoadLE<uint64_t>(h + 32), index_len = LoadLE<uint64_t>(h + 48);
  if (centroid_len > 4ull * kAilkMaxDim + 4 || index_len > kAilkMaxIndexBytes) {
    return Status::Corruption(where + ": AILK blob lengths are implausible");
  }
  return kAilkHeaderSize + centroid_len + index_len + kAilkTrailerSize;
}

Result<AilkSection> DecodeAilkSection(const uint8_t* data, size_t length, uint64_t absolute_offset,
                                      uint64_t file_size, const std::string& where) {
  AILAKE_ASSIGN_OR_RETURN(uint64_t total, AilkSectionLengthFromHeader(data, length, where));
  if (total != length) {
    return Status::Corruption(where + ": AILK section is " + std::to_string(length) + " bytes but its header says " +
                              std::to_string(total));
  }
  if (!RangeWithin(absolute_offset, total, file_size)) {
    return Status::Corruption(where + ": AILK section at offset " + std::to_string(absolute_offset) + " (" +
                              std::to_string(total) + " bytes) lies outside the file (" + std::to_string(file_size) +
                              " bytes)");
  }
  const uint8_t* h = data;
  AilkSection s;
  const uint16_t flags = LoadLE<uint16_t>(h + 6);
  if (flags & ~(kFlagCentroid | kFlagIndex)) return Status::Corruption(where + ": AILK header has unknown flags");
  s.dim = LoadLE<uint32_t>(h + 8);
  if (s.dim == 0 || s.dim > kAilkMaxDim) return Status::Corruption(where + ": AILK dim " + std::to_string(s.dim) + " is invalid");
  auto precision = PrecisionFromCode(h[12]);
  if (!precision.ok()) return precision.status().WithContext(where + ": AILK header");
  s.precision = *precision;
  auto metric = MetricFromCode(h[13]);
  if (!metric.ok()) return metric.status().WithContext(where + ": AILK header");
  s.metric = *metric;
  if (h[14] != static_cast<uint8_t>(IndexKind::kFlat) && h[14] != static_cast<uint8_t>(IndexKind::kHnsw)) {
    return Status::Corruption(where + ": AILK index kind " + std::to_string(h[14]) + " is unknown");
  }
  s.index_kind = static_cast<IndexKind>(h[14]);
  if (h[15] != 0) return Status::Corruption(where + ": AILK reserved byte is not zero");
  s.record_count = LoadLE<uint64_t>(h + 16);
  const uint64_t c_off = LoadLE<uint64_t>(h + 24), c_len = LoadLE<uint64_t>(h + 32);
  const uint64_t i_off = LoadLE<uint64_t>(h + 40), i_len = LoadLE<uint64_t>(h + 48);
  s.has_centroid = flags & kFlagCentroid;
  if (c_off != kAilkHeaderSize || c_len != (s.has_centroid ? CentroidBytes(s.dim) : 0) || i_off != c_off + c_len ||
      ((flags & kFlagIndex) != 0) != (i_len != 0)) {
    return Status::Corruption(where + ": AILK blob offsets/lengths are inconsistent with the header");
  }
  const uint8_t* body = h + kAilkHeaderSize;
  if (LoadLE<uint32_t>(h + 56) != Crc32(body, c_len + i_len)) {
    return Status::Corruption(where + ": AILK centroid/index checksum mismatch (the section is damaged)");
  }
  const uint8_t* t = data + total - kAilkTrailerSize;
  if (std::memcmp(t + 20, kMagic, 4) != 0 || LoadLE<uint32_t>(t + 16) != kAilkVersion ||
      LoadLE<uint64_t>(t) != absolute_offset || LoadLE<uint64_t>(t + 8) != total) {
    return Status::Corruption(where + ": AILK trailer does not match its header (offset/length/version/magic)");
  }
  if (s.has_centroid) {
    s.centroid.resize(s.dim);
    std::memcpy(s.centroid.data(), body, 4ull * s.dim);
    s.radius = LoadLE<float>(body + 4ull * s.dim);
    if (!std::isfinite(s.radius) || s.radius < 0) return Status::Corruption(where + ": AILK radius is not a finite, non-negative number");
    for (float v : s.centroid)
      if (!std::isfinite(v)) return Status::Corruption(where + ": AILK centroid has a non-finite value");
  }
  s.index_blob.assign(body + c_len, body + c_len + i_len);
  return s;
}

}  // namespace ailake::file
