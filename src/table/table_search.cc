#include "table/table_search.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "core/thread_pool.h"
#include "iceberg/snapshot_files.h"
#include "table/column_resolve.h"
#include "table/live_file.h"
#include "table/predicate_file.h"
#include "vec/distance.h"

namespace ailake::table {

namespace {

// A live file holding a vector column of the query's model.
struct ModelFile {
  const iceberg::ManifestEntry* entry;
  const iceberg::FileVectorStats* stats;
  double centroid_norm;  // |centroid|, for the dot bound's rounding margin (0 for other metrics)
};

struct Candidate {
  const ModelFile* file;
  double lower_bound;
  double centre_distance;  // query to the file's centroid, in the metric's space (nprobe ranking)
  double bisector = 0;     // SearchOptions::adaptive_probe's bound (0 for the nearest file, or when off)
};

// The query's distance to a file's centroid in the metric's space (the visiting order and the
// nprobe ranking) and the exact lower bound on its distance to any row of the file (step 3), from
// one float kernel pass over the centroid. The bound is lowered by a relative 1e-4 so float rounding
// in the kernel can never push it above a true distance (the bound prunes exact searches).
void CentreDistanceAndBound(const float* q, const float* q_unit, double qnorm, const ModelFile& f, double* centre,
                            double* bound) {
  const vec::Kernels& kern = vec::ActiveKernels();
  const iceberg::FileVectorStats& s = *f.stats;
  const VectorMetric metric = s.metric;
  const size_t n = s.dim;
  const double r = s.radius;
  constexpr double kSafety = 1e-4;
  if (metric == VectorMetric::kDot) {
    const double dot = kern.dot_f32(q, s.centroid.data(), n);
    *centre = -dot;
    *bound = -dot - qnorm * r - kSafety * qnorm * (f.centroid_norm + r);
    return;
  }
  const bool unit = metric != VectorMetric::kEuclidean;
  if (unit && qnorm == 0) {  // a zero query is at distance 1 from everything: no pruning, no ranking
    *centre = 0;
    *bound = 0;
    return;
  }
  const double d2 = kern.l2sq_f32(unit ? q_unit : q, s.centroid.data(), n);
  *centre = d2;
  const double lb = std::max(0.0, std::sqrt(d2) * (1 - kSafety) - r);
  *bound = unit ? lb * lb / 2.0 : lb * lb;
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

namespace {

}  // namespace

// Step 2 (shared by every query of a batch): the query's model and dimension, and the snapshot's
// files that hold a vector column of it. Outside the anonymous namespace: SnapshotPlan remembers
// it (table_search.h).
struct ModelFiles {
  EmbeddingModelInfo model;
  size_t dim = 0;
  std::vector<ModelFile> files;
  size_t other_model = 0;
  std::map<std::string, size_t> other_models;
};

namespace {

Result<ModelFiles> ResolveQueryModel(Table& table, const SearchOptions& o) {
  const VectorConfig& vc = table.vectors();
  ModelFiles mf;
  // The query's model: the caller's, else the table's. Per file, the vector column written by that
  // model is searched (the table's vector column first; during a migration that keeps the old column,
  // a file may hold both models, and after one the old model lives on in its own column).
  mf.model = o.model.value_or(vc.model);
  mf.dim = mf.model.dim != 0 ? mf.model.dim : vc.model.dim;
  if (mf.model.SameModel(vc.model) && mf.dim != vc.model.dim) {
    return Status::InvalidArgument("the query has dim " + std::to_string(mf.dim) + " but column '" +
                                   vc.vector_column + "' has dim " + std::to_string(vc.model.dim));
  }
  return mf;
}

Status SelectModelFiles(Table& table, const SnapshotPlan& plan, ModelFiles* mf) {
  const VectorConfig& vc = table.vectors();
  const auto& files = plan.files;
  std::optional<VectorMetric> metric;
  for (const auto& e : files.data_files) {
    auto st = files.vector_stats.find(e.file.file_path);
    const iceberg::FileVectorStats* stats = nullptr;
    if (st != files.vector_stats.end()) {
      for (const auto& s : st->second) {
        if (s.model != mf->model.name || s.model_version != mf->model.version) continue;
        if (stats == nullptr || s.column == vc.vector_column) stats = &s;
      }
    }
    if (stats == nullptr) {
      ++mf->other_model;
      // Name what the file holds instead (its column of the table's vector column name first).
      std::string other = "unknown";
      if (st != files.vector_stats.end()) {
        for (const auto& s : st->second) {
          if (other == "unknown" || s.column == vc.vector_column) {
            other = EmbeddingModelInfo{s.model, s.model_version, s.dim, s.metric, false}.Id();
          }
        }
      }
      ++mf->other_models[other];
      continue;
    }
    if (stats->dim != mf->dim) {
      return Status::InvalidArgument("the query has dim " + std::to_string(mf->dim) + " but column '" + stats->column +
                                     "' of " + e.file.file_path + " (model '" + mf->model.Id() + "') has dim " +
                                     std::to_string(stats->dim));
    }
    if (stats->centroid.size() != mf->dim) {
      return Status::Corruption("vector statistics of " + e.file.file_path + " disagree with their dim");
    }
    if (metric && *metric != stats->metric) {
      return Status::Corruption("files of model '" + mf->model.Id() + "' disagree on the metric (" + e.file.file_path + ")");
    }
    metric = stats->metric;
    // Once per batch, not per query and file.
    const double cnorm = stats->metric == VectorMetric::kDot
                             ? std::sqrt(double(vec::ActiveKernels().norm_sq_f32(stats->centroid.data(), stats->dim)))
                             : 0.0;
    mf->files.push_back({&e, stats, cnorm});
  }
  if (mf->files.empty() && mf->other_model > 0) {
    return Status::InvalidArgument("no file of this snapshot has a vector column embedded by model '" + mf->model.Id() +
                                   "' (the table's model is '" + vc.model.Id() + "', column '" + vc.vector_column +
                                   "'); embed the query with the table's model, or name the query's model with --model NAME[@VERSION] (or "
                                   "model= in the embedder spec)");
  }
  return Status::OK();
}

// SelectModelFiles through the plan's memo (SnapshotPlan::model_files), keyed by everything it
// depends on besides the plan: the query model, its dim and the table's vector column.
Result<std::shared_ptr<const ModelFiles>> PlannedModelFiles(Table& table, const SnapshotPlan& plan, ModelFiles mf) {
  const std::string key =
      mf.model.name + '\n' + mf.model.version + '\n' + std::to_string(mf.dim) + '\n' + table.vectors().vector_column;
  {
    std::lock_guard<std::mutex> lock(plan.memo_mu);
    for (const auto& [k, v] : plan.model_files) {
      if (k == key) return v;
    }
  }
  AILAKE_RETURN_IF_ERROR(SelectModelFiles(table, plan, &mf));  // errors are not remembered
  auto made = std::make_shared<const ModelFiles>(std::move(mf));
  std::lock_guard<std::mutex> lock(plan.memo_mu);
  constexpr size_t kMaxModels = 8;  // a table rarely has more than two models live
  if (plan.model_files.size() >= kMaxModels) plan.model_files.erase(plan.model_files.begin());
  plan.model_files.emplace_back(key, made);
  return made;
}

// SearchOptions::adaptive_probe: each candidate's bisector bound against the nearest centroid's
// file, which goes first; the rest follow in ascending bound (ties by centre distance, then
// manifest order). centre_distance is |q - c|^2 in the metric's space (unit query for cosine).
void AdaptiveOrder(const ModelFiles& mf, std::vector<Candidate>* candidates) {
  if (candidates->size() < 2) return;
  const auto nearer = [](const Candidate& a, const Candidate& b) {
    return a.centre_distance != b.centre_distance ? a.centre_distance < b.centre_distance : a.file < b.file;
  };
  auto nearest = std::min_element(candidates->begin(), candidates->end(), nearer);
  std::iter_swap(candidates->begin(), nearest);
  const Candidate& first = candidates->front();
  const float* c1 = first.file->stats->centroid.data();
  const bool unit = first.file->stats->metric != VectorMetric::kEuclidean;
  for (auto c = candidates->begin() + 1; c != candidates->end(); ++c) {
    const double gap2 = vec::ActiveKernels().l2sq_f32(c1, c->file->stats->centroid.data(), mf.dim);
    const double h = gap2 > 0 ? std::max(0.0, c->centre_distance - first.centre_distance) / (2 * std::sqrt(gap2)) : 0.0;
    c->bisector = unit ? h * h / 2 : h * h;
  }
  std::sort(candidates->begin() + 1, candidates->end(), [&](const Candidate& a, const Candidate& b) {
    return a.bisector != b.bisector ? a.bisector < b.bisector : nearer(a, b);
  });
}

// Step 3: the files in ascending lower-bound order for one query (equal bounds by centroid
// distance); with nprobe > 0 only the nprobe files of nearest centroid (ties by manifest order, so
// the choice is deterministic). With adaptive probing, AdaptiveOrder's order instead.
std::vector<Candidate> PruningOrder(const ModelFiles& mf, const float* query, size_t nprobe, bool adaptive) {
  const double qnorm = std::sqrt(double(vec::ActiveKernels().norm_sq_f32(query, mf.dim)));
  std::vector<float> unit(query, query + mf.dim);
  if (qnorm > 0) {
    for (float& x : unit) x = static_cast<float>(x / qnorm);
  }
  std::vector<Candidate> candidates;
  candidates.reserve(mf.files.size());
  for (const auto& f : mf.files) {
    Candidate c{&f, 0, 0};
    CentreDistanceAndBound(query, unit.data(), qnorm, f, &c.centre_distance, &c.lower_bound);
    candidates.push_back(c);
  }
  // Ties go to the file listed first (`file` points into mf.files, in manifest order), so the
  // order is deterministic without a stable sort.
  if (nprobe > 0 && nprobe < candidates.size()) {
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(nprobe), candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                       return a.centre_distance != b.centre_distance ? a.centre_distance < b.centre_distance : a.file < b.file;
                     });
    candidates.resize(nprobe);
  }
  if (adaptive) {
    AdaptiveOrder(mf, &candidates);
    return candidates;
  }
  // Equal bounds (every bound is 0 when the query is inside each file's ball, as in high dimension)
  // fall back to centroid distance, so the likeliest files still come first (probe_patience).
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.lower_bound != b.lower_bound) return a.lower_bound < b.lower_bound;
    return a.centre_distance != b.centre_distance ? a.centre_distance < b.centre_distance : a.file < b.file;
  });
  return candidates;
}

