// The PostgreSQL catalog against a real PostgreSQL 15 started by the test, and the behaviour every
// SQL catalog shares, run on both SQLite and PostgreSQL; the fs catalog on an S3 warehouse (moto).
#include "catalog/pg_catalog.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "catalog/fs_catalog.h"
#include "catalog/pg_test_server.h"
#include "testing/fork_child.h"
#include "core/uuid.h"
#include "store/moto_test_server.h"
#include "store/s3_store.h"

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

test_util::PgServer* g_pg = nullptr;
std::string* g_pg_error = nullptr;

// One PostgreSQL server for the whole program, started on first use, stopped at exit.
test_util::PgServer* Pg() {
  if (g_pg == nullptr && g_pg_error == nullptr) {
    auto s = test_util::PgServer::Start();
    if (s.ok()) {
      g_pg = s->release();
      std::atexit([] { delete g_pg; });
    } else {
      g_pg_error = new std::string(s.status().ToString());
    }
  }
  return g_pg;
}

// "sqlite" or "postgresql": the behaviour the SQL catalogs share.
class SqlCatalogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ailake_sqlcat_" + Uuid::Random().ToString());
    if (GetParam() == "postgresql") {
      ASSERT_NE(Pg(), nullptr) << *g_pg_error;
      db_ = "t_" + Uuid::Random().ToString().substr(0, 8);
      ASSERT_TRUE(Pg()->CreateDatabase(db_).ok());
      kind_ = Pg()->ConnString(db_);
    } else {
      kind_ = "sqlite";
    }
    Reopen();
  }
  void TearDown() override {
    cat_.reset();
    if (!std::getenv("AILAKE_KEEP_TEST_DIRS")) std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    cat_.reset();
    auto c = OpenCatalog(kind_, dir_.string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cat_ = std::move(*c);
  }
  std::vector<std::string> MetadataFiles(const TableIdent& id) {
    std::vector<std::string> out;
    auto l = cat_->store().List(Catalog::TableKey(id) + "/metadata/");
    EXPECT_TRUE(l.ok());
    for (const auto& o : *l) out.push_back(o.key);
    return out;
  }

  std::filesystem::path dir_;
  std::string db_, kind_;
  std::unique_ptr<Catalog> cat_;
};

