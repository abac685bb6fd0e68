// Table writes: Add (an in-memory batch), AddFile, Delete, DeleteIds.
//
// Add goes through exactly the path a file takes (table/ingest.h, table/upsert.h): the batch is
// offered to ingest as a RowSource, one JSON object per row, so ids, the text column, metadata
// merging, typed columns, vector checks, embedding and the write modes behave the same and fail
// with the same messages (rows named "row N", 0-based).
#include <cmath>
#include <nlohmann/json.hpp>

#include "ailake/table.h"
#include "api/api_internal.h"
#include "api/convert.h"
#include "core/civil_time.h"
#include "table/ingest_source.h"
#include "table/table_delete.h"
#include "table/upsert.h"

namespace ailake {

namespace {

// Rows of a RecordBatch (+ optional vectors) as ingest input. A row's vector is the JSON array of
// its floats; an all-NaN row is "no vector" (the field is left out: embedded from the text, or
// null when the text is null too).
class BatchRowSource : public table::RowSource {
 public:
  BatchRowSource(const RecordBatch& rows, const float* vectors, size_t dim, std::string vector_column)
      : rows_(rows), vectors_(vectors), dim_(dim), vector_column_(std::move(vector_column)) {}

  Result<bool> Next(nlohmann::json* row, std::string* where) override {
    if (next_ >= rows_.num_rows()) return false;
    const size_t r = next_++;
    *where = "row " + std::to_string(r);
    nlohmann::json obj = nlohmann::json::object();
    for (const auto& c : rows_.columns) {
      if (c.is_null(r)) {
        obj[c.name] = nullptr;
        continue;
      }
      switch (c.type) {
        case ValueType::kBool: obj[c.name] = c.ints[r] != 0; break;
        case ValueType::kInt32:
        case ValueType::kInt64: obj[c.name] = c.ints[r]; break;
        case ValueType::kFloat32:
        case ValueType::kFloat64:
          if (!std::isfinite(c.doubles[r])) {
            return Status::InvalidArgument(*where + ": column '" + c.name + "' holds a non-finite value");
          }
          obj[c.name] = c.doubles[r];
          break;
        case ValueType::kString: obj[c.name] = c.strings[r]; break;
        case ValueType::kBinary:
          return Status::NotSupported("column '" + c.name + "' is binary; table columns hold no binary values");
        case ValueType::kDate: obj[c.name] = civil::FormatDate(c.ints[r]); break;
        case ValueType::kTimestamp: obj[c.name] = c.ints[r]; break;  // microseconds, the column's unit
      }
    }
    if (vectors_ != nullptr) {
      if (obj.contains(vector_column_)) {
        return Status::InvalidArgument(*where + ": the vector column '" + vector_column_ +
                                       "' is both a RecordBatch column and in `vectors`; give it once");
      }
      const float* v = vectors_ + r * dim_;
      size_t nan = 0;
      for (size_t i = 0; i < dim_; ++i) nan += std::isnan(v[i]) ? 1 : 0;
      if (nan != dim_) {
        nlohmann::json arr = nlohmann::json::array();
        for (size_t i = 0; i < dim_; ++i) {
          if (!std::isfinite(v[i])) {
            return Status::InvalidArgument(*where + ": the vector has a non-finite value at element " + std::to_string(i) +
                                           " (a row without a vector is all NaN)");
          }
          arr.push_back(v[i]);
        }
        obj[vector_column_] = std::move(arr);
      }
    }
    *row = std::move(obj);
    return true;
  }
  double fraction_read() const override {
    return rows_.num_rows() == 0 ? 1.0 : static_cast<double>(next_) / static_cast<double>(rows_.num_rows());
  }

