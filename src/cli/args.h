// A small declarative argument parser for `ailake` subcommands.
//
// A command declares its positionals and flags; Parse() fills values or returns a usage error
// (exit code 2) naming the bad argument. `--flag value` and `--flag=value` are both accepted; a
// boolean flag takes no value. Help text is generated from the declarations so --help never drifts
// from what the parser accepts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake::cli {

struct FlagSpec {
  std::string name;         // without dashes, e.g. "format"
  std::string short_name;   // e.g. "k" for -k; may be empty
  std::string value_name;   // e.g. "N"; empty = boolean flag
  std::string help;
  std::string default_value;  // shown in help; applied when the flag is absent (non-boolean)
};

struct CommandSpec {
  std::string name;         // "inspect"
  std::string summary;      // one line
  std::vector<std::string> positionals;  // names, all required, e.g. {"FILE"}
  std::vector<std::string> optional_positionals;  // may follow the required ones, e.g. {"NAMESPACE"}
  std::vector<FlagSpec> flags;
  std::string details;      // extra help paragraph
};

class ParsedArgs {
 public:
  const std::string& positional(size_t i) const { return positionals_[i]; }
  size_t positional_count() const { return positionals_.size(); }
  bool has(const std::string& flag) const { return values_.count(flag) > 0; }
  // Value of a flag (or its default); empty string when neither.
  std::string get(const std::string& flag) const;
  // Integer value with range check; usage error naming the flag when malformed.
  Result<long long> GetInt(const std::string& flag, long long min, long long max) const;
  // Finite decimal number in [min, max]; usage error naming the flag when malformed.
  Result<double> GetDouble(const std::string& flag, double min, double max) const;

 private:
  friend Result<ParsedArgs> Parse(const CommandSpec& spec, const std::vector<std::string>& args);
  std::vector<std::string> positionals_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> defaults_;
};

// args excludes the command name. "--help" is handled by the caller (HelpRequested).
Result<ParsedArgs> Parse(const CommandSpec& spec, const std::vector<std::string>& args);
bool HelpRequested(const std::vector<std::string>& args);
std::string HelpText(const CommandSpec& spec);

}  // namespace ailake::cli
