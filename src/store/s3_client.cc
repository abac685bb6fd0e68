#include "store/s3_client.h"

#include <curl/curl.h>

#include <charconv>
#include <chrono>
#include <random>
#include <thread>

#include "store/s3_xml.h"

namespace ailake {

namespace {

constexpr size_t kMaxErrorBody = 64 << 10;
constexpr size_t kMaxHeaderBytes = 64 << 10;

Status GlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK) return Status::Internal(std::string("curl_global_init failed: ") + curl_easy_strerror(rc));
  return Status::OK();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Retryable(long status) { return status >= 500 && status <= 599; }

// Full jitter: a uniform wait in [0, min(cap, base * 2^attempt)].
int BackoffMs(const S3Options& o, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t ceiling = o.initial_backoff_ms;
  for (int i = 0; i < attempt && ceiling < o.max_backoff_ms; ++i) ceiling *= 2;
  if (ceiling > o.max_backoff_ms) ceiling = o.max_backoff_ms;
  if (ceiling <= 0) return 0;
  return static_cast<int>(std::uniform_int_distribution<int64_t>(0, ceiling)(rng));
}

}  // namespace

std::string S3Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

namespace {

// Per-attempt state the curl callbacks fill.
struct Attempt {
  S3Response* out;
  uint64_t max_body;
  size_t header_bytes = 0;
  bool head = false;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  const size_t len = size * n;
  a->header_bytes += len;
  if (a->header_bytes > kMaxHeaderBytes) return 0;  // aborts: no honest S3 response has 64 KiB of headers
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    // A new status line (after "100 Continue", for instance) starts a new header block.
    a->out->headers.clear();
    auto sp = line.find(' ');
    long code = 0;
    if (sp != std::string_view::npos) std::from_chars(line.data() + sp + 1, line.data() + line.size(), code);
    a->out->status = code;
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name = Lower(std::string(line.substr(0, colon)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (name == "content-length" && !a->head && a->out->status >= 200 && a->out->status < 300) {
    uint64_t cl = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), cl);
    if (ec == std::errc() && cl > a->max_body) {
      a->out->body_too_large = true;
      return 0;
    }
  }
  a->out->headers.emplace_back(std::move(name), std::string(value));
  return len;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  const size_t len = size * n;
  auto& body = a->out->body;
  if (a->out->status >= 200 && a->out->status < 300) {
    if (body.size() + len > a->max_body) {
      a->out->body_too_large = true;
      return 0;
    }
    body.insert(body.end(), data, data + len);
  } else if (body.size() < kMaxErrorBody) {
    body.insert(body.end(), data, data + std::min(len, kMaxErrorBody - body.size()));
  }
  return len;
}

}  // namespace

S3Client::S3Client(S3Config config) : config_(std::move(config)) {}

