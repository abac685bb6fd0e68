// Test support shared by the CLI test suites: a scratch folder and running `ailake` in-process.
// (Older suites still carry their own copies; new ones use these.)
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "core/uuid.h"

namespace ailake::cli::testing {

struct CliOut {
  int code = -1;
  std::string out, err;
};

// Runs the CLI with `args`, adding `--warehouse WAREHOUSE` unless `warehouse` is empty.
inline CliOut RunCli(std::vector<std::string> args, const std::string& warehouse) {
  if (!warehouse.empty()) {
    args.push_back("--warehouse");
    args.push_back(warehouse);
  }
  std::ostringstream o, e;
  const int code = cli::Run(args, o, e);
  return {code, o.str(), e.str()};
}

// A fresh folder under the system temp dir, removed with the object.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix)
      : path_(std::filesystem::temp_directory_path() / ("ailake_" + prefix + "_" + Uuid::Random().ToString())) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ailake::cli::testing
