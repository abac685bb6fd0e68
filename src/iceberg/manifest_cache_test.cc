// The process's manifest cache: bounded LRU, and ReadManifest through it on a real local store
// (a hit decodes nothing, inheritance follows each manifest-list entry, confinement still applies,
// kFromStorage sees what is on storage).
#include "iceberg/manifest_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/uuid.h"
#include "iceberg/manifest_io.h"
#include "store/local_store.h"
#include "testing/temp_dir.h"

namespace ailake::iceberg {
namespace {

std::shared_ptr<const ManifestContents> Contents(size_t files, const std::string& tag) {
  auto c = std::make_shared<ManifestContents>();
  for (size_t i = 0; i < files; ++i) {
    ManifestEntry e;
    e.file.file_path = "file:///w/" + tag + "/" + std::to_string(i) + ".parquet";
    e.file.record_count = 10;
    c->entries.push_back(e);
  }
  return c;
}

TEST(ManifestCache, KeepsTheMostRecentlyUsedWithinItsBound) {
  const size_t one = ManifestCache::EstimateBytes(*Contents(10, "a")) + 1;
  ASSERT_GT(one, 10u * 40u);  // paths and entries are counted, not just the struct
  ManifestCache cache(3 * one + one / 2);
  cache.Insert("a", Contents(10, "a"));
  cache.Insert("b", Contents(10, "b"));
  cache.Insert("c", Contents(10, "c"));
  EXPECT_EQ(cache.entries(), 3u);
  ASSERT_NE(cache.Find("a"), nullptr);  // a is now the most recent; b the least
  cache.Insert("d", Contents(10, "d"));
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_NE(cache.Find("a"), nullptr);
  EXPECT_NE(cache.Find("c"), nullptr);
  EXPECT_NE(cache.Find("d"), nullptr);
  EXPECT_LE(cache.bytes(), cache.capacity_bytes());
  EXPECT_EQ(cache.hits(), 4u);
  EXPECT_EQ(cache.misses(), 1u);
  // Replacing a key swaps its contents and keeps the byte count exact.
  const size_t before = cache.bytes();
  cache.Insert("d", Contents(10, "e"));
  EXPECT_EQ(cache.Find("d")->entries[0].file.file_path, "file:///w/e/0.parquet");
  EXPECT_EQ(cache.bytes(), before);
  // An entry larger than the whole bound is not kept; capacity 0 turns the cache off.
  cache.Insert("huge", Contents(100, "h"));
  EXPECT_EQ(cache.Find("huge"), nullptr);
  cache.set_capacity_bytes(0);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  cache.Insert("a", Contents(1, "a"));
  EXPECT_EQ(cache.Find("a"), nullptr);
}

class ManifestReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*LocalStore::Open(tmp_.path().string()));
    loc_ = {"file://" + tmp_.path().string(), "db/t"};
    schema_.fields.push_back({1, "id", true, Type::Primitive(TypeId::kLong), ""});
    ManifestWrite w;
    w.key = "db/t/metadata/" + Uuid::Random().ToString() + "-m0.avro";
    w.table_schema = &schema_;
    w.snapshot_id = 7;
    for (int i = 0; i < 3; ++i) {
      ManifestEntry e;
      e.status = EntryStatus::kAdded;
      e.snapshot_id = 7;  // sequence numbers left to inherit
      e.file.file_path = loc_.LocationOf("db/t/data/f" + std::to_string(i) + ".parquet");
      e.file.record_count = 100 + i;
      e.file.file_size_in_bytes = 1000;
      w.entries.push_back(e);
    }
    FileVectorStats s;
    s.column = "embedding";
    s.model = "m";
    s.dim = 2;
    s.centroid = {1.0f, 0.0f};
    w.vector_stats[w.entries[0].file.file_path] = {s};
    auto written = WriteManifest(*store_, loc_, w);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    manifest_ = *written;
    manifest_.sequence_number = 4;
    manifest_.min_sequence_number = 4;
    key_ = w.key;
  }

  test_util::TempDir tmp_{"manifest-cache"};
  std::shared_ptr<LocalStore> store_;
  Locations loc_;
  Schema schema_;
  ManifestFile manifest_;
  std::string key_;
};

TEST_F(ManifestReadTest, ASecondReadIsServedFromTheCacheWithItsOwnInheritance) {
  ManifestCache& cache = ManifestCache::Process();
  const uint64_t hits = cache.hits(), misses = cache.misses();
  auto first = ReadManifest(*store_, loc_, manifest_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(cache.misses(), misses + 1);
  ASSERT_EQ(first->entries.size(), 3u);
  EXPECT_EQ(*first->entries[2].sequence_number, 4);
  EXPECT_EQ(first->entries[2].file.record_count, 102);
  EXPECT_EQ(first->vector_stats.size(), 1u);

  // The file is gone from storage; the cache still answers (a manifest's content never changes).
  ASSERT_TRUE(store_->Delete(key_).ok());
  ManifestFile later = manifest_;  // the same manifest listed by a later snapshot's list
  later.sequence_number = 9;
  auto second = ReadManifest(*store_, loc_, later);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(cache.hits(), hits + 1);
  ASSERT_EQ(second->entries.size(), 3u);
  EXPECT_EQ(*second->entries[0].sequence_number, 9);  // inherited from this list entry, not the cached one
  EXPECT_EQ(second->entries[1].file.file_path, first->entries[1].file.file_path);
  EXPECT_EQ(VectorStatsToJson(second->vector_stats), VectorStatsToJson(first->vector_stats));

  // kFromStorage reads the bytes: the missing file is an error.
  auto fresh = ReadManifest(*store_, loc_, manifest_, ManifestRead::kFromStorage);
  EXPECT_EQ(fresh.status().code(), StatusCode::kNotFound) << fresh.status().ToString();

  // Confinement comes before the cache: the same location read for another table is refused.
  Locations other{loc_.warehouse_uri, "db/other"};
  EXPECT_EQ(ReadManifest(*store_, other, manifest_).status().code(), StatusCode::kCorruption);

  // Another recorded length is another key: not served from the cache.
  ManifestFile resized = manifest_;
  resized.manifest_length += 1;
  EXPECT_EQ(ReadManifest(*store_, loc_, resized).status().code(), StatusCode::kNotFound);
}

TEST_F(ManifestReadTest, AnotherStoreDoesNotShareEntries) {
  ASSERT_TRUE(ReadManifest(*store_, loc_, manifest_).ok());
  // A second warehouse whose metadata names the same location string, e.g. a copied folder: it is
  // another store (another root), so its own bytes are read.
  test_util::TempDir other_dir{"manifest-cache-other"};
  auto other = std::move(*LocalStore::Open(other_dir.path().string()));
  auto r = ReadManifest(*other, loc_, manifest_);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
}

}  // namespace
}  // namespace ailake::iceberg
