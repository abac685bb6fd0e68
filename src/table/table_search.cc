#include "table/table_search.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>

#include "core/thread_pool.h"
#include "iceberg/snapshot_files.h"
#include "table/column_resolve.h"
#include "table/live_file.h"
#include "table/predicate_file.h"

namespace ailake::table {

namespace {

struct Candidate {
  const iceberg::ManifestEntry* entry;
  const iceberg::FileVectorStats* stats;
  double lower_bound;
};

double Norm(const float* v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += double(v[i]) * v[i];
  return std::sqrt(s);
}

double LowerBound(VectorMetric metric, const float* q, double qnorm, const iceberg::FileVectorStats& s) {
  const size_t n = s.dim;
  const double r = s.radius;
  switch (metric) {
    case VectorMetric::kEuclidean: {
      double d2 = 0;
      for (size_t i = 0; i < n; ++i) {
        double d = double(q[i]) - s.centroid[i];
        d2 += d * d;
      }
      double lb = std::max(0.0, std::sqrt(d2) - r);
      return lb * lb;
    }
    case VectorMetric::kCosine:
    case VectorMetric::kNormalizedCosine: {
      if (qnorm == 0) return 0;  // a zero query is at distance 1 from everything; no pruning
      double d2 = 0;
      for (size_t i = 0; i < n; ++i) {
        double d = double(q[i]) / qnorm - s.centroid[i];
        d2 += d * d;
      }
      double lb = std::max(0.0, std::sqrt(d2) - r);
      return lb * lb / 2.0;
    }
    case VectorMetric::kDot: {
      double dot = 0;
      for (size_t i = 0; i < n; ++i) dot += double(q[i]) * s.centroid[i];
      return -dot - qnorm * r;
    }
  }
  return 0;
}

// Keeps the k best hits (ascending distance; ties by file then row for determinism).
void MergeTopK(std::vector<SearchHit>* all, size_t k) {
  std::sort(all->begin(), all->end(), [](const SearchHit& a, const SearchHit& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.file != b.file) return a.file < b.file;
    return a.row < b.row;
  });
  if (all->size() > k) all->resize(k);
}

}  // namespace

Result<const iceberg::Snapshot*> ResolveSnapshot(const iceberg::TableMetadata& m, std::optional<int64_t> snapshot_id,
                                                 std::optional<int64_t> as_of_ms) {
  if (snapshot_id && as_of_ms) return Status::InvalidArgument("give a snapshot id or a time, not both");
  if (snapshot_id) {
    const iceberg::Snapshot* s = m.FindSnapshot(*snapshot_id);
    if (!s) return Status::NotFound("snapshot " + std::to_string(*snapshot_id) + " does not exist (see 'ailake history')");
    return s;
  }
  if (as_of_ms) return m.SnapshotAsOf(*as_of_ms);
  return m.CurrentSnapshot();
}

Result<std::map<std::string, std::vector<int64_t>>> ReadPositionDeletes(
    Table& table, const std::vector<iceberg::ManifestEntry>& deletes) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& d : deletes) {
    if (d.file.content != iceberg::FileContent::kPositionDeletes) {
      return Status::NotSupported("equality delete file " + d.file.file_path + ": ailake applies position deletes only");
    }
    AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, d.file.file_path, d.file.file_size_in_bytes));
    AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
    AILAKE_ASSIGN_OR_RETURN(auto idx, reader->FieldIndices({"file_path", "pos"}));
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, reader->ReadAll(idx));
    if (b.columns[0].type() != parquet::DataType::kString || b.columns[1].type() != parquet::DataType::kInt64) {
      return Status::Corruption(d.file.file_path + ": position delete file must have file_path string, pos long");
    }
    for (int64_t r = 0; r < b.num_rows; ++r) {
      if (!b.columns[0].IsValid(r) || !b.columns[1].IsValid(r)) continue;
      out[std::string(b.columns[0].StringValue(r))].push_back(b.columns[1].Value<int64_t>(r));
    }
  }
  return out;
}

