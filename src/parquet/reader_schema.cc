#include "parquet/reader_schema.h"

#include <string>

namespace ailake::parquet {

namespace {

namespace fmt = ::ailake::parquet::format;

constexpr int kMaxSchemaDepth = 64;

struct Node {
  const fmt::SchemaElement* e = nullptr;
  std::vector<Node> children;
  bool group = false;
  int first_leaf = 0;
  int num_leaves = 0;
  int16_t def = 0;  // definition / repetition level of this node (counting itself)
  int16_t rep = 0;
};

bool IsRepeated(const fmt::SchemaElement& e) {
  return e.__isset.repetition_type && ThriftEnum(e.repetition_type) == fmt::FieldRepetitionType::REPEATED;
}
bool IsOptional(const fmt::SchemaElement& e) {
  return e.__isset.repetition_type && ThriftEnum(e.repetition_type) == fmt::FieldRepetitionType::OPTIONAL;
}
const char* RepetitionName(const fmt::SchemaElement& e) {
  if (!e.__isset.repetition_type) return "REQUIRED";
  switch (ThriftEnum(e.repetition_type)) {
    case fmt::FieldRepetitionType::OPTIONAL: return "OPTIONAL";
    case fmt::FieldRepetitionType::REPEATED: return "REPEATED";
    default: return "REQUIRED";
  }
}

const char* UnitName(const fmt::TimeUnit& u) {
  if (u.__isset.MILLIS) return "MILLIS";
  if (u.__isset.NANOS) return "NANOS";
  return "MICROS";
}

std::string LogicalTypeString(const fmt::SchemaElement& e) {
  if (e.__isset.logicalType) {
    const fmt::LogicalType& l = e.logicalType;
    if (l.__isset.STRING) return "STRING";
    if (l.__isset.MAP) return "MAP";
    if (l.__isset.LIST) return "LIST";
    if (l.__isset.ENUM) return "ENUM";
    if (l.__isset.DECIMAL)
      return "DECIMAL(" + std::to_string(l.DECIMAL.precision) + "," + std::to_string(l.DECIMAL.scale) + ")";
    if (l.__isset.DATE) return "DATE";
    if (l.__isset.TIME)
      return std::string("TIME(") + UnitName(l.TIME.unit) + (l.TIME.isAdjustedToUTC ? ",UTC)" : ",LOCAL)");
    if (l.__isset.TIMESTAMP)
      return std::string("TIMESTAMP(") + UnitName(l.TIMESTAMP.unit) + (l.TIMESTAMP.isAdjustedToUTC ? ",UTC)" : ",LOCAL)");
    if (l.__isset.INTEGER)
      return std::string(l.INTEGER.isSigned ? "INT(" : "UINT(") + std::to_string(l.INTEGER.bitWidth) + ")";
    if (l.__isset.UNKNOWN) return "UNKNOWN";
    if (l.__isset.JSON) return "JSON";
    if (l.__isset.BSON) return "BSON";
    if (l.__isset.UUID) return "UUID";
    if (l.__isset.FLOAT16) return "FLOAT16";
  }
  if (e.__isset.converted_type) {
    // Old writers (and DuckDB) set only the converted type; name it like the logical type.
    switch (ThriftEnum(e.converted_type)) {
      case fmt::ConvertedType::UTF8: return "STRING";
      case fmt::ConvertedType::TIMESTAMP_MILLIS: return "TIMESTAMP(MILLIS,UTC)";
      case fmt::ConvertedType::TIMESTAMP_MICROS: return "TIMESTAMP(MICROS,UTC)";
      default: break;
    }
    auto it = fmt::_ConvertedType_VALUES_TO_NAMES.find(ThriftEnum(e.converted_type));
    if (it != fmt::_ConvertedType_VALUES_TO_NAMES.end()) return it->second;
  }
  return "";
}

bool IsListAnnotated(const fmt::SchemaElement& e) {
  return (e.__isset.logicalType && e.logicalType.__isset.LIST) ||
         (e.__isset.converted_type && ThriftEnum(e.converted_type) == fmt::ConvertedType::LIST);
}
bool IsConverted(const fmt::SchemaElement& e, fmt::ConvertedType::type t) {
  return e.__isset.converted_type && ThriftEnum(e.converted_type) == t;
}

class Builder {
 public:
  explicit Builder(const std::vector<fmt::SchemaElement>& el) : el_(el) {}

