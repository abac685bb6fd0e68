// The `ailake` command-line tool. All logic lives in src/cli/*.cc (library ailake_cli) so tests can
// drive it in-process; this file only forwards argv.
#include "cli/cli.h"

int main(int argc, char** argv) { return ailake::cli::Main(argc, argv); }
