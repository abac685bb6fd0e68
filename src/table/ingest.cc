#include "table/ingest.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/uuid.h"
#include "table/ingest_embed.h"
#include "table/ingest_row.h"

namespace ailake::table {

using nlohmann::json;

namespace {

// Progress reports of one ingest (IngestOptions::progress), on the ingesting thread.
class IngestReporter {
 public:
  IngestReporter(const IngestOptions& options, const RowSource& source, const TableWriter& writer,
                 const IngestResult& result)
      : options_(options), source_(source), writer_(writer), result_(result), started_(std::chrono::steady_clock::now()) {}

  void Report(const char* phase) const {
    if (!options_.progress) return;
    IngestProgress p;
    p.phase = phase;
    p.rows_done = result_.rows;
    p.rows_embedded = result_.embedded;
    p.input_fraction = source_.fraction_read();
    p.files_done = writer_.pending_files().size();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    p.rows_per_s = secs > 0 ? static_cast<double>(result_.rows) / secs : 0;
    if (p.input_fraction > 0 && p.input_fraction < 1) p.eta_s = secs * (1 - p.input_fraction) / p.input_fraction;
    if (p.input_fraction >= 1) p.eta_s = 0;
    options_.progress(p);
  }

 private:
  const IngestOptions& options_;
  const RowSource& source_;
  const TableWriter& writer_;
  const IngestResult& result_;
  const std::chrono::steady_clock::time_point started_;
};

// Options and embedder checked before anything is read or written.
Status CheckIngest(const VectorConfig& vc, embed::Embedder* embedder, const IngestOptions& options) {
  if (options.batch_rows == 0) return Status::InvalidArgument("batch size must be at least 1");
  if (options.concurrency == 0) return Status::InvalidArgument("concurrency must be at least 1");
  if (embedder) {
    AILAKE_RETURN_IF_ERROR(CheckEmbedderModel(vc, *embedder));
    AILAKE_ASSIGN_OR_RETURN(uint32_t edim, embedder->Dimension());  // a probe when unknown, before any write
    AILAKE_RETURN_IF_ERROR(CheckEmbedderDim(vc, *embedder, edim));
  }
  return Status::OK();
}

RowLayout MakeRowLayout(const VectorConfig& vc, const parquet::Schema& schema, const RowSource& source,
                        embed::Embedder* embedder, const IngestOptions& options) {
  RowLayout layout;
  layout.schema = &schema;
  layout.id_index = schema.FieldIndex("id");
  layout.metadata_index = schema.FieldIndex("metadata");
  layout.text_index = schema.FieldIndex(vc.text_column);
  layout.text_column = vc.text_column;
  layout.text_field = options.text_field.empty() ? vc.text_column : options.text_field;
  layout.vector_column = vc.vector_column;
  layout.dim = vc.model.dim;
  layout.precision = vc.policy.precision;
  layout.values_are_text = source.values_are_text();
  layout.generate_ids = options.generate_ids;
  layout.run_id = Uuid::Random().ToString().substr(0, 8);
  layout.can_embed = embedder != nullptr;
  return layout;
}

// Embeds the batch's missing vectors, hands the batch to the writer and clears it.
Status WriteBatch(const RowLayout& layout, embed::Embedder* embedder, const IngestOptions& options, IngestBatch* batch,
                  TableWriter* writer, IngestResult* result) {
  if (batch->rows.num_rows == 0) return Status::OK();
  if (!batch->to_embed.empty()) {
    AILAKE_RETURN_IF_ERROR(
        EmbedMissingVectors(*embedder, options.batch_rows, options.concurrency, layout.dim, layout.precision, batch));
    result->embedded += static_cast<int64_t>(batch->to_embed.size());
  }
  AILAKE_RETURN_IF_ERROR(writer->Append(batch->rows, batch->vectors.data(), batch->nulls.data()));
  result->rows += batch->rows.num_rows;
  batch->Clear();
  return Status::OK();
}

}  // namespace

Status CheckEmbedderModel(const VectorConfig& vc, const embed::Embedder& embedder) {
  if (embedder.model().SameModel(vc.model)) return Status::OK();
  return Status::InvalidArgument(
      "the embedder's model '" + embedder.model().Id() + "' (" + embedder.Describe() + ") is not the table's model '" +
      vc.model.Id() + "'; if it computes that model's vectors, say so with --model " + vc.model.Id() +
      " (or model=" + vc.model.Id() + " in the spec), otherwise migrate the table to it first");
}

Status CheckEmbedderDim(const VectorConfig& vc, const embed::Embedder& embedder, uint32_t dim) {
  if (dim == vc.model.dim) return Status::OK();
  return Status::InvalidArgument("the embedder " + embedder.Describe() + " returns " + std::to_string(dim) +
                                 "-d vectors, but the table's model '" + vc.model.Id() + "' is " +
                                 std::to_string(vc.model.dim) + "-d; use the embedder that computes '" +
                                 vc.model.Id() + "'");
}

Status ForEachInputId(const std::string& path, const std::string& format,
                      const std::function<Status(const std::optional<std::string>& id, const std::string& where)>& fn,
                      const std::function<Result<std::unique_ptr<RowSource>>()>& open_source) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source,
                          open_source ? open_source() : OpenRowSource(path, format, kDefaultMaxRecordBytes));
  json row;
  std::string where;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool more, source->Next(&row, &where));
    if (!more) return Status::OK();
    AILAKE_RETURN_IF_ERROR(fn(RowIdOf(row), where));
  }
}

