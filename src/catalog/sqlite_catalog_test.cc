// The SQLite catalog: same behaviour as the fs catalog (create/load/commit, conflicts, namespaces,
// errors, many processes), stored in the Iceberg JDBC catalog tables that other tools can read.
#include "catalog/sqlite_catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

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

// A read-only connection of our own, to look at the database as another Iceberg tool would.
class RawDb {
 public:
  explicit RawDb(const std::string& path, int flags = SQLITE_OPEN_READONLY) {
    rc_ = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3* get() { return db_; }
  // Every row of `sql` as strings (NULL as "<null>").
  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        auto* t = sqlite3_column_text(st, i);
        row.push_back(t ? reinterpret_cast<const char*>(t) : "<null>");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class SqliteCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
  }
  void TearDown() override {
    cat_.reset();
  }
  void Reopen() {
    cat_.reset();
    auto c = OpenCatalog("sqlite", dir_.string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cat_ = std::move(*c);
  }
  std::string DbPath() const { return (dir_ / SqliteCatalog::kDefaultDatabaseName).string(); }
  // Metadata files of a table (store keys).
  std::vector<std::string> MetadataFiles(const TableIdent& id) {
    std::vector<std::string> out;
    auto l = cat_->store().List(Catalog::TableKey(id) + "/metadata/");
    EXPECT_TRUE(l.ok());
    for (const auto& o : *l) out.push_back(o.key);
    return out;
  }

  test_util::TempDir tmp_{"sqlcat", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<Catalog> cat_;
};

TEST_F(SqliteCatalogTest, CreateLoadCommitAndConflict) {
  auto id = *TableIdent::Parse("db.docs");
  auto created = cat_->CreateTable(id, NewMetadata(*cat_, id));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(cat_->CreateTable(id, NewMetadata(*cat_, id)).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(MetadataFiles(id).size(), 1u);  // the losing create left nothing behind
  EXPECT_EQ(created->metadata_key.rfind("db/docs/metadata/00001-", 0), 0u) << created->metadata_key;
  EXPECT_EQ(SqliteCatalog::VersionOfMetadataFile(created->metadata_key), 1);
  EXPECT_TRUE(std::filesystem::exists(dir_ / created->metadata_key));
  EXPECT_TRUE(std::filesystem::exists(DbPath()));
  EXPECT_EQ(created->metadata.location, "file://" + std::filesystem::weakly_canonical(dir_).string() + "/db/docs");

  auto base = cat_->LoadTable(id);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(base->version, 1);
  EXPECT_EQ(base->metadata_key, created->metadata_key);
  auto m2 = base->metadata;
  m2.properties["k"] = "v2";
  auto v2 = cat_->CommitTable(*base, m2);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, 2);
  ASSERT_EQ(v2->metadata.metadata_log.size(), 1u);
  EXPECT_EQ(v2->metadata.metadata_log[0].metadata_file, cat_->LocationOf(created->metadata_key));
  // A second commit from the same (now stale) base loses, and its metadata file is removed again.
  auto m3 = base->metadata;
  m3.properties["k"] = "stale";
  auto lost = cat_->CommitTable(*base, m3);
  EXPECT_EQ(lost.status().code(), StatusCode::kCommitConflict);
  EXPECT_NE(lost.status().message().find("db.docs"), std::string::npos) << lost.status().ToString();
  EXPECT_EQ(MetadataFiles(id).size(), 2u);
  auto now = cat_->LoadTable(id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->version, 2);
  EXPECT_EQ(now->metadata_key, v2->metadata_key);
  EXPECT_EQ(now->metadata.properties["k"], "v2");

  // State survives closing and reopening the database.
  Reopen();
  auto again = cat_->LoadTable(id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(again->metadata.properties["k"], "v2");
}

TEST_F(SqliteCatalogTest, NamespacesListingDropAndErrors) {
  ASSERT_TRUE(cat_->CreateNamespace("analytics", {{"owner", "me"}}).ok());
  EXPECT_EQ(cat_->CreateNamespace("analytics", {}).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(cat_->CreateNamespace("bad.name", {}).code(), StatusCode::kInvalidArgument);
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
  EXPECT_TRUE(cat_->ListTables("empty")->empty());

  // A table in a namespace that was never created creates it.
  TableIdent other{"other", "t"};
  ASSERT_TRUE(cat_->CreateTable(other, NewMetadata(*cat_, other)).ok());
  EXPECT_EQ(*cat_->ListNamespaces(), std::vector<std::string>({"analytics", "other"}));
  EXPECT_EQ(cat_->CreateNamespace("other", {}).code(), StatusCode::kAlreadyExists);

  // Drop with purge removes the row and the files; without purge only the row.
  ASSERT_TRUE(cat_->DropTable({"analytics", "a"}, true).ok());
  EXPECT_EQ(cat_->LoadTable({"analytics", "a"}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(cat_->store().List("analytics/a/")->empty());
  EXPECT_EQ(cat_->ListTables("analytics")->size(), 1u);
  EXPECT_EQ(cat_->DropTable({"analytics", "a"}, true).code(), StatusCode::kNotFound);
  ASSERT_TRUE(cat_->DropTable(other, false).ok());
  EXPECT_EQ(cat_->LoadTable(other).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MetadataFiles(other).size(), 1u);
  // One owner per location: the files a drop without purge left behind may still be some other
  // catalog's table, so the name cannot be reused until they are gone.
  auto again = cat_->CreateTable(other, NewMetadata(*cat_, other));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find(MetadataFiles(other)[0]), std::string::npos) << again.status().ToString();
  for (const auto& f : MetadataFiles(other)) ASSERT_TRUE(cat_->store().Delete(f).ok());
  ASSERT_TRUE(cat_->CreateTable(other, NewMetadata(*cat_, other)).ok());

  // A commit to a dropped table is NotFound, not a conflict.
  TableIdent b{"analytics", "b"};
  auto base_b = cat_->LoadTable(b);
  ASSERT_TRUE(base_b.ok());
  TableIdent c{"analytics", "c"};
  ASSERT_TRUE(cat_->CreateTable(c, NewMetadata(*cat_, c)).ok());
  auto base_c = *cat_->LoadTable(c);
  ASSERT_TRUE(cat_->DropTable(c, false).ok());
  EXPECT_EQ(cat_->CommitTable(base_c, base_c.metadata).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MetadataFiles(c).size(), 1u);

  auto missing = cat_->LoadTable(*TableIdent::Parse("nope"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("default.nope"), std::string::npos);

  // Corrupt metadata is reported with its location.
  ASSERT_TRUE(cat_->store().Put(base_b->metadata_key, std::string_view("{broken")).ok());
  auto corrupt = cat_->LoadTable(b);
  EXPECT_EQ(corrupt.status().code(), StatusCode::kCorruption);
  EXPECT_NE(corrupt.status().message().find(base_b->metadata_key), std::string::npos) << corrupt.status().ToString();
  // A missing metadata file is damage, not "no such table".
  ASSERT_TRUE(cat_->store().Delete(base_b->metadata_key).ok());
  auto gone = cat_->LoadTable(b);
  EXPECT_EQ(gone.status().code(), StatusCode::kCorruption);
  EXPECT_NE(gone.status().message().find("missing"), std::string::npos) << gone.status().ToString();
  EXPECT_NE(gone.status().message().find(base_b->metadata_key), std::string::npos);
  EXPECT_FALSE(OpenCatalog("hive", dir_.string()).ok());
}

// The database is the Iceberg JDBC catalog schema, readable by anyone with SQLite: table and column
// names, primary keys, the namespace marker row, and locations that point at real files.
TEST_F(SqliteCatalogTest, DatabaseIsTheIcebergJdbcSchema) {
  auto id = *TableIdent::Parse("db.t");
  auto created = cat_->CreateTable(id, NewMetadata(*cat_, id));
  ASSERT_TRUE(created.ok());
  auto m = created->metadata;
  m.properties["x"] = "1";
  auto v2 = cat_->CommitTable(*created, m);
  ASSERT_TRUE(v2.ok());

  RawDb raw(DbPath());
  ASSERT_TRUE(raw.ok());
  auto columns = [&](const std::string& table) {
    std::vector<std::pair<std::string, std::string>> out;  // name, pk position
    for (auto& r : raw.Query("PRAGMA table_info(" + table + ")")) out.push_back({r[1], r[5]});
    return out;
  };
  using P = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(columns("iceberg_tables"), (P{{"catalog_name", "1"},
                                          {"table_namespace", "2"},
                                          {"table_name", "3"},
                                          {"metadata_location", "0"},
                                          {"previous_metadata_location", "0"}}));
  EXPECT_EQ(columns("iceberg_namespace_properties"),
            (P{{"catalog_name", "1"}, {"namespace", "2"}, {"property_key", "3"}, {"property_value", "0"}}));
  EXPECT_EQ(raw.Query("PRAGMA journal_mode")[0][0], "wal");

  auto rows = raw.Query(
      "SELECT catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location "
      "FROM iceberg_tables");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "ailake");
  EXPECT_EQ(rows[0][1], "db");
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], cat_->LocationOf(v2->metadata_key));
  EXPECT_EQ(rows[0][4], cat_->LocationOf(created->metadata_key));
  const std::string prefix = "file://";
  ASSERT_EQ(rows[0][3].rfind(prefix, 0), 0u);
  EXPECT_TRUE(std::filesystem::is_regular_file(rows[0][3].substr(prefix.size())));
  EXPECT_TRUE(std::filesystem::is_regular_file(rows[0][4].substr(prefix.size())));
  EXPECT_EQ(raw.Query("SELECT property_key, property_value FROM iceberg_namespace_properties "
                      "WHERE catalog_name = 'ailake' AND namespace = 'db'"),
            (std::vector<std::vector<std::string>>{{"exists", "true"}}));
}

// A database created by a newer Java JdbcCatalog (schema V1, with iceberg_type) works: views are not
// tables, new rows are typed 'TABLE'. A file that is not a database is refused with its path.
TEST_F(SqliteCatalogTest, ForeignDatabases) {
  auto remove_db = [&] {
    cat_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(DbPath() + suffix);
  };
  remove_db();
  {
    RawDb raw(DbPath(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(raw.ok());
    ASSERT_EQ(sqlite3_exec(raw.get(),
                           "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, "
                           "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, "
                           "metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
                           "iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name));"
                           "INSERT INTO iceberg_tables VALUES ('ailake', 'db', 'v', 'file:///x/v.json', NULL, 'VIEW');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  Reopen();
  auto id = *TableIdent::Parse("db.t");
  ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  auto tables = cat_->ListTables("db");
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 1u);
  EXPECT_EQ((*tables)[0].name, "t");
  EXPECT_EQ(cat_->LoadTable({"db", "v"}).status().code(), StatusCode::kNotFound);
  {
    RawDb raw(DbPath());
    EXPECT_EQ(raw.Query("SELECT iceberg_type FROM iceberg_tables WHERE table_name = 't'")[0][0], "TABLE");
  }

  remove_db();
  std::ofstream(DbPath()) << "this is not a sqlite database, just some text that is long enough to have a header";
  auto bad = OpenCatalog("sqlite", dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find(DbPath()), std::string::npos) << bad.status().ToString();
}

// Another process holding the write lock past the busy timeout: kUnavailable naming the database,
// and the metadata file the commit wrote is removed again.
TEST_F(SqliteCatalogTest, LockedDatabaseIsUnavailable) {
  auto id = *TableIdent::Parse("t");
  ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  auto store = LocalStore::Open(std::filesystem::weakly_canonical(dir_).string());
  ASSERT_TRUE(store.ok());
  SqliteCatalog::Options opts;
  opts.busy_timeout_ms = 100;
  auto fast = SqliteCatalog::Open(*store, cat_->warehouse_uri(), DbPath(), opts);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  auto base = (*fast)->LoadTable(id);
  ASSERT_TRUE(base.ok());

  RawDb holder(DbPath(), SQLITE_OPEN_READWRITE);
  ASSERT_EQ(sqlite3_exec(holder.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto m = base->metadata;
  m.properties["k"] = "v";
  auto r = (*fast)->CommitTable(*base, m);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find(DbPath()), std::string::npos);
  EXPECT_NE(r.status().message().find("retry"), std::string::npos);
  EXPECT_EQ(MetadataFiles(id).size(), 1u);
  // Readers are not blocked by the writer (WAL).
  EXPECT_TRUE((*fast)->LoadTable(id).ok());
  ASSERT_EQ(sqlite3_exec(holder.get(), "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  auto ok = (*fast)->CommitTable(*base, m);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(cat_->LoadTable(id)->metadata.properties["k"], "v");
}

TEST(SqliteCatalogNames, MetadataFileVersions) {
  TableIdent id{"db", "t"};
  const std::string k = SqliteCatalog::NewMetadataKey(id, 7);
  EXPECT_EQ(k.rfind("db/t/metadata/00007-", 0), 0u);
  EXPECT_EQ(k.size(), std::string("db/t/metadata/00007-").size() + 36 + std::string(".metadata.json").size());
  EXPECT_NE(k, SqliteCatalog::NewMetadataKey(id, 7));
  EXPECT_EQ(SqliteCatalog::VersionOfMetadataFile(SqliteCatalog::NewMetadataKey(id, 123456)), 123456);
  EXPECT_EQ(SqliteCatalog::VersionOfMetadataFile("s3://b/t/metadata/00000-abc.metadata.json"), 0);
  EXPECT_EQ(SqliteCatalog::VersionOfMetadataFile("db/t/metadata/v3.metadata.json"), -1);
  EXPECT_EQ(SqliteCatalog::VersionOfMetadataFile("db/t/metadata/-x.metadata.json"), -1);
  EXPECT_EQ(SqliteCatalog::VersionOfMetadataFile("db/t/metadata/00001-x.json"), -1);
}

// 4 processes x 25 commits, each re-reading and re-applying its change after a lost race: all 100
// changes land, in 100 distinct versions, and none is lost. The parent's connection is closed before
// fork (a SQLite connection must not cross fork) and reopened after.
TEST_F(SqliteCatalogTest, ConcurrentCommittersLoseNothing) {
  auto id = *TableIdent::Parse("race");
  ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  cat_.reset();
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
      auto c = OpenCatalog("sqlite", dir_.string());
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
  ASSERT_EQ(t->metadata.metadata_log.size(), static_cast<size_t>(kProcs * kCommits));
  // The log is a chain of distinct versions 1..100, and losers cleaned up: exactly 101 files remain.
  std::set<int64_t> versions;
  for (const auto& e : t->metadata.metadata_log) versions.insert(SqliteCatalog::VersionOfMetadataFile(e.metadata_file));
  EXPECT_EQ(versions.size(), static_cast<size_t>(kProcs * kCommits));
  EXPECT_EQ(*versions.begin(), 1);
  EXPECT_EQ(*versions.rbegin(), kProcs * kCommits);
  EXPECT_EQ(MetadataFiles(id).size(), static_cast<size_t>(1 + kProcs * kCommits));
}

// A catalog object inherited through fork() refuses to work instead of corrupting SQLite's locks.
TEST_F(SqliteCatalogTest, InheritedConnectionIsRefusedAfterFork) {
  auto id = *TableIdent::Parse("t");
  ASSERT_TRUE(cat_->CreateTable(id, NewMetadata(*cat_, id)).ok());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto r = cat_->LoadTable(id);
    _exit(r.status().code() == StatusCode::kInvalidArgument && r.status().message().find("fork") != std::string::npos
              ? 0
              : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(cat_->LoadTable(id).ok());
}

}  // namespace
}  // namespace ailake::catalog
