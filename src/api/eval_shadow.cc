// Shadow-mode evaluation: where each model's vectors of a live row are while a migration runs.
//
// The row set is the current snapshot's live rows (position deletes applied). For each live data file:
//   * it holds a column of the job's new model (an atomic-replace output the job committed): the
//     new vectors are that column, the old ones the old model's column when the job keeps it;
//   * else it is an old-model file; when a task of the job has finished on it (its record exists:
//     dual-write outputs stay staged until the cutover, atomic-replace ones until `migrate commit`),
//     the new vectors are in the task's output, whose row o is source row p by the record's
//     `skipped` list (migrate::MapSourceRow); rows deleted since the task ran are not live, so they
//     are left out even though the output still holds them;
//   * else the job has not reached it: its live rows are counted as pending.
// A live row counts (is "covered") only with both vectors. Each side then ranks exactly (the file's
// flat index restricted to the covered rows) over the same id set, one file at a time: memory holds
// one data file's columns (and its task output's), never the whole table.
#include "api/eval_shadow.h"

#include <algorithm>
#include <chrono>

#include "api/api_internal.h"
#include "file/file_reader.h"
#include "migrate/job_store.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"
#include "table/column_resolve.h"
#include "table/live_file.h"

namespace ailake::api {
namespace {

using Clock = std::chrono::steady_clock;
using Hits = std::vector<std::vector<migrate::RankedHit>>;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// The file's vector column written by `model`, or nullptr.
const file::VectorColumnMeta* ColumnOf(const file::AiLakeFileReader& r, const EmbeddingModelInfo& model) {
  for (const auto& c : r.vector_columns()) {
    if (c.model.SameModel(model)) return &c;
  }
  return nullptr;
}

Result<std::vector<std::string>> ReadIds(table::Table& t, file::AiLakeFileReader& r, int64_t rows) {
  const iceberg::NestedField* id_field = t.schema().FindField("id");
  const int idx = table::ResolveFileField(r.parquet().schema(), "id", id_field ? id_field->id : -1);
  if (idx < 0 || r.parquet().schema().fields[static_cast<size_t>(idx)].type != parquet::DataType::kString) {
    return Status::InvalidArgument(r.name() + " has no string 'id' column: eval needs row ids to compare the models' rankings");
  }
  AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, r.parquet().ReadAll({idx}));
  if (b.num_rows != rows) return Status::Corruption(r.name() + ": its id column has " + std::to_string(b.num_rows) + " rows, the file " + std::to_string(rows));
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(rows));
  for (int64_t i = 0; i < b.num_rows; ++i) ids.emplace_back(b.columns[0].IsValid(i) ? b.columns[0].StringValue(i) : std::string_view());
  return ids;
}

// Keeps each query's best k (distance, then id).
void Merge(std::vector<migrate::RankedHit>* into, std::vector<migrate::RankedHit> more, size_t k) {
  into->insert(into->end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  auto less = [](const migrate::RankedHit& a, const migrate::RankedHit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  };
  const size_t keep = std::min(k, into->size());
  std::partial_sort(into->begin(), into->begin() + static_cast<std::ptrdiff_t>(keep), into->end(), less);
  into->resize(keep);
}

Status CheckDim(const file::VectorColumnMeta& c, uint32_t query_dim, const std::string& file, const char* side) {
  if (c.model.dim == query_dim) return Status::OK();
  return Status::InvalidArgument("the " + std::string(side) + " embedder returns " + std::to_string(query_dim) + "-dim vectors but column '" +
                                 c.name + "' of " + file + " (model '" + c.model.Id() + "') has dim " + std::to_string(c.model.dim));
}

}  // namespace

