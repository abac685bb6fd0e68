#include "table/ingest.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/uuid.h"
#include "parquet/reader.h"
#include "parquet/value_json.h"

namespace ailake::table {

namespace {

using nlohmann::json;

// ---- row sources: each yields rows as JSON objects --------------------------------------------

class RowSource {
 public:
  virtual ~RowSource() = default;
  // false at the end; `where` names the row for errors ("file.jsonl line 12").
  virtual Result<bool> Next(json* row, std::string* where) = 0;
};

class JsonlSource final : public RowSource {
 public:
  explicit JsonlSource(std::string path) : path_(std::move(path)), in_(path_) {}
  Status Open() {
    if (!in_) return Status::NotFound(path_ + ": cannot open for reading");
    return Status::OK();
  }
  Result<bool> Next(json* row, std::string* where) override {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_no_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      *where = path_ + " line " + std::to_string(line_no_);
      *row = json::parse(line, nullptr, false);
      if (row->is_discarded()) return Status::InvalidArgument(*where + ": not valid JSON");
      if (!row->is_object()) return Status::InvalidArgument(*where + ": expected a JSON object per line");
      return true;
    }
    return false;
  }

 private:
  std::string path_;
  std::ifstream in_;
  int64_t line_no_ = 0;
};

// RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and newlines.
class CsvSource final : public RowSource {
 public:
  explicit CsvSource(std::string path) : path_(std::move(path)), in_(path_) {}
  Status Open() {
    if (!in_) return Status::NotFound(path_ + ": cannot open for reading");
    std::vector<std::string> header;
    bool any;
    AILAKE_ASSIGN_OR_RETURN(any, Record(&header));
    if (!any || header.empty()) return Status::InvalidArgument(path_ + ": empty CSV file (a header row is required)");
    header_ = header;
    return Status::OK();
  }
  Result<bool> Next(json* row, std::string* where) override {
    std::vector<std::string> fields;
    for (;;) {
      AILAKE_ASSIGN_OR_RETURN(bool any, Record(&fields));
      if (!any) return false;
      if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
      break;
    }
    *where = path_ + " record " + std::to_string(record_no_);
    if (fields.size() != header_.size()) {
      return Status::InvalidArgument(*where + ": has " + std::to_string(fields.size()) + " fields, the header " +
                                     std::to_string(header_.size()));
    }
    *row = json::object();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!fields[i].empty()) (*row)[header_[i]] = fields[i];  // empty cell = null
    }
    return true;
  }

 private:
  Result<bool> Record(std::vector<std::string>* out) {
    out->clear();
    std::string field;
    bool quoted = false, any = false, after_quote = false;
    int c;
    while ((c = in_.get()) != EOF) {
      any = true;
      if (quoted) {
        if (c == '"') {
          if (in_.peek() == '"') {
            field.push_back('"');
            in_.get();
          } else {
            quoted = false;
            after_quote = true;
          }
        } else {
          field.push_back(static_cast<char>(c));
        }
        continue;
      }
      if (c == '"' && field.empty() && !after_quote) {
        quoted = true;
      } else if (c == ',') {
        out->push_back(std::move(field));
        field.clear();
        after_quote = false;
      } else if (c == '\n') {
        break;
      } else if (c != '\r') {
        if (after_quote) return Status::InvalidArgument(path_ + ": text after a closing quote in record " + std::to_string(record_no_ + 1));
        field.push_back(static_cast<char>(c));
      }
    }
    if (quoted) return Status::InvalidArgument(path_ + ": unterminated quoted field at the end of the file");
    if (!any) return false;
    out->push_back(std::move(field));
    ++record_no_;
    return true;
  }

  std::string path_;
  std::ifstream in_;
  std::vector<std::string> header_;
  int64_t record_no_ = 0;
};

class ParquetSource final : public RowSource {
 public:
  explicit ParquetSource(std::string path) : path_(std::move(path)) {}
  Status Open() {
    AILAKE_ASSIGN_OR_RETURN(reader_, parquet::ParquetReader::OpenPath(path_));
    for (size_t i = 0; i < reader_->schema().fields.size(); ++i) {
      if (reader_->supported(static_cast<int>(i))) fields_.push_back(static_cast<int>(i));
    }
    return Status::OK();
  }
  Result<bool> Next(json* row, std::string* where) override {
    while (pos_ >= batch_.num_rows) {
      if (rg_ >= reader_->num_row_groups()) return false;
      AILAKE_ASSIGN_OR_RETURN(batch_, reader_->ReadRowGroup(rg_++, fields_));
      pos_ = 0;
    }
    *where = path_ + " row " + std::to_string(row_no_++);
    *row = json::parse(parquet::RowToJson(batch_, pos_++), nullptr, false);
    if (row->is_discarded()) return Status::Internal(*where + ": could not convert the row");
    return true;
  }

