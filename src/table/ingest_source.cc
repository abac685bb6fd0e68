#include "table/ingest_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "parquet/reader.h"
#include "parquet/value_json.h"

namespace ailake::table {

namespace {

using nlohmann::json;

std::string MiB(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// A buffered byte reader over a FILE* (works on pipes and character devices as well as files).
class ByteReader {
 public:
  explicit ByteReader(std::string path) : path_(std::move(path)) {}
  ~ByteReader() {
    if (f_) std::fclose(f_);
  }
  Status Open() {
    f_ = std::fopen(path_.c_str(), "rb");
    if (!f_) return Status::NotFound(path_ + ": cannot open for reading (" + std::strerror(errno) + ")");
    struct stat st {};
    if (fstat(fileno(f_), &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<int64_t>(st.st_size);
    return Status::OK();
  }
  // Bytes consumed over the file's size; -1 when the input is not a regular file.
  double fraction_read() const {
    if (size_ <= 0) return -1;
    const int64_t consumed = fetched_ - static_cast<int64_t>(len_ - pos_);
    return std::min(1.0, static_cast<double>(consumed) / static_cast<double>(size_));
  }
  // -1 at the end of the input.
  Result<int> Get() {
    if (pos_ == len_) {
      len_ = std::fread(buf_, 1, sizeof buf_, f_);
      fetched_ += static_cast<int64_t>(len_);
      pos_ = 0;
      if (len_ == 0) {
        if (std::ferror(f_)) return Status::IOError(path_ + ": read failed (" + std::strerror(errno) + ")");
        return -1;
      }
    }
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  int Peek() {
    if (pos_ == len_) {
      len_ = std::fread(buf_, 1, sizeof buf_, f_);
      fetched_ += static_cast<int64_t>(len_);
      pos_ = 0;
      if (len_ == 0) return -1;
    }
    return static_cast<unsigned char>(buf_[pos_]);
  }
  // Appends the bytes up to the next '\n' (not included) to *line; false at the end of the input
  // with nothing read. A line longer than `max` is ResourceExhausted (`what` names it).
  Result<bool> Line(std::string* line, size_t max, const std::string& what) {
    line->clear();
    bool any = false;
    for (;;) {
      if (pos_ == len_) {
        len_ = std::fread(buf_, 1, sizeof buf_, f_);
        fetched_ += static_cast<int64_t>(len_);
        pos_ = 0;
        if (len_ == 0) {
          if (std::ferror(f_)) return Status::IOError(path_ + ": read failed (" + std::strerror(errno) + ")");
          return any;
        }
      }
      any = true;
      const char* start = buf_ + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      const size_t n = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : len_ - pos_;
      if (line->size() + n > max) {
        return Status::ResourceExhausted(what + " is longer than " + MiB(max) +
                                         ", the limit for one input line (is this a JSON Lines file?)");
      }
      line->append(start, n);
      pos_ += n;
      if (nl) {
        ++pos_;
        return true;
      }
    }
  }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  char buf_[1 << 16];
  size_t pos_ = 0, len_ = 0;
  int64_t fetched_ = 0;  // bytes fread so far
  int64_t size_ = -1;
};

class JsonlSource final : public RowSource {
 public:
  JsonlSource(std::string path, size_t max) : path_(path), in_(std::move(path)), max_(max) {}
  Status Open() { return in_.Open(); }
  Result<bool> Next(json* row, std::string* where) override {
    std::string line;
    for (;;) {
      AILAKE_ASSIGN_OR_RETURN(bool any, in_.Line(&line, max_, path_ + " line " + std::to_string(line_no_ + 1)));
      if (!any) return false;
      ++line_no_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      *where = path_ + " line " + std::to_string(line_no_);
      *row = json::parse(line, nullptr, false);
      if (row->is_discarded()) return Status::InvalidArgument(*where + ": not valid JSON");
      if (!row->is_object()) return Status::InvalidArgument(*where + ": expected a JSON object per line");
      return true;
    }
  }
  double fraction_read() const override { return in_.fraction_read(); }

 private:
  std::string path_;
  ByteReader in_;
  size_t max_;
  int64_t line_no_ = 0;
};

// RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and newlines.
// An empty cell is null; every header column is present in every row.
class CsvSource final : public RowSource {
 public:
  CsvSource(std::string path, size_t max) : path_(path), in_(std::move(path)), max_(max) {}
  Status Open() {
    AILAKE_RETURN_IF_ERROR(in_.Open());
    std::vector<std::string> header;
    AILAKE_ASSIGN_OR_RETURN(bool any, Record(&header));
    if (!any || header.empty()) return Status::InvalidArgument(path_ + ": empty CSV file (a header row is required)");
    std::set<std::string> seen;
    for (const auto& h : header) {
      if (!seen.insert(h).second) {
        return Status::InvalidArgument(path_ + ": the header names column '" + h + "' twice");
      }
    }
    header_ = header;
    return Status::OK();
  }
  bool values_are_text() const override { return true; }
  double fraction_read() const override { return in_.fraction_read(); }
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
      (*row)[header_[i]] = fields[i].empty() ? json() : json(fields[i]);  // empty cell = null
    }
    return true;
  }

 private:
  Result<bool> Record(std::vector<std::string>* out) {
    out->clear();
    std::string field;
    bool quoted = false, any = false, after_quote = false;
    size_t bytes = 0;
    for (;;) {
      AILAKE_ASSIGN_OR_RETURN(int c, in_.Get());
      if (c < 0) break;
      any = true;
      if (++bytes > max_) {
        return Status::ResourceExhausted(path_ + " record " + std::to_string(record_no_ + 1) + " is longer than " +
                                         MiB(max_) + ", the limit for one input record (is this a CSV file?)");
      }
      if (quoted) {
        if (c == '"') {
          if (in_.Peek() == '"') {
            field.push_back('"');
            (void)in_.Get();
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
        if (after_quote) {
          return Status::InvalidArgument(path_ + ": text after a closing quote in record " + std::to_string(record_no_ + 1));
        }
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
  ByteReader in_;
  size_t max_;
  std::vector<std::string> header_;
  int64_t record_no_ = 0;
};

// Rows through ParquetReader, one row group at a time; values as `ailake cat` renders them
// (parquet/value_json.h): nested values become JSON arrays/objects, binary becomes base64.
class ParquetSource final : public RowSource {
 public:
  explicit ParquetSource(std::string path) : path_(std::move(path)) {}
  Status Open() {
    AILAKE_ASSIGN_OR_RETURN(reader_, parquet::ParquetReader::OpenPath(path_));
    std::set<std::string> seen;
    for (size_t i = 0; i < reader_->schema().fields.size(); ++i) {
      const std::string& name = reader_->schema().fields[i].name;
      if (!reader_->supported(static_cast<int>(i))) {
        return Status::NotSupported(path_ + ": column '" + name +
                                    "' has a nested type this reader cannot decode; ingest refuses the file rather "
                                    "than drop the column (remove the column, or store it as a string/JSON column)");
      }
      if (!seen.insert(name).second) return Status::InvalidArgument(path_ + ": two columns are named '" + name + "'");
      fields_.push_back(static_cast<int>(i));
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
  double fraction_read() const override {
    const int64_t total = reader_->num_rows();
    return total > 0 ? std::min(1.0, static_cast<double>(row_no_) / static_cast<double>(total)) : -1;
  }

 private:
  std::string path_;
  std::unique_ptr<parquet::ParquetReader> reader_;
  std::vector<int> fields_;
  parquet::Batch batch_;
  int rg_ = 0;
  int64_t pos_ = 0, row_no_ = 0;
};

}  // namespace

Result<std::string> IngestFormat(const std::string& path, const std::string& given) {
  std::string format = given;
  if (format.empty()) {
    auto dot = path.rfind('.');
    std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    format = (ext == "jsonl" || ext == "ndjson" || ext == "json") ? "jsonl" : ext;
  }
  if (format != "jsonl" && format != "csv" && format != "parquet") {
    return Status::InvalidArgument(path + ": unknown input format '" + format +
                                   "' (use .jsonl, .csv or .parquet, or --input-format jsonl|csv|parquet)");
  }
  return format;
}

Result<std::unique_ptr<RowSource>> OpenRowSource(const std::string& path, const std::string& given_format,
                                                 size_t max_record_bytes) {
  AILAKE_ASSIGN_OR_RETURN(std::string format, IngestFormat(path, given_format));
  if (format == "jsonl") {
    auto s = std::make_unique<JsonlSource>(path, max_record_bytes);
    AILAKE_RETURN_IF_ERROR(s->Open());
    return std::unique_ptr<RowSource>(std::move(s));
  }
  if (format == "csv") {
    auto s = std::make_unique<CsvSource>(path, max_record_bytes);
    AILAKE_RETURN_IF_ERROR(s->Open());
    return std::unique_ptr<RowSource>(std::move(s));
  }
  auto s = std::make_unique<ParquetSource>(path);
  AILAKE_RETURN_IF_ERROR(s->Open());
  return std::unique_ptr<RowSource>(std::move(s));
}

}  // namespace ailake::table
