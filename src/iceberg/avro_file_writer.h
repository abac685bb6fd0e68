// AvroFileWriter: writes an Avro object container file (layout in avro_file_format.h), LevelDB
// TableBuilder style: Open writes the header, Append adds records to the current block, a block is
// flushed when it reaches options.block_bytes, Close flushes the last block and closes the file.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/io.h"
#include "iceberg/avro_codec.h"
#include "iceberg/avro_value.h"

namespace ailake {

struct AvroWriterOptions {
  AvroCodec codec = AvroCodec::kDeflate;
  int deflate_level = -1;           // zlib default
  size_t block_bytes = 1 << 20;     // uncompressed bytes per block before it is flushed
  // Extra header metadata, in order (e.g. Iceberg's "schema", "partition-spec", "format-version").
  std::vector<std::pair<std::string, std::string>> metadata;
  // Fixed sync marker for reproducible output (golden tests); random (CSPRNG) when unset.
  std::optional<std::array<uint8_t, 16>> sync_marker;
};

class AvroFileWriter {
 public:
  // Validates the schema (round trip through its JSON) and the metadata keys, then writes the header.
  static Result<std::unique_ptr<AvroFileWriter>> Open(std::unique_ptr<WritableFile> out, AvroSchemaPtr schema,
                                                      AvroWriterOptions options = {});

  // kInvalidArgument naming the path inside the value when it does not fit the schema; the file is
  // unchanged by a rejected value.
  Status Append(const AvroValue& record);
  // Ends the current block (no-op when empty).
  Status Flush();
  // Flushes and closes the output. The file is complete only after Close returns OK.
  Status Close();

  const AvroSchema& schema() const { return *schema_; }
  uint64_t records_written() const { return records_; }
  // Bytes written so far (after Close: the file length, e.g. Iceberg's manifest_length).
  uint64_t bytes_written() const { return out_->Tell(); }
  // The output (e.g. a BufferWritableFile whose buffer the caller stores after Close).
  WritableFile* file() const { return out_.get(); }

 private:
  AvroFileWriter(std::unique_ptr<WritableFile> out, AvroSchemaPtr schema, AvroWriterOptions options)
      : out_(std::move(out)), schema_(std::move(schema)), options_(std::move(options)) {}
  Status WriteHeader();

  std::unique_ptr<WritableFile> out_;
  AvroSchemaPtr schema_;
  AvroWriterOptions options_;
  std::array<uint8_t, 16> sync_{};
  std::vector<uint8_t> block_;
  std::vector<uint8_t> scratch_;
  uint64_t block_records_ = 0;
  uint64_t records_ = 0;
  bool closed_ = false;
};

}  // namespace ailake
