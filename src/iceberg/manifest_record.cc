#include "iceberg/manifest_record.h"

namespace ailake::iceberg {

const AvroSchema* FieldReader::SchemaOf(const FieldSpec& f) const {
  int i = schema_.FieldIndexById(f.id);
  if (i < 0) return nullptr;
  const AvroSchema* s = schema_.fields[static_cast<size_t>(i)].type.get();
  if (s->type == AvroType::kUnion) {
    int b = s->NullableBranch();
    return b < 0 ? nullptr : s->branches[static_cast<size_t>(b)].get();
  }
  return s;
}

Result<int64_t> FieldReader::Int(const FieldSpec& f) const {
  const AvroValue* v = Get(f);
  int64_t out;
  if (!v || !v->GetInteger(&out)) {
    return Status::Corruption(where_ + ": field " + std::string(f.name) + " is missing or not an integer");
  }
  return out;
}

Result<std::optional<int64_t>> FieldReader::OptInt(const FieldSpec& f) const {
  const AvroValue* v = Get(f);
  if (!v || v->is_null()) return std::optional<int64_t>();
  int64_t out;
  if (!v->GetInteger(&out)) return Status::Corruption(where_ + ": field " + std::to_string(f.id) + " is not an integer");
  return std::optional<int64_t>(out);
}

Result<std::string> FieldReader::Str(const FieldSpec& f) const {
  const AvroValue* v = Get(f);
  if (!v || v->kind() != AvroValueKind::kString) {
    return Status::Corruption(where_ + ": field " + std::string(f.name) + " is missing or not a string");
  }
  return v->string();
}

Status FieldReader::MapEntries(const FieldSpec& f, std::vector<std::pair<int32_t, const AvroValue*>>* out) const {
  const AvroValue* v = Get(f);
  if (!v || v->is_null()) return Status::OK();
  const AvroSchema* s = SchemaOf(f);
  const std::string id = std::to_string(f.id);
  if (v->kind() != AvroValueKind::kArray || !s || s->type != AvroType::kArray || !s->items ||
      s->items->type != AvroType::kRecord) {
    return Status::Corruption(where_ + ": map field " + id + " is not an array of key/value records");
  }
  for (const auto& item : v->items()) {
    const AvroValue* k = item.Field(*s->items, "key");
    const AvroValue* val = item.Field(*s->items, "value");
    int64_t key;
    if (!k || !val || !k->GetInteger(&key)) return Status::Corruption(where_ + ": bad map entry in field " + id);
    out->emplace_back(static_cast<int32_t>(key), val);
  }
  return Status::OK();
}

Status FieldReader::IntMap(const FieldSpec& f, std::map<int32_t, int64_t>* out) const {
  std::vector<std::pair<int32_t, const AvroValue*>> entries;
  AILAKE_RETURN_IF_ERROR(MapEntries(f, &entries));
  for (const auto& [key, val] : entries) {
    int64_t x;
    if (!val->GetInteger(&x)) return Status::Corruption(where_ + ": bad map value in field " + std::to_string(f.id));
    (*out)[key] = x;
  }
  return Status::OK();
}

Status FieldReader::IntMap(const FieldSpec& f, std::map<int32_t, std::vector<uint8_t>>* out) const {
  std::vector<std::pair<int32_t, const AvroValue*>> entries;
  AILAKE_RETURN_IF_ERROR(MapEntries(f, &entries));
  for (const auto& [key, val] : entries) {
    if (val->kind() != AvroValueKind::kBytes) {
      return Status::Corruption(where_ + ": bad bound in field " + std::to_string(f.id));
    }
    (*out)[key] = val->bytes();
  }
  return Status::OK();
}

}  // namespace ailake::iceberg
