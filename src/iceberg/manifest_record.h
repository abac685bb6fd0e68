// Building and reading one manifest record through its field table (manifest_fields.h).
//
// RecordBuilder fills a record slot by slot; a field left unset is null, which is the value of
// every optional field ailake does not write (key_metadata, equality_ids, ...).
// FieldReader reads a record decoded with the file's own schema: fields are found by the table's
// field id, so manifests written by other engines (other field order, extra fields) load. Input is
// untrusted: a missing field or one of the wrong kind is kCorruption naming it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/avro_value.h"
#include "iceberg/manifest_fields.h"

namespace ailake::iceberg {

template <typename E>
class RecordBuilder {
 public:
  RecordBuilder() : values_(static_cast<size_t>(E::kCount)) {}
  RecordBuilder& Set(E field, AvroValue value) {
    values_[static_cast<size_t>(field)] = std::move(value);
    return *this;
  }
  // Moves the values out: a builder builds once.
  AvroValue Build() { return AvroValue::Record(std::move(values_)); }

 private:
  AvroValue::List values_;
};

class FieldReader {
 public:
  FieldReader(const AvroSchema& schema, const AvroValue& value, std::string where)
      : schema_(schema), value_(value), where_(std::move(where)) {}

  // The field's value, or nullptr when the file's schema has no such field.
  const AvroValue* Get(const FieldSpec& f) const { return value_.FieldById(schema_, f.id); }
  // The field's schema in the file, with an optional union unwrapped; nullptr when absent.
  const AvroSchema* SchemaOf(const FieldSpec& f) const;
  // A required integer (int or long).
  Result<int64_t> Int(const FieldSpec& f) const;
  // An optional integer: absent or null is nullopt.
  Result<std::optional<int64_t>> OptInt(const FieldSpec& f) const;
  Result<std::string> Str(const FieldSpec& f) const;
  // map<int, long> / map<int, bytes> in Iceberg's array-of-records form; absent or null leaves `out`.
  Status IntMap(const FieldSpec& f, std::map<int32_t, int64_t>* out) const;
  Status IntMap(const FieldSpec& f, std::map<int32_t, std::vector<uint8_t>>* out) const;

  template <typename E>
  const AvroValue* Get(E f) const { return Get(Field(f)); }
  template <typename E>
  const AvroSchema* SchemaOf(E f) const { return SchemaOf(Field(f)); }
  template <typename E>
  Result<int64_t> Int(E f) const { return Int(Field(f)); }
  template <typename E>
  Result<std::optional<int64_t>> OptInt(E f) const { return OptInt(Field(f)); }
  template <typename E>
  Result<std::string> Str(E f) const { return Str(Field(f)); }
  template <typename E, typename T>
  Status IntMap(E f, std::map<int32_t, T>* out) const { return IntMap(Field(f), out); }

 private:
  // The entries of a map field as (key, value) pairs, checked to be key/value records.
  Status MapEntries(const FieldSpec& f, std::vector<std::pair<int32_t, const AvroValue*>>* out) const;

  const AvroSchema& schema_;
  const AvroValue& value_;
  const std::string where_;
};

}  // namespace ailake::iceberg
