// Single files: look inside one Parquet / AI-Lake file without a table (the CLI's `inspect`, `cat`,
// `knn` and `sample`), and read .fvecs query files.
//
//   auto report = ailake::InspectFile("part-0.parquet");         // schema, row groups, AILK sections
//   ailake::ReadFileRows("part-0.parquet", {.limit = 5},
//                        [](std::string_view row) { std::puts(std::string(row).c_str()); return ailake::Status::OK(); });
//   auto hits = ailake::SearchFile("part-0.parquet", query.data(), 1, 256, {.k = 10});
//
// Any Parquet file can be inspected and read (ours or another writer's: DuckDB, Spark, pyarrow);
// searching needs an AI-Lake file (a vector column with its AILK section). Files are read through
// range reads and treated as untrusted: a corrupt file is a Corruption status naming what is wrong,
// never a crash.
//
// Thread safety: every function here is independent and may be called from several threads; a
// FileSearcher may be searched from several threads at once once it is open.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"

namespace ailake {

// ---- inspect ----------------------------------------------------------------------------------

// One leaf column of the Parquet schema.
struct FileColumn {
  std::string path;                 // dotted path, e.g. "id" or "tags.list.element"
  std::string physical_type;        // "INT64", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY", ...
  std::string logical_type;         // "STRING", "TIMESTAMP(MICROS,UTC)", "DATE", "" ...
  std::string repetition;           // "REQUIRED", "OPTIONAL", "REPEATED"
  int32_t type_length = 0;          // FIXED_LEN_BYTE_ARRAY width; 0 otherwise
  int32_t max_definition_level = 0;
  int32_t max_repetition_level = 0;
  int32_t field_id = -1;            // the Parquet field_id (an Iceberg column id); -1 = none
};

// One column chunk of a row group.
struct FileColumnChunk {
  std::string path;
  std::string physical_type;
  std::string codec;                // "ZSTD", "SNAPPY", "UNCOMPRESSED", ...
  std::vector<std::string> encodings;
  int64_t num_values = 0;
  int64_t compressed_size = 0;
  int64_t uncompressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<int64_t> null_count;
  // The chunk's min/max statistics rendered for people by the column's type: numbers, dates and
  // timestamps as text, strings JSON-quoted (cut at 64 bytes, "..." appended), other bytes as
  // "base64:..." (cut at 48 bytes). Empty optionals when the file has no min/max.
  std::optional<std::string> min;
  std::optional<std::string> max;
};

struct FileRowGroup {
  int64_t num_rows = 0;
  int64_t total_byte_size = 0;
  std::vector<FileColumnChunk> columns;  // one per leaf column, in schema order
};

// One AILK section: a vector column's index and statistics (docs/FORMAT.md).
struct FileVectorSection {
  std::string column;
  uint32_t dim = 0;
  VectorMetric metric = VectorMetric::kCosine;
  VectorPrecision precision = VectorPrecision::kF16;
  EmbeddingModelInfo model;         // the model that wrote the column (from the footer)
  IndexKind index = IndexKind::kFlat;
  std::string index_params;         // JSON text, as stored
  uint64_t record_count = 0;
  uint64_t rows_with_vector = 0;
  uint64_t section_offset = 0;      // absolute file offset of the section
  uint64_t section_bytes = 0;       // header + blobs + trailer
  uint64_t index_blob_bytes = 0;
  float radius = 0;                 // max distance of a vector from the column's centroid
};

struct FileReport {
  std::string path;
  uint64_t file_size = 0;
  int64_t num_rows = 0;
  std::string created_by;
  int32_t format_version = 0;       // Parquet FileMetaData.version
  uint64_t footer_offset = 0;
  uint32_t footer_length = 0;
  std::vector<FileColumn> schema;
  std::vector<FileRowGroup> row_groups;
  std::vector<std::pair<std::string, std::string>> key_value;  // footer key/value metadata, in file order
  // AILK sections, one per vector column (empty for a plain Parquet file). When a section cannot be
  // read (a corrupt AI-Lake file whose Parquet part is fine), `sections` is empty and
  // `sections_status` says why; the Parquet part above is still reported.
  std::vector<FileVectorSection> sections;
  Status sections_status;
};

// The file's Parquet metadata and AILK sections. Fails (NotFound, Corruption, ...) only when the
// Parquet footer itself cannot be read.
Result<FileReport> InspectFile(const std::string& path);

// ---- rows -------------------------------------------------------------------------------------

struct ReadRowsOptions {
  std::vector<std::string> columns;  // only these, in this order (top-level names); empty = all
  int64_t limit = -1;                // at most this many rows; -1 = all
};

// Calls `row` with each row of the file as one JSON object, in file order (docs/CLI.md `cat`:
// numbers, strings, base64 binary, ISO dates and timestamps, nested lists/structs/maps, exact
// decimals). Rows are read one row group at a time, so a file of any size streams in bounded
// memory. A column that does not exist is InvalidArgument naming it; a column the reader cannot
// represent (an encrypted one, say) fails the call naming it, it is never left out. An error from
// `row` stops the read and is returned.
Status ReadFileRows(const std::string& path, const ReadRowsOptions& options,
                    const std::function<Status(std::string_view json_row)>& row);
// The same, collected (for small files and tests).
Result<std::vector<std::string>> ReadFileRows(const std::string& path, const ReadRowsOptions& options = {});

// ---- nearest neighbours inside one file -------------------------------------------------------

struct FileVectorColumn {
  std::string name;
  EmbeddingModelInfo model;         // incl. dim and metric
  VectorPrecision precision = VectorPrecision::kF16;
  IndexKind index = IndexKind::kFlat;
  size_t rows = 0;                  // rows of the file (with or without a vector)
};

struct FileSearchOptions {
  size_t k = 10;
  size_t ef = 64;                   // HNSW search breadth
  bool exact = false;               // scan every row instead of the index
  std::vector<std::string> columns; // data columns to return per hit (as JSON values)
};

struct FileHit {
  uint32_t row = 0;                 // row number within the file
  float distance = 0;               // smaller is closer (types.h)
  std::vector<std::string> values;  // per FileSearchOptions::columns: the value as JSON text
};

// One vector column of an AI-Lake file, loaded (vectors decoded, index validated) for searching.
class FileSearcher {
 public:
  ~FileSearcher();
  FileSearcher(const FileSearcher&) = delete;
  FileSearcher& operator=(const FileSearcher&) = delete;

