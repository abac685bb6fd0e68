#include "migrate/task_source.h"

#include <algorithm>
#include <string>

#include "table/live_file.h"

namespace ailake::migrate {

Result<OpenedSource> OpenTaskSource(const TaskContext& ctx, const TaskSource& src) {
  const MigrationJobDoc& job = *ctx.job;
  const MigrationOptions& o = job.options;
  table::Table& table = *ctx.table;
  std::shared_ptr<RandomAccessFile> readable;
  if (src.bytes >= 0) {
    AILAKE_ASSIGN_OR_RETURN(readable, table::OpenLiveFile(table, src.location, src.bytes));
  } else {
    AILAKE_ASSIGN_OR_RETURN(std::string source_key, table.locations().KeyOf(src.location));
    AILAKE_ASSIGN_OR_RETURN(readable, table.catalog().store().OpenReadable(source_key));
  }
  OpenedSource out;
  AILAKE_ASSIGN_OR_RETURN(out.reader, file::AiLakeFileReader::Open(readable));
  parquet::ParquetReader& pq = out.reader->parquet();
  if (pq.num_rows() != src.rows) {
    return Status::Corruption(src.location + " has " + std::to_string(pq.num_rows()) + " rows but the manifest says " +
                              std::to_string(src.rows));
  }

  std::vector<std::string> names;
  for (const auto& f : ctx.data_schema.fields) names.push_back(f.name);
  out.text_index = ctx.data_schema.FieldIndex(o.text_column);
  if (out.text_index < 0) return Status::InvalidArgument("text column '" + o.text_column + "' is not a data column");
  if (o.keep_old_column) {
    AILAKE_ASSIGN_OR_RETURN(const file::VectorColumnMeta* old_meta, out.reader->FindVectorColumn(o.old_column));
    // The old column is copied under the old model's name: it must hold exactly that model's
    // vectors (a file an aborted in-place job rewrote holds another model's under the same name).
    if (!old_meta->model.SameModel(job.old_model) || old_meta->model.dim != job.old_model.dim) {
      return Status::InvalidArgument(src.location + ": column '" + o.old_column + "' holds model '" +
                                     old_meta->model.Id() + "' (" + std::to_string(old_meta->model.dim) +
                                     "-d), not the table's '" + job.old_model.Id() +
                                     "'; --keep-old-column cannot keep it under that name (migrate without it)");
    }
    if (old_meta->precision != job.old_precision) {
      return Status::Corruption(src.location + ": column '" + o.old_column + "' is stored as " +
                                std::string(PrecisionName(old_meta->precision)) + ", the table says " +
                                std::string(PrecisionName(job.old_precision)));
    }
    names.push_back(o.old_column);
  }
  AILAKE_ASSIGN_OR_RETURN(out.fields, pq.FieldIndices(names));
  return out;
}

std::vector<std::pair<int64_t, int64_t>> KeptRows::RowGroupRuns(int64_t base, int64_t rows) {
  std::vector<std::pair<int64_t, int64_t>> runs;
  int64_t r = 0;
  while (r < rows) {
    while (next_ < deleted_.size() && deleted_[next_] < base + r) ++next_;
    if (next_ < deleted_.size() && deleted_[next_] == base + r) {
      ++r;
      continue;
    }
    int64_t end = r + 1;
    const int64_t limit = next_ < deleted_.size() ? deleted_[next_] - base : rows;
    end = std::min(rows, std::max(end, limit));
    runs.push_back({r, end});
    r = end;
  }
  return runs;
}

}  // namespace ailake::migrate
