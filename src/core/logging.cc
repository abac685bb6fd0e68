#include "core/logging.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace ailake {

namespace {
LogLevel LevelFromEnv() {
  const char* v = std::getenv("AILAKE_LOG");
  if (!v) return LogLevel::kWarn;
  if (!std::strcmp(v, "error")) return LogLevel::kError;
  if (!std::strcmp(v, "info")) return LogLevel::kInfo;
  if (!std::strcmp(v, "debug")) return LogLevel::kDebug;
  return LogLevel::kWarn;
}
std::atomic<int>& LevelSlot() {
  static std::atomic<int> level{static_cast<int>(LevelFromEnv())};
  return level;
}
const char* LevelTag(LogLevel l) {
  switch (l) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "?";
}
}  // namespace

LogLevel CurrentLogLevel() { return static_cast<LogLevel>(LevelSlot().load()); }
void SetLogLevel(LogLevel level) { LevelSlot().store(static_cast<int>(level)); }

void Log(LogLevel level, const std::string& message) {
  if (static_cast<int>(level) > LevelSlot().load()) return;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "ailake [%s] %s\n", LevelTag(level), message.c_str());
}

}  // namespace ailake
