#include "iceberg/avro_value.h"

#include <cmath>
#include <cstring>

namespace ailake {

const char* AvroValueKindName(AvroValueKind kind) {
  switch (kind) {
    case AvroValueKind::kNull: return "null";
    case AvroValueKind::kBoolean: return "boolean";
    case AvroValueKind::kInt: return "int";
    case AvroValueKind::kLong: return "long";
    case AvroValueKind::kFloat: return "float";
    case AvroValueKind::kDouble: return "double";
    case AvroValueKind::kBytes: return "bytes";
    case AvroValueKind::kString: return "string";
    case AvroValueKind::kFixed: return "fixed";
    case AvroValueKind::kEnum: return "enum";
    case AvroValueKind::kRecord: return "record";
    case AvroValueKind::kArray: return "array";
    case AvroValueKind::kMap: return "map";
  }
  return "?";
}

bool AvroValue::GetInteger(int64_t* out) const {
  if (kind_ == AvroValueKind::kInt) {
    *out = int32();
    return true;
  }
  if (kind_ == AvroValueKind::kLong) {
    *out = int64();
    return true;
  }
  return false;
}

const AvroValue* AvroValue::Field(const AvroSchema& record_schema, std::string_view name) const {
  if (kind_ != AvroValueKind::kRecord || record_schema.type != AvroType::kRecord) return nullptr;
  int i = record_schema.FieldIndex(name);
  if (i < 0 || static_cast<size_t>(i) >= fields().size()) return nullptr;
  return &fields()[static_cast<size_t>(i)];
}

const AvroValue* AvroValue::FieldById(const AvroSchema& record_schema, int32_t field_id) const {
  if (kind_ != AvroValueKind::kRecord || record_schema.type != AvroType::kRecord) return nullptr;
  int i = record_schema.FieldIndexById(field_id);
  if (i < 0 || static_cast<size_t>(i) >= fields().size()) return nullptr;
  return &fields()[static_cast<size_t>(i)];
}

bool AvroValue::operator==(const AvroValue& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case AvroValueKind::kFloat: {
      float a = float32(), b = other.float32();
      return std::memcmp(&a, &b, sizeof a) == 0;
    }
    case AvroValueKind::kDouble: {
      double a = float64(), b = other.float64();
      return std::memcmp(&a, &b, sizeof a) == 0;
    }
    default:
      return v_ == other.v_;  // recursive through List/Entries
  }
}

int AvroFitScore(const AvroSchema& schema, const AvroValue& value) {
  const AvroValueKind k = value.kind();
  switch (schema.type) {
    case AvroType::kNull: return k == AvroValueKind::kNull ? 2 : 0;
    case AvroType::kBoolean: return k == AvroValueKind::kBoolean ? 2 : 0;
    case AvroType::kInt:
      if (k == AvroValueKind::kInt) return 2;
      if (k == AvroValueKind::kLong && value.int64() >= INT32_MIN && value.int64() <= INT32_MAX) return 1;
      return 0;
    case AvroType::kLong:
      if (k == AvroValueKind::kLong) return 2;
      return k == AvroValueKind::kInt ? 1 : 0;
    case AvroType::kFloat:
      if (k == AvroValueKind::kFloat) return 2;
      return (k == AvroValueKind::kInt || k == AvroValueKind::kLong) ? 1 : 0;
    case AvroType::kDouble:
      if (k == AvroValueKind::kDouble) return 2;
      return (k == AvroValueKind::kInt || k == AvroValueKind::kLong || k == AvroValueKind::kFloat) ? 1 : 0;
    case AvroType::kBytes: return k == AvroValueKind::kBytes ? 2 : 0;
    case AvroType::kString: return k == AvroValueKind::kString ? 2 : 0;
    case AvroType::kFixed:
      return k == AvroValueKind::kFixed && value.bytes().size() == static_cast<uint64_t>(schema.fixed_size) ? 2 : 0;
    case AvroType::kEnum:
      return k == AvroValueKind::kEnum && value.enum_index() >= 0 &&
                     static_cast<size_t>(value.enum_index()) < schema.symbols.size()
                 ? 2
                 : 0;
    case AvroType::kRecord:
      return k == AvroValueKind::kRecord && value.fields().size() == schema.fields.size() ? 2 : 0;
    case AvroType::kArray: return k == AvroValueKind::kArray ? 2 : 0;
    case AvroType::kMap: return k == AvroValueKind::kMap ? 2 : 0;
    case AvroType::kUnion: return 0;
  }
  return 0;
}

