// S3Store: a Store over `s3://bucket/prefix` on any S3-compatible service (AWS S3, MinIO, Ceph RGW,
// moto, ...). Configuration (credentials, region, endpoint, addressing): store/s3_config.h.
// Requests, signing and retries: store/s3_client.h.
//
// Key mapping: store key "a/b" is object "<prefix>/a/b" (or "a/b" at the bucket root). Keys are
// validated by ValidateKey before any request, so no key reaches outside the prefix.
//
// Atomicity, as the Store contract requires, from S3's own guarantees:
//   Put             one PUT (S3 publishes a whole object or nothing), a multipart upload above
//                   multipart_threshold.
//   PutIfAbsent     PUT with "If-None-Match: *": the service decides, atomically, across clients;
//                   412 -> kAlreadyExists. (S3 since 2024, MinIO, moto; a service that ignores the
//                   header would silently overwrite, see docs/STORAGE.md.) When a retried attempt
//                   gets 412 after an earlier attempt may have landed, the object is read back: if
//                   it holds exactly our bytes, the earlier attempt won and the call succeeds.
//   OpenWritable    bytes are buffered; Close() publishes with one PUT, or, beyond the threshold,
//                   parts are uploaded as they fill and CompleteMultipartUpload publishes (with
//                   If-None-Match for kIfAbsent). A writer destroyed before Close, or whose upload
//                   fails, aborts its multipart upload, so nothing becomes visible. A crashed
//                   process leaves an unfinished upload, invisible to readers; DeleteUnpublished
//                   aborts those under a folder.
// Readers: OpenReadable HEADs the object once (its size is cached) and serves reads with range
// GETs; a read smaller than read_ahead_bytes fetches a whole block (the file's tail block when the
// read lies in it, where Parquet footers are) and later reads inside that block cost no request.
#pragma once

#include <memory>
#include <string>

#include "store/s3_client.h"
#include "store/s3_config.h"
#include "store/store.h"

namespace ailake {

class S3Store final : public Store {
 public:
  static Result<std::shared_ptr<S3Store>> Open(const std::string& uri, const S3Options& options = {});
  static std::shared_ptr<S3Store> Open(S3Config config);

  // "s3://bucket/prefix": no endpoint, no secret.
  std::string Describe() const override;
  const S3Config& config() const { return client_->config(); }

  Result<std::vector<uint8_t>> Get(const std::string& key, uint64_t max_bytes = kDefaultMaxGetBytes) const override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset, uint64_t length) const override;
  Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& key) const override;
  Status Put(const std::string& key, const uint8_t* data, size_t length) override;
  Status PutIfAbsent(const std::string& key, const uint8_t* data, size_t length) override;
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& key,
                                                     PublishMode mode = PublishMode::kOverwrite) override;
  Result<std::vector<ObjectInfo>> List(const std::string& prefix) const override;
  Status Delete(const std::string& key) override;
  // Aborts unfinished multipart uploads of objects directly in `folder`.
  Result<size_t> DeleteUnpublished(const std::string& folder) override;
  Result<uint64_t> Size(const std::string& key) const override;
  Result<bool> Exists(const std::string& key) const override;

  using Store::Put;
  using Store::PutIfAbsent;

  // Object key in the bucket of a store key.
  std::string FullKey(const std::string& key) const;

 private:
  explicit S3Store(std::shared_ptr<S3Client> client) : client_(std::move(client)) {}
  Status PutObject(const std::string& key, const uint8_t* data, size_t length, bool if_absent);

  std::shared_ptr<S3Client> client_;
};

}  // namespace ailake
