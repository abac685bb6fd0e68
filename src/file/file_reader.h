// AiLakeFileReader: opens an AI-Lake file (or any Parquet file: then it simply has no vector
// columns), reads its AILK sections, decodes vector columns and loads validated indexes.
//
// Cross-checks before anything is used: the footer keys of every vector column must agree with the
// Parquet schema (FIXED_LEN_BYTE_ARRAY of RowBytes(precision, dim)) and with the AILK header (dim,
// metric, precision, index kind, record count == file rows); the index blob is validated by the
// index layer against the decoded vectors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "core/huge_pages.h"
#include "core/io.h"
#include "file/ailk_section.h"
#include "file/vector_column.h"
#include "index/index.h"
#include "parquet/reader.h"

namespace ailake::file {

// A vector column decoded into memory with its index, ready to search. Owns the row buffer the
// index points into.
class LoadedVectorColumn {
 public:
  const VectorColumnMeta& meta() const { return meta_; }
  const AilkSection& section() const { return section_; }  // index_blob is released after loading
  const index::VectorIndex& index() const { return *index_; }
  const core::HugeVector<uint8_t>& rows() const { return rows_; }
  const std::vector<uint8_t>& nulls() const { return nulls_; }  // one byte per row, 1 = no vector
  size_t count() const { return nulls_.size(); }
  // Bytes held in memory: the rows (as their huge-page mapping takes them), the null map and the
  // indexes' own memory (index::VectorIndex::MemoryBytes), for cache budgets.
  size_t MemoryBytes() const;

  // k nearest rows with a vector (and in `allowed`, when given). exact = scan every row.
  Result<std::vector<index::Neighbor>> Search(const float* query, size_t k, size_t ef, bool exact,
                                              const index::AllowedRows* allowed = nullptr) const;

 private:
  friend class AiLakeFileReader;
  VectorColumnMeta meta_;
  AilkSection section_;
  core::HugeVector<uint8_t> rows_;  // on huge pages: searches read it at random
  std::vector<uint8_t> nulls_;
  bool any_null_ = false;
  std::unique_ptr<index::VectorIndex> index_;
  std::unique_ptr<index::VectorIndex> flat_;  // exact mode, created on demand at load
};

class AiLakeFileReader {
 public:
  static Result<std::unique_ptr<AiLakeFileReader>> Open(std::shared_ptr<RandomAccessFile> file);
  static Result<std::unique_ptr<AiLakeFileReader>> OpenPath(const std::string& path);

  parquet::ParquetReader& parquet() { return *parquet_; }
  const std::string& name() const { return file_->name(); }
  bool is_ailake() const { return !columns_.empty(); }
  const std::vector<VectorColumnMeta>& vector_columns() const { return columns_; }
  // "" = the primary (first) vector column.
  Result<const VectorColumnMeta*> FindVectorColumn(const std::string& name) const;

  Result<AilkSection> ReadSection(const VectorColumnMeta& column) const;
  // Decoded rows (stored precision, contiguous) and the null map, across all row groups.
  Status ReadVectors(const VectorColumnMeta& column, core::HugeVector<uint8_t>* rows, std::vector<uint8_t>* nulls);
  // Section + vectors + validated index.
  Result<std::unique_ptr<LoadedVectorColumn>> LoadColumn(const std::string& name);

 private:
  AiLakeFileReader() = default;
  Status ParseMetadata();
  std::shared_ptr<RandomAccessFile> file_;
  std::unique_ptr<parquet::ParquetReader> parquet_;
  std::vector<VectorColumnMeta> columns_;
};

}  // namespace ailake::file
