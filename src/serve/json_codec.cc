#include "serve/json_codec.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

namespace ailake::serve {

namespace {

std::string TypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

}  // namespace

Result<Json> ParseBody(std::string_view body, size_t max_depth) {
  if (body.empty()) return Status::InvalidArgument("the request body is empty; send a JSON object");
  // Depth scan: brackets outside strings. Keeps the parser (and the value's destructor) shallow.
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument("the request body nests arrays/objects deeper than " + std::to_string(max_depth) +
                                       " levels (at byte " + std::to_string(i) + ")");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again with exceptions for the position; the message names the byte.
    try {
      Json again = Json::parse(body.begin(), body.end());
      (void)again;
    } catch (const Json::parse_error& e) {
      return Status::InvalidArgument("the request body is not valid JSON: " + std::string(e.what()));
    } catch (...) {
    }
    return Status::InvalidArgument("the request body is not valid JSON");
  }
  if (!j.is_object()) return Status::InvalidArgument("the request body must be a JSON object, got " + TypeName(j));
  return j;
}

Status Fields::Bad(const char* name, const std::string& expected) const {
  return Status::InvalidArgument(what_ + ": field '" + name + "' must be " + expected + ", got " + TypeName(obj_.at(name)));
}

Status Fields::OnlyKnown(std::initializer_list<std::string_view> known) const {
  for (auto it = obj_.begin(); it != obj_.end(); ++it) {
    bool ok = false;
    for (auto k : known) ok = ok || it.key() == k;
    if (!ok) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      std::string key = it.key().size() > 64 ? it.key().substr(0, 64) + "..." : it.key();
      return Status::InvalidArgument(what_ + ": unknown field '" + key + "' (known: " + list + ")");
    }
  }
  return Status::OK();
}

bool Fields::Has(const char* name) const {
  auto it = obj_.find(name);
  return it != obj_.end() && !it->is_null();
}

Result<std::optional<int64_t>> Fields::Int(const char* name, int64_t min, int64_t max) const {
  if (!Has(name)) return std::optional<int64_t>();
  const Json& v = obj_.at(name);
  const std::string range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  int64_t x = 0;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return Bad(name, range);
    x = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    x = v.get<int64_t>();
  } else {
    return Bad(name, range);
  }
  if (x < min || x > max) {
    return Status::InvalidArgument(what_ + ": field '" + name + "' is " + std::to_string(x) + "; it must be " + range.substr(3));
  }
  return std::optional<int64_t>(x);
}

Result<std::optional<double>> Fields::Number(const char* name, double min, double max) const {
  if (!Has(name)) return std::optional<double>();
  const Json& v = obj_.at(name);
  char range[96];
  std::snprintf(range, sizeof range, "a number in [%g, %g]", min, max);
  if (!v.is_number()) return Bad(name, range);
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < min || x > max) {
    return Status::InvalidArgument(what_ + ": field '" + name + "' is " + v.dump() + "; it must be " + (range + 2));
  }
  return std::optional<double>(x);
}

Result<std::optional<bool>> Fields::Bool(const char* name) const {
  if (!Has(name)) return std::optional<bool>();
  const Json& v = obj_.at(name);
  if (!v.is_boolean()) return Bad(name, "true or false");
  return std::optional<bool>(v.get<bool>());
}

Result<std::optional<std::string>> Fields::String(const char* name) const {
  if (!Has(name)) return std::optional<std::string>();
  const Json& v = obj_.at(name);
  if (!v.is_string()) return Bad(name, "a string");
  return std::optional<std::string>(v.get<std::string>());
}

