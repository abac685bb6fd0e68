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

// Decides the Batch type of a primitive element; sets leaf->unsupported_reason when there is none.
void DecideTarget(const fmt::SchemaElement& e, bool list_element, LeafColumn* leaf, Field* field) {
  const bool has_logical = e.__isset.logicalType;
  const fmt::LogicalType& l = e.logicalType;
  auto unsupported = [&](const std::string& why) { leaf->unsupported_reason = why; };
  const bool decimal = (has_logical && l.__isset.DECIMAL) || IsConverted(e, fmt::ConvertedType::DECIMAL);
  if (decimal) {
    leaf->decimal_scale = has_logical && l.__isset.DECIMAL ? l.DECIMAL.scale : (e.__isset.scale ? e.scale : 0);
    if (leaf->decimal_scale < 0 || leaf->decimal_scale > 76) return unsupported("DECIMAL with scale out of range");
    if ((leaf->physical == PhysicalType::kFixedLenByteArray && leaf->type_length > 16) ||
        leaf->physical == PhysicalType::kBoolean || leaf->physical == PhysicalType::kFloat ||
        leaf->physical == PhysicalType::kDouble || leaf->physical == PhysicalType::kInt96)
      return unsupported("DECIMAL in " + std::string(PhysicalTypeName(leaf->physical)) + " is not supported");
    leaf->target = DataType::kDouble;
    leaf->conversion = LeafConversion::kDecimalToDouble;
    return;
  }
  switch (leaf->physical) {
    case PhysicalType::kBoolean: leaf->target = DataType::kBool; return;
    case PhysicalType::kFloat: leaf->target = DataType::kFloat; return;
    case PhysicalType::kDouble: leaf->target = DataType::kDouble; return;
    case PhysicalType::kInt96:
      leaf->target = DataType::kTimestamp;
      leaf->conversion = LeafConversion::kInt96ToNanos;
      field->unit = TimeUnit::kNanos;
      return;
    case PhysicalType::kInt32: {
      if ((has_logical && l.__isset.DATE) || IsConverted(e, fmt::ConvertedType::DATE)) {
        leaf->target = DataType::kDate;
        return;
      }
      const bool u32 = (has_logical && l.__isset.INTEGER && !l.INTEGER.isSigned && l.INTEGER.bitWidth == 32) ||
                       IsConverted(e, fmt::ConvertedType::UINT_32);
      leaf->target = u32 ? DataType::kInt64 : DataType::kInt32;
      if (u32) leaf->conversion = LeafConversion::kUInt32ToInt64;
      return;  // INT_8/16/32, UINT_8/16, TIME_MILLIS: the int32 as stored
    }
    case PhysicalType::kInt64: {
      if (has_logical && l.__isset.TIMESTAMP) {
        leaf->target = DataType::kTimestamp;
        field->unit = l.TIMESTAMP.unit.__isset.MILLIS ? TimeUnit::kMillis
                      : l.TIMESTAMP.unit.__isset.NANOS ? TimeUnit::kNanos
                                                       : TimeUnit::kMicros;
        return;
      }
      if (IsConverted(e, fmt::ConvertedType::TIMESTAMP_MILLIS) || IsConverted(e, fmt::ConvertedType::TIMESTAMP_MICROS)) {
        leaf->target = DataType::kTimestamp;
        field->unit = IsConverted(e, fmt::ConvertedType::TIMESTAMP_MILLIS) ? TimeUnit::kMillis : TimeUnit::kMicros;
        return;
      }
      leaf->target = DataType::kInt64;  // INT_64, UINT_64 (bit pattern), TIME_MICROS/NANOS: as stored
      return;
    }
    case PhysicalType::kByteArray: {
      const bool text = (has_logical && (l.__isset.STRING || l.__isset.ENUM || l.__isset.JSON)) ||
                        IsConverted(e, fmt::ConvertedType::UTF8) || IsConverted(e, fmt::ConvertedType::ENUM) ||
                        IsConverted(e, fmt::ConvertedType::JSON);
      leaf->target = text ? DataType::kString : DataType::kBinary;
      return;
    }
    case PhysicalType::kFixedLenByteArray: {
      if (has_logical && l.__isset.FLOAT16) {
        if (leaf->type_length != 2) return unsupported("FLOAT16 with type_length != 2");
        leaf->target = DataType::kFloat;
        leaf->conversion = LeafConversion::kFloat16ToFloat;
        return;
      }
      if (list_element) {
        leaf->target = DataType::kBinary;
        leaf->conversion = LeafConversion::kFixedToBinary;
        return;
      }
      leaf->target = DataType::kFixedBinary;
      field->fixed_len = leaf->type_length;
      return;
    }
  }
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
  for (const Node& n : root.children) {
    const fmt::SchemaElement& e = *n.e;
    Field field;
    field.name = e.name;
    field.nullable = IsOptional(e);
    field.field_id = e.__isset.field_id ? e.field_id : -1;
    FieldMapping m;
    m.first_leaf = n.first_leaf;
    m.num_leaves = n.num_leaves;
    const Node* element = nullptr;  // primitive node holding the values
    if (!n.group) {
      element = &n;
      if (IsRepeated(e)) {  // legacy bare repeated primitive: list<required element>
        m.is_list = true;
        m.list_def = 0;
        m.element_def = n.def;
      }
    } else if (IsListAnnotated(e) && n.children.size() == 1 && IsRepeated(*n.children[0].e)) {
      const Node& r = n.children[0];
      m.is_list = true;
      m.list_def = n.def;
      m.element_def = r.def;
      if (!r.group) {
        element = &r;  // 2-level
      } else if (r.children.size() == 1 && !r.children[0].group && !IsRepeated(*r.children[0].e) &&
                 r.e->name != "array" && r.e->name != e.name + "_tuple") {
        element = &r.children[0];  // 3-level
      } else {
        m.reason = "list elements are groups (structs or nested lists)";
      }
    } else if (IsListAnnotated(e)) {
      m.reason = "LIST group is malformed (expected one repeated child)";
    } else {
      m.reason = n.children.empty() ? "empty group" : "nested groups (structs/maps) are not supported";
    }
    if (element) {
      LeafColumn& leaf = rs.leaves[static_cast<size_t>(element->first_leaf)];
      DecideTarget(*element->e, m.is_list, &leaf, &field);
      if (!leaf.unsupported_reason.empty()) {
        m.reason = leaf.unsupported_reason;
      } else if (leaf.max_rep > 1 || (!m.is_list && leaf.max_rep != 0)) {
        m.reason = "nested repetition is not supported";
      } else {
        m.supported = true;
        if (m.is_list) {
          field.type = DataType::kList;
          field.element_type = leaf.target;
        } else {
          field.type = leaf.target;
        }
      }
    }
    if (!m.supported) {
      field.type = DataType::kBinary;  // placeholder; the field cannot be projected
      if (m.reason.empty()) m.reason = "unsupported type";
    }
    rs.schema.fields.push_back(std::move(field));
    rs.fields.push_back(std::move(m));
  }
  return rs;
}

}  // namespace ailake::parquet
