#include "migrate/job_commit.h"

#include <set>

#include "iceberg/snapshot_files.h"
#include "iceberg/table_change.h"
#include "migrate/table_view.h"
#include "table/commit.h"
#include "table/data_file_stats.h"
#include "table/table_delete.h"
#include "table/table_schema.h"
#include "vec/quantize.h"

namespace ailake::migrate {

namespace {

iceberg::NestedField NewField(const MigrationJobDoc& job) {
  const MigrationOptions& o = job.options;
  iceberg::NestedField nf;
  nf.id = job.new_field_id;
  nf.name = o.new_column;
  nf.required = false;
  nf.type = iceberg::Type::Fixed(static_cast<int>(vec::RowBytes(job.new_policy.precision, o.new_model.dim)));
  nf.doc = "embedding by " + o.new_model.Id() + " (ailake migration " + job.job_id + ")";
  return nf;
}

}  // namespace

std::string RunningColumnName(const MigrationJobDoc& job) {
  const MigrationOptions& o = job.options;
  if (o.new_column != o.old_column) return o.new_column;
  return o.new_column + "__" + job.job_id.substr(0, 8);
}

iceberg::Schema PlanSchema(const iceberg::Schema& base, const MigrationJobDoc& job) {
  iceberg::Schema s = base;
  iceberg::NestedField nf = NewField(job);
  nf.name = RunningColumnName(job);
  s.fields.push_back(std::move(nf));
  return s;
}

iceberg::Schema WithoutNewColumn(const iceberg::Schema& running, const MigrationJobDoc& job) {
  iceberg::Schema s = running;
  std::erase_if(s.fields, [&](const iceberg::NestedField& f) { return f.id == job.new_field_id; });
  return s;
}

Status CheckJobSchema(const iceberg::TableMetadata& latest, const MigrationJobDoc& job) {
  const iceberg::Schema* base = latest.FindSchema(job.base_schema_id);
  const iceberg::Schema* current = latest.CurrentSchema();
  if (base && current && current->SameStructure(PlanSchema(*base, job))) return Status::OK();
  return Status::Aborted("the schema of table " + job.table + " changed since migration job " + job.job_id +
                         " was planned (schema " + std::to_string(latest.current_schema_id) +
                         " is not the job's); abort the job ('ailake migrate abort') and plan it again");
}

Result<iceberg::Schema> CutoverSchema(const iceberg::Schema& running, const MigrationJobDoc& job) {
  const MigrationOptions& o = job.options;
  const iceberg::NestedField nf = NewField(job);
  iceberg::Schema s = WithoutNewColumn(running, job);
  bool placed = false;
  for (auto& f : s.fields) {
    if (f.name == o.old_column && !o.keep_old_column) {
      f = nf;
      placed = true;
    } else if (f.name == o.new_column) {
      return Status::InvalidArgument("the table already has a column named '" + o.new_column + "'");
    }
  }
  if (!placed) s.fields.push_back(nf);
  return s;
}

namespace {

std::map<std::string, std::string> CutoverProperties(const MigrationJobDoc& job) {
  const auto& m = job.options.new_model;
  return {{table::kPropVectorColumn, job.options.new_column},
          {table::kPropDim, std::to_string(m.dim)},
          {table::kPropMetric, std::string(MetricName(m.metric))},
          {table::kPropPrecision, std::string(PrecisionName(job.new_policy.precision))},
          {table::kPropModel, m.name},
          {table::kPropModelVersion, m.version},
          {"ailake.last-migration", job.job_id}};
}

Status CheckJobProperty(const iceberg::TableMetadata& m, const MigrationJobDoc& job) {
  auto it = m.properties.find(kPropMigration);
  if (it == m.properties.end() || it->second != job.job_id) {
    return Status::Aborted("migration job " + job.job_id + " is no longer the table's running job (aborted or finished)");
  }
  return Status::OK();
}

}  // namespace

Result<CommitOutcome> CommitTasks(table::Table& table, const MigrationJobDoc& job,
                                  const std::vector<const TaskRecord*>& records, bool cutover) {
  Store& store = table.catalog().store();
  for (int attempt = 1;; ++attempt) {
    AILAKE_ASSIGN_OR_RETURN(TableView view, ReadTableView(table));
    AILAKE_RETURN_IF_ERROR(CheckJobProperty(table.metadata(), job));
    CommitOutcome outcome;
    iceberg::TableChange change;
    change.operation = "overwrite";
    change.extra_summary[kSummaryMigrationJob] = job.job_id;
    AILAKE_RETURN_IF_ERROR(CheckJobSchema(table.metadata(), job));
    std::vector<std::string> written;
    auto cleanup = [&]() {
      for (const auto& k : written) (void)store.Delete(k);
      written.clear();
    };
    std::set<std::string> removing;
    for (const TaskRecord* r : records) {
      if (view.IsLive(r->output) || !view.IsLive(r->source)) continue;  // committed already, or stale
      auto later = view.DeletesAfter(table, r->source, r->seen_sequence);
      if (!later.ok()) {
        cleanup();
        return later.status();
      }
      std::vector<int64_t> carried;
      for (int64_t pos : *later) {
        if (pos < 0 || pos >= r->source_rows) continue;
        const int64_t out = MapSourceRow(r->skipped, pos);
        if (out >= 0) carried.push_back(out);
      }
      if (!carried.empty()) {
        auto df = table::WritePositionDeleteFile(table, r->output, carried);
        if (!df.ok()) {
          cleanup();
          return df.status();
        }
        written.push_back(df->key);
        change.add_delete_files.push_back(std::move(df->file));
        outcome.carried_deletes += carried.size();
      }
      if (table.catalog().LocationOf(r->output_key) != r->output) {
        cleanup();
        return Status::Corruption("task " + r->task_id + " names output " + r->output + ", not the location of its key " +
                                  r->output_key + "; refusing to commit it");
      }
      auto readable = store.OpenReadable(r->output_key);
      if (!readable.ok()) {
        cleanup();
        return readable.status().WithContext("staged output of task " + r->task_id);
      }
      auto reader = parquet::ParquetReader::Open(*readable);
      if (!reader.ok()) {
        cleanup();
        return reader.status();
      }
      iceberg::AddedFile added;
      added.file = table::DataFileFromFooter(**reader, r->output, r->output_bytes);
      added.vector_stats = r->vector_stats;
      change.add_data_files.push_back(std::move(added));
      change.remove_files.push_back(r->source);
      change.removed_seen_sequence[r->source] = view.sequence_number();
      removing.insert(r->source);
      ++outcome.committed;
    }
    // Position-delete files naming a replaced source go with it, as compaction's do: their rows
    // were skipped when the task read the source, or carried onto the output above, so the files
    // would only linger in every later snapshot pointing at a file that is no longer live. A delete
    // committed on a source after this view makes the commit a conflict (ApplyChange), and the
    // next attempt carries it.
    for (const auto& d : view.files.delete_files) {
      const std::string target = iceberg::PositionDeleteTarget(d.file);
      if (!target.empty() && removing.count(target)) change.remove_delete_files.push_back(d.file.file_path);
    }
    bool appended_old = false;
    std::string appended_example;
    if (cutover) {
      AILAKE_ASSIGN_OR_RETURN(iceberg::Schema schema, CutoverSchema(table.schema(), job));
      change.new_schema = std::move(schema);
      change.set_properties = CutoverProperties(job);
      change.remove_properties = {kPropMigration};
    }
    change.validate = [&](const iceberg::TableMetadata& latest, const iceberg::SnapshotFiles& files) -> Status {
      AILAKE_RETURN_IF_ERROR(CheckJobProperty(latest, job));
      AILAKE_RETURN_IF_ERROR(CheckJobSchema(latest, job));
      if (!cutover) return Status::OK();
      TableView now;
      now.files = files;  // copy: HasNewModel needs only the stats
      for (const auto& e : files.data_files) {
        if (removing.count(e.file.file_path) || now.HasNewModel(job, e.file.file_path)) continue;
        appended_old = true;
        appended_example = e.file.file_path;
        return Status::CommitConflict("data file " + e.file.file_path + " still holds the old model; catching up");
      }
      return Status::OK();
    };
    if (change.empty() && !cutover) return outcome;
    auto committed = table::CommitChange(table.catalog(), table.ident(), change);
    if (committed.ok()) {
      outcome.snapshot_id = committed->snapshot_id;
      AILAKE_RETURN_IF_ERROR(table.Refresh());
      return outcome;
    }
    cleanup();
    if (committed.status().code() != StatusCode::kCommitConflict) return committed.status();
    if (appended_old) {
      CommitOutcome again;
      again.needs_catch_up = true;
      return again;
    }
    // A delete landed on a source between our read and the commit: carry it on the next attempt.
    if (attempt >= table::kMaxReplans) {
      return committed.status().WithContext("migration commit gave up after " + std::to_string(attempt) + " attempts");
    }
  }
}

}  // namespace ailake::migrate
