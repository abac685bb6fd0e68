// ailake::Evaluate / CheckEvalGate on a generated labelled corpus: queries are perturbed chunk
// texts, the qrels point at their source chunk, so a model's quality ordering is known in advance.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ailake/eval.h"
#include "ailake/migration.h"
#include "ailake/warehouse.h"
#include "migrate/migrate_test_util.h"

namespace ailake {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Vocabulary() {
  std::vector<std::string> v;
  for (int i = 0; i < 300; ++i) v.push_back("w" + std::to_string(i * 7919 % 1000));
  return v;
}

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto w = Warehouse::Open(wh_.dir());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    warehouse_ = std::move(*w);
    auto old_embedder = MakeEmbedder("hash:dim=16,model=old");
    ASSERT_TRUE(old_embedder.ok()) << old_embedder.status().ToString();
    old_ = std::move(*old_embedder);
    CreateTableOptions co;
    co.model = old_->model();
    auto t = warehouse_->CreateTable("docs", co);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
    // 200 chunks of 8 words; 40 queries = a chunk with two words replaced by random ones.
    std::mt19937_64 rng(5);
    const auto vocab = Vocabulary();
    RecordBatch rows;
    rows.columns = {{"id", ValueType::kString}, {"chunk_text", ValueType::kString}};
    std::vector<std::string> texts;
    for (int d = 0; d < 200; ++d) {
      std::vector<std::string> words;
      for (int i = 0; i < 8; ++i) words.push_back(vocab[rng() % vocab.size()]);
      std::string text;
      for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
      rows.columns[0].AppendString("d" + std::to_string(d));
      rows.columns[1].AppendString(text);
      if (d % 5 == 0) {
        words[rng() % 8] = vocab[rng() % vocab.size()];
        words[rng() % 8] = vocab[rng() % vocab.size()];
        std::string q;
        for (const auto& w : words) q += (q.empty() ? "" : " ") + w;
        const std::string qid = "q" + std::to_string(d);
        queries_.push_back({qid, q});
        qrels_[qid]["d" + std::to_string(d)] = 1;
      }
    }
    // Four adds of 50 rows: four data files, so a migration has four tasks.
    WriteOptions wo;
    wo.embedder = old_.get();
    for (int f = 0; f < 4; ++f) {
      RecordBatch part;
      part.columns = {{"id", ValueType::kString}, {"chunk_text", ValueType::kString}};
      for (int d = f * 50; d < (f + 1) * 50; ++d) {
        part.columns[0].AppendString(rows.columns[0].strings[static_cast<size_t>(d)]);
        part.columns[1].AppendString(rows.columns[1].strings[static_cast<size_t>(d)]);
      }
      auto r = table_->Add(part, nullptr, 0, wo);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }

  Result<EvalReport> Run(const std::string& new_spec, size_t sample = 1000, bool save = true,
                         EvalMode mode = EvalMode::kPilot) {
    auto e = MakeEmbedder(new_spec);
    if (!e.ok()) return e.status();
    new_ = std::move(*e);
    EvalOptions o;
    o.queries = queries_;
    o.qrels = qrels_;
    o.k = 10;
    o.mode = mode;
    o.old_embedder = old_.get();
    o.new_embedder = new_.get();
    o.sample = sample;
    o.save = save;
    return Evaluate(*table_, o);
  }

  Result<EvalReport> Shadow(const std::string& new_spec) { return Run(new_spec, 1000, true, EvalMode::kShadow); }