// The file's searchable column, from the cache or loaded (and then offered to the cache). The id
// column is loaded with it (CachedFile::ids).
Result<std::shared_ptr<CachedFile>> LoadFile(Table& table, const ModelFile& f, FileCache* cache) {
  const auto& e = *f.entry;
  const std::string cache_key = e.file.file_path + "#" + f.stats->column;
  std::shared_ptr<CachedFile> cf = cache ? cache->Get(cache_key) : nullptr;
  if (cf) return cf;
  AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, e.file.file_path, e.file.file_size_in_bytes));
  AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
  AILAKE_ASSIGN_OR_RETURN(auto column, reader->LoadColumn(f.stats->column));
  cf = std::make_shared<CachedFile>();
  // The loaded column as it sits in memory (rows on huge pages, graph), about 64 bytes per id, and
  // room for the filter memos and the decoded-column memo, which fill up later.
  cf->column_budget = std::min<uint64_t>(column->rows().size() / 4, CachedFile::kMaxColumnBytes);
  cf->bytes = column->MemoryBytes() + column->count() * 64 + CachedFile::kMaxFilterMemos * (column->count() / 8 + 64) +
              cf->column_budget;
  // Ids by field id (a file written before a rename still has its id column under the same id).
  const iceberg::NestedField* id_field = table.schema().FindField("id");
  const int id_idx = ResolveFileField(reader->parquet().schema(), "id", id_field ? id_field->id : -1);
  if (id_idx >= 0 && reader->parquet().schema().fields[static_cast<size_t>(id_idx)].type == parquet::DataType::kString) {
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch ids, reader->parquet().ReadAll({id_idx}));
    if (ids.num_rows == static_cast<int64_t>(column->count())) {
      cf->ids.reserve(static_cast<size_t>(ids.num_rows));
      for (int64_t r = 0; r < ids.num_rows; ++r) {
        cf->ids.emplace_back(ids.columns[0].IsValid(r) ? ids.columns[0].StringValue(r) : std::string_view());
        cf->bytes += cf->ids.back().size() + sizeof(std::string);
      }
    }
  }
  cf->reader = std::move(reader);
  cf->column = std::move(column);
  if (cache) cache->Put(cache_key, cf);
  return cf;
}

