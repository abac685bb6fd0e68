#include "iceberg/schema.h"

#include <cstdio>
#include <set>

namespace ailake::iceberg {

namespace {
using nlohmann::json;

struct PrimName {
  TypeId id;
  const char* name;
};
constexpr PrimName kPrims[] = {{TypeId::kBoolean, "boolean"}, {TypeId::kInt, "int"},         {TypeId::kLong, "long"},
                               {TypeId::kFloat, "float"},     {TypeId::kDouble, "double"},   {TypeId::kDate, "date"},
                               {TypeId::kTime, "time"},       {TypeId::kTimestamp, "timestamp"},
                               {TypeId::kTimestampTz, "timestamptz"},                        {TypeId::kString, "string"},
                               {TypeId::kUuid, "uuid"},       {TypeId::kBinary, "binary"}};

void MaxId(const Type& t, int* best) {
  for (const auto& f : t.fields) {
    *best = std::max(*best, f.id);
    MaxId(*f.type, best);
  }
  if (t.id == TypeId::kList) {
    *best = std::max(*best, t.element_id);
    MaxId(*t.element, best);
  }
  if (t.id == TypeId::kMap) {
    *best = std::max({*best, t.key_id, t.value_id});
    MaxId(*t.key, best);
    MaxId(*t.value, best);
  }
}

const NestedField* FindById(const std::vector<NestedField>& fields, int id) {
  for (const auto& f : fields) {
    if (f.id == id) return &f;
    if (f.type && !f.type->fields.empty()) {
      if (auto* g = FindById(f.type->fields, id)) return g;
    }
  }
  return nullptr;
}

bool FieldsEqual(const std::vector<NestedField>& a, const std::vector<NestedField>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].name != b[i].name || a[i].required != b[i].required ||
        !TypesEqual(*a[i].type, *b[i].type))
      return false;
  }
  return true;
}

Result<int> GetInt(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return Status::Corruption(where + ": '" + key + "' is missing or not an integer");
  }
  return it->get<int>();
}

Result<NestedField> FieldFromJson(const json& j) {
  if (!j.is_object()) return Status::Corruption("schema field is not a JSON object");
  NestedField f;
  AILAKE_ASSIGN_OR_RETURN(f.id, GetInt(j, "id", "schema field"));
  auto name = j.find("name");
  if (name == j.end() || !name->is_string()) return Status::Corruption("schema field " + std::to_string(f.id) + " has no name");
  f.name = name->get<std::string>();
  auto req = j.find("required");
  if (req == j.end() || !req->is_boolean()) return Status::Corruption("schema field '" + f.name + "' has no 'required'");
  f.required = req->get<bool>();
  auto type = j.find("type");
  if (type == j.end()) return Status::Corruption("schema field '" + f.name + "' has no type");
  AILAKE_ASSIGN_OR_RETURN(f.type, TypeFromJson(*type));
  if (auto doc = j.find("doc"); doc != j.end() && doc->is_string()) f.doc = doc->get<std::string>();
  return f;
}

json FieldToJson(const NestedField& f) {
  json j = {{"id", f.id}, {"name", f.name}, {"required", f.required}, {"type", TypeToJson(*f.type)}};
  if (!f.doc.empty()) j["doc"] = f.doc;
  return j;
}

