// An Arrow-like columnar batch: what the Parquet writer takes and the reader returns.
//
// Layout per column (Column):
//   validity  one bit per row, LSB-first (bit i of byte i/8); 1 = value present. Empty = no nulls.
//   values    fixed-width types: length * width bytes, little-endian (bool: 1 byte per row, 0/1;
//             date: int32 days since 1970-01-01; timestamp: int64 in `unit` since the epoch;
//             fixed-size binary: length * fixed_len bytes). Null rows hold zero bytes.
//   offsets   string/binary/list: length + 1 int64 offsets into `values` (string/binary bytes) or
//             into `child` (list elements); a null row has offsets[i] == offsets[i+1].
//   child     list: the element column (a primitive column with its own validity).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ailake/status.h"

namespace ailake::parquet {

enum class DataType : uint8_t {
  kBool,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,       // UTF-8
  kBinary,
  kFixedBinary,  // fixed_len bytes per value (vector columns)
  kDate,         // int32 days since epoch
  kTimestamp,    // int64 since epoch in `unit`, UTC
  kList,         // list of a primitive element type (read support; embeddings from other tools)
};
std::string_view DataTypeName(DataType t);

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

// Reader side: Parquet logical types with no DataType of their own, and how their values are held.
// Only kUnsigned and kJson change how a value is rendered (value_json.h); the others are plain
// strings whose Logical says what the text means.
enum class Logical : uint8_t {
  kNone,
  kUnsigned,   // kInt64 holding the bit pattern of an unsigned 64-bit integer (UINT_64 / INT(64,false))
  kDecimal,    // kString: the exact decimal text, e.g. "-12.340" (precision/scale in Field)
  kTime,       // kString: time of day "HH:MM:SS.fff" (3, 6 or 9 fraction digits by unit)
  kUuid,       // kString: canonical lower-case "8-4-4-4-12" text
  kInt96,      // kString: legacy INT96 timestamp as ISO-8601 UTC with 9 fraction digits, any year
  kInterval,   // kString: INTERVAL (months, days, milliseconds) as ISO-8601 duration "P14M3DT1.500S"
  kJson,       // kString: one JSON document per row (structs, maps, nested lists; see reader_schema.h)
};
std::string_view LogicalName(Logical l);

struct KeyValue {
  std::string key;
  std::string value;
};

struct Field {
  std::string name;
  DataType type = DataType::kInt64;
  bool nullable = true;
  int32_t fixed_len = 0;                  // kFixedBinary
  TimeUnit unit = TimeUnit::kMicros;      // kTimestamp
  DataType element_type = DataType::kFloat;  // kList: element type (primitive)
  int32_t field_id = -1;                  // Parquet field_id (Iceberg column id); -1 = none
  std::vector<KeyValue> metadata;         // per-field key/value (stored in the file KV as "<name>.<key>")
  Logical logical = Logical::kNone;       // reader: see Logical
  int32_t precision = 0;                  // Logical::kDecimal
  int32_t scale = 0;                      // Logical::kDecimal

  static Field Make(std::string name, DataType type, bool nullable = true) {
    Field f;
    f.name = std::move(name);
    f.type = type;
    f.nullable = nullable;
    return f;
  }
  static Field FixedBinary(std::string name, int32_t len, bool nullable = true) {
    Field f = Make(std::move(name), DataType::kFixedBinary, nullable);
    f.fixed_len = len;
    return f;
  }
};

struct Schema {
  std::vector<Field> fields;
  int FieldIndex(std::string_view name) const;  // -1 when absent
};

// Byte width of a fixed-width value in Column::values (0 for variable-width and list).
int32_t FixedWidth(const Field& field);

class Column {
 public:
  Column() = default;
  explicit Column(const Field& field);

  DataType type() const { return type_; }
  int64_t length() const { return length_; }
  int32_t fixed_len() const { return fixed_len_; }

  bool IsValid(int64_t i) const { return validity_.empty() || ((validity_[i >> 3] >> (i & 7)) & 1); }
  int64_t null_count() const;

  // Typed access (caller checks type and IsValid).
  template <typename T>
  T Value(int64_t i) const {
    T v;
    __builtin_memcpy(&v, values_.data() + i * sizeof(T), sizeof(T));
    return v;
  }
  std::string_view StringValue(int64_t i) const {  // kString / kBinary
    return {reinterpret_cast<const char*>(values_.data() + offsets_[i]), size_t(offsets_[i + 1] - offsets_[i])};
  }
  const uint8_t* FixedValue(int64_t i) const { return values_.data() + i * fixed_len_; }  // kFixedBinary
  // kList: element range [ListBegin(i), ListEnd(i)) of child().
  int64_t ListBegin(int64_t i) const { return offsets_[i]; }
  int64_t ListEnd(int64_t i) const { return offsets_[i + 1]; }

  // Appends (type must match; no conversion).
  void AppendNull();
  void AppendBool(bool v);
  void AppendInt32(int32_t v);   // kInt32, kDate
  void AppendInt64(int64_t v);   // kInt64, kTimestamp
  void AppendFloat(float v);
  void AppendDouble(double v);
  void AppendString(std::string_view v);  // kString, kBinary
  void AppendFixed(const uint8_t* bytes);  // kFixedBinary: fixed_len bytes
  // kList: the caller appends the elements to child() first, then closes the row.
  void AppendListEnd();

  void Reserve(int64_t rows, int64_t var_bytes = 0);

  // Raw buffers (for codecs and zero-copy consumers).
  std::vector<uint8_t>& validity() { return validity_; }
  const std::vector<uint8_t>& validity() const { return validity_; }
  std::vector<uint8_t>& values() { return values_; }
  const std::vector<uint8_t>& values() const { return values_; }
  std::vector<int64_t>& offsets() { return offsets_; }
  const std::vector<int64_t>& offsets() const { return offsets_; }
  Column* child() { return child_.get(); }
  const Column* child() const { return child_.get(); }
  void set_length(int64_t n) { length_ = n; }

  // Makes sure a validity bitmap exists (all ones for the rows so far).
  void MaterializeValidity();
  // Sets validity bit i (bitmap must exist and cover i).
  void SetValid(int64_t i, bool valid);

  // A new column holding rows [offset, offset + count).
  Column Slice(int64_t offset, int64_t count) const;

 private:
  void AppendValidBit();
  DataType type_ = DataType::kInt64;
  int32_t fixed_len_ = 0;
  int64_t length_ = 0;
  std::vector<uint8_t> validity_;
  std::vector<uint8_t> values_;
  std::vector<int64_t> offsets_;
  std::shared_ptr<Column> child_;
};

struct Batch {
  Schema schema;
  std::vector<Column> columns;
  int64_t num_rows = 0;

  static Batch Empty(const Schema& schema);  // one empty column per field
  // Checks column count/types/lengths against the schema and offsets/bitmap sizes.
  Status Validate() const;
  // Appends all rows of `other` (same schema).
  Status Append(const Batch& other);
  Batch Slice(int64_t offset, int64_t count) const;
};

}  // namespace ailake::parquet
