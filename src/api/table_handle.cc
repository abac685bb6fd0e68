// Table handle basics: construction, Refresh, Info, History, cache accounting, write-mode names.
#include <charconv>
#include <set>

#include "ailake/table.h"
#include "api/api_internal.h"
#include "api/convert.h"
#include "iceberg/schema.h"
#include "iceberg/table_change.h"

namespace ailake {

Result<WriteMode> ParseWriteMode(std::string_view text) {
  if (text == "append") return WriteMode::kAppend;
  if (text == "error-on-duplicate") return WriteMode::kErrorOnDuplicate;
  if (text == "insert-new") return WriteMode::kInsertNew;
  if (text == "upsert") return WriteMode::kUpsert;
  return Status::InvalidArgument("unknown write mode '" + std::string(text) +
                                 "' (use append, upsert, insert-new or error-on-duplicate)");
}

std::string_view WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kAppend: return "append";
    case WriteMode::kErrorOnDuplicate: return "error-on-duplicate";
    case WriteMode::kInsertNew: return "insert-new";
    case WriteMode::kUpsert: return "upsert";
  }
  return "?";
}

Result<std::unique_ptr<table::Table>> Table::Impl::OpenLatest() { return table::Table::Open(*catalog, ident); }

std::unique_ptr<Table> Table::Impl::Make(std::shared_ptr<Warehouse::Impl> warehouse,
                                         std::unique_ptr<catalog::Catalog> catalog,
                                         std::unique_ptr<table::Table> opened) {
  auto impl = std::make_unique<Impl>();
  impl->ident = opened->ident();
  impl->name = impl->ident.ToString();
  impl->cache = std::make_unique<table::FileCache>(warehouse->options.table_cache_bytes);
  impl->plans = std::make_unique<table::SnapshotPlanCache>();
  impl->pool = std::make_unique<ThreadPool>(ThreadPool::DefaultThreads());
  impl->warehouse = std::move(warehouse);
  impl->catalog = std::move(catalog);
  impl->current = std::shared_ptr<table::Table>(std::move(opened));
  return std::unique_ptr<Table>(new Table(std::move(impl)));
}

