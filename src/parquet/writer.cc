// ParquetWriter implementation.
//
// Rows are buffered (copied once, in bulk) until a row group is full; a caller batch that fills a whole
// row group by itself is encoded straight from its buffers. Each row group is written column chunk by
// column chunk; each chunk is
//   [dictionary page]  PageHeader(DICTIONARY_PAGE) + PLAIN distinct values      (string/binary, if it pays)
//   data page+         PageHeader(DATA_PAGE or DATA_PAGE_V2) + body
// Data page v1 body (compressed as one unit):
//   [u32 LE length + RLE/bit-packed definition levels]   (only for optional columns)
//   values: PLAIN, or 1 byte bit width + RLE/bit-packed dictionary indices
// Data page v2 body: definition levels (never compressed, length in the header) then the values
// (compressed unless is_compressed = false). Pages are cut when their uncompressed value bytes reach
// WriterOptions::page_bytes. The footer is the Thrift compact FileMetaData, its u32 LE length, "PAR1".
#include "parquet/writer.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>

#include "gen-cpp/parquet_types.h"
#include "parquet/chunk_metadata.h"
#include "parquet/compression.h"
#include "parquet/dictionary_encoder.h"
#include "parquet/page_body.h"
#include "parquet/page_header.h"
#include "parquet/plain_encoder.h"
#include "parquet/statistics.h"
#include "parquet/thrift_io.h"
#include "parquet/writer_schema.h"

namespace ailake::parquet {

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kGzip: return "gzip";
    case Compression::kLz4Raw: return "lz4_raw";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

Result<Compression> ParseCompression(std::string_view s) {
  std::string lower(s);
  for (char& ch : lower) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (lower == "none" || lower == "uncompressed") return Compression::kNone;
  if (lower == "snappy") return Compression::kSnappy;
  if (lower == "gzip") return Compression::kGzip;
  if (lower == "lz4_raw" || lower == "lz4") return Compression::kLz4Raw;
  if (lower == "zstd") return Compression::kZstd;
  return Status::InvalidArgument("unknown compression '" + std::string(s) +
                                 "' (expected one of: none, snappy, gzip, lz4_raw, zstd)");
}

namespace {

constexpr uint8_t kMagic[4] = {'P', 'A', 'R', '1'};
// A dictionary page above this size is not worth it (and would delay the first data page for readers).
constexpr int64_t kMaxDictionaryBytes = 1 << 20;

bool IsVarWidth(DataType t) { return t == DataType::kString || t == DataType::kBinary; }

// Bytes per row in Column::values for fixed-width columns (0 for string/binary).
int64_t ValueWidth(const Column& c) {
  if (c.type() == DataType::kFixedBinary) return c.fixed_len();
  return FixedWidth(Field::Make("", c.type()));
}

// Bytes rows [begin, begin + k) add to a row group (PLAIN-size estimate), summed over all columns.
struct RowCost {
  int64_t fixed_per_row = 0;
  std::vector<const Column*> var_columns;
  int64_t Bytes(int64_t begin, int64_t k) const {
    int64_t b = fixed_per_row * k;
    for (const Column* c : var_columns) b += c->offsets()[begin + k] - c->offsets()[begin] + 4 * k;
    return b;
  }
};

// Appends rows [begin, end) of src to dst in bulk (same type); validity bits are set explicitly.
void AppendRange(const Column& src, int64_t begin, int64_t end, int64_t src_nulls, Column* dst) {
  const int64_t n = end - begin;
  const int64_t old_len = dst->length();
  const int64_t new_len = old_len + n;
  std::vector<uint8_t>& dv = dst->validity();
  // An empty bitmap means "no nulls so far"; materialize it (all valid) once nulls arrive.
  const bool had_bitmap = !dv.empty();
  if (src_nulls > 0 && !had_bitmap) dv.assign(static_cast<size_t>((old_len + 7) / 8), 0xFF);
  if (had_bitmap || src_nulls > 0) {
    dv.resize(static_cast<size_t>((new_len + 7) / 8), 0);
    for (int64_t i = 0; i < n; ++i) dst->SetValid(old_len + i, src.IsValid(begin + i));
  }
  const int64_t w = ValueWidth(src);
  std::vector<uint8_t>& values = dst->values();
  if (w > 0) {
    const uint8_t* s = src.values().data() + static_cast<size_t>(begin) * static_cast<size_t>(w);
    values.insert(values.end(), s, s + static_cast<size_t>(n) * static_cast<size_t>(w));
  } else {
    const int64_t* so = src.offsets().data();
    const int64_t base = static_cast<int64_t>(values.size());
    const uint8_t* s = src.values().data();
    values.insert(values.end(), s + so[begin], s + so[end]);
    std::vector<int64_t>& offs = dst->offsets();
    if (offs.empty()) offs.push_back(0);
    offs.reserve(offs.size() + static_cast<size_t>(n));
    for (int64_t i = begin + 1; i <= end; ++i) offs.push_back(so[i] - so[begin] + base);
  }
  dst->set_length(new_len);
}

void ClearColumn(Column* c) {
  c->validity().clear();
  c->values().clear();
  if (IsVarWidth(c->type())) c->offsets().assign(1, 0);
  c->set_length(0);
}

class ParquetWriterImpl final : public ParquetWriter {
 public:
  ParquetWriterImpl(WritableFile* out, Schema schema, WriterOptions options)
      : out_(out), schema_(std::move(schema)), opt_(std::move(options)), dict_(kMaxDictionaryBytes) {
    pending_ = Batch::Empty(schema_);
    for (const Field& f : schema_.fields) {
      plain_uncompressed_.push_back(std::find(opt_.plain_uncompressed_columns.begin(),
                                              opt_.plain_uncompressed_columns.end(),
                                              f.name) != opt_.plain_uncompressed_columns.end());
    }
  }

