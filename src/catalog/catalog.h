// Catalog: where a table's current metadata file is recorded, and the compare-and-swap that makes
// every commit atomic.
//
// A catalog maps `namespace.table` to the location of the table's current Iceberg metadata JSON.
// CommitTable(base, updated) succeeds only if the table's current metadata is still `base`; when
// another writer committed in between it returns kCommitConflict and changes nothing, and the caller
// (iceberg/commit.h) re-reads, re-applies its delta and retries. Metadata files are never rewritten:
// each commit writes a new one.
//
// Implementations: FsCatalog (Hadoop-style version files; the embedded default) and, later, the SQL
// catalogs (SQLite, PostgreSQL) on the Iceberg JDBC catalog tables.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "iceberg/table_metadata.h"
#include "store/store.h"

namespace ailake::catalog {

struct TableIdent {
  std::string ns = "default";
  std::string name;

  std::string ToString() const { return ns + "." + name; }
  // "table" (namespace "default") or "namespace.table". Names: letters, digits, '_' and '-', starting
  // with a letter or digit, at most 128 bytes (they become folder names).
  static Result<TableIdent> Parse(const std::string& text);
  bool operator==(const TableIdent&) const = default;
};

Status ValidateName(const std::string& what, const std::string& name);

struct LoadedTable {
  TableIdent ident;
  iceberg::TableMetadata metadata;
  std::string metadata_key;  // store key of the metadata file this state was read from
  int64_t version = 0;       // catalog-specific version (fs: N of vN.metadata.json)
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  virtual std::string Describe() const = 0;
  // The object store holding table files, and the URI prefix its keys live under (Iceberg metadata
  // stores absolute locations: "<warehouse_uri>/<key>").
  virtual Store& store() = 0;
  virtual const std::string& warehouse_uri() const = 0;

  virtual Status CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) = 0;
  virtual Result<std::vector<std::string>> ListNamespaces() = 0;
  virtual Result<std::vector<TableIdent>> ListTables(const std::string& ns) = 0;

  // Creates the table with `metadata` as its first version (no snapshot yet). kAlreadyExists when the
  // table exists. The namespace is created if missing.
  virtual Result<LoadedTable> CreateTable(const TableIdent& ident, iceberg::TableMetadata metadata) = 0;
  virtual Result<LoadedTable> LoadTable(const TableIdent& ident) = 0;
  // Atomic compare-and-swap from base to updated (see above).
  virtual Result<LoadedTable> CommitTable(const LoadedTable& base, iceberg::TableMetadata updated) = 0;
  // Forgets the table. With purge, also deletes every object under the table's folder.
  virtual Status DropTable(const TableIdent& ident, bool purge) = 0;

  // Store key of the table's folder ("<ns>/<table>") and its absolute location URI.
  static std::string TableKey(const TableIdent& ident) { return ident.ns + "/" + ident.name; }
  std::string LocationOf(const std::string& key) { return warehouse_uri() + "/" + key; }
  // Inverse of LocationOf; InvalidArgument when `location` is not inside this warehouse.
  Result<std::string> KeyOf(const std::string& location);
  // Metadata files the catalog itself needs forever, whatever the metadata-log says (fs: v1 marks
  // the table). Old-metadata cleanup never deletes them.
  virtual bool IsPermanentMetadata(const std::string& key) const { return false; }

 protected:
  // One owner per table location: kAlreadyExists naming the file and its likely owner when any table
  // metadata (any catalog's: vN.metadata.json or NNNNN-<uuid>.metadata.json) already lives in the
  // table's metadata folder. Two catalogs owning one folder would each expire the other's live files.
  Status CheckLocationUnowned(const TableIdent& ident);
};

// Iceberg's metadata-growth properties. The metadata-log keeps at most previous-versions-max
// entries (default 100); older metadata files drop out of it. With delete-after-commit enabled
// (default false, as in Iceberg) the committer deletes those files after its commit, within the
// safety rules of table/metadata_files.h.
inline constexpr const char* kPropPreviousVersionsMax = "write.metadata.previous-versions-max";
inline constexpr const char* kPropDeleteAfterCommit = "write.metadata.delete-after-commit.enabled";

// Every catalog's commit records its base in the new metadata's metadata-log this way: appends
// (base_location, base's last-updated-ms) and trims the oldest entries beyond previous-versions-max.
Status AppendMetadataLog(const LoadedTable& base, const std::string& base_location, iceberg::TableMetadata* updated);

// Opens a catalog over a warehouse.
//   kind_or_uri: "fs" (the default: version files in the warehouse), "sqlite" (Iceberg JDBC tables in
//     <warehouse>/ailake_catalog.db; local warehouses only), or a PostgreSQL connection string
//     "postgresql://USER[:PASS]@HOST:PORT/DB?sslmode=..." / "postgres://..." (or the bare word
//     "postgresql": everything from the PG* environment).
//   warehouse: a local folder (created if missing), "file:///path", or "s3://bucket/prefix" (S3
//     settings from the AWS environment and shared files: store/s3_config.h).
Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& kind_or_uri, const std::string& warehouse);

}  // namespace ailake::catalog