  // A job to the spec's model (a hash: spec, so RunTask needs no embedder object).
  std::unique_ptr<Migration> Plan(const std::string& spec, MigrationStrategy strategy, bool keep_old) {
    MigrationOptions mo;
    mo.embedder_spec = spec;
    mo.strategy = strategy;
    mo.keep_old_column = keep_old;
    if (keep_old) mo.new_column = "embedding_v2";
    auto e = MakeEmbedder(spec);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok()) return nullptr;
    mo.new_model = (*e)->model().Id();
    auto job = Migration::Plan(*table_, mo);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? std::move(*job) : nullptr;
  }

  // Runs the job's tasks number `from` .. `to` - 1 (in status order), recorded, not committed.
  static void RunTasks(Migration& job, size_t from, size_t to) {
    auto st = job.GetStatus();
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    ASSERT_GE(st->tasks.size(), to);
    for (size_t i = from; i < to; ++i) {
      auto r = job.RunTask(st->tasks[i].task_id);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }

  static double Delta(const EvalReport& r, const std::string& metric) {
    for (const auto& d : r.deltas) {
      if (d.metric == metric) return d.new_value - d.old_value;
    }
    ADD_FAILURE() << "no " << metric;
    return 0;
  }

  migrate::testing::TestWarehouse wh_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<Table> table_;
  std::unique_ptr<Embedder> old_, new_;
  std::vector<EvalQuery> queries_;
  EvalQrels qrels_;
};

std::vector<std::string> FilesUnder(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(EvalTest, BetterModelRanksAboveWorseBelow) {
  auto better = Run("hash:dim=512,model=big");
  ASSERT_TRUE(better.ok()) << better.status().ToString();
  auto worse = Run("hash:dim=2,model=tiny");
  ASSERT_TRUE(worse.ok()) << worse.status().ToString();
  EXPECT_EQ(better->judged_queries, 40u);
  EXPECT_GT(Delta(*better, "ndcg@10"), 0.0);
  EXPECT_GT(Delta(*better, "recall@10"), 0.0);
  EXPECT_LT(Delta(*worse, "ndcg@10"), 0.0);
  EXPECT_LT(Delta(*worse, "mrr@10"), 0.0);
  EXPECT_GT(better->wins.size(), better->losses.size());
  EXPECT_GT(worse->losses.size(), worse->wins.size());
  // The CI of a clearly better model excludes zero.
  for (const auto& d : better->deltas) {
    if (d.metric == "ndcg@10") {
      EXPECT_GT(d.low, 0.0);
    }
  }
  EXPECT_EQ(better->sample_rows, 200u);
  ASSERT_TRUE(better->overlap.has_value());
  EXPECT_FALSE(better->thresholds.empty());
}

TEST_F(EvalTest, SameModelAgreesWithItself) {
  auto same = Run("hash:dim=16,model=old2");  // same vectors, another name
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_NEAR(*same->overlap, 1.0, 1e-9);
  EXPECT_NEAR(Delta(*same, "ndcg@10"), 0.0, 1e-6);
}

TEST_F(EvalTest, PilotNeverCommitsAndSampleKeepsJudgedRows) {
  auto info = table_->Info();
  ASSERT_TRUE(info.ok());
  const fs::path root = fs::path(wh_.dir());
  auto before = FilesUnder(root);
  auto r = Run("hash:dim=64,model=mid", 60);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sample_rows, 60u);  // 40 judged rows + 20 others
  ASSERT_TRUE(table_->Refresh().ok());
  auto after_info = table_->Info();
  ASSERT_TRUE(after_info.ok());
  EXPECT_EQ(after_info->snapshot_id, info->snapshot_id);
  EXPECT_EQ(after_info->metadata_location, info->metadata_location);
  auto after = FilesUnder(root);
  // The only new entries: the report and its eval/ folder.
  std::vector<std::string> added;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(added));
  ASSERT_GE(added.size(), 1u);
  for (const auto& a : added) EXPECT_NE(a.find("/eval"), std::string::npos) << a;
  EXPECT_EQ(std::count_if(added.begin(), added.end(), [](const std::string& a) { return a.ends_with(".json"); }), 1);
  auto latest = LatestEvalReport(*table_);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->id, r->id);
  EXPECT_EQ(latest->new_side.model, "mid@seed0");
  EXPECT_NE(EvalReportHtml(*latest).find("<svg"), std::string::npos);
}

