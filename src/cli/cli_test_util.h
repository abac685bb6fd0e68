// Test support shared by the CLI test suites: running `ailake` in-process. Scratch folders, child
// processes and oracles come from src/testing.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "iceberg/manifest_cache.h"

namespace ailake::cli::testing {

struct CliOut {
  int code = -1;
  std::string out, err;
};

// Runs the CLI with `args`, adding `--warehouse WAREHOUSE` unless `warehouse` is empty. Each run
// starts, as a fresh `ailake` process does, with an empty manifest cache (iceberg/manifest_cache.h),
// so request counts and fault points are those of a real command.
inline CliOut RunCli(std::vector<std::string> args, const std::string& warehouse) {
  iceberg::ManifestCache::Process().Clear();
  if (!warehouse.empty()) {
    args.push_back("--warehouse");
    args.push_back(warehouse);
  }
  std::ostringstream o, e;
  const int code = cli::Run(args, o, e);
  return {code, o.str(), e.str()};
}

}  // namespace ailake::cli::testing
