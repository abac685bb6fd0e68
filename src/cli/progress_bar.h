// Migration and insert progress for humans: a redrawn one-line bar on a terminal, plain lines (at most one
// every few seconds, plus phase changes) when stderr is a file or a pipe, nothing with --quiet.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "ailake/migration.h"
#include "ailake/table.h"

namespace ailake::cli {

class ProgressPrinter {
 public:
  enum class Mode { kBar, kLines, kQuiet };
  ProgressPrinter(std::ostream& out, Mode mode) : out_(out), mode_(mode) {}
  // kBar when `fd` is a terminal, else kLines; kQuiet when quiet.
  static Mode ModeFor(int fd, bool quiet);

  void Update(const MigrationProgress& p);
  void Update(const WriteProgress& p);
  // Ends the bar's line (call once the run is over).
  void Finish();

  // "1.2 GB", "850 kB"; "3m05s"; used by the summaries too.
  static std::string Bytes(double bytes);
  static std::string Duration(double seconds);

 private:
  // One bar (terminal) or one rate-limited line: `frac` in [0, 1] or -1 when unknown.
  void Draw(const std::string& phase, double frac, const std::string& stats);

  std::ostream& out_;
  Mode mode_;
  std::string last_phase_;
  std::chrono::steady_clock::time_point last_line_{};
  bool drawn_ = false;
};

}  // namespace ailake::cli
