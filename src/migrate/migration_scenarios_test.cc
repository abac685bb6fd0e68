// MigrationJob scenarios through the library, each over both strategies (guide §5, docs/MIGRATION.md):
// dimension / metric / precision changes, dual vector columns (keep_old_column) and old-model search
// during a run, appends from another process while a job runs (and writers that straddle the
// cutover), deletes before / between / during a run, null-text policies, resume and abort, and two
// processes racing on one task.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "embed/hash_embedder.h"
#include "iceberg/snapshot_files.h"
#include "iceberg/table_change.h"
#include "migrate/job_store.h"
#include "migrate/migrate_test_util.h"
#include "migrate/migration_job.h"
#include "table/maintenance.h"
#include "table/table_delete.h"
#include "testing/fork_child.h"

namespace ailake::migrate {
namespace {

using testing::AppendRows;
using testing::CurrentFiles;
using testing::CurrentSnapshotId;
using testing::DataFilePaths;
using testing::ListKeys;
using testing::RowsEmbeddedBy;
using testing::RowText;
using testing::ScanTable;
using testing::TestEmbedder;
using testing::TestWarehouse;

std::set<int64_t> Range(int64_t begin, int64_t end) {
  std::set<int64_t> s;
  for (int64_t i = begin; i < end; ++i) s.insert(i);
  return s;
}

// "id IN ('r1', 'r2', ...)"
std::string IdsIn(const std::vector<int64_t>& ids) {
  std::string w = "id IN (";
  for (size_t i = 0; i < ids.size(); ++i) w += (i ? ", 'r" : "'r") + std::to_string(ids[i]) + "'";
  return w + ")";
}

int64_t IdOf(const std::string& id) { return std::stoll(id.substr(1)); }

class MigrationScenarioTest : public ::testing::TestWithParam<Strategy> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wh_.ok());
    auto t = wh_.CreateTable("docs", old_embedder_.model());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }

  bool atomic() const { return GetParam() == Strategy::kAtomicReplace; }

  // 32-d cosine (hash seed 0) -> 48-d dot (hash seed 7).
  MigrationOptions Options() const {
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
  EmbeddingModelInfo NewModel() const {
    EmbeddingModelInfo m = new_embedder_.model();
    m.metric = VectorMetric::kDot;
    return m;
  }

  void Fill(int64_t n, int64_t file_rows, int64_t null_every = 0) {
    Status st = AppendRows(*table_, old_embedder_, 0, n, file_rows, null_every);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  static void ExpectHealthy(table::Table& t) {
    ASSERT_TRUE(t.Refresh().ok());
    auto v = table::VerifyTable(t);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->problems.empty()) << v->problems.front();
    // No position-delete file outlives the data file it targets: a migration (or compaction) that
    // replaces a file drops its delete files in the same commit.
    auto files = iceberg::ReadSnapshotFiles(t.catalog().store(), t.locations(), t.metadata().CurrentSnapshot());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    std::set<std::string> live;
    for (const auto& e : files->data_files) live.insert(e.file.file_path);
    for (const auto& d : files->delete_files) {
      EXPECT_TRUE(live.count(iceberg::PositionDeleteTarget(d.file)))
          << d.file.file_path << " targets " << iceberg::PositionDeleteTarget(d.file) << ", which is not live";
    }
  }

  // Every staged object the job left is a live data file (nothing orphaned).
  void ExpectNoStrayStaged(table::Table& t, const MigrationJobDoc& doc) {
    auto live = DataFilePaths(t);
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    const std::set<std::string> live_set(live->begin(), live->end());
    for (const auto& key : ListKeys(wh_.store(), doc.staging_prefix)) {
      EXPECT_TRUE(live_set.count(wh_.catalog().LocationOf(key))) << "staged object " << key << " is not live";
    }
  }

  // Searches with `embedder`'s vector of `text`, returning the hits' ids.
  // With `ctx`, through its caches (a warm caller's path) instead of cold.
  static Result<table::SearchResult> Search(table::Table& t, embed::Embedder& embedder, const std::string& text,
                                            size_t k, const EmbeddingModelInfo& model, bool exact = false,
                                            const table::SearchContext* ctx = nullptr) {
    std::vector<float> q;
    AILAKE_RETURN_IF_ERROR(embedder.Embed({text}, &q));
    table::SearchOptions so;
    so.k = k;
    so.exact = exact;
    so.model = model;
    so.columns = {"id"};
    so.threads = 2;
    if (ctx) {
      AILAKE_ASSIGN_OR_RETURN(auto r, table::SearchTableBatch(t, q.data(), 1, so, *ctx));
      return std::move(r[0]);
    }
    return table::SearchTable(t, q.data(), so, nullptr);
  }
  static std::vector<std::string> HitIds(const table::SearchResult& r) {
    std::vector<std::string> ids;
    for (int64_t i = 0; i < r.values.num_rows; ++i) ids.emplace_back(r.values.columns[0].StringValue(i));
    return ids;
  }

  // The table after the cutover: properties, Iceberg schema, per-file manifest stats and AILK footer
  // of `column` all name the new model.
  void ExpectCutover(table::Table& t, const MigrationJobDoc& doc, const std::string& column, const std::string& model,
                     const std::string& version, uint32_t dim, VectorMetric metric, VectorPrecision precision) {
    ASSERT_TRUE(t.Refresh().ok());
    const auto& p = t.metadata().properties;
    auto prop = [&](const char* k) { return p.count(k) ? p.at(k) : std::string("<missing>"); };
    EXPECT_EQ(prop(table::kPropVectorColumn), column);
    EXPECT_EQ(prop(table::kPropDim), std::to_string(dim));
    EXPECT_EQ(prop(table::kPropMetric), MetricName(metric));
    EXPECT_EQ(prop(table::kPropPrecision), PrecisionName(precision));
    EXPECT_EQ(prop(table::kPropModel), model);
    EXPECT_EQ(prop(table::kPropModelVersion), version);
    EXPECT_EQ(p.count(kPropMigration), 0u);
    EXPECT_EQ(prop("ailake.last-migration"), doc.job_id);

    const iceberg::NestedField* f = t.schema().FindField(column);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->id, doc.new_field_id);
    EXPECT_GT(doc.new_field_id, doc.old_field_id);
    ASSERT_TRUE(f->type && f->type->id == iceberg::TypeId::kFixed);
    EXPECT_EQ(f->type->fixed_length, static_cast<int>(vec::RowBytes(precision, dim)));
    EXPECT_GE(t.metadata().last_column_id, doc.new_field_id);

    auto files = CurrentFiles(t);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    ASSERT_FALSE(files->data_files.empty());
    for (const auto& e : files->data_files) {
      const std::string& path = e.file.file_path;
      auto st = files->vector_stats.find(path);
      ASSERT_NE(st, files->vector_stats.end()) << path << " has no vector stats";
      const iceberg::FileVectorStats* s = nullptr;
      for (const auto& c : st->second) {
        if (c.column == column) s = &c;
      }
      ASSERT_NE(s, nullptr) << path << " has no stats for column " << column;
      EXPECT_EQ(s->model, model) << path;
      EXPECT_EQ(s->model_version, version) << path;
      EXPECT_EQ(s->dim, dim) << path;
      EXPECT_EQ(s->metric, metric) << path;
      EXPECT_EQ(s->precision, precision) << path;
      EXPECT_EQ(s->centroid.size(), dim) << path;

      auto key = t.locations().KeyOf(path);
      ASSERT_TRUE(key.ok());
      auto readable = wh_.store().OpenReadable(*key);
      ASSERT_TRUE(readable.ok()) << readable.status().ToString();
      auto reader = file::AiLakeFileReader::Open(*readable);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      ASSERT_FALSE((*reader)->vector_columns().empty());
      const file::VectorColumnMeta& m = (*reader)->vector_columns()[0];  // the new column comes first
      EXPECT_EQ(m.name, column) << path;
      EXPECT_EQ(m.model.name, model) << path;
      EXPECT_EQ(m.model.version, version) << path;
      EXPECT_EQ(m.model.dim, dim) << path;
      EXPECT_EQ(m.model.metric, metric) << path;
      EXPECT_EQ(m.precision, precision) << path;
    }
    ExpectHealthy(t);
  }

  TestWarehouse wh_;
  embed::HashEmbedder old_embedder_{32, 0};
  embed::HashEmbedder new_embedder_{48, 7};
  std::unique_ptr<table::Table> table_;
};

