// Clustered layout (CompactOptions::cluster, table/layout_regions.h, routed TableWriter appends):
// every live row kept exactly once (ids and vector bytes), deletes before clustering stay
// deleted, exact search identical to the unclustered table, pruned HNSW search finds a stored
// vector, files get tighter, routed appends land in their nearest region's file, a concurrent
// append and a concurrent delete survive the clustering commit, expire keeps the live regions
// object and drops replaced ones, and the property cannot name a file outside metadata/.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "core/uuid.h"
#include "file/file_reader.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/compact.h"
#include "table/expire.h"
#include "table/layout_regions.h"
#include "table/table_delete.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "table/verify.h"
#include "vec/kmeans.h"
#include "vec/quantize.h"

namespace ailake::table {
namespace {

namespace fs = std::filesystem;
using catalog::TableIdent;

constexpr size_t kDim = 16;
constexpr size_t kTopics = 8;

struct Row {
  std::vector<uint8_t> vector;  // stored bytes
  std::string text;
  std::string file;
  int64_t pos = 0;
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ailake_cluster_" + Uuid::Random().ToString());
    cat_ = std::move(*catalog::OpenCatalog("fs", dir_.string()));
    std::mt19937_64 rng(3);
    std::normal_distribution<float> g(0, 1);
    topics_.resize(kTopics * kDim);
    for (auto& x : topics_) x = g(rng);
    TableOptions o;
    o.model = {"planted", "1", static_cast<uint32_t>(kDim), VectorMetric::kCosine, false};
    o.target_file_rows = 500;
    auto t = Table::Create(*cat_, *TableIdent::Parse("t"), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Row i's vector: topic (i * 7919 % kTopics) plus noise, a pure function of i. Rows of every
  // topic arrive interleaved, so ingested files each span all topics.
  static size_t TopicOf(int64_t i) { return static_cast<size_t>(i * 7919) % kTopics; }
  std::vector<float> VectorOf(int64_t i) const {
    std::mt19937_64 rng(static_cast<uint64_t>(i) + 1000);
    std::normal_distribution<float> g(0, 1);
    std::vector<float> v(kDim);
    for (size_t d = 0; d < kDim; ++d) v[d] = topics_[TopicOf(i) * kDim + d] + 0.15f * g(rng);
    return v;
  }

  Status Write(TableWriter& w, int64_t start, int64_t n) {
    AILAKE_ASSIGN_OR_RETURN(parquet::Schema schema, table_->DataSchema());
    parquet::Batch b = parquet::Batch::Empty(schema);
    std::vector<float> vecs;
    for (int64_t i = start; i < start + n; ++i) {
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendString("d" + std::to_string(i % 3));
      b.columns[2].AppendString("text " + std::to_string(i));
      b.columns[3].AppendNull();
      auto v = VectorOf(i);
      vecs.insert(vecs.end(), v.begin(), v.end());
    }
    b.num_rows = n;
    return w.Append(b, vecs.data());
  }
  void Commit(Table& t, int64_t start, int64_t n) {
    TableWriterOptions wo;
    wo.row_group_rows = 128;  // many row groups: the clustering reads them in order
    auto w = TableWriter::Open(t, wo);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE(Write(**w, start, n).ok());
    auto c = (*w)->Commit();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
  }

  // Live rows by id (each at most once).
  Result<std::map<std::string, Row>> Scan() {
    AILAKE_ASSIGN_OR_RETURN(auto t, Table::Open(*cat_, *TableIdent::Parse("t")));
    std::map<std::string, Row> out;
    Store& store = cat_->store();
    AILAKE_ASSIGN_OR_RETURN(auto files, iceberg::ReadSnapshotFiles(store, t->locations(), t->metadata().CurrentSnapshot()));
    AILAKE_ASSIGN_OR_RETURN(auto deletes, ReadPositionDeletes(*t, files.delete_files));
    for (const auto& e : files.data_files) {
      AILAKE_ASSIGN_OR_RETURN(std::string key, t->locations().KeyOf(e.file.file_path));
      AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(key));
      AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
      AILAKE_ASSIGN_OR_RETURN(auto idx, reader->parquet().FieldIndices({"id", "chunk_text", "embedding"}));
      AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, reader->parquet().ReadAll(idx));
      std::set<int64_t> gone;
      auto d = deletes.find(e.file.file_path);
      if (d != deletes.end()) gone.insert(d->second.begin(), d->second.end());
      for (int64_t r = 0; r < b.num_rows; ++r) {
        if (gone.count(r)) continue;
        Row row;
        row.text = std::string(b.columns[1].StringValue(r));
        const uint8_t* v = b.columns[2].FixedValue(r);
        row.vector.assign(v, v + b.schema.fields[2].fixed_len);
        row.file = e.file.file_path;
        row.pos = r;
        std::string id(b.columns[0].StringValue(r));
        if (!out.emplace(id, std::move(row)).second) return Status::Corruption("row " + id + " is live twice");
      }
    }
    return out;
  }

