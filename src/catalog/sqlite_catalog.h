// SqliteCatalog: the embedded SQL catalog, on the Iceberg JDBC catalog tables (see sql_catalog.h for
// the tables, the metadata file names and the commit protocol, shared with PostgreSQL), safe with
// many processes on one warehouse.
//
// The catalog is one SQLite database file, by default <warehouse>/ailake_catalog.db.
//
// Concurrency: WAL journal, a busy timeout (default 10 s) for lock waits, BEGIN IMMEDIATE for every
// write so a transaction never has to upgrade a read lock. A lock not obtained within the timeout is
// kUnavailable. A SqliteCatalog must not be used across fork(): open a new one in the child (calls
// from another process are refused with kInvalidArgument, and such a copy never closes the
// inherited connection, which would disturb the parent's locks).
#pragma once

#include <memory>
#include <string>

#include "catalog/sql_catalog.h"

namespace ailake::catalog {

class SqliteCatalog final : public SqlCatalog {
 public:
  static constexpr const char* kDefaultDatabaseName = "ailake_catalog.db";

  struct Options {
    std::string catalog_name = kDefaultCatalogName;
    int busy_timeout_ms = 10000;  // how long a call waits for another process's lock
  };

  // Opens (creating the file and tables if missing) the database `db_path` as the catalog of the
  // warehouse `store` whose keys live under `warehouse_uri`. Errors name the file and the step.
  static Result<std::unique_ptr<SqliteCatalog>> Open(std::shared_ptr<Store> store, std::string warehouse_uri,
                                                     std::string db_path, Options options);
  static Result<std::unique_ptr<SqliteCatalog>> Open(std::shared_ptr<Store> store, std::string warehouse_uri,
                                                     std::string db_path) {
    return Open(std::move(store), std::move(warehouse_uri), std::move(db_path), Options{});
  }

  const std::string& db_path() const { return db_path_; }

 private:
  SqliteCatalog(std::shared_ptr<Store> store, std::string warehouse_uri, std::string db_path,
                std::unique_ptr<SqlConnection> conn, std::string catalog_name)
      : SqlCatalog(std::move(store), std::move(warehouse_uri), std::move(catalog_name), std::move(conn)),
        db_path_(std::move(db_path)) {}

  std::string db_path_;
};

}  // namespace ailake::catalog
