// Reads one column chunk (all its pages) into a Batch Column.
//
// Column chunk layout: [dictionary page] data page*, each page = Thrift PageHeader + body, body
// compressed with the chunk's codec. Data page v1 body (after decompression):
//   [repetition levels: u32 LE length + RLE hybrid] [definition levels: same] values
// Data page v2: repetition levels, definition levels (RLE hybrid, lengths in the header, never
// compressed), then the values, compressed only when is_compressed (default true).
// A level is only present when the column's max level is > 0.
//
// Pages are decoded into dense physical values plus levels for the whole chunk, then assembled
// (nulls, list offsets) and converted to the field's Batch type. The chunk is read with one
// positional read of exactly its byte range; uncompressed v1 pages are decoded in place.
#pragma once

#include <cstdint>

#include "ailake/status.h"
#include "core/io.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/batch.h"
#include "parquet/plain_decoder.h"
#include "parquet/reader.h"
#include "parquet/reader_schema.h"

namespace ailake::parquet {

struct ColumnChunkContext {
  const RandomAccessFile* file = nullptr;
  uint64_t data_end = 0;  // column chunks must end before this offset (start of the footer)
  const ReaderOptions* options = nullptr;
  const LeafColumn* leaf = nullptr;
  const FieldMapping* mapping = nullptr;
  const Field* field = nullptr;
  int64_t num_rows = 0;  // rows of the row group
};

// Errors name the column; the caller adds the file and row group.
Status ReadColumnChunk(const ColumnChunkContext& ctx, const format::ColumnChunk& chunk, Column* out);

// One leaf's column chunk, decoded but not assembled: a level per value slot (defs empty when the
// leaf's max definition level is 0, reps empty when its max repetition level is 0) and the present
// values, densely, converted to leaf->value's type. The input to nested record assembly.
struct LeafChunk {
  std::vector<int16_t> defs, reps;
  ValueBuffer values;
  int64_t levels = 0;
};
// ctx.mapping is not used.
Status DecodeLeafChunk(const ColumnChunkContext& ctx, const format::ColumnChunk& chunk, LeafChunk* out);

}  // namespace ailake::parquet
