// ailake::Migration through the public API with a user-implemented Embedder (a C++ class): plan and
// run to a new model of another dimension, the public Table's searches seeing the cutover, dry run,
// status/list/abort, stop and resume without re-embedding finished files, and errors that name the
// API fields a caller got wrong.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "ailake/migration.h"
#include "ailake/warehouse.h"
#include "api/api_internal.h"
#include "embed/hash_embedder.h"
#include "migrate/migrate_test_util.h"
#include "table/table_search.h"

namespace ailake {
namespace {

using migrate::testing::AppendRows;
using migrate::testing::RowText;
using migrate::testing::TestWarehouse;

// A user model: each whitespace token contributes a pseudo-random dense vector seeded by its hash,
// so texts that differ in one token (the row number) still get clearly different vectors.
class TokenEmbedder : public Embedder {
 public:
  TokenEmbedder(std::string name, std::string version, uint32_t dim) {
    model_.name = std::move(name);
    model_.version = std::move(version);
    model_.dim = dim;
  }
  const EmbeddingModelInfo& model() const override { return model_; }
  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override {
    CountRequest();
    CountTexts(texts.size());
    const int64_t call = calls_.fetch_add(1) + 1;
    if (on_call_) on_call_(call);
    for (std::string_view t : texts) {
      std::vector<float> v(model_.dim, 0.0f);
      size_t at = 0;
      while (at < t.size()) {
        size_t end = t.find(' ', at);
        if (end == std::string_view::npos) end = t.size();
        uint64_t h = 1469598103934665603ull;
        for (size_t i = at; i < end; ++i) h = (h ^ static_cast<unsigned char>(t[i])) * 1099511628211ull;
        for (uint32_t j = 0; j < model_.dim; ++j) {
          h ^= h >> 33;
          h *= 0xff51afd7ed558ccdull;
          h ^= h >> 29;
          v[j] += static_cast<float>(static_cast<double>(h % 20001) / 10000.0 - 1.0);
        }
        at = end + 1;
      }
      out->insert(out->end(), v.begin(), v.end());
    }
    return Status::OK();
  }
  std::vector<float> EmbedOne(const std::string& text) {
    std::vector<float> v;
    EXPECT_TRUE(Embed({text}, &v).ok());
    return v;
  }
  int64_t calls() const { return calls_.load(); }
  void set_on_call(std::function<void(int64_t)> fn) { on_call_ = std::move(fn); }

 private:
  EmbeddingModelInfo model_;
  std::atomic<int64_t> calls_{0};
  std::function<void(int64_t)> on_call_;
};

class MigrationApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wh_.ok());
    embed::HashEmbedder old_model(16, 0);
    auto t = wh_.CreateTable("t", old_model.model());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    // 300 rows in 3 files of 100.
    ASSERT_TRUE(AppendRows(**t, old_model, 0, 300, 100).ok());
    auto w = Warehouse::Open(wh_.dir());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    warehouse_ = std::move(*w);
    auto table = warehouse_->OpenTable("t");
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    table_ = std::move(*table);
  }

  MigrationOptions Options(Embedder* e, const std::string& model = "mine@v2") {
    MigrationOptions o;
    o.embedder = e;
    o.new_model = model;
    o.batch_size = 50;
    o.concurrency = 1;
    o.file_parallelism = 1;
    return o;
  }

  // Every row is its own nearest neighbour when queried with `e`'s vector of its text, searched on
  // the state the public handle publishes.
  void ExpectEveryRowFound(TokenEmbedder& e) {
    std::shared_ptr<table::Table> current = table_->impl().Current();
    ASSERT_TRUE(current->vectors().model.SameModel(e.model())) << current->vectors().model.Id();
    EXPECT_EQ(current->vectors().model.dim, e.model().dim);
    table::SearchOptions so;
    so.k = 1;
    so.exact = true;
    so.columns = {"id"};
    for (int64_t i = 0; i < 300; ++i) {
      std::vector<float> q = e.EmbedOne(RowText(i));
      auto r = table::SearchTable(*current, q.data(), so, nullptr);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->hits.size(), 1u) << "row " << i;
      EXPECT_EQ(r->values.columns[0].StringValue(0), "r" + std::to_string(i));
    }
  }

  TestWarehouse wh_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<Table> table_;
};