  iceberg::SnapshotFiles Files() {
    EXPECT_TRUE(table_->Refresh().ok());
    auto f = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), table_->metadata().CurrentSnapshot());
    EXPECT_TRUE(f.ok());
    return f.ok() ? std::move(*f) : iceberg::SnapshotFiles{};
  }
  double MeanRadius() {
    auto f = Files();
    double sum = 0;
    for (const auto& e : f.data_files) sum += f.vector_stats.at(e.file.file_path).at(0).radius;
    return f.data_files.empty() ? 0 : sum / static_cast<double>(f.data_files.size());
  }

  // (id, distance) of the top k, exact or through the HNSW indexes with pruning.
  std::vector<std::pair<std::string, float>> Search(const std::vector<float>& q, bool exact, size_t k,
                                                    SearchResult* full = nullptr) {
    SearchOptions so;
    so.k = k;
    so.exact = exact;
    so.prune = !exact;
    so.columns = {"id"};
    FileCache cache;
    auto r = SearchTable(*table_, q.data(), so, &cache);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::pair<std::string, float>> out;
    if (!r.ok()) return out;
    for (size_t i = 0; i < r->hits.size(); ++i) {
      out.emplace_back(std::string(r->values.columns[0].StringValue(static_cast<int64_t>(i))), r->hits[i].distance);
    }
    if (full) *full = std::move(*r);
    return out;
  }
  std::vector<float> Query(int64_t i) const {
    std::mt19937_64 rng(static_cast<uint64_t>(i) + 77);
    std::normal_distribution<float> g(0, 1);
    std::vector<float> v(kDim);
    for (size_t d = 0; d < kDim; ++d) v[d] = topics_[static_cast<size_t>(i) % kTopics * kDim + d] + 0.3f * g(rng);
    return v;
  }

  // Full results (file, row, distance) with nprobe (0 = exact pruning only).
  SearchResult SearchProbe(const std::vector<float>& q, size_t nprobe, bool exact = false) {
    SearchOptions so;
    so.k = 10;
    so.exact = exact;
    so.nprobe = nprobe;
    so.threads = 2;
    FileCache cache;
    auto r = SearchTable(*table_, q.data(), so, &cache);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : SearchResult{};
  }
  static std::vector<std::tuple<std::string, uint32_t, float>> Hits(const SearchResult& r) {
    std::vector<std::tuple<std::string, uint32_t, float>> out;
    for (const auto& h : r.hits) out.emplace_back(h.file, h.row, h.distance);
    return out;
  }
  // nprobe = the file count is exact pruning (same hits, same files searched); nprobe = 1 searches
  // exactly one file; nprobe above the count is clamped.
  void ExpectNprobeInvariants() {
    const size_t files = Files().data_files.size();
    ASSERT_GT(files, 1u);
    for (int64_t q = 0; q < 60; ++q) {
      for (bool exact : {false, true}) {
        SearchResult base = SearchProbe(Query(q), 0, exact);
        SearchResult all = SearchProbe(Query(q), files, exact);
        SearchResult more = SearchProbe(Query(q), files + 3, exact);
        EXPECT_EQ(Hits(all), Hits(base)) << q;
        EXPECT_EQ(Hits(more), Hits(base)) << q;
        EXPECT_EQ(all.files_searched, base.files_searched) << q;
        EXPECT_EQ(all.files_pruned, base.files_pruned) << q;
        SearchResult one = SearchProbe(Query(q), 1, exact);
        EXPECT_EQ(one.files_searched, 1u) << q;
        EXPECT_EQ(one.files_pruned, files - 1) << q;
        ASSERT_FALSE(one.hits.empty()) << q;
        // All hits come from that one file.
        for (const auto& h : one.hits) EXPECT_EQ(h.file, one.hits.front().file) << q;
        SearchResult two = SearchProbe(Query(q), 2, exact);
        EXPECT_LE(two.files_searched, 2u) << q;
        EXPECT_GE(two.files_searched, 1u) << q;
      }
    }
  }

  Result<CompactResult> Cluster(int64_t files, std::function<void(const std::string&)> progress = {}) {
    CompactOptions o;
    o.cluster = true;
    o.cluster_files = files;
    o.progress = std::move(progress);
    return CompactTable(*table_, o);
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<Table> table_;
  std::vector<float> topics_;
};