TEST_F(EvalTest, GateAllowsAndRefuses) {
  EXPECT_EQ(CheckEvalGate(*table_, "ndcg@10>=old", "big@seed0").code(), StatusCode::kAborted);  // no report yet
  ASSERT_TRUE(Run("hash:dim=512,model=big").ok());
  EXPECT_TRUE(CheckEvalGate(*table_, "ndcg@10>=old", "big@seed0").ok());
  EXPECT_TRUE(CheckEvalGate(*table_, "recall@10 >= old", "big@seed0").ok());
  EXPECT_TRUE(CheckEvalGate(*table_, "mrr@10>=old-0.01", "big@seed0").ok());
  Status s = CheckEvalGate(*table_, "ndcg@10>=1.5", "big@seed0");
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_NE(s.message().find("ndcg@10 new"), std::string::npos) << s.message();
  EXPECT_EQ(CheckEvalGate(*table_, "ndcg@10>=old", "other").code(), StatusCode::kAborted);  // wrong model
  EXPECT_EQ(CheckEvalGate(*table_, "ndcg@5>=old", "big@seed0").code(), StatusCode::kAborted);     // other k
  Status bad = CheckEvalGate(*table_, "bleu@10>=old", "big@seed0");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("bleu@10>=old"), std::string::npos);
  EXPECT_EQ(CheckEvalGate(*table_, "ndcg@10 old", "big@seed0").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckEvalGate(*table_, "overlap@10>=old", "big@seed0").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(Run("hash:dim=2,model=tiny").ok());
  EXPECT_EQ(CheckEvalGate(*table_, "ndcg@10>=old", "tiny@seed0").code(), StatusCode::kAborted);
  EXPECT_EQ(CheckEvalGate(*table_, "overlap@10>=0.8", "tiny@seed0").code(), StatusCode::kAborted);
}

// ---- shadow mode: both models over the live rows a running job has embedded --------------------

std::vector<std::string> Added(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  std::vector<std::string> added;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(added));
  return added;
}

TEST_F(EvalTest, ShadowDualWriteRanksWorseBelowBetterAbove) {
  const fs::path root = fs::path(wh_.dir());
  std::map<std::string, EvalReport> reports;
  for (const std::string spec : {"hash:dim=512,model=big", "hash:dim=2,model=tiny"}) {
    auto job = Plan(spec, MigrationStrategy::kDualWriteThenCutover, false);
    ASSERT_TRUE(job);
    RunTasks(*job, 0, 4);
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(table_->Refresh().ok());
    auto info = table_->Info();
    ASSERT_TRUE(info.ok());
    const auto before = FilesUnder(root);
    auto r = Shadow(spec);
    ASSERT_TRUE(r.ok()) << spec << ": " << r.status().ToString();
    // Read-only: same snapshot and metadata; the only new file is the report.
    ASSERT_TRUE(table_->Refresh().ok());
    auto after_info = table_->Info();
    ASSERT_TRUE(after_info.ok());
    EXPECT_EQ(after_info->snapshot_id, info->snapshot_id);
    EXPECT_EQ(after_info->metadata_location, info->metadata_location);
    EXPECT_EQ(r->snapshot_id, info->snapshot_id);
    for (const auto& a : Added(before, FilesUnder(root))) EXPECT_NE(a.find("/eval"), std::string::npos) << a;
    EXPECT_EQ(r->mode, "shadow");
    EXPECT_EQ(r->job_id, (*job).info().job_id);
    EXPECT_EQ(r->sample_rows, 200u);  // every live row: all four staged outputs
    EXPECT_EQ(r->pending_rows, 0u);
    EXPECT_EQ(r->unpaired_rows, 0u);
    EXPECT_EQ(r->judged_queries, 40u);
    auto latest = LatestEvalReport(*table_);
    ASSERT_TRUE(latest.ok()) << latest.status().ToString();
    EXPECT_EQ(latest->id, r->id);
    EXPECT_EQ(latest->mode, "shadow");
    EXPECT_EQ(latest->sample_rows, 200u);
    EXPECT_EQ(latest->job_id, r->job_id);
    reports[spec] = std::move(*r);
    // The job is still running with nothing committed: the eval did not cut over.
    auto st = job->GetStatus();
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->running);
    EXPECT_EQ(st->finished, 4u);
    EXPECT_EQ(st->committed, 0u);
    ASSERT_TRUE(job->Abort().ok());
  }
  const EvalReport& better = reports["hash:dim=512,model=big"];
  const EvalReport& worse = reports["hash:dim=2,model=tiny"];
  EXPECT_GT(Delta(better, "ndcg@10"), 0.0);
  EXPECT_GT(Delta(better, "recall@10"), 0.0);
  EXPECT_LT(Delta(worse, "ndcg@10"), 0.0);
  EXPECT_LT(Delta(worse, "mrr@10"), 0.0);
  EXPECT_GT(better.wins.size(), better.losses.size());
  EXPECT_GT(worse.losses.size(), worse.wins.size());
  // The full table both ways: shadow ranks the stored vectors, pilot the same rows embedded in
  // memory, so they agree up to the stored precision.
  auto pilot = Run("hash:dim=512,model=big");
  ASSERT_TRUE(pilot.ok()) << pilot.status().ToString();
  EXPECT_NEAR(*better.old_side.ndcg, *pilot->old_side.ndcg, 1e-9);
  EXPECT_NEAR(*better.new_side.ndcg, *pilot->new_side.ndcg, 0.02);
}

