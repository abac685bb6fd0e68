#include "cli/table_context.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "cli/commands.h"
#include "parquet/value_json.h"

namespace ailake::cli {

std::vector<FlagSpec> WarehouseFlags() {
  // No parser default: OpenCatalogFromArgs picks flag, then environment, then the built-in default,
  // and the help shows all three.
  return {{"warehouse", "", "DIR", "warehouse folder (else $" + std::string(kWarehouseEnv) + ", else " + kDefaultWarehouse + ")", ""},
          {"catalog", "", "fs|sqlite", "catalog kind (else $" + std::string(kCatalogEnv) + ", else " + kDefaultCatalog + ")", ""}};
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

Result<std::unique_ptr<catalog::Catalog>> OpenCatalogFromArgs(const ParsedArgs& args, bool create_warehouse) {
  const std::string kind = CatalogKindFromArgs(args);
  const std::string dir = WarehouseFromArgs(args);
  const std::string source = args.has("warehouse") ? "--warehouse" : ("$" + std::string(kWarehouseEnv));
  if (dir.empty()) return Status::InvalidArgument(source + " is empty: give the warehouse folder");
  if (!create_warehouse) {
    // Only `create` makes a warehouse; anything else on a missing folder is a typo, and must not
    // leave an empty warehouse behind.
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      return Status::InvalidArgument("warehouse folder '" + dir + "' (from " + source +
                                     ") does not exist; check the path, or make a table there with 'ailake create'");
    }
  }
  if (kind != "fs" && kind != "sqlite") {
    return Status::InvalidArgument(std::string(args.has("catalog") ? "--catalog" : kCatalogEnv) +
                                   " must be fs or sqlite, got '" + kind + "'");
  }
  return catalog::OpenCatalog(kind, dir);
}

Result<OpenedTable> OpenTableFromArgs(const ParsedArgs& args, const std::string& name) {
  OpenedTable t;
  AILAKE_ASSIGN_OR_RETURN(catalog::TableIdent ident, catalog::TableIdent::Parse(name));
  AILAKE_ASSIGN_OR_RETURN(t.catalog, OpenCatalogFromArgs(args));
  AILAKE_ASSIGN_OR_RETURN(t.table, table::Table::Open(*t.catalog, ident));
  return t;
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

std::string FormatTimeMs(int64_t ms) {
  std::string t = parquet::FormatTimestamp(ms, parquet::TimeUnit::kMillis);
  return t;
}

namespace {

// Reads exactly `n` digits at s[*i] into *v.
bool Digits(const std::string& s, size_t* i, int n, int* v) {
  if (*i + static_cast<size_t>(n) > s.size()) return false;
  int out = 0;
  for (int k = 0; k < n; ++k) {
    const char c = s[*i + static_cast<size_t>(k)];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  *i += static_cast<size_t>(n);
  *v = out;
  return true;
}

int64_t DaysFromCivil(int y, int mo, int d) {
  y -= mo <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

// An instant, as Spark's and Iceberg's `TIMESTAMP AS OF`: a date is its midnight (UTC), a time is
// exact to the millisecond (further fraction digits are dropped), `Z` or `+HH:MM`/`-HH:MM` may
// follow; a bare integer is epoch milliseconds. Anything else, or a field out of range, is an error.
Result<int64_t> ParseTimeMs(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return v;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("time '" + s + "' " + why +
                                   ": give YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM] or "
                                   "milliseconds since the epoch");
  };
  size_t i = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!Digits(s, &i, 4, &y) || i >= s.size() || s[i++] != '-' || !Digits(s, &i, 2, &mo) || i >= s.size() ||
      s[i++] != '-' || !Digits(s, &i, 2, &d)) {
    return bad("is not a date");
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) return bad("is not a calendar date");
  int64_t offset_min = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != ' ') return bad("has text after the date");
    ++i;
    if (!Digits(s, &i, 2, &h) || i >= s.size() || s[i++] != ':' || !Digits(s, &i, 2, &mi)) return bad("has no HH:MM time");
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!Digits(s, &i, 2, &sec)) return bad("has a malformed seconds field");
      if (i < s.size() && s[i] == '.') {
        ++i;
        int digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          if (digits < 3) ms = ms * 10 + (s[i] - '0');
          ++digits;
          ++i;
        }
        if (digits == 0) return bad("has no digits after the decimal point");
        for (int k = digits; k < 3; ++k) ms *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return bad("is not a time of day");
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int sign = s[i++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!Digits(s, &i, 2, &oh) || i >= s.size() || s[i++] != ':' || !Digits(s, &i, 2, &om) || oh > 23 || om > 59) {
        return bad("has a malformed UTC offset");
      }
      offset_min = sign * (oh * 60 + om);
    }
    if (i != s.size()) return bad("has text after the time");
  }
  const int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000 + ms;
}

int CheckFormat(const ParsedArgs& args, std::ostream& err) {
  const std::string f = args.get("format");
  if (f != "text" && f != "json") {
    return ReportError(Status::InvalidArgument("--format must be text or json, not '" + f + "'"), err);
  }
  return 0;
}

}  // namespace ailake::cli
