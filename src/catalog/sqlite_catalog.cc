#include "catalog/sqlite_catalog.h"

#include <sqlite3.h>
#include <unistd.h>

#include <charconv>
#include <set>

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

StatusCode CodeOf(int rc) {
  switch (rc & 0xff) {  // primary code of an extended result code
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_ERROR:  // "no such table/column": the file holds something that is not our schema
    case SQLITE_SCHEMA:
    case SQLITE_MISMATCH:
      return StatusCode::kCorruption;
    case SQLITE_CONSTRAINT:
      return StatusCode::kAlreadyExists;
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return StatusCode::kResourceExhausted;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return StatusCode::kIOError;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

// A prepared statement that is always finalized. Errors name the database and `step_`.
class SqliteCatalog::Stmt {
 public:
  Stmt(SqliteCatalog& cat, std::string step) : cat_(cat), step_(std::move(step)) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status Prepare(const char* sql) {
    int rc = sqlite3_prepare_v2(cat_.db_, sql, -1, &stmt_, nullptr);
    return rc == SQLITE_OK ? Status::OK() : cat_.Error(rc, step_ + " (prepare)");
  }
  // Binds every parameter in order (?1, ?2, ...).
  Status BindAll(std::initializer_list<std::string_view> values) {
    int i = 1;
    for (auto v : values) {
      int rc = sqlite3_bind_text(stmt_, i++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
      if (rc != SQLITE_OK) return cat_.Error(rc, step_ + " (bind)");
    }
    return Status::OK();
  }
  // true: a row is available; false: done.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return cat_.Error(rc, step_);
  }
  int raw_step() { return sqlite3_step(stmt_); }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  const std::string& step() const { return step_; }

 private:
  SqliteCatalog& cat_;
  std::string step_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT. Taking the write lock up front means the busy timeout covers the whole
// wait and no statement ever needs to upgrade a read snapshot (which in WAL mode fails at once with
// SQLITE_BUSY_SNAPSHOT instead of waiting). Rolled back on destruction unless committed.
class SqliteCatalog::Txn {
 public:
  explicit Txn(SqliteCatalog& cat) : cat_(cat) {}
  ~Txn() { Rollback(); }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Status Begin(const std::string& step) {
    AILAKE_RETURN_IF_ERROR(cat_.Exec("BEGIN IMMEDIATE", step + " (BEGIN IMMEDIATE)"));
    active_ = true;
    return Status::OK();
  }
  Status Commit(const std::string& step) {
    Status st = cat_.Exec("COMMIT", step + " (COMMIT)");
    if (!st.ok()) Rollback();  // a busy COMMIT leaves the transaction open
    active_ = false;
    return st;
  }

 private:
  void Rollback() {
    if (active_ && sqlite3_get_autocommit(cat_.db_) == 0) sqlite3_exec(cat_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
    active_ = false;
  }
  SqliteCatalog& cat_;
  bool active_ = false;
};

SqliteCatalog::SqliteCatalog(std::shared_ptr<Store> store, std::string warehouse_uri, std::string db_path,
                             Options options)
    : store_(std::move(store)),
      warehouse_uri_(std::move(warehouse_uri)),
      db_path_(std::move(db_path)),
      options_(std::move(options)),
      owner_pid_(getpid()) {}

SqliteCatalog::~SqliteCatalog() {
  // A copy inherited through fork() must not close: SQLite's per-process lock bookkeeping belongs to
  // the parent, and closing could checkpoint or remove the WAL under the parent's feet.
  if (db_ != nullptr && getpid() == owner_pid_) sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(std::shared_ptr<Store> store, std::string warehouse_uri,
                                                           std::string db_path, Options options) {
  AILAKE_RETURN_IF_ERROR(ValidateName("catalog", options.catalog_name));
  std::unique_ptr<SqliteCatalog> cat(
      new SqliteCatalog(std::move(store), std::move(warehouse_uri), std::move(db_path), std::move(options)));
  AILAKE_RETURN_IF_ERROR(cat->Init());
  return cat;
}

Status SqliteCatalog::Init() {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(db_path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  db_ = db;  // even a failed open allocates a handle; the destructor closes it
  if (rc != SQLITE_OK) {
    if (db_ == nullptr) return Status::ResourceExhausted("sqlite catalog " + db_path_ + ": open failed: out of memory");
    return Error(rc, "open");
  }
  sqlite3_extended_result_codes(db_, 1);
  rc = sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
  if (rc != SQLITE_OK) return Error(rc, "set busy timeout");
  // WAL: readers never block the writer and vice versa. The mode is persistent in the file; setting it
  // again is a no-op. (On a filesystem without shared memory SQLite keeps its rollback journal, which
  // is slower but just as correct.)
  AILAKE_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL", "enable WAL journal"));
  // FULL: the row is the commit point, so a commit reported as done must survive a power loss.
  AILAKE_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL", "set synchronous=FULL"));

  // Create the tables only when missing, under the write lock, so processes opening a fresh warehouse
  // at the same time do not race, and a warehouse that is only read never takes the write lock.
  int64_t present = 0;
  {
    Stmt q(*this, "check catalog tables");
    AILAKE_RETURN_IF_ERROR(q.Prepare(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
        "('iceberg_tables', 'iceberg_namespace_properties')"));
    AILAKE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) present = q.Int(0);
  }
  if (present < 2) {
    Txn txn(*this);
    AILAKE_RETURN_IF_ERROR(txn.Begin("create catalog tables"));
    AILAKE_RETURN_IF_ERROR(Exec(kCreateTables, "create catalog tables"));
    AILAKE_RETURN_IF_ERROR(txn.Commit("create catalog tables"));
  }

  // The columns we use must be there (a same-named table of another shape is not our catalog).
  std::set<std::string> columns;
  {
    Stmt q(*this, "read iceberg_tables columns");
    AILAKE_RETURN_IF_ERROR(q.Prepare("PRAGMA table_info(iceberg_tables)"));
    for (;;) {
      AILAKE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      columns.insert(q.Text(1));
    }
  }
  for (const char* c : {"catalog_name", "table_namespace", "table_name", "metadata_location",
                        "previous_metadata_location"}) {
    if (!columns.count(c)) {
      return Status::Corruption("sqlite catalog " + db_path_ + ": table iceberg_tables has no column '" + c +
                                "'; this database is not an Iceberg JDBC catalog");
    }
  }
  has_iceberg_type_ = columns.count("iceberg_type") > 0;
  return Status::OK();
}

Status SqliteCatalog::Exec(const char* sql, const std::string& step) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::OK() : Error(rc, step);
}

Status SqliteCatalog::Error(int rc, const std::string& step) const {
  const StatusCode code = CodeOf(rc);
  const std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string msg = "sqlite catalog " + db_path_ + ": " + step + " failed: " + detail;
  if (code == StatusCode::kUnavailable) {
    msg += " (another process held the database lock for more than " + std::to_string(options_.busy_timeout_ms) +
           " ms; retry later)";
  }
  return Status(code, msg);
}

Status SqliteCatalog::CheckProcess() const {
  if (getpid() != owner_pid_) {
    return Status::InvalidArgument("sqlite catalog " + db_path_ + " was opened in process " +
                                   std::to_string(owner_pid_) +
                                   " and cannot be used after fork(); open a new catalog in the child process");
  }
  return Status::OK();
}

std::string SqliteCatalog::TableFilter() const {
  // Schema V1 rows carry a type; NULL means a table written by a V0 client.
  return has_iceberg_type_ ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : "";
}

std::string SqliteCatalog::NewMetadataKey(const TableIdent& ident, int64_t version) {
  std::string v = std::to_string(version);
  if (v.size() < 5) v.insert(0, 5 - v.size(), '0');
  return TableKey(ident) + "/metadata/" + v + "-" + Uuid::Random().ToString() + kMetadataSuffix;
}

int64_t SqliteCatalog::VersionOfMetadataFile(const std::string& key_or_location) {
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

Result<bool> SqliteCatalog::SelectLocation(const TableIdent& ident, std::string* location) {
  const std::string step = "read the metadata location of table '" + ident.ToString() + "'";
  Stmt q(*this, step);
  const std::string sql =
      "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 AND "
      "table_name = ?3" + TableFilter();
  AILAKE_RETURN_IF_ERROR(q.Prepare(sql.c_str()));
  AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name, ident.ns, ident.name}));
  AILAKE_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return false;
  if (q.IsNull(0) || q.Text(0).empty()) {
    return Status::Corruption("sqlite catalog " + db_path_ + ": table '" + ident.ToString() +
                              "' has no metadata_location");
  }
  *location = q.Text(0);
  return true;
}

Status SqliteCatalog::EnsureNamespaceRow(const std::string& ns) {
  Stmt q(*this, "create namespace '" + ns + "'");
  AILAKE_RETURN_IF_ERROR(q.Prepare(
      "INSERT OR IGNORE INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) "
      "SELECT ?1, ?2, 'exists', 'true' WHERE NOT EXISTS (SELECT 1 FROM iceberg_namespace_properties "
      "WHERE catalog_name = ?1 AND namespace = ?2)"));
  AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name, ns}));
  return q.Step().status();
}

