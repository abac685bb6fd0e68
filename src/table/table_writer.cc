#include "table/table_writer.h"

#include "core/uuid.h"
#include "table/data_file_stats.h"
#include "vec/quantize.h"

namespace ailake::table {

Result<std::unique_ptr<TableWriter>> TableWriter::Open(Table& table, TableWriterOptions options) {
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema data, table.DataSchema());
  if (options.row_group_rows <= 0) {
    return Status::InvalidArgument("TableWriter: row_group_rows must be positive, got " + std::to_string(options.row_group_rows));
  }
  if (options.target_file_rows <= 0) options.target_file_rows = table.vectors().target_file_rows;
  const iceberg::NestedField* vf = table.schema().FindField(table.vectors().vector_column);
  if (vf == nullptr) return Status::Corruption("table schema has no vector column '" + table.vectors().vector_column + "'");
  auto w = std::unique_ptr<TableWriter>(new TableWriter(table, options, std::move(data)));
  w->vectors_ = table.vectors();
  w->schema_id_ = table.metadata().current_schema_id;
  w->opened_schema_ = table.schema();
  w->opened_vectors_ = table.vectors();
  w->vector_field_id_ = vf->id;
  w->table_key_ = table.table_key();
  return w;
}

TableWriter::~TableWriter() { Abandon(); }

Status TableWriter::StartFile() {
  const VectorConfig& v = vectors_;
  current_key_ = table_key_ + "/data/" + Uuid::Random().ToString() + ".parquet";
  AILAKE_ASSIGN_OR_RETURN(out_, table_->catalog().store().OpenWritable(current_key_, PublishMode::kIfAbsent));
  file::VectorColumnSpec spec;
  spec.name = v.vector_column;
  spec.model = v.model;
  spec.policy = v.policy;
  spec.field_id = vector_field_id_;  // engines map Parquet columns to Iceberg columns by field id
  file::FileWriterOptions fo;
  fo.build_threads = options_.build_threads;
  fo.parquet.compression = options_.compression;
  fo.parquet.row_group_rows = options_.row_group_rows;
  AILAKE_ASSIGN_OR_RETURN(writer_, file::AiLakeFileWriter::Open(out_.get(), data_schema_, {spec}, fo));
  current_rows_ = 0;
  current_bytes_ = 0;
  return Status::OK();
}

Status TableWriter::FinishFile() {
  if (!writer_) return Status::OK();
  auto written = writer_->Finish();
  writer_.reset();
  if (!written.ok()) {
    out_.reset();  // never published
    return written.status();
  }
  out_.reset();
  Store& store = table_->catalog().store();
  AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(current_key_));
  AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
  WrittenDataFile f;
  f.key = current_key_;
  f.added.file = DataFileFromFooter(*reader, table_->catalog().LocationOf(current_key_),
                                    static_cast<int64_t>(written->file_bytes));
  const VectorConfig& v = vectors_;
  for (const auto& c : written->columns) {
    iceberg::FileVectorStats s;
    s.column = c.name;
    s.model = v.model.name;
    s.model_version = v.model.version;
    s.dim = v.model.dim;
    s.metric = v.model.metric;
    s.precision = v.policy.precision;
    s.index = c.index_kind;
    s.centroid = c.centroid;
    s.radius = c.radius;
    s.rows_with_vector = c.rows_with_vector;
    f.added.vector_stats.push_back(std::move(s));
  }
  files_.push_back(std::move(f));
  return Status::OK();
}