// A bound --where predicate and the key its per-file results are remembered under (CachedFile::
// filters): the predicate text and the schema it was bound against, which fix the result for an
// immutable file.
struct BoundFilter {
  Predicate predicate;
  std::string memo_key;
};

// The rows of a cached file that pass the filter, from the file's memo when this filter ran on it
// before, else evaluated (decoding the predicate's columns) and remembered. Caller holds reader_mu.
Result<const CachedFile::FilterMemo*> FilterCachedFile(CachedFile& cf, const BoundFilter& where) {
  for (auto it = cf.filters.begin(); it != cf.filters.end(); ++it) {
    if (it->key != where.memo_key) continue;
    if (it != cf.filters.begin()) cf.filters.splice(cf.filters.begin(), cf.filters, it);  // most recent first
    return &cf.filters.front();
  }
  FileFilterStats fs;
  AILAKE_ASSIGN_OR_RETURN(index::AllowedRows mask, FilterFile(cf.reader->parquet(), where.predicate, &fs));
  cf.filters.push_front({where.memo_key, std::move(mask), fs.rows_matched, fs.row_groups_skipped});
  if (cf.filters.size() > CachedFile::kMaxFilterMemos) cf.filters.pop_back();
  return &cf.filters.front();
}

// Step 4: one file's best k for one query (deleted rows and predicate misses excluded).
Result<std::vector<SearchHit>> SearchFile(const ModelFile& f, const CachedFile& cf_const, const float* query,
                                          const SearchOptions& o, const std::optional<BoundFilter>& where,
                                          const SnapshotPlan& plan, std::atomic<size_t>* skipped_groups) {
  auto& cf = const_cast<CachedFile&>(cf_const);  // reader_mu guards the reader
  const auto& e = *f.entry;
  const index::AllowedRows* allowed = nullptr;
  index::AllowedRows mask;
  bool exact = o.exact;
  if (where) {
    int64_t rows_matched = 0;
    {
      std::lock_guard<std::mutex> lock(cf.reader_mu);
      AILAKE_ASSIGN_OR_RETURN(const CachedFile::FilterMemo* memo, FilterCachedFile(cf, *where));
      mask = memo->mask;  // copied: deletes are added below, and the memo may be evicted
      rows_matched = memo->rows_matched;
      *skipped_groups += static_cast<size_t>(memo->row_groups_skipped);
    }
    allowed = &mask;
    if (rows_matched == 0) return std::vector<SearchHit>();
    // Few rows left: scan them exactly instead of walking a graph that mostly rejects (see
    // SearchOptions::filter_path). The scan is exact, so it never loses recall.
    if (o.filter_path == SearchOptions::FilterPath::kScan ||
        (o.filter_path == SearchOptions::FilterPath::kAuto &&
         FilterScans(rows_matched, static_cast<int64_t>(cf.column->count()), o.k))) {
      exact = true;
    }
  }
  auto del = plan.deletes.find(e.file.file_path);
  if (del != plan.deletes.end()) {
    if (!allowed) mask = index::AllowedRows(cf.column->count(), true);
    for (int64_t pos : del->second) {
      if (pos >= 0 && static_cast<uint64_t>(pos) < cf.column->count()) mask.Disallow(static_cast<uint32_t>(pos));
    }
    allowed = &mask;
  }
  AILAKE_ASSIGN_OR_RETURN(auto hits, cf.column->Search(query, o.k, std::max(o.ef, o.k), exact, allowed));
  std::vector<SearchHit> out;
  out.reserve(hits.size());
  // Cosine and euclidean distances are never below 0; float rounding can give -1e-7 for a
  // vector and itself, which reads as a bug. Dot distances (-dot) are negative by nature.
  const bool non_negative = f.stats->metric != VectorMetric::kDot;
  for (const auto& h : hits) {
    out.push_back({e.file.file_path, h.row, non_negative ? std::max(0.0f, h.distance) : h.distance});
  }
  return out;
}