Result<LoadedTable> SqliteCatalog::ReadMetadata(const TableIdent& ident, const std::string& location) {
  auto key = KeyOf(location);
  if (!key.ok()) return key.status().WithContext("table '" + ident.ToString() + "' in sqlite catalog " + db_path_);
  // The row is data, not an instruction: it may only name a file in the table's own metadata folder.
  const std::string folder = TableKey(ident) + "/metadata/";
  if (key->compare(0, folder.size(), folder) != 0 || key->find('/', folder.size()) != std::string::npos) {
    return Status::Corruption("sqlite catalog " + db_path_ + " names " + location + " as the metadata of table '" +
                              ident.ToString() + "', which is outside the table's metadata folder " +
                              LocationOf(folder) + "; fix the catalog row or restore the database");
  }
  auto text = store_->GetString(*key, 256ull << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      // The row names a file that is gone: the table exists but is damaged, which is not "no such table".
      return Status::Corruption("metadata file " + location + " of table '" + ident.ToString() +
                                "' (current in sqlite catalog " + db_path_ + ") is missing");
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

Status SqliteCatalog::CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ns));
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  const std::string step = "create namespace '" + ns + "'";
  Txn txn(*this);
  AILAKE_RETURN_IF_ERROR(txn.Begin(step));
  {
    Stmt q(*this, step);
    AILAKE_RETURN_IF_ERROR(q.Prepare(
        "SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND namespace = ?2 "
        "UNION ALL SELECT 1 FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 LIMIT 1"));
    AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name, ns}));
    AILAKE_ASSIGN_OR_RETURN(bool exists, q.Step());
    if (exists) return Status::AlreadyExists("namespace '" + ns + "' already exists");
  }
  AILAKE_RETURN_IF_ERROR(EnsureNamespaceRow(ns));
  for (const auto& [k, v] : properties) {
    Stmt q(*this, step + " (property '" + k + "')");
    AILAKE_RETURN_IF_ERROR(q.Prepare(
        "INSERT OR REPLACE INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
        "property_value) VALUES (?1, ?2, ?3, ?4)"));
    AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name, ns, k, v}));
    AILAKE_RETURN_IF_ERROR(q.Step().status());
  }
  return txn.Commit(step);
}

