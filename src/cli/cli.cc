#include "cli/cli.h"

#include <iostream>

namespace ailake::cli {

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  (void)args;
  out << "ailake 0.1.0\n";
  (void)err;
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return Run(args, std::cout, std::cerr);
}

}  // namespace ailake::cli
