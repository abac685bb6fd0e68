// ParquetReader: reads Parquet files (ours and other writers') through a RandomAccessFile.
//
// Open reads only the tail (footer length + magic, then the footer), parses it with the Thrift
// compact protocol under explicit limits (string/container sizes, nesting depth), and validates
// every offset against the file size before use. ReadRowGroup reads only the byte ranges of the
// projected column chunks. Every failure names the file and what is wrong; nothing read from the
// file is trusted (checked arithmetic, caps before allocation).
//
// Top-level fields map to Batch columns (reader_schema.h has the rules):
//   primitive columns      their DataType; logical types without a DataType of their own are
//                          described by Field::logical (UINT64 -> kInt64 + kUnsigned; DECIMAL,
//                          TIME, UUID, INT96 timestamps -> kString holding exact text)
//   list<primitive>        kList (3-level LIST, legacy 2-level forms, bare repeated fields)
//   every other nesting    structs, maps, lists of structs/lists, any depth: kString with
//                          Field::logical == Logical::kJson, one JSON document per row (null when
//                          the field is null). This is the value API for nested data: parse the
//                          text, or render rows with RowToJson (value_json.h), which embeds it.
// A field the reader cannot represent (encrypted column, malformed LIST/MAP group, ...) is listed
// with supported(i) == false, and reading it (explicitly or through an empty projection, which
// means every field) fails with NotSupported naming the column and the reason: never an omission.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "core/io.h"
#include "parquet/batch.h"
#include "parquet/file_info.h"

namespace ailake::parquet {

struct ReaderOptions {
  uint32_t max_footer_bytes = 64u << 20;        // refuse larger footers
  uint32_t max_thrift_string_bytes = 16u << 20;
  uint32_t max_thrift_container_items = 1u << 20;
  int32_t max_thrift_depth = 64;
  uint64_t max_page_bytes = 512ull << 20;       // refuse pages claiming more (compressed or not)
  // Caps per column chunk read: a few bytes of RLE levels or shared prefixes can claim huge outputs,
  // so decoded sizes are bounded independently of the input size.
  uint64_t max_column_values = 1ull << 28;      // levels / values decoded from one column chunk
  uint64_t max_column_bytes = 8ull << 30;       // decoded value bytes from one column chunk
  bool verify_page_crc = false;
};

class ParquetReader {
 public:
  static Result<std::unique_ptr<ParquetReader>> Open(std::shared_ptr<RandomAccessFile> file,
                                                     ReaderOptions options = {});
  static Result<std::unique_ptr<ParquetReader>> OpenPath(const std::string& path, ReaderOptions options = {});
  virtual ~ParquetReader() = default;

  // Top-level fields as Batch fields. Fields the reader cannot decode are present with
  // supported(i) == false.
  virtual const Schema& schema() const = 0;
  virtual bool supported(int field) const = 0;
  virtual const FileInfo& info() const = 0;
  virtual int64_t num_rows() const = 0;
  virtual int num_row_groups() const = 0;
  virtual int64_t row_group_num_rows(int rg) const = 0;
  // File key/value lookup (nullptr when absent).
  virtual const std::string* FindKeyValue(const std::string& key) const = 0;

  // Reads the given top-level fields (indices into schema()) of one row group. The Batch schema is
  // the projected fields in the given order. An empty `fields` list means all fields (an
  // unsupported one is an error).
  virtual Result<Batch> ReadRowGroup(int rg, const std::vector<int>& fields) = 0;
  // All row groups concatenated.
  virtual Result<Batch> ReadAll(const std::vector<int>& fields) = 0;

  // Resolves column names to field indices (NotFound naming the missing column and the ones present).
  Result<std::vector<int>> FieldIndices(const std::vector<std::string>& names) const;
};

}  // namespace ailake::parquet
