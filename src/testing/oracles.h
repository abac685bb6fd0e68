// Independent oracles (docs/TESTING.md): DuckDB through node for Parquet, python3-avro and avsc for
// Avro. A missing oracle is a test failure whose message says to run scripts/setup.sh, never a skip.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "testing/fork_child.h"

namespace ailake::test_util {

// The source tree ($AILAKE_SOURCE_DIR, as CTest sets it, else the one this was built from) and its
// tests/interop folder holding the oracle scripts and their node_modules.
std::string SourceDir();
std::string InteropDir();

// 'text' quoted for a POSIX shell.
std::string ShellQuote(const std::string& s);

// node and the @duckdb/node-api module are there.
::testing::AssertionResult DuckDbAvailable();
// Runs SQL statements with DuckDB; `rows` gets the last statement's rows (one JSON object each).
// A failure names the statement and DuckDB's stderr.
::testing::AssertionResult DuckDb(const std::vector<std::string>& sql, std::vector<nlohmann::json>* rows);
// The same for callers that only want the rows: a failure is ADD_FAILURE and no rows.
std::vector<nlohmann::json> DuckDbQuery(const std::vector<std::string>& sql);

// Debian's python3-avro (the system python3) can be imported.
::testing::AssertionResult PythonAvroAvailable();
// tests/interop/avro_inspect.py on `file`: {"schema", "meta", "records"} as JSON text (stdout).
CommandResult PythonAvroInspect(const std::string& file);
// tests/interop/avro_read.py on `file`.
CommandResult PythonAvroRead(const std::string& file);

// node and the avsc module are there.
::testing::AssertionResult AvscAvailable();
// tests/interop/avsc_read.mjs on `file`; avsc_write.mjs writing `file` with `codec`.
CommandResult AvscRead(const std::string& file);
CommandResult AvscWrite(const std::string& file, const std::string& codec);

}  // namespace ailake::test_util