// ---------------------------------------------------------------------------------------------
// 1. Dimension, metric and precision changes.

TEST_P(MigrationScenarioTest, ShrinksTo16dEuclideanF32) {
  embed::HashEmbedder wide(48, 3);
  auto t = wh_.CreateTable("wide", wide.model());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(AppendRows(**t, wide, 0, 360, 120).ok());
  MigrationOptions o = Options();
  o.embedder_spec = "hash:dim=16,seed=5";
  o.new_model.name = "hash-16";
  o.new_model.version = "v2";
  o.new_metric = VectorMetric::kEuclidean;
  o.new_precision = VectorPrecision::kF32;
  auto job = MigrationJob::Plan(**t, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
  EXPECT_EQ(r->tasks_run, 3u);
  EXPECT_EQ(r->texts_embedded, 360);

  ExpectCutover(**t, (*job)->doc(), "embedding", "hash-16", "v2", 16, VectorMetric::kEuclidean, VectorPrecision::kF32);
  embed::HashEmbedder narrow(16, 5);
  EXPECT_TRUE(RowsEmbeddedBy(**t, Range(0, 360), "embedding", narrow, 1e-6f));  // f32: stored exactly

  EmbeddingModelInfo m = narrow.model();
  m.name = "hash-16";
  m.version = "v2";
  m.metric = VectorMetric::kEuclidean;
  auto hits = Search(**t, narrow, RowText(123), 1, m);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(HitIds(*hits).size(), 1u);
  EXPECT_EQ(HitIds(*hits)[0], "r123");
  EXPECT_NEAR(hits->hits[0].distance, 0.0f, 1e-5f);
  EXPECT_EQ(hits->files_other_model, 0u);
  ExpectNoStrayStaged(**t, (*job)->doc());
}

TEST_P(MigrationScenarioTest, ChangesToNormalizedCosine) {
  Fill(300, 100);
  MigrationOptions o = Options();
  o.embedder_spec = "hash:dim=24,seed=9";
  o.new_model.name = "hash-24";
  o.new_model.version = "nc";
  o.new_metric = VectorMetric::kNormalizedCosine;
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
  ExpectCutover(*table_, (*job)->doc(), "embedding", "hash-24", "nc", 24, VectorMetric::kNormalizedCosine,
                VectorPrecision::kF16);
  embed::HashEmbedder e24(24, 9);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 300), "embedding", e24, 2e-3f));
  EmbeddingModelInfo m = e24.model();
  m.name = "hash-24";
  m.version = "nc";
  m.metric = VectorMetric::kNormalizedCosine;
  auto hits = Search(*table_, e24, RowText(211), 1, m);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(HitIds(*hits).size(), 1u);
  EXPECT_EQ(HitIds(*hits)[0], "r211");
  // The old model is gone from the table: its queries are refused, not answered from other vectors.
  auto old = Search(*table_, old_embedder_, RowText(211), 1, old_embedder_.model());
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), StatusCode::kInvalidArgument);
}

// Every data column (typed extras too) survives the rewrite unchanged; here with i8 storage.
TEST_P(MigrationScenarioTest, KeepsEveryDataColumnWhenChangingToI8) {
  auto t = wh_.CreateTable("typed", old_embedder_.model(), {{"n", "int"}, {"tag", "string"}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(AppendRows(**t, old_embedder_, 0, 250, 100).ok());
  auto read_all = [&](table::Table& tt) -> std::map<std::string, std::vector<std::string>> {
    std::map<std::string, std::vector<std::string>> out;
    auto files = CurrentFiles(tt);
    if (!files.ok()) return out;
    auto schema = tt.DataSchema();
    if (!schema.ok()) return out;
    std::vector<std::string> names;
    for (const auto& f : schema->fields) names.push_back(f.name);
    for (const auto& e : files->data_files) {
      auto key = tt.locations().KeyOf(e.file.file_path);
      if (!key.ok()) continue;
      auto readable = wh_.store().OpenReadable(*key);
      if (!readable.ok()) continue;
      auto reader = file::AiLakeFileReader::Open(*readable);
      if (!reader.ok()) continue;
      auto idx = (*reader)->parquet().FieldIndices(names);
      if (!idx.ok()) continue;
      auto b = (*reader)->parquet().ReadAll(*idx);
      if (!b.ok()) continue;
      for (int64_t r = 0; r < b->num_rows; ++r) {
        std::vector<std::string> values;
        for (size_t c = 0; c < names.size(); ++c) {
          const parquet::Column& col = b->columns[c];
          if (!col.IsValid(r)) {
            values.push_back("<null>");
          } else if (col.type() == parquet::DataType::kInt32) {
            values.push_back(std::to_string(col.Value<int32_t>(r)));
          } else {
            values.emplace_back(col.StringValue(r));
          }
        }
        out[values[0]] = values;
      }
    }
    return out;
  };
  const auto before = read_all(**t);
  ASSERT_EQ(before.size(), 250u);
  ASSERT_EQ(before.begin()->second.size(), 6u);  // id, doc_id, chunk_text, metadata, n, tag
  MigrationOptions o = Options();
  o.embedder_spec = "hash:dim=64,seed=4";
  o.new_model.name = "hash-64";
  o.new_model.version = "i8";
  o.new_metric = VectorMetric::kCosine;
  o.new_precision = VectorPrecision::kI8;
  auto job = MigrationJob::Plan(**t, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectCutover(**t, (*job)->doc(), "embedding", "hash-64", "i8", 64, VectorMetric::kCosine, VectorPrecision::kI8);
  EXPECT_EQ(before, read_all(**t));
  ASSERT_NE((*t)->schema().FindField("n"), nullptr);
  ASSERT_NE((*t)->schema().FindField("tag"), nullptr);
  embed::HashEmbedder e64(64, 4);
  EXPECT_TRUE(RowsEmbeddedBy(**t, Range(0, 250), "embedding", e64, 5e-3f));  // i8: max|x| / 254 per element
}

// A table with no snapshot yet: the cutover alone switches it, and new-model appends then work.
TEST_P(MigrationScenarioTest, EmptyTableIsSwitchedByTheCutoverAlone) {
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ((*job)->doc().base_snapshot_id, 0);
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
  EXPECT_EQ(r->tasks_run, 0u);
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->vectors().model.Id(), "hash-48@seed7");
  EXPECT_EQ(table_->vectors().model.dim, 48u);
  EXPECT_EQ(table_->schema().FindField("embedding")->id, (*job)->doc().new_field_id);
  EXPECT_EQ(table_->metadata().properties.count(kPropMigration), 0u);
  ASSERT_TRUE(AppendRows(*table_, new_embedder_, 0, 50, 50).ok());
  auto hits = Search(*table_, new_embedder_, RowText(17), 1, NewModel());
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(HitIds(*hits).size(), 1u);
  EXPECT_EQ(HitIds(*hits)[0], "r17");
}

// ---------------------------------------------------------------------------------------------
// 2. Dual vector columns.

TEST_P(MigrationScenarioTest, KeepOldColumnServesBothModels) {
  Fill(400, 100);
  auto before = ScanTable(*table_, "embedding");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const int32_t old_field_id = table_->schema().FindField("embedding")->id;
  MigrationOptions o = Options();
  o.keep_old_column = true;
  o.new_column = "embedding_v2";
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->cut_over);
  EXPECT_EQ((*job)->doc().old_field_id, old_field_id);

  ExpectCutover(*table_, (*job)->doc(), "embedding_v2", "hash-48", "seed7", 48, VectorMetric::kDot, VectorPrecision::kF16);
  // The old column is still in the schema with its own field id and type.
  const iceberg::NestedField* of = table_->schema().FindField("embedding");
  ASSERT_NE(of, nullptr);
  EXPECT_EQ(of->id, old_field_id);
  EXPECT_EQ(of->type->fixed_length, static_cast<int>(vec::RowBytes(VectorPrecision::kF16, 32)));

  // Every file holds both columns, each tagged with its model (footer and manifest).
  auto files = CurrentFiles(*table_);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->data_files.size(), 4u);
  for (const auto& e : files->data_files) {
    auto key = table_->locations().KeyOf(e.file.file_path);
    ASSERT_TRUE(key.ok());
    auto reader = file::AiLakeFileReader::Open(*wh_.store().OpenReadable(*key));
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    const auto& cols = (*reader)->vector_columns();
    ASSERT_EQ(cols.size(), 2u) << e.file.file_path;
    EXPECT_EQ(cols[0].name, "embedding_v2");
    EXPECT_EQ(cols[0].model.Id(), "hash-48@seed7");
    EXPECT_EQ(cols[1].name, "embedding");
    EXPECT_EQ(cols[1].model.Id(), old_embedder_.model().Id());
    EXPECT_EQ(cols[1].model.dim, 32u);
    const auto& stats = files->vector_stats.at(e.file.file_path);
    std::map<std::string, std::string> by_column;
    for (const auto& s : stats) by_column[s.column] = s.model + "@" + s.model_version;
    EXPECT_EQ(by_column["embedding_v2"], "hash-48@seed7");
    EXPECT_EQ(by_column["embedding"], old_embedder_.model().Id());
  }

  // Old vectors are bit-identical (f16 -> f32 -> f16 is exact); new ones are the new model's.
  auto after = ScanTable(*table_, "embedding");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->size(), before->size());
  for (const auto& [id, row] : *before) {
    auto it = after->find(id);
    ASSERT_NE(it, after->end()) << id;
    ASSERT_EQ(it->second.vector.size(), row.vector.size());
    EXPECT_EQ(std::memcmp(it->second.vector.data(), row.vector.data(), row.vector.size() * sizeof(float)), 0) << id;
  }
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 400), "embedding_v2", new_embedder_, 2e-3f));

  // Both vector columns are excluded from the data columns.
  auto data = table_->DataSchema();
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->FieldIndex("embedding"), -1);
  EXPECT_EQ(data->FieldIndex("embedding_v2"), -1);
  EXPECT_EQ(data->fields.size(), 4u);

  // Old-model queries go to the old column of every file; new-model queries to the new column.
  auto old_hits = Search(*table_, old_embedder_, RowText(321), 1, old_embedder_.model());
  ASSERT_TRUE(old_hits.ok()) << old_hits.status().ToString();
  ASSERT_EQ(HitIds(*old_hits).size(), 1u);
  EXPECT_EQ(HitIds(*old_hits)[0], "r321");
  EXPECT_EQ(old_hits->files_other_model, 0u);
  EXPECT_EQ(old_hits->files_total, 4u);
  auto new_hits = Search(*table_, new_embedder_, RowText(321), 1, NewModel());
  ASSERT_TRUE(new_hits.ok()) << new_hits.status().ToString();
  ASSERT_EQ(HitIds(*new_hits).size(), 1u);
  EXPECT_EQ(HitIds(*new_hits)[0], "r321");
  EXPECT_EQ(new_hits->files_other_model, 0u);
  // A warm caller's snapshot plan remembers each model's files apart (SnapshotPlan::model_files):
  // old, new and old again through one plan cache answer as the cold searches did.
  table::FileCache cache;
  table::SnapshotPlanCache plans;
  const table::SearchContext warm{&cache, &plans, nullptr};
  for (int round = 0; round < 2; ++round) {
    for (bool use_new : {false, true}) {
      SCOPED_TRACE(std::string(use_new ? "new" : "old") + " model, round " + std::to_string(round));
      auto r = use_new ? Search(*table_, new_embedder_, RowText(321), 3, NewModel(), false, &warm)
                       : Search(*table_, old_embedder_, RowText(321), 3, old_embedder_.model(), false, &warm);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_FALSE(HitIds(*r).empty());
      EXPECT_EQ(HitIds(*r)[0], "r321");
      EXPECT_EQ(r->files_total, 4u);
      EXPECT_EQ(r->files_other_model, 0u);
      auto cold = use_new ? Search(*table_, new_embedder_, RowText(321), 3, NewModel())
                          : Search(*table_, old_embedder_, RowText(321), 3, old_embedder_.model());
      ASSERT_TRUE(cold.ok());
      EXPECT_EQ(HitIds(*r), HitIds(*cold));
      ASSERT_EQ(r->hits.size(), cold->hits.size());
      for (size_t i = 0; i < r->hits.size(); ++i) EXPECT_EQ(r->hits[i].distance, cold->hits[i].distance);
    }
  }
  ExpectNoStrayStaged(*table_, (*job)->doc());
}