  Status Start() { return AppendBytes(kMagic, sizeof(kMagic)); }

  Status WriteBatch(const Batch& batch) override;
  Status FlushRowGroup() override;
  Result<uint64_t> WriteBeforeFooter(const uint8_t* data, size_t length) override;
  void AddKeyValue(std::string key, std::string value) override;
  Status Close() override;
  uint64_t position() const override { return pos_; }
  int64_t rows_written() const override { return rows_written_; }

 private:
  Status CheckWritable(const char* op) const;
  Status CheckBatch(const Batch& batch) const;
  Status Fail(Status st) {
    if (error_.ok()) error_ = st;
    return st;
  }
  Status AppendBytes(const uint8_t* data, size_t n) {
    if (n == 0) return Status::OK();
    Status st = out_->Append(data, n);
    if (!st.ok()) return Fail(st.WithContext("parquet writer: writing " + out_->name()));
    pos_ += n;
    return Status::OK();
  }
  Status WriteRowGroup(const Batch& batch, int64_t begin, int64_t end);
  Status WriteColumnChunk(size_t field, const Column& col, int64_t begin, int64_t end, format::ColumnChunk* chunk,
                          int64_t* uncompressed_total);
  Status WriteDictionaryPage(WrittenChunk* chunk);
  // Every data page of rows [begin, end): at least one, even for an empty chunk.
  Status WriteDataPages(const Field& field, const Column& col, int64_t begin, int64_t end, WrittenChunk* chunk);
  // Writes one page: header + body. body = levels (optional) + values. For v1, levels carry the u32
  // length prefix already; for v2 they are written uncompressed and only values are compressed.
  Status WritePage(format::PageHeader* header, Compression codec, const std::vector<uint8_t>& levels,
                   ByteSpan values, int64_t* compressed_total, int64_t* uncompressed_total);

