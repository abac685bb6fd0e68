// The public C++ API end to end (include/ailake/ only): the README tour, errors naming API fields,
// write modes through Add, exact vs HNSW, batch == single, concurrent searches while another thread
// writes, the cache budget, the manifest cache's bound, and a Table outliving its Warehouse.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "ailake/ailake.h"

namespace ailake {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("ailake_api_" + std::to_string(rd()) + std::to_string(rd()));
    auto wh = Warehouse::Open(dir_.string(), {.create = true});
    ASSERT_TRUE(wh.ok()) << wh.status().ToString();
    wh_ = std::move(*wh);
    auto e = MakeEmbedder("hash:dim=32,model=toy@1");
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    embedder_ = std::move(*e);
  }
  void TearDown() override {
    wh_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Table> Create(const std::string& name, IndexKind index = IndexKind::kAuto, int64_t file_rows = 250000) {
    CreateTableOptions o;
    o.model = embedder_->model();
    o.model.dim = 32;
    o.storage.index = index;
    o.storage.flat_threshold_rows = 50;
    o.target_file_rows = file_rows;
    o.columns = {{"year", "int"}};
    auto t = wh_->CreateTable(name, o);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? std::move(*t) : nullptr;
  }

  // Rows [start, start + n) with ids "r<i>", texts on 4 topics, and their hash vectors.
  RecordBatch Rows(int start, int n, std::vector<float>* vectors, const std::string& suffix = "") {
    static const char* kTopics[] = {"galaxy telescope orbit comet", "garlic oven butter roast",
                                    "router packet latency socket", "tide harbor keel anchor"};
    RecordBatch b;
    b.columns = {{.name = "id", .type = ValueType::kString}, {.name = "chunk_text", .type = ValueType::kString},
                 {.name = "year", .type = ValueType::kInt32}};
    std::vector<std::string> texts;
    for (int i = start; i < start + n; ++i) {
      texts.push_back(std::string(kTopics[i % 4]) + " note " + std::to_string(i) + suffix);
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendString(texts.back());
      b.columns[2].AppendInt(2000 + i % 10);
    }
    if (vectors) {
      std::vector<std::string_view> views(texts.begin(), texts.end());
      vectors->clear();
      EXPECT_TRUE(embedder_->Embed(views, vectors).ok());
    }
    return b;
  }

  std::vector<float> Query(const std::string& text) {
    std::vector<float> q;
    EXPECT_TRUE(embedder_->Embed({text}, &q).ok());
    return q;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Warehouse> wh_;
  std::unique_ptr<Embedder> embedder_;
};

TEST_F(ApiTest, Tour) {
  EXPECT_STREQ(Version(), "0.2.0");
  auto t = Create("docs");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name(), "default.docs");
  std::vector<float> vecs;
  RecordBatch rows = Rows(0, 200, &vecs);
  auto w = t->Add(rows, vecs.data(), 32);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->rows, 200);
  EXPECT_NE(w->snapshot_id, 0);

  auto q = Query("galaxy telescope orbit comet note 8");
  SearchOptions so;
  so.k = 3;
  so.columns = {"chunk_text", "year"};
  auto r = t->Search(q.data(), q.size(), so);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->ids.size(), 3u);
  EXPECT_EQ(r->ids[0], "r8");
  EXPECT_EQ(r->snapshot_id, w->snapshot_id);
  ASSERT_EQ(r->values.columns.size(), 2u);
  EXPECT_EQ(r->values.columns[0].strings[0], "galaxy telescope orbit comet note 8");
  EXPECT_EQ(r->values.columns[1].ints[0], 2008);
  EXPECT_EQ(r->values.columns[1].ValueJson(0), "2008");

  // Text search embeds with the table's model.
  auto rt = t->SearchText({"garlic oven butter roast note 5"}, *embedder_, so);
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  EXPECT_EQ((*rt)[0].ids[0], "r5");

  auto names = wh_->ListTables();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"default.docs"});

  // Rows without a vector are embedded by WriteOptions.embedder; NaN rows count as "no vector".
  std::vector<float> more;
  RecordBatch next = Rows(200, 10, &more);
  for (size_t i = 0; i < 32; ++i) more[i] = std::nanf("");
  WriteOptions wo;
  wo.embedder = embedder_.get();
  auto w2 = t->Add(next, more.data(), 32, wo);
  ASSERT_TRUE(w2.ok()) << w2.status().ToString();
  EXPECT_EQ(w2->embedded, 1);

  auto info = t->Info();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->live_rows, 210);
  EXPECT_EQ(info->model.Id(), "toy@1");
  EXPECT_EQ(info->snapshots, 2);

  auto del = t->DeleteIds({"r8", "nope"});
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(del->rows_deleted, 1);
  EXPECT_EQ(del->unknown_ids, std::vector<std::string>{"nope"});
  auto after = t->Search(q.data(), q.size(), so);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->ids[0], "r8");
  auto d2 = t->Delete("year = 2001");
  ASSERT_TRUE(d2.ok()) << d2.status().ToString();
  EXPECT_EQ(d2->rows_deleted, 21);

  auto hist = t->History();
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 4u);
  EXPECT_EQ(hist->back().total_live_rows, 210 - 22);
  EXPECT_TRUE(hist->back().is_current);

  ASSERT_TRUE(t->Rollback((*hist)[1].snapshot_id).ok());
  auto back = t->Info();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->live_rows, 210);
  auto h2 = t->History();
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ(h2->back().event, "rollback");

  auto v = t->Verify(true);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->problems.empty());
  auto c = t->Compact();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto e = t->Expire({.older_than_ms = INT64_MAX, .orphans_older_than_ms = INT64_MAX});
  ASSERT_TRUE(e.ok()) << e.status().ToString();

  auto drop = wh_->DropTable("docs", true);
  ASSERT_TRUE(drop.ok()) << drop.status().ToString();
  EXPECT_TRUE(drop->purged);
}

