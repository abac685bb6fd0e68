// Thrift page headers of the pages the writer emits, and the per-chunk page encoding stats.
// Sizes (compressed/uncompressed) are set by the writer once the page body is final.
#pragma once

#include <cstdint>

#include "gen-cpp/parquet_types.h"

namespace ailake::parquet {

// A dictionary page of `entries` PLAIN values (never sorted: entries are in first-seen order).
format::PageHeader DictionaryPageHeader(int32_t entries);

struct DataPageShape {
  bool v2 = false;
  int32_t rows = 0;  // flat columns: one value (null or not) per row
  int32_t nulls = 0;
  format::Encoding::type encoding = format::Encoding::PLAIN;
  int32_t definition_levels_bytes = 0;  // v2 only (v1 levels sit inside the body)
  bool compressed = false;              // v2 only: whether the values section is compressed
};
format::PageHeader DataPageHeader(const DataPageShape& page);

format::PageEncodingStats EncodingStats(format::PageType::type page_type, format::Encoding::type encoding,
                                        int32_t count);

}  // namespace ailake::parquet
