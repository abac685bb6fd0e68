#include "store/s3_store.h"

#include <algorithm>
#include <charconv>

#include "core/civil_time.h"
#include "store/s3_object_ops.h"
#include "store/s3_readable_file.h"
#include "store/s3_writable_file.h"
#include "store/s3_xml.h"

namespace ailake {

namespace {

constexpr uint64_t kMaxListPageBytes = 16ull << 20;  // 1000 keys of 1 KiB each fit many times over

int64_t ParseLastModifiedMs(const std::string& text) {
  auto t = civil::ParseInstant(text);
  if (!t.ok()) return 0;
  auto ms = civil::ToUnits(*t, 1000);
  return ms.ok() ? *ms : 0;
}

}  // namespace

Result<std::shared_ptr<S3Store>> S3Store::Open(const std::string& uri, const S3Options& options) {
  AILAKE_ASSIGN_OR_RETURN(S3Config config, ResolveS3Config(uri, options));
  return Open(std::move(config));
}

std::shared_ptr<S3Store> S3Store::Open(S3Config config) {
  return std::shared_ptr<S3Store>(new S3Store(std::make_shared<S3Client>(std::move(config))));
}

std::string S3Store::Describe() const {
  const auto& c = config();
  return "s3://" + c.bucket + (c.prefix.empty() ? "" : "/" + c.prefix);
}

std::string S3Store::FullKey(const std::string& key) const {
  const auto& p = config().prefix;
  return p.empty() ? key : p + "/" + key;
}

Result<std::vector<uint8_t>> S3Store::Get(const std::string& key, uint64_t max_bytes) const {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  const std::string full = FullKey(key);
  const std::string what = "get " + client_->UriOf(full);
  S3Call call{"GET", full};
  call.max_body = max_bytes;
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client_->Send(call, what));
  if (r.body_too_large) {
    return Status::ResourceExhausted(what + ": the object is larger than the " + std::to_string(max_bytes) +
                                     "-byte limit for whole-object reads");
  }
  if (r.status == 404) return Status::NotFound("object " + client_->UriOf(full) + " does not exist");
  if (!r.ok()) return client_->ErrorOf(r, what);
  return std::move(r.body);
}

Result<std::vector<uint8_t>> S3Store::GetRange(const std::string& key, uint64_t offset, uint64_t length) const {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  const std::string full = FullKey(key);
  if (length == 0) {
    AILAKE_ASSIGN_OR_RETURN(uint64_t size, s3ops::HeadSize(*client_, full));
    if (offset > size) return Status::OutOfRange("offset " + std::to_string(offset) + " is past the end of " +
                                                 client_->UriOf(full));
    return std::vector<uint8_t>{};
  }
  if (length > kDefaultMaxGetBytes * 16) {
    return Status::ResourceExhausted("range read of " + std::to_string(length) + " bytes from " +
                                     client_->UriOf(full) + " is too large for one buffer");
  }
  std::vector<uint8_t> out(length);
  Status st = s3ops::RangeGet(*client_, full, offset, length, out.data());
  if (st.code() == StatusCode::kNotFound) return Status::NotFound("object " + client_->UriOf(full) + " does not exist");
  AILAKE_RETURN_IF_ERROR(st);
  return out;
}

Result<std::shared_ptr<RandomAccessFile>> S3Store::OpenReadable(const std::string& key) const {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  auto f = S3ReadableFile::Open(client_, FullKey(key));
  if (!f.ok()) {
    if (f.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("object " + client_->UriOf(FullKey(key)) + " does not exist");
    }
    return f.status();
  }
  return std::shared_ptr<RandomAccessFile>(std::move(*f));
}

Status S3Store::PutObject(const std::string& key, const uint8_t* data, size_t length, bool if_absent) {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  if (length > config().options.multipart_threshold) {
    // Large objects go through the multipart writer (a single PUT tops out at 5 GiB).
    AILAKE_ASSIGN_OR_RETURN(auto w, OpenWritable(key, if_absent ? PublishMode::kIfAbsent : PublishMode::kOverwrite));
    AILAKE_RETURN_IF_ERROR(w->Append(data, length));
    return w->Close();
  }
  return s3ops::PutObject(*client_, FullKey(key), data, length, if_absent);
}

Status S3Store::Put(const std::string& key, const uint8_t* data, size_t length) {
  return PutObject(key, data, length, false);
}

Status S3Store::PutIfAbsent(const std::string& key, const uint8_t* data, size_t length) {
  return PutObject(key, data, length, true);
}

Result<std::unique_ptr<WritableFile>> S3Store::OpenWritable(const std::string& key, PublishMode mode) {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  return std::unique_ptr<WritableFile>(std::make_unique<S3WritableFile>(client_, FullKey(key), mode));
}