TEST_P(MigrationScenarioTest, KeepOldColumnNeedsAnotherColumnName) {
  Fill(100, 100);
  const int64_t version = table_->state().version;
  MigrationOptions o = Options();
  o.keep_old_column = true;  // new_column defaults to the old column's name
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(job.status().message().find("--new-column"), std::string::npos) << job.status().ToString();
  o.new_column = "embedding";
  job = MigrationJob::Plan(*table_, o);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->state().version, version);
  EXPECT_EQ(table_->metadata().properties.count(kPropMigration), 0u);
}

// ---------------------------------------------------------------------------------------------
// 3. Old-model searches during a run (half the tasks done, committed as far as the strategy allows).

TEST_P(MigrationScenarioTest, OldModelSearchWorksOnEveryFileDuringTheRun) {
  Fill(400, 100);
  MigrationOptions o = Options();
  o.keep_old_column = true;
  o.new_column = "embedding_v2";
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const int64_t base_snapshot = CurrentSnapshotId(*table_);
  auto sources = DataFilePaths(*table_);
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 4u);
  auto t0 = (*job)->RunTask((*sources)[0]);  // by location
  ASSERT_TRUE(t0.ok()) << t0.status().ToString();
  auto t1 = (*job)->RunTask(TaskId((*sources)[1]));  // by task id
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  EXPECT_EQ(t1->source, (*sources)[1]);
  EXPECT_EQ(CurrentSnapshotId(*table_), base_snapshot);  // RunTask commits nothing
  auto st = (*job)->GetStatus();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->pending, 2u);
  EXPECT_EQ(st->finished, 2u);
  EXPECT_EQ(st->committed, 0u);
  EXPECT_EQ(st->rows_total, 400);
  EXPECT_EQ(st->rows_done, 200);

  // Commit cannot cut over with two files missing; AtomicReplace commits the finished two first,
  // and it is not an error: the result lists the two tasks that remain.
  auto c = (*job)->Commit();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->cut_over);
  EXPECT_EQ(c->tasks_committed, atomic() ? 2u : 0u);
  EXPECT_EQ(std::set<std::string>(c->remaining.begin(), c->remaining.end()),
            (std::set<std::string>{TaskId((*sources)[2]), TaskId((*sources)[3])}));
  auto files = CurrentFiles(*table_);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->data_files.size(), 4u);
  std::set<std::string> migrated;
  for (const auto& e : files->data_files) {
    for (const auto& s : files->vector_stats.at(e.file.file_path)) {
      if (s.column == "embedding_v2") migrated.insert(e.file.file_path);
    }
  }
  if (atomic()) {
    EXPECT_EQ(migrated, (std::set<std::string>{t0->output, t1->output}));
  } else {
    EXPECT_TRUE(migrated.empty());
    EXPECT_EQ(CurrentSnapshotId(*table_), base_snapshot);
  }
  EXPECT_EQ(table_->vectors().vector_column, "embedding");  // not cut over
  st = (*job)->GetStatus();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->pending, 2u);
  EXPECT_EQ(st->finished, atomic() ? 0u : 2u);
  EXPECT_EQ(st->committed, atomic() ? 2u : 0u);
  EXPECT_EQ(table_->metadata().properties.count(kPropMigration), 1u);

  // An exact old-model search for every row answers from all four files, migrated or not.
  auto all = Search(*table_, old_embedder_, RowText(5), 400, old_embedder_.model(), /*exact=*/true);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->files_other_model, 0u);
  EXPECT_EQ(all->files_total, 4u);
  std::set<std::string> ids, hit_files;
  for (const auto& id : HitIds(*all)) ids.insert(id);
  for (const auto& h : all->hits) hit_files.insert(h.file);
  EXPECT_EQ(ids.size(), 400u);
  EXPECT_EQ(hit_files.size(), 4u);
  for (const auto& m : migrated) EXPECT_TRUE(hit_files.count(m)) << m;
  EXPECT_EQ(HitIds(*all)[0], "r5");
  // New-model queries see only the migrated files (AtomicReplace), or nothing yet (DualWrite).
  auto fresh = Search(*table_, new_embedder_, RowText(5), 400, NewModel(), /*exact=*/true);
  if (atomic()) {
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    EXPECT_EQ(fresh->files_total, 2u);
    EXPECT_EQ(fresh->files_other_model, 2u);
    EXPECT_EQ(fresh->hits.size(), 200u);
    for (const auto& h : fresh->hits) EXPECT_TRUE(migrated.count(h.file)) << h.file;
  } else {
    ASSERT_FALSE(fresh.ok());
    EXPECT_EQ(fresh.status().code(), StatusCode::kInvalidArgument);
  }

  // Finish: only the two missing tasks are embedded.
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
  EXPECT_EQ(r->tasks_run, 2u);
  EXPECT_EQ(r->texts_embedded, 200);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 400), "embedding_v2", new_embedder_, 2e-3f));
  auto still = Search(*table_, old_embedder_, RowText(5), 400, old_embedder_.model(), true);
  ASSERT_TRUE(still.ok()) << still.status().ToString();
  EXPECT_EQ(still->hits.size(), 400u);
  EXPECT_EQ(still->files_other_model, 0u);
  ExpectHealthy(*table_);
}