TEST_F(MigrationApiTest, UserEmbedderToANewDimensionThenSearchSeesTheCutover) {
  TokenEmbedder mine("mine", "v2", 24);
  auto dry = Migration::DryRun(*table_, Options(&mine));
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->files, 3u);
  EXPECT_EQ(dry->rows, 300);
  EXPECT_EQ(dry->new_dim, 24u);
  EXPECT_EQ(dry->new_model, "mine@v2");
  EXPECT_EQ(dry->strategy, "atomic-replace");
  EXPECT_FALSE(Migration::Load(*table_).ok());  // a dry run plans nothing

  auto job = Migration::Plan(*table_, Options(&mine));
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const MigrationInfo& info = (*job)->info();
  EXPECT_EQ(info.state, MigrationState::kRunning);
  EXPECT_EQ(info.new_model.Id(), "mine@v2");
  EXPECT_EQ(info.new_model.dim, 24u);
  EXPECT_EQ(info.old_model.dim, 16u);
  EXPECT_EQ(info.embedder, "");          // a user object: nothing persisted
  EXPECT_TRUE(info.needs_embedder);
  EXPECT_EQ(info.table, "default.t");
  // The plan commit is published: the handle's state names the running job.
  EXPECT_EQ(table_->impl().Current()->metadata().properties.at("ailake.migration"), info.job_id);

  std::vector<std::string> phases;
  (*job)->SetProgress([&](const MigrationProgress& p) {
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
  });
  auto run = (*job)->Run();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->cut_over);
  EXPECT_EQ(run->rows, 300);
  EXPECT_EQ(run->texts_embedded, 300);
  EXPECT_EQ(run->tasks_run, 3u);
  EXPECT_GT(run->snapshot_id, 0);
  EXPECT_EQ((*job)->info().state, MigrationState::kFinished);
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.back(), "done");
  EXPECT_EQ(table_->impl().Current()->metadata().properties.count("ailake.migration"), 0u);
  ExpectEveryRowFound(mine);

  auto status = (*job)->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_FALSE(status->running);
  EXPECT_EQ(status->committed, 3u);
  EXPECT_EQ(status->pending, 0u);
  auto list = Migration::List(*table_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, MigrationState::kFinished);
}

TEST_F(MigrationApiTest, StatusListAndAbort) {
  TokenEmbedder mine("mine", "v2", 24);
  MigrationOptions o = Options(&mine);
  o.strategy = MigrationStrategy::kDualWriteThenCutover;
  o.new_column = "embedding_v2";
  o.keep_old_column = true;
  auto job = Migration::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ((*job)->info().strategy, "dual-write-then-cutover");
  EXPECT_EQ((*job)->info().new_column, "embedding_v2");
  EXPECT_TRUE((*job)->info().keep_old_column);
  // A second plan while one runs.
  TokenEmbedder other("other", "v1", 8);
  auto second = Migration::Plan(*table_, Options(&other, "other@v1"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);

  auto st = (*job)->GetStatus();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_TRUE(st->running);
  EXPECT_EQ(st->pending, 3u);
  EXPECT_EQ(st->rows_total, 300);
  ASSERT_EQ(st->tasks.size(), 3u);
  for (const auto& t : st->tasks) EXPECT_EQ(t.state, "pending");

  // One task by id, recorded but not committed (a distributed run), then again: already done.
  auto task = (*job)->RunTask(st->tasks[0].task_id);
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  EXPECT_EQ(task->rows, 100);
  EXPECT_EQ(task->texts_embedded, 100);
  EXPECT_FALSE(task->already_done);
  auto again = (*job)->RunTask(st->tasks[0].source);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_done);
  EXPECT_EQ(again->output, task->output);

  auto loaded = Migration::Load(*table_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->info().job_id, (*job)->info().job_id);
  auto st2 = (*loaded)->GetStatus();
  ASSERT_TRUE(st2.ok());
  EXPECT_EQ(st2->finished, 1u);
  EXPECT_EQ(st2->pending, 2u);

  ASSERT_TRUE((*loaded)->Abort().ok());
  EXPECT_EQ((*loaded)->info().state, MigrationState::kAborted);
  auto none = Migration::Load(*table_);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  auto latest = Migration::LoadLatest(*table_);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ((*latest)->info().state, MigrationState::kAborted);
  auto list = Migration::List(*table_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, MigrationState::kAborted);
  // The table is as before the job, and the handle says so.
  std::shared_ptr<table::Table> current = table_->impl().Current();
  EXPECT_EQ(current->vectors().model.Id(), embed::HashEmbedder(16, 0).model().Id());
  EXPECT_EQ(current->metadata().properties.count("ailake.migration"), 0u);
  EXPECT_EQ(current->schema().FindField("embedding_v2"), nullptr);
}

