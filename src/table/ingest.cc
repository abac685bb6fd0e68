#include "table/ingest.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/civil_time.h"
#include "core/uuid.h"
#include "file/vector_fill.h"

namespace ailake::table {

namespace {

using nlohmann::json;

// ---- conversion of one JSON row into the table's columns --------------------------------------

constexpr const char* kTimestampForm = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fraction]] with Z or +HH:MM/-HH:MM";

int64_t UnitsPerSecond(parquet::TimeUnit u) {
  return u == parquet::TimeUnit::kMillis ? 1000 : u == parquet::TimeUnit::kNanos ? 1000000000 : 1000000;
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
      // Expanded years too: a Parquet input's dates arrive as the text parquet/value_json.h prints,
      // which writes years outside 0000..9999 that way.
      if (!v.is_string()) return Status::InvalidArgument("column '" + f.name + "' expects a date 'YYYY-MM-DD', got " + v.dump());
      auto d = civil::ParseDate(v.get<std::string>(), civil::YearDigits::kExpanded);
      if (!d.ok()) return Status::InvalidArgument("column '" + f.name + "': " + d.status().message() + " (expected YYYY-MM-DD)");
      if (*d < INT32_MIN || *d > INT32_MAX) {
        return Status::InvalidArgument("column '" + f.name + "': " + v.dump() + " is outside the range of a date column");
      }
      col->AppendInt32(static_cast<int32_t>(*d));
      return Status::OK();
    }
    case DataType::kTimestamp: {
      if (v.is_number_integer()) {  // already a count of the column's unit since the epoch
        col->AppendInt64(v.get<int64_t>());
        return Status::OK();
      }
      if (!v.is_string()) {
        return Status::InvalidArgument("column '" + f.name + "' expects a timestamp (" + kTimestampForm + "), got " + v.dump());
      }
      // Fraction digits finer than the column's unit are dropped, as every engine does on a cast.
      auto t = civil::ParseInstant(v.get<std::string>(), civil::YearDigits::kExpanded);
      if (!t.ok()) {
        return Status::InvalidArgument("column '" + f.name + "': " + t.status().message() + " (expected " + kTimestampForm + ")");
      }
      auto units = civil::ToUnits(*t, UnitsPerSecond(f.unit));
      if (!units.ok()) return Status::InvalidArgument("column '" + f.name + "': " + v.dump() + ": " + units.status().message());
      col->AppendInt64(*units);
      return Status::OK();
    }
    default:
      return Status::NotSupported("column '" + f.name + "' has a type ingest does not fill");
  }
}