TEST_F(ClusterTest, EveryRowOnceDeletesKeptSearchUnchanged) {
  Commit(*table_, 0, 1000);     // 2 files of 500
  Commit(*table_, 1000, 1000);  // 2 more
  ASSERT_TRUE(DeleteWhere(*table_, "id IN ('r5', 'r700', 'r1999')").ok());
  auto before = Scan();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_EQ(before->size(), 1997u);
  const double radius_before = MeanRadius();
  std::vector<std::vector<std::pair<std::string, float>>> exact_before;
  for (int64_t q = 0; q < 40; ++q) exact_before.push_back(Search(Query(q), true, 10));

  auto r = Cluster(4);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files_removed, 4u);
  EXPECT_EQ(r->files_added, 4u);
  EXPECT_EQ(r->regions, 4u);
  EXPECT_EQ(r->rows_written, 1997);
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().properties.at(kPropLayout), "clustered");
  EXPECT_EQ(table_->metadata().properties.at(kPropLayoutRegions), r->regions_object);

  // Every row once, with its vector bytes and text; the deleted ones stay deleted.
  auto after = Scan();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->size(), before->size());
  for (const auto& [id, row] : *before) {
    auto it = after->find(id);
    ASSERT_NE(it, after->end()) << id << " lost";
    EXPECT_EQ(it->second.vector, row.vector) << id;
    EXPECT_EQ(it->second.text, row.text) << id;
  }
  for (const char* gone : {"r5", "r700", "r1999"}) EXPECT_EQ(after->count(gone), 0u) << gone;
  // 8 planted topics in 4 regions: each file spans ~2 topics instead of all 8.
  const double radius_after = MeanRadius();
  EXPECT_LT(radius_after, 0.8 * radius_before) << radius_before << " -> " << radius_after;
  // Balanced: no region above its capacity.
  for (const auto& e : Files().data_files) {
    EXPECT_LE(e.file.record_count, static_cast<int64_t>(vec::RegionCapacity(1997, 4, CompactOptions{}.cluster_slack)));
  }

  // Exact search: the same ids at the same distances.
  for (int64_t q = 0; q < 40; ++q) EXPECT_EQ(Search(Query(q), true, 10), exact_before[static_cast<size_t>(q)]) << q;
  // Pruned HNSW search finds a stored vector as its own top 1, and skips files doing it.
  size_t pruned = 0;
  for (int64_t i = 0; i < 2000; i += 50) {
    if (i == 700) continue;
    SearchResult full;
    auto hits = Search(VectorOf(i), false, 1, &full);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].first, "r" + std::to_string(i));
    pruned += full.files_pruned;
  }
  EXPECT_GT(pruned, 0u);
  auto v = VerifyTable(*table_);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty()) << v->problems.front();
}

TEST_F(ClusterTest, NprobeUnclusteredAndClustered) {
  Commit(*table_, 0, 1000);
  Commit(*table_, 1000, 1000);  // 4 files spanning every topic
  ExpectNprobeInvariants();
  auto r = Cluster(4);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNprobeInvariants();
  // Clustered: a stored vector's own region is the nearest centroid, so nprobe 1 finds it.
  size_t found = 0, tried = 0;
  for (int64_t i = 0; i < 2000; i += 50, ++tried) {
    SearchResult one = SearchProbe(VectorOf(i), 1, true);
    ASSERT_EQ(one.files_searched, 1u);
    if (!one.hits.empty() && one.hits[0].distance < 1e-5f) ++found;
  }
  EXPECT_GE(found * 10, tried * 9) << found << " of " << tried;
}

