#include "embed/http_embedder.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/logging.h"
#include "embed/embed_internal.h"

namespace ailake::embed {

namespace {

constexpr size_t kMaxResponseBytes = size_t{256} << 20;
constexpr int64_t kMaxBackoffMs = 30000;
constexpr int64_t kMaxRetryAfterMs = 60000;
constexpr size_t kBodySnippet = 300;

Status GlobalInitCurl() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK) return Status::Internal(std::string("curl_global_init failed: ") + curl_easy_strerror(rc));
  return Status::OK();
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Retry-After: delay-seconds or an HTTP date; nullopt when unparseable. Capped at 60 s.
std::optional<int64_t> ParseRetryAfterMs(std::string_view v) {
  v = Trim(v);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 6) return kMaxRetryAfterMs;
    return std::min<int64_t>(std::stoll(std::string(v)) * 1000, kMaxRetryAfterMs);
  }
  time_t when = curl_getdate(std::string(v).c_str(), nullptr);
  if (when == static_cast<time_t>(-1)) return std::nullopt;
  int64_t ms = (static_cast<int64_t>(when) - static_cast<int64_t>(std::time(nullptr))) * 1000;
  return std::clamp<int64_t>(ms, 0, kMaxRetryAfterMs);
}

bool RetryableCurlError(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// What one POST produced.
struct Attempt {
  CURLcode curl = CURLE_OK;
  std::string curl_error;  // CURLOPT_ERRORBUFFER text
  long http = 0;
  std::string body;
  bool body_too_large = false;
  std::optional<int64_t> retry_after_ms;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  size_t bytes = size * n;
  if (a->body.size() + bytes > kMaxResponseBytes) {
    a->body_too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  a->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    a->retry_after_ms.reset();  // a new response (after 100 Continue, say)
  } else if (auto colon = line.find(':'); colon != std::string_view::npos && IEquals(Trim(line.substr(0, colon)), "retry-after")) {
    a->retry_after_ms = ParseRetryAfterMs(line.substr(colon + 1));
  }
  return size * n;
}

class HttpEmbedder final : public Embedder {
 public:
  HttpEmbedder(std::string endpoint, std::string describe, std::string model_field, EmbeddingModelInfo model,
               const EmbedderOptions& options, std::string api_key)
      : endpoint_(std::move(endpoint)),
        shown_endpoint_(RedactUrl(endpoint_)),
        describe_(std::move(describe)),
        model_field_(std::move(model_field)),
        options_(options),
        api_key_(std::move(api_key)),
        model_(std::move(model)),
        dim_(&model_, model_.dim) {
    secrets_ = UrlSecrets(endpoint_);
    if (!api_key_.empty()) secrets_.push_back(api_key_);
  }

  ~HttpEmbedder() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  const EmbeddingModelInfo& model() const override { return model_; }
  std::string Describe() const override { return describe_; }

  Result<uint32_t> Dimension() override {
    if (uint32_t d = dim_.get()) return d;
    std::lock_guard<std::mutex> lock(probe_mu_);
    if (uint32_t d = dim_.get()) return d;
    std::vector<float> probe;
    AILAKE_RETURN_IF_ERROR(Embed({"dimension probe"}, &probe));
    return dim_.get();
  }

  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override {
    if (texts.empty()) return Status::OK();
    CountTexts(texts.size());
    nlohmann::json req = nlohmann::json::object();
    if (!model_field_.empty()) req["model"] = model_field_;
    auto& input = req["input"] = nlohmann::json::array();
    for (std::string_view t : texts) input.push_back(std::string(t));
    // Invalid UTF-8 in a text is sent as U+FFFD rather than failing the batch.
    const std::string body = req.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

    AILAKE_ASSIGN_OR_RETURN(CURL* handle, AcquireHandle());
    Status st = PostWithRetries(handle, body, texts.size(), out);
    ReleaseHandle(handle);
    return Redact(st);
  }

 private:
  Result<CURL*> AcquireHandle() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || live_ < options_.concurrency; });
    if (!idle_.empty()) {
      CURL* h = idle_.back();
      idle_.pop_back();
      return h;
    }
    CURL* h = curl_easy_init();
    if (h == nullptr) return Status::Internal("curl_easy_init failed");
    ++live_;
    return h;
  }

  void ReleaseHandle(CURL* h) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(h);
    cv_.notify_one();
  }

  // Secrets never leave this object: scrub the key and the URL's credentials, in every encoding a
  // server might echo them back in (redact.h), from every message.
  Status Redact(const Status& st) const {
    if (st.ok() || secrets_.empty()) return st;
    return Status(st.code(), RedactSecrets(st.message(), secrets_));
  }

  Attempt Post(CURL* h, const std::string& body) {
    Attempt a;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for big batches
    if (!api_key_.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + api_key_).c_str());
    curl_easy_reset(h);  // keeps the connection cache
    curl_easy_setopt(h, CURLOPT_URL, endpoint_.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "ailake/0.1");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
    CountRequest();
    a.curl = curl_easy_perform(h);
    if (a.curl == CURLE_OK) {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.http);
    } else {
      a.curl_error = errbuf[0] ? errbuf : curl_easy_strerror(a.curl);
    }
    // Nothing may keep pointers into this frame or the header list.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    curl_slist_free_all(headers);
    return a;
  }

  Status PostWithRetries(CURL* h, const std::string& body, size_t count, std::vector<float>* out) {
    const int attempts = options_.max_retries + 1;
    Status last;
    for (int attempt = 0; attempt < attempts; ++attempt) {
      Attempt a = Post(h, body);
      bool retryable = false;
      if (a.curl != CURLE_OK) {
        if (a.body_too_large) {
          return Status::ResourceExhausted("http embedder " + shown_endpoint_ + ": response larger than " +
                                           std::to_string(kMaxResponseBytes >> 20) + " MiB");
        }
        retryable = RetryableCurlError(a.curl);
        std::string what = a.curl == CURLE_OPERATION_TIMEDOUT
                               ? "timed out after " + std::to_string(options_.timeout_ms) + " ms (" + a.curl_error + ")"
                               : a.curl_error;
        last = Status(a.curl == CURLE_OPERATION_TIMEDOUT ? StatusCode::kTimeout : StatusCode::kUnavailable,
                      "http embedder POST " + shown_endpoint_ + " failed: " + what);
      } else if (a.http >= 200 && a.http < 300) {
        size_t at = out->size();
        Status st = ParseResponse(a.body, count, out);
        if (!st.ok()) out->resize(at);
        return st;
      } else {
        retryable = a.http == 429 || (a.http >= 500 && a.http <= 599);
        std::string msg = "http embedder POST " + shown_endpoint_ + " returned HTTP " + std::to_string(a.http) + ": " +
                          (a.body.empty() ? std::string("(empty body)") : Snippet(a.body, kBodySnippet));
        last = retryable ? Status::Unavailable(msg) : Status::IOError(msg);  // the server refused: a remote failure
      }
      if (!retryable) return last;
      if (attempt + 1 == attempts) break;
      int64_t wait_ms = a.retry_after_ms ? *a.retry_after_ms : Backoff(attempt);
      CountRetry();
      NoteRetryError(Redact(last).message());
      LogInfo(Redact(last).message() + "; retry " + std::to_string(attempt + 1) + "/" +
              std::to_string(options_.max_retries) + " in " + std::to_string(wait_ms) + " ms");
      if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
    return last.WithContext("gave up after " + std::to_string(attempts) + " attempt" + (attempts == 1 ? "" : "s"));
  }

  // Full jitter: uniform in [0, min(30 s, initial * 2^attempt)].
  int64_t Backoff(int attempt) const {
    int64_t cap = options_.initial_backoff_ms;
    for (int i = 0; i < attempt && cap < kMaxBackoffMs; ++i) cap *= 2;
    cap = std::min(cap, kMaxBackoffMs);
    if (cap <= 0) return 0;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_int_distribution<int64_t>(0, cap)(rng);
  }

  Status ParseResponse(const std::string& body, size_t count, std::vector<float>* out) {
    const std::string who = "http embedder " + shown_endpoint_;
    nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::Corruption(who + " sent a response that is not a JSON object: '" + Snippet(body, kBodySnippet) + "'");
    }
    auto data = j.find("data");
    if (data == j.end() || !data->is_array()) {
      return Status::Corruption(who + " sent a response without a \"data\" array: '" + Snippet(body, kBodySnippet) + "'");
    }
    if (data->size() != count) {
      return Status::Corruption(who + " returned " + std::to_string(data->size()) + " embeddings for " +
                                     std::to_string(count) + " texts");
    }
    std::vector<const nlohmann::json*> rows(count, nullptr);
    for (size_t k = 0; k < count; ++k) {
      const nlohmann::json& item = (*data)[k];
      auto idx = item.is_object() ? item.find("index") : item.end();
      if (!item.is_object() || idx == item.end() || !idx->is_number_integer()) {
        return Status::Corruption(who + ": data[" + std::to_string(k) + "] has no integer \"index\"");
      }
      int64_t i = idx->get<int64_t>();
      if (i < 0 || static_cast<uint64_t>(i) >= count) {
        return Status::Corruption(who + ": data[" + std::to_string(k) + "] has index " + std::to_string(i) +
                                  ", outside 0.." + std::to_string(count - 1));
      }
      if (rows[i] != nullptr) {
        return Status::Corruption(who + ": index " + std::to_string(i) + " appears twice in \"data\"");
      }
      auto emb = item.find("embedding");
      if (emb == item.end()) {
        return Status::Corruption(who + ": data[" + std::to_string(k) + "] has no \"embedding\"");
      }
      rows[i] = &*emb;
    }
    // count items, each index in range, none twice: every index 0..count-1 is present.
    size_t at = out->size();
    uint32_t dim = 0;  // rows must agree with each other, then with the model (Accept)
    for (size_t i = 0; i < count; ++i) AILAKE_RETURN_IF_ERROR(AppendEmbeddingRow(*rows[i], i, who, &dim, out));
    AILAKE_RETURN_IF_ERROR(dim_.Accept(dim, who));
    return ValidateEmbeddings(describe_, *out, at, count, dim);
  }

  const std::string endpoint_;
  const std::string shown_endpoint_;
  const std::string describe_;
  const std::string model_field_;
  const EmbedderOptions options_;
  const std::string api_key_;
  std::vector<std::string> secrets_;  // api key, URL userinfo and credential query values
  EmbeddingModelInfo model_;
  ModelDim dim_;
  std::mutex probe_mu_;

  std::mutex mu_;  // guards idle_ and live_
  std::condition_variable cv_;
  std::vector<CURL*> idle_;
  size_t live_ = 0;  // handles created: idle + in use, at most options_.concurrency
};

}  // namespace

