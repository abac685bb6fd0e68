// Shared plumbing of the table commands: the --warehouse/--catalog flags and opening a table.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "cli/args.h"
#include "table/table.h"

namespace ailake::cli {

// --warehouse DIR (default ./warehouse) and --catalog fs|sqlite (default fs).
std::vector<FlagSpec> WarehouseFlags();
// `flags` followed by the warehouse flags.
std::vector<FlagSpec> WithWarehouseFlags(std::vector<FlagSpec> flags);
Result<std::unique_ptr<catalog::Catalog>> OpenCatalogFromArgs(const ParsedArgs& args);

struct OpenedTable {
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<table::Table> table;
};
Result<OpenedTable> OpenTableFromArgs(const ParsedArgs& args, const std::string& name);

std::vector<std::string> SplitCommaList(const std::string& s);
std::string FormatTimeMs(int64_t ms);
// --format must be text or json: 0, or the usage-error exit code after printing why.
int CheckFormat(const ParsedArgs& args, std::ostream& err);
// "2024-01-02T03:04:05Z", "2024-01-02 03:04:05", "2024-01-02" or integer ms since the epoch.
Result<int64_t> ParseTimeMs(const std::string& s);

}  // namespace ailake::cli
