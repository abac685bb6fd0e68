// What the public handles (include/ailake/) hold inside: the bridge from the public API to the
// layers below. Only src/api includes this.
//
// Lifetimes: a Table::Impl (and a Migration::Impl) holds a shared_ptr to its Warehouse::Impl, so a
// Table outlives the Warehouse object that opened it. Each Table::Impl also opens its own catalog
// instance (catalogs are not required to be thread-safe; a Table serialises its catalog calls with
// write_mu, and searches only read immutable files through the store).
//
// Snapshots: Table::Impl::current is the state reads use; it is replaced (never mutated) by
// Refresh() and by the handle's own writes, so a search holding the old shared_ptr keeps a
// consistent snapshot. Writers open their own internal table::Table on the latest metadata
// (OpenLatest) and publish it as `current` after their commit; a published table::Table is never
// refreshed or written through again.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ailake/table.h"
#include "ailake/warehouse.h"
#include "catalog/catalog.h"
#include "core/thread_pool.h"
#include "table/file_cache.h"
#include "table/table.h"
#include "table/table_search.h"

namespace ailake {

struct Warehouse::Impl {
  std::string uri;        // as given to Open
  std::string directory;  // the local warehouse folder
  WarehouseOptions options;
  std::unique_ptr<catalog::Catalog> catalog;
  // Catalog implementations are not required to be thread-safe; every call goes through this.
  std::mutex catalog_mu;

  // A new catalog instance on the same warehouse (one per Table handle).
  Result<std::unique_ptr<catalog::Catalog>> OpenCatalog() const;
};

struct Table::Impl {
  std::shared_ptr<Warehouse::Impl> warehouse;
  catalog::TableIdent ident;
  std::string name;  // "ns.table"

  // This handle's catalog; used by writes, Refresh and OpenLatest, under write_mu.
  std::unique_ptr<catalog::Catalog> catalog;
  // Serialises writes, refreshes and maintenance of this handle (catalog calls included).
  std::mutex write_mu;

  // The snapshot reads use (see above). Guarded by mu; copy the shared_ptr, then read without it.
  std::mutex mu;
  std::shared_ptr<table::Table> current;

  // Warm search: validated indexes, vectors, ids and footers of immutable files, LRU under a byte
  // budget; the manifests' file lists, vector stats and position deletes per snapshot; a pool.
  std::unique_ptr<table::FileCache> cache;
  std::unique_ptr<table::SnapshotPlanCache> plans;
  std::unique_ptr<ThreadPool> pool;

  std::shared_ptr<table::Table> Current() {
    std::lock_guard<std::mutex> lock(mu);
    return current;
  }
  void Publish(std::shared_ptr<table::Table> t) {
    std::lock_guard<std::mutex> lock(mu);
    current = std::move(t);
  }
  // A fresh internal table on the latest metadata in the catalog. Caller holds write_mu.
  Result<std::unique_ptr<table::Table>> OpenLatest();
  // Builds a handle over an opened internal table.
  static std::unique_ptr<Table> Make(std::shared_ptr<Warehouse::Impl> warehouse, std::unique_ptr<catalog::Catalog> catalog,
                                     std::unique_ptr<table::Table> opened);
};

}  // namespace ailake