Result<std::vector<std::string>> SqliteCatalog::ListNamespaces() {
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  Stmt q(*this, "list namespaces");
  AILAKE_RETURN_IF_ERROR(q.Prepare(
      "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 "
      "UNION SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 ORDER BY 1"));
  AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name}));
  std::vector<std::string> out;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(q.Text(0));
  }
  return out;
}

Result<std::vector<TableIdent>> SqliteCatalog::ListTables(const std::string& ns) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ns));
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  Stmt q(*this, "list tables of namespace '" + ns + "'");
  const std::string sql = "SELECT table_name FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2" +
                          TableFilter() + " ORDER BY table_name";
  AILAKE_RETURN_IF_ERROR(q.Prepare(sql.c_str()));
  AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name, ns}));
  std::vector<TableIdent> out;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({ns, q.Text(0)});
  }
  return out;
}

Result<LoadedTable> SqliteCatalog::CreateTable(const TableIdent& ident, iceberg::TableMetadata metadata) {
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
    Txn txn(*this);
    AILAKE_RETURN_IF_ERROR(txn.Begin(step));
    AILAKE_RETURN_IF_ERROR(EnsureNamespaceRow(ident.ns));
    Stmt q(*this, step);
    const std::string sql = has_iceberg_type_
        ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
          "previous_metadata_location, iceberg_type) VALUES (?1, ?2, ?3, ?4, NULL, 'TABLE')"
        : "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
          "previous_metadata_location) VALUES (?1, ?2, ?3, ?4, NULL)";
    AILAKE_RETURN_IF_ERROR(q.Prepare(sql.c_str()));
    AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name, ident.ns, ident.name, location}));
    const int rc = q.raw_step();
    if ((rc & 0xff) == SQLITE_CONSTRAINT) return exists;  // another process created it first
    if (rc != SQLITE_DONE) return Error(rc, step);
    commit_attempted = true;
    return txn.Commit(step);
  }();
  if (!st.ok()) {
    if (!commit_attempted) (void)store_->Delete(key);  // no row can name it: garbage
    return st;
  }
  return ReadMetadata(ident, location);
}