  Status Parse(Node* node, int16_t def, int16_t rep, int depth, const std::string& prefix, bool root) {
    if (depth > kMaxSchemaDepth) return Status::Corruption("schema is nested deeper than " + std::to_string(kMaxSchemaDepth));
    if (pos_ >= el_.size()) return Status::Corruption("schema tree ends early (num_children exceeds the elements present)");
    const fmt::SchemaElement& e = el_[pos_++];
    node->e = &e;
    if (!root) {
      if (IsOptional(e)) ++def;
      if (IsRepeated(e)) {
        ++def;
        ++rep;
      }
    }
    node->def = def;
    node->rep = rep;
    const bool has_children = e.__isset.num_children && e.num_children > 0;
    if (e.__isset.num_children && e.num_children < 0)
      return Status::Corruption("schema element '" + e.name + "' has a negative child count");
    node->group = has_children || !e.__isset.type;
    const std::string path = root ? "" : (prefix.empty() ? e.name : prefix + "." + e.name);
    node->first_leaf = static_cast<int>(leaves_.size());
    if (!node->group) {
      AILAKE_RETURN_IF_ERROR(AddLeaf(e, path, def, rep));
      node->num_leaves = 1;
      return Status::OK();
    }
    if (has_children) {
      if (static_cast<size_t>(e.num_children) > el_.size() - pos_)
        return Status::Corruption("schema element '" + e.name + "' claims " + std::to_string(e.num_children) +
                                  " children, more than the schema holds");
      node->children.resize(static_cast<size_t>(e.num_children));
      for (Node& c : node->children) AILAKE_RETURN_IF_ERROR(Parse(&c, def, rep, depth + 1, path, false));
    }
    node->num_leaves = static_cast<int>(leaves_.size()) - node->first_leaf;
    return Status::OK();
  }

  Status AddLeaf(const fmt::SchemaElement& e, const std::string& path, int16_t def, int16_t rep) {
    const int32_t type = ThriftEnum(e.type);
    if (type < 0 || type > fmt::Type::FIXED_LEN_BYTE_ARRAY)
      return Status::Corruption("column '" + path + "' has unknown physical type " + std::to_string(type));
    LeafColumn leaf;
    leaf.path = path;
    leaf.physical = static_cast<PhysicalType>(type);
    leaf.type_length = e.__isset.type_length ? e.type_length : 0;
    if (leaf.physical == PhysicalType::kFixedLenByteArray && (leaf.type_length <= 0 || leaf.type_length > (1 << 30)))
      return Status::Corruption("FIXED_LEN_BYTE_ARRAY column '" + path + "' has invalid type_length " +
                                std::to_string(leaf.type_length));
    leaf.max_def = def;
    leaf.max_rep = rep;
    leaf.info.path = path;
    leaf.info.physical_type = PhysicalTypeName(leaf.physical);
    leaf.info.logical_type = LogicalTypeString(e);
    leaf.info.repetition = RepetitionName(e);
    leaf.info.type_length = leaf.type_length;
    leaf.info.max_definition_level = def;
    leaf.info.max_repetition_level = rep;
    leaf.info.field_id = e.__isset.field_id ? e.field_id : -1;
    leaves_.push_back(std::move(leaf));
    return Status::OK();
  }

  size_t consumed() const { return pos_; }
  std::vector<LeafColumn>& leaves() { return leaves_; }

