#include "cli/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ailake::cli {

ProgressPrinter::Mode ProgressPrinter::ModeFor(int fd, bool quiet) {
  if (quiet) return Mode::kQuiet;
  return isatty(fd) ? Mode::kBar : Mode::kLines;
}

std::string ProgressPrinter::Bytes(double b) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", b, kUnits[u]);
  return buf;
}

std::string ProgressPrinter::Duration(double s) {
  if (s < 0 || !std::isfinite(s)) return "?";
  const long long t = static_cast<long long>(s + 0.5);
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", t / 3600, (t / 60) % 60);
  } else if (t >= 60) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%llds", t);
  }
  return buf;
}

void ProgressPrinter::Update(const MigrationProgress& p) {
  if (mode_ == Mode::kQuiet) return;
  const double frac = p.rows_total > 0 ? std::min(1.0, static_cast<double>(p.rows_done) / static_cast<double>(p.rows_total)) : 1.0;
  char stats[256];
  std::snprintf(stats, sizeof(stats), "%-8s files %zu/%zu  rows %lld/%lld  %.0f rows/s  ETA %s  written %s",
                p.phase.c_str(), p.files_done, p.files_total, static_cast<long long>(p.rows_done),
                static_cast<long long>(p.rows_total), p.rows_per_s, Duration(p.eta_s).c_str(),
                Bytes(static_cast<double>(p.bytes_written)).c_str());
  Draw(p.phase, frac, stats);
}

void ProgressPrinter::Update(const WriteProgress& p) {
  if (mode_ == Mode::kQuiet) return;
  const double frac = p.phase == "done" ? 1.0 : p.input_fraction;
  char stats[256];
  std::snprintf(stats, sizeof(stats), "%-8s rows %lld  embedded %lld  files %zu  %.0f rows/s  ETA %s", p.phase.c_str(),
                static_cast<long long>(p.rows_done), static_cast<long long>(p.rows_embedded), p.files_done,
                p.rows_per_s, Duration(p.eta_s).c_str());
  Draw(p.phase, frac, stats);
}

void ProgressPrinter::Draw(const std::string& phase, double frac, const std::string& stats) {
  char pct[16];
  if (frac >= 0) {
    std::snprintf(pct, sizeof(pct), "%3.0f%%", frac * 100);
  } else {
    std::snprintf(pct, sizeof(pct), "   ?");
  }
  if (mode_ == Mode::kBar) {
    constexpr int kWidth = 28;
    const int fill = frac >= 0 ? static_cast<int>(frac * kWidth) : 0;
    std::string bar = "[" + std::string(static_cast<size_t>(fill), '#') + std::string(static_cast<size_t>(kWidth - fill), '.') + "]";
    out_ << "\r\033[K" << bar << " " << pct << " " << stats << std::flush;
    drawn_ = true;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (phase == last_phase_ && now - last_line_ < std::chrono::seconds(5) && phase != "done") return;
  last_phase_ = phase;
  last_line_ = now;
  out_ << "progress " << pct << " " << stats << "\n" << std::flush;
}

void ProgressPrinter::Finish() {
  if (mode_ == Mode::kBar && drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace ailake::cli
