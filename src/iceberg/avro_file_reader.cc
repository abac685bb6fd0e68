#include "iceberg/avro_file_reader.h"

#include <algorithm>
#include <cstring>

#include "core/checked.h"
#include "iceberg/avro_file_format.h"

namespace ailake {

Status AvroFileReader::Corrupt(const std::string& what) const {
  return Status::Corruption(file_->name() + ": not a valid Avro file: " + what);
}

Result<std::unique_ptr<AvroFileReader>> AvroFileReader::Open(std::shared_ptr<RandomAccessFile> file,
                                                             AvroReaderOptions options) {
  if (!file) return Status::InvalidArgument("AvroFileReader: null file");
  std::unique_ptr<AvroFileReader> r(new AvroFileReader(std::move(file), options));
  AILAKE_RETURN_IF_ERROR(r->ReadHeader());
  return r;
}

std::optional<std::string> AvroFileReader::Metadata(const std::string& key) const {
  for (const auto& [k, v] : metadata_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Status AvroFileReader::ReadHeader() {
  AILAKE_ASSIGN_OR_RETURN(file_size_, file_->Size());
  if (file_size_ < 4) return Corrupt("file is " + std::to_string(file_size_) + " bytes, shorter than the magic");
  // The header's length is only known once parsed: read a prefix, and read more when it was short.
  uint64_t want = std::min<uint64_t>(file_size_, 64 << 10);
  while (true) {
    uint64_t len = std::min(want, std::min(file_size_, options_.max_header_bytes));
    AILAKE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, file_->ReadRange(0, len));
    bool complete = len == file_size_ || len == options_.max_header_bytes;
    bool need_more = false;
    Status st = ParseHeader(bytes, complete, &need_more);
    if (!need_more) return st;
    want = len * 4;
  }
}

Status AvroFileReader::ParseHeader(const std::vector<uint8_t>& bytes, bool complete, bool* need_more) {
  if (std::memcmp(bytes.data(), kAvroMagic, 4) != 0) {
    return Corrupt("wrong magic (expected 'Obj' 0x01); is this an Avro object container file?");
  }
  AvroDecodeLimits limits = options_.decode;
  limits.max_bytes_length = std::min(limits.max_bytes_length, options_.max_header_bytes);
  AvroDecoder d(bytes.data() + 4, bytes.size() - 4, limits);
  std::vector<std::pair<std::string, std::string>> meta;
  // Any decode failure on a prefix may just mean "read more"; on the complete header it is corrupt.
  auto fail = [&](const Status& st) {
    if (!complete) {
      *need_more = true;
      return Status::OK();
    }
    if (bytes.size() == options_.max_header_bytes && bytes.size() < file_size_) {
      return Status::ResourceExhausted(file_->name() + ": Avro header exceeds the limit of " +
                                       std::to_string(options_.max_header_bytes) + " bytes");
    }
    return Corrupt("header metadata: " + st.message());
  };
  uint64_t total = 0;
  while (true) {
    Result<int64_t> count = d.ReadLong();
    if (!count.ok()) return fail(count.status());
    if (*count == 0) break;
    int64_t n = *count;
    if (n < 0) {
      if (n == INT64_MIN) return Corrupt("header metadata block count overflows");
      n = -n;
      Result<int64_t> block_size = d.ReadLong();
      if (!block_size.ok()) return fail(block_size.status());
    }
    // Each entry takes at least two bytes (two lengths); more than the file could hold is corrupt.
    total += static_cast<uint64_t>(n);
    if (static_cast<uint64_t>(n) > file_size_ || total > file_size_) {
      return Corrupt("header metadata claims " + std::to_string(n) + " entries");
    }
    for (int64_t i = 0; i < n; ++i) {
      Result<std::string> key = d.ReadString();
      if (!key.ok()) return fail(key.status());
      Result<std::vector<uint8_t>> value = d.ReadBytes();
      if (!value.ok()) return fail(value.status());
      meta.emplace_back(std::move(*key), std::string(value->begin(), value->end()));
    }
  }
  if (d.remaining() < kAvroSyncSize) return fail(Status::Corruption("header ends before the sync marker"));
  AILAKE_RETURN_IF_ERROR(d.ReadFixed(kAvroSyncSize, sync_.data()));
  metadata_ = std::move(meta);
  next_block_offset_ = 4 + d.position();

  std::optional<std::string> schema_json = Metadata("avro.schema");
  if (!schema_json) return Corrupt("header has no avro.schema");
  Result<AvroSchemaPtr> schema = AvroSchema::Parse(*schema_json);
  if (!schema.ok()) return Corrupt("header avro.schema: " + schema.status().message());
  schema_ = std::move(schema).value();
  min_record_size_ = AvroMinEncodedSize(*schema_);
  std::optional<std::string> codec = Metadata("avro.codec");
  Result<AvroCodec> parsed = ParseAvroCodec(codec.value_or("null"));
  if (!parsed.ok()) return parsed.status().WithContext(file_->name());
  codec_ = *parsed;
  return Status::OK();
}

Status AvroFileReader::ReadBlock() {
  const uint64_t offset = next_block_offset_;
  const std::string where = "block " + std::to_string(block_index_) + " at offset " + std::to_string(offset);
  // Two varints (at most 10 bytes each) lead every block.
  uint64_t head_len = std::min<uint64_t>(20, file_size_ - offset);
  AILAKE_ASSIGN_OR_RETURN(std::vector<uint8_t> head, file_->ReadRange(offset, head_len));
  AvroDecoder hd(head.data(), head.size(), options_.decode);
  Result<int64_t> count = hd.ReadLong();
  if (!count.ok()) return Corrupt(where + ": object count: " + count.status().message() + " (file truncated?)");
  Result<int64_t> size = hd.ReadLong();
  if (!size.ok()) return Corrupt(where + ": byte size: " + size.status().message() + " (file truncated?)");
  if (*count < 0 || *size < 0) {
    return Corrupt(where + ": negative object count " + std::to_string(*count) + " or size " + std::to_string(*size));
  }
  const uint64_t n = static_cast<uint64_t>(*count), bytes = static_cast<uint64_t>(*size);
  if (bytes > options_.max_block_bytes) {
    return Status::ResourceExhausted(file_->name() + ": Avro " + where + " is " + std::to_string(bytes) +
                                     " bytes, above the limit of " + std::to_string(options_.max_block_bytes));
  }
  const uint64_t data_offset = offset + hd.position();
  auto end = CheckedAdd(data_offset, bytes);
  if (!end || !RangeWithin(data_offset, bytes + kAvroSyncSize, file_size_)) {
    return Corrupt(where + ": block of " + std::to_string(bytes) + " bytes runs past the end of the " +
                   std::to_string(file_size_) + "-byte file (truncated?)");
  }
  AILAKE_ASSIGN_OR_RETURN(std::vector<uint8_t> raw, file_->ReadRange(data_offset, bytes + kAvroSyncSize));
  if (std::memcmp(raw.data() + bytes, sync_.data(), kAvroSyncSize) != 0) {
    return Corrupt(where + ": sync marker after the block does not match the header's (torn or spliced file)");
  }
  std::vector<uint8_t> decoded;
  Status st = AvroDecompress(codec_, raw.data(), bytes, options_.max_block_decoded_bytes, &decoded);
  if (!st.ok()) {
    if (st.Is(StatusCode::kCorruption)) return Corrupt(where + ": " + st.message());
    return st.WithContext(file_->name() + ": Avro " + where);
  }
  // Every record takes at least min_record_size_ bytes; zero-size records are capped by count.
  if ((min_record_size_ > 0 && CheckedMul(n, min_record_size_).value_or(UINT64_MAX) > decoded.size()) ||
      (min_record_size_ == 0 && n > options_.decode.max_collection_items)) {
    return Corrupt(where + ": object count " + std::to_string(n) + " cannot fit in " +
                   std::to_string(decoded.size()) + " bytes");
  }
  AvroDecoder d(decoded.data(), decoded.size(), options_.decode);
  for (uint64_t i = 0; i < n; ++i) {
    AvroValue v;
    Status rs = d.Decode(*schema_, &v);
    if (!rs.ok()) return Corrupt(where + ", record " + std::to_string(i) + ": " + rs.message());
    pending_.push_back(std::move(v));
  }
  if (!d.at_end()) {
    return Corrupt(where + ": " + std::to_string(d.remaining()) + " bytes left over after its " + std::to_string(n) +
                   " objects");
  }
  next_block_offset_ = *end + kAvroSyncSize;
  ++block_index_;
  return Status::OK();
}

Result<bool> AvroFileReader::Next(AvroValue* out) {
  while (pending_.empty()) {
    if (next_block_offset_ >= file_size_) return false;
    AILAKE_RETURN_IF_ERROR(ReadBlock());
  }
  *out = std::move(pending_.front());
  pending_.pop_front();
  return true;
}

Result<std::vector<AvroValue>> AvroFileReader::ReadAll(uint64_t max_records) {
  std::vector<AvroValue> out;
  AvroValue v;
  while (true) {
    AILAKE_ASSIGN_OR_RETURN(bool more, Next(&v));
    if (!more) break;
    if (out.size() >= max_records) {
      return Status::ResourceExhausted(file_->name() + ": more than " + std::to_string(max_records) + " records");
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<AvroValue>> ReadAvroFile(std::shared_ptr<RandomAccessFile> file, AvroReaderOptions options) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<AvroFileReader> reader, AvroFileReader::Open(std::move(file), options));
  return reader->ReadAll();
}

}  // namespace ailake
