#include "testing/oracles.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace ailake::test_util {

namespace {

// Debian's python3-avro is installed for the system Python, not for whatever python3 PATH finds.
constexpr const char* kSystemPython = "/usr/bin/python3";

::testing::AssertionResult NodeModuleAvailable(const std::string& module, const std::string& what) {
  CommandResult node = RunCommand({"node", "--version"});
  if (node.code != 0) {
    return ::testing::AssertionFailure() << "Node.js is needed to run the " << what
                                         << " oracle but `node --version` failed; run scripts/setup.sh";
  }
  const std::string path = InteropDir() + "/node_modules/" + module;
  if (!std::filesystem::exists(path)) {
    return ::testing::AssertionFailure() << "the npm package " << module << " (the " << what << " oracle) is missing from "
                                         << InteropDir() << "/node_modules; run scripts/setup.sh to install it";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

std::string SourceDir() {
  const char* env = std::getenv("AILAKE_SOURCE_DIR");
  return env != nullptr && *env ? env : AILAKE_SOURCE_DIR;
}

std::string InteropDir() { return SourceDir() + "/tests/interop"; }

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

::testing::AssertionResult DuckDbAvailable() { return NodeModuleAvailable("@duckdb/node-api", "DuckDB"); }

::testing::AssertionResult DuckDb(const std::vector<std::string>& sql, std::vector<nlohmann::json>* rows) {
  rows->clear();
  if (auto available = DuckDbAvailable(); !available) return available;
  std::vector<std::string> argv = {"node", InteropDir() + "/duckdb_sql.mjs"};
  argv.insert(argv.end(), sql.begin(), sql.end());
  CommandResult r = RunCommand(argv);
  if (r.code != 0) {
    return ::testing::AssertionFailure() << "DuckDB failed (exit " << r.code << ") on: "
                                         << (sql.empty() ? std::string() : sql.back()) << "\nstderr: " << r.err.substr(0, 2000);
  }
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return ::testing::AssertionFailure() << "the DuckDB oracle printed non-JSON: " << line;
    rows->push_back(std::move(j));
  }
  return ::testing::AssertionSuccess();
}

std::vector<nlohmann::json> DuckDbQuery(const std::vector<std::string>& sql) {
  std::vector<nlohmann::json> rows;
  if (auto ok = DuckDb(sql, &rows); !ok) {
    ADD_FAILURE() << ok.message();
    rows.clear();
  }
  return rows;
}

::testing::AssertionResult PythonAvroAvailable() {
  CommandResult r = RunCommand({kSystemPython, "-c", "import avro.datafile, avro.io"});
  if (r.code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "Debian's python3-avro is needed as an independent Avro reader but `"
                                       << kSystemPython << " -c 'import avro'` failed: " << r.err
                                       << "\nRun scripts/setup.sh to install it.";
}

CommandResult PythonAvroInspect(const std::string& file) {
  return RunCommand({kSystemPython, InteropDir() + "/avro_inspect.py", file});
}

CommandResult PythonAvroRead(const std::string& file) {
  return RunCommand({kSystemPython, InteropDir() + "/avro_read.py", file});
}

::testing::AssertionResult AvscAvailable() { return NodeModuleAvailable("avsc", "avsc Avro"); }

CommandResult AvscRead(const std::string& file) { return RunCommand({"node", InteropDir() + "/avsc_read.mjs", file}); }

CommandResult AvscWrite(const std::string& file, const std::string& codec) {
  return RunCommand({"node", InteropDir() + "/avsc_write.mjs", file, codec});
}

}  // namespace ailake::test_util
