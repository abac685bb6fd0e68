// Maps a Parquet schema (the footer's flattened SchemaElement tree) to the reader's top-level
// Fields and the leaf columns that back them.
//
// The footer stores the schema tree depth-first: element 0 is the root, each group element is
// followed by its num_children children. Leaves (primitive elements) are numbered in that order,
// which is also the order of ColumnChunks in every row group.
//
// Top-level fields and how they are read (LogicalTypes.md, including its backward-compatibility
// rules for lists and maps):
//   primitive            required/optional leaf with its logical type (see DecideTarget):
//                        the Batch column of the leaf's DataType (Field::logical says what text means)
//   list<primitive>      3-level LIST, legacy 2-level LIST, or a bare repeated primitive, when the
//                        element needs no Logical annotation: a kList column
//   anything else        structs, maps, lists of groups, lists of lists, any nesting depth: a kString
//                        column with Logical::kJson, one JSON document per row, assembled from the
//                        leaves' repetition/definition levels (nested_reader.h):
//                          struct -> {"member": value, ...} in schema order
//                          list   -> [element, ...]
//                          map    -> {"key text": value, ...} (keys as their text; a key-only map,
//                                    the legacy "set", is a list of keys)
//                          leaves -> the same JSON as top-level columns of that type (value_json.h)
// A field is unsupported (supported == false, refused with its reason when read) only for things the
// reader cannot represent: encrypted columns, malformed LIST/MAP groups, empty groups, and leaf types
// listed in DecideTarget.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
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
  kInt96ToString,   // legacy INT96 timestamp (nanos of day, Julian day) -> ISO-8601 text, any year
  kFloat16ToFloat,  // FLOAT16 in FIXED_LEN_BYTE_ARRAY(2)
  kDecimalToString, // DECIMAL(precision, scale) in INT32/INT64/FLBA/BYTE_ARRAY -> exact text (<= 128 bits)
  kTimeToString,    // TIME(MILLIS) in INT32, TIME(MICROS|NANOS) in INT64 -> "HH:MM:SS.fff"
  kUuidToString,    // UUID in FIXED_LEN_BYTE_ARRAY(16) -> canonical text
  kIntervalToString,// INTERVAL in FIXED_LEN_BYTE_ARRAY(12): u32 LE months, days, millis -> "P14M3DT1.500S"
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
  Field value;                     // the converted value's type (name = the leaf's own name)
  std::string unsupported_reason;  // non-empty: this leaf's type cannot be read
  bool encrypted = false;          // set by the reader when a row group marks the chunk encrypted
};

// A nested field's shape, normalised from the schema tree (list/map backward-compatibility rules
// applied), with the levels the record assembly needs. A node's value is null when the definition
// level is below `def` (only possible when `optional`).
struct NestedNode {
  enum class Kind : uint8_t { kPrimitive, kStruct, kList, kMap };
  Kind kind = Kind::kPrimitive;
  std::string name;
  bool optional = false;
  int16_t def = 0;        // definition level at which this value is present (non-null)
  int first_leaf = 0;     // leaves under this node: [first_leaf, first_leaf + num_leaves)
  int num_leaves = 0;
  // kList / kMap: a present list holds at least one element when the level is >= elem_def; each
  // further element of the same list starts with repetition level == rep.
  int16_t elem_def = 0;
  int16_t rep = 0;
  std::vector<NestedNode> children;  // kStruct: members; kList: {element}; kMap: {key, value}
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
  // Set for fields read as JSON documents (Logical::kJson); the nested shape to assemble.
  std::shared_ptr<const NestedNode> nested;
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