Result<std::vector<std::string>> Fields::StringList(const char* name, size_t max_items) const {
  std::vector<std::string> out;
  if (!Has(name)) return out;
  const Json& v = obj_.at(name);
  if (!v.is_array()) return Bad(name, "an array of strings");
  if (v.size() > max_items) {
    return Status::InvalidArgument(what_ + ": field '" + name + "' has " + std::to_string(v.size()) + " items; at most " +
                                   std::to_string(max_items) + " are accepted");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return Status::InvalidArgument(what_ + ": field '" + name + "[" + std::to_string(i) + "]' must be a string, got " +
                                     TypeName(v[i]));
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

Status AppendVector(const Json& v, const std::string& field, size_t dim, std::vector<float>* out) {
  if (!v.is_array()) return Status::InvalidArgument("field '" + field + "' must be an array of numbers, got " + TypeName(v));
  if (v.size() != dim) {
    return Status::InvalidArgument("field '" + field + "' has " + std::to_string(v.size()) + " numbers; the table's vectors have " +
                                   std::to_string(dim));
  }
  const size_t old = out->size();
  for (size_t i = 0; i < dim; ++i) {
    const Json& x = v[i];
    if (!x.is_number()) {
      out->resize(old);
      return Status::InvalidArgument("field '" + field + "[" + std::to_string(i) + "]' must be a number, got " + TypeName(x));
    }
    const double d = x.get<double>();
    const float f = static_cast<float>(d);
    if (!std::isfinite(d) || !std::isfinite(f)) {
      out->resize(old);
      return Status::InvalidArgument("field '" + field + "[" + std::to_string(i) + "]' is not a finite float");
    }
    out->push_back(f);
  }
  return Status::OK();
}

Result<RowsInput> RowsFromJson(const Json& rows, const std::string& vector_column, size_t dim, size_t max_rows) {
  if (!rows.is_array()) return Status::InvalidArgument("rows: field 'rows' must be an array of objects, got " + TypeName(rows));
  if (rows.empty()) return Status::InvalidArgument("rows: field 'rows' is empty; send at least one row");
  if (rows.size() > max_rows) {
    return Status::InvalidArgument("rows: " + std::to_string(rows.size()) + " rows in one request; at most " +
                                   std::to_string(max_rows) + " are accepted (split the insert)");
  }
  RowsInput in;
  const size_t n = rows.size();
  in.vectors.assign(n * dim, std::numeric_limits<float>::quiet_NaN());
  // Columns in first-seen order; each value's JSON kind fixes the column type at its first non-null.
  std::map<std::string, size_t> index;
  std::vector<bool> typed;
  for (size_t r = 0; r < n; ++r) {
    const Json& row = rows[r];
    const std::string where = "rows[" + std::to_string(r) + "]";
    if (!row.is_object()) return Status::InvalidArgument(where + " must be an object, got " + TypeName(row));
    for (auto it = row.begin(); it != row.end(); ++it) {
      const std::string& key = it.key();
      const Json& v = it.value();
      if (key == vector_column) {
        if (v.is_null()) continue;
        std::vector<float> tmp;
        tmp.reserve(dim);
        AILAKE_RETURN_IF_ERROR(AppendVector(v, where + "." + key, dim, &tmp));
        std::copy(tmp.begin(), tmp.end(), in.vectors.begin() + static_cast<std::ptrdiff_t>(r * dim));
        ++in.with_vector;
        continue;
      }
      auto [pos, added] = index.emplace(key, in.batch.columns.size());
      if (added) {
        Column c;
        c.name = key;
        for (size_t p = 0; p < r; ++p) c.AppendNull();
        in.batch.columns.push_back(std::move(c));
        typed.push_back(false);
      }
      Column& c = in.batch.columns[pos->second];
      if (v.is_null()) continue;  // filled as null below
      ValueType want;
      if (v.is_boolean()) want = ValueType::kBool;
      else if (v.is_number_integer() || v.is_number_unsigned()) want = ValueType::kInt64;
      else if (v.is_number_float()) want = ValueType::kFloat64;
      else want = ValueType::kString;  // strings, and objects/arrays as their JSON text
      if (!typed[pos->second]) {
        // Earlier rows were null: keep their storage consistent with the type chosen now.
        const size_t before = c.size();
        Column fresh;
        fresh.name = c.name;
        fresh.type = want;
        for (size_t p = 0; p < before; ++p) fresh.AppendNull();
        c = std::move(fresh);
        typed[pos->second] = true;
      } else if (c.type != want) {
        if (c.type == ValueType::kFloat64 && want == ValueType::kInt64) {
          want = ValueType::kFloat64;
        } else if (c.type == ValueType::kInt64 && want == ValueType::kFloat64) {
          for (auto x : c.ints) c.doubles.push_back(static_cast<double>(x));
          c.ints.clear();
          c.type = ValueType::kFloat64;
        } else {
          return Status::InvalidArgument(where + "." + key + " is " + TypeName(v) + " but earlier rows hold " +
                                         std::string(ValueTypeName(c.type)) + " values in this field");
        }
      }
      switch (want) {
        case ValueType::kBool: c.AppendInt(v.get<bool>() ? 1 : 0); break;
        case ValueType::kInt64:
          if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            return Status::InvalidArgument(where + "." + key + " is an integer beyond the 64-bit range");
          }
          c.AppendInt(v.get<int64_t>());
          break;
        case ValueType::kFloat64: c.AppendDouble(v.get<double>()); break;
        default:
          c.AppendString(v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, Json::error_handler_t::strict));
          break;
      }
    }
    // Fields this row did not carry are null.
    for (auto& c : in.batch.columns) {
      if (c.size() == r) c.AppendNull();
    }
  }
  AILAKE_RETURN_IF_ERROR(in.batch.Validate());
  return in;
}