S3Client::~S3Client() {
  for (void* h : pool_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* S3Client::Acquire() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pool_.empty()) {
      void* h = pool_.back();
      pool_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void S3Client::Release(void* handle) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (pool_.size() < 16) {
    pool_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

bool S3Client::Perform(const S3Call& call, S3Response* out, std::string* transport_error) const {
  *out = S3Response{};
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) {
    *transport_error = "curl_easy_init failed (out of memory)";
    return false;
  }
  curl_easy_reset(curl);

  const S3Config& c = config_;
  std::string path;
  if (c.path_style) {
    path = "/" + c.bucket + (call.key.empty() ? "" : sigv4::UriEncodePath(call.key));
  } else {
    path = call.key.empty() ? "/" : sigv4::UriEncodePath(call.key);
  }
  const std::string host = c.RequestHost();
  const std::string query = sigv4::CanonicalQuery(call.query);
  const std::string url = c.scheme + "://" + host + path + (query.empty() ? "" : "?" + query);

  sigv4::Request req;
  req.method = call.method;
  req.canonical_uri = path;
  req.query = call.query;
  req.headers = call.headers;
  req.headers.emplace_back("host", host);
  req.payload_sha256 = sigv4::Sha256Hex(call.body_size ? call.body : reinterpret_cast<const uint8_t*>(""),
                                        call.body_size);
  const auto auth = sigv4::Sign(req, {c.credentials.access_key_id, c.credentials.secret_access_key,
                                      c.credentials.session_token},
                                c.region, "s3", sigv4::AmzDateNow());

  curl_slist* list = nullptr;
  for (const auto& hs : {std::cref(req.headers), std::cref(auth)}) {
    for (const auto& [k, v] : hs.get()) list = curl_slist_append(list, (k + ": " + v).c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  bool has_content_type = false;
  for (const auto& [k, v] : call.headers) has_content_type |= Lower(k) == "content-type";
  if (!has_content_type) list = curl_slist_append(list, "Content-Type:");  // drop curl's form default

  Attempt attempt{out, call.max_body};
  attempt.head = call.method == "HEAD";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(c.options.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(c.options.request_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt);
  if (call.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (call.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    if (call.method == "PUT" || call.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body_size ? reinterpret_cast<const char*>(call.body) : "");
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body_size));
    }
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  Release(curl);
  if (rc == CURLE_OK) return true;
  if (out->body_too_large) return true;  // our own abort: a definite answer, not a transport failure
  *transport_error = curl_easy_strerror(rc);
  return false;
}

Result<S3Response> S3Client::Send(const S3Call& call, const std::string& what) const {
  AILAKE_RETURN_IF_ERROR(GlobalInit());
  const S3Options& o = config_.options;
  bool ambiguous = false;
  std::string last_error;
  for (int attempt = 0; attempt < o.max_attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(BackoffMs(o, attempt - 1)));
    S3Response r;
    std::string transport_error;
    if (Perform(call, &r, &transport_error)) {
      r.attempts = attempt + 1;
      r.ambiguous = ambiguous;
      if (!Retryable(r.status) || attempt + 1 == o.max_attempts) return r;
      // A 5xx may still have been applied (e.g. a gateway timing out while the PUT lands).
      ambiguous = true;
      last_error = "HTTP " + std::to_string(r.status);
      continue;
    }
    ambiguous = true;
    last_error = transport_error;
  }
  return Status::Unavailable(what + " failed after " + std::to_string(o.max_attempts) + " attempts: " + last_error +
                             " (endpoint " + config_.scheme + "://" + config_.host +
                             "); check that the endpoint is reachable and retry later");
}

Status S3Client::ErrorOf(const S3Response& r, const std::string& what) const {
  if (r.body_too_large) {
    return Status::ResourceExhausted(what + ": the server's response is larger than expected");
  }
  std::string code, message;
  if (!r.body.empty()) {
    auto doc = s3xml::Parse(std::string_view(reinterpret_cast<const char*>(r.body.data()), r.body.size()));
    if (doc.ok() && doc->name == "Error") {
      code = doc->ChildText("Code").substr(0, 128);
      message = doc->ChildText("Message").substr(0, 512);
    }
  }
  std::string detail = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                       (message.empty() ? "" : ": " + message);
  if (r.attempts > 1) detail += " (after " + std::to_string(r.attempts) + " attempts)";
  const std::string base = what + " failed: " + detail;
  switch (r.status) {
    case 404:
      if (code == "NoSuchBucket") {
        return Status::NotFound(base + "; bucket '" + config_.bucket + "' does not exist at " + config_.scheme +
                                "://" + config_.host + ": create it or fix the URI/endpoint");
      }
      return Status::NotFound(base);
    case 412:
      return Status::AlreadyExists(base);
    case 416:
      return Status::OutOfRange(base);
    case 301:
    case 307:
    case 400:
      if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" || r.status != 400) {
        return Status::InvalidArgument(base + "; the bucket is probably in another region than '" + config_.region +
                                       "': set AWS_REGION or the endpoint");
      }
      return Status::InvalidArgument(base);
    case 401:
    case 403:
      return Status::IOError(base + "; access denied: check the credentials from " + config_.credentials.source +
                             " and their permissions on bucket '" + config_.bucket + "'");
    default:
      break;
  }
  if (r.status >= 500) {
    return Status::Unavailable(base + "; the S3 service at " + config_.scheme + "://" + config_.host +
                               " is failing or throttling: retry later");
  }
  return Status::InvalidArgument(base);
}

}  // namespace ailake
