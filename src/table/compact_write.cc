// Compaction write step: the planned groups' live rows into new AI-Lake files (table/compact.h).
#include <algorithm>
#include <memory>

#include "core/uuid.h"
#include "file/file_reader.h"
#include "file/file_writer.h"
#include "table/compact_internal.h"
#include "table/data_file_stats.h"
#include "vec/quantize.h"

namespace ailake::table::compact_internal {

std::pair<int64_t, int64_t> MapRow(const std::vector<int64_t>& deleted_at_plan, const std::vector<Segment>& segments,
                                   int64_t pos) {
  auto it = std::lower_bound(deleted_at_plan.begin(), deleted_at_plan.end(), pos);
  if (it != deleted_at_plan.end() && *it == pos) return {-1, -1};
  const int64_t kept = pos - static_cast<int64_t>(it - deleted_at_plan.begin());
  for (const auto& s : segments) {
    if (kept >= s.kept_start && kept < s.kept_start + s.count) {
      return {static_cast<int64_t>(s.output), s.out_row + (kept - s.kept_start)};
    }
  }
  return {-1, -1};
}

namespace {

// Streams rows of one layout into outputs cut at the target size. Outputs are appended to
// `written->outputs` once finished (published).
class GroupWriter {
 public:
  GroupWriter(Table& table, const FileLayout& layout, const CompactPlan& plan, const CompactOptions& options,
              WrittenGroups* written)
      : table_(table), layout_(layout), plan_(plan), options_(options), written_(written) {}
  ~GroupWriter() {
    // An unfinished output is never published (the store discards it); nothing else to undo here.
    writer_.reset();
    out_.reset();
  }

  // Rows still fitting into the current output (opening one if needed), given bytes per row.
  Result<int64_t> Room(int64_t row_bytes) {
    if (!writer_) AILAKE_RETURN_IF_ERROR(Start());
    int64_t room = plan_.target_file_rows - rows_;
    if (plan_.target_file_bytes > 0) {
      room = std::min(room, std::max<int64_t>(1, (plan_.target_file_bytes - bytes_ + row_bytes - 1) / row_bytes));
    }
    return room;
  }
  // Appends rows to the current output; finishes it when full. Returns the output's index and the
  // first row's position in it.
  Result<std::pair<size_t, int64_t>> Append(const parquet::Batch& data, const std::vector<file::VectorInput>& vectors,
                                            int64_t row_bytes) {
    const std::pair<size_t, int64_t> at = {written_->outputs.size(), rows_};
    AILAKE_RETURN_IF_ERROR(writer_->Append(data, vectors));
    rows_ += data.num_rows;
    bytes_ += data.num_rows * row_bytes;
    if (rows_ >= plan_.target_file_rows || (plan_.target_file_bytes > 0 && bytes_ >= plan_.target_file_bytes)) {
      AILAKE_RETURN_IF_ERROR(Finish());
    }
    return at;
  }
  Status Finish() {
    if (!writer_) return Status::OK();
    auto done = writer_->Finish();
    writer_.reset();
    if (!done.ok()) {
      out_.reset();  // never published
      return done.status();
    }
    out_.reset();
    Store& store = table_.catalog().store();
    WrittenOutput o;
    o.key = key_;
    // Listed first: should the re-read below fail, the caller still deletes this output.
    written_->outputs.push_back(o);
    AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(key_));
    AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
    WrittenOutput& w = written_->outputs.back();
    w.added.file = DataFileFromFooter(*reader, table_.catalog().LocationOf(key_), static_cast<int64_t>(done->file_bytes));
    for (size_t c = 0; c < done->columns.size() && c < layout_.vectors.size(); ++c) {
      const file::WrittenColumn& col = done->columns[c];
      const file::VectorColumnSpec& spec = layout_.vectors[c];
      iceberg::FileVectorStats s;
      s.column = col.name;
      s.model = spec.model.name;
      s.model_version = spec.model.version;
      s.dim = spec.model.dim;
      s.metric = spec.model.metric;
      s.precision = spec.policy.precision;
      s.index = col.index_kind;
      s.centroid = col.centroid;
      s.radius = col.radius;
      s.rows_with_vector = col.rows_with_vector;
      w.added.vector_stats.push_back(std::move(s));
    }
    written_->rows += rows_;
    written_->bytes += static_cast<int64_t>(done->file_bytes);
    if (options_.progress) {
      options_.progress("wrote " + w.added.file.file_path + " (" + std::to_string(rows_) + " rows, " +
                        std::to_string(done->file_bytes) + " bytes)");
    }
    return Status::OK();
  }

 private:
  Status Start() {
    key_ = table_.table_key() + "/data/" + Uuid::Random().ToString() + ".parquet";
    AILAKE_ASSIGN_OR_RETURN(out_, table_.catalog().store().OpenWritable(key_, PublishMode::kIfAbsent));
    file::FileWriterOptions fo;
    fo.build_threads = options_.build_threads;
    fo.parquet.row_group_rows = options_.row_group_rows;
    fo.extra_key_values = layout_.extra_key_values;
    std::vector<file::VectorColumnSpec> specs = layout_.vectors;
    for (auto& s : specs) s.policy.build_threads = options_.build_threads;
    AILAKE_ASSIGN_OR_RETURN(writer_, file::AiLakeFileWriter::Open(out_.get(), layout_.data_schema, specs, fo));
    rows_ = 0;
    bytes_ = 0;
    return Status::OK();
  }

