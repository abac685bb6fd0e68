// Record assembly for nested fields (structs, maps, lists of groups, lists of lists, any depth):
// the leaves' repetition/definition levels and dense values become one JSON document per row.
//
// Striping invariants relied on (and checked, so a malformed file is an error, never a crash or a
// silently shifted value): every leaf under a node has one level entry per instance of the node
// that is null, an empty list, or a list element; a further element of a list starts with the
// repetition level of that list's repeated node in every leaf under it; each row starts with
// repetition level 0 in every leaf; a definition level never falls below the level at which the
// enclosing value is known to be present; every level and value of every leaf is used exactly once.
#pragma once

#include <cstdint>
#include <vector>

#include "ailake/status.h"
#include "parquet/batch.h"
#include "parquet/column_reader.h"
#include "parquet/reader_schema.h"

namespace ailake::parquet {

// chunks[i] holds leaf root.first_leaf + i (leaves = the schema's leaves, all of them). Appends
// num_rows JSON documents to out (a kString column); the output is capped at max_bytes.
Status AssembleNestedJson(const NestedNode& root, const std::vector<LeafColumn>& leaves, std::vector<LeafChunk>& chunks,
                          int64_t num_rows, uint64_t max_bytes, Column* out);

}  // namespace ailake::parquet