TEST_F(ApiTest, ErrorsNameApiFields) {
  auto t = Create("docs");
  ASSERT_TRUE(t);
  std::vector<float> vecs;
  RecordBatch rows = Rows(0, 5, &vecs);
  auto no_vec = t->Add(rows, nullptr, 0);
  ASSERT_FALSE(no_vec.ok());
  EXPECT_NE(no_vec.status().message().find("WriteOptions.embedder"), std::string::npos) << no_vec.status().message();
  EXPECT_NE(no_vec.status().message().find("row 0"), std::string::npos) << no_vec.status().message();
  auto bad_dim = t->Add(rows, vecs.data(), 31);
  ASSERT_FALSE(bad_dim.ok());
  EXPECT_NE(bad_dim.status().message().find("dim"), std::string::npos);
  auto q = Query("x");
  SearchOptions so;
  so.k = 0;
  auto k0 = t->Search(q.data(), q.size(), so);
  ASSERT_FALSE(k0.ok());
  EXPECT_NE(k0.status().message().find("SearchOptions.k"), std::string::npos);
  WriteOptions wo;
  wo.batch_rows = 0;
  auto b0 = t->Add(rows, vecs.data(), 32, wo);
  EXPECT_NE(b0.status().message().find("WriteOptions.batch_rows"), std::string::npos);
  CreateTableOptions co;
  co.model.dim = 8;
  auto noname = wh_->CreateTable("x", co);
  ASSERT_FALSE(noname.ok());
  EXPECT_NE(noname.status().message().find("CreateTableOptions.model.name"), std::string::npos);
  auto missing = Warehouse::Open((dir_ / "nope").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("WarehouseOptions.create"), std::string::npos);
  auto badcat = Warehouse::Open(dir_.string(), {.catalog = "nosuch"});
  EXPECT_NE(badcat.status().message().find("WarehouseOptions.catalog"), std::string::npos);
  // Nothing was committed by the failed writes.
  auto info = t->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->snapshot_id, 0);
}

