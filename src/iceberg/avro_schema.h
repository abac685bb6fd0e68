// Avro schemas: parsed from and written to JSON, keeping every extra attribute.
//
// Iceberg stores its field ids as Avro attributes the Avro spec does not define: "field-id" on
// record fields, "element-id" on arrays, "key-id"/"value-id" on maps, plus logicalType, doc,
// default and the like. Generic Avro libraries often drop them (Debian's Avro C does), so this
// model keeps all unknown attributes verbatim in `attrs` (in their original order) and writes them
// back out, which is what lets an Iceberg reader map manifest columns by id.
//
// Supported: null, boolean, int, long, float, double, bytes, string, fixed, enum, record (and
// "error"), array, map, union; references to named types defined earlier. Recursive types (a record
// that contains itself) are not supported: manifests never need them and they would make the
// schema tree cyclic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ailake/status.h"

namespace ailake {

// Ordered so attributes and fields are written back in the order they were read.
using AvroJson = nlohmann::ordered_json;

enum class AvroType : uint8_t {
  kNull, kBoolean, kInt, kLong, kFloat, kDouble, kBytes, kString,
  kFixed, kEnum, kRecord, kArray, kMap, kUnion,
};
const char* AvroTypeName(AvroType type);

struct AvroSchema;
using AvroSchemaPtr = std::shared_ptr<const AvroSchema>;

struct AvroField {
  std::string name;
  AvroSchemaPtr type;
  AvroJson attrs = AvroJson::object();  // every field attribute except name and type
  // The Iceberg "field-id" attribute, when present and an integer.
  std::optional<int32_t> field_id() const;
};

// One node of a schema tree. Members are public: schemas are built once (by Parse or the builders
// below) and then shared read-only through AvroSchemaPtr.
struct AvroSchema {
  AvroType type = AvroType::kNull;
  std::string name;                     // record, enum, fixed: the simple or dotted name as written
  std::string space;                    // its effective namespace ("" when none)
  std::vector<AvroField> fields;        // record
  std::vector<std::string> symbols;     // enum
  int64_t fixed_size = 0;               // fixed
  AvroSchemaPtr items;                  // array
  AvroSchemaPtr values;                 // map
  std::vector<AvroSchemaPtr> branches;  // union
  AvroJson attrs = AvroJson::object();  // extra attributes: logicalType, element-id, key-id, doc, ...

  bool is_named() const { return type == AvroType::kRecord || type == AvroType::kEnum || type == AvroType::kFixed; }
  // "namespace.name" (or the dotted name itself).
  std::string full_name() const;
  // Integer / string attribute of this node, if present with that JSON type.
  std::optional<int64_t> IntAttr(std::string_view key) const;
  std::optional<std::string> StringAttr(std::string_view key) const;

  // Record field lookup: index into `fields`, or -1.
  int FieldIndex(std::string_view field_name) const;
  int FieldIndexById(int32_t field_id) const;
  // For a ["null", T] / [T, "null"] union: the index of T, else -1.
  int NullableBranch() const;

  // JSON form; named types appear in full once, then by name.
  AvroJson ToJson() const;
  std::string ToJsonString() const;  // compact

  // Parses schema JSON text. Untrusted (it comes from file headers): depth is capped, every error is
  // kInvalidArgument naming the offending path, and no exception escapes.
  static Result<AvroSchemaPtr> Parse(std::string_view json_text);
  static Result<AvroSchemaPtr> FromJson(const AvroJson& json);

  // Builders for code that defines schemas (the Iceberg manifest schemas). They do not validate;
  // AvroFileWriter validates by round-tripping the JSON through Parse.
  static AvroSchemaPtr Primitive(AvroType type, AvroJson attrs = AvroJson::object());
  static AvroSchemaPtr Record(std::string name, std::vector<AvroField> fields, AvroJson attrs = AvroJson::object());
  static AvroSchemaPtr Array(AvroSchemaPtr items, AvroJson attrs = AvroJson::object());  // e.g. {"element-id": 5}
  static AvroSchemaPtr Map(AvroSchemaPtr values, AvroJson attrs = AvroJson::object());   // e.g. key-id/value-id
  static AvroSchemaPtr Union(std::vector<AvroSchemaPtr> branches);
  static AvroSchemaPtr Optional(AvroSchemaPtr type);  // ["null", type]
  static AvroSchemaPtr Fixed(std::string name, int64_t size, AvroJson attrs = AvroJson::object());
  static AvroSchemaPtr Enum(std::string name, std::vector<std::string> symbols, AvroJson attrs = AvroJson::object());
};

// A record field with an Iceberg field id (and optional extra attributes such as doc or default).
AvroField AvroFieldWithId(std::string name, AvroSchemaPtr type, int32_t field_id,
                          AvroJson extra_attrs = AvroJson::object());

}  // namespace ailake
