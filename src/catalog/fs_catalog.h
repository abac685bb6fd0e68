// FsCatalog: the Hadoop-style filesystem catalog, safe with many processes on one warehouse.
//
// Layout under the warehouse (store keys):
//   <ns>/.namespace.json                         namespace properties (its existence = the namespace)
//   <ns>/<table>/metadata/v<N>.metadata.json     every version of the table's metadata, N = 1, 2, ...
//   <ns>/<table>/metadata/version-hint.text      the latest N, as decimal text (a hint only)
//
// Commit protocol: the writer of version N+1 claims `v<N+1>.metadata.json` with the store's atomic
// create-if-absent (link(2) on a local disk): exactly one of several racing writers succeeds, the
// others get kCommitConflict. Only then is version-hint.text replaced (atomically; if the process
// dies before that, the hint lags and readers probe forward). A plain rename that could overwrite a
// claimed version is never used. Readers take the highest N that exists: hint, then probe N+1, N+2...
// and check that it follows N-1 (its metadata-log ends with v<N-1>'s location; see CheckChain).
// CreateTable refuses a folder that already holds another catalog's metadata (one owner per location).
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"

namespace ailake::catalog {

class FsCatalog final : public Catalog {
 public:
  FsCatalog(std::shared_ptr<Store> store, std::string warehouse_uri)
      : store_(std::move(store)), warehouse_uri_(std::move(warehouse_uri)) {}

  std::string Describe() const override { return "fs catalog at " + warehouse_uri_; }
  Store& store() override { return *store_; }
  const std::string& warehouse_uri() const override { return warehouse_uri_; }

  Status CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) override;
  Result<std::vector<std::string>> ListNamespaces() override;
  Result<std::vector<TableIdent>> ListTables(const std::string& ns) override;
  Result<LoadedTable> CreateTable(const TableIdent& ident, iceberg::TableMetadata metadata) override;
  Result<LoadedTable> LoadTable(const TableIdent& ident) override;
  Result<LoadedTable> CommitTable(const LoadedTable& base, iceberg::TableMetadata updated) override;
  Status DropTable(const TableIdent& ident, bool purge) override;
  bool IsPermanentMetadata(const std::string& key) const override {
    return key.ends_with("/metadata/v1.metadata.json") || key.ends_with("/metadata/version-hint.text");
  }

  static std::string MetadataKey(const TableIdent& ident, int64_t version);
  static std::string HintKey(const TableIdent& ident);

 private:
  // Highest existing version (0 when the table has none).
  Result<int64_t> LatestVersion(const TableIdent& ident);
  Result<LoadedTable> ReadVersion(const TableIdent& ident, int64_t version);
  // Metadata only moves forward: version N (N > 1) must name v<N-1>.metadata.json as the last entry
  // of its metadata-log (CommitTable writes it so). A stray or restored file claiming a higher N
  // breaks the chain and is kCorruption naming both files, never silently taken as current.
  Status CheckChain(const TableIdent& ident, int64_t version, const iceberg::TableMetadata& metadata);

  std::shared_ptr<Store> store_;
  std::string warehouse_uri_;
};

}  // namespace ailake::catalog
