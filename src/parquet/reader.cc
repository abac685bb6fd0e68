// ParquetReader implementation: footer parsing, schema mapping, FileInfo, row-group reads.
//
// File layout (parquet-format):
//   "PAR1" | column chunks ... | FileMetaData (Thrift compact) | u32 LE footer length | "PAR1"
// Open reads the last 8 bytes, then exactly the footer; ReadRowGroup reads exactly the projected
// column chunks. Bytes between the last chunk and the footer (AILK sections) are never touched.
#include "parquet/reader.h"

#include <cstring>
#include <map>
#include <string>

#include "core/checked.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/column_reader.h"
#include "parquet/compression.h"
#include "parquet/reader_nested.h"
#include "parquet/reader_schema.h"
#include "parquet/thrift_io.h"

namespace ailake::parquet {

namespace {

namespace fmt = ::ailake::parquet::format;

constexpr uint8_t kMagic[4] = {'P', 'A', 'R', '1'};
constexpr uint8_t kEncryptedMagic[4] = {'P', 'A', 'R', 'E'};

template <typename Map>
std::string EnumName(const Map& names, int v) {
  auto it = names.find(v);
  return it == names.end() ? "UNKNOWN(" + std::to_string(v) + ")" : std::string(it->second);
}

// Concatenates src onto dst buffer by buffer (same type), instead of value by value.
void AppendColumn(Column* dst, const Column& src) {
  const int64_t dl = dst->length(), sl = src.length();
  if (!dst->validity().empty() || !src.validity().empty()) {
    std::vector<uint8_t> bits(static_cast<size_t>((dl + sl + 7) / 8), 0);
    for (int64_t i = 0; i < dl; ++i)
      if (dst->IsValid(i)) bits[i >> 3] = static_cast<uint8_t>(bits[i >> 3] | (1u << (i & 7)));
    for (int64_t i = 0; i < sl; ++i)
      if (src.IsValid(i)) bits[(dl + i) >> 3] = static_cast<uint8_t>(bits[(dl + i) >> 3] | (1u << ((dl + i) & 7)));
    dst->validity() = std::move(bits);
  }
  if (src.type() == DataType::kList) {
    const int64_t base = dst->child()->length();
    for (int64_t i = 1; i <= sl; ++i) dst->offsets().push_back(src.offsets()[i] + base);
    AppendColumn(dst->child(), *src.child());
  } else if (src.type() == DataType::kString || src.type() == DataType::kBinary) {
    const int64_t base = static_cast<int64_t>(dst->values().size());
    for (int64_t i = 1; i <= sl; ++i) dst->offsets().push_back(src.offsets()[i] + base);
    dst->values().insert(dst->values().end(), src.values().begin(), src.values().end());
  } else {
    dst->values().insert(dst->values().end(), src.values().begin(), src.values().end());
  }
  dst->set_length(dl + sl);
}

class ParquetReaderImpl final : public ParquetReader {
 public:
  ParquetReaderImpl(std::shared_ptr<RandomAccessFile> file, ReaderOptions options)
      : file_(std::move(file)), options_(options) {}

  Status Init();

  const Schema& schema() const override { return rs_.schema; }
  bool supported(int field) const override {
    return field >= 0 && static_cast<size_t>(field) < rs_.fields.size() && rs_.fields[field].supported;
  }
  const FileInfo& info() const override { return info_; }
  int64_t num_rows() const override { return num_rows_; }
  int num_row_groups() const override { return static_cast<int>(meta_.row_groups.size()); }
  int64_t row_group_num_rows(int rg) const override {
    if (rg < 0 || rg >= num_row_groups()) return 0;
    return meta_.row_groups[rg].num_rows;
  }
  const std::string* FindKeyValue(const std::string& key) const override {
    auto it = kv_.find(key);
    return it == kv_.end() ? nullptr : &it->second;
  }
  Result<Batch> ReadRowGroup(int rg, const std::vector<int>& fields) override;
  Result<Batch> ReadAll(const std::vector<int>& fields) override;

 private:
  Status Error(const std::string& what) const { return Status::Corruption(file_->name() + ": " + what); }
  Status ValidateRowGroups();
  void BuildInfo();
  Result<std::vector<int>> ResolveProjection(const std::vector<int>& fields) const;

