// Ingest: rows from JSON Lines, CSV or Parquet files into a table, through a TableWriter.
//
// Field mapping (by name): `id` (string or integer; generated "<uuid>-<n>" when absent), `doc_id`,
// the text column, the vector column (an array of numbers: JSON array, a CSV cell holding a JSON
// array, or a Parquet list<float>/list<double> column), any extra typed column of the table; every
// other field goes into `metadata` as a JSON object. Rows without a vector are embedded from their
// text by the given embedder (which must be the table's model); a row whose text is null too keeps
// a null vector. Any bad row (wrong dimension, non-finite value, wrong type) fails the whole ingest
// with its line/row number, and nothing is committed.
#pragma once

#include <cstdint>
#include <string>

#include "ailake/status.h"
#include "embed/embedder.h"
#include "table/table.h"
#include "table/table_writer.h"

namespace ailake::table {

struct IngestOptions {
  std::string format;               // "jsonl", "csv", "parquet"; empty = from the file extension
  size_t batch_rows = 4096;         // rows per embed call / writer append
  TableWriterOptions writer;
};

struct IngestResult {
  int64_t rows = 0;
  int64_t embedded = 0;             // rows whose vector came from the embedder
  int64_t without_vector = 0;       // rows left with a null vector (null text, no vector)
  size_t files = 0;
  int64_t snapshot_id = 0;
};

Result<IngestResult> IngestFile(Table& table, const std::string& path, embed::Embedder* embedder,
                                const IngestOptions& options = {});

}  // namespace ailake::table
