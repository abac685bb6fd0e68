#include "file/file_writer.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <set>

#include "core/huge_pages.h"
#include "file/ailk_section.h"
#include "file/vector_fill.h"
#include "index/index.h"
#include "vec/centroid.h"
#include "vec/quantize.h"

namespace ailake::file {

namespace {

struct ColumnState {
  VectorColumnSpec spec;
  size_t row_bytes = 0;
  core::HugeVector<uint8_t> encoded;  // rows x row_bytes, null rows zero until Finish fills them
  std::vector<uint8_t> nulls;    // one byte per row, 1 = null
  uint64_t non_null = 0;
};

class FileWriterImpl final : public AiLakeFileWriter {
 public:
  FileWriterImpl(WritableFile* out, parquet::Schema data_schema, std::vector<ColumnState> columns,
                 std::unique_ptr<parquet::ParquetWriter> parquet, FileWriterOptions options)
      : out_(out),
        data_schema_(std::move(data_schema)),
        columns_(std::move(columns)),
        parquet_(std::move(parquet)),
        options_(std::move(options)) {}

  Status Append(const parquet::Batch& data, const std::vector<VectorInput>& vectors) override {
    if (finished_) return Status::Internal("AiLakeFileWriter: Append after Finish");
    if (vectors.size() != columns_.size()) {
      return Status::InvalidArgument("Append got " + std::to_string(vectors.size()) + " vector inputs for " +
                                     std::to_string(columns_.size()) + " vector columns");
    }
    if (data.columns.size() != data_schema_.fields.size()) {
      return Status::InvalidArgument("Append: the data batch has " + std::to_string(data.columns.size()) +
                                     " columns, the file's data schema " + std::to_string(data_schema_.fields.size()));
    }
    const int64_t n = data.num_rows;
    // Validate every vector before touching any state, so a failed Append writes nothing.
    for (size_t c = 0; c < columns_.size(); ++c) {
      const auto& in = vectors[c];
      const size_t dim = columns_[c].spec.model.dim;
      if (n > 0 && in.data == nullptr) {
        return Status::InvalidArgument("Append: no vectors given for column '" + columns_[c].spec.name + "'");
      }
      for (int64_t r = 0; r < n; ++r) {
        if (in.nulls && in.nulls[r]) continue;
        const float* row = in.data + static_cast<size_t>(r) * dim;
        // A normalized-cosine column stores unit vectors (normalised below), which every precision holds.
        Status st = columns_[c].spec.model.metric == VectorMetric::kNormalizedCosine
                        ? vec::CheckFinite(row, dim, 1)
                        : CheckStorable(columns_[c].spec.policy.precision, row, dim);
        if (!st.ok()) {
          return Status::InvalidArgument("column '" + columns_[c].spec.name + "', row " + std::to_string(rows_ + r) +
                                         ": " + st.message());
        }
      }
    }
    parquet::Batch full;
    full.schema = data.schema;
    full.columns = data.columns;
    full.num_rows = n;
    for (size_t c = 0; c < columns_.size(); ++c) {
      ColumnState& col = columns_[c];
      const auto& in = vectors[c];
      const size_t dim = col.spec.model.dim;
      parquet::Field field = VectorField(col.spec);
      full.schema.fields.push_back(field);
      parquet::Column out(field);
      const size_t base = col.encoded.size();
      std::vector<float> unit;
      col.encoded.resize(base + static_cast<size_t>(n) * col.row_bytes, 0);
      col.nulls.resize(col.nulls.size() + static_cast<size_t>(n), 0);
      for (int64_t r = 0; r < n; ++r) {
        uint8_t* dst = col.encoded.data() + base + static_cast<size_t>(r) * col.row_bytes;
        if (in.nulls && in.nulls[r]) {
          col.nulls[rows_ + r] = 1;
          out.AppendNull();
          continue;
        }
        const float* src = in.data + static_cast<size_t>(r) * dim;
        if (col.spec.model.metric == VectorMetric::kNormalizedCosine) {
          // This metric's distance is 1 - dot, exact only for unit vectors: store them normalised.
          unit.assign(src, src + dim);
          NormalizeInPlace(unit.data(), dim);
          src = unit.data();
        }
        vec::EncodeRow(col.spec.policy.precision, src, dim, dst);
        out.AppendFixed(dst);
        ++col.non_null;
      }
      full.columns.push_back(std::move(out));
    }
    Status st = parquet_->WriteBatch(full);
    if (!st.ok()) {
      failed_ = true;
      return st;
    }
    rows_ += n;
    return Status::OK();
  }

