// AvroFileReader: reads an Avro object container file (layout in avro_file_format.h) through
// positional reads, one block at a time.
//
// The file is untrusted: the header, every block's count and size, the codec output and each
// record are checked against the file size and the caps in AvroReaderOptions; any violation is a
// kCorruption (or kResourceExhausted for a cap) status naming the file, the block and its offset.
// No reader schema resolution: records come back in the writer schema; look fields up by name or
// by Iceberg field id (AvroValue::Field / FieldById, AvroSchema::FieldIndexById).
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/io.h"
#include "iceberg/avro_binary.h"
#include "iceberg/avro_codec.h"
#include "iceberg/avro_value.h"

namespace ailake {

struct AvroReaderOptions {
  uint64_t max_header_bytes = 16ull << 20;        // magic + metadata + sync
  uint64_t max_block_bytes = 64ull << 20;         // a block as stored (compressed)
  uint64_t max_block_decoded_bytes = 256ull << 20;  // a block after decompression
  AvroDecodeLimits decode;
};

class AvroFileReader {
 public:
  static Result<std::unique_ptr<AvroFileReader>> Open(std::shared_ptr<RandomAccessFile> file,
                                                      AvroReaderOptions options = {});

  const AvroSchemaPtr& schema() const { return schema_; }
  AvroCodec codec() const { return codec_; }
  // Header metadata in file order (avro.schema and avro.codec included).
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }
  std::optional<std::string> Metadata(const std::string& key) const;
  const std::array<uint8_t, 16>& sync_marker() const { return sync_; }

  // Next record into *out; false at the end of the file.
  Result<bool> Next(AvroValue* out);
  // Every remaining record; kResourceExhausted beyond max_records.
  Result<std::vector<AvroValue>> ReadAll(uint64_t max_records = 100'000'000);

 private:
  AvroFileReader(std::shared_ptr<RandomAccessFile> file, AvroReaderOptions options)
      : file_(std::move(file)), options_(options) {}
  Status ReadHeader();
  Status ParseHeader(const std::vector<uint8_t>& bytes, bool complete, bool* need_more);
  Status ReadBlock();
  Status Corrupt(const std::string& what) const;

  std::shared_ptr<RandomAccessFile> file_;
  AvroReaderOptions options_;
  uint64_t file_size_ = 0;
  AvroSchemaPtr schema_;
  AvroCodec codec_ = AvroCodec::kNull;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::array<uint8_t, 16> sync_{};
  uint64_t min_record_size_ = 0;

  uint64_t next_block_offset_ = 0;  // where the next block starts
  uint64_t block_index_ = 0;        // blocks read so far
  std::deque<AvroValue> pending_;   // decoded records of the current block not yet returned
};

// Convenience: every record of an in-memory or stored file.
Result<std::vector<AvroValue>> ReadAvroFile(std::shared_ptr<RandomAccessFile> file, AvroReaderOptions options = {});

}  // namespace ailake