 private:
  const RecordBatch& rows_;
  const float* vectors_;
  size_t dim_;
  std::string vector_column_;
  size_t next_ = 0;
};

Status CheckWriteOptions(const WriteOptions& o) {
  if (o.batch_rows == 0) return Status::InvalidArgument("WriteOptions.batch_rows must be at least 1");
  if (o.concurrency == 0) return Status::InvalidArgument("WriteOptions.concurrency must be at least 1");
  if (o.target_file_rows < 0) return Status::InvalidArgument("WriteOptions.target_file_rows must not be negative");
  if (o.target_file_bytes < 0) return Status::InvalidArgument("WriteOptions.target_file_bytes must not be negative");
  return Status::OK();
}

table::IngestOptions ToIngestOptions(const WriteOptions& o) {
  table::IngestOptions io;
  io.format = o.input_format;
  io.batch_rows = o.batch_rows;
  io.concurrency = o.concurrency;
  io.text_field = o.text_field;
  io.generate_ids = o.generate_ids;
  io.writer.build_threads = o.build_threads;
  io.writer.target_file_rows = o.target_file_rows;
  io.writer.target_file_bytes = o.target_file_bytes;
  if (o.progress) {
    auto cb = o.progress;
    io.progress = [cb](const table::IngestProgress& p) { cb(api::ToPublic(p)); };
  }
  return io;
}

WriteResult ToPublic(const table::WriteResult& w) {
  WriteResult r;
  r.rows = w.ingest.rows;
  r.embedded = w.ingest.embedded;
  r.without_vector = w.ingest.without_vector;
  r.skipped = w.ingest.skipped;
  r.replaced = w.replaced;
  r.files = w.ingest.files;
  r.files_removed = w.files_removed;
  r.replans = w.replans;
  r.commit_attempts = w.commit_attempts;
  r.snapshot_id = w.ingest.snapshot_id;
  return r;
}

// Runs a write on a fresh internal table (the latest metadata) and publishes it afterwards, so the
// handle's reads move to the state after the write.
template <typename Fn>
auto Write(Table::Impl& impl, Fn&& fn) -> decltype(fn(std::declval<table::Table&>())) {
  std::lock_guard<std::mutex> lock(impl.write_mu);
  AILAKE_ASSIGN_OR_RETURN(auto fresh, impl.OpenLatest());
  auto r = fn(*fresh);
  if (fresh->Refresh().ok()) impl.Publish(std::shared_ptr<table::Table>(std::move(fresh)));
  return r;
}

}  // namespace

Result<std::string> AddFileFormat(const std::string& path, const std::string& given) {
  return table::IngestFormat(path, given);
}

Result<std::vector<std::string>> ReadIdListFile(const std::string& path) { return table::ReadIdsFile(path); }

Result<WriteResult> Table::Add(const RecordBatch& rows, const float* vectors, size_t dim, const WriteOptions& options) {
  AILAKE_RETURN_IF_ERROR(CheckWriteOptions(options));
  AILAKE_RETURN_IF_ERROR(rows.Validate());
  if (!options.input_format.empty()) {
    return Status::InvalidArgument("WriteOptions.input_format is for AddFile; Add takes a RecordBatch");
  }
  return Write(*impl_, [&](table::Table& t) -> Result<WriteResult> {
    const table::VectorConfig& vc = t.vectors();
    if (vectors != nullptr && dim != vc.model.dim) {
      return Status::InvalidArgument("Add: dim is " + std::to_string(dim) + " but the table's vector column '" +
                                     vc.vector_column + "' (model '" + vc.model.Id() + "') has dim " +
                                     std::to_string(vc.model.dim));
    }
    table::IngestOptions io = ToIngestOptions(options);
    io.open_source = [&]() -> Result<std::unique_ptr<table::RowSource>> {
      return std::unique_ptr<table::RowSource>(new BatchRowSource(rows, vectors, dim, vc.vector_column));
    };
    table::UpsertOptions uo;
    uo.mode = api::ToInternal(options.mode);
    auto w = table::IngestWithMode(t, "RecordBatch", options.embedder, io, uo);
    if (!w.ok()) return api::ApiWording(w.status());
    return ToPublic(*w);
  });
}

Result<WriteResult> Table::AddFile(const std::string& path, const WriteOptions& options) {
  AILAKE_RETURN_IF_ERROR(CheckWriteOptions(options));
  AILAKE_RETURN_IF_ERROR(table::IngestFormat(path, options.input_format).status());
  return Write(*impl_, [&](table::Table& t) -> Result<WriteResult> {
    table::UpsertOptions uo;
    uo.mode = api::ToInternal(options.mode);
    auto w = table::IngestWithMode(t, path, options.embedder, ToIngestOptions(options), uo);
    if (!w.ok()) return api::ApiWording(w.status());
    return ToPublic(*w);
  });
}

Result<DeleteResult> Table::Delete(const std::string& where) {
  if (where.empty()) return Status::InvalidArgument("Delete: `where` is empty; give a predicate (docs/CLI.md#where)");
  return Write(*impl_, [&](table::Table& t) -> Result<DeleteResult> {
    AILAKE_ASSIGN_OR_RETURN(table::DeleteResult r, table::DeleteWhere(t, where));
    DeleteResult out;
    out.rows_deleted = r.rows_deleted;
    out.delete_files = r.delete_files;
    out.snapshot_id = r.snapshot_id;
    return out;
  });
}

Result<DeleteResult> Table::DeleteIds(const std::vector<std::string>& ids) {
  return Write(*impl_, [&](table::Table& t) -> Result<DeleteResult> {
    AILAKE_ASSIGN_OR_RETURN(table::DeleteIdsResult r, table::DeleteIds(t, ids));
    DeleteResult out;
    out.rows_deleted = r.rows_deleted;
    out.delete_files = r.delete_files;
    out.files_removed = r.files_removed;
    out.unknown_ids = std::move(r.unknown_ids);
    out.snapshot_id = r.snapshot_id;
    return out;
  });
}

}  // namespace ailake
