// Input rows for ingest: JSON Lines, CSV and Parquet files, each row as a JSON object.
//
// Every source is bounded: one JSONL line or CSV record may hold at most `max_record_bytes`
// (64 MiB by default), so a file without line breaks (`/dev/zero`) fails with an error naming the
// limit instead of growing memory without bound. Nothing is dropped: a Parquet column the reader
// cannot decode, or two columns with one name, fail Open() naming the column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ailake/status.h"

namespace ailake::table {

inline constexpr size_t kDefaultMaxRecordBytes = size_t{64} << 20;

class RowSource {
 public:
  virtual ~RowSource() = default;
  // false at the end; `where` names the row for errors ("file.jsonl line 12").
  virtual Result<bool> Next(nlohmann::json* row, std::string* where) = 0;
  // True when every value arrives as text (CSV): a vector cell is then JSON text to parse. Other
  // sources give typed values, and a string where a vector belongs is refused.
  virtual bool values_are_text() const { return false; }
  // How much of the input Next() has consumed, in [0, 1] (bytes for text files, rows for Parquet);
  // -1 when unknown (a pipe or a device).
  virtual double fraction_read() const { return -1; }
};

// `format` is "jsonl", "csv" or "parquet" (empty: from the extension of `path`).
Result<std::unique_ptr<RowSource>> OpenRowSource(const std::string& path, const std::string& format,
                                                 size_t max_record_bytes = kDefaultMaxRecordBytes);

// The format ingest uses for `path`: `given`, else from the extension (.jsonl/.ndjson/.json, .csv,
// .parquet); InvalidArgument for anything else.
Result<std::string> IngestFormat(const std::string& path, const std::string& given);

}  // namespace ailake::table