// ---------------------------------------------------------------------------------------------
// 4. Appends from another process while the job runs.

// Commands to the appending child process and its replies, over pipes.
struct ChildCommand {
  char op = 0;          // 'a' append one batch, 'f' append `count` batches back to back, 'q' quit
  int32_t batch = 0;    // id of the (first) batch
  int64_t start = 0;    // first row
  int64_t rows = 0;     // rows per batch (one file per batch)
  int32_t count = 1;
};
struct ChildReply {
  int32_t batch = 0;
  char status = 0;      // 'k' committed, 'c' commit conflict, 'n' table already cut over, 'e' error
};

// The child: its own catalog and table (nothing shared with the parent across the fork), appending
// rows embedded by the OLD model on command.
[[noreturn]] void AppendChildMain(const std::string& dir, int cmd_fd, int reply_fd) {
  std::unique_ptr<catalog::Catalog> cat;
  std::unique_ptr<table::Table> t;
  if (auto c = catalog::OpenCatalog("fs", dir); c.ok()) {
    cat = std::move(*c);
    if (auto tt = table::Table::Open(*cat, *catalog::TableIdent::Parse("docs")); tt.ok()) t = std::move(*tt);
  }
  embed::HashEmbedder old_embedder(32, 0);
  auto append = [&](int32_t batch, int64_t start, int64_t rows) {
    ChildReply rep;
    rep.batch = batch;
    if (!t) {
      rep.status = 'e';
    } else if (!t->vectors().model.SameModel(old_embedder.model())) {
      rep.status = 'n';
    } else {
      Status st = AppendRows(*t, old_embedder, start, rows, rows);
      rep.status = st.ok() ? 'k' : st.code() == StatusCode::kCommitConflict ? 'c' : 'e';
    }
    (void)test_util::WriteFull(reply_fd, &rep, sizeof(rep));
  };
  ChildCommand cmd;
  while (test_util::ReadFull(cmd_fd, &cmd, sizeof(cmd)) && cmd.op != 'q') {
    for (int32_t k = 0; k < cmd.count; ++k) append(cmd.batch + k, cmd.start + k * cmd.rows, cmd.rows);
  }
  ::_exit(0);
}

class AppendChild {
 public:
  bool Start(const std::string& dir) {
    int cmd[2], rep[2];
    if (::pipe(cmd) != 0) return false;
    if (::pipe(rep) != 0) return false;
    std::fflush(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::close(cmd[1]);
      ::close(rep[0]);
      AppendChildMain(dir, cmd[0], rep[1]);
    }
    ::close(cmd[0]);
    ::close(rep[1]);
    cmd_fd_ = cmd[1];
    reply_fd_ = rep[0];
    return true;
  }
  bool Send(const ChildCommand& c) { return test_util::WriteFull(cmd_fd_, &c, sizeof(c)); }
  // The reply for `batch` (replies for other batches read meanwhile are kept); 0 if the child died.
  char WaitFor(int32_t batch) {
    std::lock_guard<std::mutex> lock(mu_);
    while (!replies_.count(batch)) {
      ChildReply r;
      if (!test_util::ReadFull(reply_fd_, &r, sizeof(r))) return 0;
      replies_[r.batch] = r.status;
    }
    return replies_[batch];
  }
  // Asks the child to quit; its exit status (-1 when it did not exit normally).
  int Finish() {
    if (pid_ <= 0) return -1;
    ChildCommand q;
    q.op = 'q';
    (void)Send(q);
    ::close(cmd_fd_);
    ::close(reply_fd_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~AppendChild() { (void)Finish(); }

 private:
  pid_t pid_ = -1;
  int cmd_fd_ = -1, reply_fd_ = -1;
  std::mutex mu_;
  std::map<int32_t, char> replies_;
};

ChildCommand AppendCommand(int32_t batch, int64_t start, int64_t rows, int32_t count = 1) {
  ChildCommand c;
  c.op = count == 1 ? 'a' : 'f';
  c.batch = batch;
  c.start = start;
  c.rows = rows;
  c.count = count;
  return c;
}

TEST_P(MigrationScenarioTest, AppendsFromAnotherProcessAreCaughtUp) {
  Fill(400, 100);
  AppendChild child;
  ASSERT_TRUE(child.Start(wh_.dir()));  // forked before any migration thread exists

  MigrationOptions o = Options();
  o.file_parallelism = 2;
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();

  // Batch 1 lands after the plan, before the run.
  ASSERT_TRUE(child.Send(AppendCommand(1, 1000, 60)));
  ASSERT_EQ(child.WaitFor(1), 'k');
  // Batches 10..13 are appended back to back while the run goes on.
  constexpr int kFree = 4;
  ASSERT_TRUE(child.Send(AppendCommand(10, 2000, 40, kFree)));
  // Batch 2 lands during the first pass (after a task finished): the pass cannot have listed it.
  // Batch 3 lands just before the first cutover attempt, which must see it and catch up again.
  std::atomic<bool> sent2{false}, sent3{false};
  std::atomic<char> got2{0}, got3{0};
  (*job)->set_progress([&](const MigrationProgress& p) {
    if (p.phase == "rewrite" && p.files_done >= 1 && !sent2.exchange(true)) {
      if (child.Send(AppendCommand(2, 1100, 50))) got2 = child.WaitFor(2);
    }
    if (p.phase == "cutover" && !sent3.exchange(true)) {
      if (child.Send(AppendCommand(3, 1200, 50))) got3 = child.WaitFor(3);
    }
  });
  auto r = (*job)->Run();
  std::map<int32_t, char> free_status;
  for (int k = 0; k < kFree; ++k) free_status[10 + k] = child.WaitFor(10 + k);
  EXPECT_EQ(child.Finish(), 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
  EXPECT_EQ(got2.load(), 'k');
  EXPECT_EQ(got3.load(), 'k');
  // Every free-running append was asked for before batch 3, so all of them precede the cutover.
  for (const auto& [batch, st] : free_status) EXPECT_EQ(st, 'k') << "batch " << batch;
  EXPECT_GE(r->catch_up_passes, 2u);
  EXPECT_EQ(r->tasks_run, 4u + 3u + kFree);

  std::set<int64_t> ids = Range(0, 400);
  for (int64_t i : Range(1000, 1060)) ids.insert(i);
  for (int64_t i : Range(1100, 1150)) ids.insert(i);
  for (int64_t i : Range(1200, 1250)) ids.insert(i);
  for (int64_t i : Range(2000, 2000 + 40 * kFree)) ids.insert(i);
  EXPECT_EQ(r->texts_embedded, static_cast<int64_t>(ids.size()));
  // Present exactly once (ScanTable fails on a duplicate id), embedded by the new model.
  EXPECT_TRUE(RowsEmbeddedBy(*table_, ids, "embedding", new_embedder_, 2e-3f));
  EXPECT_EQ(table_->vectors().model.Id(), "hash-48@seed7");
  ExpectHealthy(*table_);
  ExpectNoStrayStaged(*table_, (*job)->doc());
}

// A writer that started before the cutover must not land old-model files after it.
TEST_P(MigrationScenarioTest, WriterOpenedBeforeTheCutoverCannotCommitAfterIt) {
  Fill(200, 100);
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto writer_table = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(writer_table.ok());
  table::TableWriterOptions wo;
  wo.target_file_rows = 30;  // one finished file before the run, one still open
  auto w = table::TableWriter::Open(**writer_table, wo);
  ASSERT_TRUE(w.ok());
  {
    auto schema = (*writer_table)->DataSchema();
    ASSERT_TRUE(schema.ok());
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<std::string> texts;
    for (int64_t i = 500; i < 550; ++i) {
      texts.push_back(RowText(i));
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendString("late");
      b.columns[2].AppendString(texts.back());
      b.columns[3].AppendString("{}");
    }
    b.num_rows = 50;
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<float> vecs;
    ASSERT_TRUE(old_embedder_.Embed(views, &vecs).ok());
    ASSERT_TRUE((*w)->Append(b, vecs.data()).ok());
  }
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->cut_over);

  auto c = (*w)->Commit();
  ASSERT_FALSE(c.ok()) << "an old-model insert landed after the cutover";
  EXPECT_EQ(c.status().code(), StatusCode::kCommitConflict) << c.status().ToString();
  EXPECT_NE(c.status().message().find("schema changed"), std::string::npos) << c.status().ToString();
  std::vector<std::string> written;
  for (const auto& f : (*w)->pending_files()) written.push_back(f.key);
  w->reset();  // abandons the files
  for (const auto& k : written) EXPECT_FALSE(*wh_.store().Exists(k)) << k;
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 200), "embedding", new_embedder_, 2e-3f));
  ExpectHealthy(*table_);
}

