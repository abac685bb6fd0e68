// SqlConnection: the few things the SQL catalog (sql_catalog.h) needs from a database, so SQLite
// and PostgreSQL share one implementation of the Iceberg JDBC catalog logic.
//
// Statements are written once in the SQL both databases accept (ON CONFLICT upserts, UNION,
// LIMIT), with numbered parameters ?1, ?2, ... bound as text; a backend rewrites placeholders if it
// needs to (PostgreSQL: $1, $2, ...). Every error names the database (Describe()) and the step.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake::catalog {

class SqlConnection {
 public:
  using Row = std::vector<std::optional<std::string>>;  // nullopt: SQL NULL

  virtual ~SqlConnection() = default;

  // "sqlite catalog /path/ailake_catalog.db", "postgresql catalog postgresql://user@host:5432/db":
  // for messages; never a password.
  virtual std::string Describe() const = 0;

  // Runs several statements without parameters (schema creation).
  virtual Status ExecScript(const std::string& sql, const std::string& step) = 0;
  // Every row of a query.
  virtual Result<std::vector<Row>> Query(const std::string& sql, const std::vector<std::string>& params,
                                         const std::string& step) = 0;
  // A statement that changes rows: how many it changed. A unique-key violation is kAlreadyExists.
  virtual Result<int64_t> Execute(const std::string& sql, const std::vector<std::string>& params,
                                  const std::string& step) = 0;

  // A write transaction: taken so that a compare-and-swap inside it is atomic against other
  // writers, and waiting (bounded) for them rather than failing at once. Rollback is a no-op
  // without an open transaction.
  virtual Status Begin(const std::string& step) = 0;
  virtual Status Commit(const std::string& step) = 0;
  virtual void Rollback() = 0;

  // Creates the catalog tables with `create_sql` unless both exist, safely against other
  // processes doing the same.
  virtual Status EnsureTables(const std::string& create_sql) = 0;
  // Column names of a table (empty when it does not exist).
  virtual Result<std::set<std::string>> Columns(const std::string& table) = 0;
};

}  // namespace ailake::catalog