Status CheckFields(const std::vector<NestedField>& fields, std::set<int>* ids) {
  std::set<std::string> names;
  for (const auto& f : fields) {
    if (f.id <= 0) return Status::InvalidArgument("field '" + f.name + "' has non-positive id " + std::to_string(f.id));
    if (!ids->insert(f.id).second) return Status::InvalidArgument("field id " + std::to_string(f.id) + " is used twice");
    if (f.name.empty()) return Status::InvalidArgument("field " + std::to_string(f.id) + " has an empty name");
    if (!names.insert(f.name).second) return Status::InvalidArgument("field name '" + f.name + "' is used twice");
    if (!f.type) return Status::InvalidArgument("field '" + f.name + "' has no type");
    if (f.type->id == TypeId::kStruct) AILAKE_RETURN_IF_ERROR(CheckFields(f.type->fields, ids));
    if (f.type->id == TypeId::kList && !ids->insert(f.type->element_id).second)
      return Status::InvalidArgument("list element id " + std::to_string(f.type->element_id) + " is used twice");
    if (f.type->id == TypeId::kMap && (!ids->insert(f.type->key_id).second || !ids->insert(f.type->value_id).second))
      return Status::InvalidArgument("map key/value ids of '" + f.name + "' collide");
  }
  return Status::OK();
}
}  // namespace

TypePtr Type::Primitive(TypeId id) {
  auto t = std::make_shared<Type>();
  t->id = id;
  return t;
}

TypePtr Type::Fixed(int length) {
  auto t = std::make_shared<Type>();
  t->id = TypeId::kFixed;
  t->fixed_length = length;
  return t;
}

std::string TypeToString(const Type& t) {
  for (const auto& p : kPrims)
    if (p.id == t.id) return p.name;
  switch (t.id) {
    case TypeId::kFixed: return "fixed[" + std::to_string(t.fixed_length) + "]";
    case TypeId::kDecimal: return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kStruct: return "struct";
    case TypeId::kList: return "list";
    case TypeId::kMap: return "map";
    default: return "unknown";
  }
}

bool TypesEqual(const Type& a, const Type& b) {
  if (a.id != b.id) return false;
  switch (a.id) {
    case TypeId::kFixed: return a.fixed_length == b.fixed_length;
    case TypeId::kDecimal: return a.precision == b.precision && a.scale == b.scale;
    case TypeId::kStruct: return FieldsEqual(a.fields, b.fields);
    case TypeId::kList:
      return a.element_id == b.element_id && a.element_required == b.element_required && TypesEqual(*a.element, *b.element);
    case TypeId::kMap:
      return a.key_id == b.key_id && a.value_id == b.value_id && a.value_required == b.value_required &&
             TypesEqual(*a.key, *b.key) && TypesEqual(*a.value, *b.value);
    default: return true;
  }
}

json TypeToJson(const Type& t) {
  switch (t.id) {
    case TypeId::kStruct: {
      json fields = json::array();
      for (const auto& f : t.fields) fields.push_back(FieldToJson(f));
      return {{"type", "struct"}, {"fields", fields}};
    }
    case TypeId::kList:
      return {{"type", "list"}, {"element-id", t.element_id}, {"element", TypeToJson(*t.element)},
              {"element-required", t.element_required}};
    case TypeId::kMap:
      return {{"type", "map"},       {"key-id", t.key_id}, {"key", TypeToJson(*t.key)}, {"value-id", t.value_id},
              {"value", TypeToJson(*t.value)}, {"value-required", t.value_required}};
    default: return TypeToString(t);
  }
}

