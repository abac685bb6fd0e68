// Warehouse: open a warehouse folder and its catalog; create, open, list, drop and alter tables.
#include <algorithm>
#include <filesystem>

#include "ailake/warehouse.h"
#include "api/api_internal.h"
#include "api/convert.h"
#include "catalog/pg_catalog.h"
#include "iceberg/manifest_cache.h"
#include "store/store_uri.h"
#include "table/table_alter.h"
#include "table/table_drop.h"

namespace ailake {

namespace {

// "file:///abs" or "file:/abs" -> "/abs"; anything else is taken as a local path.
std::string LocalDirectory(const std::string& uri) {
  if (uri.rfind("file://", 0) == 0) return uri.substr(7);
  if (uri.rfind("file:", 0) == 0) return uri.substr(5);
  return uri;
}

}  // namespace

Result<std::unique_ptr<catalog::Catalog>> Warehouse::Impl::OpenCatalog() const {
  return catalog::OpenCatalog(options.catalog, directory);
}

Warehouse::Warehouse(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Warehouse::~Warehouse() = default;

Result<std::unique_ptr<Warehouse>> Warehouse::Open(const std::string& uri, const WarehouseOptions& options) {
  if (uri.empty()) return Status::InvalidArgument("Warehouse::Open: the warehouse uri is empty; give a folder");
  const bool s3 = IsS3Uri(uri);
  if (!s3 && uri.find("://") != std::string::npos && uri.rfind("file://", 0) != 0) {
    return Status::NotSupported("Warehouse::Open: '" + uri.substr(0, uri.find("://") + 3) +
                                "' warehouses are not supported (give a local folder, file:///path or s3://bucket/prefix)");
  }
  if (options.catalog != "fs" && options.catalog != "sqlite" && !catalog::PgCatalog::IsPostgresUri(options.catalog)) {
    return Status::InvalidArgument("WarehouseOptions.catalog must be fs, sqlite or postgresql://USER@HOST:PORT/DB, got '" +
                                   (options.catalog.find("://") == std::string::npos ? options.catalog
                                                                                      : options.catalog.substr(0, options.catalog.find("://") + 3) + "...") +
                                   "'");
  }
  if (options.table_cache_bytes == 0) {
    return Status::InvalidArgument("WarehouseOptions.table_cache_bytes must be at least 1");
  }
  auto impl = std::make_shared<Impl>();
  impl->uri = uri;
  impl->directory = s3 ? uri : LocalDirectory(uri);
  impl->options = options;
  if (!s3) {
    std::error_code ec;
    if (!std::filesystem::is_directory(impl->directory, ec)) {
      if (!options.create) {
        return Status::NotFound("warehouse folder '" + impl->directory +
                                "' does not exist; check the path, or open it with WarehouseOptions.create = true");
      }
      std::filesystem::create_directories(impl->directory, ec);
      if (ec) return Status::IOError("cannot create warehouse folder '" + impl->directory + "': " + ec.message());
    }
  }
  // An s3:// warehouse is a bucket and a key prefix: there is no folder to create; the catalog
  // opens the S3 store (and fails if the bucket is unreachable).
  AILAKE_ASSIGN_OR_RETURN(impl->catalog, impl->OpenCatalog());
  // Resized only once the warehouse opened, so a failed Open changes nothing.
  if (options.manifest_cache_bytes) {
    iceberg::ManifestCache::Process().set_capacity_bytes(static_cast<size_t>(*options.manifest_cache_bytes));
  }
  return std::unique_ptr<Warehouse>(new Warehouse(std::move(impl)));
}

ManifestCacheStats GetManifestCacheStats() {
  const iceberg::ManifestCache& cache = iceberg::ManifestCache::Process();
  ManifestCacheStats s;
  s.capacity_bytes = cache.capacity_bytes();
  s.bytes = cache.bytes();
  s.entries = cache.entries();
  s.hits = cache.hits();
  s.misses = cache.misses();
  return s;
}

std::string Warehouse::Describe() const {
  std::lock_guard<std::mutex> lock(impl_->catalog_mu);
  return impl_->catalog->Describe();
}

const std::string& Warehouse::uri() const { return impl_->uri; }

Result<std::unique_ptr<Table>> Warehouse::CreateTable(const std::string& name, const CreateTableOptions& options) {
  AILAKE_ASSIGN_OR_RETURN(catalog::TableIdent ident, catalog::TableIdent::Parse(name));
  AILAKE_ASSIGN_OR_RETURN(table::TableOptions o, api::ToTableOptions(options));
  AILAKE_ASSIGN_OR_RETURN(auto cat, impl_->OpenCatalog());
  auto created = table::Table::Create(*cat, ident, o);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kAlreadyExists && options.if_not_exists) return OpenTable(name);
    return created.status();
  }
  return Table::Impl::Make(impl_, std::move(cat), std::move(*created));
}

