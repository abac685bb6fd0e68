// Clustered layout: plan (every live file of the table's model), train regions, assign rows
// (balanced), write one file per region and layout group (table/compact.h, "Clustered layout").
//
// The sources are read three times, each time in row-group order: the table's vector column for
// the training sample, the same column again for every row's nearest regions, then every column
// to write the outputs. Memory: the sample (sample_rows x dim floats), the candidate lists (rows x
// m x 8 bytes, m <= 8), the output row of every source row (segments), and the open outputs'
// buffered rows (as for any file write: an output holds its vectors until its index is built).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <random>

#include "core/thread_pool.h"
#include "core/uuid.h"
#include "file/file_reader.h"
#include "file/file_writer.h"
#include "table/compact_internal.h"
#include "table/data_file_stats.h"
#include "table/layout_regions.h"
#include "table/live_file.h"
#include "table/table_search.h"
#include "vec/kmeans.h"
#include "vec/quantize.h"

namespace ailake::table::compact_internal {

namespace {

// Index of the table's vector column (same name, model and dimension) in a layout; -1 if absent.
int TableColumnOf(const FileLayout& layout, const VectorConfig& table_vectors) {
  for (size_t i = 0; i < layout.vectors.size(); ++i) {
    const auto& v = layout.vectors[i];
    if (v.name == table_vectors.vector_column && v.model.SameModel(table_vectors.model) &&
        v.model.dim == table_vectors.model.dim) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Calls fn(rows, n) with the table-column vectors (as floats; null rows as NaN, which k-means
// treats as non-finite) of each row group's rows not deleted at the plan, in order.
template <typename Fn>
Status ForEachLiveVectors(Table& table, const FileLayout& layout, const PlannedSource& src, Fn fn) {
  const int vi = TableColumnOf(layout, table.vectors());
  if (vi < 0) return Status::Internal(src.info.location + " lost the table's vector column since the plan");
  const file::VectorColumnSpec& spec = layout.vectors[static_cast<size_t>(vi)];
  const size_t dim = spec.model.dim;
  AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, src.info.location, src.info.bytes));
  AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
  parquet::ParquetReader& pq = reader->parquet();
  AILAKE_ASSIGN_OR_RETURN(std::vector<int> fields, pq.FieldIndices({spec.name}));
  std::vector<float> rows;
  int64_t base = 0;
  size_t next_deleted = 0;
  for (int rg = 0; rg < pq.num_row_groups(); ++rg) {
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, pq.ReadRowGroup(rg, fields));
    if (b.num_rows != pq.row_group_num_rows(rg) || b.columns.size() != 1) {
      return Status::Corruption(src.info.location + ": row group " + std::to_string(rg) + " read back wrong");
    }
    const parquet::Column& col = b.columns[0];
    rows.clear();
    size_t n = 0;
    for (int64_t i = 0; i < b.num_rows; ++i) {
      const int64_t pos = base + i;
      while (next_deleted < src.deleted.size() && src.deleted[next_deleted] < pos) ++next_deleted;
      if (next_deleted < src.deleted.size() && src.deleted[next_deleted] == pos) continue;
      rows.resize((n + 1) * dim);
      if (col.IsValid(i)) {
        vec::DecodeRow(spec.policy.precision, col.FixedValue(i), dim, rows.data() + n * dim);
      } else {
        std::fill(rows.begin() + static_cast<std::ptrdiff_t>(n * dim), rows.end(), std::numeric_limits<float>::quiet_NaN());
      }
      ++n;
    }
    AILAKE_RETURN_IF_ERROR(fn(rows.data(), n));
    base += b.num_rows;
  }
  return Status::OK();
}

// The outputs of one layout group: one lazily opened file per region.
class RegionWriters {
 public:
  RegionWriters(Table& table, const FileLayout& layout, const CompactOptions& options, size_t regions,
                WrittenGroups* written)
      : table_(table), layout_(layout), options_(options), written_(written), files_(regions) {}

