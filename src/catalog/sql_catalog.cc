#include "catalog/sql_catalog.h"

#include <unistd.h>

#include <charconv>

#include "core/uuid.h"

namespace ailake::catalog {

namespace {

constexpr const char* kMetadataSuffix = ".metadata.json";

// The Iceberg JdbcCatalog V0 schema, column for column (JdbcUtil.CREATE_CATALOG_TABLE and
// CREATE_NAMESPACE_PROPERTIES_TABLE), so other Iceberg tools can open the same database.
constexpr const char* kCreateTables =
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, "
    "table_name VARCHAR(255) NOT NULL, "
    "metadata_location VARCHAR(1000), "
    "previous_metadata_location VARCHAR(1000), "
    "PRIMARY KEY (catalog_name, table_namespace, table_name)); "
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, "
    "property_key VARCHAR(255), "
    "property_value VARCHAR(1000), "
    "PRIMARY KEY (catalog_name, namespace, property_key));";

}  // namespace

// A write transaction, rolled back on destruction unless committed.
class SqlCatalog::Txn {
 public:
  explicit Txn(SqlConnection& conn) : conn_(conn) {}
  ~Txn() {
    if (active_) conn_.Rollback();
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Status Begin(const std::string& step) {
    AILAKE_RETURN_IF_ERROR(conn_.Begin(step));
    active_ = true;
    return Status::OK();
  }
  Status Commit(const std::string& step) {
    active_ = false;
    Status st = conn_.Commit(step);
    if (!st.ok()) conn_.Rollback();  // a failed COMMIT may leave the transaction open
    return st;
  }

 private:
  SqlConnection& conn_;
  bool active_ = false;
};

SqlCatalog::SqlCatalog(std::shared_ptr<Store> store, std::string warehouse_uri, std::string catalog_name,
                       std::unique_ptr<SqlConnection> conn)
    : store_(std::move(store)),
      warehouse_uri_(std::move(warehouse_uri)),
      catalog_name_(std::move(catalog_name)),
      conn_(std::move(conn)),
      owner_pid_(getpid()) {}

SqlCatalog::~SqlCatalog() = default;

Status SqlCatalog::Init() {
  AILAKE_RETURN_IF_ERROR(ValidateName("catalog", catalog_name_));
  AILAKE_RETURN_IF_ERROR(conn_->EnsureTables(kCreateTables));
  // The columns we use must be there (a same-named table of another shape is not our catalog).
  AILAKE_ASSIGN_OR_RETURN(auto columns, conn_->Columns("iceberg_tables"));
  for (const char* c : {"catalog_name", "table_namespace", "table_name", "metadata_location",
                        "previous_metadata_location"}) {
    if (!columns.count(c)) {
      return Status::Corruption(conn_->Describe() + ": table iceberg_tables has no column '" + c +
                                "'; this database is not an Iceberg JDBC catalog");
    }
  }
  has_iceberg_type_ = columns.count("iceberg_type") > 0;
  return Status::OK();
}

Status SqlCatalog::CheckProcess() const {
  if (getpid() != owner_pid_) {
    return Status::InvalidArgument(conn_->Describe() + " was opened in process " + std::to_string(owner_pid_) +
                                   " and cannot be used after fork(); open a new catalog in the child process");
  }
  return Status::OK();
}

std::string SqlCatalog::TableFilter() const {
  // Schema V1 rows carry a type; NULL means a table written by a V0 client.
  return has_iceberg_type_ ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : "";
}

std::string SqlCatalog::NewMetadataKey(const TableIdent& ident, int64_t version) {
  std::string v = std::to_string(version);
  if (v.size() < 5) v.insert(0, 5 - v.size(), '0');
  return TableKey(ident) + "/metadata/" + v + "-" + Uuid::Random().ToString() + kMetadataSuffix;
}

int64_t SqlCatalog::VersionOfMetadataFile(const std::string& key_or_location) {
  const auto slash = key_or_location.rfind('/');
  const std::string_view name =
      std::string_view(key_or_location).substr(slash == std::string::npos ? 0 : slash + 1);
  const std::string_view suffix = kMetadataSuffix;
  const auto dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0 || name.size() < suffix.size() ||
      name.substr(name.size() - suffix.size()) != suffix) {
    return -1;
  }
  int64_t v = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + dash, v);
  if (ec != std::errc() || p != name.data() + dash || v < 0) return -1;
  return v;
}

