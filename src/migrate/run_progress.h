// The tally and progress reports of one MigrationJob run (Run or Commit), shared by the driving
// thread and the task threads: every method locks, and the progress callback is called under the
// same lock, so reports never interleave.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "migrate/migration_job.h"

namespace ailake::migrate {

class RunProgress {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RunProgress(const ProgressFn& fn) : fn_(fn), start_(Clock::now()), last_report_(start_ - std::chrono::seconds(10)) {}

  // Reports `phase`; unforced reports are rate-limited to one per 100 ms.
  void Report(const std::string& phase, bool force);
  // The file and row counts a pass starts from.
  void StartPass(size_t files_total, size_t files_done, int64_t rows_total, int64_t rows_done);
  // A task appended `rows` rows / wrote `bytes` bytes (rate-limited report).
  void AddRows(const std::string& phase, int64_t rows, int64_t bytes);
  // A task this run embedded was recorded.
  void TaskRecorded(int64_t texts_embedded);
  void TasksCommitted(size_t n);
  // Everything is done: counts at their totals, the "done" report.
  void Done();

  // The result so far. Only while no task thread runs.
  RunResult& result() { return result_; }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  void ReportLocked(const std::string& phase, bool force);

  const ProgressFn& fn_;
  const Clock::time_point start_;
  std::mutex mu_;
  Clock::time_point last_report_;
  MigrationProgress prog_;
  RunResult result_;
};

}  // namespace ailake::migrate
