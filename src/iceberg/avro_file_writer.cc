#include "iceberg/avro_file_writer.h"

#include <cstring>

#include "core/uuid.h"
#include "iceberg/avro_binary.h"
#include "iceberg/avro_file_format.h"

namespace ailake {

Result<std::unique_ptr<AvroFileWriter>> AvroFileWriter::Open(std::unique_ptr<WritableFile> out, AvroSchemaPtr schema,
                                                             AvroWriterOptions options) {
  if (!out || !schema) return Status::InvalidArgument("AvroFileWriter: null output or schema");
  // Round-trip the schema through JSON: catches builder mistakes (bad names, duplicate fields,
  // unions in unions) before other readers trip over them.
  const std::string json = schema->ToJsonString();
  Result<AvroSchemaPtr> reparsed = AvroSchema::Parse(json);
  if (!reparsed.ok()) return reparsed.status().WithContext(out->name() + ": invalid writer schema");
  for (const auto& [key, value] : options.metadata) {
    if (key.rfind("avro.", 0) == 0) {
      return Status::InvalidArgument(out->name() + ": metadata key '" + key +
                                     "' is reserved (keys starting with 'avro.' belong to the Avro spec)");
    }
    if (key.empty()) return Status::InvalidArgument(out->name() + ": empty metadata key");
  }
  if (options.block_bytes == 0) options.block_bytes = 1;
  std::unique_ptr<AvroFileWriter> w(new AvroFileWriter(std::move(out), std::move(schema), std::move(options)));
  AILAKE_RETURN_IF_ERROR(w->WriteHeader());
  return w;
}

Status AvroFileWriter::WriteHeader() {
  if (options_.sync_marker) {
    sync_ = *options_.sync_marker;
  } else {
    sync_ = Uuid::Random().bytes;  // 16 bytes from the OS CSPRNG
  }
  std::vector<uint8_t> h(kAvroMagic, kAvroMagic + 4);
  std::vector<std::pair<std::string, std::string>> meta;
  meta.emplace_back("avro.schema", schema_->ToJsonString());
  meta.emplace_back("avro.codec", AvroCodecName(options_.codec));
  for (const auto& kv : options_.metadata) meta.push_back(kv);
  AvroAppendLong(static_cast<int64_t>(meta.size()), &h);
  for (const auto& [key, value] : meta) {
    AvroAppendLong(static_cast<int64_t>(key.size()), &h);
    h.insert(h.end(), key.begin(), key.end());
    AvroAppendLong(static_cast<int64_t>(value.size()), &h);
    h.insert(h.end(), value.begin(), value.end());
  }
  AvroAppendLong(0, &h);
  h.insert(h.end(), sync_.begin(), sync_.end());
  return out_->Append(h);
}

Status AvroFileWriter::Append(const AvroValue& record) {
  if (closed_) return Status::Internal(out_->name() + ": Append after Close");
  size_t before = block_.size();
  Status st = AvroEncode(*schema_, record, &block_);
  if (!st.ok()) {
    block_.resize(before);  // drop the partial encoding
    return st.WithContext(out_->name() + ": record " + std::to_string(records_));
  }
  ++block_records_;
  ++records_;
  if (block_.size() >= options_.block_bytes) return Flush();
  return Status::OK();
}

Status AvroFileWriter::Flush() {
  if (block_records_ == 0) return Status::OK();
  AILAKE_RETURN_IF_ERROR(AvroCompress(options_.codec, options_.deflate_level, block_, &scratch_));
  std::vector<uint8_t> head;
  AvroAppendLong(static_cast<int64_t>(block_records_), &head);
  AvroAppendLong(static_cast<int64_t>(scratch_.size()), &head);
  AILAKE_RETURN_IF_ERROR(out_->Append(head));
  AILAKE_RETURN_IF_ERROR(out_->Append(scratch_));
  AILAKE_RETURN_IF_ERROR(out_->Append(sync_.data(), sync_.size()));
  block_.clear();
  block_records_ = 0;
  return Status::OK();
}

Status AvroFileWriter::Close() {
  if (closed_) return Status::OK();
  AILAKE_RETURN_IF_ERROR(Flush());
  closed_ = true;
  return out_->Close();
}

}  // namespace ailake
