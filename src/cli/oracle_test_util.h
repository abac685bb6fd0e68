// Test helper: run an independent oracle (DuckDB through node) and collect its JSON Lines.
// A missing oracle is a test FAILURE telling the reader to run scripts/setup.sh, never a skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ailake::cli::testing {

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Runs `node tests/interop/duckdb_sql.mjs SQL...`; returns one json per output line.
inline std::vector<nlohmann::json> DuckDbQuery(const std::vector<std::string>& sql) {
  const std::string dir = std::string(AILAKE_SOURCE_DIR) + "/tests/interop";
  std::string cmd = "node " + ShellQuote(dir + "/duckdb_sql.mjs");
  for (const auto& s : sql) cmd += " " + ShellQuote(s);
  cmd += " 2>&1";
  std::vector<nlohmann::json> rows;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "cannot run node; run scripts/setup.sh";
    return rows;
  }
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (rc != 0) {
    ADD_FAILURE() << "DuckDB oracle failed (exit " << rc << "); run scripts/setup.sh to install node and "
                  << "@duckdb/node-api. Output:\n" << out.substr(0, 2000);
    return rows;
  }
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    if (nl == std::string::npos) nl = out.size();
    if (nl > start) rows.push_back(nlohmann::json::parse(out.substr(start, nl - start)));
    start = nl + 1;
  }
  return rows;
}

}  // namespace ailake::cli::testing
