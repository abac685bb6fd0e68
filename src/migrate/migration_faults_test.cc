// MigrationJob under faults: bad options (a clear error and nothing written), an embedder that
// misbehaves (wrong count, wrong dim, NaN, an outage after N calls) and a stopped run, each followed
// by a resume with a good embedder. Guide §5 / §8: embedder output is validated before anything is
// written, a failed run leaves the table consistent, and resume re-does only unfinished tasks.
#include <gtest/gtest.h>

#include <cstring>
#include <tuple>

#include "embed/hash_embedder.h"
#include "migrate/job_store.h"
#include "migrate/migrate_test_util.h"
#include "migrate/migration_job.h"
#include "table/maintenance.h"

namespace ailake::migrate {
namespace {

using testing::AppendRows;
using testing::CurrentFiles;
using testing::CurrentSnapshotId;
using testing::DataFilePaths;
using testing::ListKeys;
using testing::RowsEmbeddedBy;
using testing::ScanTable;
using testing::TestEmbedder;
using testing::TestWarehouse;

std::set<int64_t> Range(int64_t begin, int64_t end) {
  std::set<int64_t> s;
  for (int64_t i = begin; i < end; ++i) s.insert(i);
  return s;
}

MigrationOptions BaseOptions(Strategy strategy) {
  MigrationOptions o;
  o.embedder_spec = "hash:dim=48,seed=7";
  o.new_model.name = "hash-48";
  o.new_model.version = "seed7";
  o.new_metric = VectorMetric::kDot;
  o.strategy = strategy;
  o.batch_size = 37;
  o.concurrency = 3;
  o.file_parallelism = 2;
  return o;
}

// ---------------------------------------------------------------------------------------------
// 7. Bad options: a clear error, and nothing written (no commit, no job folder, no staged file).

class MigrationBadOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wh_.ok());
    auto t = wh_.CreateTable("docs", old_embedder_.model());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
    ASSERT_TRUE(AppendRows(*table_, old_embedder_, 0, 200, 100).ok());
  }

  // Plan (and DryRun, which makes the same checks) fail with `code` and a message containing
  // `phrase`; the table and the warehouse are exactly as before.
  void ExpectRejected(table::Table& t, const MigrationOptions& o, StatusCode code, const std::string& phrase) {
    ASSERT_TRUE(t.Refresh().ok());
    const int64_t version = t.state().version;
    const int64_t snapshot = CurrentSnapshotId(t);
    const auto migrations_before = ListKeys(wh_.store(), t.table_key() + "/metadata/migrations/");
    const auto data_before = ListKeys(wh_.store(), t.table_key() + "/data/");
    auto job = MigrationJob::Plan(t, o);
    ASSERT_FALSE(job.ok()) << "the plan was accepted";
    EXPECT_EQ(job.status().code(), code) << job.status().ToString();
    EXPECT_NE(job.status().message().find(phrase), std::string::npos) << job.status().ToString();
    if (code != StatusCode::kAlreadyExists) {
      auto dry = MigrationJob::DryRun(t, o);
      ASSERT_FALSE(dry.ok()) << "the dry run was accepted";
      EXPECT_EQ(dry.status().code(), code) << dry.status().ToString();
    }
    ASSERT_TRUE(t.Refresh().ok());
    EXPECT_EQ(t.state().version, version) << "something was committed";
    EXPECT_EQ(CurrentSnapshotId(t), snapshot);
    EXPECT_EQ(ListKeys(wh_.store(), t.table_key() + "/metadata/migrations/"), migrations_before);
    EXPECT_EQ(ListKeys(wh_.store(), t.table_key() + "/data/"), data_before);
  }
  void ExpectNoJob(table::Table& t) {
    ASSERT_TRUE(t.Refresh().ok());
    EXPECT_EQ(t.metadata().properties.count(kPropMigration), 0u);
    EXPECT_TRUE(ListKeys(wh_.store(), t.table_key() + "/metadata/migrations/").empty());
  }

  TestWarehouse wh_;
  embed::HashEmbedder old_embedder_{32, 0};
  std::unique_ptr<table::Table> table_;
};

TEST_F(MigrationBadOptionsTest, MissingTextColumn) {
  MigrationOptions o = BaseOptions(Strategy::kAtomicReplace);
  o.text_column = "body";
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "text column 'body' does not exist");
  ExpectNoJob(*table_);
}

