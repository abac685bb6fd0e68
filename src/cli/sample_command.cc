// `ailake sample OUT`: writes a synthetic AI-Lake file (text chunks + hash embeddings) to try the
// file-level commands on. The table commands use real ingest; this is the file-level demo.
#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/sample_text.h"
#include "cli/table_context.h"
#include "embed/hash_embedder.h"
#include "file/file_writer.h"

namespace ailake::cli {

namespace {

int RunSample(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto rows = args.GetInt("rows", 1, 100000000);
  if (!rows.ok()) return ReportError(rows.status(), err);
  auto dim = args.GetInt("dim", 1, 65536);
  if (!dim.ok()) return ReportError(dim.status(), err);
  auto seed = args.GetInt("seed", 0, INT64_MAX);
  if (!seed.ok()) return ReportError(seed.status(), err);
  auto precision = ParsePrecision(args.get("precision"));
  if (!precision.ok()) return ReportError(precision.status(), err);
  auto kind = ParseIndexKind(args.get("index"));
  if (!kind.ok()) return ReportError(kind.status(), err);
  auto compression = parquet::ParseCompression(args.get("compression"));
  if (!compression.ok()) return ReportError(compression.status(), err);

  embed::HashEmbedder embedder(static_cast<uint32_t>(*dim), static_cast<uint64_t>(*seed));
  file::VectorColumnSpec spec;
  spec.name = "embedding";
  spec.model = embedder.model();
  spec.policy.precision = *precision;
  spec.policy.index = *kind;
  parquet::Schema schema;
  schema.fields = {parquet::Field::Make("id", parquet::DataType::kInt64, false),
                   parquet::Field::Make("doc_id", parquet::DataType::kString),
                   parquet::Field::Make("topic", parquet::DataType::kString),
                   parquet::Field::Make("chunk_text", parquet::DataType::kString),
                   parquet::Field::Make("created_at", parquet::DataType::kTimestamp)};
  const std::string path = args.positional(0);
  auto file = OpenLocalWritable(path);
  if (!file.ok()) return ReportError(file.status(), err);
  file::FileWriterOptions options;
  options.parquet.compression = *compression;
  options.parquet.row_group_rows = 64 * 1024;
  auto writer = file::AiLakeFileWriter::Open(file->get(), schema, {spec}, options);
  if (!writer.ok()) return ReportError(writer.status(), err);
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t kBatch = 4096;
  for (int64_t start = 0; start < *rows; start += kBatch) {
    const int64_t n = std::min<int64_t>(kBatch, *rows - start);
    parquet::Batch batch = parquet::Batch::Empty(schema);
    std::vector<SampleChunk> chunks;
    std::vector<std::string_view> texts;
    chunks.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) chunks.push_back(MakeSampleChunk(static_cast<uint64_t>(*seed), static_cast<uint64_t>(start + i)));
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
    Status st = embedder.Embed(texts, &vectors);
    if (st.ok()) st = (*writer)->Append(batch, {file::VectorInput{vectors.data(), nullptr}});
    if (!st.ok()) return ReportError(st, err);
  }
  auto written = (*writer)->Finish();
  if (!written.ok()) return ReportError(written.status(), err);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (args.get("format") == "json") {
    nlohmann::json j;
    j["path"] = path;
    j["rows"] = written->rows;
    j["file_bytes"] = written->file_bytes;
    j["column"] = {{"name", spec.name}, {"model", spec.model.Id()}, {"dim", *dim},
                   {"precision", std::string(PrecisionName(*precision))},
                   {"index", std::string(IndexKindName(written->columns[0].index_kind))},
                   {"index_bytes", written->columns[0].index_bytes}};
    j["seconds"] = secs;
    out << j.dump(2) << "\n";
    return 0;
  }
  out << "wrote " << path << ": " << written->rows << " rows, " << written->file_bytes << " bytes, column embedding ("
      << spec.model.Id() << ", " << *dim << "-d " << PrecisionName(*precision) << ", index "
      << IndexKindName(written->columns[0].index_kind) << ", " << written->columns[0].index_bytes << " index bytes) in "
      << secs << " s\n";
  return 0;
}

}  // namespace

Command SampleCommand() {
  CommandSpec spec;
  spec.name = "sample";
  spec.summary = "Write a synthetic AI-Lake file (text chunks + hash embeddings) to try the file commands on";
  spec.positionals = {"OUT"};
  spec.flags = {
      {"rows", "", "N", "number of chunks", "5000"},
      {"dim", "", "D", "embedding dimension (hash embedder)", "256"},
      {"seed", "", "S", "corpus and embedder seed", "0"},
      {"precision", "", "f32|f16|i8", "stored vector precision", "f16"},
      {"index", "", "auto|flat|hnsw", "index kind (auto: flat below 4096 rows)", "auto"},
      {"compression", "", "zstd|snappy|gzip|lz4_raw|none", "page compression of the data columns", "zstd"},
      {"format", "", "text|json", "output format", "text"},
  };
  spec.details = "The embeddings come from the built-in hash embedder (hash:dim=D,seed=S): lexical, not semantic.";
  return {spec, RunSample};
}

}  // namespace ailake::cli
