// What the public handles (include/ailake/) hold inside: the bridge from the public API to the
// layers below. Only src/api includes this.
//
// Lifetimes: a Table::Impl (and a Migration::Impl) holds a shared_ptr to its Warehouse::Impl, so a
// Table outlives the Warehouse object that opened it.
//
// Snapshots: Table::Impl::current is the state reads use; it is replaced (never mutated) by
// Refresh() and by the handle's own writes, so a search holding the old shared_ptr keeps a
// consistent snapshot. Writers and migrations open their own internal table::Table on the latest
// metadata (OpenLatest) and publish it as `current` after their commit.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ailake/table.h"
#include "ailake/warehouse.h"
#include "catalog/catalog.h"
#include "table/file_cache.h"
#include "table/table.h"

namespace ailake {

struct Warehouse::Impl {
  std::string uri;
  WarehouseOptions options;
  std::unique_ptr<catalog::Catalog> catalog;
  // Catalog implementations are not required to be thread-safe; every call goes through this.
  std::mutex catalog_mu;
};

struct Table::Impl {
  std::shared_ptr<Warehouse::Impl> warehouse;
  catalog::TableIdent ident;
  std::string name;  // "ns.table"

  // The snapshot reads use (see above). Guarded by mu; copy the shared_ptr, then read without it.
  std::mutex mu;
  std::shared_ptr<table::Table> current;

  // Warm search: validated indexes, vectors and footers of immutable files, LRU under a byte budget.
  std::unique_ptr<table::FileCache> cache;

  std::shared_ptr<table::Table> Current() {
    std::lock_guard<std::mutex> lock(mu);
    return current;
  }
  void Publish(std::shared_ptr<table::Table> t) {
    std::lock_guard<std::mutex> lock(mu);
    current = std::move(t);
  }
  // A fresh internal table on the latest metadata in the catalog.
  Result<std::unique_ptr<table::Table>> OpenLatest();
};

}  // namespace ailake
