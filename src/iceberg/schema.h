// Iceberg schemas: nested types with field ids, and their JSON form (Iceberg spec, "Schemas and
// Data Types" and "Appendix C: JSON serialization").
//
// Field ids are the identity of a column across renames and across files: the Parquet writer stores
// them as field_id, manifests refer to them, and last-column-id in the table metadata is the
// highest one ever assigned.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake::iceberg {

enum class TypeId {
  kBoolean, kInt, kLong, kFloat, kDouble, kDate, kTime, kTimestamp, kTimestampTz, kString, kUuid,
  kFixed, kBinary, kDecimal, kStruct, kList, kMap
};

struct Type;
using TypePtr = std::shared_ptr<const Type>;

struct NestedField {
  int id = 0;
  std::string name;
  bool required = false;
  TypePtr type;
  std::string doc;
};

struct Type {
  TypeId id = TypeId::kString;
  int fixed_length = 0;          // kFixed
  int precision = 0, scale = 0;  // kDecimal
  std::vector<NestedField> fields;  // kStruct
  int element_id = 0;            // kList
  bool element_required = false;
  TypePtr element;
  int key_id = 0, value_id = 0;  // kMap
  bool value_required = false;
  TypePtr key, value;

  bool is_primitive() const { return id != TypeId::kStruct && id != TypeId::kList && id != TypeId::kMap; }
  static TypePtr Primitive(TypeId id);
  static TypePtr Fixed(int length);
};

// "long", "fixed[16]", "decimal(9,2)", ... for primitives; "struct"/"list"/"map" otherwise.
std::string TypeToString(const Type& t);
bool TypesEqual(const Type& a, const Type& b);

struct Schema {
  int schema_id = 0;
  std::vector<NestedField> fields;
  std::vector<int> identifier_field_ids;

  const NestedField* FindField(const std::string& name) const;  // top level
  const NestedField* FindFieldById(int id) const;                 // any depth
  int HighestFieldId() const;                                     // 0 for an empty schema
  // Same fields (ids, names, types, required) ignoring schema_id.
  bool SameStructure(const Schema& other) const;
};

nlohmann::json TypeToJson(const Type& t);
Result<TypePtr> TypeFromJson(const nlohmann::json& j);
nlohmann::json SchemaToJson(const Schema& s);
Result<Schema> SchemaFromJson(const nlohmann::json& j);
// Checks field ids are unique and positive, names non-empty and unique within each struct.
Status ValidateSchema(const Schema& s);

}  // namespace ailake::iceberg