TEST_F(MigrationBadOptionsTest, TextColumnThatIsNotAString) {
  auto typed = wh_.CreateTable("typed", old_embedder_.model(), {{"n", "int"}});
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  ASSERT_TRUE(AppendRows(**typed, old_embedder_, 0, 50, 50).ok());
  MigrationOptions o = BaseOptions(Strategy::kDualWriteThenCutover);
  o.text_column = "n";
  ExpectRejected(**typed, o, StatusCode::kInvalidArgument, "not a string column");
  ExpectNoJob(**typed);
}

TEST_F(MigrationBadOptionsTest, ZeroBatchSizeOrConcurrency) {
  MigrationOptions o = BaseOptions(Strategy::kAtomicReplace);
  o.batch_size = 0;
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "batch size");
  o = BaseOptions(Strategy::kAtomicReplace);
  o.concurrency = 0;
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "concurrency");
  o = BaseOptions(Strategy::kAtomicReplace);
  o.file_parallelism = 0;
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "file parallelism");
  ExpectNoJob(*table_);
}

TEST_F(MigrationBadOptionsTest, DeclaredDimensionDiffersFromTheEmbedders) {
  MigrationOptions o = BaseOptions(Strategy::kAtomicReplace);
  o.new_model.dim = 64;  // the embedder returns 48
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "declared with dim 64");
  ExpectNoJob(*table_);
}

TEST_F(MigrationBadOptionsTest, SameModelAsTheTable) {
  MigrationOptions o = BaseOptions(Strategy::kAtomicReplace);
  o.embedder_spec = "hash:dim=32,seed=0";
  o.new_model.name = old_embedder_.model().name;
  o.new_model.version = old_embedder_.model().version;
  o.new_metric.reset();
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "already embedded by model");
  ExpectNoJob(*table_);
}

TEST_F(MigrationBadOptionsTest, OtherColumnAndModelMistakes) {
  MigrationOptions o = BaseOptions(Strategy::kAtomicReplace);
  o.new_model.name.clear();
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "needs a name");
  o = BaseOptions(Strategy::kAtomicReplace);
  o.old_column = "doc_id";
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "is not the table's vector column");
  o = BaseOptions(Strategy::kAtomicReplace);
  o.new_column = "doc_id";
  ExpectRejected(*table_, o, StatusCode::kInvalidArgument, "already has a column named 'doc_id'");
  o = BaseOptions(Strategy::kAtomicReplace);
  o.embedder_spec = "nonsense:dim=3";
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument) << job.status().ToString();
  ExpectNoJob(*table_);
}

TEST_F(MigrationBadOptionsTest, SecondPlanWhileOneRuns) {
  auto first = MigrationJob::Plan(*table_, BaseOptions(Strategy::kAtomicReplace));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string job_id = (*first)->doc().job_id;
  // From another process too: the property in the table is what counts.
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto other = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(other.ok());
  MigrationOptions o = BaseOptions(Strategy::kDualWriteThenCutover);
  o.new_model.name = "another";
  ExpectRejected(**other, o, StatusCode::kAlreadyExists, job_id);
  ExpectRejected(*table_, o, StatusCode::kAlreadyExists, "already running");
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().properties.at(kPropMigration), job_id);
  // Only the first job's folder exists, and the first job still completes.
  for (const auto& k : ListKeys(wh_.store(), table_->table_key() + "/metadata/migrations/")) {
    EXPECT_EQ(k.rfind(JobFolder(table_->table_key(), job_id), 0), 0u) << k;
  }
  auto r = (*first)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
}

// ---------------------------------------------------------------------------------------------
// 9. Embedder faults, then a resume with a good embedder.

using Fault = TestEmbedder::Fault;

