// TEMPORARY (dropped when branch `api` is merged): the few Warehouse/Table definitions
// migration_test.cc needs to link before the api engineer's implementation lands. Test-only: it is
// compiled into api_tests, never into the library.
#include <utility>

#include "api/api_internal.h"

namespace ailake {

Warehouse::Warehouse(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Warehouse::~Warehouse() = default;

Result<std::unique_ptr<Warehouse>> Warehouse::Open(const std::string& uri, const WarehouseOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->uri = uri;
  impl->options = options;
  AILAKE_ASSIGN_OR_RETURN(impl->catalog, catalog::OpenCatalog(options.catalog, uri));
  return std::unique_ptr<Warehouse>(new Warehouse(std::move(impl)));
}

Result<std::unique_ptr<Table>> Warehouse::OpenTable(const std::string& name) {
  auto t = std::make_unique<Table::Impl>();
  t->warehouse = impl_;
  AILAKE_ASSIGN_OR_RETURN(t->ident, catalog::TableIdent::Parse(name));
  t->name = t->ident.ToString();
  AILAKE_ASSIGN_OR_RETURN(auto latest, t->OpenLatest());
  t->current = std::move(latest);
  return std::unique_ptr<Table>(new Table(std::move(t)));
}

Table::Table(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Table::~Table() = default;

Result<std::unique_ptr<table::Table>> Table::Impl::OpenLatest() {
  std::lock_guard<std::mutex> lock(warehouse->catalog_mu);
  return table::Table::Open(*warehouse->catalog, ident);
}

}  // namespace ailake
