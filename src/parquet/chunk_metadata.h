// The footer's ColumnMetaData of one written column chunk: its encodings, codec, sizes, page
// offsets, page encoding stats and (optionally) statistics.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "gen-cpp/parquet_types.h"
#include "parquet/batch.h"
#include "parquet/statistics.h"
#include "parquet/writer.h"

namespace ailake::parquet {

// What the writer learned while writing a chunk's pages.
struct WrittenChunk {
  bool dictionary = false;  // a dictionary page came first
  format::Encoding::type value_encoding = format::Encoding::PLAIN;
  Compression codec = Compression::kNone;
  int64_t dictionary_offset = -1;
  int64_t data_offset = 0;
  int64_t compressed_bytes = 0;    // headers + bodies as stored
  int64_t uncompressed_bytes = 0;  // headers + bodies before compression
  std::vector<format::PageEncodingStats> page_stats;
};

format::ColumnMetaData ChunkMetaData(const Field& field, const WrittenChunk& chunk, int64_t num_values,
                                     const std::optional<ChunkStatistics>& stats);

// Statistics in both the current (min_value/max_value) and, where the sort order allows, the
// legacy (min/max) fields.
format::Statistics StatisticsToThrift(const ChunkStatistics& st, DataType type);

}  // namespace ailake::parquet
