#include "store/store_uri.h"

#include "store/local_store.h"
#include "store/s3_store.h"

namespace ailake {

namespace {

// A shared_ptr-made store handed out as unique_ptr: forwards every call (LocalStore/S3Store are
// created shared because readers and writers keep them alive).
class OwnedStore final : public Store {
 public:
  explicit OwnedStore(std::shared_ptr<Store> s) : s_(std::move(s)) {}
  std::string Describe() const override { return s_->Describe(); }
  Result<std::vector<uint8_t>> Get(const std::string& k, uint64_t m) const override { return s_->Get(k, m); }
  Result<std::vector<uint8_t>> GetRange(const std::string& k, uint64_t o, uint64_t l) const override {
    return s_->GetRange(k, o, l);
  }
  Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& k) const override {
    return s_->OpenReadable(k);
  }
  Status Put(const std::string& k, const uint8_t* d, size_t n) override { return s_->Put(k, d, n); }
  Status PutIfAbsent(const std::string& k, const uint8_t* d, size_t n) override { return s_->PutIfAbsent(k, d, n); }
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& k, PublishMode m) override {
    return s_->OpenWritable(k, m);
  }
  Result<std::vector<ObjectInfo>> List(const std::string& p) const override { return s_->List(p); }
  Status Delete(const std::string& k) override { return s_->Delete(k); }
  Result<size_t> DeleteUnpublished(const std::string& f) override { return s_->DeleteUnpublished(f); }
  Result<uint64_t> Size(const std::string& k) const override { return s_->Size(k); }
  Result<bool> Exists(const std::string& k) const override { return s_->Exists(k); }

 private:
  std::shared_ptr<Store> s_;
};

}  // namespace

bool IsS3Uri(const std::string& uri) { return uri.rfind("s3://", 0) == 0; }

Result<std::unique_ptr<Store>> OpenStore(const std::string& uri) { return OpenStore(uri, S3Options{}); }

Result<std::unique_ptr<Store>> OpenStore(const std::string& uri, const S3Options& s3_options) {
  if (uri.empty()) return Status::InvalidArgument("the warehouse URI is empty: pass a folder or s3://bucket/prefix");
  if (IsS3Uri(uri)) {
    AILAKE_ASSIGN_OR_RETURN(auto s3, S3Store::Open(uri, s3_options));
    return std::unique_ptr<Store>(std::make_unique<OwnedStore>(std::move(s3)));
  }
  std::string path = uri;
  if (uri.rfind("file://", 0) == 0) {
    path = uri.substr(7);
    if (path.empty() || path[0] != '/') {
      return Status::InvalidArgument("'" + uri + "' is not a file URI with an absolute path (file:///path)");
    }
  } else if (auto sep = uri.find("://"); sep != std::string::npos && uri.find('/') > sep) {
    return Status::InvalidArgument("warehouse '" + uri + "' has an unsupported scheme; use a folder, file:///path or "
                                   "s3://bucket/prefix");
  }
  AILAKE_ASSIGN_OR_RETURN(auto local, LocalStore::Open(path, true));
  return std::unique_ptr<Store>(std::make_unique<OwnedStore>(std::move(local)));
}

}  // namespace ailake
