#include "table/table_writer.h"

#include "core/uuid.h"
#include "table/data_file_stats.h"
#include "vec/kmeans.h"
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
  if (options.route_by_region) {
    auto regions = LoadRegions(table.catalog().store(), w->table_key_, table.metadata().properties, table.vectors().model);
    if (!regions.ok() && regions.status().code() == StatusCode::kNotFound) {
      // A newer clustering may have replaced the object and expire removed the old one after we
      // read the properties: read them again.
      AILAKE_RETURN_IF_ERROR(table.Refresh());
      regions = LoadRegions(table.catalog().store(), w->table_key_, table.metadata().properties, table.vectors().model);
    }
    if (!regions.ok()) return regions.status().WithContext("reading the table's regions to route appends");
    w->regions_ = std::move(*regions);
  }
  w->open_.resize(w->regions_ ? w->regions_->centres.k() : 1);
  return w;
}

TableWriter::~TableWriter() { Abandon(); }

Status TableWriter::StartFile(OpenFile& f) {
  const VectorConfig& v = vectors_;
  f.key = table_key_ + "/data/" + Uuid::Random().ToString() + ".parquet";
  AILAKE_ASSIGN_OR_RETURN(f.out, table_->catalog().store().OpenWritable(f.key, PublishMode::kIfAbsent));
  file::VectorColumnSpec spec;
  spec.name = v.vector_column;
  spec.model = v.model;
  spec.policy = v.policy;
  spec.field_id = vector_field_id_;  // engines map Parquet columns to Iceberg columns by field id
  file::FileWriterOptions fo;
  fo.build_threads = options_.build_threads;
  fo.parquet.compression = options_.compression;
  fo.parquet.row_group_rows = options_.row_group_rows;
  AILAKE_ASSIGN_OR_RETURN(f.writer, file::AiLakeFileWriter::Open(f.out.get(), data_schema_, {spec}, fo));
  f.rows = 0;
  f.bytes = 0;
  return Status::OK();
}

Status TableWriter::FinishFile(OpenFile& open) {
  if (!open.writer) return Status::OK();
  auto written = open.writer->Finish();
  open.writer.reset();
  if (!written.ok()) {
    open.out.reset();  // never published
    return written.status();
  }
  open.out.reset();
  Store& store = table_->catalog().store();
  AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(open.key));
  AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
  WrittenDataFile f;
  f.key = open.key;
  f.added.file = DataFileFromFooter(*reader, table_->catalog().LocationOf(open.key),
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

Status TableWriter::FinishAll() {
  for (auto& f : open_) AILAKE_RETURN_IF_ERROR(FinishFile(f));
  return Status::OK();
}

Status TableWriter::Append(const parquet::Batch& data, const float* vectors, const uint8_t* nulls) {
  if (data.columns.size() != data_schema_.fields.size()) {
    return Status::InvalidArgument("TableWriter::Append: the batch has " + std::to_string(data.columns.size()) +
                                   " columns; the table's data columns are " + std::to_string(data_schema_.fields.size()));
  }
  if (!regions_) return AppendTo(open_[0], data, vectors, nulls);
  // Routed: each region's rows (in input order) go to that region's file.
  const size_t dim = vectors_.model.dim, k = regions_->centres.k();
  std::vector<uint32_t> region(static_cast<size_t>(data.num_rows), 0);
  std::vector<int64_t> count(k, 0);
  for (int64_t i = 0; i < data.num_rows; ++i) {
    const bool has = nulls == nullptr || nulls[i] == 0;
    if (has) region[static_cast<size_t>(i)] = vec::NearestRegion(regions_->centres, vectors + static_cast<size_t>(i) * dim);
    ++count[region[static_cast<size_t>(i)]];
  }
  for (size_t r = 0; r < k; ++r) {
    if (count[r] == 0) continue;
    if (count[r] == data.num_rows) return AppendTo(open_[r], data, vectors, nulls);
    parquet::Batch part = parquet::Batch::Empty(data_schema_);
    std::vector<float> vecs;
    vecs.reserve(static_cast<size_t>(count[r]) * dim);
    std::vector<uint8_t> part_nulls;
    for (int64_t i = 0; i < data.num_rows;) {
      if (region[static_cast<size_t>(i)] != r) {
        ++i;
        continue;
      }
      int64_t end = i + 1;
      while (end < data.num_rows && region[static_cast<size_t>(end)] == r) ++end;
      AILAKE_RETURN_IF_ERROR(part.Append(data.Slice(i, end - i)));
      vecs.insert(vecs.end(), vectors + static_cast<size_t>(i) * dim, vectors + static_cast<size_t>(end) * dim);
      if (nulls) part_nulls.insert(part_nulls.end(), nulls + i, nulls + end);
      i = end;
    }
    part.num_rows = count[r];
    AILAKE_RETURN_IF_ERROR(AppendTo(open_[r], part, vecs.data(), nulls ? part_nulls.data() : nullptr));
  }
  return Status::OK();
}

Status TableWriter::AppendTo(OpenFile& f, const parquet::Batch& data, const float* vectors, const uint8_t* nulls) {
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
    if (!f.writer) AILAKE_RETURN_IF_ERROR(StartFile(f));
    int64_t room = options_.target_file_rows - f.rows;
    if (options_.target_file_bytes > 0) {
      room = std::min(room, std::max<int64_t>(1, (options_.target_file_bytes - f.bytes + row_bytes - 1) / row_bytes));
    }
    const int64_t n = std::min(room, data.num_rows - done);
    parquet::Batch part = (done == 0 && n == data.num_rows) ? data : data.Slice(done, n);
    part.schema = data_schema_;
    AILAKE_RETURN_IF_ERROR(f.writer->Append(
        part, {file::VectorInput{vectors + static_cast<size_t>(done) * dim, nulls ? nulls + done : nullptr}}));
    f.rows += n;
    f.bytes += n * row_bytes;
    pending_rows_ += n;
    done += n;
    if (f.rows >= options_.target_file_rows || (options_.target_file_bytes > 0 && f.bytes >= options_.target_file_bytes)) {
      AILAKE_RETURN_IF_ERROR(FinishFile(f));
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
  AILAKE_RETURN_IF_ERROR(FinishAll());
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
  for (auto& f : open_) {
    f.writer.reset();
    f.out.reset();  // an unfinished file is never published
  }
  for (const auto& f : files_) (void)table_->catalog().store().Delete(f.key);
  files_.clear();
  pending_rows_ = 0;
}

}  // namespace ailake::table
