// Adversarial warehouses: a catalog must not be turned against the tables it serves.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "catalog/catalog.h"
#include "catalog/fs_catalog.h"
#include "core/uuid.h"
#include "testing/temp_dir.h"

namespace ailake::catalog {
namespace {

namespace fs = std::filesystem;

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

class CatalogTrustTest : public ::testing::Test {
 protected:
  std::unique_ptr<Catalog> Open(const std::string& kind) {
    auto c = OpenCatalog(kind, dir_.string());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }
  // Commits `n` property changes to `id`, returning the last state.
  LoadedTable CommitN(Catalog& cat, const TableIdent& id, int n) {
    auto t = cat.LoadTable(id);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    LoadedTable cur = *t;
    for (int i = 0; i < n; ++i) {
      auto m = cur.metadata;
      m.properties["step"] = std::to_string(i);
      m.last_updated_ms = cur.metadata.last_updated_ms + 1;
      auto next = cat.CommitTable(cur, m);
      EXPECT_TRUE(next.ok()) << next.status().ToString();
      cur = *next;
    }
    return cur;
  }
  test_util::TempDir tmp_{"trust", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
};

// Planted bug: without FsCatalog::CheckChain (ReadVersion skipping it) LoadTable returns the stray
// copy as current and the commits of v2 and v3 silently disappear; this test then fails.
TEST_F(CatalogTrustTest, StrayHigherVersionFileIsAnErrorNamingBothFiles) {
  auto cat = Open("fs");
  auto id = *TableIdent::Parse("db.t");
  ASSERT_TRUE(cat->CreateTable(id, NewMetadata(*cat, id)).ok());
  CommitN(*cat, id, 2);  // v2, v3
  const fs::path meta = dir_ / "db/t/metadata";
  // A restored backup of v1 lands as v4 (the next free number), e.g. copied back by hand.
  fs::copy_file(meta / "v1.metadata.json", meta / "v4.metadata.json");
  auto loaded = cat->LoadTable(id);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(loaded.status().message().find("v4.metadata.json"), std::string::npos) << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find("v3.metadata.json"), std::string::npos) << loaded.status().ToString();
  // A copy of the current version claiming the next number breaks the chain too (its log ends at v2).
  fs::remove(meta / "v4.metadata.json");
  fs::copy_file(meta / "v3.metadata.json", meta / "v4.metadata.json");
  EXPECT_EQ(cat->LoadTable(id).status().code(), StatusCode::kCorruption);
  // Moving the stray file away restores the table with every acknowledged commit.
  fs::remove(meta / "v4.metadata.json");
  auto ok = cat->LoadTable(id);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->version, 3);
  EXPECT_EQ(ok->metadata.properties.at("step"), "1");
  // And commits keep chaining.
  EXPECT_EQ(CommitN(*cat, id, 1).version, 4);
  EXPECT_TRUE(cat->LoadTable(id).ok());
}

// Planted bug: with CheckLocationUnowned removed from SqliteCatalog::CreateTable (and FsCatalog's)
// both creates succeed and two catalogs own one folder; this test then fails.
TEST_F(CatalogTrustTest, CreateOverAnotherCatalogsTableIsRefusedNamingTheOwner) {
  auto fs_cat = Open("fs");
  auto sql_cat = Open("sqlite");
  auto id = *TableIdent::Parse("db.shared");
  ASSERT_TRUE(fs_cat->CreateTable(id, NewMetadata(*fs_cat, id)).ok());
  auto over = sql_cat->CreateTable(id, NewMetadata(*sql_cat, id));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(over.status().message().find("v1.metadata.json"), std::string::npos) << over.status().ToString();
  EXPECT_NE(over.status().message().find("fs catalog"), std::string::npos) << over.status().ToString();
  EXPECT_EQ(sql_cat->LoadTable(id).status().code(), StatusCode::kNotFound);  // nothing registered

  // The other way round: a sqlite table's folder is refused to the fs catalog.
  auto id2 = *TableIdent::Parse("db.sqlowned");
  ASSERT_TRUE(sql_cat->CreateTable(id2, NewMetadata(*sql_cat, id2)).ok());
  auto over2 = fs_cat->CreateTable(id2, NewMetadata(*fs_cat, id2));
  ASSERT_FALSE(over2.ok());
  EXPECT_EQ(over2.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(over2.status().message().find("SQL catalog"), std::string::npos) << over2.status().ToString();
  EXPECT_FALSE(fs::exists(dir_ / "db/sqlowned/metadata/v1.metadata.json"));
  EXPECT_TRUE(sql_cat->LoadTable(id2).ok());
}

// Guards the lstat check in OpenCatalog: without it the symlinked database opens and the catalog
// lives outside the warehouse (plant not run; the assertions on the message and on the untouched
// target file fail without the check).
TEST_F(CatalogTrustTest, SymlinkedSqliteDatabaseIsRefused) {
  fs::create_directories(dir_);
  const fs::path outside = dir_.string() + "_outside.db";
  { std::ofstream(outside.string()) << ""; }
  fs::create_symlink(outside, dir_ / "ailake_catalog.db");
  auto c = OpenCatalog("sqlite", dir_.string());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("symbolic link"), std::string::npos) << c.status().ToString();
  EXPECT_EQ(fs::file_size(outside), 0u);  // never opened as a database
  fs::remove(outside);
  // A folder in its place is refused too.
  fs::remove(dir_ / "ailake_catalog.db");
  fs::create_directory(dir_ / "ailake_catalog.db");
  EXPECT_FALSE(OpenCatalog("sqlite", dir_.string()).ok());
}

// Guards the empty check in OpenCatalog: std::filesystem::absolute("") throws, which aborted the
// process before (the exit 134).
TEST_F(CatalogTrustTest, EmptyWarehouseIsAUsageError) {
  for (const char* kind : {"fs", "sqlite"}) {
    auto c = OpenCatalog(kind, "");
    ASSERT_FALSE(c.ok()) << kind;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << kind;
    EXPECT_NE(c.status().message().find("--warehouse"), std::string::npos) << c.status().ToString();
  }
}

// The sqlite row is data: a metadata_location outside the table's own metadata folder (another
// table's metadata here, forged with a plain UPDATE) is refused rather than read.
// Guards the folder check in SqliteCatalog::ReadMetadata: without it LoadTable(a) returns b's state.
TEST_F(CatalogTrustTest, SqliteRowPointingAtAnotherTableIsRefused) {
  auto cat = Open("sqlite");
  auto a = *TableIdent::Parse("db.a");
  auto b = *TableIdent::Parse("db.b");
  ASSERT_TRUE(cat->CreateTable(a, NewMetadata(*cat, a)).ok());
  auto tb = cat->CreateTable(b, NewMetadata(*cat, b));
  ASSERT_TRUE(tb.ok());
  cat.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "ailake_catalog.db").c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE iceberg_tables SET metadata_location = '" + std::string("file://") +
                          fs::weakly_canonical(dir_).string() + "/" + tb->metadata_key + "' WHERE table_name = 'a'";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
  cat = Open("sqlite");
  auto loaded = cat->LoadTable(a);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(loaded.status().message().find("outside the table's metadata folder"), std::string::npos)
      << loaded.status().ToString();
  EXPECT_TRUE(cat->LoadTable(b).ok());
}

}  // namespace
}  // namespace ailake::catalog
