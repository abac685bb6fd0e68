// `ailake sample OUT`: writes a synthetic AI-Lake file (text chunks + hash embeddings) to try the
// file-level commands on. The table commands use real ingest; this is the file-level demo.
#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "ailake/file.h"
#include "cli/commands.h"
#include "cli/table_context.h"

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
  SampleFileOptions options;
  options.rows = *rows;
  options.dim = static_cast<uint32_t>(*dim);
  options.seed = static_cast<uint64_t>(*seed);
  options.precision = *precision;
  options.index = *kind;
  options.compression = args.get("compression");
  const std::string path = args.positional(0);
  const auto t0 = std::chrono::steady_clock::now();
  auto written = WriteSampleFile(path, options);
  if (!written.ok()) return ReportError(written.status(), err);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (args.get("format") == "json") {
    nlohmann::json j;
    j["path"] = path;
    j["rows"] = written->rows;
    j["file_bytes"] = written->file_bytes;
    j["column"] = {{"name", written->column}, {"model", written->model.Id()}, {"dim", *dim},
                   {"precision", std::string(PrecisionName(*precision))},
                   {"index", std::string(IndexKindName(written->index))},
                   {"index_bytes", written->index_bytes}};
    j["seconds"] = secs;
    out << j.dump(2) << "\n";
    return 0;
  }
  out << "wrote " << path << ": " << written->rows << " rows, " << written->file_bytes << " bytes, column "
      << written->column << " (" << written->model.Id() << ", " << *dim << "-d " << PrecisionName(*precision)
      << ", index " << IndexKindName(written->index) << ", " << written->index_bytes << " index bytes) in "
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
