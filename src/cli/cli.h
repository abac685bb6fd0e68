// Entry point of the `ailake` CLI. Exit codes (docs/CLI.md):
//   0 success; 1 runtime failure (I/O, corrupt input, conflict); 2 usage error (bad flags/arguments).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ailake::cli {

int Main(int argc, char** argv);
// Same, with explicit streams (tests).
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ailake::cli