Table::Table(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Table::~Table() = default;

const std::string& Table::name() const { return impl_->name; }

uint64_t Table::cache_bytes() const { return impl_->cache->bytes(); }

Status Table::Refresh() {
  std::lock_guard<std::mutex> lock(impl_->write_mu);
  AILAKE_ASSIGN_OR_RETURN(auto latest, impl_->OpenLatest());
  impl_->Publish(std::shared_ptr<table::Table>(std::move(latest)));
  return Status::OK();
}

namespace {

// Rows of the live data file `e` that the plan's position deletes hide, each counted once (several
// delete files may list one position). Only positions inside the file count: a delete file may also
// hold positions of files no longer live (rewritten by a migration or compaction).
int64_t DeletedRows(const table::SnapshotPlan& plan, const iceberg::ManifestEntry& e) {
  auto it = plan.deletes.find(e.file.file_path);
  if (it == plan.deletes.end()) return 0;
  std::set<int64_t> unique;
  for (int64_t p : it->second) {
    if (p >= 0 && p < e.file.record_count) unique.insert(p);
  }
  return static_cast<int64_t>(unique.size());
}

// The fields every live file has, from its manifest entry.
LiveFile LiveFileOf(const iceberg::ManifestEntry& e, std::string kind) {
  LiveFile f;
  f.kind = std::move(kind);
  f.path = e.file.file_path;
  f.bytes = e.file.file_size_in_bytes;
  f.rows = e.file.record_count;
  f.sequence_number = e.sequence_number.value_or(0);
  return f;
}

}  // namespace

Result<TableInfo> Table::Info() {
  std::shared_ptr<table::Table> t = impl_->Current();
  const auto& m = t->metadata();
  const auto* snap = m.CurrentSnapshot();
  AILAKE_ASSIGN_OR_RETURN(auto plan, impl_->plans->Get(*t, snap));
  TableInfo info;
  info.name = impl_->name;
  info.location = m.location;
  info.metadata_location = t->catalog().LocationOf(t->state().metadata_key);
  info.uuid = m.table_uuid;
  const auto& v = t->vectors();
  info.vector_column = v.vector_column;
  info.text_column = v.text_column;
  info.model = v.model;
  info.storage = v.policy;
  info.target_file_rows = v.target_file_rows;
  info.schema_id = m.current_schema_id;
  for (const auto& f : t->schema().fields) {
    SchemaField sf;
    sf.id = f.id;
    sf.name = f.name;
    sf.type = f.type ? iceberg::TypeToString(*f.type) : "?";
    sf.required = f.required;
    sf.is_vector = f.name == v.vector_column ||
                   (f.type && f.type->is_primitive() && f.type->id == iceberg::TypeId::kFixed);
    info.schema.push_back(std::move(sf));
  }
  info.snapshot_id = snap ? snap->snapshot_id : 0;
  info.snapshot_ms = snap ? snap->timestamp_ms : 0;
  info.snapshots = static_cast<int64_t>(m.snapshots.size());
  info.data_files = static_cast<int64_t>(plan->files.data_files.size());
  info.delete_files = static_cast<int64_t>(plan->files.delete_files.size());
  for (const auto& e : plan->files.data_files) {
    info.rows += e.file.record_count;
    info.data_bytes += e.file.file_size_in_bytes;
    info.deleted_rows += DeletedRows(*plan, e);
  }
  info.live_rows = info.rows - info.deleted_rows;
  if (auto job = m.properties.find(table::kPropRunningMigration); job != m.properties.end()) {
    info.running_migration = job->second;
  }
  info.properties = m.properties;
  return info;
}

Result<std::vector<LiveFile>> Table::Files() {
  std::shared_ptr<table::Table> t = impl_->Current();
  AILAKE_ASSIGN_OR_RETURN(auto plan, impl_->plans->Get(*t, t->metadata().CurrentSnapshot()));
  const std::string& column = t->vectors().vector_column;
  std::vector<LiveFile> out;
  for (const auto& e : plan->files.data_files) {
    LiveFile f = LiveFileOf(e, "data");
    f.deleted_rows = DeletedRows(*plan, e);
    if (auto it = plan->files.vector_stats.find(f.path); it != plan->files.vector_stats.end()) {
      for (const auto& vs : it->second) {
        if (vs.column == column) f.model = EmbeddingModelInfo{vs.model, vs.model_version}.Id();
      }
    }
    out.push_back(std::move(f));
  }
  for (const auto& e : plan->files.delete_files) {
    LiveFile f = LiveFileOf(e, "deletes");
    f.target = iceberg::PositionDeleteTarget(e.file);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<HistoryEntry>> Table::History() {
  std::shared_ptr<table::Table> t = impl_->Current();
  const auto& m = t->metadata();
  std::vector<HistoryEntry> out;
  // One entry per snapshot-log entry: a commit, or a rollback that made an earlier snapshot current
  // again (an entry whose snapshot was current before). Only the last entry is the current state.
  std::set<int64_t> seen;
  for (size_t i = 0; i < m.snapshot_log.size(); ++i) {
    const auto& e = m.snapshot_log[i];
    const auto* s = m.FindSnapshot(e.snapshot_id);
    if (!s) continue;
    auto num = [&](const char* k) -> int64_t {
      auto it = s->summary.find(k);
      int64_t v = 0;
      if (it != s->summary.end()) std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
      return v;
    };
    HistoryEntry h;
    h.event = !seen.insert(s->snapshot_id).second || e.timestamp_ms != s->timestamp_ms ? "rollback" : "commit";
    h.snapshot_id = s->snapshot_id;
    h.parent_id = s->parent_snapshot_id.value_or(0);
    h.sequence_number = s->sequence_number;
    h.made_current_ms = e.timestamp_ms;
    h.snapshot_ms = s->timestamp_ms;
    auto op = s->summary.find("operation");
    h.operation = op == s->summary.end() ? "-" : op->second;
    // Live-row changes: position deletes remove rows as surely as removed data files do; a
    // compaction that drops delete files with their data files changes nothing.
    h.added_rows = num("added-records");
    h.removed_rows = num("deleted-records") + num("added-position-deletes") - num("removed-position-deletes");
    h.total_live_rows = num("total-records") - num("total-position-deletes");
    h.is_current = i + 1 == m.snapshot_log.size() && m.current_snapshot_id && *m.current_snapshot_id == s->snapshot_id;
    h.summary = s->summary;
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace ailake