TEST_F(EvalTest, ShadowAtomicReplaceKeepOldColumnCommittedAndFinished) {
  std::map<std::string, EvalReport> reports;
  for (const std::string spec : {"hash:dim=512,model=big", "hash:dim=2,model=tiny"}) {
    auto job = Plan(spec, MigrationStrategy::kAtomicReplace, true);
    ASSERT_TRUE(job);
    // Tasks 0 and 1 committed (their outputs are live, old vectors kept beside the new ones),
    // task 2 finished only (its output is uncommitted, its source live), task 3 never run.
    RunTasks(*job, 0, 2);
    ASSERT_FALSE(HasFatalFailure());
    auto c = job->Commit();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_FALSE(c->cut_over);
    RunTasks(*job, 2, 3);
    ASSERT_FALSE(HasFatalFailure());
    auto st = job->GetStatus();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->committed, 2u);
    EXPECT_EQ(st->finished, 1u);
    EXPECT_EQ(st->pending, 1u);
    ASSERT_TRUE(table_->Refresh().ok());
    auto info = table_->Info();
    ASSERT_TRUE(info.ok());
    auto r = Shadow(spec);
    ASSERT_TRUE(r.ok()) << spec << ": " << r.status().ToString();
    EXPECT_EQ(r->sample_rows, 150u);
    EXPECT_EQ(r->pending_rows, 50u);
    EXPECT_EQ(r->unpaired_rows, 0u);
    ASSERT_TRUE(table_->Refresh().ok());
    auto after = table_->Info();
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->snapshot_id, info->snapshot_id);
    auto st2 = job->GetStatus();
    ASSERT_TRUE(st2.ok());
    EXPECT_EQ(st2->committed, 2u);  // the eval committed nothing
    reports[spec] = std::move(*r);
    auto undo = job->AbortWithRollback();
    ASSERT_TRUE(undo.ok()) << undo.ToString();
  }
  EXPECT_GT(Delta(reports["hash:dim=512,model=big"], "ndcg@10"), 0.0);
  EXPECT_LT(Delta(reports["hash:dim=2,model=tiny"], "ndcg@10"), 0.0);
}

TEST_F(EvalTest, ShadowLeavesOutRowsDeletedAfterTheTasksRan) {
  // d1 deleted before the job: its task skips it, so staged rows are shifted against the source.
  ASSERT_TRUE(table_->DeleteIds({"d1"}).ok());
  auto job = Plan("hash:dim=512,model=big", MigrationStrategy::kDualWriteThenCutover, false);
  ASSERT_TRUE(job);
  RunTasks(*job, 0, 4);
  ASSERT_FALSE(HasFatalFailure());
  auto full = Shadow("hash:dim=512,model=big");
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->sample_rows, 199u);
  ASSERT_EQ(full->new_side.per_query_ndcg.size(), 40u);
  EXPECT_GT(full->new_side.per_query_ndcg[0], 0.0);  // q0 finds d0, q5 finds d5
  EXPECT_GT(full->new_side.per_query_ndcg[1], 0.0);
  EXPECT_GT(full->new_side.per_query_ndcg[12], 0.0);
  // Deleted after the tasks ran: the staged outputs still hold d0, d5 and d60, the table does not.
  ASSERT_TRUE(table_->DeleteIds({"d0", "d5", "d60"}).ok());
  auto r = Shadow("hash:dim=512,model=big");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sample_rows, 196u);
  EXPECT_EQ(r->pending_rows, 0u);
  ASSERT_EQ(r->new_side.per_query_ndcg.size(), full->new_side.per_query_ndcg.size());
  // Their only relevant rows are gone from both sides.
  for (size_t q : {0u, 1u, 12u}) {  // q0, q5, q60
    EXPECT_EQ(r->new_side.per_query_ndcg[q], 0.0) << q;
    EXPECT_EQ(r->old_side.per_query_ndcg[q], 0.0) << q;
  }
  // The source -> staged row mapping holds across the skipped row: the new model still wins.
  EXPECT_GT(Delta(*r, "ndcg@10"), 0.0);
}