// The same when the writer's Table object was refreshed after the cutover: by the job itself (the
// writer shares the job's Table object, one process doing both in order), or by any read through
// the writer's own Table object. A refresh must not turn the writer's stale files into valid ones.
TEST_P(MigrationScenarioTest, WriterWhoseTableWasRefreshedCannotCommitAfterTheCutover) {
  Fill(200, 100);
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto other = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(other.ok());
  table::TableWriterOptions wo;
  wo.target_file_rows = 30;
  // Writer 0 on the job's Table object, writer 1 on its own; each has one finished file of 30 rows.
  std::unique_ptr<table::TableWriter> writers[2];
  for (int k = 0; k < 2; ++k) {
    table::Table& t = k == 0 ? *table_ : **other;
    auto w = table::TableWriter::Open(t, wo);
    ASSERT_TRUE(w.ok());
    writers[k] = std::move(*w);
    auto schema = t.DataSchema();
    ASSERT_TRUE(schema.ok());
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<std::string> texts;
    for (int64_t i = 500 + 100 * k; i < 530 + 100 * k; ++i) {
      texts.push_back(RowText(i));
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendString("late");
      b.columns[2].AppendString(texts.back());
      b.columns[3].AppendString("{}");
    }
    b.num_rows = 30;
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<float> vecs;
    ASSERT_TRUE(old_embedder_.Embed(views, &vecs).ok());
    ASSERT_TRUE(writers[k]->Append(b, vecs.data()).ok());
    ASSERT_EQ(writers[k]->pending_files().size(), 1u);
  }

  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->cut_over);
  ASSERT_TRUE((*other)->Refresh().ok());  // e.g. a scan through that Table object

  for (int k = 0; k < 2; ++k) {
    auto c = writers[k]->Commit();
    EXPECT_FALSE(c.ok()) << "writer " << k << ": a file written for the old schema (32-d "
                         << old_embedder_.model().Id() << " vectors) was committed after the cutover to 48-d hash-48@seed7";
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), StatusCode::kCommitConflict) << c.status().ToString();
    }
    writers[k].reset();
  }
  // Whatever happened, every live file must carry the new model.
  auto files = CurrentFiles(*table_);
  ASSERT_TRUE(files.ok());
  for (const auto& e : files->data_files) {
    bool has_new = false;
    for (const auto& s : files->vector_stats[e.file.file_path]) {
      if (s.model == "hash-48" && s.dim == 48) has_new = true;
    }
    EXPECT_TRUE(has_new) << e.file.file_path << " holds the old model after the cutover";
  }
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 200), "embedding", new_embedder_, 2e-3f));
}

// ---------------------------------------------------------------------------------------------
// 5. Deletes before the plan, between plan and run, and during the run from another Table object.

TEST_P(MigrationScenarioTest, DeletedRowsStayDeletedAndAreNeverEmbedded) {
  Fill(500, 100);
  // Which S0 file holds which row.
  auto scan = ScanTable(*table_, "");
  ASSERT_TRUE(scan.ok());
  std::map<int64_t, std::string> file_of;
  for (const auto& [id, row] : *scan) file_of[IdOf(id)] = row.file;

  const std::vector<int64_t> before = {3, 150, 420};
  ASSERT_TRUE(table::DeleteWhere(*table_, IdsIn(before)).ok());
  MigrationOptions o = Options();
  o.file_parallelism = 1;  // tasks run one after another: the callback sees exactly one finished
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const std::vector<int64_t> between = {7, 260};
  ASSERT_TRUE(table::DeleteWhere(*table_, IdsIn(between)).ok());

  // A second process's view: its own catalog instance and Table object.
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto other = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(other.ok());
  const std::vector<int64_t> during = {11, 99, 111, 199, 211, 299, 311, 399, 411, 499};  // two per file
  const std::vector<int64_t> at_cutover = {55, 355};
  std::atomic<bool> did_during{false}, did_cutover{false};
  Status during_status, cutover_status;
  int64_t during_deleted = -1, cutover_deleted = -1;
  std::set<std::string> finished_when_deleting;
  const std::string job_id = (*job)->doc().job_id;
  (*job)->set_progress([&](const MigrationProgress& p) {
    if (p.phase == "rewrite" && p.files_done >= 1 && !did_during.exchange(true)) {
      auto recs = LoadTaskRecords((*other_cat)->store(), (*other)->table_key(), job_id);
      if (recs.ok()) {
        for (const auto& [src, rec] : *recs) finished_when_deleting.insert(src);
      }
      auto d = table::DeleteWhere(**other, IdsIn(during));
      during_status = d.status();
      if (d.ok()) during_deleted = d->rows_deleted;
    }
    if (p.phase == "cutover" && !did_cutover.exchange(true)) {
      auto d = table::DeleteWhere(**other, IdsIn(at_cutover));
      cutover_status = d.status();
      if (d.ok()) cutover_deleted = d->rows_deleted;
    }
  });
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->cut_over);
  ASSERT_TRUE(during_status.ok()) << during_status.ToString();
  ASSERT_TRUE(cutover_status.ok()) << cutover_status.ToString();
  EXPECT_EQ(during_deleted, static_cast<int64_t>(during.size()));
  EXPECT_EQ(cutover_deleted, static_cast<int64_t>(at_cutover.size()));
  ASSERT_EQ(finished_when_deleting.size(), 1u);

  std::set<int64_t> ids = Range(0, 500);
  for (const auto* list : {&before, &between, &during, &at_cutover}) {
    for (int64_t i : *list) ids.erase(i);
  }
  EXPECT_TRUE(RowsEmbeddedBy(*table_, ids, "embedding", new_embedder_, 2e-3f));
  // Rows deleted before the run were never embedded; of the rows deleted during it, at most those
  // whose file a task had read already (RowsDeletedBeforeTheirTaskStartsAreNotEmbedded pins the rest).
  int64_t unread = 0;
  for (int64_t i : during) unread += finished_when_deleting.count(file_of[i]) ? 0 : 1;
  EXPECT_EQ(unread, 8);
  EXPECT_LE(r->texts_embedded, 500 - static_cast<int64_t>(before.size() + between.size()));
  EXPECT_GE(r->texts_embedded, 500 - static_cast<int64_t>(before.size() + between.size() + during.size()));
  ExpectHealthy(*table_);
  ExpectNoStrayStaged(*table_, (*job)->doc());
}

