// Batch schema -> Parquet schema (the flat SchemaElement list of FileMetaData.schema).
//
// Layout: element 0 is the root group ("schema", num_children = number of fields), followed by one
// leaf per field, in field order (we write only flat schemas):
//   bool         BOOLEAN
//   int32        INT32                      int64       INT64
//   float        FLOAT                      double      DOUBLE
//   string       BYTE_ARRAY + STRING logical type + UTF8 converted type
//   binary       BYTE_ARRAY
//   fixed binary FIXED_LEN_BYTE_ARRAY(type_length = fixed_len)
//   date         INT32 + DATE logical + DATE converted
//   timestamp    INT64 + TIMESTAMP(isAdjustedToUTC = true, unit); converted TIMESTAMP_MILLIS /
//                TIMESTAMP_MICROS for millis / micros (nanos has no converted type)
// repetition_type is REQUIRED or OPTIONAL from Field::nullable; field_id is written when >= 0.
#pragma once

#include <vector>

#include "ailake/status.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/batch.h"

namespace ailake::parquet {

// Checks that the writer can write this schema: at least one field, unique non-empty names, a positive
// fixed_len for fixed binary, no list fields (NotSupported).
Status ValidateWriterSchema(const Schema& schema);

format::Type::type ParquetPhysicalType(DataType type);

std::vector<format::SchemaElement> ToParquetSchema(const Schema& schema);

}  // namespace ailake::parquet
