#include "catalog/catalog.h"

#include <sys/stat.h>

#include <filesystem>

#include "catalog/fs_catalog.h"
#include "catalog/pg_catalog.h"
#include "catalog/sqlite_catalog.h"
#include "store/local_store.h"
#include "store/s3_store.h"
#include "store/store_uri.h"

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

Status Catalog::CheckLocationUnowned(const TableIdent& ident) {
  const std::string folder = TableKey(ident) + "/metadata/";
  AILAKE_ASSIGN_OR_RETURN(auto objects, store().List(folder));
  for (const auto& o : objects) {
    const std::string name = o.key.substr(folder.size());
    const std::string suffix = ".metadata.json";
    if (name.find('/') != std::string::npos || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    // vN.metadata.json is the fs catalog's naming; NNNNN-<uuid>.metadata.json a SQL catalog's (ours
    // or Iceberg's JDBC catalog), possibly one whose row was dropped without purging the files.
    const bool fs_named = name.size() > 1 && name[0] == 'v' && std::isdigit(static_cast<unsigned char>(name[1]));
    return Status::AlreadyExists(
        "table location " + LocationOf(TableKey(ident)) + " already holds table metadata (" + LocationOf(o.key) +
        ", written by " + (fs_named ? "the fs catalog" : "a SQL catalog such as --catalog sqlite") +
        "): one location has one owner, so '" + ident.ToString() + "' cannot be created here by the " + Describe() +
        "; use that catalog, pick another table name, or drop the other table with its files first (files a "
        "drop without purge left behind must be deleted by hand)");
  }
  return Status::OK();
}

// A catalog over a local warehouse folder (fs, sqlite or postgresql).
static Result<std::unique_ptr<Catalog>> OpenLocalCatalog(const std::string& kind, const std::string& warehouse_dir);

Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& kind, const std::string& warehouse_dir) {
  if (warehouse_dir.empty()) {
    return Status::InvalidArgument("the warehouse folder is empty: pass --warehouse DIR (an existing or new folder)");
  }
  const bool postgres = PgCatalog::IsPostgresUri(kind);
  if (kind != "fs" && kind != "sqlite" && !postgres) {
    return Status::InvalidArgument("unknown catalog '" + kind +
                                   "': this build supports fs, sqlite and postgresql://USER@HOST:PORT/DB");
  }
  if (IsS3Uri(warehouse_dir)) {
    if (kind == "sqlite") {
      return Status::NotSupported("the sqlite catalog keeps its database inside the warehouse folder, which " +
                                  warehouse_dir + " is not; use the fs catalog or a postgresql:// catalog with S3");
    }
    AILAKE_ASSIGN_OR_RETURN(auto s3, S3Store::Open(warehouse_dir));
    // Locations are written without a trailing '/' so keys join as "<uri>/<key>".
    const std::string uri = s3->Describe();
    if (postgres) {
      AILAKE_ASSIGN_OR_RETURN(auto pg, PgCatalog::Open(s3, uri, kind));
      return std::unique_ptr<Catalog>(std::move(pg));
    }
    return std::unique_ptr<Catalog>(std::make_unique<FsCatalog>(s3, uri));
  }
  std::string local_dir = warehouse_dir;
  if (local_dir.rfind("file://", 0) == 0) {
    local_dir = local_dir.substr(7);
    if (local_dir.empty() || local_dir[0] != '/') {
      return Status::InvalidArgument("'" + warehouse_dir + "' is not a file URI with an absolute path (file:///path)");
    }
  }
  return OpenLocalCatalog(kind, local_dir);
}

static Result<std::unique_ptr<Catalog>> OpenLocalCatalog(const std::string& kind, const std::string& warehouse_dir) {
  // Every std::filesystem call here takes an error_code: a path the OS rejects is an error, never an
  // exception escaping to the user as an abort.
  std::error_code ec;
  std::filesystem::create_directories(warehouse_dir, ec);
  if (ec) return Status::IOError("cannot create warehouse folder '" + warehouse_dir + "': " + ec.message());
  auto absolute = std::filesystem::absolute(warehouse_dir, ec);
  if (ec) return Status::IOError("cannot resolve warehouse folder '" + warehouse_dir + "': " + ec.message());
  auto abs = std::filesystem::weakly_canonical(absolute, ec);
  if (ec) return Status::IOError("cannot resolve warehouse folder '" + warehouse_dir + "': " + ec.message());
  AILAKE_ASSIGN_OR_RETURN(auto store, LocalStore::Open(abs.string(), true));
  if (kind == "fs") {
    return std::unique_ptr<Catalog>(std::make_unique<FsCatalog>(store, "file://" + abs.string()));
  }
  if (PgCatalog::IsPostgresUri(kind)) {
    AILAKE_ASSIGN_OR_RETURN(auto pg, PgCatalog::Open(store, "file://" + abs.string(), kind));
    return std::unique_ptr<Catalog>(std::move(pg));
  }
  // The database lives in the warehouse folder, beside the tables it records. It must be a regular
  // file there (or not exist yet): a symlink would move the catalog, and with it the record of which
  // metadata file is current, outside the warehouse.
  const std::string db_path = (abs / SqliteCatalog::kDefaultDatabaseName).string();
  struct stat st;
  if (::lstat(db_path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return Status::NotSupported("sqlite catalog " + db_path + " is " +
                                   (S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file") +
                                   ": the catalog database must be a regular file inside the warehouse; replace it with "
                                   "the file itself");
  }
  AILAKE_ASSIGN_OR_RETURN(auto sql, SqliteCatalog::Open(store, "file://" + abs.string(), db_path));
  return std::unique_ptr<Catalog>(std::move(sql));
}

}  // namespace ailake::catalog
