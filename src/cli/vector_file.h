// Query vectors for the CLI: .fvecs files. The reader is the library's (ailake/file.h); this header
// keeps the name the table commands use.
#pragma once

#include "ailake/file.h"

namespace ailake::cli {

using ::ailake::FvecsData;
using ::ailake::ReadFvecs;

}  // namespace ailake::cli