TEST_P(SqlCatalogTest, CreateLoadCommitAndConflict) {
  auto id = *TableIdent::Parse("db.docs");
  auto created = cat_->CreateTable(id, NewMetadata(*cat_, id));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(cat_->CreateTable(id, NewMetadata(*cat_, id)).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(MetadataFiles(id).size(), 1u);
  EXPECT_EQ(created->metadata_key.rfind("db/docs/metadata/00001-", 0), 0u) << created->metadata_key;

  auto base = cat_->LoadTable(id);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(base->metadata_key, created->metadata_key);
  auto m2 = base->metadata;
  m2.properties["k"] = "v2";
  auto v2 = cat_->CommitTable(*base, m2);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, 2);
  auto m3 = base->metadata;
  m3.properties["k"] = "stale";
  auto lost = cat_->CommitTable(*base, m3);
  EXPECT_EQ(lost.status().code(), StatusCode::kCommitConflict) << lost.status().ToString();
  EXPECT_NE(lost.status().message().find("db.docs"), std::string::npos);
  EXPECT_EQ(MetadataFiles(id).size(), 2u);  // the loser's file was removed again
  Reopen();
  auto again = cat_->LoadTable(id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(again->metadata.properties["k"], "v2");
  ASSERT_EQ(again->metadata.metadata_log.size(), 1u);
  EXPECT_EQ(again->metadata.metadata_log[0].metadata_file, cat_->LocationOf(created->metadata_key));
}

TEST_P(SqlCatalogTest, NamespacesListingAndDrop) {
  ASSERT_TRUE(cat_->CreateNamespace("analytics", {{"owner", "me"}}).ok());
  EXPECT_EQ(cat_->CreateNamespace("analytics", {}).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(cat_->CreateNamespace("bad.name", {}).code(), StatusCode::kInvalidArgument);
  for (const char* n : {"a", "b"}) {
    TableIdent id{"analytics", n};
    ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  }
  EXPECT_EQ(*cat_->ListNamespaces(), std::vector<std::string>({"analytics"}));
  auto tables = cat_->ListTables("analytics");
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[1].name, "b");
  EXPECT_TRUE(cat_->ListTables("empty")->empty());
  TableIdent other{"other", "t"};
  ASSERT_TRUE(cat_->CreateTable(other, NewMetadata(*cat_, other)).ok());
  EXPECT_EQ(*cat_->ListNamespaces(), std::vector<std::string>({"analytics", "other"}));

  ASSERT_TRUE(cat_->DropTable({"analytics", "a"}, true).ok());
  EXPECT_EQ(cat_->LoadTable({"analytics", "a"}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(cat_->store().List("analytics/a/")->empty());
  EXPECT_EQ(cat_->DropTable({"analytics", "a"}, true).code(), StatusCode::kNotFound);
  ASSERT_TRUE(cat_->DropTable(other, false).ok());
  EXPECT_EQ(MetadataFiles(other).size(), 1u);
  EXPECT_EQ(cat_->CreateTable(other, NewMetadata(*cat_, other)).status().code(), StatusCode::kAlreadyExists);

  // A commit to a dropped table is NotFound, not a conflict.
  TableIdent c{"analytics", "c"};
  ASSERT_TRUE(cat_->CreateTable(c, NewMetadata(*cat_, c)).ok());
  auto base_c = *cat_->LoadTable(c);
  ASSERT_TRUE(cat_->DropTable(c, false).ok());
  EXPECT_EQ(cat_->CommitTable(base_c, base_c.metadata).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MetadataFiles(c).size(), 1u);
  EXPECT_EQ(cat_->LoadTable(*TableIdent::Parse("nope")).status().code(), StatusCode::kNotFound);
}

// 8 processes x 25 commits, released together: every change lands, in 200 distinct versions.
TEST_P(SqlCatalogTest, ConcurrentCommittersLoseNothing) {
  auto id = *TableIdent::Parse("race");
  ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  cat_.reset();
  const int kProcs = 8, kCommits = 25;
  test_util::Racers racers(kProcs);
  ASSERT_TRUE(racers.ok());
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      racers.EnterChild(p);
      int64_t retries = 0;
      auto c = OpenCatalog(kind_, dir_.string());
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
  Reopen();
  auto t = cat_->LoadTable(id);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->version, 1 + kProcs * kCommits);
  for (int p = 0; p < kProcs; ++p)
    for (int i = 0; i < kCommits; ++i)
      EXPECT_EQ(t->metadata.properties.count("p" + std::to_string(p) + "-" + std::to_string(i)), 1u);
  std::set<int64_t> versions;
  for (const auto& e : t->metadata.metadata_log) versions.insert(SqlCatalog::VersionOfMetadataFile(e.metadata_file));
  // The metadata-log keeps the latest previous-versions-max (100) entries: versions 101..200, a chain.
  EXPECT_EQ(versions.size(), 100u);
  EXPECT_EQ(*versions.begin(), kProcs * kCommits - 99);
  EXPECT_EQ(*versions.rbegin(), kProcs * kCommits);
  EXPECT_EQ(MetadataFiles(id).size(), static_cast<size_t>(1 + kProcs * kCommits));
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlCatalogTest, ::testing::Values("sqlite", "postgresql"));

// PostgreSQL specifics: the tables are Iceberg's JDBC schema; passwords never show.
TEST(PgCatalogTest, TablesAreTheIcebergJdbcSchemaAndPasswordsNeverShow) {
  ASSERT_NE(Pg(), nullptr) << *g_pg_error;
  const std::string db = "t_" + Uuid::Random().ToString().substr(0, 8);
  ASSERT_TRUE(Pg()->CreateDatabase(db).ok());
  const auto dir = std::filesystem::temp_directory_path() / ("ailake_pgcat_" + Uuid::Random().ToString());
  // Trust authentication ignores the password; it must still never be shown.
  const std::string secret = "s3cr3t-pw-42";
  const std::string uri = "postgresql://ailake:" + secret + "@127.0.0.1:" + std::to_string(Pg()->port()) + "/" + db +
                          "?sslmode=disable";
  auto cat = OpenCatalog(uri, dir.string());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ((*cat)->Describe().find(secret), std::string::npos) << (*cat)->Describe();
  EXPECT_NE((*cat)->Describe().find("postgresql://ailake@127.0.0.1:"), std::string::npos) << (*cat)->Describe();
  auto id = *TableIdent::Parse("db.t");
  auto created = (*cat)->CreateTable(id, NewMetadata(**cat, id));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto m = created->metadata;
  m.properties["x"] = "1";
  auto v2 = (*cat)->CommitTable(*created, m);
  ASSERT_TRUE(v2.ok());

  auto cols = Pg()->QueryRows(db, "SELECT table_name, column_name FROM information_schema.columns WHERE table_name "
                                  "IN ('iceberg_tables', 'iceberg_namespace_properties') ORDER BY 1, ordinal_position");
  std::vector<std::vector<std::string>> expected = {
      {"iceberg_namespace_properties", "catalog_name"}, {"iceberg_namespace_properties", "namespace"},
      {"iceberg_namespace_properties", "property_key"}, {"iceberg_namespace_properties", "property_value"},
      {"iceberg_tables", "catalog_name"},                {"iceberg_tables", "table_namespace"},
      {"iceberg_tables", "table_name"},                  {"iceberg_tables", "metadata_location"},
      {"iceberg_tables", "previous_metadata_location"}};
  EXPECT_EQ(cols, expected);
  auto rows = Pg()->QueryRows(db, "SELECT catalog_name, table_namespace, table_name, metadata_location, "
                                  "previous_metadata_location FROM iceberg_tables");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"ailake", "db", "t", (*cat)->LocationOf(v2->metadata_key),
                                               (*cat)->LocationOf(created->metadata_key)}));
  EXPECT_EQ(Pg()->QueryRows(db, "SELECT property_key, property_value FROM iceberg_namespace_properties"),
            (std::vector<std::vector<std::string>>{{"exists", "true"}}));

  // A server that is not there: kUnavailable, naming the host, not the password.
  const std::string dead = "postgresql://ailake:" + secret + "@127.0.0.1:" +
                           std::to_string(test_util::FreeLoopbackPort()) + "/" + db + "?connect_timeout=5";
  auto down = OpenCatalog(dead, dir.string());
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  EXPECT_EQ(down.status().message().find(secret), std::string::npos) << down.status().ToString();
  EXPECT_NE(down.status().message().find("127.0.0.1"), std::string::npos) << down.status().ToString();
  auto bad = OpenCatalog("postgresql://ailake:" + secret + "@127.0.0.1:notaport/x", dir.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find(secret), std::string::npos) << bad.status().ToString();
  std::filesystem::remove_all(dir);
}

