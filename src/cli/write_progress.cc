#include "cli/write_progress.h"

namespace ailake::cli {

void ShowWriteProgress(ProgressPrinter& printer, const WriteProgress& p) {
  table::IngestProgress ip;
  ip.phase = p.phase;
  ip.rows_done = p.rows_done;
  ip.rows_embedded = p.rows_embedded;
  ip.input_fraction = p.input_fraction;
  ip.files_done = p.files_done;
  ip.rows_per_s = p.rows_per_s;
  ip.eta_s = p.eta_s;
  printer.Update(ip);
}

}  // namespace ailake::cli
