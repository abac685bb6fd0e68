// What one `ailake serve` process accepts from its clients, and the admission gate that bounds the
// requests it works on at once. Every byte from a client is untrusted: these caps are checked before
// anything the client sent is allocated or parsed (bodies by httplib before the handler runs, JSON
// depth before parsing, counts before vectors are copied).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ailake/status.h"

namespace ailake::serve {

struct ServeLimits {
  size_t max_body_bytes = 64ull << 20;  // a larger request body is refused with 413 before it is read
  size_t max_k = 1000;                  // search k above it: 400
  size_t max_queries = 1024;            // query vectors or texts in one search request
  size_t max_rows = 100000;             // rows in one insert request
  size_t max_json_depth = 64;           // nesting of arrays/objects in a request body
  int request_timeout_ms = 30000;       // socket read/write timeout per request (a stalled client is cut off)
  size_t max_concurrency = 64;          // requests worked on at once; beyond: 503 + Retry-After
  size_t threads = 0;                   // HTTP worker threads (0 = max_concurrency + 4)
  int retry_after_s = 1;                // the Retry-After a 503 carries
  int refresh_ms = 1000;                // reads reload the table's latest snapshot at most this often

  // InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
  size_t worker_threads() const { return threads != 0 ? threads : max_concurrency + 4; }
};

// Counts requests in flight against a bound. TryEnter is lock-free; a refused caller is answered
// 503 at once (no queueing inside the server: the client decides when to retry).
class AdmissionGate {
 public:
  explicit AdmissionGate(size_t limit) : limit_(limit) {}
  bool TryEnter();
  void Leave();
  size_t in_flight() const { return in_flight_.load(); }
  uint64_t refused() const { return refused_.load(); }

  // RAII slot: entered() says whether the request was admitted.
  class Slot {
   public:
    explicit Slot(AdmissionGate& g) : gate_(g), entered_(g.TryEnter()) {}
    ~Slot() {
      if (entered_) gate_.Leave();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    bool entered() const { return entered_; }

   private:
    AdmissionGate& gate_;
    bool entered_;
  };

 private:
  const size_t limit_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<uint64_t> refused_{0};
};

}  // namespace ailake::serve