  // The output index and first row of `n` more rows of `region` (opening its file if needed).
  Result<std::pair<size_t, int64_t>> Reserve(size_t region, int64_t n) {
    File& f = files_[region];
    if (!f.writer) AILAKE_RETURN_IF_ERROR(Start(f));
    const std::pair<size_t, int64_t> at = {f.output, f.rows};
    f.rows += n;
    return at;
  }
  Status Append(size_t region, const parquet::Batch& data, const std::vector<file::VectorInput>& vectors) {
    return files_[region].writer->Append(data, vectors);
  }
  Status FinishAll() {
    for (size_t r = 0; r < files_.size(); ++r) AILAKE_RETURN_IF_ERROR(Finish(files_[r]));
    return Status::OK();
  }

 private:
  struct File {
    std::unique_ptr<WritableFile> out;
    std::unique_ptr<file::AiLakeFileWriter> writer;
    size_t output = 0;
    int64_t rows = 0;
  };

  Status Start(File& f) {
    WrittenOutput o;
    o.key = table_.table_key() + "/data/" + Uuid::Random().ToString() + ".parquet";
    f.output = written_->outputs.size();
    written_->outputs.push_back(o);  // listed first: a failure from here on deletes it
    AILAKE_ASSIGN_OR_RETURN(f.out, table_.catalog().store().OpenWritable(o.key, PublishMode::kIfAbsent));
    file::FileWriterOptions fo;
    fo.build_threads = options_.build_threads;
    fo.parquet.row_group_rows = options_.row_group_rows;
    fo.extra_key_values = layout_.extra_key_values;
    std::vector<file::VectorColumnSpec> specs = layout_.vectors;
    for (auto& s : specs) s.policy.build_threads = options_.build_threads;
    AILAKE_ASSIGN_OR_RETURN(f.writer, file::AiLakeFileWriter::Open(f.out.get(), layout_.data_schema, specs, fo));
    f.rows = 0;
    return Status::OK();
  }

  Status Finish(File& f) {
    if (!f.writer) return Status::OK();
    auto done = f.writer->Finish();
    f.writer.reset();
    f.out.reset();  // unpublished unless Finish succeeded
    if (!done.ok()) return done.status();
    WrittenOutput& w = written_->outputs[f.output];
    AILAKE_ASSIGN_OR_RETURN(auto readable, table_.catalog().store().OpenReadable(w.key));
    AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
    w.added.file = DataFileFromFooter(*reader, table_.catalog().LocationOf(w.key), static_cast<int64_t>(done->file_bytes));
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
    written_->rows += f.rows;
    written_->bytes += static_cast<int64_t>(done->file_bytes);
    if (options_.progress) {
      options_.progress("wrote " + w.added.file.file_path + " (" + std::to_string(f.rows) + " rows, " +
                        std::to_string(done->file_bytes) + " bytes, radius " +
                        (done->columns.empty() ? std::string("?") : std::to_string(done->columns[0].radius)) + ")");
    }
    return Status::OK();
  }

