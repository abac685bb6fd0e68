#include "table/ingest_row.h"

#include "table/ingest_values.h"

namespace ailake::table {

using nlohmann::json;

namespace {

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

// Renames the --text-field input field to the text column; requires the text column.
Status NormalizeText(const RowLayout& layout, json* row, const std::string& where) {
  auto fail = [&](const std::string& what) { return Status::InvalidArgument(where + ": " + what); };
  const std::string& text_field = layout.text_field;
  const std::string& text_column = layout.text_column;
  if (text_field != text_column) {
    if (row->contains(text_column)) {
      return fail("has both '" + text_field + "' (--text-field) and '" + text_column +
                  "'; which one is the text is ambiguous");
    }
    auto it = row->find(text_field);
    if (it == row->end()) return fail("has no '" + text_field + "' field (--text-field " + text_field + ")");
    (*row)[text_column] = *it;
    row->erase(text_field);
  }
  if (layout.text_index >= 0 && !row->contains(text_column)) {
    return fail("has no '" + text_column + "' field (the table's text column); if the text is in another field, " +
                "name it with --text-field NAME; for a row without text give \"" + text_column + "\": null");
  }
  return Status::OK();
}

// The id as stored: required unless --generate-ids; integers as decimal text.
Status NormalizeId(const RowLayout& layout, json* row, const std::string& where, int64_t row_number) {
  if (layout.id_index < 0) return Status::OK();
  json& id = (*row)["id"];
  if (id.is_null()) {
    if (!layout.generate_ids) return Status::InvalidArgument(where + ": has no 'id' (give every row an id, or pass --generate-ids)");
    id = layout.run_id + "-" + std::to_string(row_number);
  } else if (id.is_number_integer()) {
    id = id.dump();
  } else if (!id.is_string()) {
    return Status::InvalidArgument(where + ": 'id' must be a string or an integer, got " + id.dump());
  }
  return Status::OK();
}

// Every data column of the row, `metadata` with the fields no column takes merged in.
Status AppendColumns(const RowLayout& layout, const json& row, const std::string& where, IngestBatch* batch) {
  auto fail = [&](const std::string& what) { return Status::InvalidArgument(where + ": " + what); };
  const parquet::Schema& schema = *layout.schema;
  json extras = json::object();
  for (auto it = row.begin(); it != row.end(); ++it) {
    if (it.key() != layout.vector_column && schema.FieldIndex(it.key()) < 0) extras[it.key()] = it.value();
  }
  if (layout.metadata_index < 0 && !extras.empty()) {
    return fail("field '" + extras.begin().key() + "' has no column and the table has no 'metadata' column");
  }
  for (size_t c = 0; c < schema.fields.size(); ++c) {
    const parquet::Field& f = schema.fields[c];
    auto it = row.find(f.name);
    json value = it == row.end() ? json() : *it;
    if (static_cast<int>(c) == layout.metadata_index) {
      auto merged = MergeMetadata(it == row.end() ? nullptr : &*it, extras);
      if (!merged.ok()) return fail(merged.status().message());
      value = std::move(*merged);
    }
    Status st = AppendValue(f, value, &batch->rows.columns[c]);
    if (!st.ok()) {
      // Columns already appended for this row are dropped with the failed ingest; nothing is committed.
      return fail(st.message().find("column '") == std::string::npos ? "column '" + f.name + "': " + st.message()
                                                                      : st.message());
    }
  }
  return Status::OK();
}

// Row r's vector: given (parsed), or none and no text (a null vector), or queued for the embedder.
Status AddVector(const RowLayout& layout, const json& row, const std::string& where, size_t r, IngestBatch* batch,
                 int64_t* without_vector) {
  auto fail = [&](const std::string& what) { return Status::InvalidArgument(where + ": " + what); };
  const std::string& vcol = layout.vector_column;
  auto vit = row.find(vcol);
  if (vit != row.end() && !vit->is_null()) {
    Status st = ParseVector(*vit, layout.dim, layout.values_are_text, layout.precision, batch->vectors.data() + r * layout.dim);
    if (!st.ok()) return fail("field '" + vcol + "' " + st.message());
    return Status::OK();
  }
  const json text = layout.text_index >= 0 ? row.at(layout.text_column) : json();
  if (text.is_null()) {
    batch->nulls[r] = 1;  // no vector and no text: the row is kept with a null vector
    ++*without_vector;
  } else if (!layout.can_embed) {
    return fail(std::string(vit == row.end() ? "has no '" + vcol + "' field" : "'" + vcol + "' is null") +
                "; pass --embedder to embed '" + layout.text_column + "'");
  } else {
    batch->to_embed.push_back(r);
    batch->embed_texts.push_back(text.is_string() ? text.get<std::string>() : text.dump());
  }
  return Status::OK();
}

}  // namespace

Status AddRow(const RowLayout& layout, json row, const std::string& where, int64_t row_number, IngestBatch* batch,
              int64_t* without_vector) {
  const size_t r = static_cast<size_t>(batch->rows.num_rows);
  AILAKE_RETURN_IF_ERROR(NormalizeText(layout, &row, where));
  AILAKE_RETURN_IF_ERROR(NormalizeId(layout, &row, where, row_number));
  batch->vectors.resize((r + 1) * layout.dim, 0.0f);
  batch->nulls.push_back(0);
  AILAKE_RETURN_IF_ERROR(AppendColumns(layout, row, where, batch));
  batch->rows.num_rows += 1;
  return AddVector(layout, row, where, r, batch, without_vector);
}

std::optional<std::string> RowIdOf(const json& row) {
  auto it = row.find("id");
  if (it == row.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return it->dump();
}

}  // namespace ailake::table