Result<IngestResult> IngestFile(Table& table, const std::string& path, embed::Embedder* embedder,
                                const IngestOptions& options) {
  const VectorConfig& vc = table.vectors();
  AILAKE_RETURN_IF_ERROR(CheckIngest(vc, embedder, options));
  AILAKE_ASSIGN_OR_RETURN(auto source, options.open_source ? options.open_source()
                                                           : OpenRowSource(path, options.format, options.max_record_bytes));
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema schema, table.DataSchema());
  const RowLayout layout = MakeRowLayout(vc, schema, *source, embedder, options);
  AILAKE_ASSIGN_OR_RETURN(auto writer, TableWriter::Open(table, options.writer));
  IngestResult result;
  IngestReporter reporter(options, *source, *writer, result);
  // Rows are converted a batch at a time: enough texts for `concurrency` embedding calls.
  const size_t rows_per_flush = options.batch_rows * options.concurrency;
  IngestBatch batch(schema);
  auto flush = [&]() -> Status {
    if (batch.rows.num_rows == 0) return Status::OK();
    AILAKE_RETURN_IF_ERROR(WriteBatch(layout, embedder, options, &batch, writer.get(), &result));
    reporter.Report("read");
    return Status::OK();
  };

  json row;
  std::string where;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool more, source->Next(&row, &where));
    if (!more) break;
    if (options.skip_ids) {
      const std::optional<std::string> rid = RowIdOf(row);
      if (rid && options.skip_ids->count(*rid)) {
        ++result.skipped;
        continue;
      }
    }
    AILAKE_RETURN_IF_ERROR(
        AddRow(layout, std::move(row), where, result.rows + batch.rows.num_rows, &batch, &result.without_vector));
    if (batch.rows.num_rows >= static_cast<int64_t>(rows_per_flush)) AILAKE_RETURN_IF_ERROR(flush());
  }
  AILAKE_RETURN_IF_ERROR(flush());
  reporter.Report("commit");
  AILAKE_ASSIGN_OR_RETURN(CommitResult committed, options.commit ? options.commit(*writer) : writer->Commit("append"));
  result.files = writer->last_commit_files();
  result.snapshot_id = committed.snapshot_id;
  reporter.Report("done");
  return result;
}

}  // namespace ailake::table
