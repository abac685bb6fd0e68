// The public instant grammar (ailake/time.h) is core/civil_time.h's, the one the CLI and ingest use.
#include "ailake/time.h"

#include <charconv>
#include <chrono>

#include "core/civil_time.h"

namespace ailake {

Result<int64_t> ParseInstantMs(std::string_view text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!text.empty() && ec == std::errc() && p == text.data() + text.size()) return v;
  auto t = civil::ParseInstant(text);
  if (!t.ok()) {
    return Status::InvalidArgument("time " + t.status().message() +
                                   ": give YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM] or "
                                   "milliseconds since the epoch");
  }
  return civil::ToUnits(*t, 1000);  // four-digit years: always fits
}

std::string FormatInstantMs(int64_t ms) { return civil::FormatDateTime(ms, 3); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace ailake
