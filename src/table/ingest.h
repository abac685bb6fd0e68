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
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "ailake/status.h"
#include "embed/embedder.h"
#include "table/table.h"
#include "table/table_writer.h"

namespace ailake::table {

struct IngestOptions {
  std::string format;               // "jsonl", "csv", "parquet"; empty = from the file extension
  size_t batch_rows = 4096;         // rows per embed call / writer append
  TableWriterOptions writer;
  // For table/upsert.h: rows whose id is in `skip_ids` are not written (counted in `skipped`), and
  // `commit`, when set, commits the writer's files (with whatever else belongs in that snapshot)
  // instead of a plain append.
  const std::unordered_set<std::string>* skip_ids = nullptr;
  std::function<Result<CommitResult>(TableWriter&)> commit;
};

struct IngestResult {
  int64_t rows = 0;
  int64_t embedded = 0;             // rows whose vector came from the embedder
  int64_t without_vector = 0;       // rows left with a null vector (null text, no vector)
  int64_t skipped = 0;              // rows not written: their id was in IngestOptions::skip_ids
  size_t files = 0;
  int64_t snapshot_id = 0;
};

// Calls `fn` with the id of each input row, in order, as ingest would store it (integers as decimal
// strings; nullopt for a row without an id, which ingest would generate) and `where`, the row's name
// for errors ("in.jsonl line 12"). Stops at the first error, `fn`'s included.
Status ForEachInputId(const std::string& path, const std::string& format,
                      const std::function<Status(const std::optional<std::string>& id, const std::string& where)>& fn);

Result<IngestResult> IngestFile(Table& table, const std::string& path, embed::Embedder* embedder,
                                const IngestOptions& options = {});

}  // namespace ailake::table
