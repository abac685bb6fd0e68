// `ailake eval` and `ailake migrate commit --require` as a user runs them: the gate refuses a
// cutover to a model the latest report shows is worse, and allows one shown to be at least as good.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/cli_test_util.h"
#include "testing/chromium.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class CliEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    // 200 rows of 8 random words; every 5th row's text with two words replaced is a query whose
    // only relevant row is its source.
    std::mt19937_64 rng(11);
    std::ofstream rows(dir_.path() / "rows.jsonl"), queries(dir_.path() / "q.jsonl"), qrels(dir_.path() / "qrels.tsv");
    qrels << "query-id\tcorpus-id\tscore\n";
    for (int i = 0; i < 200; ++i) {
      std::vector<std::string> w;
      for (int j = 0; j < 8; ++j) w.push_back("w" + std::to_string(rng() % 300));
      auto join = [&] {
        std::string s;
        for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
        return s;
      };
      rows << json({{"id", "r" + std::to_string(i)}, {"chunk_text", join()}}).dump() << "\n";
      if (i % 5 == 0) {
        w[rng() % 8] = "w" + std::to_string(rng() % 300);
        w[rng() % 8] = "w" + std::to_string(rng() % 300);
        queries << json({{"id", "q" + std::to_string(i)}, {"text", join()}}).dump() << "\n";
        qrels << "q" << i << "\tr" << i << "\t1\n";
      }
    }
  }
  testing::CliOut Cli(std::vector<std::string> args) { return testing::RunCli(std::move(args), wh_); }
  std::string P(const std::string& name) { return (dir_.path() / name).string(); }
  void MakeTable() {
    ASSERT_EQ(Cli({"create", "t", "--dim", "16", "--model", "hash-16@seed0"}).code, 0);
    auto ins = Cli({"insert", "t", P("rows.jsonl"), "--embedder", "hash:dim=16,seed=0"});
    ASSERT_EQ(ins.code, 0) << ins.err;
  }
  testing::CliOut Eval(const std::string& spec) {
    return Cli({"eval", "t", "--queries", P("q.jsonl"), "--qrels", P("qrels.tsv"), "--embedder", spec, "--old-embedder",
                "hash:dim=16,seed=0", "--format", "json", "--html", P("report.html")});
  }
  std::set<std::string> MetadataFiles() {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(wh_) / "default/t/metadata")) out.insert(e.path().string());
    return out;
  }

  ailake::test_util::TempDir dir_{"cli_eval"};
  std::string wh_;
};

TEST_F(CliEvalTest, ReportJsonHtmlAndNothingCommitted) {
  MakeTable();
  const auto before = MetadataFiles();
  auto r = Eval("hash:dim=512,seed=0,model=big");
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["new_model"], "big@seed0");
  EXPECT_EQ(j["judged_queries"], 40);
  EXPECT_GT(j["new"]["ndcg"].get<double>(), j["old"]["ndcg"].get<double>());
  EXPECT_TRUE(fs::exists(fs::path(wh_) / "default/t" / j["path"].get<std::string>()));
  EXPECT_EQ(MetadataFiles(), before);  // no metadata file, so no snapshot and no property change
  std::ifstream in(P("report.html"));
  std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

// The HTML report as a reader sees it: headless Chromium renders the file `eval --html` wrote, with
// every host name unresolvable; the rendered page holds both models, every metric, the four SVG
// plots and the threshold mapping, and references no URL at all. Screenshot: build/eval_report.png.
TEST_F(CliEvalTest, HtmlReportRendersInHeadlessChromium) {
  MakeTable();
  auto r = Eval("hash:dim=512,seed=0,model=big");
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_FALSE(j["thresholds"].empty()) << "the report has no threshold mapping to render: " << r.out;
  test_util::HeadlessChromium chromium(dir_.path() / "chromium-profile");
  const std::string url = "file://" + P("report.html");
  std::string dom;
  ASSERT_TRUE(chromium.DumpDom(url, &dom));
  for (const char* want : {"Evaluation of big@seed0 against hash-16@seed0", "recall@k", "nDCG@k", "MRR@k", "ms/query",
                           "95% CI", "Top-k distance histogram", "Per-query nDCG delta", "Threshold mapping",
                           "share of old top-k hits", "40 judged"}) {
    EXPECT_NE(dom.find(want), std::string::npos) << "'" << want << "' missing from the rendered report";
  }
  // One row per model in the summary table, each under its own name.
  EXPECT_NE(dom.find("<td>big@seed0</td>"), std::string::npos);
  EXPECT_NE(dom.find("<td>hash-16@seed0</td>"), std::string::npos);
  // The four plots, each an inline SVG the browser parsed (it adds nothing it would have to fetch).
  for (const char* plot : {"aria-label=\"metrics\"", "aria-label=\"distance histogram\"",
                           "aria-label=\"per-query nDCG delta\"", "aria-label=\"threshold mapping\""}) {
    EXPECT_NE(dom.find(plot), std::string::npos) << plot << " missing";
  }
  size_t svgs = 0;
  for (size_t at = dom.find("<svg"); at != std::string::npos; at = dom.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 4u);
  EXPECT_NE(dom.find("class=\"map\""), std::string::npos) << "the threshold curve is missing";
  // Every row of the mapping in the report's JSON is a row of the rendered mapping table.
  const size_t mapping = dom.find("share of old top-k hits");
  ASSERT_NE(mapping, std::string::npos);
  const std::string table = dom.substr(mapping, dom.find("</table>", mapping) - mapping);
  for (const auto& t : j["thresholds"]) {
    char row[128];
    std::snprintf(row, sizeof row, "<tr><td>%.4f</td><td>%.2f</td><td>%.4f</td></tr>", t["old"].get<double>(),
                  t["fraction"].get<double>(), t["new"].get<double>());
    EXPECT_NE(table.find(row), std::string::npos) << row << " missing from the mapping table: " << table;
  }
  EXPECT_TRUE(test_util::OnlyUrlsUnder(dom, ""));
  EXPECT_EQ(dom.find("<script"), std::string::npos);
  const fs::path shot = fs::path(AILAKE_BINARY_DIR) / "eval_report.png";
  ASSERT_TRUE(chromium.Screenshot(url, shot, 1000, 1400));
  std::printf("eval report screenshot: %s\n", shot.string().c_str());
}