// ---- responses ------------------------------------------------------------------------------

Json ValueJson(const Column& c, size_t row) {
  if (c.is_null(row)) return nullptr;
  switch (c.type) {
    case ValueType::kBool: return c.ints[row] != 0;
    case ValueType::kInt32:
    case ValueType::kInt64: return c.ints[row];
    case ValueType::kFloat32:
    case ValueType::kFloat64: return std::isfinite(c.doubles[row]) ? Json(c.doubles[row]) : Json(nullptr);
    case ValueType::kString: return c.strings[row];
    default: {
      Json j = Json::parse(c.ValueJson(row), nullptr, false);
      return j.is_discarded() ? Json(c.ValueJson(row)) : j;
    }
  }
}

namespace {
Json ModelJson(const EmbeddingModelInfo& m) {
  return {{"id", m.Id()}, {"name", m.name}, {"version", m.version}, {"dim", m.dim}, {"metric", std::string(MetricName(m.metric))}};
}
}  // namespace

Json InfoJson(const TableInfo& i) {
  Json schema = Json::array();
  for (const auto& f : i.schema) {
    schema.push_back({{"id", f.id}, {"name", f.name}, {"type", f.type}, {"required", f.required}, {"vector", f.is_vector}});
  }
  return {{"table", i.name},
          {"location", i.location},
          {"uuid", i.uuid},
          {"vector_column",
           {{"name", i.vector_column}, {"precision", std::string(PrecisionName(i.storage.precision))},
            {"index", std::string(IndexKindName(i.storage.index))}}},
          {"text_column", i.text_column},
          {"model", ModelJson(i.model)},
          {"snapshot_id", i.snapshot_id},
          {"snapshot_ms", i.snapshot_ms},
          {"snapshots", i.snapshots},
          {"data_files", i.data_files},
          {"delete_files", i.delete_files},
          {"rows", i.rows},
          {"deleted_rows", i.deleted_rows},
          {"live_rows", i.live_rows},
          {"data_bytes", i.data_bytes},
          {"schema_id", i.schema_id},
          {"schema", schema},
          {"running_migration", i.running_migration}};
}

Json HistoryJson(const std::vector<HistoryEntry>& history) {
  Json out = Json::array();
  for (const auto& h : history) {
    out.push_back({{"event", h.event},
                   {"snapshot_id", h.snapshot_id},
                   {"parent_snapshot_id", h.parent_id},
                   {"sequence_number", h.sequence_number},
                   {"timestamp_ms", h.snapshot_ms},
                   {"made_current_ms", h.made_current_ms},
                   {"operation", h.operation},
                   {"added_rows", h.added_rows},
                   {"removed_rows", h.removed_rows},
                   {"total_live_rows", h.total_live_rows},
                   {"current", h.is_current},
                   {"summary", h.summary}});
  }
  return out;
}