  Table& table_;
  const FileLayout& layout_;
  const CompactOptions& options_;
  WrittenGroups* written_;
  std::vector<File> files_;
};

// Rows of one region gathered from a row group, appended to its output in one call.
struct Pending {
  parquet::Batch data;
  std::vector<std::vector<float>> floats;    // per vector column
  std::vector<std::vector<uint8_t>> nulls;   // per vector column, one byte per row
  bool any_null = false;
  int64_t rows = 0;
};

// Copies the kept rows of one source into the group's region outputs; `region` gives the region
// of each kept row of the source (in order), `segments` records where the rows went.
Status CopySourceByRegion(Table& table, const FileLayout& layout, const PlannedSource& src, const uint32_t* region,
                          RegionWriters& writers, size_t regions, std::vector<Segment>* segments) {
  AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, src.info.location, src.info.bytes));
  AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
  parquet::ParquetReader& pq = reader->parquet();
  std::vector<std::string> names = layout.data_names;
  for (const auto& v : layout.vectors) names.push_back(v.name);
  AILAKE_ASSIGN_OR_RETURN(std::vector<int> fields, pq.FieldIndices(names));
  const size_t ndata = layout.data_names.size(), nvec = layout.vectors.size();
  int64_t base = 0, kept = 0;
  size_t next_deleted = 0;
  std::vector<Pending> pending(regions);
  for (int rg = 0; rg < pq.num_row_groups(); ++rg) {
    const int64_t rg_rows = pq.row_group_num_rows(rg);
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, pq.ReadRowGroup(rg, fields));
    if (b.num_rows != rg_rows || b.columns.size() != names.size()) {
      return Status::Corruption(src.info.location + ": row group " + std::to_string(rg) + " read back wrong");
    }
    parquet::Batch data;
    data.schema = layout.data_schema;
    data.num_rows = b.num_rows;
    for (size_t c = 0; c < ndata; ++c) data.columns.push_back(std::move(b.columns[c]));
    for (auto& p : pending) {
      p.data = parquet::Batch::Empty(layout.data_schema);
      p.floats.assign(nvec, {});
      p.nulls.assign(nvec, {});
      p.any_null = false;
      p.rows = 0;
    }
    // Runs of consecutive kept rows with the same region.
    int64_t r = 0;
    while (r < rg_rows) {
      while (next_deleted < src.deleted.size() && src.deleted[next_deleted] < base + r) ++next_deleted;
      if (next_deleted < src.deleted.size() && src.deleted[next_deleted] == base + r) {
        ++r;
        continue;
      }
      const uint32_t reg = region[kept];
      int64_t end = r + 1;
      // Row `end` must be a kept row before its region is read: `region` holds kept rows only, so
      // the index of a deleted row past the last kept one would be out of bounds.
      while (end < rg_rows && !(next_deleted < src.deleted.size() && src.deleted[next_deleted] == base + end) &&
             region[kept + (end - r)] == reg) {
        ++end;
      }
      const int64_t n = end - r;
      AILAKE_ASSIGN_OR_RETURN(auto at, writers.Reserve(reg, n));
      segments->push_back({kept, at.first, at.second, n});
      Pending& p = pending[reg];
      AILAKE_RETURN_IF_ERROR(p.data.Append(data.Slice(r, n)));
      for (size_t v = 0; v < nvec; ++v) {
        const auto& spec = layout.vectors[v];
        const parquet::Column& col = b.columns[ndata + v];
        const size_t dim = spec.model.dim;
        for (int64_t i = r; i < end; ++i) {
          const size_t at_row = p.floats[v].size() / dim;
          p.floats[v].resize((at_row + 1) * dim, 0.0f);
          const bool valid = col.IsValid(i);
          p.nulls[v].push_back(valid ? 0 : 1);
          p.any_null = p.any_null || !valid;
          if (valid) vec::DecodeRow(spec.policy.precision, col.FixedValue(i), dim, p.floats[v].data() + at_row * dim);
        }
      }
      p.rows += n;
      kept += n;
      r = end;
    }
    for (size_t reg = 0; reg < regions; ++reg) {
      Pending& p = pending[reg];
      if (p.rows == 0) continue;
      p.data.num_rows = p.rows;
      std::vector<file::VectorInput> inputs;
      for (size_t v = 0; v < nvec; ++v) inputs.push_back({p.floats[v].data(), p.any_null ? p.nulls[v].data() : nullptr});
      AILAKE_RETURN_IF_ERROR(writers.Append(reg, p.data, inputs));
    }
    base += rg_rows;
  }
  if (kept != src.info.rows - src.info.deleted_rows) {
    return Status::Internal(src.info.location + ": copied " + std::to_string(kept) + " rows, expected " +
                            std::to_string(src.info.rows - src.info.deleted_rows));
  }
  return Status::OK();
}

}  // namespace

