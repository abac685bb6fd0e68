#include "store/s3_readable_file.h"

#include <cstring>

#include "store/s3_object_ops.h"

namespace ailake {

S3ReadableFile::S3ReadableFile(std::shared_ptr<const S3Client> client, std::string full_key, uint64_t size)
    : client_(std::move(client)), full_key_(std::move(full_key)), size_(size) {
  name_ = client_->UriOf(full_key_);
}

Result<std::shared_ptr<S3ReadableFile>> S3ReadableFile::Open(std::shared_ptr<const S3Client> client,
                                                             std::string full_key) {
  AILAKE_ASSIGN_OR_RETURN(uint64_t size, s3ops::HeadSize(*client, full_key));
  return std::shared_ptr<S3ReadableFile>(new S3ReadableFile(std::move(client), std::move(full_key), size));
}

Status S3ReadableFile::ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const {
  if (offset > size_ || length > size_ - offset) {
    return Status::OutOfRange("read of " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
                              " passes the end of " + name_ + " (" + std::to_string(size_) + " bytes)");
  }
  if (length == 0) return Status::OK();
  const uint64_t block_size = client_->config().options.read_ahead_bytes;
  if (length >= block_size) return s3ops::RangeGet(*client_, full_key_, offset, length, out);

  std::shared_ptr<const Block> block;
  {
    std::lock_guard<std::mutex> lock(mu_);
    block = block_;
  }
  auto covers = [&](const Block& b) { return offset >= b.offset && offset + length <= b.offset + b.bytes.size(); };
  if (!block || !covers(*block)) {
    auto fresh = std::make_shared<Block>();
    const uint64_t tail_start = size_ > block_size ? size_ - block_size : 0;
    fresh->offset = offset >= tail_start ? tail_start : offset;
    const uint64_t n = std::min(block_size, size_ - fresh->offset);
    fresh->bytes.resize(n);
    AILAKE_RETURN_IF_ERROR(s3ops::RangeGet(*client_, full_key_, fresh->offset, n, fresh->bytes.data()));
    block = fresh;
    std::lock_guard<std::mutex> lock(mu_);
    block_ = block;
  }
  std::memcpy(out, block->bytes.data() + (offset - block->offset), length);
  return Status::OK();
}

}  // namespace ailake
