#include "parquet/writer_schema.h"

#include <set>
#include <string>

namespace ailake::parquet {

Status ValidateWriterSchema(const Schema& schema) {
  if (schema.fields.empty()) return Status::InvalidArgument("parquet writer: the schema has no fields");
  std::set<std::string> names;
  for (const Field& f : schema.fields) {
    if (f.name.empty()) return Status::InvalidArgument("parquet writer: a field has an empty name");
    if (!names.insert(f.name).second)
      return Status::InvalidArgument("parquet writer: duplicate field name '" + f.name + "'");
    if (f.type == DataType::kList) {
      return Status::NotSupported("parquet writer: field '" + f.name +
                                  "' is a list; writing list columns is not supported (store embeddings as "
                                  "fixed-size binary vector columns)");
    }
    if (f.type == DataType::kFixedBinary && f.fixed_len <= 0) {
      return Status::InvalidArgument("parquet writer: fixed-size binary field '" + f.name +
                                     "' needs fixed_len > 0 (got " + std::to_string(f.fixed_len) + ")");
    }
  }
  return Status::OK();
}

format::Type::type ParquetPhysicalType(DataType type) {
  switch (type) {
    case DataType::kBool: return format::Type::BOOLEAN;
    case DataType::kInt32:
    case DataType::kDate: return format::Type::INT32;
    case DataType::kInt64:
    case DataType::kTimestamp: return format::Type::INT64;
    case DataType::kFloat: return format::Type::FLOAT;
    case DataType::kDouble: return format::Type::DOUBLE;
    case DataType::kString:
    case DataType::kBinary:
    case DataType::kList: return format::Type::BYTE_ARRAY;
    case DataType::kFixedBinary: return format::Type::FIXED_LEN_BYTE_ARRAY;
  }
  return format::Type::BYTE_ARRAY;
}

namespace {

format::SchemaElement Leaf(const Field& f) {
  format::SchemaElement e;
  e.__set_name(f.name);
  e.__set_type(ParquetPhysicalType(f.type));
  e.__set_repetition_type(f.nullable ? format::FieldRepetitionType::OPTIONAL : format::FieldRepetitionType::REQUIRED);
  if (f.field_id >= 0) e.__set_field_id(f.field_id);
  format::LogicalType logical;
  switch (f.type) {
    case DataType::kString:
      logical.__set_STRING(format::StringType());
      e.__set_logicalType(logical);
      e.__set_converted_type(format::ConvertedType::UTF8);
      break;
    case DataType::kFixedBinary: e.__set_type_length(f.fixed_len); break;
    case DataType::kDate:
      logical.__set_DATE(format::DateType());
      e.__set_logicalType(logical);
      e.__set_converted_type(format::ConvertedType::DATE);
      break;
    case DataType::kTimestamp: {
      format::TimeUnit unit;
      switch (f.unit) {
        case TimeUnit::kMillis:
          unit.__set_MILLIS(format::MilliSeconds());
          e.__set_converted_type(format::ConvertedType::TIMESTAMP_MILLIS);
          break;
        case TimeUnit::kMicros:
          unit.__set_MICROS(format::MicroSeconds());
          e.__set_converted_type(format::ConvertedType::TIMESTAMP_MICROS);
          break;
        case TimeUnit::kNanos: unit.__set_NANOS(format::NanoSeconds()); break;
      }
      format::TimestampType ts;
      ts.__set_isAdjustedToUTC(true);
      ts.__set_unit(unit);
      logical.__set_TIMESTAMP(ts);
      e.__set_logicalType(logical);
      break;
    }
    default: break;
  }
  return e;
}

}  // namespace

std::vector<format::SchemaElement> ToParquetSchema(const Schema& schema) {
  std::vector<format::SchemaElement> out;
  out.reserve(schema.fields.size() + 1);
  format::SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(static_cast<int32_t>(schema.fields.size()));
  out.push_back(std::move(root));
  for (const Field& f : schema.fields) out.push_back(Leaf(f));
  return out;
}

}  // namespace ailake::parquet