Result<bool> SqlCatalog::SelectLocation(const TableIdent& ident, std::string* location) {
  const std::string step = "read the metadata location of table '" + ident.ToString() + "'";
  AILAKE_ASSIGN_OR_RETURN(
      auto rows, conn_->Query("SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ?1 AND "
                              "table_namespace = ?2 AND table_name = ?3" + TableFilter(),
                              {catalog_name_, ident.ns, ident.name}, step));
  if (rows.empty()) return false;
  if (rows[0].empty() || !rows[0][0] || rows[0][0]->empty()) {
    return Status::Corruption(conn_->Describe() + ": table '" + ident.ToString() + "' has no metadata_location");
  }
  *location = *rows[0][0];
  return true;
}

Status SqlCatalog::EnsureNamespaceRow(const std::string& ns) {
  return conn_
      ->Execute("INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) "
                "SELECT ?1, ?2, 'exists', 'true' WHERE NOT EXISTS (SELECT 1 FROM iceberg_namespace_properties "
                "WHERE catalog_name = ?1 AND namespace = ?2) ON CONFLICT DO NOTHING",
                {catalog_name_, ns}, "create namespace '" + ns + "'")
      .status();
}

Result<LoadedTable> SqlCatalog::ReadMetadata(const TableIdent& ident, const std::string& location) {
  auto key = KeyOf(location);
  if (!key.ok()) return key.status().WithContext("table '" + ident.ToString() + "' in " + conn_->Describe());
  // The row is data, not an instruction: it may only name a file in the table's own metadata folder.
  const std::string folder = TableKey(ident) + "/metadata/";
  if (key->compare(0, folder.size(), folder) != 0 || key->find('/', folder.size()) != std::string::npos) {
    return Status::Corruption(conn_->Describe() + " names " + location + " as the metadata of table '" +
                              ident.ToString() + "', which is outside the table's metadata folder " +
                              LocationOf(folder) + "; fix the catalog row or restore the database");
  }
  auto text = store_->GetString(*key, 256ull << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      // The row names a file that is gone: the table exists but is damaged, which is not "no such table".
      return Status::Corruption("metadata file " + location + " of table '" + ident.ToString() + "' (current in " +
                                conn_->Describe() + ") is missing");
    }
    return text.status();
  }
  AILAKE_ASSIGN_OR_RETURN(auto metadata, iceberg::TableMetadata::FromJson(*text, location));
  LoadedTable t;
  t.ident = ident;
  t.version = VersionOfMetadataFile(*key);
  if (t.version < 0) t.version = static_cast<int64_t>(metadata.metadata_log.size()) + 1;
  t.metadata = std::move(metadata);
  t.metadata_key = std::move(*key);
  return t;
}

Status SqlCatalog::CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ns));
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  const std::string step = "create namespace '" + ns + "'";
  Txn txn(*conn_);
  AILAKE_RETURN_IF_ERROR(txn.Begin(step));
  {
    AILAKE_ASSIGN_OR_RETURN(
        auto rows, conn_->Query("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND namespace = ?2 "
                                "UNION ALL SELECT 1 FROM iceberg_tables WHERE catalog_name = ?1 AND "
                                "table_namespace = ?2 LIMIT 1",
                                {catalog_name_, ns}, step));
    if (!rows.empty()) return Status::AlreadyExists("namespace '" + ns + "' already exists");
  }
  AILAKE_RETURN_IF_ERROR(EnsureNamespaceRow(ns));
  for (const auto& [k, v] : properties) {
    AILAKE_RETURN_IF_ERROR(conn_
                               ->Execute("INSERT INTO iceberg_namespace_properties (catalog_name, namespace, "
                                         "property_key, property_value) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
                                         "(catalog_name, namespace, property_key) DO UPDATE SET property_value = "
                                         "excluded.property_value",
                                         {catalog_name_, ns, k, v}, step + " (property '" + k + "')")
                               .status());
  }
  return txn.Commit(step);
}

