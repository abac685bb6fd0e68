// S3Client: signed HTTP requests to one bucket through libcurl, with retries.
//
// Send() signs each attempt afresh (SigV4, current time) and retries, with full-jitter exponential
// backoff, exactly the failures that are safe and likely to pass: connection errors, timeouts,
// resets and truncated responses, and HTTP 5xx (500 InternalError, 503 SlowDown, 502/504 from
// proxies). A 4xx answer is final (the request itself is wrong, or a precondition failed) and is
// returned at once. Whatever status remains after the last attempt is returned to the caller, which
// maps it to a Status with ErrorOf(); only a transport failure on the last attempt is an error Status.
//
// Untrusted responses: a 2xx body larger than the caller's cap aborts the transfer (checked against
// Content-Length before any byte is buffered, and again while bytes arrive) and is reported as
// body_too_large, not retried; error bodies are kept only up to 64 KiB.
//
// Retried writes are at-least-once: a PUT whose response was lost may have landed. Callers that care
// (PutIfAbsent) see `ambiguous` set when any earlier attempt failed without a definite answer.
//
// Thread-safe: curl handles are pooled (each request uses one handle alone; the pool keeps their
// connections alive between requests). Not usable across fork(): open a new store in the child.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "store/s3_config.h"
#include "store/sigv4.h"

namespace ailake {

struct S3Call {
  S3Call(std::string m, std::string k) : method(std::move(m)), key(std::move(k)) {}
  std::string method;         // GET, HEAD, PUT, POST, DELETE
  std::string key;            // full key in the bucket (store prefix included); empty: the bucket itself
  sigv4::Headers query;       // raw query parameters
  sigv4::Headers headers;     // extra headers, all signed ("Range", "If-None-Match", ...)
  const uint8_t* body = nullptr;
  size_t body_size = 0;
  uint64_t max_body = 1ull << 20;  // cap for a 2xx response body
};

struct S3Response {
  long status = 0;
  sigv4::Headers headers;     // names lowercased
  std::vector<uint8_t> body;
  bool body_too_large = false;
  bool ambiguous = false;     // an earlier attempt may have been applied by the server
  int attempts = 0;

  bool ok() const { return status >= 200 && status < 300; }
  // Value of a response header ("" when absent); name in lowercase.
  std::string Header(std::string_view name) const;
  std::string BodyText() const { return std::string(body.begin(), body.end()); }
};

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }

  // `what` names the operation and object for messages ("put s3://b/p/k").
  Result<S3Response> Send(const S3Call& call, const std::string& what) const;
  // Status for a response that is not a success, from the XML error body (Code, Message) and the
  // HTTP status: 404 -> kNotFound, 412 -> kAlreadyExists, 416 -> kOutOfRange, 403 -> kIOError
  // ("access denied: check the credentials ..."), 5xx -> kUnavailable, other 4xx -> kInvalidArgument.
  Status ErrorOf(const S3Response& response, const std::string& what) const;
  // "s3://bucket/<key>" for messages.
  std::string UriOf(const std::string& full_key) const { return "s3://" + config_.bucket + "/" + full_key; }

 private:
  void* Acquire() const;
  void Release(void* handle) const;
  // One attempt; false + *transport_error when no HTTP response was received.
  bool Perform(const S3Call& call, S3Response* out, std::string* transport_error) const;

  S3Config config_;
  mutable std::mutex mu_;
  mutable std::vector<void*> pool_;
};

}  // namespace ailake