// A --where filter gives the same hits whether the allowed rows are scanned exactly or filtered
// inside the graph walk (ef above the file size, so the walk reaches every allowed row), at ~1%
// and ~55% selectivity; the automatic choice equals the exact search.
TEST_F(ClusterTest, FilteredSearchSameOnScanAndGraphPaths) {
  Commit(*table_, 0, 1000);
  Commit(*table_, 1000, 1000);
  std::string few = "id IN (";
  for (int i = 0; i < 20; ++i) few += std::string(i ? "," : "") + "'r" + std::to_string(i * 97) + "'";
  few += ")";
  EXPECT_TRUE(FilterScans(20, 500, 10));
  EXPECT_FALSE(FilterScans(5000, 100000, 10));
  EXPECT_TRUE(FilterScans(1999, 100000, 10));  // below 2% of the file
  for (const std::string& where : {few, std::string("id >= 'r1' AND id < 'r2'")}) {
    for (int64_t q = 0; q < 30; ++q) {
      auto run = [&](SearchOptions::FilterPath path, bool exact) {
        SearchOptions so;
        so.k = 10;
        so.ef = 1000;
        so.where = where;
        so.exact = exact;
        so.filter_path = path;
        FileCache cache;
        auto r = SearchTable(*table_, Query(q).data(), so, &cache);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        return r.ok() ? Hits(*r) : std::vector<std::tuple<std::string, uint32_t, float>>{};
      };
      auto scan = run(SearchOptions::FilterPath::kScan, false);
      EXPECT_EQ(scan.size(), 10u) << where;
      EXPECT_EQ(run(SearchOptions::FilterPath::kGraph, false), scan) << where << " q" << q;
      EXPECT_EQ(run(SearchOptions::FilterPath::kAuto, false), scan) << where << " q" << q;
      EXPECT_EQ(run(SearchOptions::FilterPath::kAuto, true), scan) << where << " q" << q;
    }
  }
}

TEST_F(ClusterTest, RoutedAppendsLandInTheNearestRegion) {
  {
    auto w = TableWriter::Open(*table_);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ((*w)->routed_regions(), 0u);  // not clustered yet: one file at a time
  }
  Commit(*table_, 0, 1000);
  auto r = Cluster(4);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::set<std::string> clustered;
  for (const auto& e : Files().data_files) clustered.insert(e.file.file_path);

  auto regions = LoadRegions(cat_->store(), table_->table_key(), table_->metadata().properties, table_->vectors().model);
  ASSERT_TRUE(regions.ok() && regions->has_value());
  const vec::KMeansModel& centres = (*regions)->centres;
  ASSERT_EQ(centres.k(), 4u);

  auto w = TableWriter::Open(*table_);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->routed_regions(), 4u);
  ASSERT_TRUE(Write(**w, 5000, 200).ok());  // rows of all 8 topics
  auto c = (*w)->Commit();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_GT((*w)->last_commit_files(), 1u);
  EXPECT_LE((*w)->last_commit_files(), 4u);

  // Every appended row sits in a new file all of whose rows share its nearest region.
  auto rows = Scan();
  ASSERT_TRUE(rows.ok());
  std::map<std::string, std::set<uint32_t>> regions_of_file;
  for (int64_t i = 5000; i < 5200; ++i) {
    const Row& row = rows->at("r" + std::to_string(i));
    EXPECT_EQ(clustered.count(row.file), 0u);
    std::vector<float> stored(kDim);
    vec::DecodeRow(table_->vectors().policy.precision, row.vector.data(), kDim, stored.data());
    regions_of_file[row.file].insert(vec::NearestRegion(centres, VectorOf(i).data()));
  }
  EXPECT_EQ(regions_of_file.size(), (*w)->last_commit_files());
  std::set<uint32_t> seen;
  for (const auto& [file, regs] : regions_of_file) {
    EXPECT_EQ(regs.size(), 1u) << file << " mixes regions";
    EXPECT_TRUE(seen.insert(*regs.begin()).second) << "two files for one region";
  }
  EXPECT_EQ(rows->size(), 1200u);
  // route_by_region = false writes one file as before.
  TableWriterOptions plain;
  plain.route_by_region = false;
  auto w2 = TableWriter::Open(*table_, plain);
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE(Write(**w2, 6000, 200).ok());
  ASSERT_TRUE((*w2)->Commit().ok());
  EXPECT_EQ((*w2)->last_commit_files(), 1u);
}