// Decoded bytes of a column (its buffers), for the memo's bound.
uint64_t ColumnBytes(const parquet::Column& c) {
  uint64_t n = c.validity().size() + c.values().size() + c.offsets().size() * sizeof(int64_t);
  return c.child() ? n + ColumnBytes(*c.child()) : n;
}

// Row group `rg`'s columns `fields` (file column indexes), each decoded once per cached file: from
// cf->columns when there, else read (only the missing ones) and remembered while the memo has room
// (past its column_budget it is emptied and refilled: the hot row groups come back).
// Caller holds cf->reader_mu when cf is given.
Result<std::vector<std::shared_ptr<const parquet::Column>>> GroupColumns(parquet::ParquetReader& reader, CachedFile* cf,
                                                                         int rg, const std::vector<int>& fields) {
  std::vector<std::shared_ptr<const parquet::Column>> out(fields.size());
  std::vector<int> missing;
  std::vector<size_t> missing_at;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (cf) {
      auto m = cf->columns.find({rg, fields[i]});
      if (m != cf->columns.end()) {
        out[i] = m->second;
        continue;
      }
    }
    missing.push_back(fields[i]);
    missing_at.push_back(i);
  }
  if (missing.empty()) return out;
  AILAKE_ASSIGN_OR_RETURN(parquet::Batch read, reader.ReadRowGroup(rg, missing));
  if (read.columns.size() != missing.size()) return Status::Internal("row group read returned the wrong columns");
  for (size_t j = 0; j < missing.size(); ++j) {
    auto col = std::make_shared<const parquet::Column>(std::move(read.columns[j]));
    out[missing_at[j]] = col;
    if (!cf) continue;
    const uint64_t bytes = ColumnBytes(*col);
    if (bytes > cf->column_budget) continue;
    if (cf->column_bytes + bytes > cf->column_budget) {
      cf->columns.clear();
      cf->column_bytes = 0;
    }
    cf->columns.emplace(std::make_pair(rg, missing[j]), std::move(col));
    cf->column_bytes += bytes;
  }
  return out;
}