TEST_F(MigrationApiTest, StopThenResumeEmbedsOnlyUnfinishedFiles) {
  TokenEmbedder first("mine", "v2", 24);
  auto job = Migration::Plan(*table_, Options(&first));
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  Migration* m = job->get();
  // 2 batches per file: the third call is in the second file, which the stop abandons.
  first.set_on_call([m](int64_t call) {
    if (call == 3) m->Stop();
  });
  auto run = (*job)->Run();
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kAborted) << run.status().ToString();
  job->reset();

  auto loaded = Migration::Load(*table_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  // A user-embedder job needs one again, named in the error.
  auto no_embedder = (*loaded)->Run();
  ASSERT_FALSE(no_embedder.ok());
  EXPECT_EQ(no_embedder.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_embedder.status().message().find("UseEmbedder"), std::string::npos) << no_embedder.status().message();
  // Another model is refused, naming both models and the call.
  TokenEmbedder wrong("other", "v1", 24);
  Status st = (*loaded)->UseEmbedder(&wrong);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("UseEmbedder"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("other@v1"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("mine@v2"), std::string::npos) << st.message();
  // So is the right name with another dimension.
  TokenEmbedder narrow("mine", "v2", 12);
  st = (*loaded)->UseEmbedder(&narrow);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("dim 12"), std::string::npos) << st.message();

  TokenEmbedder second("mine", "v2", 24);
  ASSERT_TRUE((*loaded)->UseEmbedder(&second).ok());
  auto resumed = (*loaded)->Run();
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_TRUE(resumed->cut_over);
  // The first file finished before the stop: never embedded again.
  EXPECT_LE(resumed->texts_embedded, 200);
  EXPECT_GE(resumed->texts_embedded, 100);
  ExpectEveryRowFound(second);
}

TEST_F(MigrationApiTest, OptionErrorsNameTheApiFields) {
  TokenEmbedder mine("mine", "v2", 24);
  auto expect_error = [&](const MigrationOptions& o, const std::vector<std::string>& words) {
    auto job = Migration::Plan(*table_, o);
    ASSERT_FALSE(job.ok());
    EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument) << job.status().ToString();
    for (const auto& w : words) EXPECT_NE(job.status().message().find(w), std::string::npos) << job.status().message();
    auto dry = Migration::DryRun(*table_, o);
    EXPECT_FALSE(dry.ok());
  };
  MigrationOptions none = Options(nullptr);
  expect_error(none, {"MigrationOptions", "embedder"});
  MigrationOptions both = Options(&mine);
  both.embedder_spec = "hash:dim=8";
  expect_error(both, {"MigrationOptions", "embedder_spec"});
  MigrationOptions unnamed = Options(&mine, "");
  expect_error(unnamed, {"MigrationOptions.new_model"});
  expect_error(Options(&mine, "someone@else"), {"MigrationOptions.embedder", "mine@v2", "someone@else"});
  MigrationOptions batch = Options(&mine);
  batch.batch_size = 0;
  expect_error(batch, {"MigrationOptions.batch_size"});
  MigrationOptions conc = Options(&mine);
  conc.concurrency = 0;
  expect_error(conc, {"MigrationOptions.concurrency"});
  // Nothing was planned by any of them.
  EXPECT_EQ(Migration::Load(*table_).status().code(), StatusCode::kNotFound);
}

TEST_F(MigrationApiTest, BuiltInSpecJobNeedsNoEmbedderOnResume) {
  MigrationOptions o;
  o.embedder_spec = "hash:dim=8,seed=3";
  o.new_model = "hash-8@seed3";
  auto job = Migration::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_FALSE((*job)->info().needs_embedder);
  EXPECT_EQ((*job)->info().embedder, "hash:dim=8,seed=3");
  ASSERT_TRUE((*job)->StopForLater().ok());
  EXPECT_EQ((*job)->info().state, MigrationState::kStopped);
  job->reset();
  auto loaded = Migration::Load(*table_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE((*loaded)->UseEmbedderSpec("hash:dim=8,seed=4").ok());  // not the job's spec
  auto run = (*loaded)->Run();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->cut_over);
  EXPECT_EQ(table_->impl().Current()->vectors().model.Id(), "hash-8@seed3");
}

TEST(MigrationNames, RoundTrip) {
  for (auto s : {MigrationStrategy::kAtomicReplace, MigrationStrategy::kDualWriteThenCutover}) {
    auto p = ParseMigrationStrategy(MigrationStrategyName(s));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, s);
  }
  for (auto n : {NullTextPolicy::kSkip, NullTextPolicy::kEmpty, NullTextPolicy::kFail}) {
    auto p = ParseNullTextPolicy(NullTextPolicyName(n));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, n);
  }
  EXPECT_FALSE(ParseMigrationStrategy("sideways").ok());
  EXPECT_FALSE(ParseNullTextPolicy("maybe").ok());
  EXPECT_EQ(MigrationStateName(MigrationState::kStopped), "stopped");
  EXPECT_EQ(MigrationStateName(MigrationState::kAborted), "aborted");
}

}  // namespace
}  // namespace ailake
