// `ailake cat FILE [--columns a,b] [--limit N]`: rows of any Parquet file as JSON Lines.
#include <cstdint>
#include <ostream>

#include "ailake/file.h"
#include "cli/commands.h"

namespace ailake::cli {

namespace {

std::vector<std::string> SplitCsv(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string part = s.substr(start, comma - start);
    if (!part.empty()) out.push_back(part);
    start = comma + 1;
  }
  return out;
}

int RunCat(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  auto limit = args.has("limit") ? args.GetInt("limit", 0, INT64_MAX) : Result<long long>(-1LL);
  if (!limit.ok()) return ReportError(limit.status(), err);
  ReadRowsOptions options;
  if (args.has("columns")) options.columns = SplitCsv(args.get("columns"));
  options.limit = *limit;
  // Rows go out as they are read: a huge file streams, and the rows before a failing row group are
  // still printed before the error.
  std::string line;
  Status st = ReadFileRows(args.positional(0), options, [&](std::string_view row) {
    line.assign(row);
    line.push_back('\n');
    out << line;
    return Status::OK();
  });
  if (!st.ok()) return ReportError(st, err);
  return 0;
}

}  // namespace

Command CatCommand() {
  CommandSpec spec;
  spec.name = "cat";
  spec.summary = "Print the rows of a Parquet file as JSON Lines";
  spec.positionals = {"FILE"};
  spec.flags = {
      {"columns", "", "a,b,...", "only these columns, in this order", ""},
      {"limit", "n", "N", "at most N rows", ""},
  };
  spec.details =
      "One JSON object per row. Integers and floats are JSON numbers (NaN/Infinity as strings), strings\n"
      "as strings, binary and fixed-size binary as base64, dates as YYYY-MM-DD, timestamps as ISO-8601\n"
      "UTC, lists as arrays, null as null. Structs and maps print as JSON objects (map keys as their\n"
      "text), lists of any nesting as arrays. DECIMAL prints as an exact decimal string (\"12.340\"),\n"
      "UINT64 as an unsigned number, TIME as \"HH:MM:SS.ffffff\" (the unit's digits), UUID as its canonical\n"
      "text, INTERVAL as an ISO-8601 duration (\"P14M3DT1.500S\"), legacy INT96 timestamps as ISO-8601\n"
      "with 9 fraction digits (any year), FLOAT16 as a float.\n"
      "Reads files written by ailake and by other Parquet writers. A column the reader cannot represent\n"
      "(for example an encrypted one) is an error naming it (exit 1), never left out.";
  return {spec, RunCat};
}

}  // namespace ailake::cli
