// Ingest's handling of one input row (ingest.h has the rules): the text under its own name or the
// --text-field one, the id (given or generated), the fields no column takes merged into `metadata`,
// every column appended to the batch, and the row's vector given, null, or queued for the embedder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ailake/status.h"
#include "ailake/types.h"
#include "parquet/batch.h"

namespace ailake::table {

// Rows converted but not yet written: the table's data columns plus the vector column (dim floats
// per row, a null flag per row), and which rows still need the embedder.
struct IngestBatch {
  parquet::Batch rows;
  std::vector<float> vectors;
  std::vector<uint8_t> nulls;
  std::vector<size_t> to_embed;          // rows of the batch needing the embedder
  std::vector<std::string> embed_texts;  // their texts, in the same order

  explicit IngestBatch(const parquet::Schema& schema) : rows(parquet::Batch::Empty(schema)) {}
  void Clear() {
    rows = parquet::Batch::Empty(rows.schema);
    vectors.clear();
    nulls.clear();
    to_embed.clear();
    embed_texts.clear();
  }
};

// What a row is converted into, fixed for one ingest.
struct RowLayout {
  const parquet::Schema* schema = nullptr;  // the table's data columns
  int id_index = -1;
  int metadata_index = -1;
  int text_index = -1;
  std::string text_column;
  std::string text_field;  // the input field holding the text (text_column unless --text-field)
  std::string vector_column;
  size_t dim = 0;
  VectorPrecision precision = VectorPrecision::kF16;
  bool values_are_text = false;  // the source's values are text (CSV)
  bool generate_ids = false;
  std::string run_id;            // prefix of generated ids
  bool can_embed = false;        // an embedder was given
};

// Converts `row` and appends it to `batch`; `row_number` (rows of this ingest before it) numbers a
// generated id. Counts a row left with a null vector in *without_vector. Errors are
// InvalidArgument "<where>: ..." naming the field; the batch is then unusable (the ingest fails).
Status AddRow(const RowLayout& layout, nlohmann::json row, const std::string& where, int64_t row_number,
              IngestBatch* batch, int64_t* without_vector);

// The stored form of a row's id: strings as they are, integers in decimal, other values as JSON
// text (what AppendValue stores for a string column); nullopt when absent or null.
std::optional<std::string> RowIdOf(const nlohmann::json& row);

}  // namespace ailake::table
