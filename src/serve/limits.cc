#include "serve/limits.h"

#include <string>

namespace ailake::serve {

Status ServeLimits::Validate() const {
  auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  if (max_body_bytes < 1024) return bad("--max-body-bytes must be at least 1024");
  if (max_k < 1) return bad("--max-k must be at least 1");
  if (max_queries < 1) return bad("max queries per request must be at least 1");
  if (max_rows < 1) return bad("max rows per insert must be at least 1");
  if (max_json_depth < 4) return bad("max JSON depth must be at least 4");
  if (request_timeout_ms < 1) return bad("--request-timeout-ms must be at least 1");
  if (max_concurrency < 1) return bad("--max-concurrency must be at least 1");
  if (threads != 0 && threads <= max_concurrency) {
    // Workers beyond the admitted requests are what answer 503 instead of letting clients queue
    // unseen in the accept backlog.
    return bad("--threads must exceed --max-concurrency (" + std::to_string(max_concurrency) +
               "), so saturated requests are answered 503 rather than queued; or leave it 0");
  }
  if (threads > 4096) return bad("--threads must be at most 4096");
  if (refresh_ms < 0) return bad("refresh interval must not be negative");
  return Status::OK();
}

bool AdmissionGate::TryEnter() {
  size_t cur = in_flight_.load();
  while (cur < limit_) {
    if (in_flight_.compare_exchange_weak(cur, cur + 1)) return true;
  }
  refused_.fetch_add(1);
  return false;
}

void AdmissionGate::Leave() { in_flight_.fetch_sub(1); }

}  // namespace ailake::serve
