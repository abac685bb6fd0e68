#include "table/table_schema.h"

#include <charconv>
#include <set>

#include "vec/quantize.h"

namespace ailake::table {

Result<iceberg::TypePtr> TypeFromName(const std::string& column, const std::string& t) {
  using iceberg::TypeId;
  static const std::map<std::string, TypeId> kTypes = {
      {"boolean", TypeId::kBoolean}, {"int", TypeId::kInt},       {"long", TypeId::kLong},
      {"float", TypeId::kFloat},     {"double", TypeId::kDouble}, {"string", TypeId::kString},
      {"date", TypeId::kDate},       {"timestamptz", TypeId::kTimestampTz}};
  auto it = kTypes.find(t);
  if (it == kTypes.end()) {
    return Status::InvalidArgument("column '" + column + "' has type '" + t +
                                   "': use boolean, int, long, float, double, string, date or timestamptz");
  }
  return iceberg::Type::Primitive(it->second);
}

namespace {

Result<int64_t> IntProp(const std::map<std::string, std::string>& p, const char* key, int64_t fallback) {
  auto it = p.find(key);
  if (it == p.end()) return fallback;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || ptr != it->second.data() + it->second.size()) {
    return Status::Corruption(std::string("table property ") + key + " = '" + it->second + "' is not an integer");
  }
  return v;
}
}  // namespace

Result<iceberg::Schema> DefaultSchema(const TableOptions& o) {
  using iceberg::Type;
  using iceberg::TypeId;
  if (o.model.dim == 0 || o.model.dim > 65536) return Status::InvalidArgument("--dim must be between 1 and 65536");
  std::set<std::string> names = {"id", "doc_id", "metadata", o.text_column, o.vector_column};
  if (names.size() != 5) {
    return Status::InvalidArgument("the text column and the vector column need distinct names other than id, doc_id, metadata");
  }
  iceberg::Schema s;
  s.fields.push_back({1, "id", true, Type::Primitive(TypeId::kString), "chunk id"});
  s.fields.push_back({2, "doc_id", false, Type::Primitive(TypeId::kString), "source document"});
  s.fields.push_back({3, o.text_column, false, Type::Primitive(TypeId::kString), "chunk text"});
  s.fields.push_back({4, "metadata", false, Type::Primitive(TypeId::kString), "other input fields (JSON)"});
  s.fields.push_back({5, o.vector_column, false,
                      Type::Fixed(static_cast<int>(vec::RowBytes(o.policy.precision, o.model.dim))),
                      "embedding (" + std::string(PrecisionName(o.policy.precision)) + " x " + std::to_string(o.model.dim) + ")"});
  int next = 6;
  for (const auto& c : o.extra_columns) {
    if (!names.insert(c.name).second) return Status::InvalidArgument("column name '" + c.name + "' is used twice");
    AILAKE_ASSIGN_OR_RETURN(auto t, TypeFromName(c.name, c.type));
    s.fields.push_back({next++, c.name, false, t, ""});
  }
  AILAKE_RETURN_IF_ERROR(iceberg::ValidateSchema(s));
  return s;
}

std::map<std::string, std::string> TableProperties(const TableOptions& o) {
  return {{kPropVectorColumn, o.vector_column},
          {kPropTextColumn, o.text_column},
          {kPropDim, std::to_string(o.model.dim)},
          {kPropMetric, std::string(MetricName(o.model.metric))},
          {kPropPrecision, std::string(PrecisionName(o.policy.precision))},
          {kPropModel, o.model.name},
          {kPropModelVersion, o.model.version},
          {kPropIndex, std::string(IndexKindName(o.policy.index))},
          {kPropHnswM, std::to_string(o.policy.hnsw_m)},
          {kPropHnswEfc, std::to_string(o.policy.hnsw_ef_construction)},
          {kPropTargetFileRows, std::to_string(o.target_file_rows)},
          {"write.format.default", "parquet"}};
}

