// Maps a Parquet schema (the footer's flattened SchemaElement tree) to the reader's top-level
// Fields and the leaf columns that back them.
//
// The footer stores the schema tree depth-first: element 0 is the root, each group element is
// followed by its num_children children. Leaves (primitive elements) are numbered in that order,
// which is also the order of ColumnChunks in every row group.
//
// Supported top-level fields:
//   primitive            required/optional leaf with its logical type (see LeafConversion)
//   repeated primitive   legacy bare repeated field: a non-null list of required elements
//   LIST, 3-level        <opt|req> group (LIST) { repeated group <any> { <opt|req> primitive } }
//   LIST, 2-level        <opt|req> group (LIST) { repeated primitive }   (legacy; elements required)
// Anything else (structs, maps, lists of groups, nested lists) is listed with supported == false.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/batch.h"
#include "parquet/file_info.h"
#include "parquet/plain_decoder.h"

namespace ailake::parquet {

// The generated Thrift code stores any i32 from the wire into its (unscoped) enum fields; loading
// an out-of-range enum value is undefined behaviour, so enum fields read from files are always
// loaded through this as plain integers.
template <typename E>
inline int32_t ThriftEnum(const E& e) {
  static_assert(sizeof(E) == sizeof(int32_t));
  int32_t v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

// How physical values become Batch values.
enum class LeafConversion : uint8_t {
  kNone,            // copy (same width and meaning)
  kUInt32ToInt64,   // UINT_32 in INT32: zero-extend
  kInt96ToNanos,    // legacy INT96 timestamp (nanos of day, Julian day) -> int64 ns
  kFloat16ToFloat,  // FLOAT16 in FIXED_LEN_BYTE_ARRAY(2)
  kDecimalToDouble, // DECIMAL(precision, scale) in INT32/INT64/FLBA/BYTE_ARRAY -> double
  kFixedToBinary,   // FLBA list elements (Batch lists carry no fixed length)
};

struct LeafColumn {
  std::string path;                // dotted path
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  LeafColumnInfo info;             // for FileInfo
  // Decoding target (valid when the owning field is supported).
  DataType target = DataType::kInt64;
  LeafConversion conversion = LeafConversion::kNone;
  int32_t decimal_scale = 0;
  std::string unsupported_reason;  // non-empty: this leaf's type cannot be read
};

struct FieldMapping {
  bool supported = false;
  std::string reason;    // why not, for the NotSupported error when projected
  int first_leaf = 0;    // leaves [first_leaf, first_leaf + num_leaves)
  int num_leaves = 0;
  bool is_list = false;
  // Lists (max_rep == 1): definition level of a present (possibly empty) list, and of a present
  // element slot; the leaf's max_def means the element value itself is present.
  int16_t list_def = 0;
  int16_t element_def = 0;
};

struct ReaderSchema {
  Schema schema;
  std::vector<FieldMapping> fields;
  std::vector<LeafColumn> leaves;
};

// Builds the mapping, validating the tree (child counts, depth, types). Corruption on a malformed
// tree; unsupported types are not errors here.
Result<ReaderSchema> BuildReaderSchema(const std::vector<format::SchemaElement>& elements);

}  // namespace ailake::parquet
