// Tables end to end through the library: create, write files, commit, search with pruning, time
// travel, the model check, and position deletes.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "core/uuid.h"
#include "embed/hash_embedder.h"
#include "iceberg/snapshot_files.h"
#include "parquet/writer.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

using catalog::TableIdent;

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cat_ = std::move(*catalog::OpenCatalog("fs", dir_.string()));
    TableOptions o;
    o.model = embedder_.model();
    o.policy.precision = VectorPrecision::kF16;
    o.policy.flat_threshold_rows = 500;
    o.extra_columns = {{"year", "int"}};
    auto t = Table::Create(*cat_, *TableIdent::Parse("docs"), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }

  // Rows [start, start+n): text drawn from one of 4 topics by (i / 1000) so files cluster.
  Status Write(TableWriter& w, int64_t start, int64_t n) {
    static const char* kTopics[] = {"galaxy telescope orbit comet", "garlic oven butter roast",
                                    "router packet latency socket", "tide harbor keel anchor"};
    auto schema = table_->DataSchema();
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<std::string> texts;
    for (int64_t i = start; i < start + n; ++i) {
      texts.push_back(std::string(kTopics[(i / 1000) % 4]) + " note " + std::to_string(i));
      b.columns[0].AppendString("c" + std::to_string(i));
      b.columns[1].AppendString("d" + std::to_string(i / 10));
      b.columns[2].AppendString(texts.back());
      b.columns[3].AppendString("{}");
      b.columns[4].AppendInt32(static_cast<int32_t>(2000 + i % 25));
    }
    b.num_rows = n;
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<float> vecs;
    AILAKE_RETURN_IF_ERROR(embedder_.Embed(views, &vecs));
    return w.Append(b, vecs.data());
  }

  std::vector<float> Query(const std::string& text) {
    std::vector<float> q;
    EXPECT_TRUE(embedder_.Embed({text}, &q).ok());
    return q;
  }

  test_util::TempDir tmp_{"table", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<Table> table_;
  embed::HashEmbedder embedder_{64, 0};
};

TEST_F(TableTest, WriteCommitSearchAndPrune) {
  TableWriterOptions wo;
  wo.target_file_rows = 1000;
  auto w = TableWriter::Open(*table_, wo);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(Write(**w, 0, 4000).ok());
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto* snap = table_->metadata().CurrentSnapshot();
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->summary.at("total-records"), "4000");
  EXPECT_EQ(snap->summary.at("total-data-files"), "4");
  // Data files carry Iceberg stats by field id (id=1 string bounds, year=6 int bounds).
  auto files = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), snap);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->data_files.size(), 4u);
  for (const auto& e : files->data_files) {
    EXPECT_EQ(e.file.record_count, 1000);
    EXPECT_EQ(e.file.value_counts.at(1), 1000);
    ASSERT_TRUE(e.file.lower_bounds.count(6));
    EXPECT_FALSE(e.file.lower_bounds.count(5));  // no bounds for the vector column
    EXPECT_EQ(files->vector_stats.at(e.file.file_path)[0].model, "hash-64");
  }

  FileCache cache;
  auto q = Query("router packet latency socket note 2500");
  SearchOptions exact;
  exact.k = 10;
  exact.exact = true;
  exact.prune = false;
  exact.columns = {"id", "chunk_text"};
  auto truth = SearchTable(*table_, q.data(), exact, &cache);
  ASSERT_TRUE(truth.ok()) << truth.status().ToString();
  ASSERT_EQ(truth->hits.size(), 10u);
  EXPECT_EQ(truth->files_searched, 4u);
  EXPECT_EQ(truth->values.num_rows, 10);
  EXPECT_EQ(truth->values.columns[0].StringValue(0), "c2500");
  // With pruning and the index: same top hit, and files of other topics are skipped.
  SearchOptions fast = exact;
  fast.exact = false;
  fast.prune = true;
  fast.ef = 128;
  auto got = SearchTable(*table_, q.data(), fast, &cache);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->hits[0].file, truth->hits[0].file);
  EXPECT_EQ(got->hits[0].row, truth->hits[0].row);
  EXPECT_GT(got->files_pruned, 0u);
  EXPECT_EQ(got->files_pruned + got->files_searched, 4u);
  // Pruning never loses a result: with exact search inside files, pruned == unpruned.
  SearchOptions pruned_exact = exact;
  pruned_exact.prune = true;
  auto pe = SearchTable(*table_, q.data(), pruned_exact, &cache);
  ASSERT_TRUE(pe.ok());
  ASSERT_EQ(pe->hits.size(), truth->hits.size());
  for (size_t i = 0; i < pe->hits.size(); ++i) {
    EXPECT_EQ(pe->hits[i].row, truth->hits[i].row);
    EXPECT_EQ(pe->hits[i].file, truth->hits[i].file);
  }
}

