// Ingest: rows from JSON Lines, CSV or Parquet files into a table, through a TableWriter.
//
// Every input field lands somewhere, or the ingest fails naming the row and the field:
//   id            string or integer (integers are stored as their decimal text); required unless
//                 generate_ids, which gives rows without one "<run>-<n>"
//   the text column   required in every row (null allowed); `text_field` names the input field
//                 that holds it when the names differ
//   the vector column an array of numbers (JSON array, a Parquet list, or a CSV cell holding a JSON
//                 array); null or absent = embed the text with the embedder. A JSON string is
//                 refused (outside CSV). Values must be finite and fit the column's precision.
//   doc_id, metadata, extra typed columns   by name; a nested value (object, array) for a string
//                 column is stored as its JSON text
//   anything else merged into `metadata` (a JSON object); when the row has a `metadata` object
//                 (or a string holding one) the fields are merged into it, and a key present in
//                 both is an error
// Rows without a vector are embedded from their text by the embedder, which must be the table's
// model (CheckEmbedderModel) with the table's dimension (probed once when unknown); a row whose
// text is null too keeps a null vector. Any bad row fails the whole ingest with its line/row
// number, and nothing is committed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "ailake/status.h"
#include "embed/embedder.h"
#include "table/ingest_source.h"
#include "table/table.h"
#include "table/table_writer.h"

namespace ailake::table {

// What an ingest has done so far, for a progress display.
struct IngestProgress {
  std::string phase;             // "read" (reading, embedding, writing files), "commit", "done"
  int64_t rows_done = 0;         // rows written to data files
  int64_t rows_embedded = 0;     // of them, vectors from the embedder
  double input_fraction = -1;    // of the input file consumed, [0, 1]; -1 unknown
  size_t files_done = 0;         // data files finished
  double rows_per_s = 0;
  double eta_s = -1;             // -1 unknown
};

struct IngestOptions {
  std::string format;               // "jsonl", "csv", "parquet"; empty = from the file extension
  size_t batch_rows = 256;          // texts per embedding call (OpenAI accepts at most 2048)
  size_t concurrency = 1;           // embedding calls in flight
  std::string text_field;           // input field holding the text column (empty: the column's own name)
  bool generate_ids = false;        // rows without an id get a generated one instead of an error
  size_t max_record_bytes = kDefaultMaxRecordBytes;  // one JSONL line / CSV record
  TableWriterOptions writer;
  // For table/upsert.h: rows whose id is in `skip_ids` are not written (counted in `skipped`), and
  // `commit`, when set, commits the writer's files (with whatever else belongs in that snapshot)
  // instead of a plain append.
  const std::unordered_set<std::string>* skip_ids = nullptr;
  std::function<Result<CommitResult>(TableWriter&)> commit;
  // Called after every written batch and at commit (on the ingesting thread).
  std::function<void(const IngestProgress&)> progress;
  // When set, rows come from the sources it opens instead of the file at `path` (which then only
  // names the input); called once per pass over the input (id checks make a second pass). The
  // public API's Table::Add feeds an in-memory batch through here, so it gets every check a file
  // gets.
  std::function<Result<std::unique_ptr<RowSource>>()> open_source;
};

struct IngestResult {
  int64_t rows = 0;
  int64_t embedded = 0;             // rows whose vector came from the embedder
  int64_t without_vector = 0;       // rows left with a null vector (null text, no vector)
  int64_t skipped = 0;              // rows not written: their id was in IngestOptions::skip_ids
  size_t files = 0;
  int64_t snapshot_id = 0;
};

// InvalidArgument unless the embedder's model (name, version) is the table's; the message names both
// identities and the flag that fixes it.
Status CheckEmbedderModel(const VectorConfig& vc, const embed::Embedder& embedder);
// InvalidArgument unless `dim` (the embedder's, from Dimension()) is the table's dimension.
Status CheckEmbedderDim(const VectorConfig& vc, const embed::Embedder& embedder, uint32_t dim);
// Calls `fn` with the id of each input row, in order, as ingest would store it (integers as decimal
// strings; nullopt for a row without an id, which ingest would generate) and `where`, the row's name
// for errors ("in.jsonl line 12"). Stops at the first error, `fn`'s included.
// With `open_source` set (IngestOptions::open_source), rows come from it instead of `path`.
Status ForEachInputId(const std::string& path, const std::string& format,
                      const std::function<Status(const std::optional<std::string>& id, const std::string& where)>& fn,
                      const std::function<Result<std::unique_ptr<RowSource>>()>& open_source = nullptr);

Result<IngestResult> IngestFile(Table& table, const std::string& path, embed::Embedder* embedder,
                                const IngestOptions& options = {});

}  // namespace ailake::table
