// SqlCatalog: the Iceberg JDBC catalog on any SqlConnection (SQLite: sqlite_catalog.h,
// PostgreSQL: pg_catalog.h), safe with many processes on one database.
//
// Tables, as Iceberg's JdbcCatalog (schema version V0) creates them, so Java's JdbcCatalog and
// pyiceberg's SqlCatalog read and write the same rows:
//
//   iceberg_tables(catalog_name, table_namespace, table_name,          -- primary key
//                  metadata_location, previous_metadata_location)
//   iceberg_namespace_properties(catalog_name, namespace, property_key, -- primary key
//                                property_value)
//
// Every row carries catalog_name (default "ailake"), so one database can hold several catalogs. A
// namespace exists when it has at least one property row (creating one writes "exists" = "true", as
// the Java catalog does) or at least one table. If the tables were created by a newer Java catalog
// (schema V1, with an `iceberg_type` column), view rows are ignored and new rows are typed 'TABLE'.
//
// Table metadata files live in the object store (not in the database), one per version, never
// rewritten:
//   <ns>/<table>/metadata/<NNNNN>-<uuid>.metadata.json     NNNNN = version, 5+ digits, from 00001
// The row's metadata_location holds the absolute location ("<warehouse_uri>/<key>") of the current one.
//
// Commit protocol (compare-and-swap on metadata_location): the writer of a new version first writes
// its metadata file under a fresh, unique name (PutIfAbsent), then, inside a write transaction,
//   UPDATE iceberg_tables SET metadata_location = new, previous_metadata_location = base
//    WHERE <table key> AND metadata_location = base
// Exactly one of several racing writers changes a row; the others see 0 rows changed and get
// kCommitConflict. Invariant: a metadata file this catalog wrote is deleted again only when the row
// provably does not point at it (the UPDATE/INSERT did not run, changed nothing, or was rolled back
// before COMMIT was attempted); if COMMIT itself fails, the file is left for orphan cleanup, since
// deleting a file the row might name would destroy the table.
//
// LoadedTable::version is the NNNNN parsed from the current file name (so it matches the fs catalog's
// numbering: 1 for a new table, +1 per commit; a table begun by Java starts at 0). A row written by
// another tool whose file name does not follow that pattern gets version = metadata-log length + 1.
//
// Concurrency: calls are serialized inside one process by a mutex (one connection; a transaction
// spans several statements). A catalog must not be used across fork(): open a new one in the child
// (calls from another process are refused with kInvalidArgument).
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "catalog/sql_connection.h"

namespace ailake::catalog {

class SqlCatalog : public Catalog {
 public:
  static constexpr const char* kDefaultCatalogName = "ailake";

  ~SqlCatalog() override;
  SqlCatalog(const SqlCatalog&) = delete;
  SqlCatalog& operator=(const SqlCatalog&) = delete;

  std::string Describe() const override { return conn_->Describe() + " for " + warehouse_uri_; }
  Store& store() override { return *store_; }
  const std::string& warehouse_uri() const override { return warehouse_uri_; }

  Status CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) override;
  Result<std::vector<std::string>> ListNamespaces() override;
  Result<std::vector<TableIdent>> ListTables(const std::string& ns) override;
  Result<LoadedTable> CreateTable(const TableIdent& ident, iceberg::TableMetadata metadata) override;
  Result<LoadedTable> LoadTable(const TableIdent& ident) override;
  Result<LoadedTable> CommitTable(const LoadedTable& base, iceberg::TableMetadata updated) override;
  // Removes the row (the commit point), then with purge deletes every object under the table's
  // folder. Without purge the files stay, as with the Java JDBC catalog.
  Status DropTable(const TableIdent& ident, bool purge) override;

  // "<ns>/<table>/metadata/<NNNNN>-<uuid>.metadata.json" for a fresh random uuid.
  static std::string NewMetadataKey(const TableIdent& ident, int64_t version);
  // NNNNN of such a key or location (Java's first file is 00000); -1 when the name does not follow
  // the pattern.
  static int64_t VersionOfMetadataFile(const std::string& key_or_location);

 protected:
  SqlCatalog(std::shared_ptr<Store> store, std::string warehouse_uri, std::string catalog_name,
             std::unique_ptr<SqlConnection> conn);
  // Creates the tables if missing and checks their columns. Called once by the backend's Open.
  Status Init();
  SqlConnection& conn() { return *conn_; }

 private:
  class Txn;
  Status CheckProcess() const;
  // false when the table has no row; otherwise true and its current metadata_location in *location.
  Result<bool> SelectLocation(const TableIdent& ident, std::string* location);
  Status EnsureNamespaceRow(const std::string& ns);
  Result<LoadedTable> ReadMetadata(const TableIdent& ident, const std::string& location);
  std::string TableFilter() const;

  std::shared_ptr<Store> store_;
  std::string warehouse_uri_;
  std::string catalog_name_;
  std::unique_ptr<SqlConnection> conn_;
  pid_t owner_pid_ = 0;
  bool has_iceberg_type_ = false;  // iceberg_tables has the V1 `iceberg_type` column
  std::mutex mu_;                  // one operation at a time on the connection
};

}  // namespace ailake::catalog
