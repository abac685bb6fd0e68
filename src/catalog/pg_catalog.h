// PgCatalog: the Iceberg JDBC catalog tables in PostgreSQL (libpq), for many writers on many
// machines. Tables, metadata file names and the compare-and-swap commit: sql_catalog.h, shared
// with the SQLite catalog. Java's JdbcCatalog (jdbc:postgresql://...) and pyiceberg's SqlCatalog
// (postgresql+psycopg2://...) pointed at the same database, catalog name and warehouse see the
// same tables.
//
// Connection: a libpq connection string, either a URI
//   postgresql://USER[:PASSWORD]@HOST[:PORT]/DB?sslmode=verify-full&connect_timeout=10
// or "" (or key=value pairs); whatever it leaves out, libpq takes from the standard PG* environment
// (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, ~/.pgpass, ...). Describe() and every
// message show postgresql://USER@HOST:PORT/DB only: a password never appears (it is also scrubbed
// from server and libpq messages, should one echo it).
//
// Concurrency: each write runs in a READ COMMITTED transaction; the CAS UPDATE takes the row lock,
// so a racing writer waits for the winner's COMMIT, then re-checks `metadata_location = base`,
// matches 0 rows and gets kCommitConflict. Lock waits are bounded by lock_timeout (kUnavailable).
// Schema creation takes a transaction-scoped advisory lock, so processes opening a fresh database at
// once do not collide on CREATE TABLE IF NOT EXISTS. Not usable across fork(): a child must open its
// own catalog (an inherited copy is refused, and is never closed, because closing would send a
// Terminate message down the parent's socket).
#pragma once

#include <memory>
#include <string>

#include "catalog/sql_catalog.h"

namespace ailake::catalog {

class PgCatalog final : public SqlCatalog {
 public:
  struct Options {
    std::string catalog_name = kDefaultCatalogName;
    int lock_timeout_ms = 10000;  // how long a write waits for another writer's row lock
  };

  static Result<std::unique_ptr<PgCatalog>> Open(std::shared_ptr<Store> store, std::string warehouse_uri,
                                                 const std::string& conninfo, Options options);
  static Result<std::unique_ptr<PgCatalog>> Open(std::shared_ptr<Store> store, std::string warehouse_uri,
                                                 const std::string& conninfo) {
    return Open(std::move(store), std::move(warehouse_uri), conninfo, Options{});
  }

  // True for "postgresql://..." / "postgres://..." (and the bare words, meaning "from PG* env").
  static bool IsPostgresUri(const std::string& kind_or_uri);

 private:
  PgCatalog(std::shared_ptr<Store> store, std::string warehouse_uri, std::unique_ptr<SqlConnection> conn,
            std::string catalog_name)
      : SqlCatalog(std::move(store), std::move(warehouse_uri), std::move(catalog_name), std::move(conn)) {}
};

}  // namespace ailake::catalog