TEST_F(ClusterTest, ConcurrentAppendAndDeleteSurviveTheClusteringCommit) {
  Commit(*table_, 0, 1000);
  auto cat2 = std::move(*catalog::OpenCatalog("fs", dir_.string()));
  auto other = std::move(*Table::Open(*cat2, table_->ident()));
  bool injected = false;
  auto r = Cluster(3, [&](const std::string& line) {
    if (injected || line.rfind("committing", 0) != 0) return;
    injected = true;
    // Both land after the plan and before the clustering commits.
    Commit(*other, 3000, 50);
    auto d = DeleteWhere(*other, "id IN ('r10', 'r20')");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    ASSERT_EQ(d->rows_deleted, 2);
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(injected);
  EXPECT_EQ(r->carried_deletes, 2);
  auto rows = Scan();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 1000u - 2 + 50);
  for (int64_t i = 3000; i < 3050; ++i) EXPECT_EQ(rows->count("r" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(rows->count("r10"), 0u);
  EXPECT_EQ(rows->count("r20"), 0u);
  EXPECT_EQ(Files().data_files.size(), 3u + 1u);  // the concurrent append's file stays beside the regions
}

TEST_F(ClusterTest, ExpireKeepsTheLiveRegionsObjectOnly) {
  Commit(*table_, 0, 600);
  auto first = Cluster(2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Commit(*table_, 600, 200);
  auto second = Cluster(3);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_NE(first->regions_object, second->regions_object);
  const fs::path meta = dir_ / "default" / "t" / "metadata";
  ASSERT_TRUE(fs::exists(meta / first->regions_object));
  ExpireOptions o;
  o.older_than_ms = NowMs() + 1000;
  o.orphans_older_than_ms = NowMs() + 1000;
  auto e = ExpireSnapshots(*table_, o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(fs::exists(meta / second->regions_object));
  EXPECT_FALSE(fs::exists(meta / first->regions_object));
  // Appends are still routed after the expire.
  auto w = TableWriter::Open(*table_);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->routed_regions(), 3u);
}

TEST_F(ClusterTest, RegionsPropertyCannotNameOtherFiles) {
  for (const char* bad : {"../../other/metadata/regions-x.json", "v1.metadata.json", "regions-../../a.json",
                          "/etc/passwd", ""}) {
    EXPECT_FALSE(RegionsKey(table_->table_key(), bad).ok()) << bad;
  }
  EXPECT_TRUE(RegionsKey(table_->table_key(), "regions-" + Uuid::Random().ToString() + ".json").ok());
  // A malformed object is a Corruption naming it, not a crash.
  EXPECT_EQ(ParseRegions("{\"format\":\"ailake-regions\",\"version\":1}", "x").status().code(), StatusCode::kCorruption);
  LayoutRegions lr;
  lr.model = table_->vectors().model;
  lr.centres.metric = lr.model.metric;
  lr.centres.dim = kDim;
  lr.centres.centroids.assign(2 * kDim, 0.5f);
  lr.rows = {3, 4};
  auto back = ParseRegions(RegionsJson(lr), "x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->centres.centroids, lr.centres.centroids);
  EXPECT_EQ(back->rows, lr.rows);
  EXPECT_TRUE(back->model.SameModel(lr.model));
}

TEST_F(ClusterTest, NothingToClusterOnAnEmptyTable) {
  auto r = Cluster(0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->snapshot_id, 0);
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(table_->metadata().properties.count(kPropLayout), 0u);
}

}  // namespace
}  // namespace ailake::table
