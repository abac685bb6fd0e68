#include "iceberg/avro_schema.h"

#include <map>
#include <set>

namespace ailake {

namespace {

constexpr int kMaxSchemaDepth = 64;

struct PrimitiveName {
  const char* name;
  AvroType type;
};
constexpr PrimitiveName kPrimitives[] = {
    {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
    {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
    {"bytes", AvroType::kBytes}, {"string", AvroType::kString},
};

std::optional<AvroType> PrimitiveFromName(std::string_view name) {
  for (const auto& p : kPrimitives) {
    if (name == p.name) return p.type;
  }
  return std::nullopt;
}

// Avro names: [A-Za-z_][A-Za-z0-9_]* (other libraries reject anything else).
bool ValidName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}
bool ValidNamespace(std::string_view s) {
  if (s.empty()) return true;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!ValidName(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string Join(const std::string& space, const std::string& name) {
  if (name.find('.') != std::string::npos || space.empty()) return name;
  return space + "." + name;
}

// Everything in `obj` except `reserved` keys, in order.
AvroJson ExtraAttrs(const AvroJson& obj, std::initializer_list<const char*> reserved) {
  AvroJson out = AvroJson::object();
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool skip = false;
    for (const char* r : reserved) skip = skip || it.key() == r;
    if (!skip) out[it.key()] = it.value();
  }
  return out;
}

class SchemaParser {
 public:
  Result<AvroSchemaPtr> Parse(const AvroJson& j, const std::string& ns, const std::string& path, int depth) {
    if (depth > kMaxSchemaDepth) return Bad(path, "nests deeper than " + std::to_string(kMaxSchemaDepth) + " levels");
    if (j.is_string()) return ParseName(j.get<std::string>(), ns, path);
    if (j.is_array()) return ParseUnion(j, ns, path, depth);
    if (!j.is_object()) return Bad(path, "must be a type name, an object or an array (union)");
    auto type_it = j.find("type");
    if (type_it == j.end()) return Bad(path, "object has no \"type\"");
    if (!type_it->is_string()) return Parse(*type_it, ns, path, depth + 1);  // {"type": {...}} wraps a schema
    const std::string type = type_it->get<std::string>();
    if (auto prim = PrimitiveFromName(type)) {
      auto s = std::make_shared<AvroSchema>();
      s->type = *prim;
      s->attrs = ExtraAttrs(j, {"type"});
      return AvroSchemaPtr(s);
    }
    if (type == "record" || type == "error") return ParseRecord(j, ns, path, depth);
    if (type == "enum") return ParseEnum(j, ns, path);
    if (type == "fixed") return ParseFixed(j, ns, path);
    if (type == "array" || type == "map") {
      const char* child_key = type == "array" ? "items" : "values";
      auto child = j.find(child_key);
      if (child == j.end()) return Bad(path, type + " has no \"" + child_key + "\"");
      AILAKE_ASSIGN_OR_RETURN(AvroSchemaPtr c, Parse(*child, ns, path + "." + child_key, depth + 1));
      auto s = std::make_shared<AvroSchema>();
      s->type = type == "array" ? AvroType::kArray : AvroType::kMap;
      (type == "array" ? s->items : s->values) = std::move(c);
      s->attrs = ExtraAttrs(j, {"type", child_key});
      return AvroSchemaPtr(s);
    }
    return ParseName(type, ns, path);  // {"type": "SomeNamedType"}
  }

 private:
  static Status Bad(const std::string& path, const std::string& what) {
    return Status::InvalidArgument("Avro schema: " + path + " " + what);
  }

  Result<AvroSchemaPtr> ParseName(const std::string& name, const std::string& ns, const std::string& path) {
    if (auto prim = PrimitiveFromName(name)) {
      auto s = std::make_shared<AvroSchema>();
      s->type = *prim;
      return AvroSchemaPtr(s);
    }
    for (const std::string& candidate : {Join(ns, name), name}) {
      auto it = named_.find(candidate);
      if (it != named_.end()) return it->second;
    }
    return Bad(path, "refers to unknown type '" + name +
                         "' (named types must be defined before use; recursive types are not supported)");
  }

  // Fills name/space of a named type and checks it is new.
  Status Name(const AvroJson& j, const std::string& ns, const std::string& path, AvroSchema* s) {
    auto n = j.find("name");
    if (n == j.end() || !n->is_string()) return Bad(path, "named type has no string \"name\"");
    std::string name = n->get<std::string>();
    std::string space = ns;
    if (auto sp = j.find("namespace"); sp != j.end()) {
      if (!sp->is_string() && !sp->is_null()) return Bad(path, "\"namespace\" must be a string");
      space = sp->is_string() ? sp->get<std::string>() : "";
    }
    if (size_t dot = name.rfind('.'); dot != std::string::npos) {
      space = name.substr(0, dot);
      name = name.substr(dot + 1);
    }
    if (!ValidName(name)) return Bad(path, "has invalid name '" + name + "' (use letters, digits and '_')");
    if (!ValidNamespace(space)) return Bad(path, "has invalid namespace '" + space + "'");
    if (PrimitiveFromName(name) && space.empty()) return Bad(path, "may not be named after a primitive type");
    s->name = name;
    s->space = space;
    if (named_.count(s->full_name())) return Bad(path, "redefines type '" + s->full_name() + "'");
    return Status::OK();
  }

  Result<AvroSchemaPtr> ParseRecord(const AvroJson& j, const std::string& ns, const std::string& path, int depth) {
    auto s = std::make_shared<AvroSchema>();
    s->type = AvroType::kRecord;
    AILAKE_RETURN_IF_ERROR(Name(j, ns, path, s.get()));
    const std::string here = path + "<" + s->name + ">";
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) return Bad(here, "record has no \"fields\" array");
    std::set<std::string> seen;
    for (size_t i = 0; i < fields->size(); ++i) {
      const AvroJson& f = (*fields)[i];
      std::string fpath = here + ".fields[" + std::to_string(i) + "]";
      if (!f.is_object()) return Bad(fpath, "must be an object");
      auto fname = f.find("name");
      if (fname == f.end() || !fname->is_string()) return Bad(fpath, "has no string \"name\"");
      AvroField field;
      field.name = fname->get<std::string>();
      fpath = here + "." + field.name;
      if (!ValidName(field.name)) return Bad(fpath, "is not a valid field name (use letters, digits and '_')");
      if (!seen.insert(field.name).second) return Bad(fpath, "is defined twice");
      auto ftype = f.find("type");
      if (ftype == f.end()) return Bad(fpath, "has no \"type\"");
      AILAKE_ASSIGN_OR_RETURN(field.type, Parse(*ftype, s->space, fpath, depth + 1));
      field.attrs = ExtraAttrs(f, {"name", "type"});
      s->fields.push_back(std::move(field));
    }
    s->attrs = ExtraAttrs(j, {"type", "name", "namespace", "fields"});
    named_[s->full_name()] = s;
    return AvroSchemaPtr(s);
  }

  Result<AvroSchemaPtr> ParseEnum(const AvroJson& j, const std::string& ns, const std::string& path) {
    auto s = std::make_shared<AvroSchema>();
    s->type = AvroType::kEnum;
    AILAKE_RETURN_IF_ERROR(Name(j, ns, path, s.get()));
    auto syms = j.find("symbols");
    if (syms == j.end() || !syms->is_array()) return Bad(path, "enum has no \"symbols\" array");
    std::set<std::string> seen;
    for (const auto& sym : *syms) {
      if (!sym.is_string() || !ValidName(sym.get<std::string>())) return Bad(path, "enum has an invalid symbol");
      if (!seen.insert(sym.get<std::string>()).second) return Bad(path, "enum repeats a symbol");
      s->symbols.push_back(sym.get<std::string>());
    }
    if (s->symbols.empty()) return Bad(path, "enum has no symbols");
    s->attrs = ExtraAttrs(j, {"type", "name", "namespace", "symbols"});
    named_[s->full_name()] = s;
    return AvroSchemaPtr(s);
  }

  Result<AvroSchemaPtr> ParseFixed(const AvroJson& j, const std::string& ns, const std::string& path) {
    auto s = std::make_shared<AvroSchema>();
    s->type = AvroType::kFixed;
    AILAKE_RETURN_IF_ERROR(Name(j, ns, path, s.get()));
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0 ||
        size->get<int64_t>() > (int64_t{1} << 30)) {
      return Bad(path, "fixed needs an integer \"size\" between 0 and 2^30");
    }
    s->fixed_size = size->get<int64_t>();
    s->attrs = ExtraAttrs(j, {"type", "name", "namespace", "size"});
    named_[s->full_name()] = s;
    return AvroSchemaPtr(s);
  }

  Result<AvroSchemaPtr> ParseUnion(const AvroJson& j, const std::string& ns, const std::string& path, int depth) {
    auto s = std::make_shared<AvroSchema>();
    s->type = AvroType::kUnion;
    if (j.empty()) return Bad(path, "is an empty union");
    std::set<std::string> seen;
    for (size_t i = 0; i < j.size(); ++i) {
      std::string bpath = path + "[" + std::to_string(i) + "]";
      AILAKE_ASSIGN_OR_RETURN(AvroSchemaPtr b, Parse(j[i], ns, bpath, depth + 1));
      if (b->type == AvroType::kUnion) return Bad(bpath, "is a union directly inside a union");
      std::string key = b->is_named() ? b->full_name() : AvroTypeName(b->type);
      if (!seen.insert(key).second) return Bad(bpath, "repeats type '" + key + "' in a union");
      s->branches.push_back(std::move(b));
    }
    return AvroSchemaPtr(s);
  }

  std::map<std::string, AvroSchemaPtr> named_;
};

class SchemaWriter {
 public:
  AvroJson Write(const AvroSchema& s, const std::string& ns) {
    switch (s.type) {
      case AvroType::kUnion: {
        AvroJson arr = AvroJson::array();
        for (const auto& b : s.branches) arr.push_back(Write(*b, ns));
        return arr;
      }
      case AvroType::kArray:
      case AvroType::kMap: {
        bool array = s.type == AvroType::kArray;
        AvroJson o = AvroJson::object();
        o["type"] = array ? "array" : "map";
        o[array ? "items" : "values"] = Write(array ? *s.items : *s.values, ns);
        AddAttrs(s.attrs, &o);
        return o;
      }
      case AvroType::kRecord:
      case AvroType::kEnum:
      case AvroType::kFixed: {
        std::string full = s.full_name();
        if (emitted_.count(full)) return full;
        emitted_.insert(full);
        AvroJson o = AvroJson::object();
        o["type"] = AvroTypeName(s.type);
        o["name"] = s.name;
        if (s.space != ns) o["namespace"] = s.space;
        if (s.type == AvroType::kRecord) {
          AvroJson fields = AvroJson::array();
          for (const auto& f : s.fields) {
            AvroJson fo = AvroJson::object();
            fo["name"] = f.name;
            fo["type"] = Write(*f.type, s.space);
            AddAttrs(f.attrs, &fo);
            fields.push_back(std::move(fo));
          }
          o["fields"] = std::move(fields);
        } else if (s.type == AvroType::kEnum) {
          o["symbols"] = s.symbols;
        } else {
          o["size"] = s.fixed_size;
        }
        AddAttrs(s.attrs, &o);
        return o;
      }
      default:
        if (s.attrs.empty()) return AvroTypeName(s.type);
        AvroJson o = AvroJson::object();
        o["type"] = AvroTypeName(s.type);
        AddAttrs(s.attrs, &o);
        return o;
    }
  }

