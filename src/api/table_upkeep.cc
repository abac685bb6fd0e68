// Table maintenance through the handle: Rollback, Expire, Compact, Verify. Each runs on the latest
// metadata and moves the handle's reads to the state after it.
#include "ailake/table.h"
#include "api/api_internal.h"
#include "table/compact.h"
#include "table/expire.h"
#include "table/maintenance.h"
#include "table/verify.h"

namespace ailake {

namespace {

// Runs `fn` on the latest state and publishes the state after it (see table_add.cc).
template <typename Fn>
auto Latest(Table::Impl& impl, Fn&& fn) -> decltype(fn(std::declval<table::Table&>())) {
  std::lock_guard<std::mutex> lock(impl.write_mu);
  AILAKE_ASSIGN_OR_RETURN(auto fresh, impl.OpenLatest());
  auto r = fn(*fresh);
  if (fresh->Refresh().ok()) impl.Publish(std::shared_ptr<table::Table>(std::move(fresh)));
  return r;
}

}  // namespace

Status Table::Rollback(int64_t snapshot_id) {
  std::lock_guard<std::mutex> lock(impl_->write_mu);
  AILAKE_RETURN_IF_ERROR(table::RollbackTo(*impl_->catalog, impl_->ident, snapshot_id));
  AILAKE_ASSIGN_OR_RETURN(auto latest, impl_->OpenLatest());
  impl_->Publish(std::shared_ptr<table::Table>(std::move(latest)));
  return Status::OK();
}

Result<ExpireResult> Table::Expire(const ExpireOptions& options) {
  if (options.retain_last < 1) return Status::InvalidArgument("ExpireOptions.retain_last must be at least 1");
  return Latest(*impl_, [&](table::Table& t) -> Result<ExpireResult> {
    table::ExpireOptions o;
    o.older_than_ms = options.older_than_ms;
    o.retain_last = options.retain_last;
    o.orphans_older_than_ms = options.orphans_older_than_ms;
    o.dry_run = options.dry_run;
    o.progress = options.progress;
    AILAKE_ASSIGN_OR_RETURN(table::ExpireResult r, table::ExpireSnapshots(t, o));
    ExpireResult out;
    out.expired_snapshots = std::move(r.expired_snapshots);
    out.data_files_deleted = r.data_files_deleted;
    out.delete_files_deleted = r.delete_files_deleted;
    out.manifests_deleted = r.manifests_deleted;
    out.orphan_files_deleted = r.orphan_files_deleted;
    out.metadata_files_deleted = r.metadata_files_deleted;
    out.bytes_freed = r.bytes_freed;
    out.interrupted_runs_finished = r.records_resumed;
    return out;
  });
}

Result<CompactResult> Table::Compact(const CompactOptions& options) {
  if (options.target_file_rows < 0) return Status::InvalidArgument("CompactOptions.target_file_rows must not be negative");
  if (options.target_file_bytes < 0) return Status::InvalidArgument("CompactOptions.target_file_bytes must not be negative");
  if (options.cluster_files < 0) return Status::InvalidArgument("CompactOptions.cluster_files must not be negative");
  if (!(options.cluster_slack >= 0 && options.cluster_slack <= 100)) {
    return Status::InvalidArgument("CompactOptions.cluster_slack must be between 0 and 100");
  }
  if (options.cluster_files > 0 && !options.cluster) {
    return Status::InvalidArgument("CompactOptions.cluster_files needs CompactOptions.cluster");
  }
  return Latest(*impl_, [&](table::Table& t) -> Result<CompactResult> {
    table::CompactOptions o;
    o.target_file_rows = options.target_file_rows;
    o.target_file_bytes = options.target_file_bytes;
    o.where = options.where;
    o.dry_run = options.dry_run;
    o.build_threads = options.build_threads;
    o.cluster = options.cluster;
    o.cluster_files = options.cluster_files;
    o.cluster_slack = options.cluster_slack;
    o.progress = options.progress;
    AILAKE_ASSIGN_OR_RETURN(table::CompactResult r, table::CompactTable(t, o));
    CompactResult out;
    out.snapshot_id = r.snapshot_id;
    out.candidates = r.plan.candidates;
    out.groups = r.plan.groups.size();
    out.files_removed = r.files_removed;
    out.delete_files_removed = r.delete_files_removed;
    out.files_added = r.files_added;
    out.rows_written = r.rows_written;
    out.bytes_written = r.bytes_written;
    out.carried_deletes = r.carried_deletes;
    out.commit_attempts = r.commit_attempts;
    out.replans = r.replans;
    out.plan_snapshot_id = r.plan.snapshot_id;
    out.target_file_rows = r.plan.target_file_rows;
    out.target_file_bytes = r.plan.target_file_bytes;
    out.live_files = r.plan.live_files;
    for (const auto& g : r.plan.groups) {
      CompactResult::Group pg;
      pg.layout = g.layout;
      for (const auto& s : g.sources) pg.sources.push_back({s.location, s.rows, s.deleted_rows, s.bytes});
      pg.rows_in = g.rows_in;
      pg.deleted_rows = g.deleted_rows;
      pg.live_rows = g.live_rows;
      pg.bytes_in = g.bytes_in;
      pg.delete_files = g.delete_files;
      pg.files_out = g.files_out;
      out.plan.push_back(std::move(pg));
    }
    return out;
  });
}

Result<VerifyReport> Table::Verify(bool deep) {
  return Latest(*impl_, [&](table::Table& t) -> Result<VerifyReport> {
    table::VerifyOptions o;
    o.deep = deep;
    AILAKE_ASSIGN_OR_RETURN(table::VerifyReport r, table::VerifyTable(t, o));
    VerifyReport out;
    out.snapshot_id = r.snapshot_id;
    out.data_files = r.data_files;
    out.delete_files = r.delete_files;
    out.rows = r.rows;
    out.deep = r.deep;
    out.problems = std::move(r.problems);
    out.notes = std::move(r.notes);
    return out;
  });
}

}  // namespace ailake
