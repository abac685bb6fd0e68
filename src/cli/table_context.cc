#include "cli/table_context.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "ailake/time.h"
#include "cli/commands.h"

namespace ailake::cli {

std::vector<FlagSpec> WarehouseFlags() {
  // No parser default: OpenWarehouse picks flag, then environment, then the built-in default,
  // and the help shows all three.
  return {{"warehouse", "", "DIR|s3://BUCKET/PREFIX", "warehouse folder or S3 location (else $" + std::string(kWarehouseEnv) + ", else " + kDefaultWarehouse + ")", ""},
          {"catalog", "", "fs|sqlite|postgresql://USER@HOST:PORT/DB", "catalog kind or PostgreSQL URI (PG* env fill the rest) (else $" + std::string(kCatalogEnv) + ", else " + kDefaultCatalog + ")", ""}};
}

std::string WarehouseFromArgs(const ParsedArgs& args) {
  if (args.has("warehouse")) return args.get("warehouse");
  const char* env = std::getenv(kWarehouseEnv);
  return env && *env ? env : kDefaultWarehouse;
}

std::string CatalogKindFromArgs(const ParsedArgs& args) {
  if (args.has("catalog")) return args.get("catalog");
  const char* env = std::getenv(kCatalogEnv);
  return env && *env ? env : kDefaultCatalog;
}

std::vector<FlagSpec> WithWarehouseFlags(std::vector<FlagSpec> flags) {
  for (auto& f : WarehouseFlags()) flags.push_back(f);
  return flags;
}

namespace {

// The checks every command makes on --warehouse/--catalog before opening anything.
Status CheckWarehouseArgs(const ParsedArgs& args, bool create_warehouse) {
  const std::string kind = CatalogKindFromArgs(args);
  const std::string dir = WarehouseFromArgs(args);
  const std::string source = args.has("warehouse") ? "--warehouse" : ("$" + std::string(kWarehouseEnv));
  if (dir.empty()) return Status::InvalidArgument(source + " is empty: give the warehouse folder");
  const bool remote = dir.rfind("s3://", 0) == 0;
  if (!create_warehouse && !remote) {
    // Only `create` makes a warehouse; anything else on a missing folder is a typo, and must not
    // leave an empty warehouse behind.
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      return Status::InvalidArgument("warehouse folder '" + dir + "' (from " + source +
                                     ") does not exist; check the path, or make a table there with 'ailake create'");
    }
  }
  const bool postgres = kind.rfind("postgresql://", 0) == 0 || kind.rfind("postgres://", 0) == 0;
  if (kind != "fs" && kind != "sqlite" && !postgres) {
    // Never echo a URI back: it may carry a password.
    const std::string shown = kind.find("://") == std::string::npos ? kind : kind.substr(0, kind.find("://") + 3) + "...";
    return Status::InvalidArgument(std::string(args.has("catalog") ? "--catalog" : kCatalogEnv) +
                                   " must be fs, sqlite or postgresql://USER@HOST:PORT/DB, got '" + shown + "'");
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Warehouse>> OpenWarehouse(const ParsedArgs& args, bool create_warehouse,
                                                 WarehouseOptions options) {
  AILAKE_RETURN_IF_ERROR(CheckWarehouseArgs(args, create_warehouse));
  WarehouseOptions o = std::move(options);
  o.catalog = CatalogKindFromArgs(args);
  o.create = create_warehouse;
  return Warehouse::Open(WarehouseFromArgs(args), o);
}

Result<OpenedHandle> OpenTable(const ParsedArgs& args, const std::string& name) {
  OpenedHandle h;
  AILAKE_ASSIGN_OR_RETURN(h.warehouse, OpenWarehouse(args));
  AILAKE_ASSIGN_OR_RETURN(h.table, h.warehouse->OpenTable(name));
  return h;
}

std::string QualifiedName(const std::string& name) {
  return name.find('.') == std::string::npos ? "default." + name : name;
}

std::vector<std::string> SplitCommaList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string FormatTimeMs(int64_t ms) { return FormatInstantMs(ms); }

// An instant, as Spark's and Iceberg's `TIMESTAMP AS OF`: a date is its midnight (UTC), a time is
// exact to the millisecond, `Z` or `+HH:MM`/`-HH:MM` may follow; a bare integer is epoch
// milliseconds (ailake/time.h: one grammar for the CLI, --where and ingest).
Result<int64_t> ParseTimeMs(const std::string& s) { return ParseInstantMs(s); }

int CheckFormat(const ParsedArgs& args, std::ostream& err) {
  const std::string f = args.get("format");
  if (f != "text" && f != "json") {
    return ReportError(Status::InvalidArgument("--format must be text or json, not '" + f + "'"), err);
  }
  return 0;
}

}  // namespace ailake::cli