int AvroChooseBranch(const AvroSchema& union_schema, const AvroValue& value) {
  const auto& branches = union_schema.branches;
  int hint = value.union_branch();
  if (hint >= 0 && static_cast<size_t>(hint) < branches.size() && AvroFitScore(*branches[hint], value) > 0) {
    return hint;
  }
  int best = -1, best_score = 0;
  for (size_t i = 0; i < branches.size(); ++i) {
    int score = AvroFitScore(*branches[i], value);
    if (score > best_score) {
      best = static_cast<int>(i);
      best_score = score;
    }
  }
  return best;
}

namespace {

constexpr int kMaxJsonDepth = 200;

std::string Hex(const std::vector<uint8_t>& b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (uint8_t c : b) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool Unhex(const std::string& s, std::vector<uint8_t>* out) {
  if (s.size() % 2) return false;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nib(s[i]), lo = nib(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return true;
}

AvroJson FloatJson(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

Status Mismatch(const AvroSchema& s, const AvroValue& v, const std::string& path) {
  return Status::InvalidArgument("Avro value at " + path + ": a " + AvroValueKindName(v.kind()) +
                                 " value does not fit schema type " + AvroTypeName(s.type));
}

Result<AvroJson> ToJson(const AvroSchema& s, const AvroValue& v, const std::string& path, int depth) {
  if (depth > kMaxJsonDepth) return Status::InvalidArgument("Avro value at " + path + ": nested too deeply");
  if (s.type == AvroType::kUnion) {
    int b = AvroChooseBranch(s, v);
    if (b < 0) return Mismatch(s, v, path);
    return ToJson(*s.branches[static_cast<size_t>(b)], v, path, depth + 1);
  }
  if (AvroFitScore(s, v) == 0) return Mismatch(s, v, path);
  int64_t i = 0;
  switch (s.type) {
    case AvroType::kNull: return AvroJson(nullptr);
    case AvroType::kBoolean: return AvroJson(v.boolean());
    case AvroType::kInt:
    case AvroType::kLong:
      v.GetInteger(&i);
      return AvroJson(i);
    case AvroType::kFloat:
    case AvroType::kDouble:
      if (v.GetInteger(&i)) return AvroJson(static_cast<double>(i));
      return FloatJson(v.kind() == AvroValueKind::kFloat ? static_cast<double>(v.float32()) : v.float64());
    case AvroType::kBytes:
    case AvroType::kFixed: return AvroJson(Hex(v.bytes()));
    case AvroType::kString: return AvroJson(v.string());
    case AvroType::kEnum: return AvroJson(s.symbols[static_cast<size_t>(v.enum_index())]);
    case AvroType::kRecord: {
      AvroJson o = AvroJson::object();
      for (size_t f = 0; f < s.fields.size(); ++f) {
        AILAKE_ASSIGN_OR_RETURN(o[s.fields[f].name],
                                ToJson(*s.fields[f].type, v.fields()[f], path + "." + s.fields[f].name, depth + 1));
      }
      return o;
    }
    case AvroType::kArray: {
      AvroJson a = AvroJson::array();
      for (size_t k = 0; k < v.items().size(); ++k) {
        AILAKE_ASSIGN_OR_RETURN(AvroJson item, ToJson(*s.items, v.items()[k], path + "[" + std::to_string(k) + "]", depth + 1));
        a.push_back(std::move(item));
      }
      return a;
    }
    case AvroType::kMap: {
      AvroJson o = AvroJson::object();
      for (const auto& [key, val] : v.entries()) {
        AILAKE_ASSIGN_OR_RETURN(o[key], ToJson(*s.values, val, path + "[" + key + "]", depth + 1));
      }
      return o;
    }
    case AvroType::kUnion: break;
  }
  return Mismatch(s, v, path);
}

Status JsonMismatch(const AvroSchema& s, const std::string& path) {
  return Status::InvalidArgument("JSON value at " + path + " does not fit Avro type " + AvroTypeName(s.type));
}

Result<AvroValue> FromJson(const AvroSchema& s, const AvroJson& j, const std::string& path, int depth) {
  if (depth > kMaxJsonDepth) return Status::InvalidArgument("JSON value at " + path + ": nested too deeply");
  switch (s.type) {
    case AvroType::kNull:
      if (j.is_null()) return AvroValue::Null();
      break;
    case AvroType::kBoolean:
      if (j.is_boolean()) return AvroValue::Boolean(j.get<bool>());
      break;
    case AvroType::kInt:
      if (j.is_number_integer()) {
        if (j.is_number_unsigned() && j.get<uint64_t>() > INT32_MAX) break;
        int64_t x = j.get<int64_t>();
        if (x >= INT32_MIN && x <= INT32_MAX) return AvroValue::Int(static_cast<int32_t>(x));
      }
      break;
    case AvroType::kLong:
      if (j.is_number_integer()) {
        if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) break;
        return AvroValue::Long(j.get<int64_t>());
      }
      break;
    case AvroType::kFloat:
    case AvroType::kDouble: {
      double d;
      if (j.is_number()) {
        d = j.get<double>();
      } else if (j == "NaN") {
        d = std::nan("");
      } else if (j == "Infinity") {
        d = INFINITY;
      } else if (j == "-Infinity") {
        d = -INFINITY;
      } else {
        break;
      }
      if (s.type == AvroType::kFloat) return AvroValue::Float(static_cast<float>(d));
      return AvroValue::Double(d);
    }
    case AvroType::kBytes:
    case AvroType::kFixed: {
      std::vector<uint8_t> b;
      if (!j.is_string() || !Unhex(j.get<std::string>(), &b)) break;
      if (s.type == AvroType::kBytes) return AvroValue::BytesValue(std::move(b));
      if (b.size() != static_cast<uint64_t>(s.fixed_size)) break;
      return AvroValue::Fixed(std::move(b));
    }
    case AvroType::kString:
      if (j.is_string()) return AvroValue::String(j.get<std::string>());
      break;
    case AvroType::kEnum:
      if (j.is_string()) {
        for (size_t k = 0; k < s.symbols.size(); ++k) {
          if (s.symbols[k] == j.get<std::string>()) return AvroValue::Enum(static_cast<int32_t>(k));
        }
      }
      break;
    case AvroType::kRecord: {
      if (!j.is_object()) break;
      AvroValue::List fields;
      for (const auto& f : s.fields) {
        auto it = j.find(f.name);
        AvroJson missing = nullptr;
        if (it == j.end()) {
          auto def = f.attrs.find("default");
          if (def != f.attrs.end()) missing = *def;
        }
        AILAKE_ASSIGN_OR_RETURN(AvroValue fv, FromJson(*f.type, it == j.end() ? missing : *it, path + "." + f.name, depth + 1));
        fields.push_back(std::move(fv));
      }
      return AvroValue::Record(std::move(fields));
    }
    case AvroType::kArray: {
      if (!j.is_array()) break;
      AvroValue::List items;
      for (size_t k = 0; k < j.size(); ++k) {
        AILAKE_ASSIGN_OR_RETURN(AvroValue item, FromJson(*s.items, j[k], path + "[" + std::to_string(k) + "]", depth + 1));
        items.push_back(std::move(item));
      }
      return AvroValue::Array(std::move(items));
    }
    case AvroType::kMap: {
      if (!j.is_object()) break;
      AvroValue::Entries entries;
      for (auto it = j.begin(); it != j.end(); ++it) {
        AILAKE_ASSIGN_OR_RETURN(AvroValue val, FromJson(*s.values, it.value(), path + "[" + it.key() + "]", depth + 1));
        entries.emplace_back(it.key(), std::move(val));
      }
      return AvroValue::Map(std::move(entries));
    }
    case AvroType::kUnion: {
      for (size_t b = 0; b < s.branches.size(); ++b) {
        if (j.is_null() != (s.branches[b]->type == AvroType::kNull)) continue;
        Result<AvroValue> v = FromJson(*s.branches[b], j, path, depth + 1);
        if (v.ok()) {
          AvroValue out = std::move(v).value();
          out.set_union_branch(static_cast<int>(b));
          return out;
        }
      }
      break;
    }
  }
  return JsonMismatch(s, path);
}

}  // namespace

Result<AvroJson> AvroValueToJson(const AvroSchema& schema, const AvroValue& value) {
  return ToJson(schema, value, "$", 0);
}

Result<AvroValue> AvroValueFromJson(const AvroSchema& schema, const AvroJson& json) {
  try {
    return FromJson(schema, json, "$", 0);
  } catch (const std::exception& e) {  // nlohmann conversions; never escape
    return Status::InvalidArgument(std::string("JSON value: ") + e.what());
  }
}

}  // namespace ailake
