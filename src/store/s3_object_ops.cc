#include "store/s3_object_ops.h"

#include <charconv>
#include <cstring>

namespace ailake::s3ops {

Result<uint64_t> HeadSize(const S3Client& client, const std::string& full_key) {
  const std::string what = "HEAD " + client.UriOf(full_key);
  S3Call call{"HEAD", full_key};
  call.max_body = UINT64_MAX;
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client.Send(call, what));
  if (!r.ok()) return client.ErrorOf(r, what);
  const std::string cl = r.Header("content-length");
  uint64_t size = 0;
  auto [p, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), size);
  if (cl.empty() || ec != std::errc() || p != cl.data() + cl.size()) {
    return Status::Corruption(what + ": the server sent no valid Content-Length ('" + cl.substr(0, 32) + "')");
  }
  return size;
}

Status RangeGet(const S3Client& client, const std::string& full_key, uint64_t offset, uint64_t length, uint8_t* out) {
  const std::string what = "read bytes [" + std::to_string(offset) + ", +" + std::to_string(length) + ") of " +
                           client.UriOf(full_key);
  if (length == 0) return Status::InvalidArgument(what + ": empty range");
  if (offset > UINT64_MAX - length) return Status::OutOfRange(what + ": range overflows");
  S3Call call{"GET", full_key};
  call.headers = {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)}};
  call.max_body = length;
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client.Send(call, what));
  if (r.status == 416) return Status::OutOfRange(what + ": the range starts past the end of the object");
  if (!r.ok()) return client.ErrorOf(r, what);
  // 206 with fewer bytes: the range ran past the end. 200: the server ignored Range, acceptable only
  // when the whole object is exactly the range.
  if (r.status == 200 && offset != 0) {
    return Status::Corruption(what + ": the server ignored the Range header");
  }
  if (r.body.size() < length) {
    return Status::OutOfRange(what + ": the object ends after " + std::to_string(offset + r.body.size()) + " bytes");
  }
  if (r.body.size() != length) return Status::Corruption(what + ": the server sent more bytes than asked");
  std::memcpy(out, r.body.data(), length);
  return Status::OK();
}

Result<bool> HoldsExactly(const S3Client& client, const std::string& full_key, const uint8_t* data, size_t length) {
  const std::string what = "read back " + client.UriOf(full_key);
  S3Call call{"GET", full_key};
  call.max_body = length;
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client.Send(call, what));
  if (r.body_too_large || r.status == 404) return false;
  if (!r.ok()) return client.ErrorOf(r, what);
  return r.body.size() == length && (length == 0 || std::memcmp(r.body.data(), data, length) == 0);
}

Status PutObject(const S3Client& client, const std::string& full_key, const uint8_t* data, size_t length,
                 bool if_absent) {
  const std::string what = std::string(if_absent ? "create-if-absent " : "put ") + client.UriOf(full_key);
  S3Call call{"PUT", full_key};
  if (if_absent) call.headers = {{"If-None-Match", "*"}};
  call.body = data;
  call.body_size = length;
  AILAKE_ASSIGN_OR_RETURN(S3Response r, client.Send(call, what));
  if (r.ok()) return Status::OK();
  if (if_absent && r.status == 412) {
    if (r.ambiguous) {
      // An earlier attempt may have created the object and lost only its answer.
      AILAKE_ASSIGN_OR_RETURN(bool ours, HoldsExactly(client, full_key, data, length));
      if (ours) return Status::OK();
    }
    return Status::AlreadyExists(client.UriOf(full_key) + " already exists");
  }
  return client.ErrorOf(r, what);
}

}  // namespace ailake::s3ops