// Step 5: the requested columns of the winners. Ids of cached files come from the cache; other
// columns are read from the row groups that hold the hits, through the cached reader when there is
// one (no second footer parse).
Result<parquet::Batch> FetchColumns(Table& table, const SnapshotPlan& plan, const parquet::Schema& projected,
                                    const std::vector<SearchHit>& hits,
                                    const std::map<std::string, std::shared_ptr<CachedFile>>& loaded) {
  parquet::Batch values = parquet::Batch::Empty(projected);
  if (projected.fields.empty()) return values;
  std::map<std::string, std::vector<size_t>> by_file;
  for (size_t h = 0; h < hits.size(); ++h) by_file[hits[h].file].push_back(h);
  std::vector<parquet::Batch> per_hit(hits.size());
  const bool ids_only = projected.fields.size() == 1 && projected.fields[0].name == "id";
  for (const auto& [path, hit_ids] : by_file) {
    auto lf = loaded.find(path);
    CachedFile* cf = lf == loaded.end() ? nullptr : lf->second.get();
    if (ids_only && cf && !cf->ids.empty()) {
      for (size_t h : hit_ids) {
        if (hits[h].row >= cf->ids.size()) return Status::Corruption(path + ": hit row " + std::to_string(hits[h].row) + " is past the end");
        parquet::Batch one = parquet::Batch::Empty(projected);
        one.columns[0].AppendString(cf->ids[hits[h].row]);
        one.num_rows = 1;
        per_hit[h] = std::move(one);
      }
      continue;
    }
    std::unique_ptr<parquet::ParquetReader> own;
    parquet::ParquetReader* reader = nullptr;
    std::unique_lock<std::mutex> lock;
    if (cf) {
      lock = std::unique_lock<std::mutex>(cf->reader_mu);
      reader = &cf->reader->parquet();
    } else {
      auto size = plan.file_size.find(path);
      if (size == plan.file_size.end()) return Status::Internal("hit in " + path + ", which is not a live file");
      AILAKE_ASSIGN_OR_RETURN(auto readable, OpenLiveFile(table, path, size->second));
      AILAKE_ASSIGN_OR_RETURN(own, parquet::ParquetReader::Open(readable));
      reader = own.get();
    }
    // Columns by field id (a renamed column keeps its id); one the file predates reads as NULL.
    std::vector<int> fields;
    std::vector<int> slot;  // per requested column: its index in `fields`, or -1
    for (const auto& f : projected.fields) {
      const int idx = ResolveFileField(reader->schema(), f.name, f.field_id);
      slot.push_back(idx < 0 ? -1 : static_cast<int>(fields.size()));
      if (idx >= 0) fields.push_back(idx);
    }
    // Per row group holding a hit: its decoded columns (`fields` order), from the file's memo when
    // a search fetched them before, else read and offered to the memo.
    std::map<int, std::vector<std::shared_ptr<const parquet::Column>>> group_columns;
    for (size_t h : hit_ids) {
      int64_t row = hits[h].row, start = 0;
      int rg = 0;
      for (; rg < reader->num_row_groups(); ++rg) {
        if (row < start + reader->row_group_num_rows(rg)) break;
        start += reader->row_group_num_rows(rg);
      }
      if (rg == reader->num_row_groups()) return Status::Corruption(path + ": hit row " + std::to_string(row) + " is past the end");
      auto [it, fresh] = group_columns.try_emplace(rg);
      if (fresh) {
        AILAKE_ASSIGN_OR_RETURN(it->second, GroupColumns(*reader, cf, rg, fields));
      }
      parquet::Batch one;
      one.schema = projected;
      one.num_rows = 1;
      for (size_t c = 0; c < projected.fields.size(); ++c) {
        if (slot[c] >= 0) {
          one.columns.push_back(it->second[static_cast<size_t>(slot[c])]->Slice(row - start, 1));
        } else {
          parquet::Column nulls(projected.fields[c]);
          nulls.AppendNull();
          one.columns.push_back(std::move(nulls));
        }
      }
      per_hit[h] = std::move(one);
    }
  }
  for (auto& b : per_hit) {
    b.schema = projected;
    AILAKE_RETURN_IF_ERROR(values.Append(b));
  }
  return values;
}

