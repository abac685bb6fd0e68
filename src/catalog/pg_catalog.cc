#include "catalog/pg_catalog.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>

namespace ailake::catalog {

namespace {

constexpr Oid kTextOid = 25;
// Transaction-scoped advisory lock key for schema creation ("ailake" in ASCII).
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(107152519653733)";

// ?N -> $N (our statements contain no '?' elsewhere).
std::string ToPgPlaceholders(const std::string& sql) {
  std::string out = sql;
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '?' && std::isdigit(static_cast<unsigned char>(out[i + 1]))) out[i] = '$';
  }
  return out;
}

StatusCode CodeOfSqlState(const std::string& state) {
  if (state == "23505") return StatusCode::kAlreadyExists;  // unique_violation
  if (state.rfind("08", 0) == 0 || state == "40001" || state == "40P01" || state == "55P03" || state == "57014" ||
      state == "57P01" || state == "57P03" || state == "53300") {
    return StatusCode::kUnavailable;  // connection, serialization, deadlock, lock timeout, shutdown, too many
  }
  if (state.rfind("28", 0) == 0 || state.rfind("42501", 0) == 0) return StatusCode::kIOError;  // auth, privilege
  if (state.rfind("42", 0) == 0) return StatusCode::kCorruption;  // undefined table/column: not our schema
  if (state.rfind("53", 0) == 0) return StatusCode::kResourceExhausted;
  return StatusCode::kInternal;
}

class PgConnection final : public SqlConnection {
 public:
  explicit PgConnection(int lock_timeout_ms) : lock_timeout_ms_(lock_timeout_ms), owner_pid_(getpid()) {}
  ~PgConnection() override {
    if (conn_ != nullptr && getpid() == owner_pid_) PQfinish(conn_);
  }

  Status Open(const std::string& conninfo) {
    // What the string names (for Describe before a connection exists) and its password (to scrub).
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (opts == nullptr) {
      std::string why = err ? err : "out of memory";
      PQfreemem(err);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return Status::InvalidArgument("postgresql catalog: the connection string is not valid: " + Scrub(why) +
                                     " (expected postgresql://USER[:PASSWORD]@HOST:PORT/DB?sslmode=...)");
    }
    std::string user, host, port, db;
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
      if (o->val == nullptr) continue;
      const std::string k = o->keyword;
      if (k == "password") secrets_.push_back(o->val);
      if (k == "user") user = o->val;
      if (k == "host") host = o->val;
      if (k == "hostaddr" && host.empty()) host = o->val;
      if (k == "port") port = o->val;
      if (k == "dbname") db = o->val;
    }
    PQconninfoFree(opts);
    if (const char* pw = std::getenv("PGPASSWORD"); pw && *pw) secrets_.push_back(pw);
    describe_ = "postgresql catalog postgresql://" + (user.empty() ? "" : user + "@") + host +
                (port.empty() ? "" : ":" + port) + "/" + db;

