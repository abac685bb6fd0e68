// Shared plumbing of the table commands: the --warehouse/--catalog flags and opening a warehouse
// or a table through the public API (include/ailake/).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "ailake/table.h"
#include "ailake/warehouse.h"
#include "cli/args.h"

namespace ailake::cli {

// --warehouse DIR|s3://... and --catalog fs|sqlite|postgresql://... A flag wins over the environment variable, which wins
// over the default (./warehouse, fs).
inline constexpr const char* kWarehouseEnv = "AILAKE_WAREHOUSE";
inline constexpr const char* kCatalogEnv = "AILAKE_CATALOG";
inline constexpr const char* kDefaultWarehouse = "./warehouse";
inline constexpr const char* kDefaultCatalog = "fs";
std::vector<FlagSpec> WarehouseFlags();
std::string WarehouseFromArgs(const ParsedArgs& args);
std::string CatalogKindFromArgs(const ParsedArgs& args);
// `flags` followed by the warehouse flags.
std::vector<FlagSpec> WithWarehouseFlags(std::vector<FlagSpec> flags);
// The warehouse folder must exist unless create_warehouse (only `ailake create` makes one).
// `options` gives the rest (cache bounds); its catalog and create fields are set from the flags.
Result<std::unique_ptr<Warehouse>> OpenWarehouse(const ParsedArgs& args, bool create_warehouse = false,
                                                 WarehouseOptions options = {});
struct OpenedHandle {
  std::unique_ptr<Warehouse> warehouse;
  std::unique_ptr<Table> table;
};
Result<OpenedHandle> OpenTable(const ParsedArgs& args, const std::string& name);
// The table name as the catalog spells it: "ns.table" ("default." added to a bare name). Only for
// names the API accepted.
std::string QualifiedName(const std::string& name);

std::vector<std::string> SplitCommaList(const std::string& s);
// "2024-01-02T03:04:05.678Z" (core/civil_time.h).
std::string FormatTimeMs(int64_t ms);
// --format must be text or json: 0, or the usage-error exit code after printing why.
int CheckFormat(const ParsedArgs& args, std::ostream& err);
// "2024-01-02T03:04:05Z", "2024-01-02 03:04+02:00", "2024-01-02" (midnight UTC) or integer ms since
// the epoch; the date/time grammar is core/civil_time.h's.
Result<int64_t> ParseTimeMs(const std::string& s);

}  // namespace ailake::cli