TEST_F(ApiTest, WriteModesThroughAdd) {
  auto t = Create("docs");
  ASSERT_TRUE(t);
  std::vector<float> vecs;
  RecordBatch rows = Rows(0, 10, &vecs);
  ASSERT_TRUE(t->Add(rows, vecs.data(), 32).ok());
  // error-on-duplicate (the default) refuses the whole batch.
  std::vector<float> v2;
  RecordBatch again = Rows(5, 10, &v2, " v2");
  auto dup = t->Add(again, v2.data(), 32);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("r5"), std::string::npos) << dup.status().message();
  // insert-new skips the live ids.
  auto ins = t->Add(again, v2.data(), 32, {.mode = WriteMode::kInsertNew});
  ASSERT_TRUE(ins.ok()) << ins.status().ToString();
  EXPECT_EQ(ins->rows, 5);
  EXPECT_EQ(ins->skipped, 5);
  // upsert replaces in one snapshot.
  RecordBatch third = Rows(0, 3, &v2, " v3");
  auto up = t->Add(third, v2.data(), 32, {.mode = WriteMode::kUpsert});
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->replaced, 3);
  auto info = t->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->live_rows, 15);
  auto q = Query("galaxy telescope orbit comet note 0 v3");
  auto r = t->Search(q.data(), q.size(), {.k = 1, .columns = {"chunk_text"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ids[0], "r0");
  EXPECT_EQ(r->values.columns[0].strings[0], "galaxy telescope orbit comet note 0 v3");
  // An id twice in one batch is refused naming both rows.
  RecordBatch twice = Rows(20, 2, &v2);
  twice.columns[0].strings[1] = "r20";
  auto tw = t->Add(twice, v2.data(), 32, {.mode = WriteMode::kUpsert});
  ASSERT_FALSE(tw.ok());
  EXPECT_NE(tw.status().message().find("row 1"), std::string::npos) << tw.status().message();
}

TEST_F(ApiTest, ExactVsHnswAndBatchEqualsSingle) {
  auto t = Create("docs", IndexKind::kHnsw, 300);
  ASSERT_TRUE(t);
  std::vector<float> vecs;
  RecordBatch rows = Rows(0, 1200, &vecs);
  ASSERT_TRUE(t->Add(rows, vecs.data(), 32).ok());
  std::vector<float> queries;
  const size_t n = 12;
  for (size_t i = 0; i < n; ++i) {
    auto q = Query(std::string(i % 2 ? "router packet" : "tide harbor") + " note " + std::to_string(i * 37));
    queries.insert(queries.end(), q.begin(), q.end());
  }
  SearchOptions so;
  so.k = 10;
  so.ef = 200;
  SearchOptions exact = so;
  exact.exact = true;
  auto batch = t->SearchBatch(queries.data(), n, 32, so);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), n);
  size_t agree = 0, total = 0;
  for (size_t i = 0; i < n; ++i) {
    auto single = t->Search(queries.data() + i * 32, 32, so);
    ASSERT_TRUE(single.ok());
    EXPECT_EQ(single->ids, (*batch)[i].ids) << "query " << i;
    EXPECT_EQ(single->distances, (*batch)[i].distances) << "query " << i;
    EXPECT_EQ(single->files_searched, (*batch)[i].files_searched);
    auto truth = t->Search(queries.data() + i * 32, 32, exact);
    ASSERT_TRUE(truth.ok());
    std::set<std::string> want(truth->ids.begin(), truth->ids.end());
    for (const auto& id : single->ids) agree += want.count(id);
    total += want.size();
  }
  EXPECT_GE(agree * 10, total * 9) << agree << " of " << total;
}

TEST_F(ApiTest, ConcurrentSearchesWhileAdding) {
  auto t = Create("docs", IndexKind::kAuto, 100);
  ASSERT_TRUE(t);
  std::vector<float> vecs;
  RecordBatch rows = Rows(0, 100, &vecs);
  ASSERT_TRUE(t->Add(rows, vecs.data(), 32).ok());
  std::atomic<bool> done{false};
  std::atomic<int> searches{0};
  std::atomic<int> bad{0};
  std::string why;
  std::mutex why_mu;
  // Each writer commit adds 50 rows, so every consistent snapshot holds 100 + 50 j rows, and a
  // k = all search over a snapshot returns exactly that many distinct ids.
  std::thread writer([&] {
    for (int j = 0; j < 6; ++j) {
      std::vector<float> v;
      RecordBatch b = Rows(100 + 50 * j, 50, &v);
      auto w = t->Add(b, v.data(), 32);
      if (!w.ok()) {
        ++bad;
        std::lock_guard<std::mutex> l(why_mu);
        why = w.status().ToString();
      }
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      auto q = Query("router packet latency note " + std::to_string(r));
      while (!done || searches < 30) {
        if (r == 0) (void)t->Refresh();
        auto res = t->Search(q.data(), 32, {.k = 1000, .exact = true});
        ++searches;
        if (!res.ok()) {
          ++bad;
          std::lock_guard<std::mutex> l(why_mu);
          why = res.status().ToString();
          continue;
        }
        std::set<std::string> ids(res->ids.begin(), res->ids.end());
        if (ids.size() != res->ids.size() || (ids.size() - 100) % 50 != 0) {
          ++bad;
          std::lock_guard<std::mutex> l(why_mu);
          why = "inconsistent result with " + std::to_string(ids.size()) + " ids";
        }
        if (done && searches >= 30) break;
      }
    });
  }
  writer.join();
  for (auto& th : readers) th.join();
  EXPECT_EQ(bad.load(), 0) << why;
  auto info = t->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->live_rows, 400);
}