  WritableFile* out_;
  Schema schema_;
  WriterOptions opt_;
  std::vector<bool> plain_uncompressed_;
  Batch pending_;
  int64_t pending_bytes_ = 0;
  uint64_t pos_ = 0;
  int64_t rows_written_ = 0;
  std::vector<format::RowGroup> row_groups_;
  std::vector<KeyValue> key_values_;
  Status error_;
  bool rows_closed_ = false;  // after WriteBeforeFooter
  bool closed_ = false;
  DictionaryEncoder dict_;
  // Scratch buffers reused across pages (no per-page allocation once warmed up).
  std::vector<uint8_t> levels_, values_, body_, compressed_, header_;
};

Status ParquetWriterImpl::CheckWritable(const char* op) const {
  if (!error_.ok()) return error_;
  if (closed_) return Status::InvalidArgument(std::string("parquet writer: ") + op + " after Close");
  return Status::OK();
}

Status ParquetWriterImpl::CheckBatch(const Batch& batch) const {
  AILAKE_RETURN_IF_ERROR(batch.Validate().WithContext("parquet writer: invalid batch"));
  if (batch.schema.fields.size() != schema_.fields.size()) {
    return Status::InvalidArgument("parquet writer: batch has " + std::to_string(batch.schema.fields.size()) +
                                   " fields, the file schema " + std::to_string(schema_.fields.size()));
  }
  for (size_t i = 0; i < schema_.fields.size(); ++i) {
    const Field& want = schema_.fields[i];
    const Field& got = batch.schema.fields[i];
    const std::string where = "parquet writer: batch field " + std::to_string(i) + " ('" + got.name + "')";
    if (got.name != want.name) return Status::InvalidArgument(where + " should be '" + want.name + "'");
    if (got.type != want.type) {
      return Status::InvalidArgument(where + " is " + std::string(DataTypeName(got.type)) + ", the file schema says " +
                                     std::string(DataTypeName(want.type)));
    }
    if (want.type == DataType::kFixedBinary && batch.columns[i].fixed_len() != want.fixed_len) {
      return Status::InvalidArgument(where + " has fixed_len " + std::to_string(batch.columns[i].fixed_len()) +
                                     ", the file schema " + std::to_string(want.fixed_len));
    }
    if (want.type == DataType::kTimestamp && got.unit != want.unit)
      return Status::InvalidArgument(where + " has a different timestamp unit than the file schema");
    if (!want.nullable && batch.columns[i].null_count() > 0)
      return Status::InvalidArgument(where + " has nulls but the file schema declares it required");
  }
  return Status::OK();
}

Status ParquetWriterImpl::WriteBatch(const Batch& batch) {
  AILAKE_RETURN_IF_ERROR(CheckWritable("WriteBatch"));
  if (rows_closed_) return Status::InvalidArgument("parquet writer: WriteBatch after WriteBeforeFooter");
  AILAKE_RETURN_IF_ERROR(CheckBatch(batch));

  RowCost cost;
  for (const Column& c : batch.columns) {
    if (IsVarWidth(c.type())) cost.var_columns.push_back(&c);
    else cost.fixed_per_row += ValueWidth(c);
  }
  const int64_t n = batch.num_rows;
  int64_t off = 0;
  while (off < n) {
    const int64_t room_rows = std::min(opt_.row_group_rows - pending_.num_rows, n - off);
    const int64_t room_bytes = opt_.row_group_bytes - pending_bytes_;
    // Largest k <= room_rows whose bytes fit (byte cost is monotone in k).
    int64_t lo = 0, hi = room_rows;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo + 1) / 2;
      if (cost.Bytes(off, mid) <= room_bytes) lo = mid;
      else hi = mid - 1;
    }
    int64_t take = lo;
    if (take == 0) {
      if (pending_.num_rows > 0) {
        AILAKE_RETURN_IF_ERROR(FlushRowGroup());
        continue;
      }
      take = 1;  // a single row above the byte limit still gets a row group
    }
    const bool group_full = off + take < n || pending_.num_rows + take == opt_.row_group_rows;
    if (group_full && pending_.num_rows == 0) {
      AILAKE_RETURN_IF_ERROR(WriteRowGroup(batch, off, off + take));
    } else {
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        const Column& src = batch.columns[c];
        AppendRange(src, off, off + take, NullCountInRange(src, off, off + take), &pending_.columns[c]);
      }
      pending_.num_rows += take;
      pending_bytes_ += cost.Bytes(off, take);
      if (group_full) AILAKE_RETURN_IF_ERROR(FlushRowGroup());
    }
    off += take;
  }
  return Status::OK();
}

