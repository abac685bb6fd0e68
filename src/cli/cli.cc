#include "cli/cli.h"

#include <iostream>

#include "cli/commands.h"

namespace ailake::cli {

namespace {
constexpr const char* kVersion = "0.1.0";

void PrintUsage(std::ostream& out) {
  out << "ailake " << kVersion << " - a vector-native lakehouse table format and engine\n\n"
      << "usage: ailake <command> [arguments] [options]\n\ncommands:\n";
  for (const auto& c : AllCommands()) {
    std::string name = "  " + c.spec.name;
    out << name << std::string(name.size() < 20 ? 20 - name.size() : 1, ' ') << c.spec.summary << "\n";
  }
  out << "\nRun 'ailake <command> --help' for a command's options.\n"
      << "Exit codes: 0 success, 1 failure (I/O, corrupt or invalid data), 2 usage error.\n";
}
}  // namespace

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> commands = {CreateCommand(), InsertCommand(), SearchCommand(), DeleteCommand(), InfoCommand(), HistoryCommand(), RollbackCommand(), VerifyCommand(), ExpireCommand(), CompactCommand(),
                                                MigrateCommand(), MigrateStatusCommand(), MigrateResumeCommand(), MigrateAbortCommand(),
                                                MigratePlanCommand(), MigrateRunTaskCommand(), MigrateCommitCommand(),
                                                InspectCommand(), CatCommand(), KnnCommand(), SampleCommand()};
  return commands;
}

int ReportError(const Status& status, std::ostream& err) {
  err << "error: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    PrintUsage(err);
    return 2;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(out);
    return 0;
  }
  if (name == "--version" || name == "-V" || name == "version") {
    out << "ailake " << kVersion << "\n";
    return 0;
  }
  // Two-word commands ("migrate status") take precedence over their one-word parent.
  size_t words = 1;
  std::string full = name;
  if (args.size() >= 2) {
    for (const auto& c : AllCommands()) {
      if (c.spec.name == name + " " + args[1]) {
        full = c.spec.name;
        words = 2;
      }
    }
  }
  for (const auto& c : AllCommands()) {
    if (c.spec.name != full) continue;
    std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(words), args.end());
    if (HelpRequested(rest)) {
      out << HelpText(c.spec);
      return 0;
    }
    auto parsed = Parse(c.spec, rest);
    if (!parsed.ok()) {
      err << "error: " << parsed.status().message() << "\n";
      return 2;
    }
    return c.run(*parsed, out, err);
  }
  err << "error: unknown command '" << name << "' (run 'ailake --help' for the list)\n";
  return 2;
}

int Main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  int rc = Run(args, std::cout, std::cerr);
  std::cout.flush();
  return rc;
}

}  // namespace ailake::cli
