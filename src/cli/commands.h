// The subcommands of `ailake`. Each has a spec (flags, help) and a runner; cli.cc dispatches.
// Runners return the process exit code: 0 ok, 1 failure, 2 usage error.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "cli/args.h"

namespace ailake::cli {

struct Command {
  CommandSpec spec;
  int (*run)(const ParsedArgs& args, std::ostream& out, std::ostream& err);
};

const std::vector<Command>& AllCommands();

// Prints "error: <message>" (and a hint when useful) and returns the exit code for `status`.
int ReportError(const Status& status, std::ostream& err);

Command InspectCommand();
Command CatCommand();
Command KnnCommand();
Command SampleCommand();
Command CreateCommand();
Command InsertCommand();
Command SearchCommand();
Command InfoCommand();
Command HistoryCommand();
Command FilesCommand();
Command ListCommand();
Command DropCommand();
Command AlterCommand();
Command DeleteCommand();
Command RollbackCommand();
Command VerifyCommand();
Command ExpireCommand();
Command CompactCommand();
Command MigrateCommand();
Command MigratePlanCommand();
Command MigrateStatusCommand();
Command MigrateResumeCommand();
Command MigrateAbortCommand();
Command MigrateRunTaskCommand();
Command MigrateCommitCommand();
Command MigrateListCommand();
Command ServeCommand();
Command EvalCommand();

}  // namespace ailake::cli