Result<SearchResult> SearchTable(Table& table, const float* query, const SearchOptions& o, FileCache* cache) {
  if (o.k == 0) return Status::InvalidArgument("k must be at least 1");
  const VectorConfig& vc = table.vectors();
  // The query's model: the caller's, else the table's. Per file, the vector column written by that
  // model is searched (the table's vector column first; during a migration that keeps the old column,
  // a file may hold both models, and after one the old model lives on in its own column).
  const EmbeddingModelInfo model = o.model.value_or(vc.model);
  const size_t dim = model.dim != 0 ? model.dim : vc.model.dim;
  if (model.SameModel(vc.model) && dim != vc.model.dim) {
    return Status::InvalidArgument("the query has dim " + std::to_string(dim) + " but column '" +
                                   vc.vector_column + "' has dim " + std::to_string(vc.model.dim));
  }
  for (size_t i = 0; i < dim; ++i) {
    if (!std::isfinite(query[i])) return Status::InvalidArgument("the query vector has a non-finite value at element " + std::to_string(i));
  }
  SearchResult result;
  AILAKE_ASSIGN_OR_RETURN(const iceberg::Snapshot* snap, ResolveSnapshot(table.metadata(), o.snapshot_id, o.as_of_ms));
  if (snap == nullptr) return result;  // empty table
  result.snapshot_id = snap->snapshot_id;
  Store& store = table.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files, iceberg::ReadSnapshotFiles(store, table.locations(), snap));
  AILAKE_ASSIGN_OR_RETURN(auto deletes, ReadPositionDeletes(table, files.delete_files));

  std::optional<Predicate> where;
  if (!o.where.empty()) {
    AILAKE_ASSIGN_OR_RETURN(Predicate p, ParsePredicate(o.where));
    AILAKE_ASSIGN_OR_RETURN(parquet::Schema columns, table.PredicateSchema());
    AILAKE_RETURN_IF_ERROR(p.Bind(columns));
    where = std::move(p);
  }
  std::atomic<size_t> skipped_groups{0};
  const double qnorm = Norm(query, dim);
  std::vector<Candidate> candidates;
  std::optional<VectorMetric> metric;
  for (const auto& e : files.data_files) {
    auto st = files.vector_stats.find(e.file.file_path);
    const iceberg::FileVectorStats* stats = nullptr;
    if (st != files.vector_stats.end()) {
      for (const auto& s : st->second) {
        if (s.model != model.name || s.model_version != model.version) continue;
        if (stats == nullptr || s.column == vc.vector_column) stats = &s;
      }
    }
    if (stats == nullptr) {
      ++result.files_other_model;
      // Name what the file holds instead (its column of the table's vector column name first).
      std::string other = "unknown";
      if (st != files.vector_stats.end()) {
        for (const auto& s : st->second) {
          if (other == "unknown" || s.column == vc.vector_column) {
            other = EmbeddingModelInfo{s.model, s.model_version, s.dim, s.metric, false}.Id();
          }
        }
      }
      ++result.other_models[other];
      continue;
    }
    if (stats->dim != dim) {
      return Status::InvalidArgument("the query has dim " + std::to_string(dim) + " but column '" + stats->column +
                                     "' of " + e.file.file_path + " (model '" + model.Id() + "') has dim " +
                                     std::to_string(stats->dim));
    }
    if (stats->centroid.size() != dim) {
      return Status::Corruption("vector statistics of " + e.file.file_path + " disagree with their dim");
    }
    if (metric && *metric != stats->metric) {
      return Status::Corruption("files of model '" + model.Id() + "' disagree on the metric (" + e.file.file_path + ")");
    }
    metric = stats->metric;
    candidates.push_back({&e, stats, LowerBound(stats->metric, query, qnorm, *stats)});
  }
  result.files_total = candidates.size();
  if (candidates.empty() && result.files_other_model > 0) {
    return Status::InvalidArgument("no file of this snapshot has a vector column embedded by model '" + model.Id() +
                                   "' (the table's model is '" + vc.model.Id() + "', column '" + vc.vector_column +
                                   "'); embed the query with the table's model, or name the query's model with --model NAME[@VERSION] (or "
                                   "model= in the embedder spec)");
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.lower_bound < b.lower_bound; });

  ThreadPool pool(o.threads ? o.threads : ThreadPool::DefaultThreads());
  const size_t wave = pool.size();
  std::vector<SearchHit> best;
  size_t next = 0;
  while (next < candidates.size()) {
    std::vector<const Candidate*> batch;
    while (next < candidates.size() && batch.size() < wave) {
      const Candidate& c = candidates[next++];
      // A bound never beats the k-th best: this file and every later (worse-bounded) file are skipped.
      if (o.prune && best.size() >= o.k && c.lower_bound > best.back().distance) {
        result.files_pruned += candidates.size() - next + 1;
        next = candidates.size();
        break;
      }
      batch.push_back(&c);
    }
    std::vector<Result<std::vector<SearchHit>>> found(batch.size(), Status::Internal("not searched"));
    pool.ParallelFor(batch.size(), [&](size_t i) {
      const auto& e = *batch[i]->entry;
      auto run = [&]() -> Result<std::vector<SearchHit>> {
        const std::string& column_name = batch[i]->stats->column;
        const std::string cache_key = e.file.file_path + "#" + column_name;
        std::shared_ptr<CachedFile> cf = cache ? cache->Get(cache_key) : nullptr;
        if (!cf) {
          AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, e.file.file_path, e.file.file_size_in_bytes));
          AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
          AILAKE_ASSIGN_OR_RETURN(auto column, reader->LoadColumn(column_name));
          cf = std::make_shared<CachedFile>();
          cf->bytes = column->rows().size() + column->count() * 64;
          cf->reader = std::move(reader);
          cf->column = std::move(column);
          if (cache) cache->Put(cache_key, cf);
        }
        const index::AllowedRows* allowed = nullptr;
        index::AllowedRows mask;
        if (where) {
          FileFilterStats fs;
          std::lock_guard<std::mutex> lock(cf->reader_mu);
          AILAKE_ASSIGN_OR_RETURN(mask, FilterFile(cf->reader->parquet(), *where, &fs));
          skipped_groups += static_cast<size_t>(fs.row_groups_skipped);
          allowed = &mask;
          if (fs.rows_matched == 0) return std::vector<SearchHit>();
        }
        auto del = deletes.find(e.file.file_path);
        if (del != deletes.end()) {
          if (!allowed) mask = index::AllowedRows(cf->column->count(), true);
          for (int64_t pos : del->second) {
            if (pos >= 0 && static_cast<uint64_t>(pos) < cf->column->count()) mask.Disallow(static_cast<uint32_t>(pos));
          }
          allowed = &mask;
        }
        AILAKE_ASSIGN_OR_RETURN(auto hits, cf->column->Search(query, o.k, std::max(o.ef, o.k), o.exact, allowed));
        std::vector<SearchHit> out;
        // Cosine and euclidean distances are never below 0; float rounding can give -1e-7 for a
        // vector and itself, which reads as a bug. Dot distances (-dot) are negative by nature.
        const bool non_negative = batch[i]->stats->metric != VectorMetric::kDot;
        for (const auto& h : hits) {
          out.push_back({e.file.file_path, h.row, non_negative ? std::max(0.0f, h.distance) : h.distance});
        }
        return out;
      };
      found[i] = run();
    });
    for (auto& f : found) {
      if (!f.ok()) return f.status();
      best.insert(best.end(), f->begin(), f->end());
    }
    result.files_searched += batch.size();
    MergeTopK(&best, o.k);
  }
  result.hits = std::move(best);
  result.row_groups_skipped = skipped_groups.load();

  // Requested columns for the winners, read from the row groups that hold them.
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema data, table.DataSchema());
  parquet::Schema projected;
  for (const auto& name : o.columns) {
    int i = data.FieldIndex(name);
    if (i < 0) return Status::InvalidArgument("column '" + name + "' is not a data column of table " + table.ident().ToString());
    projected.fields.push_back(data.fields[static_cast<size_t>(i)]);
  }
  result.values = parquet::Batch::Empty(projected);
  if (!o.columns.empty()) {
    std::map<std::string, std::vector<size_t>> by_file;
    for (size_t h = 0; h < result.hits.size(); ++h) by_file[result.hits[h].file].push_back(h);
    std::vector<parquet::Batch> per_hit(result.hits.size());
    std::map<std::string, int64_t> size_of;
    for (const auto& e : files.data_files) size_of[e.file.file_path] = e.file.file_size_in_bytes;
    for (const auto& [path, hit_ids] : by_file) {
      auto size = size_of.find(path);
      if (size == size_of.end()) return Status::Internal("hit in " + path + ", which is not a live file");
      AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, path, size->second));
      AILAKE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(readable));
      // Columns by field id (a renamed column keeps its id); one the file predates reads as NULL.
      std::vector<int> fields;
      std::vector<int> slot;  // per requested column: its index in `fields`, or -1
      for (const auto& f : projected.fields) {
        const int idx = ResolveFileField(reader->schema(), f.name, f.field_id);
        slot.push_back(idx < 0 ? -1 : static_cast<int>(fields.size()));
        if (idx >= 0) fields.push_back(idx);
      }
      std::map<int, parquet::Batch> groups;
      for (size_t h : hit_ids) {
        int64_t row = result.hits[h].row, start = 0;
        int rg = 0;
        for (; rg < reader->num_row_groups(); ++rg) {
          if (row < start + reader->row_group_num_rows(rg)) break;
          start += reader->row_group_num_rows(rg);
        }
        if (rg == reader->num_row_groups()) return Status::Corruption(path + ": hit row " + std::to_string(row) + " is past the end");
        if (!groups.count(rg)) {
          parquet::Batch read;
          if (!fields.empty()) {
            AILAKE_ASSIGN_OR_RETURN(read, reader->ReadRowGroup(rg, fields));
          }
          parquet::Batch& full = groups[rg];
          full.schema = projected;
          full.num_rows = reader->row_group_num_rows(rg);
          for (size_t c = 0; c < projected.fields.size(); ++c) {
            if (slot[c] >= 0) {
              full.columns.push_back(std::move(read.columns[static_cast<size_t>(slot[c])]));
            } else {
              parquet::Column nulls(projected.fields[c]);
              for (int64_t i = 0; i < full.num_rows; ++i) nulls.AppendNull();
              full.columns.push_back(std::move(nulls));
            }
          }
        }
        per_hit[h] = groups[rg].Slice(row - start, 1);
      }
    }
    for (auto& b : per_hit) {
      b.schema = projected;
      AILAKE_RETURN_IF_ERROR(result.values.Append(b));
    }
  }
  return result;
}

}  // namespace ailake::table
