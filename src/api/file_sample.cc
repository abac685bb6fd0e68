// WriteSampleFile (include/ailake/file.h): a synthetic AI-Lake file (text chunks + hash embeddings).
#include <algorithm>

#include "ailake/file.h"
#include "api/sample_text.h"
#include "core/io.h"
#include "embed/hash_embedder.h"
#include "file/file_writer.h"
#include "parquet/writer.h"

namespace ailake {

Result<SampleFileResult> WriteSampleFile(const std::string& path, const SampleFileOptions& options) {
  if (options.rows < 1) return Status::InvalidArgument("SampleFileOptions.rows must be at least 1");
  if (options.dim < 1 || options.dim > 65536) return Status::InvalidArgument("SampleFileOptions.dim must be in 1..65536");
  AILAKE_ASSIGN_OR_RETURN(parquet::Compression compression, parquet::ParseCompression(options.compression));
  embed::HashEmbedder embedder(options.dim, options.seed);
  file::VectorColumnSpec spec;
  spec.name = "embedding";
  spec.model = embedder.model();
  spec.policy.precision = options.precision;
  spec.policy.index = options.index;
  parquet::Schema schema;
  schema.fields = {parquet::Field::Make("id", parquet::DataType::kInt64, false),
                   parquet::Field::Make("doc_id", parquet::DataType::kString),
                   parquet::Field::Make("topic", parquet::DataType::kString),
                   parquet::Field::Make("chunk_text", parquet::DataType::kString),
                   parquet::Field::Make("created_at", parquet::DataType::kTimestamp)};
  AILAKE_ASSIGN_OR_RETURN(auto out, OpenLocalWritable(path));
  file::FileWriterOptions wo;
  wo.parquet.compression = compression;
  wo.parquet.row_group_rows = 64 * 1024;
  AILAKE_ASSIGN_OR_RETURN(auto writer, file::AiLakeFileWriter::Open(out.get(), schema, {spec}, wo));
  // Embedded and appended in batches: memory stays bounded whatever the row count.
  const int64_t kBatch = 4096;
  for (int64_t start = 0; start < options.rows; start += kBatch) {
    const int64_t n = std::min<int64_t>(kBatch, options.rows - start);
    parquet::Batch batch = parquet::Batch::Empty(schema);
    std::vector<api::SampleChunk> chunks;
    std::vector<std::string_view> texts;
    chunks.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) chunks.push_back(api::MakeSampleChunk(options.seed, static_cast<uint64_t>(start + i)));
    for (int64_t i = 0; i < n; ++i) {
      const auto& c = chunks[static_cast<size_t>(i)];
      batch.columns[0].AppendInt64(start + i);
      batch.columns[1].AppendString(c.doc_id);
      batch.columns[2].AppendString(c.topic);
      batch.columns[3].AppendString(c.text);
      batch.columns[4].AppendInt64(1700000000000000LL + (start + i) * 1000000LL);  // one chunk a second
      texts.push_back(c.text);
    }
    batch.num_rows = n;
    std::vector<float> vectors;
    AILAKE_RETURN_IF_ERROR(embedder.Embed(texts, &vectors));
    AILAKE_RETURN_IF_ERROR(writer->Append(batch, {file::VectorInput{vectors.data(), nullptr}}));
  }
  AILAKE_ASSIGN_OR_RETURN(file::WrittenFile written, writer->Finish());
  SampleFileResult r;
  r.path = path;
  r.rows = static_cast<int64_t>(written.rows);
  r.file_bytes = written.file_bytes;
  r.column = spec.name;
  r.model = spec.model;
  r.index = written.columns[0].index_kind;
  r.index_bytes = written.columns[0].index_bytes;
  return r;
}

}  // namespace ailake
