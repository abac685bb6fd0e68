#include "cli/cli.h"

#include <algorithm>
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
  static const std::vector<Command> commands = {CreateCommand(), InsertCommand(), SearchCommand(), DeleteCommand(), InfoCommand(), HistoryCommand(), FilesCommand(), ListCommand(), DropCommand(), AlterCommand(), RollbackCommand(), VerifyCommand(), ExpireCommand(), CompactCommand(),
                                                MigrateCommand(), MigrateStatusCommand(), MigrateResumeCommand(), MigrateAbortCommand(),
                                                MigratePlanCommand(), MigrateRunTaskCommand(), MigrateCommitCommand(), MigrateListCommand(),
                                                InspectCommand(), CatCommand(), KnnCommand(), SampleCommand(), ServeCommand(), EvalCommand()};
  return commands;
}

int ReportError(const Status& status, std::ostream& err) {
  err << "error: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

namespace {
// Options that may stand before the command name (`ailake --warehouse W info T`); they are moved
// behind it, so each command parses them as its own.
const std::vector<std::string> kGlobalOptions = {"--warehouse", "--catalog", "--format"};

// Moves leading global options behind the command words; a usage error for any other leading option.
Result<std::vector<std::string>> HoistGlobalOptions(const std::vector<std::string>& args) {
  std::vector<std::string> globals;
  size_t i = 0;
  while (i < args.size() && args[i].size() > 2 && args[i].rfind("--", 0) == 0 && args[i] != "--help" &&
         args[i] != "--version") {
    const std::string& a = args[i];
    const std::string token = a.substr(0, a.find('='));
    if (std::find(kGlobalOptions.begin(), kGlobalOptions.end(), token) == kGlobalOptions.end()) {
      return Status::InvalidArgument("option '" + token + "' before the command: only --warehouse, --catalog and --format may stand there; put command options after the command");
    }
    globals.push_back(a);
    if (a.find('=') == std::string::npos) {
      if (i + 1 >= args.size()) return Status::InvalidArgument("option " + token + " needs a value");
      globals.push_back(args[i + 1]);
      ++i;
    }
    ++i;
  }
  if (globals.empty()) return args;
  if (i >= args.size()) return Status::InvalidArgument("no command after " + globals.front() + " (run 'ailake --help')");
  std::vector<std::string> out(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  out.insert(out.end(), globals.begin(), globals.end());
  return out;
}
}  // namespace

int Run(const std::vector<std::string>& raw_args, std::ostream& out, std::ostream& err) {
  auto hoisted = HoistGlobalOptions(raw_args);
  if (!hoisted.ok()) {
    err << "error: " << hoisted.status().message() << "\n";
    return 2;
  }
  const std::vector<std::string>& args = *hoisted;
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
