// Values: a small columnar batch of rows, the public currency for rows going into and coming out of
// a table (Table::Add, SearchResult::values). Deliberately plain: std::vector storage that maps
// one-to-one onto numpy arrays, pandas columns and Arrow arrays (the Python package exports it
// through the Arrow C stream interface without re-encoding).
//
// Types an ailake table column can have (docs/CLI.md `create --columns`) and how they are held:
//   kBool                ints      0 / 1
//   kInt32, kInt64       ints
//   kFloat32, kFloat64   doubles   (kFloat32 values are exactly representable floats)
//   kString              strings   UTF-8
//   kBinary              strings   raw bytes
//   kDate                ints      days since 1970-01-01
//   kTimestamp           ints      microseconds since 1970-01-01T00:00:00Z (Iceberg timestamptz)
// Exactly one of ints / doubles / strings is used per column, with one entry per row (a null row
// holds 0 / 0.0 / "" there); `valid` is empty when no row is null, else one byte per row (1 = value).
//
// Thread safety: plain values; const access from several threads is safe.
#pragma once

#include "ailake/export.h"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"

namespace ailake {

enum class ValueType : uint8_t {
  kBool, kInt32, kInt64, kFloat32, kFloat64, kString, kBinary, kDate, kTimestamp
};
AILAKE_EXPORT std::string_view ValueTypeName(ValueType t);  // "boolean", "int", "long", "float", "double", "string",
                                              // "binary", "date", "timestamptz" (Iceberg's names)
AILAKE_EXPORT Result<ValueType> ParseValueType(std::string_view name);

struct AILAKE_EXPORT Column {
  std::string name{};
  ValueType type = ValueType::kString;
  std::vector<int64_t> ints{};
  std::vector<double> doubles{};
  std::vector<std::string> strings{};
  std::vector<uint8_t> valid{};  // empty = every row valid

  size_t size() const;
  bool is_null(size_t row) const { return !valid.empty() && valid[row] == 0; }
  // Appenders keep `valid` consistent (it is materialised at the first null).
  void AppendNull();
  void AppendInt(int64_t v);
  void AppendDouble(double v);
  void AppendString(std::string v);
  // The value as JSON text: null, true/false, numbers, "strings" (binary as base64 is NOT used:
  // binary is printed as a JSON string of its bytes with \u escapes), dates "YYYY-MM-DD",
  // timestamps "YYYY-MM-DDTHH:MM:SS.ffffffZ".
  std::string ValueJson(size_t row) const;
};

struct AILAKE_EXPORT RecordBatch {
  std::vector<Column> columns{};
  size_t num_rows() const { return columns.empty() ? 0 : columns.front().size(); }
  const Column* Find(std::string_view name) const;
  Column* Find(std::string_view name);
  // OK when every column has num_rows() rows and consistent storage for its type; else
  // InvalidArgument naming the column.
  Status Validate() const;
};

}  // namespace ailake
