// Shared by the predicate sources (not a public header).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ailake/status.h"

namespace ailake::table::predicate_internal {

// InvalidArgument "--where: <what> at column <pos+1>: "<text or an excerpt around pos>"".
Status WhereError(std::string_view text, const std::string& what, int32_t pos);

// Three-valued truth as one byte, ordered so that AND is min, OR is max and NOT is 2 - v.
inline constexpr uint8_t kFalse = 0, kUnknown = 1, kTrue = 2;

}  // namespace ailake::table::predicate_internal
