// Test helpers for the migration layer: a warehouse with a multi-file table whose vectors come
// from a hash embedder, and a scan of the table's live rows (position deletes applied) with the
// vectors of one column decoded to f32.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/uuid.h"
#include "embed/embedder.h"
#include "file/file_reader.h"
#include "iceberg/snapshot_files.h"
#include "table/table.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "vec/quantize.h"

namespace ailake::migrate::testing {

struct ScannedRow {
  std::string text;        // "<null>" for a null text
  bool text_null = false;
  bool vector_null = false;
  std::vector<float> vector;
  std::string file;
};

// Live rows of the current snapshot keyed by id; `column` = vector column to decode ("" = none).
inline Result<std::map<std::string, ScannedRow>> ScanTable(table::Table& t, const std::string& column) {
  AILAKE_RETURN_IF_ERROR(t.Refresh());
  std::map<std::string, ScannedRow> out;
  const iceberg::Snapshot* snap = t.metadata().CurrentSnapshot();
  if (!snap) return out;
  Store& store = t.catalog().store();
  AILAKE_ASSIGN_OR_RETURN(auto files, iceberg::ReadSnapshotFiles(store, t.locations(), snap));
  AILAKE_ASSIGN_OR_RETURN(auto deletes, table::ReadPositionDeletes(t, files.delete_files));
  for (const auto& e : files.data_files) {
    AILAKE_ASSIGN_OR_RETURN(std::string key, t.locations().KeyOf(e.file.file_path));
    AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(key));
    AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
    AILAKE_ASSIGN_OR_RETURN(auto idx, reader->parquet().FieldIndices({"id", t.vectors().text_column}));
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, reader->parquet().ReadAll(idx));
    std::vector<uint8_t> rows, nulls;
    const file::VectorColumnMeta* meta = nullptr;
    if (!column.empty()) {
      AILAKE_ASSIGN_OR_RETURN(meta, reader->FindVectorColumn(column));
      AILAKE_RETURN_IF_ERROR(reader->ReadVectors(*meta, &rows, &nulls));
    }
    std::vector<uint8_t> gone(static_cast<size_t>(b.num_rows), 0);
    auto d = deletes.find(e.file.file_path);
    if (d != deletes.end()) {
      for (int64_t p : d->second) {
        if (p >= 0 && p < b.num_rows) gone[static_cast<size_t>(p)] = 1;
      }
    }
    for (int64_t r = 0; r < b.num_rows; ++r) {
      if (gone[static_cast<size_t>(r)]) continue;
      ScannedRow row;
      row.file = e.file.file_path;
      row.text_null = !b.columns[1].IsValid(r);
      row.text = row.text_null ? "<null>" : std::string(b.columns[1].StringValue(r));
      if (meta) {
        const size_t dim = meta->model.dim, rb = vec::RowBytes(meta->precision, dim);
        row.vector_null = !nulls.empty() && nulls[static_cast<size_t>(r)] != 0;
        row.vector.resize(dim);
        vec::DecodeRow(meta->precision, rows.data() + static_cast<size_t>(r) * rb, dim, row.vector.data());
      }
      const std::string id(b.columns[0].StringValue(r));
      if (out.count(id)) return Status::Corruption("row id " + id + " is live twice");
      out[id] = std::move(row);
    }
  }
  return out;
}

// Appends rows [start, start + n) ("r<i>", text "<topic> note <i>", null text when i % null_every
// == 1 and null_every > 0) with vectors from `embedder`, in files of `file_rows`, one commit.
inline Status AppendRows(table::Table& t, embed::Embedder& embedder, int64_t start, int64_t n, int64_t file_rows,
                         int64_t null_every = 0) {
  static const char* kTopics[] = {"galaxy telescope orbit comet", "garlic oven butter roast",
                                  "router packet latency socket", "tide harbor keel anchor"};
  table::TableWriterOptions wo;
  wo.target_file_rows = file_rows;
  AILAKE_ASSIGN_OR_RETURN(auto w, table::TableWriter::Open(t, wo));
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema schema, t.DataSchema());
  parquet::Batch b = parquet::Batch::Empty(schema);
  std::vector<std::string> texts;
  std::vector<uint8_t> nulls;
  for (int64_t i = start; i < start + n; ++i) {
    const bool null_text = null_every > 0 && i % null_every == 1;
    texts.push_back(std::string(kTopics[(i / 100) % 4]) + " note " + std::to_string(i));
    b.columns[0].AppendString("r" + std::to_string(i));
    b.columns[1].AppendString("d" + std::to_string(i / 10));
    if (null_text) {
      b.columns[2].AppendNull();
    } else {
      b.columns[2].AppendString(texts.back());
    }
    b.columns[3].AppendString("{\"n\":" + std::to_string(i) + "}");
    nulls.push_back(null_text ? 1 : 0);
  }
  b.num_rows = n;
  std::vector<std::string_view> views(texts.begin(), texts.end());
  std::vector<float> vecs;
  AILAKE_RETURN_IF_ERROR(embedder.Embed(views, &vecs));
  AILAKE_RETURN_IF_ERROR(w->Append(b, vecs.data(), nulls.data()));
  return w->Commit().status();
}

// Expected text of row i as AppendRows writes it.
inline std::string RowText(int64_t i) {
  static const char* kTopics[] = {"galaxy telescope orbit comet", "garlic oven butter roast",
                                  "router packet latency socket", "tide harbor keel anchor"};
  return std::string(kTopics[(i / 100) % 4]) + " note " + std::to_string(i);
}

}  // namespace ailake::migrate::testing