TEST_F(TableTest, TimeTravelAndModelCheck) {
  auto w = TableWriter::Open(*table_, {});
  ASSERT_TRUE(Write(**w, 0, 300).ok());
  auto first = (*w)->Commit();
  ASSERT_TRUE(first.ok());
  const int64_t s1 = first->snapshot_id;
  ASSERT_TRUE(Write(**w, 1000, 300).ok());  // another topic
  ASSERT_TRUE((*w)->Commit().ok());
  auto q = Query("garlic oven butter roast note 1100");
  SearchOptions o;
  o.columns = {"id"};
  auto now = SearchTable(*table_, q.data(), o, nullptr);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->values.columns[0].StringValue(0), "c1100");
  o.snapshot_id = s1;
  auto then = SearchTable(*table_, q.data(), o, nullptr);
  ASSERT_TRUE(then.ok());
  EXPECT_EQ(then->snapshot_id, s1);
  for (int64_t r = 0; r < then->values.num_rows; ++r) {
    EXPECT_LT(std::stoi(std::string(then->values.columns[0].StringValue(r)).substr(1)), 300);
  }
  o.snapshot_id = 12345;
  EXPECT_EQ(SearchTable(*table_, q.data(), o, nullptr).status().code(), StatusCode::kNotFound);
  o.snapshot_id.reset();
  o.as_of_ms = table_->metadata().FindSnapshot(s1)->timestamp_ms;
  auto asof = SearchTable(*table_, q.data(), o, nullptr);
  ASSERT_TRUE(asof.ok());
  EXPECT_EQ(asof->snapshot_id, s1);
  o.as_of_ms.reset();
  // A query embedded by another model is refused, not silently compared.
  o.model = EmbeddingModelInfo{"other-model", "", 64, VectorMetric::kCosine, true};
  auto wrong = SearchTable(*table_, q.data(), o, nullptr);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("other-model"), std::string::npos);
  o.model.reset();
  std::vector<float> nan_query(64, std::nanf(""));
  EXPECT_EQ(SearchTable(*table_, nan_query.data(), o, nullptr).status().code(), StatusCode::kInvalidArgument);
  o.columns = {"nope"};
  EXPECT_EQ(SearchTable(*table_, q.data(), o, nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TableTest, PositionDeletesHideRows) {
  auto w = TableWriter::Open(*table_, {});
  ASSERT_TRUE(Write(**w, 0, 200).ok());
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok());
  auto files = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), table_->metadata().CurrentSnapshot());
  ASSERT_EQ(files->data_files.size(), 1u);
  const std::string data_path = files->data_files[0].file.file_path;
  // Delete row 17 (id c17) with an Iceberg v2 position-delete file.
  parquet::Schema ds;
  ds.fields = {parquet::Field::Make("file_path", parquet::DataType::kString, false),
               parquet::Field::Make("pos", parquet::DataType::kInt64, false)};
  ds.fields[0].field_id = iceberg::kDeleteFilePathFieldId;
  ds.fields[1].field_id = iceberg::kDeletePosFieldId;
  parquet::Batch b = parquet::Batch::Empty(ds);
  b.columns[0].AppendString(data_path);
  b.columns[1].AppendInt64(17);
  b.num_rows = 1;
  const std::string key = table_->table_key() + "/data/deletes-" + Uuid::Random().ToString() + ".parquet";
  {
    auto out = cat_->store().OpenWritable(key, PublishMode::kIfAbsent);
    ASSERT_TRUE(out.ok());
    auto pw = parquet::ParquetWriter::Open(out->get(), ds);
    ASSERT_TRUE(pw.ok());
    ASSERT_TRUE((*pw)->WriteBatch(b).ok());
    ASSERT_TRUE((*pw)->Close().ok());
  }
  iceberg::TableChange del;
  del.operation = "delete";
  iceberg::DataFile df;
  df.file_path = cat_->LocationOf(key);
  df.record_count = 1;
  df.file_size_in_bytes = static_cast<int64_t>(*cat_->store().Size(key));
  df.lower_bounds[iceberg::kDeleteFilePathFieldId] = std::vector<uint8_t>(data_path.begin(), data_path.end());
  df.upper_bounds[iceberg::kDeleteFilePathFieldId] = df.lower_bounds[iceberg::kDeleteFilePathFieldId];
  del.add_delete_files = {df};
  ASSERT_TRUE(CommitChange(*cat_, table_->ident(), del).ok());
  ASSERT_TRUE(table_->Refresh().ok());
  auto q = Query("galaxy telescope orbit comet note 17");
  SearchOptions o;
  o.k = 5;
  o.exact = true;
  o.columns = {"id"};
  auto r = SearchTable(*table_, q.data(), o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int64_t i = 0; i < r->values.num_rows; ++i) EXPECT_NE(r->values.columns[0].StringValue(i), "c17");
  // The snapshot before the delete still has it.
  o.snapshot_id = c->snapshot_id;
  auto before = SearchTable(*table_, q.data(), o, nullptr);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->values.columns[0].StringValue(0), "c17");
}