Result<std::vector<std::string>> SqlCatalog::ListNamespaces() {
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  AILAKE_ASSIGN_OR_RETURN(auto rows,
                          conn_->Query("SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 "
                                       "UNION SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 "
                                       "ORDER BY 1",
                                       {catalog_name_}, "list namespaces"));
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.empty() || !r[0] ? "" : *r[0]);
  return out;
}

Result<std::vector<TableIdent>> SqlCatalog::ListTables(const std::string& ns) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ns));
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  AILAKE_ASSIGN_OR_RETURN(auto rows, conn_->Query("SELECT table_name FROM iceberg_tables WHERE catalog_name = ?1 AND "
                                                  "table_namespace = ?2" + TableFilter() + " ORDER BY table_name",
                                                  {catalog_name_, ns}, "list tables of namespace '" + ns + "'"));
  std::vector<TableIdent> out;
  for (const auto& r : rows) out.push_back({ns, r.empty() || !r[0] ? "" : *r[0]});
  return out;
}

Result<LoadedTable> SqlCatalog::CreateTable(const TableIdent& ident, iceberg::TableMetadata metadata) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ident.ns));
  AILAKE_RETURN_IF_ERROR(ValidateName("table", ident.name));
  AILAKE_RETURN_IF_ERROR(metadata.Validate());
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  const Status exists = Status::AlreadyExists("table '" + ident.ToString() + "' already exists");
  {
    // Cheap early answer; the INSERT below is what decides a race.
    std::string current;
    AILAKE_ASSIGN_OR_RETURN(bool found, SelectLocation(ident, &current));
    if (found) return exists;
  }
  AILAKE_RETURN_IF_ERROR(CheckLocationUnowned(ident));
  const std::string key = NewMetadataKey(ident, 1);
  const std::string location = LocationOf(key);
  AILAKE_RETURN_IF_ERROR(store_->PutIfAbsent(key, metadata.ToJson()));

  const std::string step = "create table '" + ident.ToString() + "'";
  bool commit_attempted = false;
  Status st = [&]() -> Status {
    Txn txn(*conn_);
    AILAKE_RETURN_IF_ERROR(txn.Begin(step));
    AILAKE_RETURN_IF_ERROR(EnsureNamespaceRow(ident.ns));
    const std::string sql = has_iceberg_type_
        ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
          "previous_metadata_location, iceberg_type) VALUES (?1, ?2, ?3, ?4, NULL, 'TABLE')"
        : "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
          "previous_metadata_location) VALUES (?1, ?2, ?3, ?4, NULL)";
    auto inserted = conn_->Execute(sql, {catalog_name_, ident.ns, ident.name, location}, step);
    if (inserted.status().code() == StatusCode::kAlreadyExists) return exists;  // another process won
    AILAKE_RETURN_IF_ERROR(inserted.status());
    commit_attempted = true;
    return txn.Commit(step);
  }();
  if (!st.ok()) {
    if (!commit_attempted) (void)store_->Delete(key);  // no row can name it: garbage
    return st;
  }
  return ReadMetadata(ident, location);
}

Result<LoadedTable> SqlCatalog::LoadTable(const TableIdent& ident) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ident.ns));
  AILAKE_RETURN_IF_ERROR(ValidateName("table", ident.name));
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  std::string location;
  AILAKE_ASSIGN_OR_RETURN(bool found, SelectLocation(ident, &location));
  if (!found) {
    return Status::NotFound("table '" + ident.ToString() + "' does not exist in " + warehouse_uri_ +
                            " (create it with 'ailake create')");
  }
  return ReadMetadata(ident, location);
}

