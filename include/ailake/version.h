// The library's version (semantic versioning; the on-disk format has its own, docs/FORMAT.md).
#pragma once

#include "ailake/export.h"

#define AILAKE_VERSION_MAJOR 0
#define AILAKE_VERSION_MINOR 2
#define AILAKE_VERSION_PATCH 0

namespace ailake {
// "0.2.0"
AILAKE_EXPORT const char* Version();
}  // namespace ailake