TEST_F(EvalTest, ShadowErrorsSayWhatToRun) {
  const fs::path root = fs::path(wh_.dir());
  const auto before = FilesUnder(root);
  auto none = Shadow("hash:dim=512,model=big");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("migrate plan"), std::string::npos) << none.status().message();
  auto job = Plan("hash:dim=512,model=big", MigrationStrategy::kDualWriteThenCutover, false);
  ASSERT_TRUE(job);
  auto nothing = Shadow("hash:dim=512,model=big");
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nothing.status().message().find("ailake migrate run-task"), std::string::npos) << nothing.status().message();
  RunTasks(*job, 0, 1);
  ASSERT_FALSE(HasFatalFailure());
  auto other = Shadow("hash:dim=64,model=mid");  // not the job's model
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("big@seed0"), std::string::npos) << other.status().message();
  // No report was stored by a refused evaluation.
  for (const auto& a : Added(before, FilesUnder(root))) EXPECT_EQ(a.find("/eval"), std::string::npos) << a;
  auto some = Shadow("hash:dim=512,model=big");  // one task of four: a quarter of the table
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  EXPECT_EQ(some->sample_rows, 50u);
  EXPECT_EQ(some->pending_rows, 150u);
}

TEST_F(EvalTest, ShadowAtomicReplaceWithoutOldColumnComparesOnlyUncommittedTasks) {
  auto job = Plan("hash:dim=512,model=big", MigrationStrategy::kAtomicReplace, false);
  ASSERT_TRUE(job);
  RunTasks(*job, 0, 2);
  ASSERT_FALSE(HasFatalFailure());
  auto c = job->Commit();  // files 0 and 1 now hold only the new model's vectors
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  RunTasks(*job, 2, 3);
  ASSERT_FALSE(HasFatalFailure());
  auto r = Shadow("hash:dim=512,model=big");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sample_rows, 50u);     // task 2: old file live, new vectors in its uncommitted output
  EXPECT_EQ(r->unpaired_rows, 100u);  // committed without the old column: no old vectors left
  EXPECT_EQ(r->pending_rows, 50u);    // task 3 never ran
}

TEST(EvalFiles, ReadsBeirAndTrecQrelsAndQueries) {
  migrate::testing::TestWarehouse tmp;
  const std::string beir = tmp.dir() + "/q.tsv", trec = tmp.dir() + "/q.trec", jsonl = tmp.dir() + "/q.jsonl";
  std::ofstream(beir) << "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n";
  std::ofstream(trec) << "q1 0 d1 2\nq2 0 d3 1\n";
  std::ofstream(jsonl) << "{\"id\":\"q1\",\"text\":\"hello\"}\n{\"id\":2,\"text\":\"x\"}\n";
  auto b = ReadEvalQrels(beir);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)["q1"]["d1"], 2);
  EXPECT_EQ((*b)["q1"].size(), 2u);
  auto t = ReadEvalQrels(trec);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)["q2"]["d3"], 1);
  auto q = ReadEvalQueries(jsonl);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)[1].id, "2");
  std::ofstream(jsonl) << "{\"text\":1}\n";
  EXPECT_FALSE(ReadEvalQueries(jsonl).ok());
}

}  // namespace
}  // namespace ailake
