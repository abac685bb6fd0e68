// Batch values as JSON text: the one rendering `ailake cat` and `ailake search --format json` use.
//   integers -> JSON numbers; float/double -> shortest round-trip decimal, NaN/Inf -> "NaN",
//   "Infinity", "-Infinity" (strings); strings -> JSON strings (invalid UTF-8 bytes become U+FFFD);
//   binary and fixed-size binary -> base64 strings; date -> "YYYY-MM-DD"; timestamp -> ISO-8601 UTC
//   with the unit's fraction digits ("2024-01-02T03:04:05.123456Z"); list -> array; null -> null.
// With the Field (Logical): UINT64 (kUnsigned) -> unsigned JSON number; nested values (kJson) ->
//   the JSON document itself; decimals, times, UUIDs and INT96 timestamps are their text.
// Years outside 0000..9999 print with as many digits as needed, negative years astronomically
// ("-0001" is 2 BC), as ISO 8601's expanded representation does. The calendar and the date/time
// text are core/civil_time.h's; the functions below only map a TimeUnit to its fraction digits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parquet/batch.h"

namespace ailake::parquet {

void AppendValueJson(const Column& column, int64_t row, TimeUnit unit, std::string* out);
// The full rendering: honours field.logical (the reader's columns need it; see batch.h Logical).
void AppendValueJson(const Field& field, const Column& column, int64_t row, std::string* out);
// {"name": value, ...} for one row, fields in schema order.
std::string RowToJson(const Batch& batch, int64_t row);

std::string Base64Encode(std::string_view bytes);
std::string FormatDate(int64_t days_since_epoch);
std::string FormatTimestamp(int64_t value, TimeUnit unit);
// days since the epoch + time within the day in `unit` (0 <= time_of_day < one day).
std::string FormatTimestampParts(int64_t days, int64_t time_of_day, TimeUnit unit);
// Time of day in `unit` as "HH:MM:SS" plus the unit's fraction digits (3/6/9); values outside one
// day keep their hours (e.g. "24:00:00.000") and negatives a leading '-': nothing is wrapped.
std::string FormatTimeOfDay(int64_t value, TimeUnit unit);
// Unscaled two's complement value and scale -> exact decimal text ("-0.05", "12.340", "7").
std::string FormatDecimal(__int128 unscaled, int32_t scale);
// Parquet INTERVAL -> ISO-8601 duration with every part: "P14M3DT1.500S" (months are not folded
// into years, nor days into months: the three units are independent in Parquet).
std::string FormatInterval(uint32_t months, uint32_t days, uint32_t millis);
// 16 bytes -> "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case).
std::string FormatUuid(const uint8_t* bytes);
void AppendJsonString(std::string_view s, std::string* out);
void AppendJsonDouble(double v, std::string* out);
void AppendJsonFloat(float v, std::string* out);

}  // namespace ailake::parquet
