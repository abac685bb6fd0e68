// Ingest's conversion of one input value (a JSON value from any RowSource) into a table column or
// the vector column. Nothing is guessed: a value that does not fit its column is an error naming the
// column, never a silent null or a truncation.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "ailake/status.h"
#include "ailake/types.h"
#include "parquet/batch.h"

namespace ailake::table {

// Appends `v` to `col` as field `f` stores it: strings as they are (nested values as their JSON
// text), numbers range-checked, dates and timestamps parsed (expanded years too; finer fractions
// than the column's unit dropped), null only where the field is nullable.
Status AppendValue(const parquet::Field& f, const nlohmann::json& v, parquet::Column* col);

// The vector field's value into out[0..dim). A CSV cell is JSON text (`values_are_text`); any other
// source gives a typed value, and a string there is refused rather than guessed at. Every element
// must be finite and storable at `precision`.
Status ParseVector(const nlohmann::json& v, size_t dim, bool values_are_text, VectorPrecision precision, float* out);

}  // namespace ailake::table