// A task reads its source when it starts: rows deleted before that are not embedded. Here 40 rows
// of each of the two untouched files are deleted when the first task has finished (tasks run one at
// a time), so their tasks start after the delete committed.
TEST_P(MigrationScenarioTest, RowsDeletedBeforeTheirTaskStartsAreNotEmbedded) {
  Fill(300, 100);
  auto scan = ScanTable(*table_, "");
  ASSERT_TRUE(scan.ok());
  MigrationOptions o = Options();
  o.file_parallelism = 1;
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto sources = DataFilePaths(*table_);
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 3u);
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto other = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(other.ok());
  // The rows of whichever file is still untouched when the first task has finished.
  std::vector<int64_t> victims;
  Status del_status;
  bool deleted = false;
  TestEmbedder rec(new_embedder_);
  (*job)->set_embedder(&rec);
  const std::string job_id = (*job)->doc().job_id;
  (*job)->set_progress([&](const MigrationProgress& p) {
    if (deleted || p.phase != "rewrite" || p.files_done != 1) return;
    deleted = true;
    auto recs = LoadTaskRecords((*other_cat)->store(), (*other)->table_key(), job_id);
    if (!recs.ok() || recs->size() != 1) {
      del_status = Status::Internal("expected one finished task");
      return;
    }
    // Texts embedded so far: the first file, and perhaps the first batches of the second.
    std::set<std::string> started;
    for (const auto& t : rec.texts()) started.insert(t);
    for (const auto& [id, row] : *scan) {
      if (!recs->count(row.file) && !started.count(row.text)) victims.push_back(IdOf(id));
    }
    // Only rows of a file no task has touched yet.
    std::map<std::string, std::vector<int64_t>> by_file;
    for (int64_t i : victims) by_file[scan->at("r" + std::to_string(i)).file].push_back(i);
    victims.clear();
    for (const auto& [file, ids] : by_file) {
      if (ids.size() == 100) victims.insert(victims.end(), ids.begin(), ids.begin() + 40);
    }
    auto d = table::DeleteWhere(**other, IdsIn(victims));
    del_status = d.status();
  });
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(del_status.ok()) << del_status.ToString();
  ASSERT_EQ(victims.size(), 80u) << "expected two files untouched after the first task";
  std::set<int64_t> ids = Range(0, 300);
  for (int64_t i : victims) ids.erase(i);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, ids, "embedding", new_embedder_, 2e-3f));  // they stay deleted
  std::set<std::string> victim_texts;
  for (int64_t i : victims) victim_texts.insert(RowText(i));
  size_t embedded_victims = 0;
  for (const auto& t : rec.texts()) embedded_victims += victim_texts.count(t);
  EXPECT_EQ(embedded_victims, 0u) << "rows deleted before their task started were sent to the embedder";
  EXPECT_EQ(r->texts_embedded, 220);
}

// A delete through a Table object loaded before the migration (a long-lived service, say) applies
// to the table as it is now: rows caught up and rewritten since must be found and deleted.
TEST_P(MigrationScenarioTest, DeleteThroughAnOlderTableObjectReachesRowsAppendedSince) {
  Fill(200, 100);
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto other = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(other.ok());
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  ASSERT_TRUE(AppendRows(*table_, old_embedder_, 1000, 50, 50).ok());  // caught up by the run
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto d = table::DeleteWhere(**other, "id IN ('r1010', 'r1011')");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows_deleted, 2) << "the delete was planned on the Table object's stale snapshot";
  std::set<int64_t> ids = Range(0, 200);
  for (int64_t i : Range(1000, 1050)) {
    if (i != 1010 && i != 1011) ids.insert(i);
  }
  EXPECT_TRUE(RowsEmbeddedBy(*table_, ids, "embedding", new_embedder_, 2e-3f));
}

TEST_P(MigrationScenarioTest, DeletesRacingTaskCommitsSucceedAndStick) {
  Fill(600, 100);
  MigrationOptions o = Options();
  o.file_parallelism = 3;
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto other = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(other.ok());
  // After every finished task, delete one more row of every file (others keep committing meanwhile).
  std::vector<int64_t> deleted;
  std::vector<Status> failures;
  size_t seen_done = 0;
  int round = 0;
  (*job)->set_progress([&](const MigrationProgress& p) {
    if (p.files_done <= seen_done || p.phase == "done") return;
    seen_done = p.files_done;
    std::vector<int64_t> ids;
    for (int64_t f = 0; f < 6; ++f) ids.push_back(f * 100 + 20 + round);
    ++round;
    auto d = table::DeleteWhere(**other, IdsIn(ids));
    if (!d.ok()) {
      failures.push_back(d.status());
    } else if (d->rows_deleted != static_cast<int64_t>(ids.size())) {
      failures.push_back(Status::Internal("deleted " + std::to_string(d->rows_deleted) + " rows"));
    } else {
      deleted.insert(deleted.end(), ids.begin(), ids.end());
    }
  });
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->cut_over);
  for (const auto& f : failures) ADD_FAILURE() << "delete during the run: " << f.ToString();
  EXPECT_GE(round, 2);
  std::set<int64_t> ids = Range(0, 600);
  for (int64_t i : deleted) ids.erase(i);
  EXPECT_EQ(ids.size(), 600 - 6 * static_cast<size_t>(round));
  EXPECT_TRUE(RowsEmbeddedBy(*table_, ids, "embedding", new_embedder_, 2e-3f));
  ExpectHealthy(*table_);
}

// ---------------------------------------------------------------------------------------------
// 6. Null texts.

std::set<int64_t> NullRows(int64_t n, int64_t every) {
  std::set<int64_t> s;
  for (int64_t i = 0; i < n; ++i) {
    if (i % every == 1) s.insert(i);
  }
  return s;
}

TEST_P(MigrationScenarioTest, NullTextsSkipKeepsRowsWithoutVectors) {
  Fill(300, 100, /*null_every=*/7);
  const std::set<int64_t> nulls = NullRows(300, 7);
  auto job = MigrationJob::Plan(*table_, Options());  // skip is the default
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ((*job)->doc().options.null_text, NullTextPolicy::kSkip);
  TestEmbedder rec(new_embedder_);
  (*job)->set_embedder(&rec);
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->texts_embedded, 300 - static_cast<int64_t>(nulls.size()));
  const auto texts = rec.texts();
  EXPECT_EQ(texts.size(), 300 - nulls.size());
  for (const auto& t : texts) EXPECT_FALSE(t.empty()) << "a null text was embedded as \"\"";
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 300), "embedding", new_embedder_, 2e-3f, nulls));
  // Search never returns them, even when asked for every row.
  auto all = Search(*table_, new_embedder_, RowText(0), 300, NewModel(), /*exact=*/true);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->hits.size(), 300 - nulls.size());
  for (const auto& id : HitIds(*all)) EXPECT_FALSE(nulls.count(IdOf(id))) << id << " has no vector";
  // The manifests count only rows with a vector.
  auto files = CurrentFiles(*table_);
  ASSERT_TRUE(files.ok());
  uint64_t with_vector = 0;
  for (const auto& e : files->data_files) {
    for (const auto& s : files->vector_stats.at(e.file.file_path)) with_vector += s.rows_with_vector;
  }
  EXPECT_EQ(with_vector, 300 - nulls.size());
  ExpectHealthy(*table_);
}

TEST_P(MigrationScenarioTest, NullTextsEmptyEmbedsTheEmptyString) {
  Fill(300, 100, 7);
  const std::set<int64_t> nulls = NullRows(300, 7);
  MigrationOptions o = Options();
  o.null_text = NullTextPolicy::kEmpty;
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  TestEmbedder rec(new_embedder_);
  (*job)->set_embedder(&rec);
  auto r = (*job)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->texts_embedded, 300);
  size_t empty = 0;
  for (const auto& t : rec.texts()) empty += t.empty() ? 1 : 0;
  EXPECT_EQ(empty, nulls.size());
  // Null-text rows hold the embedder's vector for "" (RowsEmbeddedBy embeds "" for them).
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 300), "embedding", new_embedder_, 2e-3f));
  auto rows = ScanTable(*table_, "embedding");
  ASSERT_TRUE(rows.ok());
  for (int64_t i : nulls) {
    EXPECT_TRUE(rows->at("r" + std::to_string(i)).text_null);
    EXPECT_FALSE(rows->at("r" + std::to_string(i)).vector_null);
  }
}

