// Table reads: Search, SearchBatch, SearchText over the handle's snapshot, warm (file cache,
// per-snapshot plans and a thread pool kept in the handle; table/table_search.h does the work).
#include <algorithm>

#include "ailake/table.h"
#include "api/api_internal.h"
#include "api/convert.h"
#include "embed/embedder.h"

namespace ailake {

namespace {

// The internal options for a public search whose query vectors have `dim` floats each.
Result<table::SearchOptions> ToInternal(const table::Table& t, const SearchOptions& o, size_t dim,
                                        std::optional<EmbeddingModelInfo> model, size_t* id_slot, bool* id_added) {
  if (o.k == 0) return Status::InvalidArgument("SearchOptions.k must be at least 1");
  if (o.k > 100000) return Status::InvalidArgument("SearchOptions.k must be at most 100000");
  if (o.ef == 0) return Status::InvalidArgument("SearchOptions.ef must be at least 1");
  if (o.snapshot_id && o.as_of_ms) {
    return Status::InvalidArgument("give SearchOptions.snapshot_id or SearchOptions.as_of_ms, not both");
  }
  table::SearchOptions s;
  s.k = o.k;
  s.ef = o.ef;
  s.exact = o.exact;
  s.snapshot_id = o.snapshot_id;
  s.as_of_ms = o.as_of_ms;
  s.where = o.where;
  s.threads = o.threads;
  s.prune = o.prune;
  s.nprobe = o.nprobe;
  s.probe_patience = o.probe_patience;
  s.adaptive_probe = o.adaptive_probe;
  if (!o.model.empty()) {
    auto m = EmbeddingModelInfo::ParseId(o.model);
    if (!m.ok()) return m.status().WithContext("SearchOptions.model");
    model = *m;
  }
  const auto& vc = t.vectors();
  if (model) {
    model->dim = static_cast<uint32_t>(dim);
    s.model = model;
  } else if (dim != vc.model.dim) {
    return Status::InvalidArgument("the query has dim " + std::to_string(dim) + " but the table's vector column '" +
                                   vc.vector_column + "' (model '" + vc.model.Id() + "') has dim " +
                                   std::to_string(vc.model.dim) + "; for another model's column set SearchOptions.model");
  }
  // The id is always fetched; it rides along as an extra column unless the caller asked for it.
  s.columns = o.columns;
  auto it = std::find(s.columns.begin(), s.columns.end(), "id");
  *id_added = it == s.columns.end();
  if (*id_added) s.columns.push_back("id");
  *id_slot = static_cast<size_t>(std::find(s.columns.begin(), s.columns.end(), "id") - s.columns.begin());
  return s;
}

Result<SearchResult> ToPublic(table::SearchResult&& r, size_t id_slot, bool id_added) {
  SearchResult out;
  out.snapshot_id = r.snapshot_id;
  out.files_total = r.files_total;
  out.files_searched = r.files_searched;
  out.files_pruned = r.files_pruned;
  out.files_other_model = r.files_other_model;
  out.other_models = std::move(r.other_models);
  out.row_groups_skipped = r.row_groups_skipped;
  out.ids.reserve(r.hits.size());
  for (const auto& h : r.hits) {
    out.distances.push_back(h.distance);
    out.files.push_back(h.file);
    out.rows.push_back(h.row);
  }
  if (r.hits.empty()) {
    out.values = RecordBatch();
    // Keep the requested columns' names and types even without hits.
  }
  AILAKE_ASSIGN_OR_RETURN(out.values, api::ToRecordBatch(r.values));
  if (id_slot < out.values.columns.size()) {
    const Column& ids = out.values.columns[id_slot];
    if (ids.type == ValueType::kString) out.ids = ids.strings;
    if (id_added) out.values.columns.erase(out.values.columns.begin() + static_cast<std::ptrdiff_t>(id_slot));
  }
  return out;
}

Result<std::vector<SearchResult>> RunBatch(Table::Impl& impl, const float* queries, size_t n, size_t dim,
                                           const SearchOptions& o, std::optional<EmbeddingModelInfo> model) {
  if (queries == nullptr && n > 0) return Status::InvalidArgument("the query vectors are null");
  if (dim == 0) return Status::InvalidArgument("the query dim is 0");
  std::shared_ptr<table::Table> t = impl.Current();
  size_t id_slot = 0;
  bool id_added = false;
  AILAKE_ASSIGN_OR_RETURN(table::SearchOptions s, ToInternal(*t, o, dim, std::move(model), &id_slot, &id_added));
  std::vector<SearchResult> out;
  if (n == 0) return out;
  table::SearchContext ctx;
  ctx.cache = impl.cache.get();
  ctx.plans = impl.plans.get();
  ctx.pool = impl.pool.get();
  AILAKE_ASSIGN_OR_RETURN(std::vector<table::SearchResult> found, table::SearchTableBatch(*t, queries, n, s, ctx));
  out.reserve(found.size());
  for (auto& r : found) {
    AILAKE_ASSIGN_OR_RETURN(SearchResult p, ToPublic(std::move(r), id_slot, id_added));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<SearchResult> Table::Search(const float* query, size_t dim, const SearchOptions& options) {
  AILAKE_ASSIGN_OR_RETURN(std::vector<SearchResult> r, RunBatch(*impl_, query, 1, dim, options, std::nullopt));
  return std::move(r[0]);
}

Result<std::vector<SearchResult>> Table::SearchBatch(const float* queries, size_t n, size_t dim,
                                                     const SearchOptions& options) {
  return RunBatch(*impl_, queries, n, dim, options, std::nullopt);
}

Result<std::vector<SearchResult>> Table::SearchText(const std::vector<std::string>& texts, Embedder& embedder,
                                                    const SearchOptions& options) {
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].find_first_not_of(" \t\r\n") == std::string::npos) {
      return Status::InvalidArgument("SearchText: text " + std::to_string(i) + " is empty: give the query text to embed");
    }
  }
  if (texts.empty()) return std::vector<SearchResult>();
  std::vector<std::string_view> views(texts.begin(), texts.end());
  std::vector<float> vectors;
  AILAKE_RETURN_IF_ERROR(embedder.Embed(views, &vectors));
  if (vectors.size() % texts.size() != 0 || vectors.empty()) {
    return Status::InvalidArgument("the embedder " + embedder.Describe() + " returned " + std::to_string(vectors.size()) +
                                   " floats for " + std::to_string(texts.size()) + " texts");
  }
  const size_t dim = vectors.size() / texts.size();
  AILAKE_RETURN_IF_ERROR(embed::ValidateEmbeddings(embedder.Describe(), vectors, 0, texts.size(), dim));
  return RunBatch(*impl_, vectors.data(), texts.size(), dim, options, embedder.model());
}

}  // namespace ailake
