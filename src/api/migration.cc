// ailake::Migration (include/ailake/migration.h) over migrate::MigrationJob.
//
// A Migration owns its own internal table::Table, opened on the latest metadata when the handle is
// made: the job refreshes and commits through it, so the public Table's read snapshot is never
// moved under a search by the migration's internal refreshes. After anything that commits (plan,
// run, commit, abort) the public Table gets a fresh state published, so its searches see the
// cutover (or the rollback) as if the handle had made the write itself.
#include "ailake/migration.h"

#include <utility>

#include "api/api_internal.h"
#include "api/migration_convert.h"
#include "migrate/embedder_spec.h"
#include "migrate/job_store.h"

namespace ailake {

// ---- names ------------------------------------------------------------------------------------

std::string_view MigrationStrategyName(MigrationStrategy s) {
  return s == MigrationStrategy::kAtomicReplace ? "atomic-replace" : "dual-write-then-cutover";
}

Result<MigrationStrategy> ParseMigrationStrategy(std::string_view s) {
  AILAKE_ASSIGN_OR_RETURN(migrate::Strategy m, migrate::ParseStrategy(s));
  return m == migrate::Strategy::kAtomicReplace ? MigrationStrategy::kAtomicReplace
                                                : MigrationStrategy::kDualWriteThenCutover;
}

std::string_view NullTextPolicyName(NullTextPolicy p) {
  switch (p) {
    case NullTextPolicy::kSkip: return "skip";
    case NullTextPolicy::kEmpty: return "empty";
    case NullTextPolicy::kFail: return "fail";
  }
  return "skip";
}

Result<NullTextPolicy> ParseNullTextPolicy(std::string_view s) {
  AILAKE_ASSIGN_OR_RETURN(migrate::NullTextPolicy p, migrate::ParseNullTextPolicy(s));
  switch (p) {
    case migrate::NullTextPolicy::kSkip: return NullTextPolicy::kSkip;
    case migrate::NullTextPolicy::kEmpty: return NullTextPolicy::kEmpty;
    case migrate::NullTextPolicy::kFail: return NullTextPolicy::kFail;
  }
  return NullTextPolicy::kSkip;
}

std::string_view MigrationStateName(MigrationState s) {
  switch (s) {
    case MigrationState::kRunning: return "running";
    case MigrationState::kStopped: return "stopped";
    case MigrationState::kFinished: return "finished";
    case MigrationState::kAborted: return "aborted";
  }
  return "running";
}

// ---- the handle -------------------------------------------------------------------------------

struct Migration::Impl {
  Table* table = nullptr;                        // the public handle; outlives the Migration
  std::unique_ptr<table::Table> internal;        // the job's own view of the table (job holds a reference)
  std::unique_ptr<migrate::MigrationJob> job;
  MigrationInfo info;
  // True once the job can embed without the record's spec: planned here, or UseEmbedder /
  // UseEmbedderSpec called. A hash: job can always embed.
  bool has_embedder = false;

  void SyncInfo() { info = api::ToPublic(job->doc()); }

  // Makes the public handle read the table as it is now. A failure here does not undo the commit
  // that came before, so it is not reported: the next Refresh() of the Table picks the state up.
  void PublishLatest() {
    auto fresh = table->impl().OpenLatest();
    if (fresh.ok()) table->impl().Publish(std::shared_ptr<table::Table>(std::move(*fresh)));
  }

  Status CheckCanEmbed() const {
    if (has_embedder || !info.needs_embedder) return Status::OK();
    if (info.embedder.empty()) {
      return Status::InvalidArgument("migration job " + info.job_id +
                                     " was planned with a user embedder (MigrationOptions.embedder): give one "
                                     "for model '" + info.new_model.Id() + "' with Migration::UseEmbedder first");
    }
    return Status::InvalidArgument("migration job " + info.job_id + " embeds with '" + info.embedder +
                                   "': give that spec again with Migration::UseEmbedderSpec (a program or URL is "
                                   "never taken from the job's record in the warehouse), or an Embedder for model '" +
                                   info.new_model.Id() + "' with Migration::UseEmbedder");
  }
};

Migration::Migration(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Migration::~Migration() = default;

namespace {

Result<std::unique_ptr<Migration::Impl>> NewImpl(Table& table) {
  auto impl = std::make_unique<Migration::Impl>();
  impl->table = &table;
  AILAKE_ASSIGN_OR_RETURN(impl->internal, table.impl().OpenLatest());
  return impl;
}

}  // namespace

Result<MigrationDryRun> Migration::DryRun(Table& table, const MigrationOptions& options) {
  AILAKE_ASSIGN_OR_RETURN(migrate::MigrationOptions o, api::ToInternal(options));
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<table::Table> t, table.impl().OpenLatest());
  AILAKE_ASSIGN_OR_RETURN(migrate::DryRunReport d, migrate::MigrationJob::DryRun(*t, std::move(o), options.embedder));
  return api::ToPublic(d);
}

Result<std::unique_ptr<Migration>> Migration::Plan(Table& table, const MigrationOptions& options) {
  AILAKE_ASSIGN_OR_RETURN(migrate::MigrationOptions o, api::ToInternal(options));
  AILAKE_ASSIGN_OR_RETURN(auto impl, NewImpl(table));
  AILAKE_ASSIGN_OR_RETURN(impl->job, migrate::MigrationJob::Plan(*impl->internal, std::move(o), options.embedder));
  impl->has_embedder = true;
  impl->SyncInfo();
  impl->PublishLatest();  // the plan commit (job property, new column in the schema)
  return std::unique_ptr<Migration>(new Migration(std::move(impl)));
}

Result<std::unique_ptr<Migration>> Migration::Load(Table& table) {
  AILAKE_ASSIGN_OR_RETURN(auto impl, NewImpl(table));
  AILAKE_ASSIGN_OR_RETURN(impl->job, migrate::MigrationJob::Load(*impl->internal));
  impl->SyncInfo();
  return std::unique_ptr<Migration>(new Migration(std::move(impl)));
}

Result<std::unique_ptr<Migration>> Migration::LoadLatest(Table& table) {
  AILAKE_ASSIGN_OR_RETURN(auto impl, NewImpl(table));
  AILAKE_ASSIGN_OR_RETURN(impl->job, migrate::MigrationJob::LoadLatest(*impl->internal));
  impl->SyncInfo();
  return std::unique_ptr<Migration>(new Migration(std::move(impl)));
}

Result<std::vector<MigrationInfo>> Migration::List(Table& table) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<table::Table> t, table.impl().OpenLatest());
  AILAKE_ASSIGN_OR_RETURN(std::vector<migrate::MigrationJobDoc> docs, migrate::MigrationJob::List(*t));
  std::vector<MigrationInfo> out;
  out.reserve(docs.size());
  for (const auto& d : docs) out.push_back(api::ToPublic(d));
  return out;
}