TEST_F(CliEvalTest, GateRefusesWorseModelAndAllowsBetter) {
  MakeTable();
  // A job to the tiny model, evaluated: the gate refuses its cutover.
  ASSERT_EQ(Cli({"migrate", "plan", "t", "--embedder", "hash:dim=2,seed=0,model=tiny"}).code, 0);
  auto no_report = Cli({"migrate", "commit", "t", "--require", "ndcg@10>=old"});
  EXPECT_EQ(no_report.code, 1);
  EXPECT_NE(no_report.err.find("no evaluation report"), std::string::npos) << no_report.err;
  ASSERT_EQ(Eval("hash:dim=2,seed=0,model=tiny").code, 0);
  auto refused = Cli({"migrate", "commit", "t", "--require", "ndcg@10>=old"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("cutover refused"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("ndcg@10 new"), std::string::npos) << refused.err;
  auto bad = Cli({"migrate", "commit", "t", "--require", "ndcg@10=>old"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("ndcg@10=>old"), std::string::npos) << bad.err;
  // A report for another model does not count.
  ASSERT_EQ(Eval("hash:dim=512,seed=0,model=big").code, 0);
  auto other = Cli({"migrate", "commit", "t", "--require", "recall@10>=old"});
  EXPECT_EQ(other.code, 1);
  EXPECT_NE(other.err.find("tiny@seed0"), std::string::npos) << other.err;
  ASSERT_EQ(Cli({"migrate", "abort", "t"}).code, 0);
  // A job to the big model passes the gate: the commit goes ahead (here: nothing finished yet, so
  // it lists the remaining task and exits 0 without cutting over).
  ASSERT_EQ(Cli({"migrate", "plan", "t", "--embedder", "hash:dim=512,seed=0,model=big"}).code, 0);
  auto allowed = Cli({"migrate", "commit", "t", "--require", "ndcg@10>=old", "--format", "json"});
  EXPECT_EQ(allowed.code, 0) << allowed.err;
  EXPECT_EQ(json::parse(allowed.out)["cut_over"], false);
  auto also = Cli({"migrate", "commit", "t", "--require", "mrr@10>=old-0.01"});
  EXPECT_EQ(also.code, 0) << also.err;
}

TEST_F(CliEvalTest, ShadowModeOnAStagedDualWriteJob) {
  MakeTable();
  // Before any job: a usage error that says what to run.
  auto early = Cli({"eval", "t", "--mode", "shadow", "--queries", P("q.jsonl"), "--qrels", P("qrels.tsv"), "--embedder",
                    "hash:dim=512,seed=0,model=big", "--old-embedder", "hash:dim=16,seed=0"});
  EXPECT_EQ(early.code, 2);
  EXPECT_NE(early.err.find("migrate plan"), std::string::npos) << early.err;
  auto plan = Cli({"migrate", "plan", "t", "--embedder", "hash:dim=512,seed=0,model=big", "--strategy", "dual-write-then-cutover",
                   "--format", "json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto pj = json::parse(plan.out);
  ASSERT_GE(pj["tasks"].size(), 1u);
  for (const auto& t : pj["tasks"]) {
    auto r = Cli({"migrate", "run-task", "t", "--task", t["task"].get<std::string>()});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const auto before = MetadataFiles();
  auto r = Cli({"eval", "t", "--mode", "shadow", "--queries", P("q.jsonl"), "--qrels", P("qrels.tsv"), "--embedder",
                "hash:dim=512,seed=0,model=big", "--old-embedder", "hash:dim=16,seed=0", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["mode"], "shadow");
  EXPECT_EQ(j["sample_rows"], 200);  // covered: every live row, from the staged outputs
  EXPECT_EQ(j["pending_rows"], 0);
  EXPECT_FALSE(j["job_id"].get<std::string>().empty());
  EXPECT_GT(j["new"]["ndcg"].get<double>(), j["old"]["ndcg"].get<double>());
  EXPECT_EQ(MetadataFiles(), before);  // nothing committed
  auto text = Cli({"eval", "t", "--mode", "shadow", "--queries", P("q.jsonl"), "--qrels", P("qrels.tsv"), "--embedder",
                   "hash:dim=512,seed=0,model=big", "--old-embedder", "hash:dim=16,seed=0"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("shadow"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("200 rows covered, 0 not reached"), std::string::npos) << text.out;
  auto sampled = Cli({"eval", "t", "--mode", "shadow", "--sample", "10", "--queries", P("q.jsonl"), "--embedder",
                      "hash:dim=512,seed=0,model=big", "--old-embedder", "hash:dim=16,seed=0"});
  EXPECT_EQ(sampled.code, 2);
  EXPECT_NE(sampled.err.find("--mode pilot"), std::string::npos) << sampled.err;
  // The shadow report gates the cutover like a pilot one.
  auto cut = Cli({"migrate", "commit", "t", "--require", "ndcg@10>=old", "--format", "json"});
  ASSERT_EQ(cut.code, 0) << cut.err;
  EXPECT_EQ(json::parse(cut.out)["cut_over"], true);
}

}  // namespace
}  // namespace ailake::cli