 private:
  // Attributes never override the structural keys already written.
  static void AddAttrs(const AvroJson& attrs, AvroJson* o) {
    if (!attrs.is_object()) return;
    for (auto it = attrs.begin(); it != attrs.end(); ++it) {
      if (!o->contains(it.key())) (*o)[it.key()] = it.value();
    }
  }
  std::set<std::string> emitted_;
};

}  // namespace

const char* AvroTypeName(AvroType type) {
  switch (type) {
    case AvroType::kNull: return "null";
    case AvroType::kBoolean: return "boolean";
    case AvroType::kInt: return "int";
    case AvroType::kLong: return "long";
    case AvroType::kFloat: return "float";
    case AvroType::kDouble: return "double";
    case AvroType::kBytes: return "bytes";
    case AvroType::kString: return "string";
    case AvroType::kFixed: return "fixed";
    case AvroType::kEnum: return "enum";
    case AvroType::kRecord: return "record";
    case AvroType::kArray: return "array";
    case AvroType::kMap: return "map";
    case AvroType::kUnion: return "union";
  }
  return "?";
}

std::optional<int32_t> AvroField::field_id() const {
  auto it = attrs.find("field-id");
  if (it == attrs.end() || !it->is_number_integer()) return std::nullopt;
  int64_t v = it->get<int64_t>();
  if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(v);
}

std::string AvroSchema::full_name() const { return Join(space, name); }

std::optional<int64_t> AvroSchema::IntAttr(std::string_view key) const {
  auto it = attrs.find(std::string(key));
  if (it == attrs.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::optional<std::string> AvroSchema::StringAttr(std::string_view key) const {
  auto it = attrs.find(std::string(key));
  if (it == attrs.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

int AvroSchema::FieldIndex(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

int AvroSchema::FieldIndexById(int32_t field_id) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].field_id() == field_id) return static_cast<int>(i);
  }
  return -1;
}

int AvroSchema::NullableBranch() const {
  if (type != AvroType::kUnion || branches.size() != 2) return -1;
  if (branches[0]->type == AvroType::kNull && branches[1]->type != AvroType::kNull) return 1;
  if (branches[1]->type == AvroType::kNull && branches[0]->type != AvroType::kNull) return 0;
  return -1;
}

AvroJson AvroSchema::ToJson() const { return SchemaWriter().Write(*this, ""); }

std::string AvroSchema::ToJsonString() const { return ToJson().dump(); }

Result<AvroSchemaPtr> AvroSchema::Parse(std::string_view json_text) {
  AvroJson j = AvroJson::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("Avro schema: not valid JSON");
  return FromJson(j);
}

Result<AvroSchemaPtr> AvroSchema::FromJson(const AvroJson& json) {
  try {
    return SchemaParser().Parse(json, "", "schema", 0);
  } catch (const std::exception& e) {  // nlohmann type errors on malformed input; never escape
    return Status::InvalidArgument(std::string("Avro schema: ") + e.what());
  }
}

AvroSchemaPtr AvroSchema::Primitive(AvroType type, AvroJson attrs) {
  auto s = std::make_shared<AvroSchema>();
  s->type = type;
  s->attrs = std::move(attrs);
  return s;
}

AvroSchemaPtr AvroSchema::Record(std::string name, std::vector<AvroField> fields, AvroJson attrs) {
  auto s = std::make_shared<AvroSchema>();
  s->type = AvroType::kRecord;
  s->name = std::move(name);
  s->fields = std::move(fields);
  s->attrs = std::move(attrs);
  return s;
}

AvroSchemaPtr AvroSchema::Array(AvroSchemaPtr items, AvroJson attrs) {
  auto s = std::make_shared<AvroSchema>();
  s->type = AvroType::kArray;
  s->items = std::move(items);
  s->attrs = std::move(attrs);
  return s;
}

AvroSchemaPtr AvroSchema::Map(AvroSchemaPtr values, AvroJson attrs) {
  auto s = std::make_shared<AvroSchema>();
  s->type = AvroType::kMap;
  s->values = std::move(values);
  s->attrs = std::move(attrs);
  return s;
}

AvroSchemaPtr AvroSchema::Union(std::vector<AvroSchemaPtr> branches) {
  auto s = std::make_shared<AvroSchema>();
  s->type = AvroType::kUnion;
  s->branches = std::move(branches);
  return s;
}

AvroSchemaPtr AvroSchema::Optional(AvroSchemaPtr type) { return Union({Primitive(AvroType::kNull), std::move(type)}); }

AvroSchemaPtr AvroSchema::Fixed(std::string name, int64_t size, AvroJson attrs) {
  auto s = std::make_shared<AvroSchema>();
  s->type = AvroType::kFixed;
  s->name = std::move(name);
  s->fixed_size = size;
  s->attrs = std::move(attrs);
  return s;
}

AvroSchemaPtr AvroSchema::Enum(std::string name, std::vector<std::string> symbols, AvroJson attrs) {
  auto s = std::make_shared<AvroSchema>();
  s->type = AvroType::kEnum;
  s->name = std::move(name);
  s->symbols = std::move(symbols);
  s->attrs = std::move(attrs);
  return s;
}

AvroField AvroFieldWithId(std::string name, AvroSchemaPtr type, int32_t field_id, AvroJson extra_attrs) {
  AvroField f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.attrs = AvroJson::object();
  f.attrs["field-id"] = field_id;
  if (extra_attrs.is_object()) {
    for (auto it = extra_attrs.begin(); it != extra_attrs.end(); ++it) f.attrs[it.key()] = it.value();
  }
  return f;
}

}  // namespace ailake