const MigrationInfo& Migration::info() const { return impl_->info; }

void Migration::SetProgress(std::function<void(const MigrationProgress&)> fn) {
  if (!fn) {
    impl_->job->set_progress(nullptr);
    return;
  }
  impl_->job->set_progress([fn = std::move(fn)](const migrate::MigrationProgress& p) { fn(api::ToPublic(p)); });
}

Status Migration::UseEmbedder(Embedder* embedder) {
  const MigrationInfo& i = impl_->info;
  if (embedder == nullptr) return Status::InvalidArgument("UseEmbedder: the embedder is null");
  // An embedder without a name has not declared an identity; one that has must be the job's model:
  // every file the job writes records that model, whoever computed the vectors.
  if (!embedder->model().name.empty() && !embedder->model().SameModel(i.new_model)) {
    return Status::InvalidArgument("UseEmbedder: the embedder's model '" + embedder->model().Id() +
                                   "' is not migration job " + i.job_id + "'s new model '" + i.new_model.Id() +
                                   "' (MigrationOptions.new_model when it was planned)");
  }
  AILAKE_ASSIGN_OR_RETURN(uint32_t dim, embedder->Dimension());
  if (dim != i.new_model.dim) {
    return Status::InvalidArgument("UseEmbedder: the embedder returns dim " + std::to_string(dim) +
                                   " but migration job " + i.job_id + " was planned for dim " +
                                   std::to_string(i.new_model.dim));
  }
  impl_->job->set_embedder(embedder);
  impl_->has_embedder = true;
  return Status::OK();
}

Status Migration::UseEmbedderSpec(const std::string& spec) {
  AILAKE_RETURN_IF_ERROR(impl_->job->UseEmbedderSpec(spec));
  impl_->job->set_embedder(nullptr);  // the spec wins over an earlier UseEmbedder
  impl_->has_embedder = true;
  return Status::OK();
}

Result<MigrationStatus> Migration::GetStatus() {
  AILAKE_ASSIGN_OR_RETURN(migrate::MigrationStatus st, impl_->job->GetStatus());
  return api::ToPublic(st);
}

Result<MigrationRunResult> Migration::Run() {
  AILAKE_RETURN_IF_ERROR(impl_->CheckCanEmbed());
  auto r = impl_->job->Run();
  impl_->SyncInfo();
  // Published on failure too: AtomicReplace commits file by file, so a failed run may have
  // committed some of them.
  impl_->PublishLatest();
  if (!r.ok()) return r.status();
  return api::ToPublic(*r);
}

Result<MigrationTaskResult> Migration::RunTask(const std::string& task) {
  AILAKE_RETURN_IF_ERROR(impl_->CheckCanEmbed());
  table::Table& t = *impl_->internal;
  // Whether another process had finished the task before this call: MigrationJob::RunTask returns
  // the existing record then, embedding nothing.
  AILAKE_ASSIGN_OR_RETURN(auto before, migrate::LoadTaskRecords(t.catalog().store(), t.table_key(), impl_->info.job_id));
  bool already = false;
  for (const auto& [source, rec] : before) already = already || rec.task_id == task || source == task;
  AILAKE_ASSIGN_OR_RETURN(migrate::TaskRecord rec, impl_->job->RunTask(task));
  return api::ToPublic(rec, already);
}

Result<MigrationRunResult> Migration::Commit() {
  auto r = impl_->job->Commit();
  impl_->SyncInfo();
  impl_->PublishLatest();
  if (!r.ok()) return r.status();
  return api::ToPublic(*r);
}

Status Migration::Abort() {
  Status st = impl_->job->Abort();
  impl_->SyncInfo();
  impl_->PublishLatest();
  return st;
}

Status Migration::AbortWithRollback() {
  Status st = impl_->job->AbortWithRollback();
  impl_->SyncInfo();
  impl_->PublishLatest();
  return st;
}

Status Migration::StopForLater() {
  Status st = impl_->job->StopForLater();
  impl_->SyncInfo();
  return st;
}

void Migration::Stop() { impl_->job->Stop(); }

}  // namespace ailake
