// MigrationJob::DryRun: what a migration would cost, from the manifests, one pass over the text
// column and a timed sample of embedding calls at the job's concurrency. Writes nothing.
#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "migrate/embed_pool.h"
#include "migrate/job_plan.h"
#include "migrate/migration_job.h"
#include "migrate/table_view.h"
#include "parquet/reader.h"
#include "vec/quantize.h"

namespace ailake::migrate {

Result<DryRunReport> MigrationJob::DryRun(table::Table& table, MigrationOptions options, embed::Embedder* external) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  std::unique_ptr<embed::Embedder> own;
  if (!external) {
    AILAKE_ASSIGN_OR_RETURN(own, BuildEmbedder(options));
  }
  embed::Embedder* embedder = external ? external : own.get();
  // The same checks as Plan: a dry run fails exactly where the real run would.
  AILAKE_ASSIGN_OR_RETURN(MigrationJobDoc job, ResolveJob(table, std::move(options), *embedder));
  const MigrationOptions& o = job.options;
  AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table));
  Store& store = table.catalog().store();
  DryRunReport rep;
  rep.strategy = std::string(StrategyName(o.strategy));
  rep.new_dim = o.new_model.dim;
  rep.new_model = o.new_model.Id();
  std::vector<std::string> sample;  // texts for the rate measurement
  const size_t sample_texts = o.batch_size * o.concurrency * 2;
  std::vector<int64_t> new_sizes;
  const double index_overhead = 1.15;  // HNSW graph ~12% of f16 vector bytes (docs/BENCHMARKS.md)
  for (const auto& e : view.files.data_files) {
    const std::string& path = e.file.file_path;
    if (view.HasNewModel(job, path)) continue;
    AILAKE_ASSIGN_OR_RETURN(TaskSource src, view.SourceOf(table, path));
    AILAKE_ASSIGN_OR_RETURN(std::string key, table.locations().KeyOf(path));
    AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(key));
    AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
    AILAKE_ASSIGN_OR_RETURN(auto fields, reader->FieldIndices({o.text_column}));
    int64_t base = 0;
    size_t d = 0;
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, reader->ReadRowGroup(rg, fields));
      const parquet::Column& text = b.columns[0];
      for (int64_t r = 0; r < b.num_rows; ++r) {
        while (d < src.deleted.size() && src.deleted[d] < base + r) ++d;
        if (d < src.deleted.size() && src.deleted[d] == base + r) continue;
        if (!text.IsValid(r)) {
          ++rep.null_texts;
          continue;
        }
        std::string_view t = text.StringValue(r);
        rep.chars += static_cast<int64_t>(t.size());
        if (sample.size() < sample_texts) sample.emplace_back(t);
      }
      base += b.num_rows;
    }
    const int64_t rows = src.rows - static_cast<int64_t>(src.deleted.size());
    ++rep.files;
    rep.rows += rows;
    rep.source_bytes += e.file.file_size_in_bytes;
    const double old_vec = static_cast<double>(rows) * static_cast<double>(vec::RowBytes(job.old_precision, job.old_model.dim));
    const double new_vec = static_cast<double>(rows) * static_cast<double>(vec::RowBytes(job.new_policy.precision, o.new_model.dim));
    double size = static_cast<double>(e.file.file_size_in_bytes) + new_vec * index_overhead;
    if (!o.keep_old_column) size -= old_vec * index_overhead;
    new_sizes.push_back(std::max<int64_t>(0, static_cast<int64_t>(size)));
    rep.est_new_bytes += new_sizes.back();
  }
  rep.est_tokens = (rep.chars + 3) / 4;
  rep.peak_extra_bytes = rep.est_new_bytes;
  if (o.strategy == Strategy::kDualWriteThenCutover) {
    rep.peak_staged_bytes = rep.est_new_bytes;
  } else {
    std::sort(new_sizes.rbegin(), new_sizes.rend());
    for (size_t i = 0; i < new_sizes.size() && i < o.file_parallelism; ++i) rep.peak_staged_bytes += new_sizes[i];
  }
  // Rate: the sample in batches, `concurrency` calls in flight, as the real pipeline runs them.
  if (sample.empty()) sample.assign(o.batch_size * o.concurrency, "dry run sample text");
  auto owner = std::make_shared<std::vector<std::string>>(std::move(sample));
  EmbedPool pool(*embedder, o.concurrency);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::future<Result<std::vector<float>>>> calls;
  for (size_t i = 0; i < owner->size(); i += o.batch_size) {
    std::vector<std::string_view> texts;
    for (size_t j = i; j < owner->size() && j < i + o.batch_size; ++j) texts.push_back((*owner)[j]);
    calls.push_back(pool.Submit(owner, std::move(texts), o.new_model.dim));
  }
  for (auto& c : calls) AILAKE_RETURN_IF_ERROR(c.get().status());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rep.measured_rows_per_s = secs > 0 ? static_cast<double>(owner->size()) / secs : 0;
  rep.est_seconds = rep.measured_rows_per_s > 0 ? static_cast<double>(rep.rows) / rep.measured_rows_per_s : 0;
  return rep;
}

}  // namespace ailake::migrate
