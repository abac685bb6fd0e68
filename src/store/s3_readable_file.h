// S3ReadableFile: RandomAccessFile over one S3 object with range GETs.
//
// The size is read once (HEAD at open) and cached: objects are immutable once published in this
// project (writers never rewrite a key in place), so a reader's view cannot change under it.
// Small reads (< read_ahead_bytes) fetch a whole block and keep the most recent one: the tail block
// when the read lies in the object's last read_ahead_bytes (footer, then metadata just before it),
// otherwise the block starting at the read. Large reads go straight to the caller's buffer.
// Thread-safe: the cached block is swapped under a mutex and shared by pointer.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/io.h"
#include "store/s3_client.h"

namespace ailake {

class S3ReadableFile final : public RandomAccessFile {
 public:
  static Result<std::shared_ptr<S3ReadableFile>> Open(std::shared_ptr<const S3Client> client, std::string full_key);

  const std::string& name() const override { return name_; }
  Result<uint64_t> Size() const override { return size_; }
  Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const override;

 private:
  struct Block {
    uint64_t offset = 0;
    std::vector<uint8_t> bytes;
  };
  S3ReadableFile(std::shared_ptr<const S3Client> client, std::string full_key, uint64_t size);

  std::shared_ptr<const S3Client> client_;
  std::string full_key_;
  std::string name_;
  uint64_t size_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const Block> block_;
};

}  // namespace ailake
