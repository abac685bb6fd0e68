// Column-chunk statistics: null count and min/max in the column's type-defined sort order.
//
// Stored in ColumnMetaData.statistics (parquet-format, "Statistics" + ColumnOrder TYPE_ORDER):
//   min_value / max_value  PLAIN encoding of the value without any length prefix (BYTE_ARRAY: the raw
//                          bytes; INT32: 4 bytes LE; BOOLEAN: 1 byte 0/1)
//   is_*_value_exact       false when a long BYTE_ARRAY/FLBA bound was truncated (see below)
//   null_count             null rows in the chunk
// Orders: signed for INT32/INT64 (DATE, TIMESTAMP too), IEEE-754 for FLOAT/DOUBLE with NaN skipped
// (-0.0 is written as the min and +0.0 as the max when the bound is zero, as the spec asks), unsigned
// lexicographic bytes for strings, binary and fixed-size binary, false < true for BOOLEAN.
// Byte-array bounds longer than kMaxStatBytes are truncated so footers stay small: the min to a prefix
// (still <= every value), the max to a prefix whose last byte is incremented (still >= every value;
// for strings only an ASCII byte below 0x7F is incremented so the bound stays valid UTF-8). When no such
// max exists it is omitted.
#pragma once

#include <cstdint>
#include <string>

#include "parquet/batch.h"

namespace ailake::parquet {

inline constexpr size_t kMaxStatBytes = 128;

struct ChunkStatistics {
  int64_t null_count = 0;
  bool has_min = false, has_max = false;
  std::string min, max;  // PLAIN bytes as stored in min_value / max_value
  bool min_exact = true, max_exact = true;
};

// Statistics of rows [begin, end). `nulls` is the null count of the range; min/max are computed only
// when with_min_max (vector columns skip them: bounds on embeddings are meaningless and costly).
ChunkStatistics ComputeStatistics(const Column& column, int64_t begin, int64_t end, int64_t nulls, bool with_min_max);

// True when the legacy `min`/`max` fields (signed byte order in old readers) mean the same as
// min_value/max_value, so they can be written too for old readers: numeric and boolean types.
bool LegacyStatsCompatible(DataType type);

}  // namespace ailake::parquet
