// AvroValue: a generic Avro datum (a tree), interpreted against an AvroSchema.
//
// Records hold their fields by position (the schema names them); maps hold entries in file order.
// A union value is simply the value of the chosen branch: `union_branch()` records which branch a
// decoded value came from (-1 when unknown), and the encoder honours it when set, otherwise it
// picks the first branch whose type fits the value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "iceberg/avro_schema.h"

namespace ailake {

enum class AvroValueKind : uint8_t {
  kNull, kBoolean, kInt, kLong, kFloat, kDouble, kBytes, kString, kFixed, kEnum, kRecord, kArray, kMap,
};
const char* AvroValueKindName(AvroValueKind kind);

class AvroValue {
 public:
  using Bytes = std::vector<uint8_t>;
  using List = std::vector<AvroValue>;
  using Entries = std::vector<std::pair<std::string, AvroValue>>;

  AvroValue() = default;  // null

  static AvroValue Null() { return AvroValue(); }
  static AvroValue Boolean(bool v) { return AvroValue(AvroValueKind::kBoolean, Storage(std::in_place_type<bool>, v)); }
  static AvroValue Int(int32_t v) { return AvroValue(AvroValueKind::kInt, Storage(std::in_place_type<int32_t>, v)); }
  static AvroValue Long(int64_t v) { return AvroValue(AvroValueKind::kLong, Storage(std::in_place_type<int64_t>, v)); }
  static AvroValue Float(float v) { return AvroValue(AvroValueKind::kFloat, Storage(std::in_place_type<float>, v)); }
  static AvroValue Double(double v) { return AvroValue(AvroValueKind::kDouble, Storage(std::in_place_type<double>, v)); }
  static AvroValue BytesValue(Bytes v) { return AvroValue(AvroValueKind::kBytes, Storage(std::in_place_type<Bytes>, std::move(v))); }
  static AvroValue String(std::string v) { return AvroValue(AvroValueKind::kString, Storage(std::in_place_type<std::string>, std::move(v))); }
  static AvroValue Fixed(Bytes v) { return AvroValue(AvroValueKind::kFixed, Storage(std::in_place_type<Bytes>, std::move(v))); }
  static AvroValue Enum(int32_t index) { return AvroValue(AvroValueKind::kEnum, Storage(std::in_place_type<int32_t>, index)); }
  static AvroValue Record(List fields) { return AvroValue(AvroValueKind::kRecord, Storage(std::in_place_type<List>, std::move(fields))); }
  static AvroValue Array(List items) { return AvroValue(AvroValueKind::kArray, Storage(std::in_place_type<List>, std::move(items))); }
  static AvroValue Map(Entries entries) { return AvroValue(AvroValueKind::kMap, Storage(std::in_place_type<Entries>, std::move(entries))); }

  AvroValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == AvroValueKind::kNull; }

  // Accessors; calling one that does not match kind() is a programming error (asserts in debug,
  // std::bad_variant_access otherwise), so callers check kind() on untrusted data first.
  bool boolean() const { return std::get<bool>(v_); }
  int32_t int32() const { return std::get<int32_t>(v_); }  // kInt and kEnum
  int64_t int64() const { return std::get<int64_t>(v_); }
  float float32() const { return std::get<float>(v_); }
  double float64() const { return std::get<double>(v_); }
  const Bytes& bytes() const { return std::get<Bytes>(v_); }  // kBytes and kFixed
  const std::string& string() const { return std::get<std::string>(v_); }
  int32_t enum_index() const { return std::get<int32_t>(v_); }
  const List& fields() const { return std::get<List>(v_); }  // kRecord
  List& fields() { return std::get<List>(v_); }
  const List& items() const { return std::get<List>(v_); }  // kArray
  List& items() { return std::get<List>(v_); }
  const Entries& entries() const { return std::get<Entries>(v_); }
  Entries& entries() { return std::get<Entries>(v_); }

  // Integer value of an int or long; false for other kinds.
  bool GetInteger(int64_t* out) const;

  int union_branch() const { return union_branch_; }
  AvroValue& set_union_branch(int branch) {
    union_branch_ = branch;
    return *this;
  }

  // Record field by name or by Iceberg field id, given the record's schema; nullptr when the schema
  // has no such field or this value does not fit the schema.
  const AvroValue* Field(const AvroSchema& record_schema, std::string_view name) const;
  const AvroValue* FieldById(const AvroSchema& record_schema, int32_t field_id) const;

  // Structural equality. Floating point compares bit patterns (so NaN == NaN after a round trip);
  // union_branch is ignored.
  bool operator==(const AvroValue& other) const;
  bool operator!=(const AvroValue& other) const { return !(*this == other); }

 private:
  using Storage = std::variant<std::monostate, bool, int32_t, int64_t, float, double, Bytes, std::string, List, Entries>;
  AvroValue(AvroValueKind kind, Storage v) : kind_(kind), v_(std::move(v)) {}

  AvroValueKind kind_ = AvroValueKind::kNull;
  int union_branch_ = -1;
  Storage v_;
};

// JSON rendering for inspection and for comparing with other Avro implementations in tests:
// records as objects by field name, maps as objects, unions as the branch value, bytes and fixed as
// lowercase hex, enums as their symbol, NaN/Infinity as the strings "NaN", "Infinity", "-Infinity".
// Fails with kInvalidArgument when the value does not fit the schema.
Result<AvroJson> AvroValueToJson(const AvroSchema& schema, const AvroValue& value);
// The inverse (for tests and hand-written fixtures): integers for int/long, numbers (or the strings
// above) for float/double, hex strings for bytes/fixed, symbols for enums; a union takes the first
// branch the JSON value fits (null for null).
Result<AvroValue> AvroValueFromJson(const AvroSchema& schema, const AvroJson& json);

}  // namespace ailake

namespace ailake {

// How well `value` fits the non-union schema `schema` at its top level: 2 exact kind, 1 by a lossless
// promotion (int -> long, int/long/float -> double, int/long -> float, long -> int when in range),
// 0 not at all.
int AvroFitScore(const AvroSchema& schema, const AvroValue& value);
// The union branch to encode `value` with: its union_branch() when set and valid, else the best
// fitting branch (the first among equals); -1 when none fits.
int AvroChooseBranch(const AvroSchema& union_schema, const AvroValue& value);

}  // namespace ailake
