// ailake::Evaluate / CheckEvalGate on a generated labelled corpus: queries are perturbed chunk
// texts, the qrels point at their source chunk, so a model's quality ordering is known in advance.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ailake/eval.h"
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
    WriteOptions wo;
    wo.embedder = old_.get();
    auto r = table_->Add(rows, nullptr, 0, wo);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  Result<EvalReport> Run(const std::string& new_spec, size_t sample = 1000, bool save = true) {
    auto e = MakeEmbedder(new_spec);
    if (!e.ok()) return e.status();
    new_ = std::move(*e);
    EvalOptions o;
    o.queries = queries_;
    o.qrels = qrels_;
    o.k = 10;
    o.old_embedder = old_.get();
    o.new_embedder = new_.get();
    o.sample = sample;
    o.save = save;
    return Evaluate(*table_, o);
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