  Result<WrittenFile> Finish() override {
    if (finished_) return Status::Internal("AiLakeFileWriter: Finish called twice");
    if (failed_) return Status::Internal("AiLakeFileWriter: an earlier write failed; abandon this file");
    finished_ = true;
    AILAKE_RETURN_IF_ERROR(parquet_->FlushRowGroup());
    for (const auto& [k, v] : options_.extra_key_values) {
      if (k.rfind("ailake.", 0) != 0) parquet_->AddKeyValue(k, v);
    }
    WrittenFile result;
    result.rows = static_cast<uint64_t>(rows_);
    std::string names;
    for (size_t c = 0; c < columns_.size(); ++c) {
      ColumnState& col = columns_[c];
      const auto& spec = col.spec;
      const size_t dim = spec.model.dim;
      const size_t count = static_cast<size_t>(rows_);
      // Centroid and radius over the rows that have a vector.
      vec::CentroidRadius cr = CentroidOfPresentRows(spec.model.metric, spec.policy.precision, dim, col.encoded,
                                                     col.nulls, count);
      FillNullRows(spec.policy.precision, dim, cr.centroid, col.nulls, col.encoded);
      index::VectorView view{col.encoded.data(), spec.policy.precision, dim, count, spec.model.metric};
      VectorStoragePolicy policy = spec.policy;
      if (options_.build_threads) policy.build_threads = options_.build_threads;
      auto idx = index::BuildIndex(view, policy, policy.index);
      if (!idx.ok()) return idx.status().WithContext("building the index of column '" + spec.name + "'");
      AilkSection section;
      section.dim = static_cast<uint32_t>(dim);
      section.precision = spec.policy.precision;
      section.metric = spec.model.metric;
      section.index_kind = (*idx)->kind();
      section.record_count = count;
      section.has_centroid = true;
      section.centroid = cr.centroid;
      section.radius = cr.radius;
      section.index_blob = (*idx)->Serialize();
      const uint64_t offset = parquet_->position();
      AILAKE_ASSIGN_OR_RETURN(auto bytes, EncodeAilkSection(section, offset));
      AILAKE_ASSIGN_OR_RETURN(uint64_t placed, parquet_->WriteBeforeFooter(bytes.data(), bytes.size()));
      if (placed != offset) {
        return Status::Internal("AILK section landed at offset " + std::to_string(placed) + ", expected " +
                                std::to_string(offset));
      }
      nlohmann::json params = {{"kind", std::string(IndexKindName(section.index_kind))}};
      if (section.index_kind == IndexKind::kHnsw) {
        params["m"] = policy.hnsw_m;
        params["ef_construction"] = policy.hnsw_ef_construction;
        params["seed"] = policy.hnsw_seed;
      }
      parquet_->AddKeyValue(ColumnKey(spec.name, "footer_offset"), std::to_string(offset));
      parquet_->AddKeyValue(ColumnKey(spec.name, "dim"), std::to_string(dim));
      parquet_->AddKeyValue(ColumnKey(spec.name, "metric"), std::string(MetricName(spec.model.metric)));
      parquet_->AddKeyValue(ColumnKey(spec.name, "precision"), std::string(PrecisionName(spec.policy.precision)));
      parquet_->AddKeyValue(ColumnKey(spec.name, "model"), spec.model.name);
      parquet_->AddKeyValue(ColumnKey(spec.name, "model_version"), spec.model.version);
      parquet_->AddKeyValue(ColumnKey(spec.name, "model_normalized"), spec.model.normalized ? "true" : "false");
      parquet_->AddKeyValue(ColumnKey(spec.name, "index"), std::string(IndexKindName(section.index_kind)));
      parquet_->AddKeyValue(ColumnKey(spec.name, "index_params"), params.dump());
      parquet_->AddKeyValue(ColumnKey(spec.name, "rows_with_vector"), std::to_string(col.non_null));
      if (c == 0) parquet_->AddKeyValue(kPrimaryOffsetKey, std::to_string(offset));
      names += (c ? "," : "") + spec.name;
      WrittenColumn wc;
      wc.name = spec.name;
      wc.index_kind = section.index_kind;
      wc.centroid = std::move(cr.centroid);
      wc.radius = cr.radius;
      wc.rows_with_vector = col.non_null;
      wc.index_bytes = section.index_blob.size();
      wc.section_offset = offset;
      result.columns.push_back(std::move(wc));
      // The encoded rows are no longer needed; free them before the next column's build.
      core::HugeVector<uint8_t>().swap(col.encoded);
    }
    parquet_->AddKeyValue(kFormatVersionKey, "1");
    parquet_->AddKeyValue(kVectorColumnsKey, names);
    AILAKE_RETURN_IF_ERROR(parquet_->Close());
    result.file_bytes = out_->Tell();
    return result;
  }

  int64_t rows() const override { return rows_; }

 private:
  WritableFile* out_;
  parquet::Schema data_schema_;
  std::vector<ColumnState> columns_;
  std::unique_ptr<parquet::ParquetWriter> parquet_;
  FileWriterOptions options_;
  int64_t rows_ = 0;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace

Result<std::unique_ptr<AiLakeFileWriter>> AiLakeFileWriter::Open(WritableFile* out, parquet::Schema data_schema,
                                                                 std::vector<VectorColumnSpec> vectors,
                                                                 FileWriterOptions options) {
  if (vectors.empty()) return Status::InvalidArgument("an AI-Lake file needs at least one vector column");
  std::set<std::string> names;
  for (const auto& f : data_schema.fields) names.insert(f.name);
  std::vector<ColumnState> columns;
  parquet::Schema full = data_schema;
  for (auto& v : vectors) {
    if (v.name.empty() || v.name.find(',') != std::string::npos) {
      return Status::InvalidArgument("vector column name '" + v.name + "' must be non-empty and contain no comma");
    }
    if (!names.insert(v.name).second) {
      return Status::InvalidArgument("column name '" + v.name + "' is used twice");
    }
    if (v.model.dim == 0 || v.model.dim > kAilkMaxDim) {
      return Status::InvalidArgument("vector column '" + v.name + "': dim must be 1.." + std::to_string(kAilkMaxDim));
    }
    if (v.model.name.empty()) {
      return Status::InvalidArgument("vector column '" + v.name + "' has no embedding model name (guide: always record it)");
    }
    full.fields.push_back(VectorField(v));
    options.parquet.plain_uncompressed_columns.push_back(v.name);
    ColumnState st;
    st.row_bytes = vec::RowBytes(v.policy.precision, v.model.dim);
    st.spec = std::move(v);
    columns.push_back(std::move(st));
  }
  AILAKE_ASSIGN_OR_RETURN(auto pw, parquet::ParquetWriter::Open(out, full, options.parquet));
  return std::unique_ptr<AiLakeFileWriter>(
      new FileWriterImpl(out, std::move(data_schema), std::move(columns), std::move(pw), std::move(options)));
}

}  // namespace ailake::file