// The fs catalog on an S3 warehouse: create, commit, a lost race, and racing threads, all through
// S3's conditional PUT.
TEST(FsCatalogOnS3Test, CreateCommitConflictAndRaces) {
  auto moto = test_util::MotoServer::Start();
  ASSERT_TRUE(moto.ok()) << moto.status().ToString();
  const std::string bucket = "ailake-" + Uuid::Random().ToString().substr(0, 13);
  ASSERT_TRUE((*moto)->CreateBucket(bucket).ok());
  // OpenCatalog reads the S3 settings from the AWS environment, as the CLI will.
  ::setenv("AWS_ACCESS_KEY_ID", test_util::MotoServer::kAccessKey, 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", test_util::MotoServer::kSecretKey, 1);
  ::setenv("AWS_REGION", "us-east-1", 1);
  ::setenv("AWS_ENDPOINT_URL_S3", (*moto)->endpoint().c_str(), 1);
  const std::string warehouse = "s3://" + bucket + "/lake";
  auto opened = OpenCatalog("fs", warehouse);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& cat = **opened;
  EXPECT_EQ(cat.warehouse_uri(), warehouse);
  EXPECT_EQ(OpenCatalog("sqlite", warehouse).status().code(), StatusCode::kNotSupported);

  auto id = *TableIdent::Parse("db.docs");
  auto created = cat.CreateTable(id, NewMetadata(cat, id));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->metadata.location, warehouse + "/db/docs");
  EXPECT_EQ(cat.CreateTable(id, NewMetadata(cat, id)).status().code(), StatusCode::kAlreadyExists);
  auto base = *cat.LoadTable(id);
  auto m = base.metadata;
  m.properties["k"] = "v2";
  ASSERT_TRUE(cat.CommitTable(base, m).ok());
  m.properties["k"] = "stale";
  EXPECT_EQ(cat.CommitTable(base, m).status().code(), StatusCode::kCommitConflict);
  EXPECT_EQ(cat.LoadTable(id)->metadata.properties["k"], "v2");
  EXPECT_EQ(*cat.ListTables("db"), std::vector<TableIdent>({id}));

  // 4 threads x 10 commits, each with its own catalog: every change lands.
  const int kThreads = 4, kCommits = 10;
  std::atomic<int> failures{0}, retries{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = OpenCatalog("fs", warehouse);
      if (!c.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kCommits; ++i) {
        for (int attempt = 0; attempt < 1000; ++attempt) {
          auto b = (*c)->LoadTable(id);
          if (!b.ok()) {
            ++failures;
            return;
          }
          auto mm = b->metadata;
          mm.properties["t" + std::to_string(t) + "-" + std::to_string(i)] = "1";
          auto r = (*c)->CommitTable(*b, mm);
          if (r.ok()) break;
          if (r.status().code() != StatusCode::kCommitConflict) {
            ++failures;
            return;
          }
          ++retries;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto fin = cat.LoadTable(id);
  ASSERT_TRUE(fin.ok()) << fin.status().ToString();
  EXPECT_EQ(fin->version, 2 + kThreads * kCommits);
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kCommits; ++i)
      EXPECT_EQ(fin->metadata.properties.count("t" + std::to_string(t) + "-" + std::to_string(i)), 1u);
  ASSERT_TRUE(cat.DropTable(id, true).ok());
  EXPECT_EQ(cat.LoadTable(id).status().code(), StatusCode::kNotFound);
  for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL_S3"}) ::unsetenv(v);
}

}  // namespace
}  // namespace ailake::catalog
