// Test helpers for the migration layer: a warehouse with a multi-file table whose vectors come
// from a hash embedder, and a scan of the table's live rows (position deletes applied) with the
// vectors of one column decoded to f32. Also: a temporary warehouse, store listings, the live
// data files of a table, a comparison of every live row against an embedder, and an embedder
// wrapper that records what it embeds and injects faults.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>
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
#include "testing/temp_dir.h"
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
    core::HugeVector<uint8_t> rows;
    std::vector<uint8_t> nulls;
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
// row_group_rows > 0 cuts the files' Parquet row groups at that many rows.
inline Status AppendRows(table::Table& t, embed::Embedder& embedder, int64_t start, int64_t n, int64_t file_rows,
                         int64_t null_every = 0, int64_t row_group_rows = 0) {
  static const char* kTopics[] = {"galaxy telescope orbit comet", "garlic oven butter roast",
                                  "router packet latency socket", "tide harbor keel anchor"};
  if (embedder.model().dim != t.vectors().model.dim) {
    return Status::InvalidArgument("AppendRows: the embedder has dim " + std::to_string(embedder.model().dim) +
                                   " but the table's vector column has dim " + std::to_string(t.vectors().model.dim));
  }
  table::TableWriterOptions wo;
  wo.target_file_rows = file_rows;
  if (row_group_rows > 0) wo.row_group_rows = row_group_rows;
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
    // Extra typed columns (TableOptions::extra_columns) hold i where the type allows, else null.
    for (size_t c = 4; c < b.columns.size(); ++c) {
      switch (schema.fields[c].type) {
        case parquet::DataType::kInt32: b.columns[c].AppendInt32(static_cast<int32_t>(i)); break;
        case parquet::DataType::kInt64: b.columns[c].AppendInt64(i); break;
        case parquet::DataType::kString: b.columns[c].AppendString(std::to_string(i)); break;
        default: b.columns[c].AppendNull(); break;
      }
    }
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

// A warehouse in a fresh temporary folder with an fs catalog; removed with the object.
class TestWarehouse {
 public:
  TestWarehouse() {
    auto c = catalog::OpenCatalog("fs", dir_.string());
    if (c.ok()) catalog_ = std::move(*c);
  }
  TestWarehouse(const TestWarehouse&) = delete;
  TestWarehouse& operator=(const TestWarehouse&) = delete;

  bool ok() const { return catalog_ != nullptr; }
  catalog::Catalog& catalog() { return *catalog_; }
  Store& store() { return catalog_->store(); }
  std::string dir() const { return dir_.string(); }
  // Another, independent catalog instance over the same warehouse (as a second process would have).
  Result<std::unique_ptr<catalog::Catalog>> OpenAnotherCatalog() const { return catalog::OpenCatalog("fs", dir_.string()); }

  // A table with the default columns (plus `extra`), vector column "embedding" of `model`.
  Result<std::unique_ptr<table::Table>> CreateTable(const std::string& name, const EmbeddingModelInfo& model,
                                                    std::vector<table::ExtraColumn> extra = {},
                                                    VectorPrecision precision = VectorPrecision::kF16) {
    table::TableOptions o;
    o.model = model;
    o.policy.precision = precision;
    o.extra_columns = std::move(extra);
    AILAKE_ASSIGN_OR_RETURN(catalog::TableIdent ident, catalog::TableIdent::Parse(name));
    return table::Table::Create(*catalog_, ident, o);
  }

 private:
  test_util::TempDir tmp_{"migrate", /*create=*/false};  // destroyed after the catalog
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> catalog_;
};

// Keys of the objects under `prefix` (sorted; empty when there are none or the listing fails).
inline std::vector<std::string> ListKeys(const Store& store, const std::string& prefix) {
  std::vector<std::string> out;
  auto objects = store.List(prefix);
  if (!objects.ok()) return out;
  for (const auto& o : *objects) out.push_back(o.key);
  std::sort(out.begin(), out.end());
  return out;
}

// The live data and delete files of the table's current snapshot (after a refresh), with the
// manifests' vector statistics.
inline Result<iceberg::SnapshotFiles> CurrentFiles(table::Table& t) {
  AILAKE_RETURN_IF_ERROR(t.Refresh());
  return iceberg::ReadSnapshotFiles(t.catalog().store(), t.locations(), t.metadata().CurrentSnapshot());
}

// Locations of the live data files, in manifest order.
inline Result<std::vector<std::string>> DataFilePaths(table::Table& t) {
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files, CurrentFiles(t));
  std::vector<std::string> out;
  for (const auto& e : files.data_files) out.push_back(e.file.file_path);
  return out;
}

inline int64_t CurrentSnapshotId(table::Table& t) {
  if (!t.Refresh().ok()) return -1;
  const iceberg::Snapshot* s = t.metadata().CurrentSnapshot();
  return s ? s->snapshot_id : 0;
}