Result<Planned> PlanClustering(Table& table, const CompactOptions& options) {
  AILAKE_RETURN_IF_ERROR(table.Refresh());
  if (table.metadata().properties.count(kPropRunningMigration)) {
    return Status::CommitConflict("a migration is running on this table (job " +
                                      table.metadata().properties.at(kPropRunningMigration) +
                                      "); cluster it after the migration finished or was aborted");
  }
  Planned out;
  CompactPlan& plan = out.plan;
  plan.target_file_rows = options.target_file_rows > 0 ? options.target_file_rows : table.vectors().target_file_rows;
  if (plan.target_file_rows <= 0) return Status::InvalidArgument("the target file size must be at least 1 row");
  out.schema_id = table.metadata().current_schema_id;
  const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
  if (!snap) return out;
  plan.snapshot_id = snap->snapshot_id;
  out.sequence_number = snap->sequence_number;
  Store& store = table.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files, iceberg::ReadSnapshotFiles(store, table.locations(), snap));
  plan.live_files = files.data_files.size();
  AILAKE_ASSIGN_OR_RETURN(auto deletes, ReadPositionDeletes(table, files.delete_files));
  std::map<std::string, int64_t> delete_files_of;
  for (const auto& d : files.delete_files) {
    const std::string target = iceberg::PositionDeleteTarget(d.file);
    if (!target.empty()) ++delete_files_of[target];
  }
  std::map<std::string, size_t> group_of;
  for (const auto& e : files.data_files) {
    PlannedSource s;
    s.info.location = e.file.file_path;
    s.info.rows = e.file.record_count;
    s.info.bytes = e.file.file_size_in_bytes;
    auto d = deletes.find(s.info.location);
    if (d != deletes.end()) {
      s.deleted = d->second;
      std::sort(s.deleted.begin(), s.deleted.end());
      s.deleted.erase(std::unique(s.deleted.begin(), s.deleted.end()), s.deleted.end());
      s.deleted.erase(std::remove_if(s.deleted.begin(), s.deleted.end(), [&](int64_t p) { return p < 0 || p >= s.info.rows; }),
                      s.deleted.end());
    }
    s.info.deleted_rows = static_cast<int64_t>(s.deleted.size());
    AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, s.info.location, s.info.bytes));
    AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
    if (reader->parquet().num_rows() != s.info.rows) {
      return Status::Corruption(s.info.location + " has " + std::to_string(reader->parquet().num_rows()) +
                                " rows but the manifest says " + std::to_string(s.info.rows) + "; run 'ailake verify'");
    }
    AILAKE_ASSIGN_OR_RETURN(FileLayout layout, LayoutOf(*reader, s.info.location, table.vectors()));
    if (TableColumnOf(layout, table.vectors()) < 0) continue;  // another model's file: left as it is
    ++plan.candidates;
    auto [it, inserted] = group_of.emplace(layout.key, out.groups.size());
    if (inserted) {
      PlannedGroup g;
      g.summary.layout = layout.description;
      g.layout = std::move(layout);
      out.groups.push_back(std::move(g));
    }
    PlannedGroup& g = out.groups[it->second];
    g.summary.rows_in += s.info.rows;
    g.summary.deleted_rows += s.info.deleted_rows;
    g.summary.live_rows += s.info.rows - s.info.deleted_rows;
    g.summary.bytes_in += s.info.bytes;
    auto df = delete_files_of.find(s.info.location);
    if (df != delete_files_of.end()) g.summary.delete_files += df->second;
    g.summary.sources.push_back(s.info);
    g.sources.push_back(std::move(s));
  }
  int64_t live = 0;
  for (const auto& g : out.groups) live += g.summary.live_rows;
  if (live == 0) {
    out.groups.clear();  // nothing to cluster
    return out;
  }
  const int64_t regions = options.cluster_files > 0 ? options.cluster_files
                                                    : (live + plan.target_file_rows - 1) / plan.target_file_rows;
  for (auto& g : out.groups) {
    g.summary.files_out = std::min(regions, g.summary.live_rows);
    plan.groups.push_back(g.summary);
  }
  return out;
}

