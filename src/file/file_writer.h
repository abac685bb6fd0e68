// AiLakeFileWriter: writes one AI-Lake file = a Parquet file whose vector columns are
// FIXED_LEN_BYTE_ARRAY (PLAIN, uncompressed) plus one AILK section per vector column.
//
//   Open -> Append* -> Finish (or Abandon)
//
// Rows are streamed to Parquet as they come (row groups are flushed by the Parquet writer's limits);
// the encoded vectors are also kept in memory, because the index is built over all rows of the file
// at Finish. Memory is therefore ~rows x RowBytes per vector column: callers bound it by cutting
// files at a target row count (TableWriter does).
//
// Null vectors (e.g. a null text under the `skip` policy) are Parquet nulls. In the index they are
// nodes carrying the centroid (so row i stays node i) and are never returned by a search.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "core/io.h"
#include "file/vector_column.h"
#include "parquet/batch.h"
#include "parquet/writer.h"

namespace ailake::file {

// Vectors of one column for one Append: num_rows x dim floats, row-major. `nulls` (optional, one
// byte per row, non-zero = null) marks rows without a vector; their floats are ignored.
struct VectorInput {
  const float* data = nullptr;
  const uint8_t* nulls = nullptr;
};

struct FileWriterOptions {
  parquet::WriterOptions parquet;
  uint32_t build_threads = 0;  // index build threads; 0 = policy.build_threads, then hardware
  // Further footer key/value pairs (a migration carries the source file's over). Keys starting
  // with "ailake." are the writer's own and are ignored here.
  std::vector<std::pair<std::string, std::string>> extra_key_values;
};

struct WrittenColumn {
  std::string name;
  IndexKind index_kind = IndexKind::kFlat;
  std::vector<float> centroid;
  float radius = 0.0f;
  uint64_t rows_with_vector = 0;
  uint64_t index_bytes = 0;
  uint64_t section_offset = 0;
};

struct WrittenFile {
  uint64_t rows = 0;
  uint64_t file_bytes = 0;
  std::vector<WrittenColumn> columns;
};

class AiLakeFileWriter {
 public:
  // `data_schema` holds the non-vector columns; vector columns follow them in the Parquet schema.
  static Result<std::unique_ptr<AiLakeFileWriter>> Open(WritableFile* out, parquet::Schema data_schema,
                                                        std::vector<VectorColumnSpec> vectors,
                                                        FileWriterOptions options = {});
  virtual ~AiLakeFileWriter() = default;

  // data.num_rows rows; vectors[i] belongs to the i-th VectorColumnSpec. Non-finite values in a
  // non-null vector are InvalidArgument naming the row, and nothing of this call is written.
  virtual Status Append(const parquet::Batch& data, const std::vector<VectorInput>& vectors) = 0;
  // Builds each column's index, writes the AILK sections and the footer, closes the output.
  virtual Result<WrittenFile> Finish() = 0;
  virtual int64_t rows() const = 0;
};

}  // namespace ailake::file