TEST_P(MigrationScenarioTest, NullTextsFailStopsAndLeavesTheTableUntouched) {
  Fill(300, 100, 7);
  MigrationOptions o = Options();
  o.null_text = NullTextPolicy::kFail;
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const int64_t snap = CurrentSnapshotId(*table_);
  auto files_before = DataFilePaths(*table_);
  ASSERT_TRUE(files_before.ok());
  auto r = (*job)->Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("null-text policy"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(CurrentSnapshotId(*table_), snap);
  EXPECT_EQ(*DataFilePaths(*table_), *files_before);
  EXPECT_EQ(table_->vectors().model.Id(), old_embedder_.model().Id());
  ASSERT_TRUE((*job)->Abort().ok());
  EXPECT_TRUE(ListKeys(wh_.store(), (*job)->doc().staging_prefix).empty());
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().properties.count(kPropMigration), 0u);
  // Every row as before: the old vectors, and null vectors for the null texts.
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 300), "embedding", old_embedder_, 2e-3f, NullRows(300, 7)));
}

// ---------------------------------------------------------------------------------------------
// 8. Resume and abort.

TEST_P(MigrationScenarioTest, ResumeNeverReembedsAFinishedTaskAndMatchesAFreshRun) {
  Fill(500, 100);
  auto twin = wh_.CreateTable("twin", old_embedder_.model());
  ASSERT_TRUE(twin.ok());
  ASSERT_TRUE(AppendRows(**twin, old_embedder_, 0, 500, 100).ok());

  auto scan = ScanTable(*table_, "");
  ASSERT_TRUE(scan.ok());
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto sources = DataFilePaths(*table_);
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 5u);
  std::set<std::string> done_files = {(*sources)[1], (*sources)[3]};
  for (const auto& s : done_files) {
    auto rec = (*job)->RunTask(s);
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    EXPECT_EQ(rec->rows, 100);
  }
  auto records = LoadTaskRecords(wh_.store(), table_->table_key(), (*job)->doc().job_id);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 2u);
  job->reset();  // the process that ran them is gone

  auto resumed = MigrationJob::Load(*table_);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  TestEmbedder counting(new_embedder_);
  (*resumed)->set_embedder(&counting);
  auto r = (*resumed)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cut_over);
  EXPECT_EQ(r->tasks_run, 3u);
  EXPECT_EQ(r->texts_embedded, 300);
  std::set<std::string> done_texts;
  for (const auto& [id, row] : *scan) {
    if (done_files.count(row.file)) done_texts.insert(row.text);
  }
  ASSERT_EQ(done_texts.size(), 200u);
  const auto embedded = counting.texts();
  EXPECT_EQ(embedded.size(), 300u);
  for (const auto& t : embedded) EXPECT_FALSE(done_texts.count(t)) << "'" << t << "' was embedded again";

  // Same table as an uninterrupted migration of an identical table.
  auto fresh = MigrationJob::Plan(**twin, Options());
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  auto fr = (*fresh)->Run();
  ASSERT_TRUE(fr.ok()) << fr.status().ToString();
  auto a = ScanTable(*table_, "embedding");
  auto b = ScanTable(**twin, "embedding");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (const auto& [id, row] : *a) {
    auto it = b->find(id);
    ASSERT_NE(it, b->end()) << id;
    EXPECT_EQ(row.text, it->second.text);
    ASSERT_EQ(row.vector.size(), it->second.vector.size());
    EXPECT_EQ(std::memcmp(row.vector.data(), it->second.vector.data(), row.vector.size() * sizeof(float)), 0) << id;
  }
  EXPECT_EQ(table_->vectors().model.Id(), (*twin)->vectors().model.Id());
  EXPECT_EQ(table_->schema().FindField("embedding")->type->fixed_length,
            (*twin)->schema().FindField("embedding")->type->fixed_length);
  ExpectHealthy(*table_);
  ExpectNoStrayStaged(*table_, (*resumed)->doc());
}

TEST_P(MigrationScenarioTest, AbortDeletesStagedOutputsAndLeavesTheRowsAsTheyWere) {
  Fill(400, 100);
  auto before = ScanTable(*table_, "embedding");
  ASSERT_TRUE(before.ok());
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  const int64_t snap = CurrentSnapshotId(*table_);
  auto sources = DataFilePaths(*table_);
  ASSERT_TRUE(sources.ok());
  for (size_t i = 0; i < 2; ++i) ASSERT_TRUE((*job)->RunTask((*sources)[i]).ok());
  EXPECT_EQ(ListKeys(wh_.store(), (*job)->doc().staging_prefix).size(), 2u);

  // Abort from another process (Load on a fresh catalog instance), as `ailake migrate abort` would.
  auto other_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(other_cat.ok());
  auto other = table::Table::Open(**other_cat, table_->ident());
  ASSERT_TRUE(other.ok());
  auto loaded = MigrationJob::Load(**other);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE((*loaded)->Abort().ok());

  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().properties.count(kPropMigration), 0u);
  EXPECT_TRUE(ListKeys(wh_.store(), (*job)->doc().staging_prefix).empty());
  EXPECT_EQ(CurrentSnapshotId(*table_), snap);
  auto doc = LoadJobDoc(wh_.store(), table_->table_key(), (*job)->doc().job_id);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->state, JobState::kAborted);
  auto after = ScanTable(*table_, "embedding");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before->size());
  for (const auto& [id, row] : *before) {
    const auto& a = after->at(id);
    EXPECT_EQ(a.file, row.file);
    EXPECT_EQ(std::memcmp(a.vector.data(), row.vector.data(), row.vector.size() * sizeof(float)), 0) << id;
  }
  // The aborted job cannot continue.
  auto again = (*job)->Run();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAborted);
  EXPECT_EQ(CurrentSnapshotId(*table_), snap);

  // A new plan works from scratch.
  auto next = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  auto r = (*next)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tasks_run, 4u);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 400), "embedding", new_embedder_, 2e-3f));
  ExpectHealthy(*table_);
}

// Abort after AtomicReplace committed some tasks: those files stay (complete, on the new model),
// nothing else is staged, and a new job re-embeds every file it did not write itself.
TEST_P(MigrationScenarioTest, AbortAfterPartialCommitThenANewJobRedoesEverything) {
  Fill(400, 100);
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto sources = DataFilePaths(*table_);
  ASSERT_TRUE(sources.ok());
  std::set<std::string> outputs;
  for (size_t i = 0; i < 2; ++i) {
    auto rec = (*job)->RunTask((*sources)[i]);
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    outputs.insert(rec->output);
  }
  {
    auto c = (*job)->Commit();  // two tasks missing; AtomicReplace commits the finished two
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_FALSE(c->cut_over);
  }
  ASSERT_TRUE((*job)->Abort().ok());
  auto live = DataFilePaths(*table_);
  ASSERT_TRUE(live.ok());
  const std::set<std::string> live_set(live->begin(), live->end());
  for (const auto& o : outputs) EXPECT_EQ(live_set.count(o), atomic() ? 1u : 0u) << o;
  const auto staged = ListKeys(wh_.store(), (*job)->doc().staging_prefix);
  EXPECT_EQ(staged.size(), atomic() ? 2u : 0u);
  ExpectNoStrayStaged(*table_, (*job)->doc());
  auto rows = ScanTable(*table_, "embedding");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 400u);
  if (atomic()) {
    // The aborted AtomicReplace left its committed files on the new model: verify reports each one,
    // naming that model (searches with the table's model skip them).
    ASSERT_TRUE(table_->Refresh().ok());
    auto v = table::VerifyTable(*table_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->problems.size(), outputs.size());
    for (const auto& p : v->problems) EXPECT_NE(p.find("hash-48@seed7"), std::string::npos) << p;
  } else {
    ExpectHealthy(*table_);
  }
  EXPECT_EQ(table_->vectors().model.Id(), old_embedder_.model().Id());

  auto next = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  auto r = (*next)->Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tasks_run, 4u);
  EXPECT_EQ(r->texts_embedded, 400);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 400), "embedding", new_embedder_, 2e-3f));
  ExpectCutover(*table_, (*next)->doc(), "embedding", "hash-48", "seed7", 48, VectorMetric::kDot, VectorPrecision::kF16);
}