std::string HttpEmbeddingsEndpoint(std::string_view url) {
  // The path is completed before the query string and fragment, which are kept as given
  // ("https://h/openai/deployments/d?api-version=2024-02-01").
  auto scheme = url.find("://");
  auto tail_at = url.find_first_of("?#", scheme == std::string_view::npos ? 0 : scheme + 3);
  std::string u(url.substr(0, tail_at));
  const std::string tail(tail_at == std::string_view::npos ? std::string_view() : url.substr(tail_at));
  while (!u.empty() && u.back() == '/') u.pop_back();
  if (u.ends_with("/embeddings")) return u + tail;
  if (u.ends_with("/v1")) return u + "/embeddings" + tail;
  return u + "/v1/embeddings" + tail;
}

Result<std::unique_ptr<Embedder>> MakeHttpEmbedder(const ParsedSpec& spec, const EmbedderOptions& options) {
  // The server's model name: the spec's model= without its @VERSION (the version is ailake's record,
  // servers do not know it), else the override's name; omitted when neither is given.
  std::string model_field = spec.model ? spec.model->name : options.model_name;
  AILAKE_RETURN_IF_ERROR(GlobalInitCurl());
  std::string key;
  for (const char* var : {"AILAKE_EMBED_API_KEY", "OPENAI_API_KEY"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') {
      key = v;
      break;
    }
  }
  if (key.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument("the embedding API key (AILAKE_EMBED_API_KEY / OPENAI_API_KEY) contains a line break");
  }
  return std::unique_ptr<Embedder>(std::make_unique<HttpEmbedder>(HttpEmbeddingsEndpoint(spec.url), spec.describe,
                                                                  std::move(model_field),
                                                                  ResolveModel(spec, options, EmbeddingModelInfo{}),
                                                                  options, std::move(key)));
}

}  // namespace ailake::embed
