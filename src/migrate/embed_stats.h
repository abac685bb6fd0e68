// Embedder statistics of a migration: calls, texts, latency and errors, counted per task and
// persisted with the task's record (task_record.h), so `migrate status` and the server read them from
// any process, as they read the rows done. Calls of a task that got no record (it failed, was
// stopped, or lost the race to another process) are added to the job document (job.json) when the
// run saves its state, so the errors that stopped a run are reported too.
//
// Latency is kept as counts in 16 fixed buckets (upper bounds 1, 2, 5, 10, ... 60000 ms, then
// "more"): the mean is exact (sum / calls), p95 is interpolated within its bucket and never above
// the largest latency seen.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ailake/status.h"

namespace ailake::migrate {

inline constexpr size_t kLatencyBuckets = 16;
// Upper bounds (ms) of the buckets but the last, which holds everything above 60 s.
inline constexpr std::array<double, kLatencyBuckets - 1> kLatencyBoundsMs = {
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000};

struct EmbedCallStats {
  int64_t calls = 0;          // Embed() calls, failed ones included
  int64_t texts = 0;          // texts sent (in every call, failed ones included)
  int64_t failed_calls = 0;   // calls that returned an error or invalid vectors
  int64_t retries = 0;        // requests the embedder repeated inside calls (http: 429, 5xx, timeouts)
  double latency_sum_ms = 0;  // of every call
  double latency_max_ms = 0;
  std::array<int64_t, kLatencyBuckets> latency_buckets{};
  std::string last_error;     // redacted, at most 300 bytes
  int64_t last_error_ms = 0;  // wall clock of last_error (0 = none)

  int64_t errors() const { return failed_calls + retries; }
  double mean_ms() const { return calls > 0 ? latency_sum_ms / static_cast<double>(calls) : 0; }
  // Latency quantile q in (0, 1]; 0 when no call was made.
  double QuantileMs(double q) const;
  void AddCall(double latency_ms, int64_t texts, bool failed, int64_t retries);
  void SetError(std::string_view message, int64_t now_ms);
  void Merge(const EmbedCallStats& o);
  bool empty() const { return calls == 0 && retries == 0 && last_error.empty(); }

  // {"calls", "texts", "failed_calls", "retries", "latency_sum_us", "latency_max_us" (whole
  // microseconds), "latency_buckets" (16 counts), "last_error", "last_error_ms"}: integers only.
  nlohmann::json ToJson() const;
  // Untrusted input: anything but non-negative integers, a wrong bucket count, or counts that do
  // not add up (buckets != calls, failed > calls) is Corruption.
  static Result<EmbedCallStats> FromJson(const nlohmann::json& j, const std::string& where);
};

// A thread-safe accumulator (one per task; the embedding pool's threads add to it).
class EmbedStatsSink {
 public:
  void AddCall(double latency_ms, int64_t texts, bool failed, int64_t retries, std::string_view error, int64_t now_ms);
  void Merge(const EmbedCallStats& s);
  EmbedCallStats Snapshot() const;
  // The stats so far, leaving the sink empty.
  EmbedCallStats Take();

 private:
  mutable std::mutex mu_;
  EmbedCallStats s_;
};

// An error message safe to persist: every URL in it redacted (userinfo and query values), control
// characters replaced, cut to 300 bytes.
std::string PersistableError(std::string_view message);

}  // namespace ailake::migrate