Result<TypePtr> TypeFromJson(const json& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    for (const auto& p : kPrims)
      if (s == p.name) return Type::Primitive(p.id);
    int a = 0, b = 0, end = 0;
    // %n records how far the pattern matched, so trailing garbage is refused.
    if (std::sscanf(s.c_str(), "fixed[%d]%n", &a, &end) == 1 && end == static_cast<int>(s.size()) && a > 0) {
      return Type::Fixed(a);
    }
    end = 0;
    if (std::sscanf(s.c_str(), "decimal(%d, %d)%n", &a, &b, &end) == 2 && end == static_cast<int>(s.size()) && a > 0 &&
        b >= 0 && b <= a) {
      auto t = std::make_shared<Type>();
      t->id = TypeId::kDecimal;
      t->precision = a;
      t->scale = b;
      return TypePtr(t);
    }
    return Status::Corruption("unknown Iceberg type '" + s + "'");
  }
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    return Status::Corruption("Iceberg type is neither a string nor an object with a 'type'");
  }
  const std::string kind = j["type"].get<std::string>();
  auto t = std::make_shared<Type>();
  if (kind == "struct") {
    t->id = TypeId::kStruct;
    if (!j.contains("fields") || !j["fields"].is_array()) return Status::Corruption("struct type has no fields array");
    for (const auto& f : j["fields"]) {
      AILAKE_ASSIGN_OR_RETURN(NestedField nf, FieldFromJson(f));
      t->fields.push_back(std::move(nf));
    }
  } else if (kind == "list") {
    t->id = TypeId::kList;
    AILAKE_ASSIGN_OR_RETURN(t->element_id, GetInt(j, "element-id", "list type"));
    if (!j.contains("element") || !j.contains("element-required") || !j["element-required"].is_boolean())
      return Status::Corruption("list type needs element and element-required");
    AILAKE_ASSIGN_OR_RETURN(t->element, TypeFromJson(j["element"]));
    t->element_required = j["element-required"].get<bool>();
  } else if (kind == "map") {
    t->id = TypeId::kMap;
    AILAKE_ASSIGN_OR_RETURN(t->key_id, GetInt(j, "key-id", "map type"));
    AILAKE_ASSIGN_OR_RETURN(t->value_id, GetInt(j, "value-id", "map type"));
    if (!j.contains("key") || !j.contains("value") || !j.contains("value-required") || !j["value-required"].is_boolean())
      return Status::Corruption("map type needs key, value and value-required");
    AILAKE_ASSIGN_OR_RETURN(t->key, TypeFromJson(j["key"]));
    AILAKE_ASSIGN_OR_RETURN(t->value, TypeFromJson(j["value"]));
    t->value_required = j["value-required"].get<bool>();
  } else {
    return Status::Corruption("unknown Iceberg nested type '" + kind + "'");
  }
  return TypePtr(t);
}

const NestedField* Schema::FindField(const std::string& name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

const NestedField* Schema::FindFieldById(int id) const { return FindById(fields, id); }

int Schema::HighestFieldId() const {
  Type root;
  root.id = TypeId::kStruct;
  root.fields = fields;
  int best = 0;
  MaxId(root, &best);
  return best;
}

bool Schema::SameStructure(const Schema& other) const { return FieldsEqual(fields, other.fields); }

json SchemaToJson(const Schema& s) {
  json fields = json::array();
  for (const auto& f : s.fields) fields.push_back(FieldToJson(f));
  json j = {{"type", "struct"}, {"schema-id", s.schema_id}, {"fields", fields}};
  if (!s.identifier_field_ids.empty()) j["identifier-field-ids"] = s.identifier_field_ids;
  return j;
}

Result<Schema> SchemaFromJson(const json& j) {
  if (!j.is_object()) return Status::Corruption("schema is not a JSON object");
  Schema s;
  auto id = j.find("schema-id");
  if (id != j.end()) {
    if (!id->is_number_integer()) return Status::Corruption("schema-id is not an integer");
    s.schema_id = id->get<int>();
  }
  if (!j.contains("fields") || !j["fields"].is_array()) return Status::Corruption("schema has no fields array");
  for (const auto& f : j["fields"]) {
    AILAKE_ASSIGN_OR_RETURN(NestedField nf, FieldFromJson(f));
    s.fields.push_back(std::move(nf));
  }
  if (auto ids = j.find("identifier-field-ids"); ids != j.end() && ids->is_array()) {
    for (const auto& v : *ids) {
      if (!v.is_number_integer()) return Status::Corruption("identifier-field-ids holds a non-integer");
      s.identifier_field_ids.push_back(v.get<int>());
    }
  }
  return s;
}

Status ValidateSchema(const Schema& s) {
  std::set<int> ids;
  return CheckFields(s.fields, &ids);
}

}  // namespace ailake::iceberg