Result<LoadedTable> SqliteCatalog::LoadTable(const TableIdent& ident) {
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

Result<LoadedTable> SqliteCatalog::CommitTable(const LoadedTable& base, iceberg::TableMetadata updated) {
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
    Txn txn(*this);
    AILAKE_RETURN_IF_ERROR(txn.Begin(step));
    {
      Stmt q(*this, step);
      AILAKE_RETURN_IF_ERROR(q.Prepare(
          "UPDATE iceberg_tables SET metadata_location = ?1, previous_metadata_location = ?2 "
          "WHERE catalog_name = ?3 AND table_namespace = ?4 AND table_name = ?5 AND metadata_location = ?2"));
      AILAKE_RETURN_IF_ERROR(q.BindAll({location, base_location, options_.catalog_name, ident.ns, ident.name}));
      AILAKE_RETURN_IF_ERROR(q.Step().status());
    }
    if (sqlite3_changes(db_) == 0) {
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

Status SqliteCatalog::DropTable(const TableIdent& ident, bool purge) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ident.ns));
  AILAKE_RETURN_IF_ERROR(ValidateName("table", ident.name));
  std::lock_guard<std::mutex> lock(mu_);
  AILAKE_RETURN_IF_ERROR(CheckProcess());
  const std::string step = "drop table '" + ident.ToString() + "'";
  {
    Txn txn(*this);
    AILAKE_RETURN_IF_ERROR(txn.Begin(step));
    std::string current;
    AILAKE_ASSIGN_OR_RETURN(bool found, SelectLocation(ident, &current));
    if (!found) return Status::NotFound("table '" + ident.ToString() + "' does not exist");
    Stmt q(*this, step);
    const std::string sql =
        "DELETE FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 AND table_name = ?3" +
        TableFilter();
    AILAKE_RETURN_IF_ERROR(q.Prepare(sql.c_str()));
    AILAKE_RETURN_IF_ERROR(q.BindAll({options_.catalog_name, ident.ns, ident.name}));
    AILAKE_RETURN_IF_ERROR(q.Step().status());
    AILAKE_RETURN_IF_ERROR(txn.Commit(step));
  }
  if (!purge) return Status::OK();
  // The table is gone from the catalog; a crash from here on leaves only unreferenced files.
  AILAKE_ASSIGN_OR_RETURN(auto objects, store_->List(TableKey(ident) + "/"));
  for (const auto& o : objects) AILAKE_RETURN_IF_ERROR(store_->Delete(o.key));
  return Status::OK();
}

}  // namespace ailake::catalog
