#include "table/verify.h"

#include <cmath>
#include <functional>
#include <map>

#include "file/file_reader.h"
#include "iceberg/snapshot_files.h"
#include "table/data_file_stats.h"
#include "table/live_file.h"
#include "table/table_schema.h"
#include "table/table_search.h"
#include "vec/quantize.h"

namespace ailake::table {

namespace {

std::string ModelDescription(const EmbeddingModelInfo& m) {
  return "model " + m.Id() + " (dim " + std::to_string(m.dim) + ", " + std::string(MetricName(m.metric)) + ")";
}

// Table properties against the current schema's vector column.
void CheckTableProperties(const Table& table, std::vector<std::string>* problems) {
  const VectorConfig& vc = table.vectors();
  const iceberg::NestedField* f = table.schema().FindField(vc.vector_column);
  if (f == nullptr) {
    problems->push_back("table property ailake.vector-column names '" + vc.vector_column +
                        "', which is not a column of the current schema");
    return;
  }
  const size_t want = vec::RowBytes(vc.policy.precision, vc.model.dim);
  if (f->type->id != iceberg::TypeId::kFixed || static_cast<size_t>(f->type->fixed_length) != want) {
    problems->push_back("table properties say column '" + vc.vector_column + "' holds " +
                        std::string(PrecisionName(vc.policy.precision)) + " vectors of dim " +
                        std::to_string(vc.model.dim) + " (" + std::to_string(want) + " bytes a row), but the schema types it " +
                        iceberg::TypeToString(*f->type));
  }
  if (table.schema().FindField(vc.text_column) == nullptr) {
    problems->push_back("table property ailake.text-column names '" + vc.text_column +
                        "', which is not a column of the current schema");
  }
}

// Every page of every column decodes (with CRC checks where the writer stored them).
void DecodeEveryPage(const std::shared_ptr<RandomAccessFile>& readable, const std::function<void(std::string)>& problem) {
  parquet::ReaderOptions ro;
  ro.verify_page_crc = true;
  auto pq = parquet::ParquetReader::Open(readable, ro);
  if (!pq.ok()) return problem(pq.status().message());
  for (size_t i = 0; i < (*pq)->schema().fields.size(); ++i) {
    if (!(*pq)->supported(static_cast<int>(i))) {
      problem("column '" + (*pq)->schema().fields[i].name + "' has a type this reader cannot decode, so it was not checked");
    }
  }
  for (int rg = 0; rg < (*pq)->num_row_groups(); ++rg) {
    auto batch = (*pq)->ReadRowGroup(rg, {});
    if (!batch.ok()) return problem("row group " + std::to_string(rg) + ": " + batch.status().message());
  }
}

// Every vector is finite; under cosine metrics none is all zeros; the index has one node per row.
void CheckVectors(const file::LoadedVectorColumn& column, const std::function<void(std::string)>& problem) {
  const auto& meta = column.meta();
  const size_t dim = meta.model.dim;
  const size_t row_bytes = vec::RowBytes(meta.precision, dim);
  const bool cosine = meta.model.metric == VectorMetric::kCosine || meta.model.metric == VectorMetric::kNormalizedCosine;
  if (column.index().size() != column.count()) {
    problem("column '" + meta.name + "': its index has " + std::to_string(column.index().size()) + " nodes for " +
            std::to_string(column.count()) + " rows");
  }
  std::vector<float> row(dim);
  size_t nonfinite = 0, zero = 0;
  int64_t first_nonfinite = -1, first_zero = -1;
  for (size_t r = 0; r < column.count(); ++r) {
    if (column.nulls()[r]) continue;
    vec::DecodeRow(meta.precision, column.rows().data() + r * row_bytes, dim, row.data());
    bool finite = true, all_zero = true;
    for (float v : row) {
      if (!std::isfinite(v)) finite = false;
      if (v != 0.0f) all_zero = false;
    }
    if (!finite && nonfinite++ == 0) first_nonfinite = static_cast<int64_t>(r);
    if (finite && all_zero && cosine && zero++ == 0) first_zero = static_cast<int64_t>(r);
  }
  if (nonfinite > 0) {
    problem("column '" + meta.name + "': " + std::to_string(nonfinite) + " vector(s) hold NaN or infinity (first at row " +
            std::to_string(first_nonfinite) + ")");
  }
  if (zero > 0) {
    problem("column '" + meta.name + "': " + std::to_string(zero) + " vector(s) are all zeros, which have no direction under " +
            std::string(MetricName(meta.model.metric)) + " (first at row " + std::to_string(first_zero) + ")");
  }
}

// The manifest's per-column statistics (written from this file's footer at commit) must still match
// the footer: a file swapped for another of the same size and row count differs here (other ids,
// other texts), which the size and row checks alone cannot see.
void CheckColumnStats(const parquet::ParquetReader& pq, const iceberg::DataFile& manifest,
                      const std::function<void(std::string)>& problem) {
  const iceberg::DataFile footer = DataFileFromFooter(pq, manifest.file_path, manifest.file_size_in_bytes);
  auto compare = [&](const auto& want, const auto& got, const char* what) {
    for (const auto& [id, v] : want) {
      auto it = got.find(id);
      if (it != got.end() && it->second != v) {
        problem(std::string("the footer's ") + what + " of field " + std::to_string(id) +
                " differ from the manifest's: this is not the file that was committed");
        return true;
      }
    }
    return false;
  };
  if (compare(manifest.value_counts, footer.value_counts, "value counts")) return;
  if (compare(manifest.null_value_counts, footer.null_value_counts, "null counts")) return;
  if (compare(manifest.lower_bounds, footer.lower_bounds, "lower bounds")) return;
  compare(manifest.upper_bounds, footer.upper_bounds, "upper bounds");
}

}  // namespace

Result<VerifyReport> VerifyTable(Table& table, const VerifyOptions& options) {
  VerifyReport report;
  report.deep = options.deep;
  CheckTableProperties(table, &report.problems);
  const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
  if (!snap) return report;
  report.snapshot_id = snap->snapshot_id;
  Store& store = table.catalog().store();
  // From storage, not the process's manifest cache: what is on storage is what verify checks.
  AILAKE_ASSIGN_OR_RETURN(iceberg::SnapshotFiles files,
                          iceberg::ReadSnapshotFiles(store, table.locations(), snap, iceberg::ManifestRead::kFromStorage));
  report.data_files = files.data_files.size();
  report.delete_files = files.delete_files.size();
  const VectorConfig& vc = table.vectors();
  const bool migrating = table.metadata().properties.count(kPropRunningMigration) > 0;
  for (const auto& e : files.data_files) {
    const std::string& path = e.file.file_path;
    report.rows += e.file.record_count;
    auto problem = [&](const std::string& what) { report.problems.push_back(path + ": " + what); };
    auto readable = OpenLiveFile(table, path, e.file.file_size_in_bytes);
    if (!readable.ok()) {
      report.problems.push_back(readable.status().message());
      continue;
    }
    auto reader = file::AiLakeFileReader::Open(*readable);
    if (!reader.ok()) { problem(reader.status().message()); continue; }
    if ((*reader)->parquet().num_rows() != e.file.record_count) {
      problem("has " + std::to_string((*reader)->parquet().num_rows()) + " rows, the manifest says " +
              std::to_string(e.file.record_count));
    }
    CheckColumnStats((*reader)->parquet(), e.file, problem);
    auto stats = files.vector_stats.find(path);
    if (stats == files.vector_stats.end()) problem("has no vector statistics in its manifest");
    auto meta = (*reader)->FindVectorColumn(vc.vector_column);
    if (!meta.ok()) {
      // A file without the table's column: typically one a migration rewrote onto another column.
      std::string models;
      for (const auto& c : (*reader)->vector_columns()) {
        models += (models.empty() ? "" : ", ") + ("column '" + c.name + "' with " + ModelDescription(c.model));
      }
      const std::string what = "has no vector column '" + vc.vector_column + "' (the table's " +
                               ModelDescription(vc.model) + ")" + (models.empty() ? "" : "; it holds " + models);
      if (migrating) {
        report.notes.push_back(path + ": " + what + "; a migration is running");
      } else {
        problem(what);
      }
      continue;
    }
    const file::VectorColumnMeta& m = **meta;
    if (!m.model.SameModel(vc.model)) {
      // Another model: its dim, metric and precision follow from that model, so this one finding
      // covers them.
      const std::string what = "is on " + ModelDescription(m.model) + ", not the table's " + ModelDescription(vc.model);
      if (migrating) {
        report.notes.push_back(path + ": " + what + "; a migration is running");
      } else {
        problem(what + ": searches with the table's model skip it (re-run or finish the migration, or roll back)");
      }
    } else {
      if (m.model.dim != vc.model.dim) {
        problem("column '" + m.name + "' has dim " + std::to_string(m.model.dim) + " but table property ailake.dim says " +
                std::to_string(vc.model.dim));
      }
      if (m.model.metric != vc.model.metric) {
        problem("column '" + m.name + "' uses metric " + std::string(MetricName(m.model.metric)) +
                " but table property ailake.metric says " + std::string(MetricName(vc.model.metric)));
      }
      if (m.precision != vc.policy.precision) {
        problem("column '" + m.name + "' stores " + std::string(PrecisionName(m.precision)) +
                " but table property ailake.precision says " + std::string(PrecisionName(vc.policy.precision)));
      }
    }
    if (stats != files.vector_stats.end()) {
      for (const auto& s : stats->second) {
        auto fm = (*reader)->FindVectorColumn(s.column);
        if (!fm.ok()) {
          problem("its manifest has statistics for vector column '" + s.column + "', which the file does not have");
          continue;
        }
        if (s.model != (*fm)->model.name || s.model_version != (*fm)->model.version) {
          problem("its footer says column '" + s.column + "' holds model " + (*fm)->model.Id() + " but the manifest says " +
                  s.model + (s.model_version.empty() ? "" : "@" + s.model_version));
        }
        if (s.dim != (*fm)->model.dim) problem("column '" + s.column + "': dim disagrees with the manifest");
        if (s.rows_with_vector != (*fm)->rows_with_vector) {
          problem("column '" + s.column + "': rows_with_vector disagrees with the manifest");
        }
      }
    }
    // The primary column always (validates the AILK section and index against the vectors); with
    // --deep every vector column, and every vector value.
    for (const auto& c : (*reader)->vector_columns()) {
      if (!options.deep && c.name != vc.vector_column) continue;
      auto column = (*reader)->LoadColumn(c.name);
      if (!column.ok()) {
        problem(column.status().message());
        continue;
      }
      if (options.deep) CheckVectors(**column, problem);
    }
    if (options.deep) DecodeEveryPage(*readable, problem);
  }
  std::map<std::string, int64_t> rows_of;
  for (const auto& e : files.data_files) rows_of[e.file.file_path] = e.file.record_count;
  for (const auto& d : files.delete_files) {
    auto deletes = ReadPositionDeletes(table, {d});  // opens through OpenLiveFile: confined, size-checked
    if (!deletes.ok()) {
      report.problems.push_back(d.file.file_path + ": " + deletes.status().message());
      continue;
    }
    // Deletes may outlive a data file that was rewritten later; positions into live files must exist.
    for (const auto& [target, positions] : *deletes) {
      auto it = rows_of.find(target);
      if (it == rows_of.end()) continue;
      for (int64_t pos : positions) {
        if (pos < 0 || pos >= it->second) {
          report.problems.push_back(d.file.file_path + ": deletes position " + std::to_string(pos) + " of " + target +
                                    ", which has " + std::to_string(it->second) + " rows");
          break;
        }
      }
    }
  }
  return report;
}

}  // namespace ailake::table