 private:
  const std::vector<fmt::SchemaElement>& el_;
  size_t pos_ = 0;
  std::vector<LeafColumn> leaves_;
};

bool IsMapAnnotated(const fmt::SchemaElement& e) {
  return (e.__isset.logicalType && e.logicalType.__isset.MAP) || IsConverted(e, fmt::ConvertedType::MAP) ||
         IsConverted(e, fmt::ConvertedType::MAP_KEY_VALUE);
}

TimeUnit UnitOf(const fmt::TimeUnit& u) {
  return u.__isset.MILLIS ? TimeUnit::kMillis : u.__isset.NANOS ? TimeUnit::kNanos : TimeUnit::kMicros;
}

// Decides the Batch type of a primitive element (leaf->value, target, conversion); sets
// leaf->unsupported_reason when there is none.
void DecideTarget(const fmt::SchemaElement& e, bool list_element, LeafColumn* leaf) {
  const bool has_logical = e.__isset.logicalType;
  const fmt::LogicalType& l = e.logicalType;
  Field& v = leaf->value;
  v.name = e.name;
  v.nullable = !e.__isset.repetition_type || ThriftEnum(e.repetition_type) != fmt::FieldRepetitionType::REQUIRED;
  auto unsupported = [&](const std::string& why) {
    leaf->unsupported_reason = "column '" + leaf->path + "': " + why;
  };
  auto target = [&](DataType t, LeafConversion c = LeafConversion::kNone, Logical lg = Logical::kNone) {
    leaf->target = t;
    leaf->conversion = c;
    v.type = t;
    v.logical = lg;
  };
  const std::string physical = PhysicalTypeName(leaf->physical);
  const bool decimal = (has_logical && l.__isset.DECIMAL) || IsConverted(e, fmt::ConvertedType::DECIMAL);
  if (decimal) {
    leaf->decimal_scale = has_logical && l.__isset.DECIMAL ? l.DECIMAL.scale : (e.__isset.scale ? e.scale : 0);
    v.precision = has_logical && l.__isset.DECIMAL ? l.DECIMAL.precision : (e.__isset.precision ? e.precision : 0);
    v.scale = leaf->decimal_scale;
    if (leaf->decimal_scale < 0 || leaf->decimal_scale > 76)
      return unsupported("DECIMAL scale " + std::to_string(leaf->decimal_scale) + " is out of range (0..76)");
    if (leaf->physical == PhysicalType::kBoolean || leaf->physical == PhysicalType::kFloat ||
        leaf->physical == PhysicalType::kDouble || leaf->physical == PhysicalType::kInt96)
      return unsupported("DECIMAL stored as " + physical + " is not a valid Parquet type");
    return target(DataType::kString, LeafConversion::kDecimalToString, Logical::kDecimal);
  }
  const bool time = (has_logical && l.__isset.TIME) || IsConverted(e, fmt::ConvertedType::TIME_MILLIS) ||
                    IsConverted(e, fmt::ConvertedType::TIME_MICROS);
  if (time) {
    v.unit = has_logical && l.__isset.TIME ? UnitOf(l.TIME.unit)
             : IsConverted(e, fmt::ConvertedType::TIME_MILLIS) ? TimeUnit::kMillis
                                                              : TimeUnit::kMicros;
    const PhysicalType want = v.unit == TimeUnit::kMillis ? PhysicalType::kInt32 : PhysicalType::kInt64;
    if (leaf->physical != want)
      return unsupported("TIME in " + std::string(v.unit == TimeUnit::kMillis ? "MILLIS" : "MICROS/NANOS") +
                         " stored as " + physical + " is not a valid Parquet type");
    return target(DataType::kString, LeafConversion::kTimeToString, Logical::kTime);
  }
  switch (leaf->physical) {
    case PhysicalType::kBoolean: return target(DataType::kBool);
    case PhysicalType::kFloat: return target(DataType::kFloat);
    case PhysicalType::kDouble: return target(DataType::kDouble);
    case PhysicalType::kInt96:
      v.unit = TimeUnit::kNanos;
      return target(DataType::kString, LeafConversion::kInt96ToString, Logical::kInt96);
    case PhysicalType::kInt32: {
      if ((has_logical && l.__isset.DATE) || IsConverted(e, fmt::ConvertedType::DATE)) return target(DataType::kDate);
      const bool u32 = (has_logical && l.__isset.INTEGER && !l.INTEGER.isSigned && l.INTEGER.bitWidth == 32) ||
                       IsConverted(e, fmt::ConvertedType::UINT_32);
      if (u32) return target(DataType::kInt64, LeafConversion::kUInt32ToInt64);
      return target(DataType::kInt32);  // INT_8/16/32, UINT_8/16: the int32 as stored
    }
    case PhysicalType::kInt64: {
      if (has_logical && l.__isset.TIMESTAMP) {
        v.unit = UnitOf(l.TIMESTAMP.unit);
        return target(DataType::kTimestamp);
      }
      if (IsConverted(e, fmt::ConvertedType::TIMESTAMP_MILLIS) || IsConverted(e, fmt::ConvertedType::TIMESTAMP_MICROS)) {
        v.unit = IsConverted(e, fmt::ConvertedType::TIMESTAMP_MILLIS) ? TimeUnit::kMillis : TimeUnit::kMicros;
        return target(DataType::kTimestamp);
      }
      const bool u64 = (has_logical && l.__isset.INTEGER && !l.INTEGER.isSigned) ||
                       IsConverted(e, fmt::ConvertedType::UINT_64);
      return target(DataType::kInt64, LeafConversion::kNone, u64 ? Logical::kUnsigned : Logical::kNone);
    }
    case PhysicalType::kByteArray: {
      const bool text = (has_logical && (l.__isset.STRING || l.__isset.ENUM || l.__isset.JSON)) ||
                        IsConverted(e, fmt::ConvertedType::UTF8) || IsConverted(e, fmt::ConvertedType::ENUM) ||
                        IsConverted(e, fmt::ConvertedType::JSON);
      return target(text ? DataType::kString : DataType::kBinary);
    }
    case PhysicalType::kFixedLenByteArray: {
      if (has_logical && l.__isset.FLOAT16) {
        if (leaf->type_length != 2)
          return unsupported("FLOAT16 needs FIXED_LEN_BYTE_ARRAY(2), not (" + std::to_string(leaf->type_length) + ")");
        return target(DataType::kFloat, LeafConversion::kFloat16ToFloat);
      }
      if (has_logical && l.__isset.UUID) {
        if (leaf->type_length != 16)
          return unsupported("UUID needs FIXED_LEN_BYTE_ARRAY(16), not (" + std::to_string(leaf->type_length) + ")");
        return target(DataType::kString, LeafConversion::kUuidToString, Logical::kUuid);
      }
      if (IsConverted(e, fmt::ConvertedType::INTERVAL)) {
        if (leaf->type_length != 12)
          return unsupported("INTERVAL needs FIXED_LEN_BYTE_ARRAY(12), not (" + std::to_string(leaf->type_length) + ")");
        return target(DataType::kString, LeafConversion::kIntervalToString, Logical::kInterval);
      }
      if (list_element) return target(DataType::kBinary, LeafConversion::kFixedToBinary);
      v.fixed_len = leaf->type_length;
      return target(DataType::kFixedBinary);
    }
  }
}

// Normalises a schema node into a NestedNode. MakeValue honours the node's own repetition (a bare
// repeated field is a required list of required elements); MakeInner reads the node as one value.
// Returns false with *why set for shapes the reader cannot represent.
bool MakeInner(const Node& n, NestedNode* out, std::string* why, const std::string& path);

bool MakeValue(const Node& n, NestedNode* out, std::string* why, const std::string& path) {
  if (!IsRepeated(*n.e)) return MakeInner(n, out, why, path);
  out->kind = NestedNode::Kind::kList;
  out->name = n.e->name;
  out->optional = false;
  out->def = static_cast<int16_t>(n.def - 1);
  out->elem_def = n.def;
  out->rep = n.rep;
  out->first_leaf = n.first_leaf;
  out->num_leaves = n.num_leaves;
  out->children.resize(1);
  return MakeInner(n, &out->children[0], why, path);
}

bool MakeInner(const Node& n, NestedNode* out, std::string* why, const std::string& path) {
  const fmt::SchemaElement& e = *n.e;
  out->name = e.name;
  out->optional = IsOptional(e);
  out->def = n.def;
  out->first_leaf = n.first_leaf;
  out->num_leaves = n.num_leaves;
  if (!n.group) {
    out->kind = NestedNode::Kind::kPrimitive;
    return true;
  }
  if (n.num_leaves == 0) {
    *why = "group '" + path + "' has no columns";
    return false;
  }
  const bool list = IsListAnnotated(e), map = IsMapAnnotated(e);
  if (list || map) {
    if (n.children.size() != 1 || !IsRepeated(*n.children[0].e)) {
      *why = std::string(list ? "LIST" : "MAP") + " group '" + path + "' is malformed (expected one repeated child)";
      return false;
    }
    const Node& r = n.children[0];
    const std::string rpath = path + "." + r.e->name;
    out->elem_def = r.def;
    out->rep = r.rep;
    if (map && r.group && r.children.size() == 2) {
      out->kind = NestedNode::Kind::kMap;
      out->children.resize(2);
      if (r.children[0].group || IsRepeated(*r.children[0].e)) {
        *why = "MAP '" + path + "' has keys that are not primitive values";
        return false;
      }
      return MakeValue(r.children[0], &out->children[0], why, rpath + "." + r.children[0].e->name) &&
             MakeValue(r.children[1], &out->children[1], why, rpath + "." + r.children[1].e->name);
    }
    out->kind = NestedNode::Kind::kList;
    out->children.resize(1);
    if (map) {  // legacy key-only map (a set): the keys as a list
      if (!r.group || r.children.size() != 1) {
        *why = "MAP group '" + path + "' is malformed (expected a repeated group of key and value)";
        return false;
      }
      return MakeValue(r.children[0], &out->children[0], why, rpath + "." + r.children[0].e->name);
    }
    // LogicalTypes.md backward compatibility: the repeated field itself is the (required) element
    // when it is primitive, has several fields, or is named "array" / "<list>_tuple".
    if (!r.group || r.children.size() != 1 || r.e->name == "array" || r.e->name == e.name + "_tuple")
      return MakeInner(r, &out->children[0], why, rpath);
    return MakeValue(r.children[0], &out->children[0], why, rpath + "." + r.children[0].e->name);
  }
  out->kind = NestedNode::Kind::kStruct;
  out->children.resize(n.children.size());
  for (size_t i = 0; i < n.children.size(); ++i)
    if (!MakeValue(n.children[i], &out->children[i], why, path + "." + n.children[i].e->name)) return false;
  return true;
}

// Index of each leaf's schema element, for DecideTarget on nested leaves.
void CollectLeafElements(const Node& n, std::vector<const fmt::SchemaElement*>* out) {
  if (!n.group) {
    out->push_back(n.e);
    return;
  }
  for (const Node& c : n.children) CollectLeafElements(c, out);
}

}  // namespace

Result<ReaderSchema> BuildReaderSchema(const std::vector<fmt::SchemaElement>& elements) {
  if (elements.empty()) return Status::Corruption("schema is empty");
  Builder b(elements);
  Node root;
  AILAKE_RETURN_IF_ERROR(b.Parse(&root, 0, 0, 0, "", true));
  if (!root.group) return Status::Corruption("schema root is not a group");
  if (b.consumed() != elements.size())
    return Status::Corruption("schema has " + std::to_string(elements.size() - b.consumed()) +
                              " elements outside the root's tree");
  ReaderSchema rs;
  rs.leaves = std::move(b.leaves());
  std::vector<const fmt::SchemaElement*> leaf_elements;
  CollectLeafElements(root, &leaf_elements);
  for (const Node& n : root.children) {
    const fmt::SchemaElement& e = *n.e;
    Field field;
    field.name = e.name;
    field.nullable = IsOptional(e);
    field.field_id = e.__isset.field_id ? e.field_id : -1;
    FieldMapping m;
    m.first_leaf = n.first_leaf;
    m.num_leaves = n.num_leaves;
    auto shape = std::make_shared<NestedNode>();
    if (!MakeValue(n, shape.get(), &m.reason, e.name)) {
      field.type = DataType::kBinary;  // placeholder; the field cannot be projected
      rs.schema.fields.push_back(std::move(field));
      rs.fields.push_back(std::move(m));
      continue;
    }
    // Leaf types (nested leaves render like list elements: fixed-size binary as binary).
    const bool flat = shape->kind == NestedNode::Kind::kPrimitive;
    for (int i = n.first_leaf; i < n.first_leaf + n.num_leaves; ++i) {
      LeafColumn& leaf = rs.leaves[static_cast<size_t>(i)];
      DecideTarget(*leaf_elements[static_cast<size_t>(i)], !flat, &leaf);
      if (!leaf.unsupported_reason.empty() && m.reason.empty()) m.reason = leaf.unsupported_reason;
    }
    if (m.reason.empty()) {
      m.supported = true;
      const NestedNode* elem = shape->kind == NestedNode::Kind::kList ? &shape->children[0] : nullptr;
      if (flat) {
        const LeafColumn& leaf = rs.leaves[static_cast<size_t>(n.first_leaf)];
        const std::string name = field.name;
        const int32_t id = field.field_id;
        field = leaf.value;
        field.name = name;
        field.field_id = id;
        field.nullable = IsOptional(e);
      } else if (elem && elem->kind == NestedNode::Kind::kPrimitive && shape->rep == 1 &&
                 rs.leaves[static_cast<size_t>(elem->first_leaf)].value.logical == Logical::kNone) {
        // list<primitive>: a kList column.
        const LeafColumn& leaf = rs.leaves[static_cast<size_t>(elem->first_leaf)];
        m.is_list = true;
        m.list_def = shape->def;
        m.element_def = shape->elem_def;
        field.type = DataType::kList;
        field.element_type = leaf.target;
        field.unit = leaf.value.unit;
        field.nullable = shape->optional;
      } else {
        m.nested = std::move(shape);
        field.type = DataType::kString;
        field.logical = Logical::kJson;
      }
    } else {
      field.type = DataType::kBinary;  // placeholder; the field cannot be projected
    }
    rs.schema.fields.push_back(std::move(field));
    rs.fields.push_back(std::move(m));
  }
  return rs;
}

}  // namespace ailake::parquet
