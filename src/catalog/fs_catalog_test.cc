#include "catalog/fs_catalog.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "core/uuid.h"
#include "store/local_store.h"
#include "testing/fork_child.h"
#include "testing/temp_dir.h"

namespace ailake::catalog {
namespace {

iceberg::TableMetadata NewMetadata(Catalog& cat, const TableIdent& id) {
  iceberg::TableMetadata m;
  m.table_uuid = Uuid::Random().ToString();
  m.location = cat.LocationOf(Catalog::TableKey(id));
  m.last_updated_ms = 1;
  iceberg::Schema s;
  s.fields.push_back({1, "id", true, iceberg::Type::Primitive(iceberg::TypeId::kLong), ""});
  m.schemas = {s};
  m.last_column_id = 1;
  return m;
}

class FsCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = OpenCatalog("fs", dir_.string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cat_ = std::move(*c);
  }
  test_util::TempDir tmp_{"cat", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<Catalog> cat_;
};

TEST_F(FsCatalogTest, CreateLoadCommitAndConflict) {
  auto id = *TableIdent::Parse("db.docs");
  auto created = cat_->CreateTable(id, NewMetadata(*cat_, id));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(cat_->CreateTable(id, NewMetadata(*cat_, id)).status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "db/docs/metadata/v1.metadata.json"));
  EXPECT_EQ(created->metadata.location, "file://" + std::filesystem::weakly_canonical(dir_).string() + "/db/docs");

  auto base = cat_->LoadTable(id);
  ASSERT_TRUE(base.ok());
  auto m2 = base->metadata;
  m2.properties["k"] = "v2";
  auto v2 = cat_->CommitTable(*base, m2);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, 2);
  ASSERT_EQ(v2->metadata.metadata_log.size(), 1u);
  EXPECT_NE(v2->metadata.metadata_log[0].metadata_file.find("v1.metadata.json"), std::string::npos);
  // A second commit from the same (now stale) base loses.
  auto m3 = base->metadata;
  m3.properties["k"] = "stale";
  auto lost = cat_->CommitTable(*base, m3);
  EXPECT_EQ(lost.status().code(), StatusCode::kCommitConflict);
  auto now = cat_->LoadTable(id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->version, 2);
  EXPECT_EQ(now->metadata.properties["k"], "v2");
}

TEST_F(FsCatalogTest, StaleOrDamagedHintIsOnlyAHint) {
  auto id = *TableIdent::Parse("t");
  ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  auto base = *cat_->LoadTable(id);
  for (int i = 0; i < 3; ++i) {
    auto m = base.metadata;
    m.properties["i"] = std::to_string(i);
    base = *cat_->CommitTable(base, m);
  }
  // A writer that died after claiming v4 but before updating the hint.
  ASSERT_TRUE(cat_->store().Put(FsCatalog::HintKey(id), std::string_view("2")).ok());
  EXPECT_EQ(cat_->LoadTable(id)->version, 4);
  ASSERT_TRUE(cat_->store().Put(FsCatalog::HintKey(id), std::string_view("garbage")).ok());
  EXPECT_EQ(cat_->LoadTable(id)->version, 4);
  ASSERT_TRUE(cat_->store().Delete(FsCatalog::HintKey(id)).ok());
  EXPECT_EQ(cat_->LoadTable(id)->version, 4);
}

TEST_F(FsCatalogTest, NamespacesListingDropAndErrors) {
  ASSERT_TRUE(cat_->CreateNamespace("analytics", {{"owner", "me"}}).ok());
  EXPECT_EQ(cat_->CreateNamespace("analytics", {}).code(), StatusCode::kAlreadyExists);
  for (const char* n : {"a", "b"}) {
    TableIdent id{"analytics", n};
    ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  }
  auto ns = cat_->ListNamespaces();
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(*ns, std::vector<std::string>({"analytics"}));
  auto tables = cat_->ListTables("analytics");
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[1].name, "b");
  ASSERT_TRUE(cat_->DropTable({"analytics", "a"}, true).ok());
  EXPECT_EQ(cat_->LoadTable({"analytics", "a"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(cat_->ListTables("analytics")->size(), 1u);
  EXPECT_EQ(cat_->DropTable({"analytics", "a"}, true).code(), StatusCode::kNotFound);
  EXPECT_FALSE(TableIdent::Parse("../etc").ok());
  EXPECT_FALSE(TableIdent::Parse("a.b.c").ok());
  EXPECT_FALSE(TableIdent::Parse("").ok());
  auto missing = cat_->LoadTable(*TableIdent::Parse("nope"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("default.nope"), std::string::npos);
  // Corrupt metadata is reported with its location.
  TableIdent b{"analytics", "b"};
  ASSERT_TRUE(cat_->store().Put(FsCatalog::MetadataKey(b, 2), std::string_view("{broken")).ok());
  auto corrupt = cat_->LoadTable(b);
  EXPECT_EQ(corrupt.status().code(), StatusCode::kCorruption);
  EXPECT_NE(corrupt.status().message().find("v2.metadata.json"), std::string::npos);
  EXPECT_FALSE(OpenCatalog("hive", dir_.string()).ok());
}

// 4 processes x 25 commits, each re-reading and re-applying its change after a lost race: all 100
// changes land, in 100 distinct versions, and none is lost.
TEST_F(FsCatalogTest, ConcurrentCommittersLoseNothing) {
  auto id = *TableIdent::Parse("race");
  ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  const int kProcs = 4, kCommits = 25;
  // Racers are released together (a pipe gate) and report the races they lost: a run in which no
  // commit ever had to retry would have tested nothing. (Planted: serialising the children's commits
  // with an flock made the retry assertion fail.)
  test_util::Racers racers(kProcs);
  ASSERT_TRUE(racers.ok());
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      racers.EnterChild(p);
      int64_t retries = 0;
      auto c = OpenCatalog("fs", dir_.string());
      if (!c.ok()) _exit(10);
      if (!racers.ArriveAndWait(p)) _exit(9);
      for (int i = 0; i < kCommits; ++i) {
        for (int attempt = 0;; ++attempt) {
          if (attempt > 10000) _exit(11);
          auto base = (*c)->LoadTable(id);
          if (!base.ok()) _exit(12);
          auto m = base->metadata;
          m.properties["p" + std::to_string(p) + "-" + std::to_string(i)] = "1";
          auto r = (*c)->CommitTable(*base, m);
          if (r.ok()) break;
          if (r.status().code() != StatusCode::kCommitConflict) _exit(13);
          ++retries;
        }
      }
      if (!racers.Report(p, retries)) _exit(8);
      _exit(0);
    }
    pids.push_back(pid);
  }
  const bool all_arrived = racers.ReleaseWhenAllArrived();
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_TRUE(all_arrived);
  EXPECT_GT(racers.Collect(), 0) << "no commit lost a race: the racers never raced";
  auto t = cat_->LoadTable(id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->version, 1 + kProcs * kCommits);
  for (int p = 0; p < kProcs; ++p)
    for (int i = 0; i < kCommits; ++i)
      EXPECT_EQ(t->metadata.properties.count("p" + std::to_string(p) + "-" + std::to_string(i)), 1u);
  EXPECT_EQ(t->metadata.metadata_log.size(), static_cast<size_t>(kProcs * kCommits));
}

}  // namespace
}  // namespace ailake::catalog