    conn_ = PQconnectdb(conninfo.c_str());
    if (conn_ == nullptr) return Status::ResourceExhausted(describe_ + ": cannot allocate a connection");
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Status::Unavailable(describe_ + ": cannot connect: " + ConnMessage() +
                                 "; check host, port, user, database and sslmode (or the PG* environment)");
    }
    // The live connection knows what libpq filled in from the environment and defaults.
    describe_ = "postgresql catalog postgresql://" + std::string(PQuser(conn_)) + "@" + PQhost(conn_) + ":" +
                PQport(conn_) + "/" + PQdb(conn_);
    return ExecScript("SET lock_timeout = " + std::to_string(lock_timeout_ms_), "set lock_timeout");
  }

  std::string Describe() const override { return describe_; }

  Status ExecScript(const std::string& sql, const std::string& step) override {
    PGresult* r = PQexec(conn_, sql.c_str());
    Status st = Check(r, step);
    PQclear(r);
    return st;
  }

  Result<std::vector<Row>> Query(const std::string& sql, const std::vector<std::string>& params,
                                 const std::string& step) override {
    PGresult* r = Run(sql, params);
    Status st = Check(r, step);
    if (!st.ok()) {
      PQclear(r);
      return st;
    }
    std::vector<Row> rows;
    const int n = PQntuples(r), cols = PQnfields(r);
    for (int i = 0; i < n; ++i) {
      Row row;
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(r, i, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(r, i, c), static_cast<size_t>(PQgetlength(r, i, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
  }

  Result<int64_t> Execute(const std::string& sql, const std::vector<std::string>& params,
                          const std::string& step) override {
    PGresult* r = Run(sql, params);
    Status st = Check(r, step);
    const std::string changed = st.ok() ? PQcmdTuples(r) : "";
    PQclear(r);
    AILAKE_RETURN_IF_ERROR(st);
    return changed.empty() ? int64_t{0} : static_cast<int64_t>(std::strtoll(changed.c_str(), nullptr, 10));
  }

  Status Begin(const std::string& step) override { return ExecScript("BEGIN", step + " (BEGIN)"); }
  Status Commit(const std::string& step) override {
    PGresult* r = PQexec(conn_, "COMMIT");
    Status st = Check(r, step + " (COMMIT)");
    // COMMIT of a transaction that already failed reports success with the tag ROLLBACK.
    if (st.ok() && std::string(PQcmdStatus(r)) == "ROLLBACK") {
      st = Status::Aborted(describe_ + ": " + step + ": the transaction was rolled back by the server");
    }
    PQclear(r);
    return st;
  }
  void Rollback() override {
    if (conn_ != nullptr && PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
  }

  Status EnsureTables(const std::string& create_sql) override {
    AILAKE_ASSIGN_OR_RETURN(auto rows, Query("SELECT to_regclass('iceberg_tables') IS NOT NULL AND "
                                             "to_regclass('iceberg_namespace_properties') IS NOT NULL",
                                             {}, "check catalog tables"));
    if (!rows.empty() && !rows[0].empty() && rows[0][0] == "t") return Status::OK();
    const std::string step = "create catalog tables";
    AILAKE_RETURN_IF_ERROR(Begin(step));
    Status st = ExecScript(kSchemaLock, step + " (advisory lock)");
    if (st.ok()) st = ExecScript(create_sql, step);
    if (st.ok()) st = Commit(step);
    if (!st.ok()) Rollback();
    return st;
  }

  Result<std::set<std::string>> Columns(const std::string& table) override {
    AILAKE_ASSIGN_OR_RETURN(auto rows, Query("SELECT column_name FROM information_schema.columns WHERE "
                                             "table_schema = current_schema() AND table_name = ?1",
                                             {table}, "read " + table + " columns"));
    std::set<std::string> out;
    for (const auto& r : rows) {
      if (!r.empty() && r[0]) out.insert(*r[0]);
    }
    return out;
  }

 private:
  PGresult* Run(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    std::vector<Oid> types(params.size(), kTextOid);
    for (const auto& p : params) values.push_back(p.c_str());
    return PQexecParams(conn_, ToPgPlaceholders(sql).c_str(), static_cast<int>(params.size()), types.data(),
                        values.data(), nullptr, nullptr, 0);
  }

  Status Check(PGresult* r, const std::string& step) const {
    const ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return Status::OK();
    std::string state = r ? (PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "")
                          : "";
    std::string detail = r ? PQresultErrorMessage(r) : "";
    if (detail.empty()) detail = ConnMessage();
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    StatusCode code = state.empty() ? StatusCode::kUnavailable : CodeOfSqlState(state);
    if (PQstatus(conn_) == CONNECTION_BAD) code = StatusCode::kUnavailable;
    std::string msg = describe_ + ": " + step + " failed: " + Scrub(detail);
    if (code == StatusCode::kUnavailable) msg += " (the server is unreachable or busy; retry later)";
    return Status(code, msg);
  }

  std::string ConnMessage() const {
    std::string m = conn_ ? PQerrorMessage(conn_) : "";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return Scrub(m);
  }

  std::string Scrub(std::string text) const {
    for (const auto& s : secrets_) {
      if (s.empty()) continue;
      for (size_t p = text.find(s); p != std::string::npos; p = text.find(s, p + 3)) text.replace(p, s.size(), "***");
    }
    return text;
  }

  int lock_timeout_ms_;
  pid_t owner_pid_;
  PGconn* conn_ = nullptr;
  std::string describe_ = "postgresql catalog";
  std::vector<std::string> secrets_;
};

}  // namespace

bool PgCatalog::IsPostgresUri(const std::string& s) {
  return s == "postgresql" || s == "postgres" || s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<PgCatalog>> PgCatalog::Open(std::shared_ptr<Store> store, std::string warehouse_uri,
                                                   const std::string& conninfo, Options options) {
  AILAKE_RETURN_IF_ERROR(ValidateName("catalog", options.catalog_name));
  auto conn = std::make_unique<PgConnection>(options.lock_timeout_ms);
  // The bare words mean "everything from the PG* environment".
  AILAKE_RETURN_IF_ERROR(conn->Open(conninfo == "postgresql" || conninfo == "postgres" ? "" : conninfo));
  std::unique_ptr<PgCatalog> cat(
      new PgCatalog(std::move(store), std::move(warehouse_uri), std::move(conn), options.catalog_name));
  AILAKE_RETURN_IF_ERROR(cat->Init());
  return cat;
}

}  // namespace ailake::catalog