// One query against a planned snapshot: steps 3-5. `parallel`: search on the pool (a single
// query); otherwise on this thread (a batch already runs its queries on the pool). Both run the
// same schedule, so a query's answer and its pruning do not depend on which one ran it:
//   first the `lanes` (pool size) files of lowest bound at once;
//   then the rest, still in bound order, dealt round-robin to `lanes` lanes, each searching its
//   files one after another and skipping a file whose bound cannot beat the lane's k-th best (the
//   first files' hits and its own).
// Lanes share nothing but the first files' hits, so the answer is deterministic for a given pool
// size. One barrier for the rest instead of one per wave of `lanes` files: a wave waits for its
// slowest file, and a lane's files even out.
Result<SearchResult> SearchOne(Table& table, const float* query, const SearchOptions& o, const SnapshotPlan& plan,
                               const ModelFiles& mf, const std::optional<BoundFilter>& where,
                               const parquet::Schema& projected, FileCache* cache, ThreadPool& pool, bool parallel) {
  SearchResult result;
  result.snapshot_id = plan.snapshot_id;
  result.files_total = mf.files.size();
  result.files_other_model = mf.other_model;
  result.other_models = mf.other_models;
  std::atomic<size_t> skipped_groups{0};
  const bool adaptive = o.adaptive_probe > 0;
  const std::vector<Candidate> candidates = PruningOrder(mf, query, o.nprobe, adaptive);
  // Files nprobe left out count as pruned: files_searched + files_pruned = files_total still holds.
  result.files_pruned = mf.files.size() - candidates.size();
  const size_t lanes = std::max<size_t>(1, pool.size());
  struct Lane {
    std::vector<SearchHit> best;   // the lane's k best (the first files' hits included), for pruning
    std::vector<SearchHit> found;  // hits of the lane's own files
    std::map<std::string, std::shared_ptr<CachedFile>> loaded;
    size_t searched = 0;
    size_t pruned = 0;
    Status status;
  };
  auto search_file = [&](Lane& lane, const Candidate& c) -> Status {
    AILAKE_ASSIGN_OR_RETURN(auto cf, LoadFile(table, *c.file, cache));
    AILAKE_ASSIGN_OR_RETURN(auto hits, SearchFile(*c.file, *cf, query, o, where, plan, &skipped_groups));
    lane.loaded[c.file->entry->file.file_path] = std::move(cf);
    lane.found.insert(lane.found.end(), hits.begin(), hits.end());
    ++lane.searched;
    return Status::OK();
  };
  auto run_parallel = [&](size_t n, const std::function<void(size_t)>& fn) {
    if (parallel && n > 1) {
      pool.ParallelFor(n, fn);
    } else {
      for (size_t i = 0; i < n; ++i) fn(i);
    }
  };
  // The first files: one per lane (adaptive probing: the nearest file alone, whose k-th best
  // distance then decides which others are worth a walk).
  const size_t first = std::min(adaptive ? size_t{1} : lanes, candidates.size());
  std::vector<Lane> head(first);
  run_parallel(first, [&](size_t i) { head[i].status = search_file(head[i], candidates[i]); });
  std::vector<SearchHit> best;
  std::map<std::string, std::shared_ptr<CachedFile>> loaded;
  auto absorb = [&](Lane& lane) -> Status {
    AILAKE_RETURN_IF_ERROR(lane.status);
    best.insert(best.end(), lane.found.begin(), lane.found.end());
    loaded.merge(lane.loaded);
    result.files_searched += lane.searched;
    result.files_pruned += lane.pruned;
    return Status::OK();
  };
  for (Lane& lane : head) AILAKE_RETURN_IF_ERROR(absorb(lane));
  MergeTopK(&best, o.k);
  // The rest, lane by lane. Adaptive probing first drops the files the nearest file's hits already
  // rule out (the lanes would skip them too), so a query that needs no other file, the common
  // case, does not wait for the pool, and one that needs one more searches it on this thread.
  // A file no row of which can enter `k_best` (its bound cannot beat the k-th), or (adaptive
  // probing) whose region lies too far beyond its bisector with the nearest region.
  auto ruled_out = [&](const Candidate& c, const std::vector<SearchHit>& k_best) {
    if (k_best.size() < o.k) return false;
    const float kth = k_best.back().distance;
    return (o.prune && c.lower_bound > kth) || (adaptive && c.bisector >= o.adaptive_probe * kth);
  };
  std::vector<const Candidate*> rest;
  for (size_t i = first; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (adaptive && ruled_out(c, best)) {
      ++result.files_pruned;
      continue;
    }
    rest.push_back(&c);
  }
  if (!rest.empty()) {
    std::vector<Lane> tail(std::min(lanes, rest.size()));
    run_parallel(tail.size(), [&](size_t l) {
      Lane& lane = tail[l];
      lane.best = best;
      size_t idle = 0;  // the lane's last files in a row that put no hit into its k best
      for (size_t i = l; i < rest.size(); i += tail.size()) {
        const Candidate& c = *rest[i];
        // Ruled out by the lane's k best, or the lane has run out of patience
        // (SearchOptions::probe_patience).
        if (ruled_out(c, lane.best) || (o.probe_patience > 0 && idle >= o.probe_patience)) {
          ++lane.pruned;
          continue;
        }
        const size_t before = lane.found.size();
        lane.status = search_file(lane, c);
        if (!lane.status.ok()) return;
        lane.best.insert(lane.best.end(), lane.found.begin() + static_cast<std::ptrdiff_t>(before), lane.found.end());
        MergeTopK(&lane.best, o.k);
        const std::string& path = c.file->entry->file.file_path;
        const bool added = std::any_of(lane.best.begin(), lane.best.end(), [&](const SearchHit& h) { return h.file == path; });
        idle = added ? 0 : idle + 1;
      }
    });
    for (Lane& lane : tail) AILAKE_RETURN_IF_ERROR(absorb(lane));
    MergeTopK(&best, o.k);
  }
  result.hits = std::move(best);
  result.row_groups_skipped = skipped_groups.load();
  AILAKE_ASSIGN_OR_RETURN(result.values, FetchColumns(table, plan, projected, result.hits, loaded));
  return result;
}

}  // namespace

