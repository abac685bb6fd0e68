// Instants as users write them (one grammar everywhere: the CLI's --as-of/--older-than, --where
// literals, ingest of date/timestamp columns; core/civil_time.h implements it).
#pragma once

#include "ailake/export.h"
#include <cstdint>
#include <string>
#include <string_view>

#include "ailake/status.h"

namespace ailake {

// "2024-01-02T03:04:05Z", "2024-01-02 03:04:05.678+02:00", "2024-01-02" (midnight UTC) or integer
// milliseconds since the epoch -> ms since the epoch. Impossible dates (2023-02-31) are
// InvalidArgument naming the reason.
AILAKE_EXPORT Result<int64_t> ParseInstantMs(std::string_view text);
// "2024-01-02T03:04:05.678Z".
AILAKE_EXPORT std::string FormatInstantMs(int64_t ms);
// Milliseconds since the epoch, now.
AILAKE_EXPORT int64_t NowMs();

}  // namespace ailake
