#include "migrate/embed_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "embed/embed_internal.h"
#include "embed/redact.h"

namespace ailake::migrate {

namespace {

size_t BucketOf(double ms) {
  for (size_t i = 0; i < kLatencyBoundsMs.size(); ++i) {
    if (ms <= kLatencyBoundsMs[i]) return i;
  }
  return kLatencyBuckets - 1;
}

}  // namespace

double EmbedCallStats::QuantileMs(double q) const {
  int64_t n = 0;
  for (int64_t c : latency_buckets) n += c;
  if (n == 0) return 0;
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(n);
  int64_t below = 0;
  for (size_t i = 0; i < kLatencyBuckets; ++i) {
    const int64_t c = latency_buckets[i];
    if (c > 0 && static_cast<double>(below + c) >= rank) {
      const double lo = i == 0 ? 0 : kLatencyBoundsMs[i - 1];
      const double hi = i < kLatencyBoundsMs.size() ? kLatencyBoundsMs[i] : std::max(lo, latency_max_ms);
      const double within = std::clamp((rank - static_cast<double>(below)) / static_cast<double>(c), 0.0, 1.0);
      return std::min(lo + (hi - lo) * within, latency_max_ms);
    }
    below += c;
  }
  return latency_max_ms;
}

void EmbedCallStats::AddCall(double latency_ms, int64_t n_texts, bool failed, int64_t n_retries) {
  if (!std::isfinite(latency_ms) || latency_ms < 0) latency_ms = 0;
  ++calls;
  texts += n_texts;
  if (failed) ++failed_calls;
  retries += n_retries;
  latency_sum_ms += latency_ms;
  latency_max_ms = std::max(latency_max_ms, latency_ms);
  ++latency_buckets[BucketOf(latency_ms)];
}

void EmbedCallStats::SetError(std::string_view message, int64_t now_ms) {
  if (message.empty() || now_ms < last_error_ms) return;
  last_error = PersistableError(message);
  last_error_ms = now_ms;
}

void EmbedCallStats::Merge(const EmbedCallStats& o) {
  calls += o.calls;
  texts += o.texts;
  failed_calls += o.failed_calls;
  retries += o.retries;
  latency_sum_ms += o.latency_sum_ms;
  latency_max_ms = std::max(latency_max_ms, o.latency_max_ms);
  for (size_t i = 0; i < kLatencyBuckets; ++i) latency_buckets[i] += o.latency_buckets[i];
  if (!o.last_error.empty() && o.last_error_ms >= last_error_ms) {
    last_error = o.last_error;
    last_error_ms = o.last_error_ms;
  }
}

nlohmann::json EmbedCallStats::ToJson() const {
  nlohmann::ordered_json j;
  j["calls"] = calls;
  j["texts"] = texts;
  j["failed_calls"] = failed_calls;
  j["retries"] = retries;
  // Whole microseconds: the documents' numbers are checked as integers (core/json_numbers.h), and a
  // sum of latencies outgrows the range a fractional number may have there.
  j["latency_sum_us"] = static_cast<int64_t>(std::llround(std::min(latency_sum_ms * 1000.0, 9e18)));
  j["latency_max_us"] = static_cast<int64_t>(std::llround(std::min(latency_max_ms * 1000.0, 9e18)));
  j["latency_buckets"] = latency_buckets;
  j["last_error"] = last_error;
  j["last_error_ms"] = last_error_ms;
  return nlohmann::json(j);
}

Result<EmbedCallStats> EmbedCallStats::FromJson(const nlohmann::json& j, const std::string& where) {
  auto bad = [&](const std::string& what) { return Status::Corruption(where + ": embedder statistics: " + what); };
  if (!j.is_object()) return bad("not an object");
  // Every number is a non-negative integer (latencies in whole microseconds).
  auto count = [&](const nlohmann::json& v, int64_t* out) {
    if (!v.is_number_integer()) return false;
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = v.get<int64_t>();
    return *out >= 0;
  };
  EmbedCallStats s;
  try {
    int64_t sum_us = 0, max_us = 0;
    if (!count(j.at("calls"), &s.calls) || !count(j.at("texts"), &s.texts) || !count(j.at("failed_calls"), &s.failed_calls) ||
        !count(j.at("retries"), &s.retries) || !count(j.at("latency_sum_us"), &sum_us) ||
        !count(j.at("latency_max_us"), &max_us) || !count(j.at("last_error_ms"), &s.last_error_ms)) {
      return bad("a count that is not a non-negative integer");
    }
    s.latency_sum_ms = static_cast<double>(sum_us) / 1000.0;
    s.latency_max_ms = static_cast<double>(max_us) / 1000.0;
    const auto& b = j.at("latency_buckets");
    if (!b.is_array() || b.size() != kLatencyBuckets) return bad("latency_buckets must hold " + std::to_string(kLatencyBuckets) + " counts");
    int64_t n = 0;
    for (size_t i = 0; i < kLatencyBuckets; ++i) {
      if (!count(b[i], &s.latency_buckets[i]) || s.latency_buckets[i] > INT64_MAX - n) return bad("a bad latency count");
      n += s.latency_buckets[i];
    }
    s.last_error = j.at("last_error").get<std::string>();
    if (s.failed_calls > s.calls || n != s.calls) return bad("inconsistent counts");
  } catch (const nlohmann::json::exception& e) {
    return bad(std::string("malformed: ") + e.what());
  }
  return s;
}

void EmbedStatsSink::AddCall(double latency_ms, int64_t texts, bool failed, int64_t retries, std::string_view error,
                             int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  s_.AddCall(latency_ms, texts, failed, retries);
  if (!error.empty()) s_.SetError(error, now_ms);
}

void EmbedStatsSink::Merge(const EmbedCallStats& s) {
  std::lock_guard<std::mutex> lock(mu_);
  s_.Merge(s);
}

EmbedCallStats EmbedStatsSink::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return s_;
}

EmbedCallStats EmbedStatsSink::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  EmbedCallStats out = std::move(s_);
  s_ = EmbedCallStats();
  return out;
}

std::string PersistableError(std::string_view message) {
  return embed::Snippet(embed::RedactedSpec(message), 300);
}

}  // namespace ailake::migrate