Result<std::shared_ptr<const SnapshotPlan>> PlanSnapshot(Table& table, const iceberg::Snapshot* snapshot) {
  auto plan = std::make_shared<SnapshotPlan>();
  if (snapshot == nullptr) return std::shared_ptr<const SnapshotPlan>(std::move(plan));
  plan->snapshot_id = snapshot->snapshot_id;
  AILAKE_ASSIGN_OR_RETURN(plan->files, iceberg::ReadSnapshotFiles(table.catalog().store(), table.locations(), snapshot));
  AILAKE_ASSIGN_OR_RETURN(plan->deletes, ReadPositionDeletes(table, plan->files.delete_files));
  for (const auto& e : plan->files.data_files) plan->file_size[e.file.file_path] = e.file.file_size_in_bytes;
  return std::shared_ptr<const SnapshotPlan>(std::move(plan));
}

Result<std::shared_ptr<const SnapshotPlan>> SnapshotPlanCache::Get(Table& table, const iceberg::Snapshot* snapshot) {
  const int64_t id = snapshot ? snapshot->snapshot_id : 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& p : plans_) {
      if (p->snapshot_id == id) return p;
    }
  }
  // Planned outside the lock (manifest reads); two threads may plan the same snapshot once each.
  AILAKE_ASSIGN_OR_RETURN(auto plan, PlanSnapshot(table, snapshot));
  std::lock_guard<std::mutex> lock(mu_);
  plans_.push_back(plan);
  if (plans_.size() > capacity_) plans_.erase(plans_.begin());
  return plan;
}