Json SearchJson(const SearchResult& r) {
  Json hits = Json::array();
  for (size_t i = 0; i < r.ids.size(); ++i) {
    Json values = Json::object();
    for (const auto& c : r.values.columns) {
      if (i < c.size()) values[c.name] = ValueJson(c, i);
    }
    hits.push_back({{"id", r.ids[i]}, {"distance", i < r.distances.size() ? r.distances[i] : 0.0f}, {"values", values}});
  }
  return {{"snapshot_id", r.snapshot_id},
          {"hits", hits},
          {"files",
           {{"total", r.files_total}, {"searched", r.files_searched}, {"pruned", r.files_pruned},
            {"skipped_other_model", r.files_other_model}, {"other_models", r.other_models}}},
          {"row_groups_skipped", r.row_groups_skipped}};
}

Json WriteJson(const WriteResult& r) {
  return {{"committed", r.snapshot_id != 0}, {"snapshot_id", r.snapshot_id}, {"rows", r.rows}, {"embedded", r.embedded},
          {"without_vector", r.without_vector}, {"skipped_existing", r.skipped}, {"replaced", r.replaced},
          {"files", r.files}, {"data_files_removed", r.files_removed}, {"replans", r.replans},
          {"commit_attempts", r.commit_attempts}};
}

Json DeleteJson(const DeleteResult& r) {
  return {{"committed", r.snapshot_id != 0}, {"snapshot_id", r.snapshot_id}, {"rows_deleted", r.rows_deleted},
          {"delete_files", r.delete_files}, {"data_files_removed", r.files_removed}, {"unknown_ids", r.unknown_ids}};
}

Json MigrationStatusJson(const MigrationStatus& s) {
  const MigrationInfo& j = s.job;
  return {{"job_id", j.job_id},
          {"state", std::string(MigrationStateName(j.state))},
          {"running", s.running},
          {"created_ms", j.created_ms},
          {"finished_ms", j.finished_ms},
          {"base_snapshot_id", j.base_snapshot_id},
          {"current_snapshot_id", s.current_snapshot_id},
          {"strategy", j.strategy},
          {"embedder", j.embedder},
          {"old_model", ModelJson(j.old_model)},
          {"new_model", ModelJson(j.new_model)},
          {"old_column", j.old_column},
          {"new_column", j.new_column},
          {"keep_old_column", j.keep_old_column},
          {"rolled_back", j.rolled_back},
          {"tasks", {{"total", s.tasks.size()}, {"pending", s.pending}, {"finished", s.finished}, {"committed", s.committed}}},
          {"rows", {{"total", s.rows_total}, {"done", s.rows_done}, {"committed", s.rows_committed}}}};
}

Json EmbedderStatsJson(const MigrationStatus& s) {
  const MigrationEmbedderStats& e = s.embedder;
  return {{"spec", s.job.embedder},
          {"calls", e.calls},
          {"texts", e.texts},
          {"failed_calls", e.failed_calls},
          {"retries", e.retries},
          {"errors", e.errors},
          {"mean_ms", e.mean_ms},
          {"p95_ms", e.p95_ms},
          {"max_ms", e.max_ms},
          {"last_error", e.last_error},
          {"last_error_ms", e.last_error_ms}};
}

std::string ErrorBody(const std::string& code, const std::string& message) {
  Json j = {{"error", {{"code", code}, {"message", message}}}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kNotSupported: return "NotSupported";
    case StatusCode::kOutOfRange: return "OutOfRange";
    case StatusCode::kCommitConflict: return "CommitConflict";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kTimeout: return "Timeout";
    case StatusCode::kAborted: return "Aborted";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
  }
  return "Internal";
}

std::string ErrorBody(const Status& status) { return ErrorBody(CodeName(status.code()), status.message()); }

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kNotSupported: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kCommitConflict:
    case StatusCode::kAborted: return 409;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout: return 503;
    default: return 500;
  }
}

}  // namespace ailake::serve
