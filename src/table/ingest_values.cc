#include "table/ingest_values.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "core/civil_time.h"
#include "file/vector_fill.h"

namespace ailake::table {

using nlohmann::json;

namespace {

constexpr const char* kTimestampForm = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fraction]] with Z or +HH:MM/-HH:MM";

int64_t UnitsPerSecond(parquet::TimeUnit u) {
  return u == parquet::TimeUnit::kMillis ? 1000 : u == parquet::TimeUnit::kNanos ? 1000000000 : 1000000;
}

Result<double> AsNumber(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return d;
  }
  return Status::InvalidArgument("expected a number, got " + v.dump());
}

}  // namespace

Status AppendValue(const parquet::Field& f, const json& v, parquet::Column* col) {
  using parquet::DataType;
  if (v.is_null()) {
    if (!f.nullable) return Status::InvalidArgument("column '" + f.name + "' may not be null");
    col->AppendNull();
    return Status::OK();
  }
  switch (f.type) {
    case DataType::kString:
      col->AppendString(v.is_string() ? v.get<std::string>() : v.dump());
      return Status::OK();
    case DataType::kBool:
      if (v.is_boolean()) col->AppendBool(v.get<bool>());
      else if (v == "true" || v == "false") col->AppendBool(v == "true");
      else return Status::InvalidArgument("column '" + f.name + "' expects true/false, got " + v.dump());
      return Status::OK();
    case DataType::kInt32:
    case DataType::kInt64: {
      AILAKE_ASSIGN_OR_RETURN(double d, AsNumber(v));
      if (d != std::floor(d) || std::fabs(d) > 9.007199254740992e15) {
        return Status::InvalidArgument("column '" + f.name + "' expects an integer, got " + v.dump());
      }
      if (f.type == DataType::kInt32) {
        if (d < INT32_MIN || d > INT32_MAX) return Status::InvalidArgument("column '" + f.name + "': " + v.dump() + " does not fit int");
        col->AppendInt32(static_cast<int32_t>(d));
      } else {
        col->AppendInt64(v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(d));
      }
      return Status::OK();
    }
    case DataType::kFloat:
    case DataType::kDouble: {
      auto d = AsNumber(v);
      if (!d.ok()) return Status::InvalidArgument("column '" + f.name + "': " + d.status().message());
      if (f.type == DataType::kFloat) col->AppendFloat(static_cast<float>(*d));
      else col->AppendDouble(*d);
      return Status::OK();
    }
    case DataType::kDate: {
      // Expanded years too: a Parquet input's dates arrive as the text parquet/value_json.h prints,
      // which writes years outside 0000..9999 that way.
      if (!v.is_string()) return Status::InvalidArgument("column '" + f.name + "' expects a date 'YYYY-MM-DD', got " + v.dump());
      auto d = civil::ParseDate(v.get<std::string>(), civil::YearDigits::kExpanded);
      if (!d.ok()) return Status::InvalidArgument("column '" + f.name + "': " + d.status().message() + " (expected YYYY-MM-DD)");
      if (*d < INT32_MIN || *d > INT32_MAX) {
        return Status::InvalidArgument("column '" + f.name + "': " + v.dump() + " is outside the range of a date column");
      }
      col->AppendInt32(static_cast<int32_t>(*d));
      return Status::OK();
    }
    case DataType::kTimestamp: {
      if (v.is_number_integer()) {  // already a count of the column's unit since the epoch
        col->AppendInt64(v.get<int64_t>());
        return Status::OK();
      }
      if (!v.is_string()) {
        return Status::InvalidArgument("column '" + f.name + "' expects a timestamp (" + kTimestampForm + "), got " + v.dump());
      }
      // Fraction digits finer than the column's unit are dropped, as every engine does on a cast.
      auto t = civil::ParseInstant(v.get<std::string>(), civil::YearDigits::kExpanded);
      if (!t.ok()) {
        return Status::InvalidArgument("column '" + f.name + "': " + t.status().message() + " (expected " + kTimestampForm + ")");
      }
      auto units = civil::ToUnits(*t, UnitsPerSecond(f.unit));
      if (!units.ok()) return Status::InvalidArgument("column '" + f.name + "': " + v.dump() + ": " + units.status().message());
      col->AppendInt64(*units);
      return Status::OK();
    }
    default:
      return Status::NotSupported("column '" + f.name + "' has a type ingest does not fill");
  }
}

Status ParseVector(const json& v, size_t dim, bool values_are_text, VectorPrecision precision, float* out) {
  json parsed;
  const json* arr = &v;
  if (v.is_string()) {
    if (!values_are_text) {
      return Status::InvalidArgument("is a string; give the vector as a JSON array of numbers, not as text");
    }
    parsed = json::parse(v.get<std::string>(), nullptr, false);
    arr = &parsed;
  }
  if (!arr->is_array()) return Status::InvalidArgument("must be an array of numbers, got " + std::string(v.type_name()));
  if (arr->size() != dim) {
    return Status::InvalidArgument("has " + std::to_string(arr->size()) + " values, the table's dim is " +
                                   std::to_string(dim));
  }
  for (size_t i = 0; i < dim; ++i) {
    const json& x = (*arr)[i];
    if (x.is_string()) {
      return Status::InvalidArgument("element " + std::to_string(i) + " is " + x.dump() + ": embeddings must be finite numbers");
    }
    if (!x.is_number()) return Status::InvalidArgument("element " + std::to_string(i) + " is not a number");
    const double d = x.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > 3.4028234663852886e38) {
      return Status::InvalidArgument("element " + std::to_string(i) + " is " + x.dump() + ", not a finite float");
    }
    out[i] = static_cast<float>(d);
  }
  return file::CheckStorable(precision, out, dim);
}

}  // namespace ailake::table
