// JSON in and out of `ailake serve`: request bodies parsed under limits with errors that name the
// field, and the public API's results (TableInfo, HistoryEntry, SearchResult, ...) as JSON objects
// shaped like the CLI's --format json output.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/migration.h"
#include "ailake/status.h"
#include "ailake/table.h"
#include "ailake/values.h"

namespace ailake::serve {

using Json = nlohmann::json;

// ---- requests -------------------------------------------------------------------------------

// The body as a JSON object. Empty, deeper than max_depth, malformed (the byte offset is named) or
// not an object: InvalidArgument. The depth is checked by a scan before the parser runs.
Result<Json> ParseBody(std::string_view body, size_t max_depth);

// Typed access to a request object's fields; every error names `what` and the field.
class Fields {
 public:
  Fields(const Json& obj, std::string what) : obj_(obj), what_(std::move(what)) {}
  // InvalidArgument naming the first field not in `known` (a typo like "top_k" is not ignored).
  Status OnlyKnown(std::initializer_list<std::string_view> known) const;
  bool Has(const char* name) const;
  Result<std::optional<int64_t>> Int(const char* name, int64_t min, int64_t max) const;
  // A JSON number (integer or not) in [min, max].
  Result<std::optional<double>> Number(const char* name, double min, double max) const;
  Result<std::optional<bool>> Bool(const char* name) const;
  Result<std::optional<std::string>> String(const char* name) const;
  Result<std::vector<std::string>> StringList(const char* name, size_t max_items) const;
  const Json& Get(const char* name) const { return obj_.at(name); }
  const std::string& what() const { return what_; }

 private:
  Status Bad(const char* name, const std::string& expected) const;
  const Json& obj_;
  std::string what_;
};

// A JSON array of `dim` finite numbers (float range) appended to *out; errors name `field`.
Status AppendVector(const Json& v, const std::string& field, size_t dim, std::vector<float>* out);

// Insert rows: a JSON array of objects. Every field becomes a RecordBatch column (numbers, strings,
// booleans; an object or array as its JSON text; absent = null), except the vector column, which
// becomes `vectors` (num_rows x dim, an all-NaN row for a row without one). The table's ingest then
// applies the insert rules (docs/CLI.md#insert): ids, text, typed columns, metadata merging.
struct RowsInput {
  RecordBatch batch{};
  std::vector<float> vectors{};
  size_t with_vector = 0;
};
Result<RowsInput> RowsFromJson(const Json& rows, const std::string& vector_column, size_t dim, size_t max_rows);

// ---- responses ------------------------------------------------------------------------------

Json InfoJson(const TableInfo& info);
Json HistoryJson(const std::vector<HistoryEntry>& history);
Json SearchJson(const SearchResult& r);
Json WriteJson(const WriteResult& r);
Json DeleteJson(const DeleteResult& r);
Json MigrationStatusJson(const MigrationStatus& s);
// The job's embedder statistics (calls, texts, errors, latency, last error) and its redacted spec.
Json EmbedderStatsJson(const MigrationStatus& s);
// A column value of a result row: null, bool, number or string (dates and timestamps as text).
Json ValueJson(const Column& c, size_t row);

// "InvalidArgument", "NotFound", ... (the StatusCode enumerator without its k).
std::string CodeName(StatusCode code);
// {"error": {"code": "InvalidArgument", "message": "..."}}
std::string ErrorBody(const std::string& code, const std::string& message);
std::string ErrorBody(const Status& status);
// The HTTP status for an ailake status code (docs/SERVE.md#errors).
int HttpStatusFor(StatusCode code);

}  // namespace ailake::serve