Status ParquetWriterImpl::FlushRowGroup() {
  AILAKE_RETURN_IF_ERROR(CheckWritable("FlushRowGroup"));
  if (pending_.num_rows == 0) return Status::OK();
  AILAKE_RETURN_IF_ERROR(WriteRowGroup(pending_, 0, pending_.num_rows));
  for (Column& c : pending_.columns) ClearColumn(&c);
  pending_.num_rows = 0;
  pending_bytes_ = 0;
  return Status::OK();
}

Status ParquetWriterImpl::WriteRowGroup(const Batch& batch, int64_t begin, int64_t end) {
  format::RowGroup rg;
  const int64_t start = static_cast<int64_t>(pos_);
  int64_t uncompressed = 0;
  rg.columns.resize(batch.columns.size());
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    // Part of the row group may already be in the file: any failure leaves it unusable (sticky).
    Status st = WriteColumnChunk(c, batch.columns[c], begin, end, &rg.columns[c], &uncompressed);
    if (!st.ok()) return Fail(st.WithContext("parquet writer: column '" + schema_.fields[c].name + "'"));
  }
  rg.__set_num_rows(end - begin);
  rg.__set_total_byte_size(uncompressed);
  rg.__set_file_offset(start);
  rg.__set_total_compressed_size(static_cast<int64_t>(pos_) - start);
  if (row_groups_.size() <= static_cast<size_t>(INT16_MAX)) rg.__set_ordinal(static_cast<int16_t>(row_groups_.size()));
  row_groups_.push_back(std::move(rg));
  rows_written_ += end - begin;
  return Status::OK();
}

Status ParquetWriterImpl::WritePage(format::PageHeader* header, Compression codec, const std::vector<uint8_t>& levels,
                                    ByteSpan values, int64_t* compressed_total, int64_t* uncompressed_total) {
  const bool v2 = header->type == format::PageType::DATA_PAGE_V2;
  const size_t uncompressed = levels.size() + values.size;
  if (uncompressed > static_cast<size_t>(INT32_MAX))
    return Fail(Status::InvalidArgument("parquet writer: a page would exceed 2 GiB (a single huge value?)"));
  ByteSpan tail = values;              // what follows the levels on disk
  const uint8_t* head = levels.data();  // levels (v1: part of the compressed stream)
  size_t head_size = levels.size();
  if (codec != Compression::kNone) {
    compressed_.clear();
    if (v2) {
      AILAKE_RETURN_IF_ERROR(Compress(codec, opt_.compression_level, values.data, values.size, &compressed_));
    } else {
      body_.clear();
      body_.insert(body_.end(), levels.begin(), levels.end());
      if (values.size) body_.insert(body_.end(), values.data, values.data + values.size);
      AILAKE_RETURN_IF_ERROR(Compress(codec, opt_.compression_level, body_.data(), body_.size(), &compressed_));
      head = nullptr;
      head_size = 0;
    }
    tail = {compressed_.data(), compressed_.size()};
  }
  const size_t on_disk = head_size + tail.size;
  if (on_disk > static_cast<size_t>(INT32_MAX))
    return Fail(Status::InvalidArgument("parquet writer: a compressed page would exceed 2 GiB"));
  header->__set_uncompressed_page_size(static_cast<int32_t>(uncompressed));
  header->__set_compressed_page_size(static_cast<int32_t>(on_disk));
  header_.clear();
  Status st = ThriftSerialize(*header, &header_);
  if (!st.ok()) return Fail(st);
  AILAKE_RETURN_IF_ERROR(AppendBytes(header_.data(), header_.size()));
  AILAKE_RETURN_IF_ERROR(AppendBytes(head, head_size));
  AILAKE_RETURN_IF_ERROR(AppendBytes(tail.data, tail.size));
  *compressed_total += static_cast<int64_t>(header_.size() + on_disk);
  *uncompressed_total += static_cast<int64_t>(header_.size() + uncompressed);
  return Status::OK();
}

