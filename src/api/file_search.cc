// FileSearcher / SearchFile (include/ailake/file.h): nearest neighbours inside one AI-Lake file.
#include "ailake/file.h"
#include "file/file_reader.h"
#include "parquet/value_json.h"
#include "vec/quantize.h"

namespace ailake {

struct FileSearcher::Impl {
  std::unique_ptr<file::AiLakeFileReader> reader;
  std::unique_ptr<file::LoadedVectorColumn> column;
  FileVectorColumn info;
};

FileSearcher::FileSearcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileSearcher::~FileSearcher() = default;

Result<std::unique_ptr<FileSearcher>> FileSearcher::Open(const std::string& path, const std::string& column) {
  auto impl = std::make_unique<Impl>();
  AILAKE_ASSIGN_OR_RETURN(impl->reader, file::AiLakeFileReader::OpenPath(path));
  AILAKE_ASSIGN_OR_RETURN(impl->column, impl->reader->LoadColumn(column));
  const file::VectorColumnMeta& m = impl->column->meta();
  impl->info.name = m.name;
  impl->info.model = m.model;
  impl->info.precision = m.precision;
  impl->info.index = m.index_kind;
  impl->info.rows = impl->column->count();
  return std::unique_ptr<FileSearcher>(new FileSearcher(std::move(impl)));
}

const FileVectorColumn& FileSearcher::column() const { return impl_->info; }

Result<std::vector<float>> FileSearcher::RowVector(size_t row) const {
  const file::LoadedVectorColumn& c = *impl_->column;
  if (row >= c.count()) {
    return Status::OutOfRange("row " + std::to_string(row) + " is past the file's " + std::to_string(c.count()) + " rows");
  }
  if (c.nulls()[row]) return Status::InvalidArgument("row " + std::to_string(row) + " has no vector");
  const size_t dim = c.meta().model.dim;
  std::vector<float> out(dim);
  const size_t rb = vec::RowBytes(c.meta().precision, dim);
  vec::DecodeRow(c.meta().precision, c.rows().data() + row * rb, dim, out.data());
  return out;
}

Result<std::vector<std::vector<FileHit>>> FileSearcher::Search(const float* queries, size_t n, size_t dim,
                                                               const FileSearchOptions& options) const {
  const file::LoadedVectorColumn& c = *impl_->column;
  const size_t want = c.meta().model.dim;
  if (dim != want) {
    return Status::InvalidArgument("query vectors have dim " + std::to_string(dim) + " but column '" + c.meta().name +
                                   "' has dim " + std::to_string(want));
  }
  if (options.k == 0) return Status::InvalidArgument("FileSearchOptions.k must be at least 1");
  if (n > 0 && queries == nullptr) return Status::InvalidArgument("FileSearcher::Search: queries is null");
  // The requested columns are read once for all queries (whole columns: a file-level debugging
  // aid, not the table's warm path).
  parquet::Batch values;
  if (!options.columns.empty()) {
    auto idx = impl_->reader->parquet().FieldIndices(options.columns);
    if (!idx.ok()) return Status::InvalidArgument(idx.status().message());
    AILAKE_ASSIGN_OR_RETURN(values, impl_->reader->parquet().ReadAll(*idx));
  }
  std::vector<std::vector<FileHit>> out(n);
  for (size_t q = 0; q < n; ++q) {
    AILAKE_ASSIGN_OR_RETURN(auto hits, c.Search(queries + q * dim, options.k, options.ef, options.exact));
    out[q].reserve(hits.size());
    for (const auto& h : hits) {
      FileHit hit;
      hit.row = h.row;
      hit.distance = h.distance;
      for (size_t f = 0; f < values.columns.size(); ++f) {
        std::string v;
        parquet::AppendValueJson(values.columns[f], h.row, values.schema.fields[f].unit, &v);
        hit.values.push_back(std::move(v));
      }
      out[q].push_back(std::move(hit));
    }
  }
  return out;
}

Result<std::vector<std::vector<FileHit>>> SearchFile(const std::string& path, const float* queries, size_t n,
                                                     size_t dim, const FileSearchOptions& options) {
  AILAKE_ASSIGN_OR_RETURN(auto searcher, FileSearcher::Open(path));
  return searcher->Search(queries, n, dim, options);
}

}  // namespace ailake
