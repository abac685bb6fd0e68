// Insert progress from the public API (WriteProgress) on the shared ProgressPrinter.
#pragma once

#include "ailake/table.h"
#include "cli/progress_bar.h"

namespace ailake::cli {

void ShowWriteProgress(ProgressPrinter& printer, const WriteProgress& p);

}  // namespace ailake::cli
