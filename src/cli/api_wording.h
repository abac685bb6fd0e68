// The public API's errors name option fields ("set WriteOptions.embedder"); the CLI's users set
// flags, so its commands turn the advice back into flag names before printing it.
#pragma once

#include "ailake/status.h"

namespace ailake::cli {

Status CliWording(const Status& st);

}  // namespace ailake::cli