// One column chunk: plan (codec, dictionary or PLAIN), the dictionary page, the data pages, and
// the chunk's footer metadata.
Status ParquetWriterImpl::WriteColumnChunk(size_t field_index, const Column& col, int64_t begin, int64_t end,
                                           format::ColumnChunk* chunk, int64_t* uncompressed_total) {
  const Field& field = schema_.fields[field_index];
  const bool forced_plain = plain_uncompressed_[field_index];
  const int64_t nulls = NullCountInRange(col, begin, end);
  WrittenChunk written;
  written.codec = forced_plain ? Compression::kNone : opt_.compression;
  written.dictionary = opt_.dictionary && !forced_plain && IsVarWidth(col.type()) && dict_.Build(col, begin, end);
  written.value_encoding = written.dictionary ? format::Encoding::RLE_DICTIONARY : format::Encoding::PLAIN;
  const int64_t chunk_start = static_cast<int64_t>(pos_);
  if (written.dictionary) AILAKE_RETURN_IF_ERROR(WriteDictionaryPage(&written));
  AILAKE_RETURN_IF_ERROR(WriteDataPages(field, col, begin, end, &written));
  std::optional<ChunkStatistics> stats;
  if (opt_.statistics) stats = ComputeStatistics(col, begin, end, nulls, !forced_plain);
  chunk->__set_file_offset(chunk_start);
  chunk->__set_meta_data(ChunkMetaData(field, written, end - begin, stats));
  *uncompressed_total += written.uncompressed_bytes;
  return Status::OK();
}

Status ParquetWriterImpl::WriteDictionaryPage(WrittenChunk* chunk) {
  chunk->dictionary_offset = static_cast<int64_t>(pos_);
  values_.clear();
  dict_.EncodeDictionaryPage(&values_);
  format::PageHeader h = DictionaryPageHeader(static_cast<int32_t>(dict_.num_entries()));
  levels_.clear();
  AILAKE_RETURN_IF_ERROR(WritePage(&h, chunk->codec, levels_, {values_.data(), values_.size()}, &chunk->compressed_bytes,
                                   &chunk->uncompressed_bytes));
  chunk->page_stats.push_back(EncodingStats(format::PageType::DICTIONARY_PAGE, format::Encoding::PLAIN, 1));
  return Status::OK();
}

Status ParquetWriterImpl::WriteDataPages(const Field& field, const Column& col, int64_t begin, int64_t end,
                                         WrittenChunk* chunk) {
  chunk->data_offset = static_cast<int64_t>(pos_);
  const bool v2 = opt_.data_page_v2;
  PageCut cut;
  cut.page_bytes = opt_.page_bytes;
  cut.dictionary_bit_width = chunk->dictionary ? dict_.bit_width() : 0;
  cut.fixed_width = FixedWidth(field);
  const uint8_t* validity = col.validity().empty() ? nullptr : col.validity().data();
  int32_t data_pages = 0;
  size_t dict_index = 0;  // next dictionary index (one per non-null value)
  int64_t r = begin;
  do {  // at least one page, even for an empty chunk
    const int64_t page_end = PageEnd(cut, col, r, end);
    const int64_t rows = page_end - r;
    const int64_t page_nulls = NullCountInRange(col, r, page_end);
    levels_.clear();
    if (field.nullable) EncodeDefinitionLevels(page_nulls == 0 ? nullptr : validity, r, rows, v2, &levels_);
    const ByteSpan values =
        EncodePageValues(col, r, page_end, page_nulls, chunk->dictionary ? &dict_ : nullptr, &dict_index, &values_);
    DataPageShape shape;
    shape.v2 = v2;
    shape.rows = static_cast<int32_t>(rows);
    shape.nulls = static_cast<int32_t>(page_nulls);
    shape.encoding = chunk->value_encoding;
    shape.definition_levels_bytes = static_cast<int32_t>(levels_.size());
    shape.compressed = chunk->codec != Compression::kNone;
    format::PageHeader h = DataPageHeader(shape);
    AILAKE_RETURN_IF_ERROR(WritePage(&h, chunk->codec, levels_, values, &chunk->compressed_bytes, &chunk->uncompressed_bytes));
    ++data_pages;
    r = page_end;
  } while (r < end);
  chunk->page_stats.push_back(
      EncodingStats(v2 ? format::PageType::DATA_PAGE_V2 : format::PageType::DATA_PAGE, chunk->value_encoding, data_pages));
  return Status::OK();
}