  std::shared_ptr<RandomAccessFile> file_;
  ReaderOptions options_;
  uint64_t file_size_ = 0;
  uint64_t footer_offset_ = 0;
  uint32_t footer_length_ = 0;
  fmt::FileMetaData meta_;
  ReaderSchema rs_;
  FileInfo info_;
  std::map<std::string, std::string> kv_;
  int64_t num_rows_ = 0;  // the row groups' sum (see ValidateRowGroups)
};

Status ParquetReaderImpl::Init() {
  AILAKE_ASSIGN_OR_RETURN(file_size_, file_->Size());
  if (file_size_ < 12)
    return Error("file is " + std::to_string(file_size_) + " bytes, too small to be Parquet (at least 12 needed)");
  uint8_t head[4], tail[8];
  AILAKE_RETURN_IF_ERROR(file_->ReadAt(0, 4, head).WithContext(file_->name()));
  AILAKE_RETURN_IF_ERROR(file_->ReadAt(file_size_ - 8, 8, tail).WithContext(file_->name()));
  if (std::memcmp(tail + 4, kEncryptedMagic, 4) == 0)
    return Status::NotSupported(file_->name() + ": Parquet files with encrypted footers (magic \"PARE\", Parquet modular encryption) "
                                "are not supported: rewrite the file unencrypted with a tool that holds its keys");
  if (std::memcmp(head, kMagic, 4) != 0 || std::memcmp(tail + 4, kMagic, 4) != 0)
    return Error("not a Parquet file (magic \"PAR1\" missing at the " +
                 std::string(std::memcmp(head, kMagic, 4) != 0 ? "start" : "end") + ")");
  footer_length_ = LoadLE<uint32_t>(tail);
  if (footer_length_ > file_size_ - 12)
    return Error("footer length " + std::to_string(footer_length_) + " points past the start of the file (" +
                 std::to_string(file_size_) + " bytes)");
  if (footer_length_ > options_.max_footer_bytes)
    return Status::ResourceExhausted(file_->name() + ": footer of " + std::to_string(footer_length_) +
                                     " bytes exceeds the reader's limit of " + std::to_string(options_.max_footer_bytes));
  if (footer_length_ == 0) return Error("footer length is zero");
  footer_offset_ = file_size_ - 8 - footer_length_;
  std::vector<uint8_t> footer(footer_length_);
  AILAKE_RETURN_IF_ERROR(file_->ReadAt(footer_offset_, footer_length_, footer.data()).WithContext(file_->name()));
  ThriftLimits limits;
  limits.max_string_bytes = options_.max_thrift_string_bytes;
  limits.max_container_items = options_.max_thrift_container_items;
  limits.max_depth = options_.max_thrift_depth;
  size_t consumed = 0;
  Status st = ThriftDeserialize(footer.data(), footer.size(), limits, &meta_, &consumed, "footer (FileMetaData)");
  if (!st.ok()) return Status(st.code(), file_->name() + ": " + st.message());
  if (meta_.num_rows < 0) return Error("footer declares a negative row count");
  auto rs = BuildReaderSchema(meta_.schema);
  if (!rs.ok()) return Status(rs.status().code(), file_->name() + ": schema: " + rs.status().message());
  rs_ = std::move(rs).value();
  if (meta_.__isset.key_value_metadata)
    for (const auto& kv : meta_.key_value_metadata) kv_[kv.key] = kv.value;
  // Per-field metadata travels in the file key/value list as "<field>.<key>" (see writer.h).
  for (Field& f : rs_.schema.fields) {
    const std::string prefix = f.name + ".";
    for (const auto& [k, v] : kv_)
      if (k.size() > prefix.size() && k.compare(0, prefix.size(), prefix) == 0)
        f.metadata.push_back({k.substr(prefix.size()), v});
  }
  AILAKE_RETURN_IF_ERROR(ValidateRowGroups());
  BuildInfo();
  return Status::OK();
}

Status ParquetReaderImpl::ValidateRowGroups() {
  int64_t total = 0;
  for (size_t i = 0; i < meta_.row_groups.size(); ++i) {
    const fmt::RowGroup& rg = meta_.row_groups[i];
    const std::string where = "row group " + std::to_string(i);
    if (rg.num_rows < 0) return Error(where + " declares a negative row count");
    if (__builtin_add_overflow(total, rg.num_rows, &total)) return Error("row group row counts overflow");
    if (rg.columns.size() != rs_.leaves.size())
      return Error(where + " has " + std::to_string(rg.columns.size()) + " column chunks, the schema " +
                   std::to_string(rs_.leaves.size()) + " leaf columns");
  }
  // Some writers leave the footer's total at 0; like other readers, the row groups are trusted then.
  // Any other disagreement means a damaged footer.
  if (total != meta_.num_rows && meta_.num_rows != 0)
    return Error("row groups hold " + std::to_string(total) + " rows but the footer declares " +
                 std::to_string(meta_.num_rows));
  num_rows_ = total;
  // Encrypted columns (Parquet modular encryption with a plaintext footer): the fields holding
  // them cannot be read; they are named as such, never skipped.
  for (const fmt::RowGroup& rg : meta_.row_groups)
    for (size_t c = 0; c < rg.columns.size(); ++c)
      if (rg.columns[c].__isset.crypto_metadata || rg.columns[c].__isset.encrypted_column_metadata)
        rs_.leaves[c].encrypted = true;
  for (FieldMapping& m : rs_.fields) {
    for (int l = m.first_leaf; l < m.first_leaf + m.num_leaves; ++l) {
      if (!rs_.leaves[static_cast<size_t>(l)].encrypted) continue;
      m.supported = false;
      m.reason = "column '" + rs_.leaves[static_cast<size_t>(l)].path +
                 "' is encrypted (Parquet modular encryption, " +
                 (meta_.__isset.encryption_algorithm ? "plaintext footer" : "no algorithm in the footer") +
                 "), which ailake cannot decrypt: rewrite the file unencrypted with a tool that holds its "
                 "keys, or read the other columns by name";
      break;
    }
  }
  return Status::OK();
}

void ParquetReaderImpl::BuildInfo() {
  info_.version = meta_.version;
  info_.num_rows = num_rows_;
  info_.created_by = meta_.__isset.created_by ? meta_.created_by : "";
  info_.file_size = file_size_;
  info_.footer_offset = footer_offset_;
  info_.footer_length = footer_length_;
  for (const LeafColumn& l : rs_.leaves) info_.leaves.push_back(l.info);
  if (meta_.__isset.key_value_metadata)
    for (const auto& kv : meta_.key_value_metadata) info_.key_value.push_back({kv.key, kv.value});
  for (const fmt::RowGroup& rg : meta_.row_groups) {
    RowGroupInfo ri;
    ri.num_rows = rg.num_rows;
    ri.total_byte_size = rg.total_byte_size;
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const fmt::ColumnChunk& cc = rg.columns[c];
      ColumnChunkInfo ci;
      ci.path = rs_.leaves[c].path;
      if (cc.__isset.meta_data) {
        const fmt::ColumnMetaData& md = cc.meta_data;
        ci.physical_type = EnumName(fmt::_Type_VALUES_TO_NAMES, ThriftEnum(md.type));
        ci.codec = EnumName(fmt::_CompressionCodec_VALUES_TO_NAMES, ThriftEnum(md.codec));
        for (const auto& e : md.encodings) ci.encodings.push_back(EnumName(fmt::_Encoding_VALUES_TO_NAMES, ThriftEnum(e)));
        ci.num_values = md.num_values;
        ci.total_compressed_size = md.total_compressed_size;
        ci.total_uncompressed_size = md.total_uncompressed_size;
        ci.data_page_offset = md.data_page_offset;
        if (md.__isset.dictionary_page_offset) ci.dictionary_page_offset = md.dictionary_page_offset;
        if (md.__isset.statistics) {
          const fmt::Statistics& s = md.statistics;
          if (s.__isset.null_count) ci.stats.null_count = s.null_count;
          if (s.__isset.distinct_count) ci.stats.distinct_count = s.distinct_count;
          if (s.__isset.min_value && s.__isset.max_value) {
            ci.stats.has_min_max = true;
            ci.stats.min_raw = s.min_value;
            ci.stats.max_raw = s.max_value;
          } else if (s.__isset.min && s.__isset.max && ci.physical_type != "BYTE_ARRAY" &&
                     ci.physical_type != "FIXED_LEN_BYTE_ARRAY") {
            // Legacy fields. Old writers ordered byte arrays as *signed* bytes, so for those types
            // the legacy bounds are not the unsigned bounds readers (and row-group skipping) assume:
            // they are dropped. For numeric types the legacy order is the natural one.
            ci.stats.has_min_max = true;
            ci.stats.min_raw = s.min;
            ci.stats.max_raw = s.max;
          }
        }
      }
      ri.columns.push_back(std::move(ci));
    }
    info_.row_groups.push_back(std::move(ri));
  }
}

Result<std::vector<int>> ParquetReaderImpl::ResolveProjection(const std::vector<int>& fields) const {
  std::vector<int> out;
  if (fields.empty())
    for (size_t i = 0; i < rs_.fields.size(); ++i) out.push_back(static_cast<int>(i));
  for (int f : fields.empty() ? out : fields) {
    if (f < 0 || static_cast<size_t>(f) >= rs_.fields.size())
      return Status::InvalidArgument(file_->name() + ": field index " + std::to_string(f) + " is out of range (" +
                                     std::to_string(rs_.fields.size()) + " fields)");
    if (!rs_.fields[f].supported)
      return Status::NotSupported(file_->name() + ": column '" + rs_.schema.fields[f].name +
                                  "' cannot be read: " + rs_.fields[f].reason);
  }
  return fields.empty() ? out : fields;
}

Result<Batch> ParquetReaderImpl::ReadRowGroup(int rg, const std::vector<int>& fields) {
  if (rg < 0 || rg >= num_row_groups())
    return Status::InvalidArgument(file_->name() + ": row group " + std::to_string(rg) + " does not exist (" +
                                   std::to_string(num_row_groups()) + " row groups)");
  AILAKE_ASSIGN_OR_RETURN(std::vector<int> proj, ResolveProjection(fields));
  const fmt::RowGroup& group = meta_.row_groups[rg];
  Batch batch;
  batch.num_rows = group.num_rows;
  for (int f : proj) {
    const Field& field = rs_.schema.fields[f];
    const FieldMapping& m = rs_.fields[f];
    ColumnChunkContext ctx;
    ctx.file = file_.get();
    ctx.data_end = footer_offset_;
    ctx.options = &options_;
    ctx.leaf = &rs_.leaves[m.first_leaf];
    ctx.mapping = &m;
    ctx.field = &field;
    ctx.num_rows = group.num_rows;
    Column col(field);
    Status st;
    if (m.nested) {
      std::vector<LeafChunk> chunks(static_cast<size_t>(m.num_leaves));
      for (int i = 0; i < m.num_leaves && st.ok(); ++i) {
        ctx.leaf = &rs_.leaves[static_cast<size_t>(m.first_leaf + i)];
        st = DecodeLeafChunk(ctx, group.columns[static_cast<size_t>(m.first_leaf + i)], &chunks[static_cast<size_t>(i)]);
      }
      if (st.ok()) {
        ctx.leaf = &rs_.leaves[m.first_leaf];
        st = AssembleNestedJson(*m.nested, rs_.leaves, chunks, group.num_rows, options_.max_column_bytes, &col);
      }
    } else {
      st = ReadColumnChunk(ctx, group.columns[m.first_leaf], &col);
    }
    if (!st.ok()) {
      return Status(st.code(), file_->name() + ": row group " + std::to_string(rg) + ", column '" + ctx.leaf->path +
                                   "': " + st.message());
    }
    batch.schema.fields.push_back(field);
    batch.columns.push_back(std::move(col));
  }
  return batch;
}

Result<Batch> ParquetReaderImpl::ReadAll(const std::vector<int>& fields) {
  AILAKE_ASSIGN_OR_RETURN(std::vector<int> proj, ResolveProjection(fields));
  Batch all;
  for (int f : proj) all.schema.fields.push_back(rs_.schema.fields[f]);
  all = Batch::Empty(all.schema);
  for (int rg = 0; rg < num_row_groups(); ++rg) {
    AILAKE_ASSIGN_OR_RETURN(Batch b, ReadRowGroup(rg, proj));
    if (num_row_groups() == 1) return b;
    for (size_t c = 0; c < all.columns.size(); ++c) AppendColumn(&all.columns[c], b.columns[c]);
    all.num_rows += b.num_rows;
  }
  return all;
}

}  // namespace

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(std::shared_ptr<RandomAccessFile> file,
                                                           ReaderOptions options) {
  if (!file) return Status::InvalidArgument("ParquetReader::Open: no file");
  auto r = std::make_unique<ParquetReaderImpl>(std::move(file), options);
  AILAKE_RETURN_IF_ERROR(r->Init());
  return std::unique_ptr<ParquetReader>(std::move(r));
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::OpenPath(const std::string& path, ReaderOptions options) {
  AILAKE_ASSIGN_OR_RETURN(auto file, OpenLocalReadable(path));
  return Open(std::move(file), options);
}

Result<std::vector<int>> ParquetReader::FieldIndices(const std::vector<std::string>& names) const {
  std::vector<int> out;
  for (const std::string& n : names) {
    int i = schema().FieldIndex(n);
    if (i < 0) {
      std::string present;
      for (const Field& f : schema().fields) present += (present.empty() ? "" : ", ") + f.name;
      return Status::NotFound("column '" + n + "' not found; the file has: " + present);
    }
    out.push_back(i);
  }
  return out;
}

}  // namespace ailake::parquet
