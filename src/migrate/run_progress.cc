#include "migrate/run_progress.h"

namespace ailake::migrate {

void RunProgress::ReportLocked(const std::string& phase, bool force) {
  if (!fn_) return;
  const auto now = Clock::now();
  if (!force && now - last_report_ < std::chrono::milliseconds(100)) return;
  last_report_ = now;
  prog_.phase = phase;
  const double secs = std::chrono::duration<double>(now - start_).count();
  prog_.rows_per_s = secs > 0 ? static_cast<double>(result_.rows) / secs : 0;
  const int64_t left = prog_.rows_total - prog_.rows_done;
  prog_.eta_s = prog_.rows_per_s > 0 ? static_cast<double>(left) / prog_.rows_per_s : -1;
  prog_.bytes_written = result_.bytes_written;
  fn_(prog_);
}

void RunProgress::Report(const std::string& phase, bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  ReportLocked(phase, force);
}

void RunProgress::StartPass(size_t files_total, size_t files_done, int64_t rows_total, int64_t rows_done) {
  std::lock_guard<std::mutex> lock(mu_);
  prog_.files_total = files_total;
  prog_.files_done = files_done;
  prog_.rows_total = rows_total;
  prog_.rows_done = rows_done;
}

void RunProgress::AddRows(const std::string& phase, int64_t rows, int64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  prog_.rows_done += rows;
  result_.rows += rows;
  result_.bytes_written += bytes;
  ReportLocked(phase, false);
}

void RunProgress::TaskRecorded(int64_t texts_embedded) {
  std::lock_guard<std::mutex> lock(mu_);
  ++result_.tasks_run;
  result_.texts_embedded += texts_embedded;
  ++prog_.files_done;
}

void RunProgress::TasksCommitted(size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  result_.tasks_committed += n;
}

void RunProgress::Done() {
  std::lock_guard<std::mutex> lock(mu_);
  prog_.files_done = prog_.files_total;
  prog_.rows_done = prog_.rows_total;
  ReportLocked("done", true);
}

}  // namespace ailake::migrate