 private:
  std::string path_;
  std::unique_ptr<parquet::ParquetReader> reader_;
  std::vector<int> fields_;
  parquet::Batch batch_;
  int rg_ = 0;
  int64_t pos_ = 0, row_no_ = 0;
};

// ---- conversion of one JSON row into the table's columns --------------------------------------

Result<int64_t> ParseDays(const std::string& s) {
  int y, m, d;
  char tail;
  if (std::sscanf(s.c_str(), "%d-%d-%d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
    return Status::InvalidArgument("'" + s + "' is not a date (YYYY-MM-DD)");
  }
  // Days from civil (proleptic Gregorian).
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<int64_t> ParseTimestampMicros(const std::string& s) {
  if (s.size() < 19) return Status::InvalidArgument("'" + s + "' is not a timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff][Z])");
  AILAKE_ASSIGN_OR_RETURN(int64_t days, ParseDays(s.substr(0, 10)));
  int hh, mm, ss;
  if ((s[10] != 'T' && s[10] != ' ') || std::sscanf(s.c_str() + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3 || hh > 23 ||
      mm > 59 || ss > 60) {
    return Status::InvalidArgument("'" + s + "' is not a timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff][Z])");
  }
  int64_t micros = 0;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    int digits = 0;
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, ++digits) {
      if (digits < 6) micros = micros * 10 + (s[i] - '0');
    }
    for (; digits < 6; ++digits) micros *= 10;
  }
  if (i < s.size() && s[i] == 'Z') ++i;
  if (i != s.size()) return Status::InvalidArgument("'" + s + "' has an unsupported timestamp suffix (use UTC, 'Z')");
  return ((days * 86400 + hh * 3600 + mm * 60 + ss) * 1000000) + micros;
}

Result<double> AsNumber(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return d;
  }
  return Status::InvalidArgument("expected a number, got " + v.dump());
}

Status AppendValue(const parquet::Field& f, const json& v, parquet::Column* col) {
  using parquet::DataType;
  if (v.is_null()) {
    if (!f.nullable) return Status::InvalidArgument("column '" + f.name + "' may not be null");
    col->AppendNull();
    return Status::OK();
  }
  switch (f.type) {
    case DataType::kString:
      col->AppendString(v.is_string() ? v.get<std::string>() : v.dump());
      return Status::OK();
    case DataType::kBool:
      if (v.is_boolean()) col->AppendBool(v.get<bool>());
      else if (v == "true" || v == "false") col->AppendBool(v == "true");
      else return Status::InvalidArgument("column '" + f.name + "' expects true/false, got " + v.dump());
      return Status::OK();
    case DataType::kInt32:
    case DataType::kInt64: {
      AILAKE_ASSIGN_OR_RETURN(double d, AsNumber(v));
      if (d != std::floor(d) || std::fabs(d) > 9.007199254740992e15) {
        return Status::InvalidArgument("column '" + f.name + "' expects an integer, got " + v.dump());
      }
      if (f.type == DataType::kInt32) {
        if (d < INT32_MIN || d > INT32_MAX) return Status::InvalidArgument("column '" + f.name + "': " + v.dump() + " does not fit int");
        col->AppendInt32(static_cast<int32_t>(d));
      } else {
        col->AppendInt64(v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(d));
      }
      return Status::OK();
    }
    case DataType::kFloat:
    case DataType::kDouble: {
      auto d = AsNumber(v);
      if (!d.ok()) return Status::InvalidArgument("column '" + f.name + "': " + d.status().message());
      if (f.type == DataType::kFloat) col->AppendFloat(static_cast<float>(*d));
      else col->AppendDouble(*d);
      return Status::OK();
    }
    case DataType::kDate: {
      if (!v.is_string()) return Status::InvalidArgument("column '" + f.name + "' expects 'YYYY-MM-DD'");
      auto d = ParseDays(v.get<std::string>());
      if (!d.ok()) return Status::InvalidArgument("column '" + f.name + "': " + d.status().message());
      col->AppendInt32(static_cast<int32_t>(*d));
      return Status::OK();
    }
    case DataType::kTimestamp: {
      if (v.is_number_integer()) {
        col->AppendInt64(v.get<int64_t>());
        return Status::OK();
      }
      if (!v.is_string()) return Status::InvalidArgument("column '" + f.name + "' expects an ISO-8601 timestamp");
      auto t = ParseTimestampMicros(v.get<std::string>());
      if (!t.ok()) return Status::InvalidArgument("column '" + f.name + "': " + t.status().message());
      col->AppendInt64(*t);
      return Status::OK();
    }
    default:
      return Status::NotSupported("column '" + f.name + "' has a type ingest does not fill");
  }
}

