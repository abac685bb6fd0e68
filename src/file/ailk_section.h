// The AILK section: one per vector column, placed between the last Parquet row group and the
// Parquet footer. Parquet readers follow the footer's offsets and never look here.
//
// Layout (little-endian; offsets inside the section are relative to its first byte):
//
//   header, 64 bytes
//     0   4  magic "AILK"
//     4   2  format version (1)
//     6   2  flags: bit 0 = centroid blob present, bit 1 = index blob present; others 0
//     8   4  dim
//    12   1  precision code (0 f32, 1 f16, 2 i8)
//    13   1  metric code (0 cosine, 1 euclidean, 2 dot, 3 normalized cosine)
//    14   1  index kind (1 flat, 2 hnsw)
//    15   1  reserved, 0
//    16   8  record count (rows of the file = nodes of the index)
//    24   8  centroid blob offset (64)
//    32   8  centroid blob length (4 * dim + 4)
//    40   8  index blob offset (64 + centroid length)
//    48   8  index blob length
//    56   4  CRC-32 (zlib) of the centroid blob followed by the index blob
//    60   4  CRC-32 (zlib) of header bytes 0..59
//   centroid blob: dim x float32 centroid, then float32 radius (vec/centroid.h defines both)
//   index blob: the index's own documented layout (src/index/), graph only; vectors are the
//               Parquet column
//   trailer, 24 bytes
//     0   8  absolute file offset of the header
//     8   8  section length (header + blobs + trailer)
//    16   4  format version (1)
//    20   4  magic "AILK"
//
// The footer key `ailake.footer_offset` (primary vector column) and `ailake.<column>.footer_offset`
// (every vector column) hold the section's absolute offset in decimal. Decoding validates every
// field (checked arithmetic, both CRCs, trailer agreement) before any byte of the blobs is used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"

namespace ailake::file {

inline constexpr uint16_t kAilkVersion = 1;
inline constexpr size_t kAilkHeaderSize = 64;
inline constexpr size_t kAilkTrailerSize = 24;
// Caps for untrusted headers: no real column is this wide or this large.
inline constexpr uint32_t kAilkMaxDim = 65536;
inline constexpr uint64_t kAilkMaxIndexBytes = 16ull << 30;

struct AilkSection {
  uint32_t dim = 0;
  VectorPrecision precision = VectorPrecision::kF16;
  VectorMetric metric = VectorMetric::kCosine;
  IndexKind index_kind = IndexKind::kFlat;
  uint64_t record_count = 0;
  std::vector<float> centroid;  // dim floats (empty when the blob is absent)
  float radius = 0.0f;
  bool has_centroid = false;
  std::vector<uint8_t> index_blob;  // empty when absent
};

// Serialises a section that will start at absolute file offset `absolute_offset`.
Result<std::vector<uint8_t>> EncodeAilkSection(const AilkSection& section, uint64_t absolute_offset);

// Total encoded size without encoding (for planning reads).
uint64_t AilkSectionSize(uint32_t dim, bool has_centroid, uint64_t index_bytes);

// Parses only the 64-byte header; returns the section's total length (header + blobs + trailer) so a
// reader can fetch the rest in one range read. `where` names the file/column in errors.
Result<uint64_t> AilkSectionLengthFromHeader(const uint8_t* header, size_t length, const std::string& where);

// Decodes and validates a whole section read from `absolute_offset` of a file of `file_size` bytes.
Result<AilkSection> DecodeAilkSection(const uint8_t* data, size_t length, uint64_t absolute_offset,
                                      uint64_t file_size, const std::string& where);

}  // namespace ailake::file