Result<std::vector<ObjectInfo>> S3Store::List(const std::string& prefix) const {
  AILAKE_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  const std::string root = config().prefix.empty() ? "" : config().prefix + "/";
  const std::string full_prefix = root + prefix;
  const std::string what = "list " + client_->UriOf(full_prefix);
  std::vector<ObjectInfo> out;
  std::string token;
  for (int page = 0;; ++page) {
    S3Call call{"GET", ""};
    call.query = {{"list-type", "2"},
                  {"prefix", full_prefix},
                  {"max-keys", std::to_string(config().options.list_page_size)},
                  {"encoding-type", "url"}};
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    call.max_body = kMaxListPageBytes;
    AILAKE_ASSIGN_OR_RETURN(S3Response r, client_->Send(call, what));
    if (!r.ok()) return client_->ErrorOf(r, what);
    auto doc = s3xml::Parse(std::string_view(reinterpret_cast<const char*>(r.body.data()), r.body.size()));
    if (!doc.ok()) return doc.status().WithContext(what);
    if (doc->name != "ListBucketResult") return Status::Corruption(what + ": unexpected response <" + doc->name + ">");
    const bool url_encoded = doc->ChildText("EncodingType") == "url";
    for (const auto& c : doc->children) {
      if (c.name != "Contents") continue;
      std::string key = c.ChildText("Key");
      if (url_encoded) {
        std::string decoded;
        if (!sigv4::UriDecode(key, &decoded)) return Status::Corruption(what + ": badly encoded key in the listing");
        key = std::move(decoded);
      }
      if (key.compare(0, full_prefix.size(), full_prefix) != 0) {
        return Status::Corruption(what + ": the listing holds a key outside the prefix");
      }
      std::string rel = key.substr(root.size());
      // Keys this store could not address (folder markers "a/", "a//b", ...) were not written by a
      // Store; they are skipped, not reported as objects nobody can read.
      if (!ValidateKey(rel).ok()) continue;
      const std::string size_text = c.ChildText("Size");
      uint64_t size = 0;
      auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
      if (size_text.empty() || ec != std::errc() || p != size_text.data() + size_text.size()) {
        return Status::Corruption(what + ": object '" + rel + "' has no valid Size in the listing");
      }
      out.push_back({std::move(rel), size, ParseLastModifiedMs(c.ChildText("LastModified"))});
    }
    if (doc->ChildText("IsTruncated") != "true") break;
    std::string next = doc->ChildText("NextContinuationToken");
    if (next.empty() || next == token || next.size() > 4096) {
      return Status::Corruption(what + ": a truncated listing page without a new continuation token");
    }
    token = std::move(next);
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status S3Store::Delete(const std::string& key) {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  const std::string full = FullKey(key);
  const std::string what = "delete " + client_->UriOf(full);
  S3Call call{"DELETE", full};
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client_->Send(call, what));
  if (r.ok() || r.status == 404) return Status::OK();
  return client_->ErrorOf(r, what);
}

Result<size_t> S3Store::DeleteUnpublished(const std::string& folder) {
  if (!folder.empty()) {
    if (folder.back() != '/') return Status::InvalidArgument("folder '" + folder + "' must end with '/'");
    AILAKE_RETURN_IF_ERROR(ValidateKeyPrefix(folder));
  }
  const std::string full_prefix = FullKey(folder);
  const std::string what = "list unfinished uploads under " + client_->UriOf(full_prefix);
  size_t aborted = 0;
  std::string key_marker, id_marker;
  for (;;) {
    S3Call call{"GET", ""};
    call.query = {{"uploads", ""}, {"prefix", full_prefix}, {"encoding-type", "url"}};
    if (!key_marker.empty()) {
      call.query.emplace_back("key-marker", key_marker);
      call.query.emplace_back("upload-id-marker", id_marker);
    }
    call.max_body = kMaxListPageBytes;
    AILAKE_ASSIGN_OR_RETURN(S3Response r, client_->Send(call, what));
    if (!r.ok()) return client_->ErrorOf(r, what);
    auto doc = s3xml::Parse(std::string_view(reinterpret_cast<const char*>(r.body.data()), r.body.size()));
    if (!doc.ok()) return doc.status().WithContext(what);
    const bool url_encoded = doc->ChildText("EncodingType") == "url";
    for (const auto& u : doc->children) {
      if (u.name != "Upload") continue;
      std::string key = u.ChildText("Key"), id = u.ChildText("UploadId");
      if (url_encoded) {
        std::string decoded;
        if (!sigv4::UriDecode(key, &decoded)) return Status::Corruption(what + ": badly encoded key");
        key = std::move(decoded);
      }
      if (key.compare(0, full_prefix.size(), full_prefix) != 0 || id.empty()) continue;
      if (key.find('/', full_prefix.size()) != std::string::npos) continue;  // not directly in the folder
      S3Call abort{"DELETE", key};
      abort.query = {{"uploadId", id}};
      const std::string awhat = "abort unfinished upload of " + client_->UriOf(key);
      AILAKE_ASSIGN_OR_RETURN(S3Response ar, client_->Send(abort, awhat));
      if (!ar.ok() && ar.status != 404) return client_->ErrorOf(ar, awhat);
      ++aborted;
    }
    if (doc->ChildText("IsTruncated") != "true") break;
    std::string nk = doc->ChildText("NextKeyMarker"), ni = doc->ChildText("NextUploadIdMarker");
    if (nk.empty() || (nk == key_marker && ni == id_marker)) break;
    key_marker = std::move(nk);
    id_marker = std::move(ni);
  }
  return aborted;
}

Result<uint64_t> S3Store::Size(const std::string& key) const {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  auto s = s3ops::HeadSize(*client_, FullKey(key));
  if (s.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("object " + client_->UriOf(FullKey(key)) + " does not exist");
  }
  return s;
}

Result<bool> S3Store::Exists(const std::string& key) const {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  auto s = s3ops::HeadSize(*client_, FullKey(key));
  if (s.ok()) return true;
  if (s.status().code() == StatusCode::kNotFound) return false;
  return s.status();
}

}  // namespace ailake
