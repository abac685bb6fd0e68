// The ailake public API: include this, link ailake (CMake: find_package(ailake) +
// target_link_libraries(app ailake::ailake); pkg-config: ailake). docs/API.md is the guide.
#pragma once

#include "ailake/embedder.h"
#include "ailake/file.h"
#include "ailake/migration.h"
#include "ailake/status.h"
#include "ailake/table.h"
#include "ailake/time.h"
#include "ailake/types.h"
#include "ailake/values.h"
#include "ailake/version.h"
#include "ailake/warehouse.h"
