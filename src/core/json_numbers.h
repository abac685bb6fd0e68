// Numbers in JSON documents read back from a warehouse (table metadata, migration job and task
// records) are untrusted. nlohmann's get<int64_t>() / get<int>() on a floating-point value casts it,
// and a value outside the integer's range makes that cast undefined behaviour. The documents we
// read this way hold integers only where they hold numbers, so each parser checks the whole
// document once, before reading fields: any non-integer number must be finite and within int32
// range (every integer field we read is at least that wide), else the document is Corruption.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ailake/status.h"

namespace ailake {

Status CheckJsonNumbersCastable(const nlohmann::json& doc, const std::string& where);

}  // namespace ailake
