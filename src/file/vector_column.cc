#include "file/vector_column.h"

#include "vec/quantize.h"

namespace ailake::file {

std::string ColumnKey(const std::string& column, const char* suffix) { return "ailake." + column + "." + suffix; }

parquet::Field VectorField(const VectorColumnSpec& spec) {
  parquet::Field f = parquet::Field::FixedBinary(
      spec.name, static_cast<int32_t>(vec::RowBytes(spec.policy.precision, spec.model.dim)), true);
  f.field_id = spec.field_id;
  return f;
}

}  // namespace ailake::file