Status ParseVector(const json& v, size_t dim, float* out) {
  json arr = v;
  if (v.is_string()) arr = json::parse(v.get<std::string>(), nullptr, false);  // CSV cell
  if (!arr.is_array()) return Status::InvalidArgument("the vector must be an array of numbers");
  if (arr.size() != dim) {
    return Status::InvalidArgument("the vector has " + std::to_string(arr.size()) + " values, the table's dim is " +
                                   std::to_string(dim));
  }
  for (size_t i = 0; i < dim; ++i) {
    const json& x = arr[i];
    double d;
    if (x.is_number()) d = x.get<double>();
    else if (x.is_string()) return Status::InvalidArgument("vector element " + std::to_string(i) + " is " + x.dump() + ": embeddings must be finite numbers");
    else return Status::InvalidArgument("vector element " + std::to_string(i) + " is not a number");
    if (!std::isfinite(d) || std::fabs(d) > 3.4e38) {
      return Status::InvalidArgument("vector element " + std::to_string(i) + " is not a finite float");
    }
    out[i] = static_cast<float>(d);
  }
  return Status::OK();
}

std::string FormatOf(const std::string& path, const std::string& given) {
  if (!given.empty()) return given;
  auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  if (ext == "jsonl" || ext == "ndjson" || ext == "json") return "jsonl";
  return ext;
}

Result<std::unique_ptr<RowSource>> OpenSource(const std::string& path, const std::string& given_format) {
  const std::string format = FormatOf(path, given_format);
  if (format == "jsonl") {
    auto s = std::make_unique<JsonlSource>(path);
    AILAKE_RETURN_IF_ERROR(s->Open());
    return std::unique_ptr<RowSource>(std::move(s));
  }
  if (format == "csv") {
    auto s = std::make_unique<CsvSource>(path);
    AILAKE_RETURN_IF_ERROR(s->Open());
    return std::unique_ptr<RowSource>(std::move(s));
  }
  if (format == "parquet") {
    auto s = std::make_unique<ParquetSource>(path);
    AILAKE_RETURN_IF_ERROR(s->Open());
    return std::unique_ptr<RowSource>(std::move(s));
  }
  return Status::InvalidArgument(path + ": unknown input format '" + format + "' (use .jsonl, .csv or .parquet)");
}

// The stored form of a row's id: strings as they are, integers in decimal, other values as JSON
// text (what AppendValue stores for a string column); nullopt when absent or null.
std::optional<std::string> RowIdOf(const json& row) {
  auto it = row.find("id");
  if (it == row.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return it->dump();
}

}  // namespace

Status ForEachInputId(const std::string& path, const std::string& format,
                      const std::function<Status(const std::optional<std::string>& id, const std::string& where)>& fn) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source, OpenSource(path, format));
  json row;
  std::string where;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool more, source->Next(&row, &where));
    if (!more) return Status::OK();
    AILAKE_RETURN_IF_ERROR(fn(RowIdOf(row), where));
  }
}

