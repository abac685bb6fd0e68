#include "catalog/catalog.h"

#include <filesystem>

#include "catalog/fs_catalog.h"
#include "catalog/sqlite_catalog.h"
#include "store/local_store.h"

namespace ailake::catalog {

Status ValidateName(const std::string& what, const std::string& name) {
  if (name.empty() || name.size() > 128) {
    return Status::InvalidArgument(what + " name '" + name + "' must be 1 to 128 characters");
  }
  if (!std::isalnum(static_cast<unsigned char>(name[0]))) {
    return Status::InvalidArgument(what + " name '" + name + "' must start with a letter or digit");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return Status::InvalidArgument(what + " name '" + name + "' may use only letters, digits, '_' and '-'");
    }
  }
  return Status::OK();
}

Result<TableIdent> TableIdent::Parse(const std::string& text) {
  TableIdent id;
  auto dot = text.find('.');
  if (dot == std::string::npos) {
    id.name = text;
  } else {
    id.ns = text.substr(0, dot);
    id.name = text.substr(dot + 1);
  }
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", id.ns));
  AILAKE_RETURN_IF_ERROR(ValidateName("table", id.name));
  return id;
}

Result<std::string> Catalog::KeyOf(const std::string& location) {
  const std::string& base = warehouse_uri();
  if (location.size() <= base.size() + 1 || location.compare(0, base.size(), base) != 0 || location[base.size()] != '/') {
    return Status::InvalidArgument("location '" + location + "' is outside the warehouse " + base);
  }
  return location.substr(base.size() + 1);
}

Status AppendMetadataLog(const LoadedTable& base, const std::string& base_location, iceberg::TableMetadata* updated) {
  AILAKE_ASSIGN_OR_RETURN(int64_t max, updated->IntProperty(kPropPreviousVersionsMax, 100, 1, 1000000));
  auto& log = updated->metadata_log;
  log.push_back({base_location, base.metadata.last_updated_ms});
  if (static_cast<int64_t>(log.size()) > max) log.erase(log.begin(), log.end() - max);
  return Status::OK();
}

Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& kind, const std::string& warehouse_dir) {
  std::error_code ec;
  std::filesystem::create_directories(warehouse_dir, ec);
  auto abs = std::filesystem::weakly_canonical(std::filesystem::absolute(warehouse_dir), ec);
  if (ec) return Status::IOError("cannot resolve warehouse folder '" + warehouse_dir + "': " + ec.message());
  AILAKE_ASSIGN_OR_RETURN(auto store, LocalStore::Open(abs.string(), true));
  if (kind == "fs") {
    return std::unique_ptr<Catalog>(std::make_unique<FsCatalog>(store, "file://" + abs.string()));
  }
  if (kind == "sqlite") {
    // The database lives in the warehouse folder, beside the tables it records.
    AILAKE_ASSIGN_OR_RETURN(auto sql, SqliteCatalog::Open(store, "file://" + abs.string(),
                                                          (abs / SqliteCatalog::kDefaultDatabaseName).string()));
    return std::unique_ptr<Catalog>(std::move(sql));
  }
  return Status::InvalidArgument("unknown catalog '" + kind + "': this build supports fs and sqlite");
}

}  // namespace ailake::catalog