  // `column` empty = the file's primary vector column. A plain Parquet file, or a column that is
  // not a vector column, is InvalidArgument / NotFound naming it.
  static Result<std::unique_ptr<FileSearcher>> Open(const std::string& path, const std::string& column = "");

  const FileVectorColumn& column() const;
  // Row `row`'s own vector, decoded to floats (dim values); InvalidArgument when it has none.
  Result<std::vector<float>> RowVector(size_t row) const;
  // The k nearest rows to each of n queries (n x dim floats, row-major; dim must be the column's).
  // One hit list per query, nearest first.
  Result<std::vector<std::vector<FileHit>>> Search(const float* queries, size_t n, size_t dim,
                                                   const FileSearchOptions& options = {}) const;

  struct Impl;

 private:
  explicit FileSearcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Open + Search on the primary vector column.
Result<std::vector<std::vector<FileHit>>> SearchFile(const std::string& path, const float* queries, size_t n,
                                                     size_t dim, const FileSearchOptions& options = {});

// ---- a sample file ----------------------------------------------------------------------------

// A synthetic AI-Lake file to try the file functions on: deterministic text chunks about a dozen
// topics (columns id, doc_id, topic, chunk_text, created_at) with vectors from the built-in hash
// embedder (hash:dim=D,seed=S; lexical, not semantic) in the vector column "embedding".
struct SampleFileOptions {
  int64_t rows = 5000;
  uint32_t dim = 256;
  uint64_t seed = 0;                // corpus and embedder seed
  VectorPrecision precision = VectorPrecision::kF16;
  IndexKind index = IndexKind::kAuto;
  std::string compression = "zstd"; // zstd | snappy | gzip | lz4_raw | none (data columns)
};

struct SampleFileResult {
  std::string path;
  int64_t rows = 0;
  uint64_t file_bytes = 0;
  std::string column;               // "embedding"
  EmbeddingModelInfo model;         // the hash embedder's identity
  IndexKind index = IndexKind::kFlat;  // the kind built (kAuto resolved)
  uint64_t index_bytes = 0;
};

// Writes the file at `path` (a local path; replaced if it exists).
Result<SampleFileResult> WriteSampleFile(const std::string& path, const SampleFileOptions& options = {});

// ---- .fvecs -----------------------------------------------------------------------------------

// Query vectors in the .fvecs layout of ANN benchmark datasets: per vector an int32 dim, then dim
// float32, little-endian.
struct FvecsData {
  size_t dim = 0;
  size_t count = 0;
  std::vector<float> values;        // count x dim
};

// Reads at most max_vectors vectors; every record must have the same dim (1..65536). An empty file
// is InvalidArgument, a malformed one Corruption naming the byte offset.
Result<FvecsData> ReadFvecs(const std::string& path, size_t max_vectors = 1 << 20);

}  // namespace ailake