// Every live row of `t` is exactly one of `ids`, with its text intact (RowText) and, in `column`,
// the vector `embedder` gives for its text (within `tolerance`, relative to max(1, |value|)).
// Rows in `null_vector_ids` must have a null vector instead.
inline ::testing::AssertionResult RowsEmbeddedBy(table::Table& t, const std::set<int64_t>& ids, const std::string& column,
                                                 embed::Embedder& embedder, float tolerance,
                                                 const std::set<int64_t>& null_vector_ids = {}) {
  auto rows = ScanTable(t, column);
  if (!rows.ok()) return ::testing::AssertionFailure() << "scan: " << rows.status().ToString();
  if (rows->size() != ids.size()) {
    return ::testing::AssertionFailure() << "the table has " << rows->size() << " live rows, expected " << ids.size();
  }
  for (int64_t i : ids) {
    auto it = rows->find("r" + std::to_string(i));
    if (it == rows->end()) return ::testing::AssertionFailure() << "row r" << i << " is missing";
    const ScannedRow& row = it->second;
    if (!row.text_null && row.text != RowText(i)) {
      return ::testing::AssertionFailure() << "row r" << i << " has text '" << row.text << "'";
    }
    if (null_vector_ids.count(i)) {
      if (!row.vector_null) return ::testing::AssertionFailure() << "row r" << i << " should have a null vector";
      continue;
    }
    if (row.vector_null) return ::testing::AssertionFailure() << "row r" << i << " has a null vector";
    std::vector<float> want;
    const std::string text = row.text_null ? std::string() : row.text;
    Status st = embedder.Embed({text}, &want);
    if (!st.ok()) return ::testing::AssertionFailure() << "embed: " << st.ToString();
    if (row.vector.size() != want.size()) {
      return ::testing::AssertionFailure() << "row r" << i << " has dim " << row.vector.size() << ", expected " << want.size();
    }
    for (size_t d = 0; d < want.size(); ++d) {
      if (!(std::fabs(row.vector[d] - want[d]) <= tolerance * std::max(1.0f, std::fabs(want[d])))) {
        return ::testing::AssertionFailure() << "row r" << i << " element " << d << " is " << row.vector[d]
                                             << ", the embedder gives " << want[d];
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// An embedder for tests: forwards to `inner`, records every text it is asked to embed (and the
// number of calls), and can inject one kind of fault into every call after the first `after` calls.
// Thread-safe like every embedder. `on_call` (optional) runs at the start of each call, outside the
// lock, with the call's number (from 1).
class TestEmbedder final : public embed::Embedder {
 public:
  enum class Fault { kNone, kWrongCount, kWrongDim, kNaN, kError };

  explicit TestEmbedder(embed::Embedder& inner) : inner_(inner) {}
  const EmbeddingModelInfo& model() const override { return inner_.model(); }

  void Inject(Fault fault, int64_t after = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    fault_ = fault;
    after_ = after;
  }
  std::function<void(int64_t call)> on_call;

  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override {
    int64_t call;
    Fault fault;
    {
      std::lock_guard<std::mutex> lock(mu_);
      call = ++calls_;
      fault = call > after_ ? fault_ : Fault::kNone;
      for (auto t : texts) texts_.emplace_back(t);
    }
    CountRequest();
    CountTexts(texts.size());
    if (on_call) on_call(call);
    if (fault == Fault::kError) {
      return Status::Unavailable("injected embedder outage at call " + std::to_string(call));
    }
    std::vector<float> got;
    AILAKE_RETURN_IF_ERROR(inner_.Embed(texts, &got));
    const size_t dim = inner_.model().dim;
    if (fault == Fault::kWrongCount && got.size() >= dim) {
      got.resize(got.size() - dim);  // one vector fewer than texts
    } else if (fault == Fault::kWrongDim) {
      std::vector<float> shorter;
      for (size_t i = 0; i < texts.size(); ++i) shorter.insert(shorter.end(), got.begin() + i * dim, got.begin() + (i + 1) * dim - 1);
      got = std::move(shorter);  // dim - 1 values per text
    } else if (fault == Fault::kNaN && !got.empty()) {
      got[got.size() / 2] = std::numeric_limits<float>::quiet_NaN();
    }
    out->insert(out->end(), got.begin(), got.end());
    return Status::OK();
  }

  int64_t calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<std::string> texts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return texts_;
  }

 private:
  embed::Embedder& inner_;
  mutable std::mutex mu_;
  Fault fault_ = Fault::kNone;
  int64_t after_ = 0;
  int64_t calls_ = 0;
  std::vector<std::string> texts_;
};

}  // namespace ailake::migrate::testing