class MigrationEmbedderFaultTest : public ::testing::TestWithParam<std::tuple<Strategy, Fault>> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wh_.ok());
    auto t = wh_.CreateTable("docs", old_embedder_.model());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
    ASSERT_TRUE(AppendRows(*table_, old_embedder_, 0, 400, 100).ok());
  }
  Strategy strategy() const { return std::get<0>(GetParam()); }
  Fault fault() const { return std::get<1>(GetParam()); }
  std::string Phrase() const {
    switch (fault()) {
      // Which batch gets the fault depends on thread scheduling, and a file's last batch is short:
      // the count in the message varies, the wording does not.
      case Fault::kWrongCount: return "texts of dim 48 (expected";
      case Fault::kWrongDim: return "texts of dim 48";
      case Fault::kNaN: return "non-finite value";
      case Fault::kError: return "injected embedder outage";
      case Fault::kNone: break;
    }
    return "?";
  }

  // Every live row is there once, and each file's rows carry the vectors of the model its
  // manifest stats name (old-model files untouched, new-model files complete).
  void ExpectConsistent() {
    auto files = CurrentFiles(*table_);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    std::set<std::string> new_model_files;
    for (const auto& e : files->data_files) {
      for (const auto& s : files->vector_stats.at(e.file.file_path)) {
        if (s.model == "hash-48") new_model_files.insert(e.file.file_path);
      }
    }
    auto rows = ScanTable(*table_, "embedding");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 400u);
    for (const auto& [id, row] : *rows) {
      embed::Embedder& e = new_model_files.count(row.file) ? static_cast<embed::Embedder&>(new_embedder_)
                                                           : static_cast<embed::Embedder&>(old_embedder_);
      std::vector<float> want;
      ASSERT_TRUE(e.Embed({row.text}, &want).ok());
      ASSERT_EQ(row.vector.size(), want.size()) << id << " in " << row.file;
      for (size_t d = 0; d < want.size(); ++d) ASSERT_NEAR(row.vector[d], want[d], 2e-3f) << id;
    }
    auto v = table::VerifyTable(*table_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->problems.empty()) << v->problems.front();
    EXPECT_EQ(v->rows, 400);
  }

  TestWarehouse wh_;
  embed::HashEmbedder old_embedder_{32, 0};
  embed::HashEmbedder new_embedder_{48, 7};
  std::unique_ptr<table::Table> table_;
};

TEST_P(MigrationEmbedderFaultTest, FailsClearlyThenResumes) {
  auto job = MigrationJob::Plan(*table_, BaseOptions(strategy()));
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const int64_t snap = CurrentSnapshotId(*table_);
  auto files_before = DataFilePaths(*table_);
  ASSERT_TRUE(files_before.ok());
  TestEmbedder bad(new_embedder_);
  bad.Inject(fault(), /*after=*/4);  // a few good batches first (AtomicReplace may commit a task)
  (*job)->set_embedder(&bad);
  auto r = (*job)->Run();
  ASSERT_FALSE(r.ok()) << "the run accepted a broken embedder's output";
  EXPECT_NE(r.status().message().find(Phrase()), std::string::npos) << r.status().ToString();
  if (fault() != Fault::kError) {
    // A broken reply is the embedder's failure, not the caller's argument (the CLI exits 1 for it).
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  }
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().properties.count(kPropMigration), 1u);  // still resumable
  EXPECT_EQ(table_->vectors().model.Id(), old_embedder_.model().Id());
  if (strategy() == Strategy::kDualWriteThenCutover) {
    EXPECT_EQ(CurrentSnapshotId(*table_), snap);
    EXPECT_EQ(*DataFilePaths(*table_), *files_before);
  }
  ExpectConsistent();
  // No partial output survives: each staged object is the output of a finished task, or a
  // checkpoint segment of the embeddings a failed task had validated (batch_checkpoint.h).
  auto records = LoadTaskRecords(wh_.store(), table_->table_key(), (*job)->doc().job_id);
  ASSERT_TRUE(records.ok());
  std::set<std::string> outputs;
  for (const auto& [src, rec] : *records) outputs.insert(rec.output_key);
  for (const auto& k : ListKeys(wh_.store(), (*job)->doc().staging_prefix)) {
    EXPECT_TRUE(outputs.count(k) || k.find("/ckpt-") != std::string::npos)
        << "staged object " << k << " belongs to no finished task";
  }
  std::set<std::string> done_sources;
  for (const auto& [src, rec] : *records) done_sources.insert(src);
  auto before_resume = ScanTable(*table_, "");
  ASSERT_TRUE(before_resume.ok());
  job->reset();

  // Resume with a good embedder.
  auto resumed = MigrationJob::Load(*table_);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  TestEmbedder good(new_embedder_);
  (*resumed)->set_embedder(&good);
  auto rr = (*resumed)->Run();
  ASSERT_TRUE(rr.ok()) << rr.status().ToString();
  EXPECT_TRUE(rr->cut_over);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 400), "embedding", new_embedder_, 2e-3f));
  EXPECT_EQ(table_->vectors().model.Id(), "hash-48@seed7");
  // Finished tasks were not embedded again (their rows were in a finished task's source, or, with
  // AtomicReplace, already in a committed output).
  std::set<std::string> done_texts;
  for (const auto& [id, row] : *before_resume) {
    if (done_sources.count(row.file) || row.file.find("/data/migrate-") != std::string::npos) done_texts.insert(row.text);
  }
  for (const auto& t : good.texts()) EXPECT_FALSE(done_texts.count(t)) << "'" << t << "' was embedded again";
  EXPECT_EQ(static_cast<int64_t>(good.texts().size()), rr->texts_embedded);
  // Rows of batches the failed run had validated come from its checkpoint segments, not the embedder.
  EXPECT_LE(rr->texts_embedded, 400 - static_cast<int64_t>(done_texts.size()));
  EXPECT_GT(rr->texts_embedded, 0);
  auto v = table::VerifyTable(*table_);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty()) << v->problems.front();
}