TEST_F(TableTest, FilesAreCutByByteSizeToo) {
  TableWriterOptions wo;
  wo.target_file_rows = 1000000;
  wo.target_file_bytes = 60 * 1024;  // ~300 rows of ~200 bytes (128 B of f16 vector + text)
  auto w = TableWriter::Open(*table_, wo);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(Write(**w, 0, 2000).ok());
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const size_t files = (*w)->last_commit_files();
  EXPECT_GE(files, 5u);
  EXPECT_LE(files, 12u);
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("total-records"), "2000");
}

TEST_F(TableTest, AbandonedWritesLeaveNothingAndCreateErrors) {
  {
    auto w = TableWriter::Open(*table_, {});
    ASSERT_TRUE(Write(**w, 0, 100).ok());
    // destroyed without Commit
  }
  auto objects = cat_->store().List(table_->table_key() + "/data/");
  ASSERT_TRUE(objects.ok());
  EXPECT_TRUE(objects->empty());
  EXPECT_EQ(table_->metadata().CurrentSnapshot(), nullptr);
  TableOptions o;
  o.model = embedder_.model();
  EXPECT_EQ(Table::Create(*cat_, *TableIdent::Parse("docs"), o).status().code(), StatusCode::kAlreadyExists);
  o.model.name.clear();
  EXPECT_EQ(Table::Create(*cat_, *TableIdent::Parse("x"), o).status().code(), StatusCode::kInvalidArgument);
  o.model = embedder_.model();
  o.extra_columns = {{"id", "int"}};
  EXPECT_FALSE(Table::Create(*cat_, *TableIdent::Parse("y"), o).ok());
  o.extra_columns = {{"z", "varchar"}};
  EXPECT_FALSE(Table::Create(*cat_, *TableIdent::Parse("y"), o).ok());
  EXPECT_EQ(Table::Open(*cat_, *TableIdent::Parse("missing")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ailake::table