Status TableWriter::Append(const parquet::Batch& data, const float* vectors, const uint8_t* nulls) {
  if (data.columns.size() != data_schema_.fields.size()) {
    return Status::InvalidArgument("TableWriter::Append: the batch has " + std::to_string(data.columns.size()) +
                                   " columns; the table's data columns are " + std::to_string(data_schema_.fields.size()));
  }
  const size_t dim = vectors_.model.dim;
  // Average uncompressed bytes per row of this batch, for the byte limit.
  int64_t row_bytes = static_cast<int64_t>(vec::RowBytes(vectors_.policy.precision, dim));
  if (data.num_rows > 0) {
    int64_t data_bytes = 0;
    for (const auto& c : data.columns) data_bytes += static_cast<int64_t>(c.values().size());
    row_bytes += data_bytes / data.num_rows;
  }
  int64_t done = 0;
  while (done < data.num_rows) {
    if (!writer_) AILAKE_RETURN_IF_ERROR(StartFile());
    int64_t room = options_.target_file_rows - current_rows_;
    if (options_.target_file_bytes > 0) {
      room = std::min(room, std::max<int64_t>(1, (options_.target_file_bytes - current_bytes_ + row_bytes - 1) / row_bytes));
    }
    const int64_t n = std::min(room, data.num_rows - done);
    parquet::Batch part = (done == 0 && n == data.num_rows) ? data : data.Slice(done, n);
    part.schema = data_schema_;
    AILAKE_RETURN_IF_ERROR(writer_->Append(
        part, {file::VectorInput{vectors + static_cast<size_t>(done) * dim, nulls ? nulls + done : nullptr}}));
    current_rows_ += n;
    current_bytes_ += n * row_bytes;
    pending_rows_ += n;
    done += n;
    if (current_rows_ >= options_.target_file_rows ||
        (options_.target_file_bytes > 0 && current_bytes_ >= options_.target_file_bytes)) {
      AILAKE_RETURN_IF_ERROR(FinishFile());
    }
  }
  return Status::OK();
}

Result<CommitResult> TableWriter::Commit(const std::string& operation) {
  iceberg::TableChange change;
  change.operation = operation;
  return Commit(std::move(change));
}

Result<CommitResult> TableWriter::Commit(iceberg::TableChange change) {
  AILAKE_RETURN_IF_ERROR(FinishFile());
  if (files_.empty() && change.empty()) {
    CommitResult nothing;
    nothing.table = table_->state();
    return nothing;
  }
  // The files were written for the schema the writer opened with. They may land on a later schema
  // that only added columns (a migration's plan adds its new vector column, nullable: these files
  // read it as null), but not when the vector column or its model changed meanwhile (a migration
  // cut over: they would hold the old model's vectors) or a column they carry changed its type.
  const iceberg::Schema& opened = opened_schema_;
  const VectorConfig& opened_vc = opened_vectors_;
  const int opened_id = schema_id_;
  // The caller's own validation (an upsert's id checks) runs first.
  auto callers = std::move(change.validate);
  change.validate = [&, callers](const iceberg::TableMetadata& latest, const iceberg::SnapshotFiles& files) -> Status {
    if (callers) AILAKE_RETURN_IF_ERROR(callers(latest, files));
    if (latest.current_schema_id == opened_id) return Status::OK();
    auto vc = VectorConfigFromProperties(latest.properties);
    bool same = vc.ok() && vc->vector_column == opened_vc.vector_column && vc->model.SameModel(opened_vc.model) &&
                vc->model.dim == opened_vc.model.dim && latest.CurrentSchema() != nullptr;
    for (const auto& f : opened.fields) {
      if (!same) break;
      const iceberg::NestedField* now = latest.CurrentSchema()->FindFieldById(f.id);
      same = now != nullptr && now->name == f.name && iceberg::TypesEqual(*now->type, *f.type);
    }
    if (same) return Status::OK();
    return Status::CommitConflict("the table's schema changed while these rows were written (now model " +
                                  (vc.ok() ? vc->model.Id() + ", column '" + vc->vector_column + "'" : std::string("?")) +
                                  ", e.g. a migration cut over); nothing was committed: write them again with the "
                                  "table's current model");
  };
  for (const auto& f : files_) change.add_data_files.push_back(f.added);
  auto committed = CommitChange(table_->catalog(), table_->ident(), change);
  if (!committed.ok()) return committed.status();
  CommitResult r = std::move(*committed);
  last_commit_files_ = files_.size();
  files_.clear();
  pending_rows_ = 0;
  AILAKE_RETURN_IF_ERROR(table_->Refresh());
  return r;
}

void TableWriter::Abandon() {
  writer_.reset();
  out_.reset();
  for (const auto& f : files_) (void)table_->catalog().store().Delete(f.key);
  files_.clear();
  pending_rows_ = 0;
}

}  // namespace ailake::table
