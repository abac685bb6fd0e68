#include "file/file_reader.h"

#include <charconv>
#include <cstring>

#include "core/checked.h"
#include "file/vector_fill.h"
#include "vec/quantize.h"

namespace ailake::file {

namespace {

Result<uint64_t> ParseU64(const std::string& file, const std::string& key, const std::string& v) {
  uint64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    return Status::Corruption(file + ": footer key " + key + " = '" + v + "' is not an unsigned integer");
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<AiLakeFileReader>> AiLakeFileReader::OpenPath(const std::string& path) {
  AILAKE_ASSIGN_OR_RETURN(auto f, OpenLocalReadable(path));
  return Open(std::move(f));
}

Result<std::unique_ptr<AiLakeFileReader>> AiLakeFileReader::Open(std::shared_ptr<RandomAccessFile> file) {
  std::unique_ptr<AiLakeFileReader> r(new AiLakeFileReader());
  r->file_ = file;
  AILAKE_ASSIGN_OR_RETURN(r->parquet_, parquet::ParquetReader::Open(std::move(file)));
  AILAKE_RETURN_IF_ERROR(r->ParseMetadata());
  return r;
}

Status AiLakeFileReader::ParseMetadata() {
  const std::string& fname = file_->name();
  const std::string* names = parquet_->FindKeyValue(kVectorColumnsKey);
  if (names == nullptr) return Status::OK();  // plain Parquet
  const std::string* version = parquet_->FindKeyValue(kFormatVersionKey);
  if (version == nullptr || *version != "1") {
    return Status::NotSupported(fname + ": AI-Lake format version '" + (version ? *version : std::string("?")) +
                                "' (this build reads version 1)");
  }
  auto get = [&](const std::string& key) -> Result<std::string> {
    const std::string* v = parquet_->FindKeyValue(key);
    if (v == nullptr) return Status::Corruption(fname + ": footer key " + key + " is missing");
    return *v;
  };
  size_t start = 0;
  while (start <= names->size()) {
    size_t comma = names->find(',', start);
    if (comma == std::string::npos) comma = names->size();
    VectorColumnMeta m;
    m.name = names->substr(start, comma - start);
    start = comma + 1;
    if (m.name.empty()) return Status::Corruption(fname + ": empty name in " + kVectorColumnsKey);
    const std::string where = fname + " column '" + m.name + "'";
    AILAKE_ASSIGN_OR_RETURN(std::string dim_s, get(ColumnKey(m.name, "dim")));
    AILAKE_ASSIGN_OR_RETURN(uint64_t dim, ParseU64(fname, ColumnKey(m.name, "dim"), dim_s));
    if (dim == 0 || dim > kAilkMaxDim) return Status::Corruption(where + ": dim " + dim_s + " is invalid");
    m.model.dim = static_cast<uint32_t>(dim);
    AILAKE_ASSIGN_OR_RETURN(std::string metric_s, get(ColumnKey(m.name, "metric")));
    auto metric = ParseMetric(metric_s);
    if (!metric.ok()) return Status::Corruption(where + ": " + metric.status().message());
    m.model.metric = *metric;
    AILAKE_ASSIGN_OR_RETURN(std::string prec_s, get(ColumnKey(m.name, "precision")));
    auto prec = ParsePrecision(prec_s);
    if (!prec.ok()) return Status::Corruption(where + ": " + prec.status().message());
    m.precision = *prec;
    AILAKE_ASSIGN_OR_RETURN(m.model.name, get(ColumnKey(m.name, "model")));
    const std::string* mv = parquet_->FindKeyValue(ColumnKey(m.name, "model_version"));
    if (mv) m.model.version = *mv;
    const std::string* mn = parquet_->FindKeyValue(ColumnKey(m.name, "model_normalized"));
    m.model.normalized = mn && *mn == "true";
    AILAKE_ASSIGN_OR_RETURN(std::string kind_s, get(ColumnKey(m.name, "index")));
    auto kind = ParseIndexKind(kind_s);
    if (!kind.ok() || *kind == IndexKind::kAuto) return Status::Corruption(where + ": index kind '" + kind_s + "' is invalid");
    m.index_kind = *kind;
    const std::string* params = parquet_->FindKeyValue(ColumnKey(m.name, "index_params"));
    if (params) m.index_params = *params;
    AILAKE_ASSIGN_OR_RETURN(std::string off_s, get(ColumnKey(m.name, "footer_offset")));
    AILAKE_ASSIGN_OR_RETURN(m.section_offset, ParseU64(fname, ColumnKey(m.name, "footer_offset"), off_s));
    const std::string* rwv = parquet_->FindKeyValue(ColumnKey(m.name, "rows_with_vector"));
    if (rwv) {
      AILAKE_ASSIGN_OR_RETURN(m.rows_with_vector, ParseU64(fname, ColumnKey(m.name, "rows_with_vector"), *rwv));
    }
    m.field_index = parquet_->schema().FieldIndex(m.name);
    if (m.field_index < 0) return Status::Corruption(where + ": the vector column is not in the Parquet schema");
    const parquet::Field& f = parquet_->schema().fields[static_cast<size_t>(m.field_index)];
    const size_t rb = vec::RowBytes(m.precision, m.model.dim);
    if (f.type != parquet::DataType::kFixedBinary || static_cast<size_t>(f.fixed_len) != rb) {
      return Status::Corruption(where + ": expected FIXED_LEN_BYTE_ARRAY(" + std::to_string(rb) + ") for " +
                                std::string(PrecisionName(m.precision)) + " x " + std::to_string(dim));
    }
    columns_.push_back(std::move(m));
  }
  return Status::OK();
}

Result<const VectorColumnMeta*> AiLakeFileReader::FindVectorColumn(const std::string& name) const {
  if (columns_.empty()) {
    return Status::InvalidArgument(file_->name() + " is a plain Parquet file: it has no AI-Lake vector columns");
  }
  if (name.empty()) return &columns_[0];
  for (const auto& c : columns_)
    if (c.name == name) return &c;
  std::string have;
  for (const auto& c : columns_) have += (have.empty() ? "" : ", ") + c.name;
  return Status::NotFound(file_->name() + " has no vector column '" + name + "' (vector columns: " + have + ")");
}

Result<AilkSection> AiLakeFileReader::ReadSection(const VectorColumnMeta& m) const {
  const std::string where = file_->name() + " column '" + m.name + "'";
  AILAKE_ASSIGN_OR_RETURN(uint64_t size, file_->Size());
  if (!RangeWithin(m.section_offset, kAilkHeaderSize, size)) {
    return Status::Corruption(where + ": AILK offset " + std::to_string(m.section_offset) + " is past the end of the file");
  }
  AILAKE_ASSIGN_OR_RETURN(auto header, file_->ReadRange(m.section_offset, kAilkHeaderSize));
  AILAKE_ASSIGN_OR_RETURN(uint64_t total, AilkSectionLengthFromHeader(header.data(), header.size(), where));
  if (!RangeWithin(m.section_offset, total, size)) {
    return Status::Corruption(where + ": AILK section (" + std::to_string(total) + " bytes at " +
                              std::to_string(m.section_offset) + ") runs past the end of the file");
  }
  AILAKE_ASSIGN_OR_RETURN(auto bytes, file_->ReadRange(m.section_offset, total));
  AILAKE_ASSIGN_OR_RETURN(AilkSection s, DecodeAilkSection(bytes.data(), bytes.size(), m.section_offset, size, where));
  if (s.dim != m.model.dim || s.metric != m.model.metric || s.precision != m.precision || s.index_kind != m.index_kind) {
    return Status::Corruption(where + ": AILK header (dim/metric/precision/index) disagrees with the footer keys");
  }
  if (s.record_count != static_cast<uint64_t>(parquet_->num_rows())) {
    return Status::Corruption(where + ": AILK record count " + std::to_string(s.record_count) +
                              " differs from the file's " + std::to_string(parquet_->num_rows()) + " rows");
  }
  if (!s.has_centroid) return Status::Corruption(where + ": AILK section has no centroid");
  return s;
}

Status AiLakeFileReader::ReadVectors(const VectorColumnMeta& m, core::HugeVector<uint8_t>* rows,
                                     std::vector<uint8_t>* nulls) {
  const size_t rb = vec::RowBytes(m.precision, m.model.dim);
  const uint64_t n = static_cast<uint64_t>(parquet_->num_rows());
  auto bytes = CheckedMul(n, rb);
  if (!bytes || *bytes > (64ull << 30)) return Status::ResourceExhausted(file_->name() + ": vector column is too large to load");
  rows->clear();
  rows->reserve(*bytes);
  nulls->assign(n, 0);
  uint64_t at = 0;
  for (int rg = 0; rg < parquet_->num_row_groups(); ++rg) {
    AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, parquet_->ReadRowGroup(rg, {m.field_index}));
    const parquet::Column& col = b.columns[0];
    if (at + static_cast<uint64_t>(col.length()) > n) return Status::Corruption(file_->name() + ": row groups hold more rows than the footer says");
    if (col.validity().empty()) {
      rows->insert(rows->end(), col.values().begin(), col.values().end());
    } else {
      for (int64_t r = 0; r < col.length(); ++r) {
        if (!col.IsValid(r)) (*nulls)[at + static_cast<uint64_t>(r)] = 1;
      }
      rows->insert(rows->end(), col.values().begin(), col.values().end());  // null rows hold zero bytes
    }
    at += static_cast<uint64_t>(col.length());
  }
  if (at != n || rows->size() != *bytes) return Status::Corruption(file_->name() + ": vector column row count mismatch");
  return Status::OK();
}

size_t LoadedVectorColumn::MemoryBytes() const {
  return core::HugeFootprint(rows_) + nulls_.capacity() + (index_ ? index_->MemoryBytes() : 0) +
         (flat_ ? flat_->MemoryBytes() : 0);
}

Result<std::unique_ptr<LoadedVectorColumn>> AiLakeFileReader::LoadColumn(const std::string& name) {
  AILAKE_ASSIGN_OR_RETURN(const VectorColumnMeta* m, FindVectorColumn(name));
  auto out = std::unique_ptr<LoadedVectorColumn>(new LoadedVectorColumn());
  out->meta_ = *m;
  AILAKE_ASSIGN_OR_RETURN(out->section_, ReadSection(*m));
  AILAKE_RETURN_IF_ERROR(ReadVectors(*m, &out->rows_, &out->nulls_));
  for (uint8_t b : out->nulls_) out->any_null_ |= b != 0;
  FillNullRows(m->precision, m->model.dim, out->section_.centroid, out->nulls_, out->rows_);
  index::VectorView view{out->rows_.data(), m->precision, m->model.dim, out->nulls_.size(), m->model.metric};
  auto idx = index::LoadIndex(m->index_kind, out->section_.index_blob, view);
  if (!idx.ok()) return idx.status().WithContext(file_->name() + " column '" + m->name + "'");
  out->index_ = std::move(*idx);
  std::vector<uint8_t>().swap(out->section_.index_blob);
  if (m->index_kind == IndexKind::kFlat) {
    out->flat_ = nullptr;
  } else {
    VectorStoragePolicy flat_policy;
    auto flat = index::BuildIndex(view, flat_policy, IndexKind::kFlat);
    if (!flat.ok()) return flat.status();
    out->flat_ = std::move(*flat);
  }
  return out;
}

Result<std::vector<index::Neighbor>> LoadedVectorColumn::Search(const float* query, size_t k, size_t ef, bool exact,
                                                                const index::AllowedRows* allowed) const {
  const index::VectorIndex& idx = (exact && flat_) ? *flat_ : *index_;
  std::vector<float> unit;
  if (meta_.model.metric == VectorMetric::kNormalizedCosine) {
    // Rows are stored unit-length; the query must be too for 1 - dot to be the cosine distance.
    unit.assign(query, query + meta_.model.dim);
    NormalizeInPlace(unit.data(), unit.size());
    query = unit.data();
  }
  if (!any_null_) return idx.Search(query, k, ef, allowed);
  // Rows without a vector are never results.
  index::AllowedRows mask(nulls_.size(), allowed == nullptr);
  for (size_t r = 0; r < nulls_.size(); ++r) {
    bool ok = !nulls_[r] && (allowed == nullptr || allowed->Contains(static_cast<uint32_t>(r)));
    if (ok) mask.Allow(static_cast<uint32_t>(r));
    else mask.Disallow(static_cast<uint32_t>(r));
  }
  return idx.Search(query, k, ef, &mask);
}

}  // namespace ailake::file