Result<std::vector<SearchResult>> SearchTableBatch(Table& table, const float* queries, size_t n,
                                                   const SearchOptions& o, const SearchContext& ctx) {
  if (o.k == 0) return Status::InvalidArgument("k must be at least 1");
  if (!std::isfinite(o.adaptive_probe) || o.adaptive_probe < 0) {
    return Status::InvalidArgument("adaptive probing's factor must be a finite number >= 0 (0 = off), not " +
                                   std::to_string(o.adaptive_probe));
  }
  AILAKE_ASSIGN_OR_RETURN(ModelFiles mf, ResolveQueryModel(table, o));
  if (o.adaptive_probe > 0 && mf.model.metric == VectorMetric::kDot) {
    return Status::InvalidArgument("adaptive probing needs the cosine or euclidean metric; model '" + mf.model.Id() +
                                   "' uses dot (search with nprobe instead)");
  }
  for (size_t q = 0; q < n; ++q) {
    for (size_t i = 0; i < mf.dim; ++i) {
      if (!std::isfinite(queries[q * mf.dim + i])) {
        return Status::InvalidArgument("the query vector" + (n > 1 ? " " + std::to_string(q) : std::string()) +
                                       " has a non-finite value at element " + std::to_string(i));
      }
    }
  }
  // Step 1, once for the batch.
  AILAKE_ASSIGN_OR_RETURN(const iceberg::Snapshot* snap, ResolveSnapshot(table.metadata(), o.snapshot_id, o.as_of_ms));
  std::shared_ptr<const SnapshotPlan> plan;
  if (ctx.plans) {
    AILAKE_ASSIGN_OR_RETURN(plan, ctx.plans->Get(table, snap));
  } else {
    AILAKE_ASSIGN_OR_RETURN(plan, PlanSnapshot(table, snap));
  }
  std::vector<SearchResult> results(n);
  if (snap == nullptr) return results;  // empty table
  AILAKE_ASSIGN_OR_RETURN(std::shared_ptr<const ModelFiles> model_files, PlannedModelFiles(table, *plan, std::move(mf)));
  const ModelFiles& files = *model_files;
  std::optional<BoundFilter> where;
  if (!o.where.empty()) {
    AILAKE_ASSIGN_OR_RETURN(Predicate p, ParsePredicate(o.where));
    AILAKE_ASSIGN_OR_RETURN(parquet::Schema columns, table.PredicateSchema());
    AILAKE_RETURN_IF_ERROR(p.Bind(columns));
    where = BoundFilter{std::move(p), std::to_string(table.schema().schema_id) + "\n" + o.where};
  }
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema data, table.DataSchema());
  parquet::Schema projected;
  for (const auto& name : o.columns) {
    int i = data.FieldIndex(name);
    if (i < 0) return Status::InvalidArgument("column '" + name + "' is not a data column of table " + table.ident().ToString());
    projected.fields.push_back(data.fields[static_cast<size_t>(i)]);
  }
  std::unique_ptr<ThreadPool> own_pool;
  ThreadPool* pool = ctx.pool;
  if (pool == nullptr || (o.threads != 0 && o.threads != pool->size())) {
    own_pool = std::make_unique<ThreadPool>(o.threads ? o.threads : ThreadPool::DefaultThreads());
    pool = own_pool.get();
  }
  if (n == 1) {
    AILAKE_ASSIGN_OR_RETURN(results[0], SearchOne(table, queries, o, *plan, files, where, projected, ctx.cache, *pool, true));
    return results;
  }
  std::vector<Status> status(n);
  pool->ParallelFor(n, [&](size_t q) {
    auto r = SearchOne(table, queries + q * files.dim, o, *plan, files, where, projected, ctx.cache, *pool, false);
    if (r.ok()) {
      results[q] = std::move(*r);
    } else {
      status[q] = r.status();
    }
  });
  for (const Status& st : status) AILAKE_RETURN_IF_ERROR(st);
  return results;
}

Result<SearchResult> SearchTable(Table& table, const float* query, const SearchOptions& o, FileCache* cache) {
  SearchContext ctx;
  ctx.cache = cache;
  AILAKE_ASSIGN_OR_RETURN(std::vector<SearchResult> r, SearchTableBatch(table, query, 1, o, ctx));
  return std::move(r[0]);
}

}  // namespace ailake::table