Result<IngestResult> IngestFile(Table& table, const std::string& path, embed::Embedder* embedder,
                                const IngestOptions& options) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source, OpenSource(path, options.format));
  if (options.batch_rows == 0) return Status::InvalidArgument("batch size must be at least 1");
  const VectorConfig& vc = table.vectors();
  if (embedder) {
    if (!embedder->model().SameModel(vc.model)) {
      return Status::InvalidArgument("embedder model '" + embedder->model().Id() + "' is not the table's model '" +
                                     vc.model.Id() + "'; use the table's model (or migrate the table)");
    }
    if (embedder->model().dim != vc.model.dim) return Status::InvalidArgument("embedder dim differs from the table's dim");
  }
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema schema, table.DataSchema());
  const int text_idx = schema.FieldIndex(vc.text_column);
  const int id_idx = schema.FieldIndex("id");
  const int meta_idx = schema.FieldIndex("metadata");
  const size_t dim = vc.model.dim;
  AILAKE_ASSIGN_OR_RETURN(auto writer, TableWriter::Open(table, options.writer));
  IngestResult result;
  const std::string run_id = Uuid::Random().ToString().substr(0, 8);

  parquet::Batch batch = parquet::Batch::Empty(schema);
  std::vector<float> vectors;
  std::vector<uint8_t> nulls;
  std::vector<size_t> to_embed;          // rows of the batch needing the embedder
  std::vector<std::string> embed_texts;
  auto flush = [&]() -> Status {
    if (batch.num_rows == 0) return Status::OK();
    if (!to_embed.empty()) {
      std::vector<std::string_view> views(embed_texts.begin(), embed_texts.end());
      std::vector<float> out;
      AILAKE_RETURN_IF_ERROR(embedder->Embed(views, &out));
      AILAKE_RETURN_IF_ERROR(embed::ValidateEmbeddings("embedder", out, 0, views.size(), dim));
      for (size_t i = 0; i < to_embed.size(); ++i) {
        std::copy(out.begin() + i * dim, out.begin() + (i + 1) * dim, vectors.begin() + to_embed[i] * dim);
      }
      result.embedded += static_cast<int64_t>(to_embed.size());
    }
    AILAKE_RETURN_IF_ERROR(writer->Append(batch, vectors.data(), nulls.data()));
    result.rows += batch.num_rows;
    batch = parquet::Batch::Empty(schema);
    vectors.clear();
    nulls.clear();
    to_embed.clear();
    embed_texts.clear();
    return Status::OK();
  };

  json row;
  std::string where;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool more, source->Next(&row, &where));
    if (!more) break;
    if (options.skip_ids) {
      const std::optional<std::string> rid = RowIdOf(row);
      if (rid && options.skip_ids->count(*rid)) {
        ++result.skipped;
        continue;
      }
    }
    const size_t r = static_cast<size_t>(batch.num_rows);
    vectors.resize((r + 1) * dim, 0.0f);
    nulls.push_back(0);
    json metadata = json::object();
    for (auto it = row.begin(); it != row.end(); ++it) {
      if (it.key() != vc.vector_column && schema.FieldIndex(it.key()) < 0) metadata[it.key()] = it.value();
    }
    for (size_t c = 0; c < schema.fields.size(); ++c) {
      const parquet::Field& f = schema.fields[c];
      json value = row.contains(f.name) ? row[f.name] : json();
      if (static_cast<int>(c) == id_idx) {
        if (value.is_null()) value = run_id + "-" + std::to_string(result.rows + static_cast<int64_t>(r));
        else value = *RowIdOf(row);
      }
      if (static_cast<int>(c) == meta_idx && value.is_null() && !metadata.empty()) value = metadata.dump();
      Status st = AppendValue(f, value, &batch.columns[c]);
      if (!st.ok()) return Status::InvalidArgument(where + ": " + st.message());
    }
    batch.num_rows += 1;
    if (row.contains(vc.vector_column) && !row[vc.vector_column].is_null()) {
      Status st = ParseVector(row[vc.vector_column], dim, vectors.data() + r * dim);
      if (!st.ok()) return Status::InvalidArgument(where + ": field '" + vc.vector_column + "': " + st.message());
    } else {
      const json text = text_idx >= 0 && row.contains(vc.text_column) ? row[vc.text_column] : json();
      if (text.is_null()) {
        nulls[r] = 1;  // no vector and no text: the row is kept with a null vector
        ++result.without_vector;
      } else if (embedder == nullptr) {
        return Status::InvalidArgument(where + ": has no '" + vc.vector_column + "' field; pass --embedder to embed '" +
                                       vc.text_column + "'");
      } else {
        to_embed.push_back(r);
        embed_texts.push_back(text.is_string() ? text.get<std::string>() : text.dump());
      }
    }
    if (batch.num_rows >= static_cast<int64_t>(options.batch_rows)) AILAKE_RETURN_IF_ERROR(flush());
  }
  AILAKE_RETURN_IF_ERROR(flush());
  AILAKE_ASSIGN_OR_RETURN(CommitResult committed, options.commit ? options.commit(*writer) : writer->Commit("append"));
  result.files = writer->last_commit_files();
  result.snapshot_id = committed.snapshot_id;
  return result;
}

}  // namespace ailake::table