Result<LoadedTable> SqlCatalog::CommitTable(const LoadedTable& base, iceberg::TableMetadata updated) {
  AILAKE_RETURN_IF_ERROR(updated.Validate());
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  const TableIdent& ident = base.ident;
  const std::string base_location = LocationOf(base.metadata_key);
  AILAKE_RETURN_IF_ERROR(AppendMetadataLog(base, base_location, &updated));
  const int64_t next = base.version + 1;
  const std::string key = NewMetadataKey(ident, next);
  const std::string location = LocationOf(key);
  // Written before the transaction so the write lock is held only for the UPDATE itself.
  AILAKE_RETURN_IF_ERROR(store_->PutIfAbsent(key, updated.ToJson()));

  const std::string step = "commit to table '" + ident.ToString() + "'";
  bool commit_attempted = false;
  Status st = [&]() -> Status {
    Txn txn(*conn_);
    AILAKE_RETURN_IF_ERROR(txn.Begin(step));
    AILAKE_ASSIGN_OR_RETURN(
        int64_t changed,
        conn_->Execute("UPDATE iceberg_tables SET metadata_location = ?1, previous_metadata_location = ?2 "
                       "WHERE catalog_name = ?3 AND table_namespace = ?4 AND table_name = ?5 AND "
                       "metadata_location = ?2",
                       {location, base_location, catalog_name_, ident.ns, ident.name}, step));
    if (changed == 0) {
      // The compare failed: tell a lost race from a dropped table (same transaction, so consistent).
      std::string current;
      AILAKE_ASSIGN_OR_RETURN(bool found, SelectLocation(ident, &current));
      if (!found) return Status::NotFound("table '" + ident.ToString() + "' does not exist (it was dropped)");
      const int64_t now = VersionOfMetadataFile(current);
      return Status::CommitConflict("table '" + ident.ToString() + "' changed since version " +
                                    std::to_string(base.version) + " (another writer committed " +
                                    (now >= 0 ? "version " + std::to_string(now) : current) + ")");
    }
    commit_attempted = true;
    return txn.Commit(step);
  }();
  if (!st.ok()) {
    if (!commit_attempted) (void)store_->Delete(key);  // the row does not name it: garbage
    return st;
  }
  LoadedTable t;
  t.ident = ident;
  t.metadata = std::move(updated);
  t.metadata_key = key;
  t.version = next;
  return t;
}

Status SqlCatalog::DropTable(const TableIdent& ident, bool purge) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ident.ns));
  AILAKE_RETURN_IF_ERROR(ValidateName("table", ident.name));
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  const std::string step = "drop table '" + ident.ToString() + "'";
  {
    Txn txn(*conn_);
    AILAKE_RETURN_IF_ERROR(txn.Begin(step));
    std::string current;
    AILAKE_ASSIGN_OR_RETURN(bool found, SelectLocation(ident, &current));
    if (!found) return Status::NotFound("table '" + ident.ToString() + "' does not exist");
    AILAKE_RETURN_IF_ERROR(conn_
                               ->Execute("DELETE FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 "
                                         "AND table_name = ?3" + TableFilter(),
                                         {catalog_name_, ident.ns, ident.name}, step)
                               .status());
    AILAKE_RETURN_IF_ERROR(txn.Commit(step));
  }
  if (!purge) return Status::OK();
  // The table is gone from the catalog; a crash from here on leaves only unreferenced files.
  AILAKE_ASSIGN_OR_RETURN(auto objects, store_->List(TableKey(ident) + "/"));
  for (const auto& o : objects) AILAKE_RETURN_IF_ERROR(store_->Delete(o.key));
  return Status::OK();
}

}  // namespace ailake::catalog
