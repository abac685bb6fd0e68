#include "store/s3_writable_file.h"

#include "store/s3_object_ops.h"
#include "store/s3_xml.h"

namespace ailake {

namespace {
constexpr size_t kMaxParts = 10000;  // an S3 limit
std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}
}  // namespace

S3WritableFile::S3WritableFile(std::shared_ptr<const S3Client> client, std::string full_key, PublishMode mode)
    : client_(std::move(client)), full_key_(std::move(full_key)), mode_(mode) {
  name_ = client_->UriOf(full_key_);
}

S3WritableFile::~S3WritableFile() {
  if (!closed_) Abort();
}

Status S3WritableFile::Fail(Status st) {
  failed_ = true;
  Abort();
  buffer_.clear();
  buffer_.shrink_to_fit();
  return st;
}

void S3WritableFile::Abort() {
  if (upload_id_.empty()) return;
  S3Call call{"DELETE", full_key_};
  call.query = {{"uploadId", upload_id_}};
  // Best effort: an upload that cannot be aborted now stays invisible and DeleteUnpublished (or a
  // bucket lifecycle rule) removes it later.
  (void)client_->Send(call, "abort multipart upload of " + name_);
  upload_id_.clear();
}

Status S3WritableFile::Append(const uint8_t* data, size_t length) {
  if (closed_) return Status::InvalidArgument("append to " + name_ + " after Close");
  if (failed_) return Status::Aborted("append to " + name_ + " after an earlier write failed");
  buffer_.insert(buffer_.end(), data, data + length);
  total_ += length;
  const auto& o = client_->config().options;
  if (upload_id_.empty() && total_ > o.multipart_threshold) {
    Status st = StartUpload();
    if (!st.ok()) return Fail(st);
  }
  if (!upload_id_.empty()) {
    size_t done = 0;
    while (buffer_.size() - done >= o.part_size) {
      Status st = UploadPart(buffer_.data() + done, o.part_size);
      if (!st.ok()) return Fail(st);
      done += o.part_size;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(done));
  }
  return Status::OK();
}

Status S3WritableFile::StartUpload() {
  const std::string what = "start multipart upload of " + name_;
  S3Call call{"POST", full_key_};
  call.query = {{"uploads", ""}};
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client_->Send(call, what));
  if (!r.ok()) return client_->ErrorOf(r, what);
  auto doc = s3xml::Parse(std::string_view(reinterpret_cast<const char*>(r.body.data()), r.body.size()));
  if (!doc.ok()) return doc.status().WithContext(what);
  std::string id = doc->ChildText("UploadId");
  if (doc->name != "InitiateMultipartUploadResult" || id.empty() || id.size() > 1024) {
    return Status::Corruption(what + ": the response has no UploadId");
  }
  upload_id_ = std::move(id);
  return Status::OK();
}

Status S3WritableFile::UploadPart(const uint8_t* data, size_t length) {
  if (etags_.size() >= kMaxParts) {
    return Status::ResourceExhausted(name_ + " needs more than 10000 parts; raise S3Options::part_size");
  }
  const std::string part = std::to_string(etags_.size() + 1);
  const std::string what = "upload part " + part + " of " + name_;
  S3Call call{"PUT", full_key_};
  call.query = {{"partNumber", part}, {"uploadId", upload_id_}};
  call.body = data;
  call.body_size = length;
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client_->Send(call, what));
  if (!r.ok()) return client_->ErrorOf(r, what);
  std::string etag = r.Header("etag");
  if (etag.empty() || etag.size() > 256) return Status::Corruption(what + ": the response has no ETag");
  etags_.push_back(std::move(etag));
  md5s_.push_back(sigv4::Md5(data, length));
  return Status::OK();
}

Status S3WritableFile::Complete() {
  const std::string what = "complete multipart upload of " + name_;
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (size_t i = 0; i < etags_.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + s3xml::Escape(etags_[i]) +
            "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  S3Call call{"POST", full_key_};
  call.query = {{"uploadId", upload_id_}};
  if (mode_ == PublishMode::kIfAbsent) call.headers = {{"If-None-Match", "*"}};
  call.body = reinterpret_cast<const uint8_t*>(body.data());
  call.body_size = body.size();
  call.max_body = 1 << 20;
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client_->Send(call, what));
  // Complete can fail after a 200 status line: the error then comes as the body.
  auto doc = s3xml::Parse(std::string_view(reinterpret_cast<const char*>(r.body.data()), r.body.size()));
  const bool body_error = r.ok() && (!doc.ok() || doc->name == "Error");
  if (r.ok() && !body_error) return Status::OK();
  if (r.ambiguous && (r.status == 412 || r.status == 404)) {
    // An earlier attempt may have completed the upload (then the upload id is gone: 404, or the
    // key exists: 412). Our object has the multipart ETag of our parts: MD5(part MD5s)-N.
    auto size = s3ops::HeadSize(*client_, full_key_);
    S3Call head{"HEAD", full_key_};
    head.max_body = UINT64_MAX;
    auto h = client_->Send(head, "HEAD " + name_);
    if (size.ok() && *size == total_ && h.ok() && h->ok()) {
      std::string all;
      for (const auto& m : md5s_) all += m;
      const std::string expected = sigv4::HexEncode(sigv4::Md5(all.data(), all.size())) + "-" +
                                   std::to_string(md5s_.size());
      if (Unquote(h->Header("etag")) == expected) return Status::OK();
    }
  }
  if (r.status == 412) return Status::AlreadyExists(name_ + " already exists");
  if (body_error) {
    if (!doc.ok()) return doc.status().WithContext(what);
    return Status::Unavailable(what + " failed: " + doc->ChildText("Code").substr(0, 128) + ": " +
                               doc->ChildText("Message").substr(0, 512) + "; retry the write");
  }
  return client_->ErrorOf(r, what);
}

Status S3WritableFile::Close() {
  if (closed_) return Status::InvalidArgument(name_ + " is already closed");
  if (failed_) {
    closed_ = true;
    return Status::Aborted("close of " + name_ + " after an earlier write failed; nothing was published");
  }
  Status st;
  if (upload_id_.empty()) {
    st = s3ops::PutObject(*client_, full_key_, buffer_.data(), buffer_.size(), mode_ == PublishMode::kIfAbsent);
  } else {
    if (!buffer_.empty()) st = UploadPart(buffer_.data(), buffer_.size());
    if (st.ok()) st = Complete();
    if (st.ok()) upload_id_.clear();  // completed: nothing to abort
  }
  if (!st.ok()) {
    (void)Fail(Status::OK());
    closed_ = true;
    return st;
  }
  closed_ = true;
  buffer_.clear();
  buffer_.shrink_to_fit();
  return Status::OK();
}

}  // namespace ailake