Result<uint64_t> ParquetWriterImpl::WriteBeforeFooter(const uint8_t* data, size_t length) {
  AILAKE_RETURN_IF_ERROR(CheckWritable("WriteBeforeFooter"));
  AILAKE_RETURN_IF_ERROR(FlushRowGroup());
  rows_closed_ = true;
  const uint64_t at = pos_;
  AILAKE_RETURN_IF_ERROR(AppendBytes(data, length));
  return at;
}

void ParquetWriterImpl::AddKeyValue(std::string key, std::string value) {
  for (KeyValue& kv : key_values_) {
    if (kv.key == key) {
      kv.value = std::move(value);
      return;
    }
  }
  key_values_.push_back({std::move(key), std::move(value)});
}

Status ParquetWriterImpl::Close() {
  AILAKE_RETURN_IF_ERROR(CheckWritable("Close"));
  AILAKE_RETURN_IF_ERROR(FlushRowGroup());

  format::FileMetaData md;
  md.__set_version(1);
  md.__set_schema(ToParquetSchema(schema_));
  md.__set_num_rows(rows_written_);
  md.__set_row_groups(row_groups_);
  // Field metadata first ("<field>.<key>"), then file-level pairs, which win on equal keys.
  std::vector<KeyValue> all;
  for (const Field& f : schema_.fields)
    for (const KeyValue& kv : f.metadata) all.push_back({f.name + "." + kv.key, kv.value});
  for (const KeyValue& kv : key_values_) {
    auto it = std::find_if(all.begin(), all.end(), [&](const KeyValue& x) { return x.key == kv.key; });
    if (it != all.end()) it->value = kv.value;
    else all.push_back(kv);
  }
  if (!all.empty()) {
    std::vector<format::KeyValue> kvs;
    for (const KeyValue& kv : all) {
      format::KeyValue t;
      t.__set_key(kv.key);
      t.__set_value(kv.value);
      kvs.push_back(std::move(t));
    }
    md.__set_key_value_metadata(kvs);
  }
  md.__set_created_by(opt_.created_by);
  // TYPE_ORDER for every leaf: tells readers min_value/max_value use the type-defined order.
  std::vector<format::ColumnOrder> orders(schema_.fields.size());
  for (format::ColumnOrder& o : orders) o.__set_TYPE_ORDER(format::TypeDefinedOrder());
  md.__set_column_orders(orders);

  std::vector<uint8_t> footer;
  Status st = ThriftSerialize(md, &footer);
  if (!st.ok()) return Fail(st);
  if (footer.size() > UINT32_MAX) return Fail(Status::InvalidArgument("parquet writer: footer exceeds 4 GiB"));
  const uint32_t len = static_cast<uint32_t>(footer.size());
  for (int i = 0; i < 4; ++i) footer.push_back(static_cast<uint8_t>(len >> (8 * i)));
  footer.insert(footer.end(), kMagic, kMagic + 4);
  AILAKE_RETURN_IF_ERROR(AppendBytes(footer.data(), footer.size()));
  st = out_->Close();
  if (!st.ok()) return Fail(st.WithContext("parquet writer: closing " + out_->name()));
  closed_ = true;
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(WritableFile* out, Schema schema, WriterOptions options) {
  if (out == nullptr) return Status::InvalidArgument("parquet writer: no output file");
  AILAKE_RETURN_IF_ERROR(ValidateWriterSchema(schema));
  if (out->Tell() != 0) {
    return Status::InvalidArgument("parquet writer: output " + out->name() +
                                   " is not empty (offsets in the footer are absolute, so the file must start here)");
  }
  if (options.row_group_rows <= 0 || options.row_group_bytes <= 0 || options.page_bytes <= 0) {
    return Status::InvalidArgument("parquet writer: row_group_rows, row_group_bytes and page_bytes must be positive");
  }
  for (const std::string& name : options.plain_uncompressed_columns) {
    if (schema.FieldIndex(name) < 0)
      return Status::InvalidArgument("parquet writer: plain_uncompressed_columns names unknown column '" + name + "'");
  }
  auto w = std::make_unique<ParquetWriterImpl>(out, std::move(schema), std::move(options));
  AILAKE_RETURN_IF_ERROR(w->Start());
  return std::unique_ptr<ParquetWriter>(std::move(w));
}

}  // namespace ailake::parquet
