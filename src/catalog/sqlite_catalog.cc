#include "catalog/sqlite_catalog.h"

#include <sqlite3.h>
#include <unistd.h>

namespace ailake::catalog {

namespace {

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

// One SQLite connection. ?N placeholders are SQLite's own syntax.
class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(std::string path, int busy_timeout_ms)
      : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), owner_pid_(getpid()) {}
  ~SqliteConnection() override {
    // A copy inherited through fork() must not close: SQLite's per-process lock bookkeeping belongs to
    // the parent, and closing could checkpoint or remove the WAL under the parent's feet.
    if (db_ != nullptr && getpid() == owner_pid_) sqlite3_close_v2(db_);
  }

  Status Open() {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    db_ = db;  // even a failed open allocates a handle; the destructor closes it
    if (rc != SQLITE_OK) {
      if (db_ == nullptr) return Status::ResourceExhausted(Describe() + ": open failed: out of memory");
      return Error(rc, "open");
    }
    sqlite3_extended_result_codes(db_, 1);
    rc = sqlite3_busy_timeout(db_, busy_timeout_ms_);
    if (rc != SQLITE_OK) return Error(rc, "set busy timeout");
    // WAL: readers never block the writer and vice versa. The mode is persistent in the file; setting
    // it again is a no-op. (On a filesystem without shared memory SQLite keeps its rollback journal,
    // which is slower but just as correct.)
    AILAKE_RETURN_IF_ERROR(ExecScript("PRAGMA journal_mode=WAL", "enable WAL journal"));
    // FULL: the row is the commit point, so a commit reported as done must survive a power loss.
    return ExecScript("PRAGMA synchronous=FULL", "set synchronous=FULL");
  }

  std::string Describe() const override { return "sqlite catalog " + path_; }

  Status ExecScript(const std::string& sql, const std::string& step) override {
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::OK() : Error(rc, step);
  }

  Result<std::vector<Row>> Query(const std::string& sql, const std::vector<std::string>& params,
                                 const std::string& step) override {
    Stmt st(*this);
    AILAKE_RETURN_IF_ERROR(st.Prepare(sql, params, step));
    std::vector<Row> rows;
    for (;;) {
      int rc = sqlite3_step(st.get());
      if (rc == SQLITE_DONE) return rows;
      if (rc != SQLITE_ROW) return Error(rc, step);
      Row row;
      for (int i = 0; i < sqlite3_column_count(st.get()); ++i) {
        const unsigned char* p = sqlite3_column_text(st.get(), i);
        if (p == nullptr) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(reinterpret_cast<const char*>(p),
                                       static_cast<size_t>(sqlite3_column_bytes(st.get(), i))));
        }
      }
      rows.push_back(std::move(row));
    }
  }

  Result<int64_t> Execute(const std::string& sql, const std::vector<std::string>& params,
                          const std::string& step) override {
    Stmt st(*this);
    AILAKE_RETURN_IF_ERROR(st.Prepare(sql, params, step));
    int rc = sqlite3_step(st.get());
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return static_cast<int64_t>(sqlite3_changes(db_));
    return Error(rc, step);
  }

  // BEGIN IMMEDIATE: taking the write lock up front means the busy timeout covers the whole wait and
  // no statement ever needs to upgrade a read snapshot (which in WAL mode fails at once with
  // SQLITE_BUSY_SNAPSHOT instead of waiting).
  Status Begin(const std::string& step) override { return ExecScript("BEGIN IMMEDIATE", step + " (BEGIN IMMEDIATE)"); }
  Status Commit(const std::string& step) override { return ExecScript("COMMIT", step + " (COMMIT)"); }
  void Rollback() override {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  // Only when missing, under the write lock, so processes opening a fresh warehouse at the same time
  // do not race, and a warehouse that is only read never takes the write lock.
  Status EnsureTables(const std::string& create_sql) override {
    AILAKE_ASSIGN_OR_RETURN(auto rows, Query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                             "('iceberg_tables', 'iceberg_namespace_properties')",
                                             {}, "check catalog tables"));
    if (!rows.empty() && !rows[0].empty() && rows[0][0] == "2") return Status::OK();
    AILAKE_RETURN_IF_ERROR(Begin("create catalog tables"));
    Status st = ExecScript(create_sql, "create catalog tables");
    if (st.ok()) st = Commit("create catalog tables");
    if (!st.ok()) Rollback();
    return st;
  }

  Result<std::set<std::string>> Columns(const std::string& table) override {
    AILAKE_ASSIGN_OR_RETURN(auto rows, Query("SELECT name FROM pragma_table_info(?1)", {table},
                                             "read " + table + " columns"));
    std::set<std::string> out;
    for (const auto& r : rows) {
      if (!r.empty() && r[0]) out.insert(*r[0]);
    }
    return out;
  }

 private:
  // A prepared statement that is always finalized.
  class Stmt {
   public:
    explicit Stmt(SqliteConnection& c) : c_(c) {}
    ~Stmt() { sqlite3_finalize(stmt_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Status Prepare(const std::string& sql, const std::vector<std::string>& params, const std::string& step) {
      int rc = sqlite3_prepare_v2(c_.db_, sql.c_str(), -1, &stmt_, nullptr);
      if (rc != SQLITE_OK) return c_.Error(rc, step + " (prepare)");
      int i = 1;
      for (const auto& v : params) {
        rc = sqlite3_bind_text(stmt_, i++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        if (rc != SQLITE_OK) return c_.Error(rc, step + " (bind)");
      }
      return Status::OK();
    }
    sqlite3_stmt* get() { return stmt_; }

   private:
    SqliteConnection& c_;
    sqlite3_stmt* stmt_ = nullptr;
  };

  Status Error(int rc, const std::string& step) const {
    const StatusCode code = CodeOf(rc);
    const std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    std::string msg = Describe() + ": " + step + " failed: " + detail;
    if (code == StatusCode::kUnavailable) {
      msg += " (another process held the database lock for more than " + std::to_string(busy_timeout_ms_) +
             " ms; retry later)";
    }
    return Status(code, msg);
  }

  std::string path_;
  int busy_timeout_ms_;
  pid_t owner_pid_;
  sqlite3* db_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(std::shared_ptr<Store> store, std::string warehouse_uri,
                                                           std::string db_path, Options options) {
  AILAKE_RETURN_IF_ERROR(ValidateName("catalog", options.catalog_name));
  auto conn = std::make_unique<SqliteConnection>(db_path, options.busy_timeout_ms);
  AILAKE_RETURN_IF_ERROR(conn->Open());
  std::unique_ptr<SqliteCatalog> cat(new SqliteCatalog(std::move(store), std::move(warehouse_uri), std::move(db_path),
                                                       std::move(conn), options.catalog_name));
  AILAKE_RETURN_IF_ERROR(cat->Init());
  return cat;
}

}  // namespace ailake::catalog