Result<VectorConfig> VectorConfigFromProperties(const std::map<std::string, std::string>& p) {
  auto get = [&](const char* key) -> Result<std::string> {
    auto it = p.find(key);
    if (it == p.end()) return Status::Corruption(std::string("table property ") + key + " is missing: not an ailake table?");
    return it->second;
  };
  VectorConfig c;
  AILAKE_ASSIGN_OR_RETURN(c.vector_column, get(kPropVectorColumn));
  AILAKE_ASSIGN_OR_RETURN(c.text_column, get(kPropTextColumn));
  AILAKE_ASSIGN_OR_RETURN(c.model.name, get(kPropModel));
  auto version = p.find(kPropModelVersion);
  if (version != p.end()) c.model.version = version->second;
  AILAKE_ASSIGN_OR_RETURN(int64_t dim, IntProp(p, kPropDim, 0));
  if (dim <= 0 || dim > 65536) return Status::Corruption("table property ailake.dim is invalid");
  c.model.dim = static_cast<uint32_t>(dim);
  AILAKE_ASSIGN_OR_RETURN(std::string metric, get(kPropMetric));
  AILAKE_ASSIGN_OR_RETURN(c.model.metric, ParseMetric(metric));
  AILAKE_ASSIGN_OR_RETURN(std::string precision, get(kPropPrecision));
  AILAKE_ASSIGN_OR_RETURN(c.policy.precision, ParsePrecision(precision));
  auto index = p.find(kPropIndex);
  if (index != p.end()) {
    AILAKE_ASSIGN_OR_RETURN(c.policy.index, ParseIndexKind(index->second));
  }
  AILAKE_ASSIGN_OR_RETURN(int64_t m, IntProp(p, kPropHnswM, 16));
  AILAKE_ASSIGN_OR_RETURN(int64_t efc, IntProp(p, kPropHnswEfc, 200));
  if (m < 2 || m > 128 || efc < 1 || efc > 10000) return Status::Corruption("table HNSW properties are out of range");
  c.policy.hnsw_m = static_cast<uint32_t>(m);
  c.policy.hnsw_ef_construction = static_cast<uint32_t>(efc);
  AILAKE_ASSIGN_OR_RETURN(c.target_file_rows, IntProp(p, kPropTargetFileRows, 250000));
  if (c.target_file_rows < 1) return Status::Corruption("table property ailake.target-file-rows must be positive");
  return c;
}

Result<parquet::Field> ToParquetField(const iceberg::NestedField& f) {
  using iceberg::TypeId;
  using parquet::DataType;
  parquet::Field out;
  out.name = f.name;
  out.nullable = !f.required;
  out.field_id = f.id;
  switch (f.type->id) {
    case TypeId::kBoolean: out.type = DataType::kBool; break;
    case TypeId::kInt: out.type = DataType::kInt32; break;
    case TypeId::kLong: out.type = DataType::kInt64; break;
    case TypeId::kFloat: out.type = DataType::kFloat; break;
    case TypeId::kDouble: out.type = DataType::kDouble; break;
    case TypeId::kString: out.type = DataType::kString; break;
    case TypeId::kBinary: out.type = DataType::kBinary; break;
    case TypeId::kDate: out.type = DataType::kDate; break;
    case TypeId::kTimestampTz: out.type = DataType::kTimestamp; out.unit = parquet::TimeUnit::kMicros; break;
    case TypeId::kFixed: out.type = DataType::kFixedBinary; out.fixed_len = f.type->fixed_length; break;
    default:
      return Status::NotSupported("column '" + f.name + "' has Iceberg type " + iceberg::TypeToString(*f.type) +
                                  ", which ailake tables do not support yet");
  }
  return out;
}

Result<parquet::Schema> ToParquetSchema(const iceberg::Schema& schema) {
  parquet::Schema out;
  for (const auto& f : schema.fields) {
    AILAKE_ASSIGN_OR_RETURN(parquet::Field pf, ToParquetField(f));
    out.fields.push_back(std::move(pf));
  }
  return out;
}

}  // namespace ailake::table