  Table& table_;
  const FileLayout& layout_;
  const CompactPlan& plan_;
  const CompactOptions& options_;
  WrittenGroups* written_;
  std::unique_ptr<WritableFile> out_;
  std::unique_ptr<file::AiLakeFileWriter> writer_;
  std::string key_;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
};

// Copies the kept rows of one source into `gw`, recording where they went.
Status CopySource(Table& table, const FileLayout& layout, const PlannedSource& src, GroupWriter& gw,
                  std::vector<Segment>* segments) {
  Store& store = table.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(std::string key, table.locations().KeyOf(src.info.location));
  AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(key));
  AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
  parquet::ParquetReader& pq = reader->parquet();
  if (pq.num_rows() != src.info.rows) {
    return Status::Corruption(src.info.location + " has " + std::to_string(pq.num_rows()) + " rows but the manifest says " +
                              std::to_string(src.info.rows));
  }
  std::vector<std::string> names = layout.data_names;
  for (const auto& v : layout.vectors) names.push_back(v.name);
  AILAKE_ASSIGN_OR_RETURN(std::vector<int> fields, pq.FieldIndices(names));
  const size_t ndata = layout.data_names.size();
  int64_t row_bytes = 0;
  for (const auto& v : layout.vectors) row_bytes += static_cast<int64_t>(vec::RowBytes(v.policy.precision, v.model.dim));

  int64_t base_row = 0;  // source position of the row group's first row
  int64_t kept_before = 0;  // kept rows of the source before the current run
  size_t next_deleted = 0;
  for (int rg = 0; rg < pq.num_row_groups(); ++rg) {
    const int64_t rg_rows = pq.row_group_num_rows(rg);
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, pq.ReadRowGroup(rg, fields));
    if (b.num_rows != rg_rows || b.columns.size() != names.size()) {
      return Status::Corruption(src.info.location + ": row group " + std::to_string(rg) + " read back " +
                                std::to_string(b.num_rows) + " rows, the footer says " + std::to_string(rg_rows));
    }
    int64_t data_bytes = 0;
    for (size_t c = 0; c < ndata; ++c) data_bytes += static_cast<int64_t>(b.columns[c].values().size());
    const int64_t per_row = row_bytes + (rg_rows > 0 ? data_bytes / rg_rows : 0);
    int64_t r = 0;
    while (r < rg_rows) {
      // Skip deleted rows; then the run of kept rows up to the next deleted one.
      while (next_deleted < src.deleted.size() && src.deleted[next_deleted] < base_row + r) ++next_deleted;
      if (next_deleted < src.deleted.size() && src.deleted[next_deleted] == base_row + r) {
        ++r;
        continue;
      }
      const int64_t limit = next_deleted < src.deleted.size() ? src.deleted[next_deleted] - base_row : rg_rows;
      const int64_t run_end = std::min(rg_rows, limit);
      AILAKE_ASSIGN_OR_RETURN(int64_t room, gw.Room(per_row));
      const int64_t n = std::min(room, run_end - r);
      parquet::Batch slice = b.Slice(r, n);
      parquet::Batch data;
      data.schema = layout.data_schema;
      data.num_rows = n;
      for (size_t c = 0; c < ndata; ++c) data.columns.push_back(std::move(slice.columns[c]));
      // Vectors: decoded from the stored precision; the writer encodes them back to it.
      std::vector<std::vector<float>> floats(layout.vectors.size());
      std::vector<std::vector<uint8_t>> nulls(layout.vectors.size());
      std::vector<file::VectorInput> inputs;
      for (size_t v = 0; v < layout.vectors.size(); ++v) {
        const auto& spec = layout.vectors[v];
        const parquet::Column& col = slice.columns[ndata + v];
        const size_t dim = spec.model.dim;
        floats[v].assign(static_cast<size_t>(n) * dim, 0.0f);
        bool any_null = false;
        nulls[v].assign(static_cast<size_t>(n), 0);
        for (int64_t i = 0; i < n; ++i) {
          if (!col.IsValid(i)) {
            nulls[v][static_cast<size_t>(i)] = 1;
            any_null = true;
            continue;
          }
          vec::DecodeRow(spec.policy.precision, col.FixedValue(i), dim, floats[v].data() + static_cast<size_t>(i) * dim);
        }
        inputs.push_back({floats[v].data(), any_null ? nulls[v].data() : nullptr});
      }
      AILAKE_ASSIGN_OR_RETURN(auto at, gw.Append(data, inputs, per_row));
      segments->push_back({kept_before, at.first, at.second, n});
      kept_before += n;
      r += n;
    }
    base_row += rg_rows;
  }
  if (kept_before != src.info.rows - src.info.deleted_rows) {
    return Status::Internal(src.info.location + ": copied " + std::to_string(kept_before) + " rows, expected " +
                            std::to_string(src.info.rows - src.info.deleted_rows));
  }
  return Status::OK();
}

}  // namespace

Result<WrittenGroups> WriteGroups(Table& table, const Planned& planned, const CompactOptions& options) {
  WrittenGroups written;
  Store& store = table.catalog().store();
  auto fail = [&](Status st) -> Status {
    for (const auto& o : written.outputs) (void)store.Delete(o.key);
    return st;
  };
  for (const auto& g : planned.groups) {
    GroupWriter gw(table, g.layout, planned.plan, options, &written);
    for (const auto& s : g.sources) {
      std::vector<Segment> segments;
      Status st = CopySource(table, g.layout, s, gw, &segments);
      if (!st.ok()) return fail(st);
      written.segments.emplace_back(s.info.location, std::move(segments));
    }
    Status st = gw.Finish();
    if (!st.ok()) return fail(st);
  }
  return written;
}

}  // namespace ailake::table::compact_internal