Result<std::unique_ptr<Table>> Warehouse::OpenTable(const std::string& name) {
  AILAKE_ASSIGN_OR_RETURN(catalog::TableIdent ident, catalog::TableIdent::Parse(name));
  AILAKE_ASSIGN_OR_RETURN(auto cat, impl_->OpenCatalog());
  AILAKE_ASSIGN_OR_RETURN(auto opened, table::Table::Open(*cat, ident));
  return Table::Impl::Make(impl_, std::move(cat), std::move(opened));
}

Result<std::vector<std::string>> Warehouse::ListNamespaces() {
  std::lock_guard<std::mutex> lock(impl_->catalog_mu);
  AILAKE_ASSIGN_OR_RETURN(std::vector<std::string> ns, impl_->catalog->ListNamespaces());
  std::sort(ns.begin(), ns.end());
  return ns;
}

Result<std::vector<std::string>> Warehouse::ListTables(const std::string& ns) {
  std::vector<std::string> namespaces;
  if (!ns.empty()) {
    AILAKE_RETURN_IF_ERROR(catalog::ValidateName("namespace", ns));
    namespaces.push_back(ns);
  } else {
    AILAKE_ASSIGN_OR_RETURN(namespaces, ListNamespaces());
  }
  std::vector<std::string> names;
  std::lock_guard<std::mutex> lock(impl_->catalog_mu);
  for (const auto& n : namespaces) {
    AILAKE_ASSIGN_OR_RETURN(auto list, impl_->catalog->ListTables(n));
    std::vector<std::string> sorted;
    for (const auto& t : list) sorted.push_back(t.ToString());
    std::sort(sorted.begin(), sorted.end());
    names.insert(names.end(), sorted.begin(), sorted.end());
  }
  return names;
}

Result<DropTableResult> Warehouse::DropTable(const std::string& name, bool purge) {
  AILAKE_ASSIGN_OR_RETURN(catalog::TableIdent ident, catalog::TableIdent::Parse(name));
  std::lock_guard<std::mutex> lock(impl_->catalog_mu);
  AILAKE_ASSIGN_OR_RETURN(table::DropResult r, table::DropTable(*impl_->catalog, ident, purge));
  return DropTableResult{r.purged, r.files_deleted, r.bytes_deleted};
}

Result<AlterTableResult> Warehouse::AlterTable(const std::string& name, const AlterTableSpec& spec) {
  AILAKE_ASSIGN_OR_RETURN(catalog::TableIdent ident, catalog::TableIdent::Parse(name));
  if (spec.add_columns.empty() && spec.renames.empty()) {
    return Status::InvalidArgument("AlterTableSpec is empty: give add_columns and/or renames");
  }
  table::AlterSpec s;
  for (const auto& c : spec.add_columns) s.add_columns.push_back({c.name, c.type});
  s.renames = spec.renames;
  std::lock_guard<std::mutex> lock(impl_->catalog_mu);
  AILAKE_ASSIGN_OR_RETURN(table::AlterResult r, table::AlterTable(*impl_->catalog, ident, s));
  return AlterTableResult{r.schema_id, r.added};
}

}  // namespace ailake