Result<ShadowResult> ShadowSearch(Table& table, const Embedder& new_embedder, const ShadowQueries& q) {
  auto& impl = table.impl();
  std::shared_ptr<table::Table> current = impl.Current();
  if (!current) return Status::Internal("table handle has no state");
  const std::string name = table.name();
  const auto& props = current->metadata().properties;
  auto prop = props.find(migrate::kPropMigration);
  if (prop == props.end()) {
    return Status::InvalidArgument(
        "eval --mode shadow compares the two models during a running migration, and table '" + name +
        "' has none: plan one that keeps both columns ('ailake migrate plan " + name +
        " --embedder SPEC --new-model M --strategy dual-write-then-cutover', or --keep-old-column --new-column C), run its tasks "
        "with 'ailake migrate run-task " + name + " --task ID', then evaluate before 'ailake migrate commit'; or use --mode pilot");
  }
  ShadowResult out;
  out.job_id = prop->second;
  Store& store = current->catalog().store();
  const std::string key = current->table_key();
  migrate::MigrationJobDoc doc;
  std::map<std::string, migrate::TaskRecord> records;
  {
    std::lock_guard<std::mutex> lock(impl.write_mu);  // the handle's catalog (and its store) is not thread-safe
    AILAKE_RETURN_IF_ERROR(migrate::ValidateJobId(out.job_id));
    AILAKE_ASSIGN_OR_RETURN(doc, migrate::LoadJobDoc(store, key, out.job_id));
    AILAKE_ASSIGN_OR_RETURN(records, migrate::LoadTaskRecords(store, key, out.job_id));
  }
  const EmbeddingModelInfo& new_model = doc.options.new_model;
  if (!new_embedder.model().SameModel(new_model)) {
    return Status::InvalidArgument("migration job " + out.job_id + " of table '" + name + "' embeds with '" + new_model.Id() +
                                   "', the new embedder computes '" + new_embedder.model().Id() +
                                   "': give the job's model (--embedder with model=, or --new-model)");
  }
  if (records.empty()) {
    return Status::InvalidArgument("no task of migration job " + out.job_id + " has finished yet, so no row has the new model's vector: run "
                                   "'ailake migrate run-task " + name + " --task ID' (task ids: 'ailake migrate status " + name +
                                   "'), then evaluate again");
  }
  const iceberg::Snapshot* snapshot = current->metadata().CurrentSnapshot();
  if (!snapshot) return Status::InvalidArgument("table '" + name + "' has no rows");
  AILAKE_ASSIGN_OR_RETURN(auto plan, impl.plans->Get(*current, snapshot));

  out.old_hits.resize(q.n);
  out.new_hits.resize(q.n);
  for (const auto& e : plan->files.data_files) {
    const std::string& path = e.file.file_path;
    const int64_t rows = e.file.record_count;
    std::vector<uint8_t> live(static_cast<size_t>(std::max<int64_t>(rows, 0)), 1);
    if (auto d = plan->deletes.find(path); d != plan->deletes.end()) {
      for (int64_t p : d->second) {
        if (p >= 0 && p < rows) live[static_cast<size_t>(p)] = 0;
      }
    }
    const size_t live_rows = static_cast<size_t>(std::count(live.begin(), live.end(), 1));
    if (live_rows == 0) continue;

    AILAKE_ASSIGN_OR_RETURN(auto readable, table::OpenLiveFile(*current, path, e.file.file_size_in_bytes));
    AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
    const file::VectorColumnMeta* old_meta = ColumnOf(*reader, doc.old_model);
    const file::VectorColumnMeta* new_meta = ColumnOf(*reader, new_model);

    std::unique_ptr<file::AiLakeFileReader> output;  // the task's staged or uncommitted output
    const migrate::TaskRecord* record = nullptr;
    if (!new_meta) {
      auto r = records.find(path);
      if (r == records.end()) {
        out.pending_rows += live_rows;
        continue;
      }
      record = &r->second;
      if (record->source_rows != rows) {
        return Status::Corruption("task " + record->task_id + " of migration job " + out.job_id + " read " + std::to_string(record->source_rows) +
                                  " rows from " + path + ", which has " + std::to_string(rows));
      }
      AILAKE_ASSIGN_OR_RETURN(auto staged, store.OpenReadable(record->output_key));
      AILAKE_ASSIGN_OR_RETURN(output, file::AiLakeFileReader::Open(staged));
      new_meta = ColumnOf(*output, new_model);
      if (!new_meta) {
        return Status::Corruption(record->output + " (output of task " + record->task_id + ") has no column of model '" + new_model.Id() + "'");
      }
    }
    if (!old_meta) {  // a committed output written without the old column
      out.unpaired_rows += live_rows;
      continue;
    }
    AILAKE_RETURN_IF_ERROR(CheckDim(*old_meta, q.old_dim, path, "old"));
    AILAKE_RETURN_IF_ERROR(CheckDim(*new_meta, q.new_dim, output ? record->output : path, "new"));

    // One file's columns in memory: the old model's and the new model's (here or in the output).
    AILAKE_ASSIGN_OR_RETURN(auto old_col, reader->LoadColumn(old_meta->name));
    const std::string new_name = new_meta->name;
    AILAKE_ASSIGN_OR_RETURN(auto new_col, (output ? *output : *reader).LoadColumn(new_name));
    if (old_col->count() != static_cast<size_t>(rows)) return Status::Corruption(path + ": column '" + old_meta->name + "' has the wrong row count");
    if (record && new_col->count() != static_cast<size_t>(record->rows)) {
      return Status::Corruption(record->output + ": " + std::to_string(new_col->count()) + " rows, its task record says " + std::to_string(record->rows));
    }
    if (!record && new_col->count() != static_cast<size_t>(rows)) return Status::Corruption(path + ": column '" + new_name + "' has the wrong row count");
    AILAKE_ASSIGN_OR_RETURN(auto ids, ReadIds(*current, *reader, rows));

    index::AllowedRows old_allowed(old_col->count()), new_allowed(new_col->count());
    std::vector<uint32_t> new_to_source(new_col->count(), 0);
    size_t covered = 0;
    for (int64_t p = 0; p < rows; ++p) {
      if (!live[static_cast<size_t>(p)]) continue;
      const int64_t o = record ? migrate::MapSourceRow(record->skipped, p) : p;
      // o < 0: deleted when the task read the source, yet live now (a rollback since): not embedded.
      const bool paired = o >= 0 && static_cast<size_t>(o) < new_col->count() && !old_col->nulls()[static_cast<size_t>(p)] &&
                          !new_col->nulls()[static_cast<size_t>(o)];
      if (!paired) {
        ++out.unpaired_rows;
        continue;
      }
      old_allowed.Allow(static_cast<uint32_t>(p));
      new_allowed.Allow(static_cast<uint32_t>(o));
      new_to_source[static_cast<size_t>(o)] = static_cast<uint32_t>(p);
      ++covered;
    }
    out.covered_rows += covered;
    if (covered == 0) continue;
    for (size_t i = 0; i < q.n; ++i) {
      auto t0 = Clock::now();
      AILAKE_ASSIGN_OR_RETURN(auto old_nb, old_col->Search(q.old_q + i * q.old_dim, q.k, q.k, /*exact=*/true, &old_allowed));
      out.old_ms += MsSince(t0);
      t0 = Clock::now();
      AILAKE_ASSIGN_OR_RETURN(auto new_nb, new_col->Search(q.new_q + i * q.new_dim, q.k, q.k, /*exact=*/true, &new_allowed));
      out.new_ms += MsSince(t0);
      std::vector<migrate::RankedHit> a, b;
      for (const auto& nb : old_nb) a.push_back({ids[nb.row], nb.distance});
      for (const auto& nb : new_nb) b.push_back({ids[new_to_source[nb.row]], nb.distance});
      Merge(&out.old_hits[i], std::move(a), q.k);
      Merge(&out.new_hits[i], std::move(b), q.k);
    }
  }
  if (out.covered_rows == 0) {
    return Status::InvalidArgument("no live row of table '" + name + "' has both models' vectors yet (" + std::to_string(out.pending_rows) +
                                   " rows not reached by migration job " + out.job_id + ", " + std::to_string(out.unpaired_rows) +
                                   " without one model's vector): run more tasks with 'ailake migrate run-task " + name + " --task ID'");
  }
  return out;
}

}  // namespace ailake::api
