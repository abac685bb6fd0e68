#include "api/convert.h"

#include <utility>
#include <vector>

#include "catalog/catalog.h"

namespace ailake::api {

Result<table::TableOptions> ToTableOptions(const CreateTableOptions& o) {
  if (o.model.name.empty()) {
    return Status::InvalidArgument("CreateTableOptions.model.name is required: every vector column records its model");
  }
  if (o.model.dim < 1 || o.model.dim > 65536) {
    return Status::InvalidArgument("CreateTableOptions.model.dim must be in [1, 65536], got " + std::to_string(o.model.dim));
  }
  if (o.target_file_rows < 1 || o.target_file_rows > 100000000) {
    return Status::InvalidArgument("CreateTableOptions.target_file_rows must be in [1, 100000000], got " +
                                   std::to_string(o.target_file_rows));
  }
  table::TableOptions t;
  t.model = o.model;
  t.policy = o.storage;
  t.vector_column = o.vector_column;
  t.text_column = o.text_column;
  t.target_file_rows = o.target_file_rows;
  for (const auto& c : o.columns) t.extra_columns.push_back({c.name, c.type});
  AILAKE_RETURN_IF_ERROR(catalog::ValidateName("column", t.vector_column)
                             .WithContext("CreateTableOptions.vector_column"));
  AILAKE_RETURN_IF_ERROR(catalog::ValidateName("column", t.text_column).WithContext("CreateTableOptions.text_column"));
  return t;
}

table::WriteMode ToInternal(WriteMode mode) {
  switch (mode) {
    case WriteMode::kAppend: return table::WriteMode::kAppend;
    case WriteMode::kErrorOnDuplicate: return table::WriteMode::kErrorOnDuplicate;
    case WriteMode::kInsertNew: return table::WriteMode::kInsertNew;
    case WriteMode::kUpsert: return table::WriteMode::kUpsert;
  }
  return table::WriteMode::kErrorOnDuplicate;
}

WriteProgress ToPublic(const table::IngestProgress& p) {
  WriteProgress w;
  w.phase = p.phase;
  w.rows_done = p.rows_done;
  w.rows_embedded = p.rows_embedded;
  w.input_fraction = p.input_fraction;
  w.files_done = p.files_done;
  w.rows_per_s = p.rows_per_s;
  w.eta_s = p.eta_s;
  return w;
}

Result<RecordBatch> ToRecordBatch(const parquet::Batch& batch) {
  RecordBatch out;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const parquet::Field& f = batch.schema.fields[c];
    const parquet::Column& in = batch.columns[c];
    Column col;
    col.name = f.name;
    using parquet::DataType;
    switch (in.type()) {
      case DataType::kBool: col.type = ValueType::kBool; break;
      case DataType::kInt32: col.type = ValueType::kInt32; break;
      case DataType::kInt64: col.type = ValueType::kInt64; break;
      case DataType::kFloat: col.type = ValueType::kFloat32; break;
      case DataType::kDouble: col.type = ValueType::kFloat64; break;
      case DataType::kString: col.type = ValueType::kString; break;
      case DataType::kBinary: col.type = ValueType::kBinary; break;
      case DataType::kDate: col.type = ValueType::kDate; break;
      case DataType::kTimestamp: col.type = ValueType::kTimestamp; break;
      default:
        return Status::NotSupported("column '" + f.name + "' has type " + std::string(parquet::DataTypeName(in.type())) +
                                    ", which the public API does not return");
    }
    for (int64_t r = 0; r < in.length(); ++r) {
      if (!in.IsValid(r)) {
        col.AppendNull();
        continue;
      }
      switch (in.type()) {
        case DataType::kBool: col.AppendInt(in.Value<uint8_t>(r) ? 1 : 0); break;
        case DataType::kInt32:
        case DataType::kDate: col.AppendInt(in.Value<int32_t>(r)); break;
        case DataType::kInt64: col.AppendInt(in.Value<int64_t>(r)); break;
        case DataType::kTimestamp: {
          // The public unit is microseconds.
          int64_t v = in.Value<int64_t>(r);
          if (f.unit == parquet::TimeUnit::kMillis) v *= 1000;
          if (f.unit == parquet::TimeUnit::kNanos) v /= 1000;
          col.AppendInt(v);
          break;
        }
        case DataType::kFloat: col.AppendDouble(in.Value<float>(r)); break;
        case DataType::kDouble: col.AppendDouble(in.Value<double>(r)); break;
        default: col.AppendString(std::string(in.StringValue(r))); break;
      }
    }
    out.columns.push_back(std::move(col));
  }
  return out;
}

Status ApiWording(const Status& st) {
  if (st.ok()) return st;
  // Each target phrase is distinct, so cli/api_wording.cc can map it back for the CLI.
  static const std::vector<std::pair<std::string, std::string>> kFlags = {
      {"pass --embedder", "set WriteOptions.embedder"},
      {"pass --generate-ids", "set WriteOptions.generate_ids"},
      {"--embedder", "WriteOptions.embedder"},
      {"--text-field", "WriteOptions.text_field"},
      {"--generate-ids", "WriteOptions.generate_ids"},
      {"--model", "EmbedderOptions.model_name"},
      {"'ailake history'", "Table::History()"}};
  std::string m = st.message();
  for (const auto& [from, to] : kFlags) {
    for (size_t at = m.find(from); at != std::string::npos; at = m.find(from, at + to.size())) m.replace(at, from.size(), to);
  }
  return Status(st.code(), std::move(m));
}

}  // namespace ailake::api
