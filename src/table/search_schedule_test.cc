// The search schedule of one query (table_search.cc SearchOne): the lowest-bound files first, one
// per lane, then the rest in lanes that each prune against their own k-th best. For every metric:
//   - the lower bound (float kernels, lowered by a safety margin) never prunes a true neighbour:
//     exact search with pruning equals exact search without it, hit for hit;
//   - a query run alone (lanes on the pool) and the same query in a batch (lanes one after another
//     on the query's thread) give the same hits and the same files searched and pruned, for pool
//     sizes 1, 2 and 3, exact and through the HNSW indexes;
//   - pruning does skip files (the test data has topics, so it could);
//   - probe_patience stops a lane once its files stop adding hits: a query inside a topic still
//     gets the exact answer (its topic's files come first) from fewer files, and the schedule stays
//     deterministic (alone == in a batch);
//   - adaptive_probe (not for dot): with a factor too large to skip anything it equals the exact
//     answer; at 1 an in-topic query still gets the exact answer while the other topics' files,
//     far beyond their bisectors with the nearest file, are skipped; bad factors are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <tuple>

#include "core/thread_pool.h"
#include "core/uuid.h"
#include "table/table_search.h"
#include "table/table_writer.h"

namespace ailake::table {
namespace {

namespace fs = std::filesystem;

constexpr size_t kDim = 24;
constexpr size_t kTopics = 3;
constexpr int64_t kRowsPerFile = 120;
constexpr int64_t kFiles = 12;
constexpr int64_t kQueries = 30;

class SearchScheduleTest : public ::testing::TestWithParam<VectorMetric> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ailake_schedule_" + Uuid::Random().ToString());
    cat_ = std::move(*catalog::OpenCatalog("fs", dir_.string()));
    std::mt19937_64 rng(11);
    std::normal_distribution<float> g(0, 1);
    topics_.resize(kTopics * kDim);
    for (auto& x : topics_) x = 3.0f * g(rng);
    TableOptions o;
    o.model = {"planted", "1", static_cast<uint32_t>(kDim), GetParam(), false};
    auto t = Table::Create(*cat_, *catalog::TableIdent::Parse("t"), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
    // One commit per file; each file holds one topic (four files per topic), so a query's bound
    // can rule out the files of other topics, and a topic's answer is spread over several files.
    for (int64_t f = 0; f < kFiles; ++f) {
      auto w = TableWriter::Open(*table_, {});
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      auto schema = table_->DataSchema();
      ASSERT_TRUE(schema.ok());
      parquet::Batch b = parquet::Batch::Empty(*schema);
      std::vector<float> vecs;
      for (int64_t i = f * kRowsPerFile; i < (f + 1) * kRowsPerFile; ++i) {
        b.columns[0].AppendString("r" + std::to_string(i));
        b.columns[1].AppendString("d");
        b.columns[2].AppendString("text " + std::to_string(i));
        b.columns[3].AppendNull();
        auto v = Around(static_cast<size_t>(f) % kTopics, static_cast<uint64_t>(i), 0.6f);
        vecs.insert(vecs.end(), v.begin(), v.end());
      }
      b.num_rows = kRowsPerFile;
      ASSERT_TRUE((*w)->Append(b, vecs.data()).ok());
      ASSERT_TRUE((*w)->Commit().ok());
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<float> Around(size_t topic, uint64_t seed, float noise) const {
    std::mt19937_64 rng(seed + 5000);
    std::normal_distribution<float> g(0, 1);
    std::vector<float> v(kDim);
    for (size_t d = 0; d < kDim; ++d) v[d] = topics_[topic * kDim + d] + noise * g(rng);
    return v;
  }
  // Even queries sit in a topic; odd ones halfway between two, where both topics' files have
  // bounds close to the k-th best distance (a bound that is too high would prune a true neighbour).
  std::vector<float> Query(int64_t q) const {
    const size_t a = static_cast<size_t>(q / 2) % kTopics;
    auto v = Around(a, 900000 + static_cast<uint64_t>(q), 0.8f);
    if (q % 2 == 1) {
      const size_t b = (a + 1) % kTopics;
      for (size_t d = 0; d < kDim; ++d) v[d] = 0.5f * (v[d] + topics_[b * kDim + d]);
    }
    return v;
  }

  // Queries 0..kQueries-1, one after another (n x kDim).
  std::vector<float> Queries() const {
    std::vector<float> batch;
    for (int64_t q = 0; q < kQueries; ++q) {
      auto v = Query(q);
      batch.insert(batch.end(), v.begin(), v.end());
    }
    return batch;
  }

  // k = 8, exact, every file searched (no pruning): the reference answer and file count.
  static SearchOptions ExactEverywhere() {
    SearchOptions o;
    o.k = 8;
    o.exact = true;
    o.prune = false;
    return o;
  }

  // Every query of `batch` in one call; an error fails the test (and gives empty results).
  std::vector<SearchResult> SearchAll(const std::vector<float>& batch, const SearchOptions& o,
                                      const SearchContext& ctx) {
    auto r = SearchTableBatch(*table_, batch.data(), kQueries, o, ctx);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : std::vector<SearchResult>(kQueries);
  }

  static std::vector<std::tuple<std::string, uint32_t, float>> Hits(const SearchResult& r) {
    std::vector<std::tuple<std::string, uint32_t, float>> out;
    for (const auto& h : r.hits) out.emplace_back(h.file, h.row, h.distance);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<Table> table_;
  std::vector<float> topics_;
};

TEST_P(SearchScheduleTest, PruningLosesNothingAndAQueryAloneEqualsItInABatch) {
  const std::vector<float> batch = Queries();
  FileCache cache;
  SnapshotPlanCache plans;
  size_t pruned_exact = 0;
  for (size_t threads : {1u, 2u, 3u}) {
    ThreadPool pool(threads);
    SearchContext ctx{&cache, &plans, &pool};
    for (bool exact : {true, false}) {
      SearchOptions o;
      o.k = 8;
      o.ef = 32;
      o.exact = exact;
      auto together = SearchTableBatch(*table_, batch.data(), kQueries, o, ctx);
      ASSERT_TRUE(together.ok()) << together.status().ToString();
      SearchOptions unpruned = o;
      unpruned.prune = false;
      auto all = SearchTableBatch(*table_, batch.data(), kQueries, unpruned, ctx);
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      for (int64_t q = 0; q < kQueries; ++q) {
        const SearchResult& in_batch = (*together)[static_cast<size_t>(q)];
        auto alone = SearchTableBatch(*table_, batch.data() + q * kDim, 1, o, ctx);
        ASSERT_TRUE(alone.ok()) << alone.status().ToString();
        const SearchResult& one = (*alone)[0];
        EXPECT_EQ(Hits(one), Hits(in_batch)) << "threads " << threads << " exact " << exact << " query " << q;
        EXPECT_EQ(one.files_searched, in_batch.files_searched) << threads << " " << q;
        EXPECT_EQ(one.files_pruned, in_batch.files_pruned) << threads << " " << q;
        EXPECT_EQ(one.files_searched + one.files_pruned, static_cast<size_t>(kFiles));
        ASSERT_EQ(one.hits.size(), o.k);
        const SearchResult& full = (*all)[static_cast<size_t>(q)];
        EXPECT_EQ(full.files_pruned, 0u);
        if (exact) {
          // The bound is a true lower bound: pruning never changes an exact answer.
          EXPECT_EQ(Hits(one), Hits(full)) << "threads " << threads << " query " << q;
          pruned_exact += one.files_pruned;
        }
      }
    }
  }
  // A query's topic lives in 4 of 12 files; a bound that never prunes would pass the rest.
  EXPECT_GT(pruned_exact, static_cast<size_t>(kQueries));
}

TEST_P(SearchScheduleTest, ProbePatienceStopsOnceFilesAddNothing) {
  const std::vector<float> batch = Queries();
  FileCache cache;
  SnapshotPlanCache plans;
  for (size_t threads : {1u, 2u}) {
    ThreadPool pool(threads);
    SearchContext ctx{&cache, &plans, &pool};
    const SearchOptions full = ExactEverywhere();
    SearchOptions patient = full;
    patient.probe_patience = 1;
    const std::vector<SearchResult> want = SearchAll(batch, full, ctx);
    const std::vector<SearchResult> got = SearchAll(batch, patient, ctx);
    size_t searched_full = 0, searched_patient = 0;
    for (int64_t q = 0; q < kQueries; ++q) {
      const SearchResult& w = want[static_cast<size_t>(q)];
      const SearchResult& g = got[static_cast<size_t>(q)];
      searched_full += w.files_searched;
      searched_patient += g.files_searched;
      EXPECT_EQ(g.files_searched + g.files_pruned, static_cast<size_t>(kFiles)) << q;
      EXPECT_LE(g.files_searched, w.files_searched) << q;
      ASSERT_EQ(g.hits.size(), full.k) << q;
      if (q % 2 == 0) {
        // Inside a topic: its 4 files have the lowest centroid distances and come first.
        EXPECT_EQ(Hits(g), Hits(w)) << "threads " << threads << " query " << q;
      }
      auto alone = SearchTableBatch(*table_, batch.data() + q * kDim, 1, patient, ctx);
      ASSERT_TRUE(alone.ok()) << alone.status().ToString();
      EXPECT_EQ(Hits((*alone)[0]), Hits(g)) << "threads " << threads << " query " << q;
      EXPECT_EQ((*alone)[0].files_searched, g.files_searched) << q;
    }
    // The other topics' 8 files add nothing to an in-topic query, so a lane stops at its first one
    // (about 5-6 of 12 files per query; queries between two topics search more).
    EXPECT_LT(searched_patient * 3, searched_full * 2) << threads;
  }
}

TEST_P(SearchScheduleTest, AdaptiveProbeSkipsFilesBeyondTheirBisector) {
  const std::vector<float> batch = Queries();
  FileCache cache;
  SnapshotPlanCache plans;
  for (double bad : {-0.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    ThreadPool pool(1);
    SearchContext ctx{&cache, &plans, &pool};
    SearchOptions o;
    o.adaptive_probe = bad;
    auto r = SearchTableBatch(*table_, batch.data(), 1, o, ctx);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("adaptive probing"), std::string::npos) << r.status().ToString();
  }
  if (GetParam() == VectorMetric::kDot) {
    ThreadPool pool(1);
    SearchContext ctx{&cache, &plans, &pool};
    SearchOptions o;
    o.adaptive_probe = 0.1;
    auto r = SearchTableBatch(*table_, batch.data(), 1, o, ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("uses dot"), std::string::npos) << r.status().ToString();
    return;
  }
  for (size_t threads : {1u, 2u}) {
    ThreadPool pool(threads);
    SearchContext ctx{&cache, &plans, &pool};
    const SearchOptions full = ExactEverywhere();
    const std::vector<SearchResult> want = SearchAll(batch, full, ctx);
    SearchOptions never = full;  // a factor no bisector bound reaches: nothing skipped by it
    never.prune = true;
    never.adaptive_probe = 1e9;
    SearchOptions one = full;
    one.adaptive_probe = 1;
    const std::vector<SearchResult> loose = SearchAll(batch, never, ctx);
    const std::vector<SearchResult> tight = SearchAll(batch, one, ctx);
    size_t searched_full = 0, searched_tight = 0;
    for (int64_t q = 0; q < kQueries; ++q) {
      const size_t i = static_cast<size_t>(q);
      const SearchResult& w = want[i];
      EXPECT_EQ(Hits(loose[i]), Hits(w)) << "threads " << threads << " query " << q;
      const SearchResult& t = tight[i];
      EXPECT_EQ(t.files_searched + t.files_pruned, static_cast<size_t>(kFiles)) << q;
      ASSERT_EQ(t.hits.size(), full.k) << q;
      searched_full += w.files_searched;
      searched_tight += t.files_searched;
      if (q % 2 == 0) {
        // Inside a topic: its 4 files' centroids nearly coincide (bisector bounds near 0) and the
        // other topics' lie far beyond theirs.
        EXPECT_EQ(Hits(t), Hits(w)) << "threads " << threads << " query " << q;
        EXPECT_LE(t.files_searched, 6u) << q;
      }
      auto alone = SearchTableBatch(*table_, batch.data() + q * kDim, 1, one, ctx);
      ASSERT_TRUE(alone.ok()) << alone.status().ToString();
      EXPECT_EQ(Hits((*alone)[0]), Hits(t)) << "threads " << threads << " query " << q;
      EXPECT_EQ((*alone)[0].files_searched, t.files_searched) << q;
    }
    EXPECT_LT(searched_tight, searched_full) << threads;  // queries between topics search more
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, SearchScheduleTest,
                         ::testing::Values(VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDot,
                                           VectorMetric::kNormalizedCosine),
                         [](const ::testing::TestParamInfo<VectorMetric>& p) {
                           switch (p.param) {
                             case VectorMetric::kCosine: return std::string("Cosine");
                             case VectorMetric::kEuclidean: return std::string("Euclidean");
                             case VectorMetric::kDot: return std::string("Dot");
                             case VectorMetric::kNormalizedCosine: return std::string("NormalizedCosine");
                           }
                           return std::string("Unknown");
                         });

}  // namespace
}  // namespace ailake::table
