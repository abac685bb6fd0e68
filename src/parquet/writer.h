// ParquetWriter: writes a Batch stream as an Apache Parquet file through a WritableFile.
//
// File layout produced:
//   "PAR1" | row group 0 column chunks | ... | row group N-1 | [caller bytes] | footer | len | "PAR1"
// where each column chunk is [dictionary page] data page+, and "caller bytes" are whatever
// WriteBeforeFooter() placed after the last row group (ailake's AILK sections). Parquet readers
// locate everything through the footer's offsets, so bytes there are legal and invisible to them.
//
// Usage: Open -> WriteBatch* -> [WriteBeforeFooter*] -> [AddKeyValue*] -> Close. Abandon (or just
// destroying an unclosed writer) leaves the output incomplete; callers delete it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "core/io.h"
#include "parquet/batch.h"

namespace ailake::parquet {

enum class Compression : uint8_t { kNone, kSnappy, kGzip, kLz4Raw, kZstd };
std::string_view CompressionName(Compression c);             // "none", "snappy", "gzip", "lz4_raw", "zstd"
Result<Compression> ParseCompression(std::string_view s);

struct WriterOptions {
  Compression compression = Compression::kZstd;
  int compression_level = 3;          // zstd / gzip level
  int64_t row_group_rows = 1 << 20;   // a row group is cut at whichever limit comes first
  int64_t row_group_bytes = 128ll << 20;
  int64_t page_bytes = 1 << 20;       // target uncompressed data page size
  bool dictionary = true;             // dictionary-encode string/binary columns when it pays
  bool statistics = true;             // min/max/null_count per column chunk
  bool data_page_v2 = false;          // write DATA_PAGE_V2 instead of v1
  // Columns (by name) that are never compressed or dictionary-encoded (vector columns: PLAIN,
  // uncompressed, so readers can map them straight into memory).
  std::vector<std::string> plain_uncompressed_columns;
  std::string created_by = "ailake";
};

class ParquetWriter {
 public:
  static Result<std::unique_ptr<ParquetWriter>> Open(WritableFile* out, Schema schema, WriterOptions options = {});
  virtual ~ParquetWriter() = default;

  // Buffers rows; flushes row groups as limits are reached. Validates the batch against the schema.
  virtual Status WriteBatch(const Batch& batch) = 0;
  // Ends the current row group (no-op when empty).
  virtual Status FlushRowGroup() = 0;
  // Flushes pending rows, then appends raw bytes after the last row group. Returns the absolute file
  // offset the bytes start at. No more rows may be written afterwards.
  virtual Result<uint64_t> WriteBeforeFooter(const uint8_t* data, size_t length) = 0;
  // File-level key/value metadata (added to the footer at Close; later values replace earlier keys).
  virtual void AddKeyValue(std::string key, std::string value) = 0;
  // Flushes, writes the footer and closes the output.
  virtual Status Close() = 0;

  virtual uint64_t position() const = 0;   // bytes written so far
  virtual int64_t rows_written() const = 0;
};

}  // namespace ailake::parquet
