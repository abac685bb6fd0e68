// S3WritableFile: streaming upload of one S3 object, published only by Close().
//
// Bytes are buffered. While the total stays within multipart_threshold, Close() sends one PUT.
// Once it grows past the threshold a multipart upload starts and every full part_size block is
// uploaded as it fills (memory stays near part_size); Close() uploads the rest and completes the
// upload. kIfAbsent sends "If-None-Match: *" on that PUT / CompleteMultipartUpload, so publishing
// is create-if-absent across clients (412 -> kAlreadyExists, and the upload is aborted).
//
// Invariant: until Close() succeeds nothing is visible under the key. A failed step aborts the
// multipart upload (AbortMultipartUpload) and leaves the writer failed; so does the destructor of a
// writer never closed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/io.h"
#include "store/s3_client.h"
#include "store/store.h"

namespace ailake {

class S3WritableFile final : public WritableFile {
 public:
  S3WritableFile(std::shared_ptr<const S3Client> client, std::string full_key, PublishMode mode);
  ~S3WritableFile() override;

  const std::string& name() const override { return name_; }
  Status Append(const uint8_t* data, size_t length) override;
  using WritableFile::Append;
  uint64_t Tell() const override { return total_; }
  Status Close() override;

 private:
  Status StartUpload();
  Status UploadPart(const uint8_t* data, size_t length);
  Status Complete();
  void Abort();
  // Marks the writer failed (aborting any upload) and returns `st`.
  Status Fail(Status st);

  std::shared_ptr<const S3Client> client_;
  std::string full_key_;
  std::string name_;
  PublishMode mode_;
  std::vector<uint8_t> buffer_;
  uint64_t total_ = 0;
  std::string upload_id_;
  std::vector<std::string> etags_;    // as the server returned them, per part
  std::vector<std::string> md5s_;     // our own MD5 of each part (to recognise our object later)
  bool closed_ = false;
  bool failed_ = false;
};

}  // namespace ailake