TEST_F(ApiTest, CacheBoundedByBudget) {
  wh_.reset();
  auto wh = Warehouse::Open(dir_.string(), {.table_cache_bytes = 20000});
  ASSERT_TRUE(wh.ok());
  wh_ = std::move(*wh);
  auto t = Create("docs", IndexKind::kFlat, 100);
  ASSERT_TRUE(t);
  std::vector<float> vecs;
  RecordBatch rows = Rows(0, 800, &vecs);
  ASSERT_TRUE(t->Add(rows, vecs.data(), 32).ok());
  auto q = Query("tide harbor keel");
  uint64_t max_seen = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = t->Search(q.data(), 32, {.k = 5, .exact = true, .prune = false});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->files_searched, 8u);
    max_seen = std::max(max_seen, t->cache_bytes());
  }
  EXPECT_GT(max_seen, 0u);  // some files fit
  EXPECT_LE(max_seen, 20000u);
}

// WarehouseOptions::manifest_cache_bytes resizes the process-wide manifest cache: 0 sends every
// manifest read to storage, a bound keeps what fits, and a failed Open leaves the bound alone.
TEST_F(ApiTest, ManifestCacheBoundFromOpen) {
  const uint64_t initial = GetManifestCacheStats().capacity_bytes;
  auto reopen = [&](std::optional<uint64_t> bound) {
    wh_.reset();
    auto wh = Warehouse::Open(dir_.string(), {.manifest_cache_bytes = bound});
    ASSERT_TRUE(wh.ok()) << wh.status().ToString();
    wh_ = std::move(*wh);
  };
  reopen(0);
  EXPECT_EQ(GetManifestCacheStats().capacity_bytes, 0u);
  EXPECT_EQ(GetManifestCacheStats().entries, 0u);  // evicted down to the new bound
  auto t = Create("docs", IndexKind::kFlat, 100);
  ASSERT_TRUE(t);
  std::vector<float> vecs;
  for (int c = 0; c < 3; ++c) {  // three commits, so a plan reads three manifests
    RecordBatch rows = Rows(c * 50, 50, &vecs);
    ASSERT_TRUE(t->Add(rows, vecs.data(), 32).ok());
  }
  const auto q = Query("tide harbor keel");
  const ManifestCacheStats off = GetManifestCacheStats();
  auto t2 = wh_->OpenTable("docs");  // a new handle plans the snapshot again
  ASSERT_TRUE(t2.ok());
  auto r = (*t2)->Search(q.data(), 32, {.k = 5});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->ids.size(), 5u);
  const ManifestCacheStats after_off = GetManifestCacheStats();
  EXPECT_EQ(after_off.entries, 0u);
  EXPECT_EQ(after_off.hits, off.hits);
  EXPECT_GE(after_off.misses, off.misses + 3);

  reopen(1u << 20);
  EXPECT_EQ(GetManifestCacheStats().capacity_bytes, uint64_t{1} << 20);
  for (int pass = 0; pass < 2; ++pass) {
    auto h = wh_->OpenTable("docs");
    ASSERT_TRUE(h.ok());
    ASSERT_TRUE((*h)->Search(q.data(), 32, {.k = 5}).ok());
  }
  const ManifestCacheStats on = GetManifestCacheStats();
  EXPECT_GE(on.entries, 3u);
  EXPECT_GT(on.bytes, 0u);
  EXPECT_LE(on.bytes, on.capacity_bytes);
  EXPECT_GE(on.hits, after_off.hits + 3);  // the second handle's plan read them from the cache

  reopen(std::nullopt);  // unset: the bound stays as the last Open set it
  EXPECT_EQ(GetManifestCacheStats().capacity_bytes, uint64_t{1} << 20);
  auto missing = Warehouse::Open((dir_ / "absent").string(), {.manifest_cache_bytes = 5});
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(GetManifestCacheStats().capacity_bytes, uint64_t{1} << 20);  // a failed Open changes nothing

  reopen(initial);
  EXPECT_EQ(GetManifestCacheStats().capacity_bytes, initial);
}

TEST_F(ApiTest, TableOutlivesWarehouse) {
  auto t = Create("docs");
  ASSERT_TRUE(t);
  wh_.reset();
  std::vector<float> vecs;
  RecordBatch rows = Rows(0, 20, &vecs);
  auto w = t->Add(rows, vecs.data(), 32);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto q = Query("garlic oven butter roast note 1");
  auto r = t->Search(q.data(), 32, {.k = 1});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ids[0], "r1");
}

}  // namespace
}  // namespace ailake
