// MigrationJob end to end through the library: both strategies on a multi-file table, dimension and
// metric change, deletes before and during, null-text policies, bad options, resume of finished
// tasks without re-embedding.
#include "migrate/migration_job.h"

#include <gtest/gtest.h>

#include <cmath>

#include "embed/hash_embedder.h"
#include "migrate/job_store.h"
#include "migrate/migrate_test_util.h"
#include "table/maintenance.h"
#include "table/table_delete.h"
#include "testing/temp_dir.h"

namespace ailake::migrate {
namespace {

using testing::AppendRows;
using testing::RowText;
using testing::ScanTable;

class MigrationJobTest : public ::testing::TestWithParam<Strategy> {
 protected:
  void SetUp() override {
    cat_ = std::move(*catalog::OpenCatalog("fs", dir_.string()));
    table::TableOptions o;
    o.model = old_embedder_.model();
    o.model.metric = VectorMetric::kCosine;
    o.policy.flat_threshold_rows = 100;
    auto t = table::Table::Create(*cat_, *catalog::TableIdent::Parse("docs"), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }

  MigrationOptions Options() {
    MigrationOptions o;
    o.embedder_spec = "hash:dim=48,seed=7";
    o.new_model.name = "hash-48";
    o.new_model.version = "seed7";
    o.new_metric = VectorMetric::kDot;
    o.strategy = GetParam();
    o.batch_size = 37;
    o.concurrency = 3;
    return o;
  }

  // Every live row: present once, text intact, vector equal to the new embedder's output.
  void ExpectMigrated(const std::set<int64_t>& ids, const std::string& column) {
    auto rows = ScanTable(*table_, column);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), ids.size());
    for (int64_t i : ids) {
      auto it = rows->find("r" + std::to_string(i));
      ASSERT_NE(it, rows->end()) << "row " << i << " is missing";
      ASSERT_EQ(it->second.text, RowText(i));
      std::vector<float> want;
      ASSERT_TRUE(new_embedder_.Embed({it->second.text}, &want).ok());
      ASSERT_EQ(it->second.vector.size(), want.size());
      for (size_t d = 0; d < want.size(); ++d) {
        ASSERT_NEAR(it->second.vector[d], want[d], 2e-3 * std::max(1.0f, std::fabs(want[d]))) << "row " << i;
      }
    }
  }

  test_util::TempDir tmp_{"migrate", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<table::Table> table_;
  embed::HashEmbedder old_embedder_{32, 0};
  embed::HashEmbedder new_embedder_{48, 7};
};

TEST_P(MigrationJobTest, RewritesEveryRowWithTheNewModel) {
  ASSERT_TRUE(AppendRows(*table_, old_embedder_, 0, 700, 200).ok());
  ASSERT_TRUE(AppendRows(*table_, old_embedder_, 700, 300, 200).ok());
  auto del = table::DeleteWhere(*table_, "id IN ('r5', 'r250', 'r999')");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
  EXPECT_EQ(r->tasks_run, 6u);
  EXPECT_EQ(r->texts_embedded, 997);

  std::set<int64_t> ids;
  for (int64_t i = 0; i < 1000; ++i) {
    if (i != 5 && i != 250 && i != 999) ids.insert(i);
  }
  ExpectMigrated(ids, "embedding");
  const auto& vc = table_->vectors();
  EXPECT_EQ(vc.model.Id(), "hash-48@seed7");
  EXPECT_EQ(vc.model.dim, 48u);
  EXPECT_EQ(vc.model.metric, VectorMetric::kDot);
  EXPECT_EQ(table_->metadata().properties.count(kPropMigration), 0u);
  const iceberg::NestedField* f = table_->schema().FindField("embedding");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type->fixed_length, 96);
  EXPECT_EQ(f->id, (*job)->doc().new_field_id);
  auto v = table::VerifyTable(*table_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->problems.empty()) << v->problems.front();

  // Search with the new model works; the old model is refused (its column is gone).
  std::vector<float> q;
  ASSERT_TRUE(new_embedder_.Embed({RowText(42)}, &q).ok());
  table::SearchOptions so;
  so.k = 1;
  so.model = new_embedder_.model();
  auto hits = table::SearchTable(*table_, q.data(), so, nullptr);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->hits.size(), 1u);
  // No staged leftovers.
  auto staged = cat_->store().List((*job)->doc().staging_prefix);
  ASSERT_TRUE(staged.ok());
  for (const auto& o : *staged) {
    EXPECT_TRUE(table_->locations().KeyOf(cat_->LocationOf(o.key)).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, MigrationJobTest,
                         ::testing::Values(Strategy::kAtomicReplace, Strategy::kDualWriteThenCutover),
                         [](const auto& info) {
                           return info.param == Strategy::kAtomicReplace ? std::string("AtomicReplace")
                                                                         : std::string("DualWrite");
                         });

}  // namespace
}  // namespace ailake::migrate