// After an aborted AtomicReplace job rewrote some files in place with another model of the same
// dimension, a job that keeps the old column must not copy those vectors into its old column under
// the table's old model name: old-model searches would then answer from another model's vectors.
TEST_P(MigrationScenarioTest, KeepOldColumnNeverRelabelsAnotherModelsVectors) {
  Fill(400, 100);
  MigrationOptions a = Options();
  a.strategy = Strategy::kAtomicReplace;
  a.embedder_spec = "hash:dim=32,seed=11";
  a.new_model.name = "hash-32b";
  a.new_model.version = "v1";
  a.new_metric.reset();
  auto aborted = MigrationJob::Plan(*table_, a);
  ASSERT_TRUE(aborted.ok()) << aborted.status().ToString();
  auto sources = DataFilePaths(*table_);
  ASSERT_TRUE(sources.ok());
  for (size_t i = 0; i < 2; ++i) ASSERT_TRUE((*aborted)->RunTask((*sources)[i]).ok());
  {
    auto c = (*aborted)->Commit();  // commits the two finished tasks
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_FALSE(c->cut_over);
  }
  ASSERT_TRUE((*aborted)->Abort().ok());

  MigrationOptions o = Options();
  o.keep_old_column = true;
  o.new_column = "embedding_v2";
  auto job = MigrationJob::Plan(*table_, o);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto r = (*job)->Run();
  if (!r.ok()) {
    // Refusing is fine, if it says why.
    EXPECT_NE(r.status().message().find("hash-32b"), std::string::npos) << r.status().ToString();
    return;
  }
  // Accepted: then every vector in the column tagged with the old model must be the old model's.
  auto files = CurrentFiles(*table_);
  ASSERT_TRUE(files.ok());
  auto rows = ScanTable(*table_, "embedding");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 400u);
  size_t wrong = 0;
  for (const auto& [id, row] : *rows) {
    std::string tag;
    for (const auto& st : files->vector_stats.at(row.file)) {
      if (st.column == "embedding") tag = st.model + "@" + st.model_version;
    }
    if (tag != old_embedder_.model().Id()) continue;
    std::vector<float> want;
    ASSERT_TRUE(old_embedder_.Embed({row.text}, &want).ok());
    for (size_t d = 0; d < want.size(); ++d) {
      if (std::fabs(row.vector[d] - want[d]) > 2e-3f) {
        ++wrong;
        break;
      }
    }
  }
  EXPECT_EQ(wrong, 0u) << wrong << " rows carry another model's vectors in the column tagged "
                       << old_embedder_.model().Id();
}

// ---------------------------------------------------------------------------------------------
// 10. Two runners racing on one task (distributed run-task).

// Holds every caller until `n` have arrived (or gives up after a long deadlock guard).
class Gate {
 public:
  explicit Gate(int n) : left_(n) {}
  bool Arrive() {
    std::unique_lock<std::mutex> lock(mu_);
    if (--left_ <= 0) {
      cv_.notify_all();
      return true;
    }
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return left_ <= 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int left_;
};

TEST_P(MigrationScenarioTest, TwoRunnersOfOneTaskLeaveOneRecordAndOneOutput) {
  Fill(400, 100);
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto sources = DataFilePaths(*table_);
  ASSERT_TRUE(sources.ok());
  const std::string contested = (*sources)[2];

  // Two "machines": each its own catalog, Table, loaded job and embedder. Both embedders hold their
  // first call until the other one has started embedding too, so both tasks really run.
  struct Runner {
    std::unique_ptr<catalog::Catalog> cat;
    std::unique_ptr<table::Table> table;
    std::unique_ptr<MigrationJob> job;
    std::unique_ptr<TestEmbedder> embedder;
    std::atomic<bool> first{true};
    bool gate_ok = true;
    Result<TaskRecord> result = Status::Internal("not run");
  };
  Gate gate(2);
  std::array<Runner, 2> runners;
  for (auto& rn : runners) {
    rn.cat = std::move(*wh_.OpenAnotherCatalog());
    rn.table = std::move(*table::Table::Open(*rn.cat, table_->ident()));
    auto loaded = MigrationJob::Load(*rn.table);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    rn.job = std::move(*loaded);
    rn.embedder = std::make_unique<TestEmbedder>(new_embedder_);
    Runner* self = &rn;
    rn.embedder->on_call = [self, &gate](int64_t) {
      if (self->first.exchange(false)) self->gate_ok = gate.Arrive();
    };
    rn.job->set_embedder(rn.embedder.get());
  }
  std::vector<std::thread> threads;
  for (auto& rn : runners) threads.emplace_back([&rn, &contested] { rn.result = rn.job->RunTask(TaskId(contested)); });
  for (auto& t : threads) t.join();
  // Both really did work; a runner may reuse batches the other had already checkpointed
  // (batch_checkpoint.h), so between them every text was embedded, each at most twice.
  std::map<std::string, int> embedded;
  for (auto& rn : runners) {
    ASSERT_TRUE(rn.gate_ok) << "the two runners never embedded at the same time";
    ASSERT_TRUE(rn.result.ok()) << rn.result.status().ToString();
    EXPECT_GT(rn.embedder->texts().size(), 0u);
    for (const auto& t : rn.embedder->texts()) ++embedded[t];
  }
  EXPECT_EQ(embedded.size(), 100u);
  for (const auto& [t, n] : embedded) EXPECT_LE(n, 2) << t;
  // Both report the winner's record; exactly one record and one staged output exist.
  EXPECT_EQ(runners[0].result->output, runners[1].result->output);
  const std::string tasks_prefix = JobFolder(table_->table_key(), (*job)->doc().job_id) + "tasks/";
  EXPECT_EQ(ListKeys(wh_.store(), tasks_prefix).size(), 1u);
  const auto staged = ListKeys(wh_.store(), (*job)->doc().staging_prefix);
  ASSERT_EQ(staged.size(), 1u);
  EXPECT_EQ(wh_.catalog().LocationOf(staged[0]), runners[0].result->output);

  // A task that already has a record is not embedded again.
  const int64_t calls = runners[0].embedder->calls();
  auto again = runners[0].job->RunTask(contested);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->output, runners[0].result->output);
  EXPECT_EQ(runners[0].embedder->calls(), calls);

  // The other tasks, spread over both runners, then a commit from a third process cuts over.
  for (size_t i = 0; i < sources->size(); ++i) {
    if ((*sources)[i] == contested) continue;
    auto rec = runners[i % 2].job->RunTask((*sources)[i]);
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  }
  auto third_cat = wh_.OpenAnotherCatalog();
  ASSERT_TRUE(third_cat.ok());
  auto third_table = table::Table::Open(**third_cat, table_->ident());
  ASSERT_TRUE(third_table.ok());
  auto committer = MigrationJob::Load(**third_table);
  ASSERT_TRUE(committer.ok());
  auto c = (*committer)->Commit();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->cut_over);
  EXPECT_EQ(c->texts_embedded, 0);
  EXPECT_EQ(c->tasks_committed, 4u);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, Range(0, 400), "embedding", new_embedder_, 2e-3f));
  ExpectHealthy(*table_);
  ExpectNoStrayStaged(*table_, (*job)->doc());
}

INSTANTIATE_TEST_SUITE_P(Strategies, MigrationScenarioTest,
                         ::testing::Values(Strategy::kAtomicReplace, Strategy::kDualWriteThenCutover),
                         [](const auto& info) {
                           return info.param == Strategy::kAtomicReplace ? std::string("AtomicReplace")
                                                                         : std::string("DualWrite");
                         });

}  // namespace
}  // namespace ailake::migrate