Result<WrittenGroups> WriteClustered(Table& table, const Planned& planned, const CompactOptions& options) {
  WrittenGroups written;
  Store& store = table.catalog().store();
  auto fail = [&](Status st) -> Status {
    for (const auto& o : written.outputs) (void)store.Delete(o.key);
    if (!written.regions_key.empty()) (void)store.Delete(written.regions_key);
    return st;
  };
  const VectorConfig& tv = table.vectors();
  const size_t dim = tv.model.dim;
  int64_t live = 0;
  for (const auto& g : planned.groups) live += g.summary.live_rows;
  int64_t want = options.cluster_files > 0 ? options.cluster_files
                                           : (live + planned.plan.target_file_rows - 1) / planned.plan.target_file_rows;
  want = std::clamp<int64_t>(want, 1, std::max<int64_t>(1, live));
  ThreadPool pool(options.cluster_threads);

  // 1. The training sample: `sample` of the `live` rows (numbered over all groups' kept rows in
  // plan order), chosen by the seed.
  const size_t n = static_cast<size_t>(live);
  const size_t sample_n = std::min(n, std::max<size_t>(options.cluster_sample_rows, static_cast<size_t>(want)));
  std::vector<uint8_t> in_sample(n, sample_n == n ? 1 : 0);
  if (sample_n < n) {
    std::mt19937_64 rng(options.cluster_seed);
    std::vector<uint32_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0u);
    for (size_t i = 0; i < sample_n; ++i) {
      std::swap(idx[i], idx[std::uniform_int_distribution<size_t>(i, n - 1)(rng)]);
      in_sample[idx[i]] = 1;
    }
  }
  std::vector<float> sample;
  sample.reserve(sample_n * dim);
  size_t row = 0;
  for (const auto& g : planned.groups) {
    for (const auto& s : g.sources) {
      Status st = ForEachLiveVectors(table, g.layout, s, [&](const float* rows, size_t count) -> Status {
        for (size_t i = 0; i < count; ++i, ++row) {
          if (in_sample[row]) sample.insert(sample.end(), rows + i * dim, rows + (i + 1) * dim);
        }
        return Status::OK();
      });
      if (!st.ok()) return st;
    }
  }
  if (row != n) return Status::Internal("clustering read " + std::to_string(row) + " rows, planned " + std::to_string(n));
  vec::KMeansOptions ko;
  ko.k = static_cast<size_t>(want);
  ko.sample_rows = 0;  // the sample above is the training set
  ko.seed = options.cluster_seed;
  ko.balance_slack = options.cluster_slack;  // train for the capacities the assignment enforces
  // Fewer regions when fewer rows have a finite vector than were asked for.
  size_t finite = 0;
  std::vector<float> scratch(dim);
  for (size_t i = 0; i < sample.size() / dim; ++i) finite += vec::ToClusterSpace(tv.model.metric, sample.data() + i * dim, dim, scratch.data());
  ko.k = std::max<size_t>(1, std::min(ko.k, finite));
  AILAKE_ASSIGN_OR_RETURN(vec::KMeansModel centres, vec::TrainKMeans(tv.model.metric, sample.data(), sample.size() / dim,
                                                                     dim, ko, &pool));
  sample = {};
  const size_t k = centres.k();
  if (options.progress) {
    options.progress("trained " + std::to_string(k) + " region(s) on " + std::to_string(sample_n) + " sampled rows");
  }

  // 2. Every row's nearest regions, then the balanced assignment.
  vec::RegionCandidates cand;
  cand.m = std::min<size_t>(k, 8);
  cand.region.reserve(n * cand.m);
  cand.distance.reserve(n * cand.m);
  for (const auto& g : planned.groups) {
    for (const auto& s : g.sources) {
      AILAKE_RETURN_IF_ERROR(ForEachLiveVectors(table, g.layout, s, [&](const float* rows, size_t count) -> Status {
        vec::AddRegionCandidates(centres, rows, count, &cand, &pool);
        return Status::OK();
      }));
    }
  }
  const std::vector<uint32_t> region = vec::BalancedAssign(centres, cand, options.cluster_slack);
  cand = {};

  // 3. The outputs: per group, one file per region it has rows of.
  size_t first = 0;  // the group's first row in `region`
  std::vector<int64_t> region_rows(k, 0);
  for (uint32_t r : region) ++region_rows[r];
  for (const auto& g : planned.groups) {
    RegionWriters writers(table, g.layout, options, k, &written);
    for (const auto& s : g.sources) {
      std::vector<Segment> segments;
      Status st = CopySourceByRegion(table, g.layout, s, region.data() + first, writers, k, &segments);
      if (!st.ok()) return fail(st);
      first += static_cast<size_t>(s.info.rows - s.info.deleted_rows);
      written.segments.emplace_back(s.info.location, std::move(segments));
    }
    Status st = writers.FinishAll();
    if (!st.ok()) return fail(st);
  }

  // 4. The regions object, named by the properties the commit sets.
  LayoutRegions lr;
  lr.model = tv.model;
  lr.centres = std::move(centres);
  lr.rows = region_rows;
  auto name = WriteRegions(store, table.table_key(), lr);
  if (!name.ok()) return fail(name.status());
  written.regions_key = *RegionsKey(table.table_key(), *name);
  written.set_properties[kPropLayout] = kLayoutClustered;
  written.set_properties[kPropLayoutRegions] = *name;
  written.regions = k;
  return written;
}

}  // namespace ailake::table::compact_internal