// The vector field's value into out[0..dim). A CSV cell is JSON text; any other source gives a typed
// value, and a string there is refused rather than guessed at.
Status ParseVector(const json& v, size_t dim, bool values_are_text, VectorPrecision precision, float* out) {
  json parsed;
  const json* arr = &v;
  if (v.is_string()) {
    if (!values_are_text) {
      return Status::InvalidArgument("is a string; give the vector as a JSON array of numbers, not as text");
    }
    parsed = json::parse(v.get<std::string>(), nullptr, false);
    arr = &parsed;
  }
  if (!arr->is_array()) return Status::InvalidArgument("must be an array of numbers, got " + std::string(v.type_name()));
  if (arr->size() != dim) {
    return Status::InvalidArgument("has " + std::to_string(arr->size()) + " values, the table's dim is " +
                                   std::to_string(dim));
  }
  for (size_t i = 0; i < dim; ++i) {
    const json& x = (*arr)[i];
    if (x.is_string()) {
      return Status::InvalidArgument("element " + std::to_string(i) + " is " + x.dump() + ": embeddings must be finite numbers");
    }
    if (!x.is_number()) return Status::InvalidArgument("element " + std::to_string(i) + " is not a number");
    const double d = x.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > 3.4028234663852886e38) {
      return Status::InvalidArgument("element " + std::to_string(i) + " is " + x.dump() + ", not a finite float");
    }
    out[i] = static_cast<float>(d);
  }
  return file::CheckStorable(precision, out, dim);
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// The row's `metadata` value: the input's metadata with every field no column takes merged in.
Result<json> MergeMetadata(const json* given, const json& extras) {
  if (extras.empty()) {
    if (given == nullptr || given->is_null()) return json();
    return given->is_string() ? *given : json(given->dump());
  }
  json merged = json::object();
  if (given != nullptr && !given->is_null()) {
    json obj = *given;
    if (given->is_string()) obj = json::parse(given->get<std::string>(), nullptr, false);
    if (!obj.is_object()) {
      std::string names;
      for (auto it = extras.begin(); it != extras.end(); ++it) names += (names.empty() ? "" : ", ") + Quote(it.key());
      return Status::InvalidArgument("field 'metadata' is not a JSON object, so the other fields (" + names +
                                     ") cannot be merged into it; make it an object or give them columns");
    }
    merged = std::move(obj);
  }
  for (auto it = extras.begin(); it != extras.end(); ++it) {
    if (merged.contains(it.key())) {
      return Status::InvalidArgument("field " + Quote(it.key()) +
                                     " is also a key of 'metadata'; rename one of them (nothing is overwritten)");
    }
    merged[it.key()] = it.value();
  }
  return json(merged.dump());
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

Status CheckEmbedderModel(const VectorConfig& vc, const embed::Embedder& embedder) {
  if (embedder.model().SameModel(vc.model)) return Status::OK();
  return Status::InvalidArgument(
      "the embedder's model '" + embedder.model().Id() + "' (" + embedder.Describe() + ") is not the table's model '" +
      vc.model.Id() + "'; if it computes that model's vectors, say so with --model " + vc.model.Id() +
      " (or model=" + vc.model.Id() + " in the spec), otherwise migrate the table to it first");
}

Status CheckEmbedderDim(const VectorConfig& vc, const embed::Embedder& embedder, uint32_t dim) {
  if (dim == vc.model.dim) return Status::OK();
  return Status::InvalidArgument("the embedder " + embedder.Describe() + " returns " + std::to_string(dim) +
                                 "-d vectors, but the table's model '" + vc.model.Id() + "' is " +
                                 std::to_string(vc.model.dim) + "-d; use the embedder that computes '" +
                                 vc.model.Id() + "'");
}

Status ForEachInputId(const std::string& path, const std::string& format,
                      const std::function<Status(const std::optional<std::string>& id, const std::string& where)>& fn,
                      const std::function<Result<std::unique_ptr<RowSource>>()>& open_source) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source,
                          open_source ? open_source() : OpenRowSource(path, format, kDefaultMaxRecordBytes));
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
  if (options.batch_rows == 0) return Status::InvalidArgument("batch size must be at least 1");
  if (options.concurrency == 0) return Status::InvalidArgument("concurrency must be at least 1");
  const VectorConfig& vc = table.vectors();
  if (embedder) {
    AILAKE_RETURN_IF_ERROR(CheckEmbedderModel(vc, *embedder));
    AILAKE_ASSIGN_OR_RETURN(uint32_t edim, embedder->Dimension());  // a probe when unknown, before any write
    AILAKE_RETURN_IF_ERROR(CheckEmbedderDim(vc, *embedder, edim));
  }
  AILAKE_ASSIGN_OR_RETURN(auto source, options.open_source ? options.open_source()
                                                           : OpenRowSource(path, options.format, options.max_record_bytes));
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema schema, table.DataSchema());
  const int id_idx = schema.FieldIndex("id");
  const int meta_idx = schema.FieldIndex("metadata");
  const int text_idx = schema.FieldIndex(vc.text_column);
  const std::string& text_field = options.text_field.empty() ? vc.text_column : options.text_field;
  const size_t dim = vc.model.dim;
  const VectorPrecision precision = vc.policy.precision;
  AILAKE_ASSIGN_OR_RETURN(auto writer, TableWriter::Open(table, options.writer));
  IngestResult result;
  const std::string run_id = Uuid::Random().ToString().substr(0, 8);
  const size_t rows_per_flush = options.batch_rows * options.concurrency;

  parquet::Batch batch = parquet::Batch::Empty(schema);
  std::vector<float> vectors;
  std::vector<uint8_t> nulls;
  std::vector<size_t> to_embed;          // rows of the batch needing the embedder
  std::vector<std::string> embed_texts;
  // Embeds the texts in calls of batch_rows, up to `concurrency` calls at once.
  auto embed_all = [&]() -> Status {
    const size_t calls = (embed_texts.size() + options.batch_rows - 1) / options.batch_rows;
    std::vector<Status> status(calls);
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k; (k = next.fetch_add(1)) < calls;) {
        const size_t begin = k * options.batch_rows, end = std::min(embed_texts.size(), begin + options.batch_rows);
        std::vector<std::string_view> views(embed_texts.begin() + static_cast<std::ptrdiff_t>(begin),
                                            embed_texts.begin() + static_cast<std::ptrdiff_t>(end));
        std::vector<float> out;
        Status st = embedder->Embed(views, &out);
        if (st.ok()) st = embed::ValidateEmbeddings(embedder->Describe(), out, 0, views.size(), dim);
        for (size_t i = 0; st.ok() && i < views.size(); ++i) {
          // An embedder's output is checked like an input vector: f16 must hold it.
          st = file::CheckStorable(precision, out.data() + i * dim, dim);
          if (!st.ok()) st = Status::InvalidArgument("the embedder returned for row text '" + std::string(views[i].substr(0, 60)) + "' a vector whose " + st.message());
          else std::copy(out.begin() + static_cast<std::ptrdiff_t>(i * dim), out.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim),
                         vectors.begin() + static_cast<std::ptrdiff_t>(to_embed[begin + i] * dim));
        }
        status[k] = st;
      }
    };
    std::vector<std::thread> threads;
    for (size_t t = 1; t < std::min(calls, options.concurrency); ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    for (const Status& st : status) AILAKE_RETURN_IF_ERROR(st);
    return Status::OK();
  };
  const auto started = std::chrono::steady_clock::now();
  auto report = [&](const char* phase) {
    if (!options.progress) return;
    IngestProgress p;
    p.phase = phase;
    p.rows_done = result.rows;
    p.rows_embedded = result.embedded;
    p.input_fraction = source->fraction_read();
    p.files_done = writer->pending_files().size();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    p.rows_per_s = secs > 0 ? static_cast<double>(result.rows) / secs : 0;
    if (p.input_fraction > 0 && p.input_fraction < 1) p.eta_s = secs * (1 - p.input_fraction) / p.input_fraction;
    if (p.input_fraction >= 1) p.eta_s = 0;
    options.progress(p);
  };
  auto flush = [&]() -> Status {
    if (batch.num_rows == 0) return Status::OK();
    if (!to_embed.empty()) {
      AILAKE_RETURN_IF_ERROR(embed_all());
      result.embedded += static_cast<int64_t>(to_embed.size());
    }
    AILAKE_RETURN_IF_ERROR(writer->Append(batch, vectors.data(), nulls.data()));
    result.rows += batch.num_rows;
    batch = parquet::Batch::Empty(schema);
    vectors.clear();
    nulls.clear();
    to_embed.clear();
    embed_texts.clear();
    report("read");
    return Status::OK();
  };

  json row;
  std::string where;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool more, source->Next(&row, &where));
    if (!more) break;
    auto fail = [&](const std::string& what) { return Status::InvalidArgument(where + ": " + what); };
    if (options.skip_ids) {
      const std::optional<std::string> rid = RowIdOf(row);
      if (rid && options.skip_ids->count(*rid)) {
        ++result.skipped;
        continue;
      }
    }
    const size_t r = static_cast<size_t>(batch.num_rows);
    // The text: under its own name, or the input field --text-field names.
    if (text_field != vc.text_column) {
      if (row.contains(vc.text_column)) {
        return fail("has both '" + text_field + "' (--text-field) and '" + vc.text_column +
                    "'; which one is the text is ambiguous");
      }
      auto it = row.find(text_field);
      if (it == row.end()) return fail("has no '" + text_field + "' field (--text-field " + text_field + ")");
      row[vc.text_column] = *it;
      row.erase(text_field);
    }
    if (text_idx >= 0 && !row.contains(vc.text_column)) {
      return fail("has no '" + vc.text_column + "' field (the table's text column); if the text is in another field, " +
                  "name it with --text-field NAME; for a row without text give \"" + vc.text_column + "\": null");
    }
    // id: required unless --generate-ids.
    if (id_idx >= 0) {
      json& id = row["id"];
      if (id.is_null()) {
        if (!options.generate_ids) return fail("has no 'id' (give every row an id, or pass --generate-ids)");
        id = run_id + "-" + std::to_string(result.rows + static_cast<int64_t>(r));
      } else if (id.is_number_integer()) {
        id = id.dump();
      } else if (!id.is_string()) {
        return fail("'id' must be a string or an integer, got " + id.dump());
      }
    }
    // Fields no column takes go to metadata.
    json extras = json::object();
    for (auto it = row.begin(); it != row.end(); ++it) {
      if (it.key() != vc.vector_column && schema.FieldIndex(it.key()) < 0) extras[it.key()] = it.value();
    }
    if (meta_idx < 0 && !extras.empty()) {
      return fail("field '" + extras.begin().key() + "' has no column and the table has no 'metadata' column");
    }
    vectors.resize((r + 1) * dim, 0.0f);
    nulls.push_back(0);
    for (size_t c = 0; c < schema.fields.size(); ++c) {
      const parquet::Field& f = schema.fields[c];
      auto it = row.find(f.name);
      json value = it == row.end() ? json() : *it;
      if (static_cast<int>(c) == meta_idx) {
        auto merged = MergeMetadata(it == row.end() ? nullptr : &*it, extras);
        if (!merged.ok()) return fail(merged.status().message());
        value = std::move(*merged);
      }
      Status st = AppendValue(f, value, &batch.columns[c]);
      if (!st.ok()) {
        // Columns already appended for this row are dropped with the failed ingest; nothing is committed.
        return fail(st.message().find("column '") == std::string::npos ? "column '" + f.name + "': " + st.message()
                                                                        : st.message());
      }
    }
    batch.num_rows += 1;
    auto vit = row.find(vc.vector_column);
    if (vit != row.end() && !vit->is_null()) {
      Status st = ParseVector(*vit, dim, source->values_are_text(), precision, vectors.data() + r * dim);
      if (!st.ok()) return fail("field '" + vc.vector_column + "' " + st.message());
    } else {
      const json text = text_idx >= 0 ? row[vc.text_column] : json();
      if (text.is_null()) {
        nulls[r] = 1;  // no vector and no text: the row is kept with a null vector
        ++result.without_vector;
      } else if (embedder == nullptr) {
        return fail(std::string(vit == row.end() ? "has no '" + vc.vector_column + "' field" : "'" + vc.vector_column + "' is null") +
                    "; pass --embedder to embed '" + vc.text_column + "'");
      } else {
        to_embed.push_back(r);
        embed_texts.push_back(text.is_string() ? text.get<std::string>() : text.dump());
      }
    }
    if (batch.num_rows >= static_cast<int64_t>(rows_per_flush)) AILAKE_RETURN_IF_ERROR(flush());
  }
  AILAKE_RETURN_IF_ERROR(flush());
  report("commit");
  AILAKE_ASSIGN_OR_RETURN(CommitResult committed, options.commit ? options.commit(*writer) : writer->Commit("append"));
  result.files = writer->last_commit_files();
  result.snapshot_id = committed.snapshot_id;
  report("done");
  return result;
}

}  // namespace ailake::table
