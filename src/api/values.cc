#include "ailake/values.h"

#include "parquet/value_json.h"

namespace ailake {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kBool: return "boolean";
    case ValueType::kInt32: return "int";
    case ValueType::kInt64: return "long";
    case ValueType::kFloat32: return "float";
    case ValueType::kFloat64: return "double";
    case ValueType::kString: return "string";
    case ValueType::kBinary: return "binary";
    case ValueType::kDate: return "date";
    case ValueType::kTimestamp: return "timestamptz";
  }
  return "?";
}

Result<ValueType> ParseValueType(std::string_view name) {
  for (ValueType t : {ValueType::kBool, ValueType::kInt32, ValueType::kInt64, ValueType::kFloat32, ValueType::kFloat64,
                      ValueType::kString, ValueType::kBinary, ValueType::kDate, ValueType::kTimestamp}) {
    if (ValueTypeName(t) == name) return t;
  }
  return Status::InvalidArgument("unknown value type '" + std::string(name) +
                                 "' (use boolean, int, long, float, double, string, binary, date or timestamptz)");
}

namespace {

enum class Storage { kInts, kDoubles, kStrings };

Storage StorageOf(ValueType t) {
  switch (t) {
    case ValueType::kFloat32:
    case ValueType::kFloat64: return Storage::kDoubles;
    case ValueType::kString:
    case ValueType::kBinary: return Storage::kStrings;
    default: return Storage::kInts;
  }
}

}  // namespace

size_t Column::size() const {
  switch (StorageOf(type)) {
    case Storage::kInts: return ints.size();
    case Storage::kDoubles: return doubles.size();
    case Storage::kStrings: return strings.size();
  }
  return 0;
}

void Column::AppendNull() {
  const size_t n = size();
  if (valid.empty()) valid.assign(n, 1);
  switch (StorageOf(type)) {
    case Storage::kInts: ints.push_back(0); break;
    case Storage::kDoubles: doubles.push_back(0.0); break;
    case Storage::kStrings: strings.emplace_back(); break;
  }
  valid.push_back(0);
}

void Column::AppendInt(int64_t v) {
  ints.push_back(v);
  if (!valid.empty()) valid.push_back(1);
}

void Column::AppendDouble(double v) {
  doubles.push_back(v);
  if (!valid.empty()) valid.push_back(1);
}

void Column::AppendString(std::string v) {
  strings.push_back(std::move(v));
  if (!valid.empty()) valid.push_back(1);
}

std::string Column::ValueJson(size_t row) const {
  std::string out;
  if (row >= size() || is_null(row)) return "null";
  switch (type) {
    case ValueType::kBool: return ints[row] ? "true" : "false";
    case ValueType::kInt32:
    case ValueType::kInt64: return std::to_string(ints[row]);
    case ValueType::kFloat32: parquet::AppendJsonFloat(static_cast<float>(doubles[row]), &out); return out;
    case ValueType::kFloat64: parquet::AppendJsonDouble(doubles[row], &out); return out;
    case ValueType::kString:
    case ValueType::kBinary: parquet::AppendJsonString(strings[row], &out); return out;
    case ValueType::kDate: parquet::AppendJsonString(parquet::FormatDate(ints[row]), &out); return out;
    case ValueType::kTimestamp:
      parquet::AppendJsonString(parquet::FormatTimestamp(ints[row], parquet::TimeUnit::kMicros), &out);
      return out;
  }
  return "null";
}

const Column* RecordBatch::Find(std::string_view name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Column* RecordBatch::Find(std::string_view name) {
  for (auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Status RecordBatch::Validate() const {
  const size_t n = num_rows();
  for (const auto& c : columns) {
    const Storage s = StorageOf(c.type);
    const size_t ints_n = s == Storage::kInts ? n : 0, doubles_n = s == Storage::kDoubles ? n : 0,
                 strings_n = s == Storage::kStrings ? n : 0;
    if (c.ints.size() != ints_n || c.doubles.size() != doubles_n || c.strings.size() != strings_n) {
      return Status::InvalidArgument("RecordBatch column '" + c.name + "' (" + std::string(ValueTypeName(c.type)) +
                                     ") must hold " + std::to_string(n) + " values in its " +
                                     (s == Storage::kInts ? "ints" : s == Storage::kDoubles ? "doubles" : "strings") +
                                     " and none elsewhere (the first column has " + std::to_string(n) + " rows)");
    }
    if (!c.valid.empty() && c.valid.size() != n) {
      return Status::InvalidArgument("RecordBatch column '" + c.name + "': valid has " + std::to_string(c.valid.size()) +
                                     " entries for " + std::to_string(n) + " rows (empty = no nulls)");
    }
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    for (size_t j = i + 1; j < columns.size(); ++j) {
      if (columns[i].name == columns[j].name) {
        return Status::InvalidArgument("RecordBatch has two columns named '" + columns[i].name + "'");
      }
    }
  }
  return Status::OK();
}

}  // namespace ailake
