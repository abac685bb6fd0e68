// Batch values as JSON text: the one rendering `ailake cat` and `ailake search --format json` use.
//   integers -> JSON numbers; float/double -> shortest round-trip decimal, NaN/Inf -> "NaN",
//   "Infinity", "-Infinity" (strings); strings -> JSON strings (invalid UTF-8 bytes become U+FFFD);
//   binary and fixed-size binary -> base64 strings; date -> "YYYY-MM-DD"; timestamp -> ISO-8601 UTC
//   with the unit's fraction digits ("2024-01-02T03:04:05.123456Z"); list -> array; null -> null.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parquet/batch.h"

namespace ailake::parquet {

void AppendValueJson(const Column& column, int64_t row, TimeUnit unit, std::string* out);
// {"name": value, ...} for one row, fields in schema order.
std::string RowToJson(const Batch& batch, int64_t row);

std::string Base64Encode(std::string_view bytes);
std::string FormatDate(int64_t days_since_epoch);
std::string FormatTimestamp(int64_t value, TimeUnit unit);
void AppendJsonString(std::string_view s, std::string* out);
void AppendJsonDouble(double v, std::string* out);
void AppendJsonFloat(float v, std::string* out);

}  // namespace ailake::parquet