INSTANTIATE_TEST_SUITE_P(
    Faults, MigrationEmbedderFaultTest,
    ::testing::Combine(::testing::Values(Strategy::kAtomicReplace, Strategy::kDualWriteThenCutover),
                       ::testing::Values(Fault::kWrongCount, Fault::kWrongDim, Fault::kNaN, Fault::kError)),
    [](const auto& info) {
      const char* f = "";
      switch (std::get<1>(info.param)) {
        case Fault::kWrongCount: f = "WrongCount"; break;
        case Fault::kWrongDim: f = "WrongDim"; break;
        case Fault::kNaN: f = "NaN"; break;
        case Fault::kError: f = "ErrorAfterN"; break;
        case Fault::kNone: f = "None"; break;
      }
      return std::string(std::get<0>(info.param) == Strategy::kAtomicReplace ? "AtomicReplace" : "DualWrite") + f;
    });

// A stopped run (Ctrl-C) returns Aborted after its current batches; resume finishes the job.
class MigrationStopTest : public ::testing::TestWithParam<Strategy> {};

TEST_P(MigrationStopTest, StopThenResume) {
  TestWarehouse wh;
  ASSERT_TRUE(wh.ok());
  embed::HashEmbedder old_embedder(32, 0), new_embedder(48, 7);
  auto t = wh.CreateTable("docs", old_embedder.model());
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(AppendRows(**t, old_embedder, 0, 400, 100).ok());
  MigrationOptions o = BaseOptions(GetParam());
  o.file_parallelism = 1;
  auto job = MigrationJob::Plan(**t, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  MigrationJob* j = job->get();
  j->set_progress([j](const MigrationProgress& p) {
    if (p.files_done >= 1) j->Stop();
  });
  auto r = j->Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAborted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("stopped"), std::string::npos) << r.status().ToString();
  auto records = LoadTaskRecords(wh.store(), (*t)->table_key(), j->doc().job_id);
  ASSERT_TRUE(records.ok());
  EXPECT_GE(records->size(), 1u);
  EXPECT_LT(records->size(), 4u);
  ASSERT_TRUE((*t)->Refresh().ok());
  EXPECT_EQ((*t)->vectors().model.Id(), old_embedder.model().Id());
  job->reset();

  auto resumed = MigrationJob::Load(**t);
  ASSERT_TRUE(resumed.ok());
  TestEmbedder counting(new_embedder);
  (*resumed)->set_embedder(&counting);
  auto rr = (*resumed)->Run();
  ASSERT_TRUE(rr.ok()) << rr.status().ToString();
  EXPECT_TRUE(rr->cut_over);
  EXPECT_EQ(rr->tasks_run, 4u - records->size());
  EXPECT_EQ(rr->texts_embedded, 100 * static_cast<int64_t>(4u - records->size()));
  EXPECT_TRUE(RowsEmbeddedBy(**t, Range(0, 400), "embedding", new_embedder, 2e-3f));
}

INSTANTIATE_TEST_SUITE_P(Strategies, MigrationStopTest,
                         ::testing::Values(Strategy::kAtomicReplace, Strategy::kDualWriteThenCutover),
                         [](const auto& info) {
                           return info.param == Strategy::kAtomicReplace ? std::string("AtomicReplace")
                                                                         : std::string("DualWrite");
                         });

}  // namespace
}  // namespace ailake::migrate
