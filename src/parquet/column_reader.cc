#include "parquet/column_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <zlib.h>

#include "core/checked.h"
#include "core/civil_time.h"
#include "parquet/byte_stream_split.h"
#include "parquet/compression.h"
#include "parquet/delta_decoder.h"
#include "parquet/plain_decoder.h"
#include "parquet/rle_decoder.h"
#include "parquet/thrift_io.h"
#include "parquet/value_json.h"

namespace ailake::parquet {

namespace {

namespace fmt = ::ailake::parquet::format;

// ---------------------------------------------------------------------------------------------
// Page decoding: dense physical values + levels for the whole chunk.

class ChunkDecoder {
 public:
  ChunkDecoder(const ColumnChunkContext& ctx, Compression codec, bool lz4_hadoop)
      : ctx_(ctx), leaf_(*ctx.leaf), codec_(codec), lz4_hadoop_(lz4_hadoop) {
    const int32_t w = PhysicalWidth(leaf_.physical, leaf_.type_length);
    values_.Reset(w);
    values_.byte_limit = ctx.options->max_column_bytes;
    dict_.Reset(w);
    dict_.byte_limit = ctx.options->max_column_bytes;
  }

  Status DecodePages(const uint8_t* buf, uint64_t len, int64_t expected_values);

  ValueBuffer& values() { return values_; }
  std::vector<int16_t>& defs() { return defs_; }
  std::vector<int16_t>& reps() { return reps_; }
  uint64_t levels() const { return levels_; }

 private:
  Status DictionaryPage(const fmt::PageHeader& ph, const uint8_t* body, size_t body_len);
  Status DataPageV1(const fmt::PageHeader& ph, const uint8_t* body, size_t body_len);
  Status DataPageV2(const fmt::PageHeader& ph, const uint8_t* body, size_t body_len);
  // Reserves room for n more levels after checking the caps.
  Status AdmitLevels(int64_t n);
  Status DecodeLevels(const uint8_t* data, size_t len, int16_t max_level, size_t n, std::vector<int16_t>* out);
  // Counts the present values among the page's last n definition levels (validating them).
  Result<size_t> CountPresent(size_t n);
  Status DecodeValues(int32_t encoding, const uint8_t* data, size_t len, size_t n);
  Result<const uint8_t*> Uncompress(const uint8_t* data, size_t len, int64_t uncompressed, std::vector<uint8_t>* scratch);
  bool compressed() const { return codec_ != Compression::kNone || lz4_hadoop_; }
  Status DecompressPage(const uint8_t* data, size_t len, size_t uncompressed, std::vector<uint8_t>* out) {
    if (lz4_hadoop_) return DecompressLz4Hadoop(data, len, uncompressed, out);
    return Decompress(codec_, data, len, uncompressed, out);
  }

  const ColumnChunkContext& ctx_;
  const LeafColumn& leaf_;
  Compression codec_;
  bool lz4_hadoop_ = false;
  ValueBuffer values_;
  ValueBuffer dict_;
  bool have_dict_ = false;
  std::vector<int16_t> defs_, reps_;
  uint64_t levels_ = 0;
  std::vector<uint8_t> scratch_;
  std::vector<uint32_t> indices_;
};

// The optional page CRC is zlib's CRC-32 of the page body as stored (after compression).
Status CheckCrc(const ReaderOptions& o, const fmt::PageHeader& ph, const uint8_t* body, size_t len, uint64_t at) {
  if (!o.verify_page_crc || !ph.__isset.crc) return Status::OK();
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t done = 0;
  while (done < len) {  // crc32 takes uInt lengths
    const uInt step = static_cast<uInt>(std::min<size_t>(len - done, 1u << 30));
    crc = crc32(crc, body + done, step);
    done += step;
  }
  if (static_cast<uint32_t>(crc) != static_cast<uint32_t>(ph.crc))
    return Status::Corruption("page at chunk offset " + std::to_string(at) + " fails its CRC check");
  return Status::OK();
}

Status ChunkDecoder::DecodePages(const uint8_t* buf, uint64_t len, int64_t expected_values) {
  const ReaderOptions& o = *ctx_.options;
  ThriftLimits limits;
  limits.max_string_bytes = o.max_thrift_string_bytes;
  limits.max_container_items = o.max_thrift_container_items;
  limits.max_depth = o.max_thrift_depth;
  uint64_t pos = 0;
  while (pos < len && levels_ < static_cast<uint64_t>(expected_values)) {
    fmt::PageHeader ph;
    size_t hdr = 0;
    AILAKE_RETURN_IF_ERROR(ThriftDeserialize(buf + pos, static_cast<size_t>(len - pos), limits, &ph, &hdr,
                                             "page header at chunk offset " + std::to_string(pos)));
    const uint64_t at = pos;
    pos += hdr;
    if (ph.compressed_page_size < 0 || ph.uncompressed_page_size < 0)
      return Status::Corruption("page at chunk offset " + std::to_string(at) + " has a negative size");
    if (static_cast<uint64_t>(ph.compressed_page_size) > o.max_page_bytes ||
        static_cast<uint64_t>(ph.uncompressed_page_size) > o.max_page_bytes)
      return Status::Corruption("page at chunk offset " + std::to_string(at) + " claims " +
                                std::to_string(std::max(ph.compressed_page_size, ph.uncompressed_page_size)) +
                                " bytes, above the reader's page limit of " + std::to_string(o.max_page_bytes));
    if (static_cast<uint64_t>(ph.compressed_page_size) > len - pos)
      return Status::Corruption("page at chunk offset " + std::to_string(at) + " of " +
                                std::to_string(ph.compressed_page_size) + " bytes runs past the end of the column chunk (" +
                                std::to_string(len) + " bytes)");
    const uint8_t* body = buf + pos;
    const size_t body_len = static_cast<size_t>(ph.compressed_page_size);
    pos += body_len;
    AILAKE_RETURN_IF_ERROR(CheckCrc(o, ph, body, body_len, at));
    Status st;
    switch (ThriftEnum(ph.type)) {
      case fmt::PageType::DICTIONARY_PAGE: st = DictionaryPage(ph, body, body_len); break;
      case fmt::PageType::DATA_PAGE: st = DataPageV1(ph, body, body_len); break;
      case fmt::PageType::DATA_PAGE_V2: st = DataPageV2(ph, body, body_len); break;
      default: break;  // index pages and unknown page types carry nothing we need
    }
    if (!st.ok()) return st.WithContext("page at chunk offset " + std::to_string(at));
  }
  if (levels_ != static_cast<uint64_t>(expected_values))
    return Status::Corruption("column chunk holds " + std::to_string(levels_) + " values but its metadata declares " +
                              std::to_string(expected_values));
  return Status::OK();
}

Result<const uint8_t*> ChunkDecoder::Uncompress(const uint8_t* data, size_t len, int64_t uncompressed,
                                                std::vector<uint8_t>* scratch) {
  if (!compressed()) {
    if (static_cast<uint64_t>(uncompressed) != len)
      return Status::Corruption("uncompressed page is " + std::to_string(len) + " bytes but its header declares " +
                                std::to_string(uncompressed));
    return data;  // decode in place: the vector-column fast path
  }
  AILAKE_RETURN_IF_ERROR(DecompressPage(data, len, static_cast<size_t>(uncompressed), scratch));
  return static_cast<const uint8_t*>(scratch->data());
}

Status ChunkDecoder::DictionaryPage(const fmt::PageHeader& ph, const uint8_t* body, size_t body_len) {
  if (!ph.__isset.dictionary_page_header) return Status::Corruption("dictionary page has no dictionary header");
  if (have_dict_) return Status::Corruption("column chunk has a second dictionary page");
  if (levels_ > 0) return Status::Corruption("dictionary page follows data pages");
  const auto& dh = ph.dictionary_page_header;
  const int32_t encoding = ThriftEnum(dh.encoding);
  if (encoding != fmt::Encoding::PLAIN && encoding != fmt::Encoding::PLAIN_DICTIONARY)
    return Status::NotSupported("dictionary page encoding " + std::to_string(encoding) + " is not supported");
  if (leaf_.physical == PhysicalType::kBoolean) return Status::Corruption("BOOLEAN columns cannot have a dictionary");
  AILAKE_ASSIGN_OR_RETURN(const uint8_t* data, Uncompress(body, body_len, ph.uncompressed_page_size, &scratch_));
  const size_t len = static_cast<size_t>(ph.uncompressed_page_size);
  // Every PLAIN value of a non-boolean type takes at least one byte (BYTE_ARRAY: four).
  if (dh.num_values < 0 || static_cast<uint64_t>(dh.num_values) > len)
    return Status::Corruption("dictionary claims " + std::to_string(dh.num_values) + " values in " +
                              std::to_string(len) + " bytes");
  size_t used = 0;
  AILAKE_RETURN_IF_ERROR(DecodePlain(leaf_.physical, data, len, static_cast<size_t>(dh.num_values), &dict_, &used));
  have_dict_ = true;
  return Status::OK();
}

Status ChunkDecoder::AdmitLevels(int64_t n) {
  if (n < 0) return Status::Corruption("page has a negative value count");
  const uint64_t total = levels_ + static_cast<uint64_t>(n);
  if (total > ctx_.options->max_column_values)
    return Status::ResourceExhausted("column chunk holds more than the reader's limit of " +
                                     std::to_string(ctx_.options->max_column_values) + " values");
  // A flat column has exactly one level per row.
  if (leaf_.max_rep == 0 && total > static_cast<uint64_t>(ctx_.num_rows))
    return Status::Corruption("pages hold more values than the row group's " + std::to_string(ctx_.num_rows) + " rows");
  return Status::OK();
}

Status ChunkDecoder::DecodeLevels(const uint8_t* data, size_t len, int16_t max_level, size_t n,
                                  std::vector<int16_t>* out) {
  const size_t at = out->size();
  out->resize(at + n);
  RleBitPackedDecoder dec(data, len, BitWidthFor(static_cast<uint64_t>(max_level)));
  AILAKE_RETURN_IF_ERROR(dec.Decode(out->data() + at, n));
  for (size_t i = at; i < at + n; ++i) {
    if ((*out)[i] > max_level)
      return Status::Corruption("level " + std::to_string((*out)[i]) + " exceeds the column's maximum " +
                                std::to_string(max_level));
  }
  return Status::OK();
}

Result<size_t> ChunkDecoder::CountPresent(size_t n) {
  if (leaf_.max_def == 0) return n;
  size_t present = 0;
  const int16_t* d = defs_.data() + defs_.size() - n;
  for (size_t i = 0; i < n; ++i) present += d[i] == leaf_.max_def;
  return present;
}

// v1 levels: u32 LE byte length, then the RLE hybrid.
Status ReadPrefixedLength(const uint8_t** p, const uint8_t* end, size_t* len, const char* what) {
  if (end - *p < 4) return Status::Corruption(std::string(what) + " length prefix is truncated");
  const uint32_t l = LoadLE<uint32_t>(*p);
  *p += 4;
  if (l > static_cast<size_t>(end - *p))
    return Status::Corruption(std::string(what) + " of " + std::to_string(l) + " bytes run past the page");
  *len = l;
  return Status::OK();
}

Status ChunkDecoder::DataPageV1(const fmt::PageHeader& ph, const uint8_t* body, size_t body_len) {
  if (!ph.__isset.data_page_header) return Status::Corruption("data page has no data page header");
  const auto& dh = ph.data_page_header;
  AILAKE_RETURN_IF_ERROR(AdmitLevels(dh.num_values));
  const size_t n = static_cast<size_t>(dh.num_values);
  AILAKE_ASSIGN_OR_RETURN(const uint8_t* data, Uncompress(body, body_len, ph.uncompressed_page_size, &scratch_));
  const uint8_t* p = data;
  const uint8_t* end = data + ph.uncompressed_page_size;
  if (leaf_.max_rep > 0) {
    if (ThriftEnum(dh.repetition_level_encoding) != fmt::Encoding::RLE)
      return Status::NotSupported("repetition level encoding " + std::to_string(ThriftEnum(dh.repetition_level_encoding)));
    size_t l = 0;
    AILAKE_RETURN_IF_ERROR(ReadPrefixedLength(&p, end, &l, "repetition levels"));
    AILAKE_RETURN_IF_ERROR(DecodeLevels(p, l, leaf_.max_rep, n, &reps_));
    p += l;
  }
  if (leaf_.max_def > 0) {
    if (ThriftEnum(dh.definition_level_encoding) != fmt::Encoding::RLE)
      return Status::NotSupported("definition level encoding " + std::to_string(ThriftEnum(dh.definition_level_encoding)));
    size_t l = 0;
    AILAKE_RETURN_IF_ERROR(ReadPrefixedLength(&p, end, &l, "definition levels"));
    AILAKE_RETURN_IF_ERROR(DecodeLevels(p, l, leaf_.max_def, n, &defs_));
    p += l;
  }
  AILAKE_ASSIGN_OR_RETURN(size_t present, CountPresent(n));
  AILAKE_RETURN_IF_ERROR(DecodeValues(ThriftEnum(dh.encoding), p, static_cast<size_t>(end - p), present));
  levels_ += n;
  return Status::OK();
}

Status ChunkDecoder::DataPageV2(const fmt::PageHeader& ph, const uint8_t* body, size_t body_len) {
  if (!ph.__isset.data_page_header_v2) return Status::Corruption("data page v2 has no data page header");
  const auto& dh = ph.data_page_header_v2;
  AILAKE_RETURN_IF_ERROR(AdmitLevels(dh.num_values));
  const size_t n = static_cast<size_t>(dh.num_values);
  if (dh.repetition_levels_byte_length < 0 || dh.definition_levels_byte_length < 0)
    return Status::Corruption("data page v2 has negative level lengths");
  const uint64_t levels_len = static_cast<uint64_t>(dh.repetition_levels_byte_length) +
                              static_cast<uint64_t>(dh.definition_levels_byte_length);
  if (levels_len > body_len || levels_len > static_cast<uint64_t>(ph.uncompressed_page_size))
    return Status::Corruption("data page v2 level lengths exceed the page size");
  const uint8_t* p = body;
  if (leaf_.max_rep > 0)
    AILAKE_RETURN_IF_ERROR(DecodeLevels(p, static_cast<size_t>(dh.repetition_levels_byte_length), leaf_.max_rep, n, &reps_));
  p += dh.repetition_levels_byte_length;
  if (leaf_.max_def > 0)
    AILAKE_RETURN_IF_ERROR(DecodeLevels(p, static_cast<size_t>(dh.definition_levels_byte_length), leaf_.max_def, n, &defs_));
  p += dh.definition_levels_byte_length;
  const size_t rest = body_len - static_cast<size_t>(levels_len);
  const int64_t rest_uncompressed = ph.uncompressed_page_size - static_cast<int64_t>(levels_len);
  const uint8_t* values = p;
  size_t values_len = rest;
  // A v2 page whose values section is empty (all slots null, or no values) has zero compressed
  // bytes even with a codec: there is nothing to decompress (codecs reject empty input).
  const bool is_compressed = (!dh.__isset.is_compressed || dh.is_compressed) && !(rest == 0 && rest_uncompressed == 0);
  if (is_compressed && compressed()) {
    AILAKE_RETURN_IF_ERROR(DecompressPage(p, rest, static_cast<size_t>(rest_uncompressed), &scratch_));
    values = scratch_.data();
    values_len = scratch_.size();
  } else if (static_cast<int64_t>(rest) != rest_uncompressed) {
    return Status::Corruption("uncompressed data page v2 size does not match its header");
  }
  AILAKE_ASSIGN_OR_RETURN(size_t present, CountPresent(n));
  AILAKE_RETURN_IF_ERROR(DecodeValues(ThriftEnum(dh.encoding), values, values_len, present));
  levels_ += n;
  return Status::OK();
}

Status ChunkDecoder::DecodeValues(int32_t encoding, const uint8_t* data, size_t len, size_t n) {
  const PhysicalType t = leaf_.physical;
  size_t used = 0;
  switch (encoding) {
    case fmt::Encoding::PLAIN:
      return DecodePlain(t, data, len, n, &values_, &used);
    case fmt::Encoding::PLAIN_DICTIONARY:
    case fmt::Encoding::RLE_DICTIONARY: {
      if (!have_dict_) return Status::Corruption("dictionary-encoded page without a dictionary page");
      if (n == 0) return Status::OK();
      if (len < 1) return Status::Corruption("dictionary-encoded page is empty");
      const int bw = data[0];
      if (bw > 32) return Status::Corruption("dictionary index bit width " + std::to_string(bw) + " is above 32");
      indices_.resize(n);
      RleBitPackedDecoder dec(data + 1, len - 1, bw);
      AILAKE_RETURN_IF_ERROR(dec.Decode(indices_.data(), n));
      return GatherDictionary(dict_, indices_.data(), n, &values_);
    }
    case fmt::Encoding::RLE: {
      if (t != PhysicalType::kBoolean) return Status::NotSupported("RLE value encoding is only defined for BOOLEAN");
      const uint8_t* p = data;
      size_t l = 0;
      AILAKE_RETURN_IF_ERROR(ReadPrefixedLength(&p, data + len, &l, "RLE booleans"));
      AILAKE_RETURN_IF_ERROR(values_.Reserve(n));
      const size_t at = values_.data.size();
      values_.data.resize(at + n);
      RleBitPackedDecoder dec(p, l, 1);
      AILAKE_RETURN_IF_ERROR(dec.Decode(values_.data.data() + at, n));
      values_.count += static_cast<int64_t>(n);
      return Status::OK();
    }
    case fmt::Encoding::DELTA_BINARY_PACKED:
      if (t != PhysicalType::kInt32 && t != PhysicalType::kInt64)
        return Status::Corruption("DELTA_BINARY_PACKED is only defined for INT32/INT64");
      return DecodeDeltaInts(data, len, n, &values_, &used);
    case fmt::Encoding::DELTA_LENGTH_BYTE_ARRAY:
      if (t != PhysicalType::kByteArray && t != PhysicalType::kFixedLenByteArray)
        return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY is only defined for byte arrays");
      return DecodeDeltaLengthByteArray(data, len, n, &values_);
    case fmt::Encoding::DELTA_BYTE_ARRAY:
      if (t != PhysicalType::kByteArray && t != PhysicalType::kFixedLenByteArray)
        return Status::Corruption("DELTA_BYTE_ARRAY is only defined for byte arrays");
      return DecodeDeltaByteArray(data, len, n, &values_);
    case fmt::Encoding::BYTE_STREAM_SPLIT:
      if (t == PhysicalType::kBoolean || t == PhysicalType::kByteArray || t == PhysicalType::kInt96)
        return Status::Corruption("BYTE_STREAM_SPLIT is not defined for " + std::string(PhysicalTypeName(t)));
      return DecodeByteStreamSplit(data, len, n, &values_);
    default:
      return Status::NotSupported("value encoding " + std::to_string(encoding) + " is not supported");
  }
}

// ---------------------------------------------------------------------------------------------
// Conversion of dense physical values to the Batch type.

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
  const uint32_t exp = (h >> 10) & 0x1F;
  const uint32_t man = h & 0x3FF;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(man), -24);  // zero or subnormal
    return sign ? -f : f;
  }
  uint32_t bits;
  if (exp == 31) bits = sign | 0x7F800000u | (man << 13);  // Inf / NaN
  else bits = sign | ((exp + 112) << 23) | (man << 13);
  std::memcpy(&f, &bits, 4);
  return f;
}

Status Convert(const LeafColumn& leaf, ValueBuffer* v) {
  if (leaf.conversion == LeafConversion::kNone) return Status::OK();
  ValueBuffer out;
  out.byte_limit = v->byte_limit;
  const int64_t n = v->count;
  auto fixed = [&](int32_t w) -> Status {
    out.Reset(w);
    AILAKE_RETURN_IF_ERROR(out.Reserve(static_cast<uint64_t>(n) * static_cast<uint64_t>(w)));
    out.data.resize(static_cast<size_t>(n) * static_cast<size_t>(w));
    out.count = n;
    return Status::OK();
  };
  switch (leaf.conversion) {
    case LeafConversion::kNone: break;
    case LeafConversion::kUInt32ToInt64:
      AILAKE_RETURN_IF_ERROR(fixed(8));
      for (int64_t i = 0; i < n; ++i) StoreLE<int64_t>(&out.data[i * 8], LoadLE<uint32_t>(v->FixedAt(i)));
      break;
    case LeafConversion::kInt96ToString:
      out.Reset(0);
      for (int64_t i = 0; i < n; ++i) {
        // 8 bytes LE nanoseconds within the day, then 4 bytes LE Julian day number. Any day, any
        // year: the date is computed in 64-bit days, never through 64-bit nanoseconds.
        const uint64_t nanos = LoadLE<uint64_t>(v->FixedAt(i));
        constexpr int64_t kUnixEpochJulian = 2440588;
        constexpr uint64_t kNanosPerDay = civil::kSecondsPerDay * 1000000000ull;
        const int64_t days = static_cast<int64_t>(LoadLE<int32_t>(v->FixedAt(i) + 8)) - kUnixEpochJulian +
                             static_cast<int64_t>(nanos / kNanosPerDay);
        const std::string text = FormatTimestampParts(days, static_cast<int64_t>(nanos % kNanosPerDay), TimeUnit::kNanos);
        AILAKE_RETURN_IF_ERROR(out.Reserve(text.size()));
        out.AppendVar(reinterpret_cast<const uint8_t*>(text.data()), text.size());
      }
      break;
    case LeafConversion::kFloat16ToFloat:
      AILAKE_RETURN_IF_ERROR(fixed(4));
      for (int64_t i = 0; i < n; ++i) StoreLE<float>(&out.data[i * 4], HalfToFloat(LoadLE<uint16_t>(v->FixedAt(i))));
      break;
    case LeafConversion::kDecimalToString: {
      out.Reset(0);
      for (int64_t i = 0; i < n; ++i) {
        __int128 unscaled = 0;
        if (leaf.physical == PhysicalType::kInt32) {
          unscaled = LoadLE<int32_t>(v->FixedAt(i));
        } else if (leaf.physical == PhysicalType::kInt64) {
          unscaled = LoadLE<int64_t>(v->FixedAt(i));
        } else {  // big-endian two's complement, any length
          const bool var = v->width == 0;
          const uint8_t* p = var ? v->VarAt(i) : v->FixedAt(i);
          uint64_t len = var ? v->VarLen(i) : static_cast<uint64_t>(v->width);
          if (len == 0) return Status::Corruption("DECIMAL value is zero bytes long");
          // Leading bytes that only repeat the sign do not change the value.
          const uint8_t sign = (p[0] & 0x80) ? 0xFF : 0x00;
          while (len > 16 && p[0] == sign && ((p[1] & 0x80) == (sign & 0x80))) {
            ++p;
            --len;
          }
          if (len > 16)
            return Status::NotSupported("DECIMAL value of " + std::to_string(len) +
                                        " significant bytes exceeds 128 bits (precision 38), the reader's limit");
          unsigned __int128 u = sign ? ~static_cast<unsigned __int128>(0) : 0;
          for (uint64_t k = 0; k < len; ++k) u = (u << 8) | p[k];
          unscaled = static_cast<__int128>(u);
        }
        const std::string text = FormatDecimal(unscaled, leaf.decimal_scale);
        AILAKE_RETURN_IF_ERROR(out.Reserve(text.size()));
        out.AppendVar(reinterpret_cast<const uint8_t*>(text.data()), text.size());
      }
      break;
    }
    case LeafConversion::kTimeToString:
      out.Reset(0);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t t = leaf.physical == PhysicalType::kInt32 ? LoadLE<int32_t>(v->FixedAt(i)) : LoadLE<int64_t>(v->FixedAt(i));
        const std::string text = FormatTimeOfDay(t, leaf.value.unit);
        AILAKE_RETURN_IF_ERROR(out.Reserve(text.size()));
        out.AppendVar(reinterpret_cast<const uint8_t*>(text.data()), text.size());
      }
      break;
    case LeafConversion::kIntervalToString:
      out.Reset(0);
      for (int64_t i = 0; i < n; ++i) {
        const uint8_t* p = v->FixedAt(i);
        const std::string text = FormatInterval(LoadLE<uint32_t>(p), LoadLE<uint32_t>(p + 4), LoadLE<uint32_t>(p + 8));
        AILAKE_RETURN_IF_ERROR(out.Reserve(text.size()));
        out.AppendVar(reinterpret_cast<const uint8_t*>(text.data()), text.size());
      }
      break;
    case LeafConversion::kUuidToString:
      out.Reset(0);
      for (int64_t i = 0; i < n; ++i) {
        const std::string text = FormatUuid(v->FixedAt(i));
        AILAKE_RETURN_IF_ERROR(out.Reserve(text.size()));
        out.AppendVar(reinterpret_cast<const uint8_t*>(text.data()), text.size());
      }
      break;
    case LeafConversion::kFixedToBinary:
      out.Reset(0);
      AILAKE_RETURN_IF_ERROR(out.Reserve(v->data.size()));
      for (int64_t i = 0; i < n; ++i) out.AppendVar(v->FixedAt(i), static_cast<size_t>(v->width));
      break;
  }
  *v = std::move(out);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Assembly: dense values + presence -> Column (nulls as zero bytes / empty offsets).

// present == nullptr: all n slots hold values.
Status Spread(ValueBuffer&& v, const std::vector<uint8_t>* present, int64_t n, Column* col) {
  const bool all = present == nullptr || static_cast<int64_t>(v.count) == n;
  if (static_cast<int64_t>(v.count) > n) return Status::Internal("more values than slots");
  col->set_length(n);
  if (v.width > 0) {
    if (all) {
      col->values() = std::move(v.data);  // no copy: the fast path for required fixed-width columns
    } else {
      const size_t w = static_cast<size_t>(v.width);
      std::vector<uint8_t>& dst = col->values();
      dst.assign(static_cast<size_t>(n) * w, 0);
      size_t k = 0;
      for (int64_t i = 0; i < n; ++i)
        if ((*present)[i]) std::memcpy(dst.data() + i * w, v.data.data() + (k++) * w, w);
    }
  } else {
    std::vector<int64_t>& off = col->offsets();
    if (all) {
      off = std::move(v.offsets);
    } else {
      off.assign(static_cast<size_t>(n) + 1, 0);
      int64_t k = 0;
      for (int64_t i = 0; i < n; ++i) {
        if ((*present)[i]) ++k;
        off[i + 1] = v.offsets[k];
      }
    }
    col->values() = std::move(v.data);
  }
  col->validity().clear();
  if (!all) {
    std::vector<uint8_t>& bits = col->validity();
    bits.assign(static_cast<size_t>((n + 7) / 8), 0);
    for (int64_t i = 0; i < n; ++i)
      if ((*present)[i]) bits[i >> 3] = static_cast<uint8_t>(bits[i >> 3] | (1u << (i & 7)));
  }
  return Status::OK();
}

Status AssembleFlat(const ColumnChunkContext& ctx, ChunkDecoder& dec, Column* out) {
  const LeafColumn& leaf = *ctx.leaf;
  const int64_t rows = static_cast<int64_t>(dec.levels());
  if (rows != ctx.num_rows)
    return Status::Corruption("column chunk holds " + std::to_string(rows) + " rows, the row group " +
                              std::to_string(ctx.num_rows));
  if (leaf.max_def == 0) return Spread(std::move(dec.values()), nullptr, rows, out);
  std::vector<uint8_t> present(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) present[i] = dec.defs()[i] == leaf.max_def;
  return Spread(std::move(dec.values()), &present, rows, out);
}

Status AssembleList(const ColumnChunkContext& ctx, ChunkDecoder& dec, Column* out) {
  const LeafColumn& leaf = *ctx.leaf;
  const FieldMapping& m = *ctx.mapping;
  const std::vector<int16_t>& defs = dec.defs();
  const std::vector<int16_t>& reps = dec.reps();
  const size_t n = static_cast<size_t>(dec.levels());
  if (defs.size() != n || reps.size() != n) return Status::Internal("list levels are missing");
  std::vector<int64_t>& offsets = out->offsets();
  offsets.assign(1, 0);
  std::vector<uint8_t> row_valid;
  std::vector<uint8_t> elem_present;
  elem_present.reserve(n);
  bool any_null_row = false;
  for (size_t i = 0; i < n; ++i) {
    const int16_t d = defs[i];
    if (reps[i] == 0) {
      if (i > 0) offsets.push_back(static_cast<int64_t>(elem_present.size()));
      const bool valid = d >= m.list_def;
      row_valid.push_back(valid ? 1 : 0);
      any_null_row |= !valid;
      if (d < m.element_def) continue;  // null or empty list
    } else {
      if (i == 0) return Status::Corruption("list column chunk starts with a continued row");
      if (d < m.element_def) return Status::Corruption("list element continues an empty or null list");
    }
    elem_present.push_back(d == leaf.max_def ? 1 : 0);
  }
  if (n > 0) offsets.push_back(static_cast<int64_t>(elem_present.size()));
  const int64_t rows = static_cast<int64_t>(row_valid.size());
  if (rows != ctx.num_rows)
    return Status::Corruption("list column chunk holds " + std::to_string(rows) + " rows, the row group " +
                              std::to_string(ctx.num_rows));
  out->set_length(rows);
  out->validity().clear();
  if (any_null_row) {
    out->validity().assign(static_cast<size_t>((rows + 7) / 8), 0);
    for (int64_t i = 0; i < rows; ++i) out->SetValid(i, row_valid[i] != 0);
  }
  int64_t present_count = 0;
  for (uint8_t p : elem_present) present_count += p;
  if (present_count != dec.values().count)
    return Status::Corruption("list element count does not match the decoded values");
  return Spread(std::move(dec.values()), &elem_present, static_cast<int64_t>(elem_present.size()), out->child());
}

// Fast path for required, uncompressed, PLAIN fixed-width columns (the vector column): page
// headers are read through a small window and each page body is read straight into the Column's
// value buffer, so values are copied once (by the read) and peak memory is the column itself.
// Returns false when a page needs the general decoder (dictionary, other encodings); the caller
// then starts over on the general path.
Result<bool> TryFastFixedChunk(const ColumnChunkContext& ctx, const fmt::ColumnMetaData& md, Compression codec,
                               uint64_t start, uint64_t len, Column* out) {
  const LeafColumn& leaf = *ctx.leaf;
  const int32_t w = PhysicalWidth(leaf.physical, leaf.type_length);
  if (codec != Compression::kNone || leaf.max_rep != 0 || leaf.max_def != 0 || w <= 0 ||
      leaf.physical == PhysicalType::kBoolean || leaf.conversion != LeafConversion::kNone ||
      ctx.mapping->is_list || (md.__isset.dictionary_page_offset && md.dictionary_page_offset > 0))
    return false;
  for (const auto& enc : md.encodings) {
    const int32_t e = ThriftEnum(enc);
    if (e != fmt::Encoding::PLAIN && e != fmt::Encoding::RLE && e != fmt::Encoding::BIT_PACKED) return false;
  }
  const ReaderOptions& o = *ctx.options;
  // The values can be no larger than the chunk, which lies inside the file.
  const uint64_t total = static_cast<uint64_t>(ctx.num_rows) * static_cast<uint64_t>(w);
  if (ctx.num_rows < 0 || total / static_cast<uint64_t>(w) != static_cast<uint64_t>(ctx.num_rows) || total > len)
    return false;  // let the general path produce the precise error
  if (total > o.max_column_bytes)
    return Status::ResourceExhausted("column chunk of " + std::to_string(total) +
                                     " value bytes exceeds the reader's limit of " + std::to_string(o.max_column_bytes));
  std::vector<uint8_t>& values = out->values();
  values.resize(static_cast<size_t>(total));
  ThriftLimits limits;
  limits.max_string_bytes = o.max_thrift_string_bytes;
  limits.max_container_items = o.max_thrift_container_items;
  limits.max_depth = o.max_thrift_depth;
  std::vector<uint8_t> window;
  uint64_t pos = 0, write = 0, levels = 0;
  const uint64_t expected = static_cast<uint64_t>(md.num_values);
  while (pos < len && levels < expected) {
    fmt::PageHeader ph;
    size_t hdr = 0;
    Status st;
    // Headers are small, but statistics can make them kilobytes: widen the window on failure.
    for (uint64_t want : {uint64_t{4096}, uint64_t{256} << 10, uint64_t{16} << 20}) {
      const uint64_t take = std::min(want, len - pos);
      window.resize(static_cast<size_t>(take));
      AILAKE_RETURN_IF_ERROR(ctx.file->ReadAt(start + pos, take, window.data()));
      st = ThriftDeserialize(window.data(), window.size(), limits, &ph, &hdr,
                             "page header at chunk offset " + std::to_string(pos));
      if (st.ok() || take == len - pos) break;
    }
    AILAKE_RETURN_IF_ERROR(st);
    const uint64_t body = pos + hdr;
    if (ph.compressed_page_size < 0 || static_cast<uint64_t>(ph.compressed_page_size) > len - body)
      return Status::Corruption("page at chunk offset " + std::to_string(pos) + " of " +
                                std::to_string(ph.compressed_page_size) +
                                " bytes runs past the end of the column chunk (" + std::to_string(len) + " bytes)");
    int64_t n = -1;
    if (ThriftEnum(ph.type) == fmt::PageType::DATA_PAGE && ph.__isset.data_page_header &&
        ThriftEnum(ph.data_page_header.encoding) == fmt::Encoding::PLAIN) {
      n = ph.data_page_header.num_values;
    } else if (ThriftEnum(ph.type) == fmt::PageType::DATA_PAGE_V2 && ph.__isset.data_page_header_v2 &&
               ThriftEnum(ph.data_page_header_v2.encoding) == fmt::Encoding::PLAIN &&
               ph.data_page_header_v2.definition_levels_byte_length == 0 &&
               ph.data_page_header_v2.repetition_levels_byte_length == 0) {
      n = ph.data_page_header_v2.num_values;
    } else if (ThriftEnum(ph.type) == fmt::PageType::INDEX_PAGE) {
      pos = body + static_cast<uint64_t>(ph.compressed_page_size);
      continue;
    } else {
      return false;  // dictionary or other encodings: general path
    }
    if (n < 0 || levels + static_cast<uint64_t>(n) > static_cast<uint64_t>(ctx.num_rows))
      return Status::Corruption("page at chunk offset " + std::to_string(pos) +
                                ": pages hold more values than the row group's " + std::to_string(ctx.num_rows) +
                                " rows");
    const uint64_t bytes = static_cast<uint64_t>(n) * static_cast<uint64_t>(w);  // <= total
    if (bytes > static_cast<uint64_t>(ph.compressed_page_size) ||
        ph.uncompressed_page_size != ph.compressed_page_size)
      return Status::Corruption("page at chunk offset " + std::to_string(pos) + " holds " +
                                std::to_string(ph.compressed_page_size) + " bytes, too few for " + std::to_string(n) +
                                " PLAIN " + PhysicalTypeName(leaf.physical) + " values");
    if (o.verify_page_crc && ph.__isset.crc) return false;  // the CRC covers bytes we do not read here
    AILAKE_RETURN_IF_ERROR(ctx.file->ReadAt(start + body, bytes, values.data() + write));
    write += bytes;
    levels += static_cast<uint64_t>(n);
    pos = body + static_cast<uint64_t>(ph.compressed_page_size);
  }
  if (levels != expected)
    return Status::Corruption("column chunk holds " + std::to_string(levels) + " values but its metadata declares " +
                              std::to_string(expected));
  if (levels != static_cast<uint64_t>(ctx.num_rows))
    return Status::Corruption("column chunk holds " + std::to_string(levels) + " rows, the row group " +
                              std::to_string(ctx.num_rows));
  out->validity().clear();
  out->set_length(static_cast<int64_t>(levels));
  return true;
}

}  // namespace

namespace {

// Where a chunk's bytes are and how they are compressed, after checking the metadata.
struct ChunkPlan {
  uint64_t start = 0, len = 0;
  Compression codec = Compression::kNone;
  bool lz4_hadoop = false;
};

Result<ChunkPlan> PlanChunk(const ColumnChunkContext& ctx, const format::ColumnChunk& chunk) {
  const LeafColumn& leaf = *ctx.leaf;
  if (chunk.__isset.crypto_metadata || chunk.__isset.encrypted_column_metadata)
    return Status::NotSupported("column chunk is encrypted (Parquet modular encryption), which ailake cannot decrypt: "
                                "rewrite the file unencrypted with a tool that holds its keys");
  if (chunk.__isset.file_path && !chunk.file_path.empty())
    return Status::NotSupported("column chunk lives in another file ('" + chunk.file_path + "')");
  if (!chunk.__isset.meta_data) return Status::Corruption("column chunk has no metadata");
  const fmt::ColumnMetaData& md = chunk.meta_data;
  if (ThriftEnum(md.type) != static_cast<int32_t>(leaf.physical))
    return Status::Corruption("column chunk type " + std::to_string(ThriftEnum(md.type)) + " differs from the schema's " +
                              PhysicalTypeName(leaf.physical));
  ChunkPlan plan;
  if (ThriftEnum(md.codec) == fmt::CompressionCodec::LZ4) {
    plan.lz4_hadoop = true;
  } else {
    AILAKE_ASSIGN_OR_RETURN(plan.codec, CompressionFromThrift(ThriftEnum(md.codec)));
  }
  if (md.num_values < 0) return Status::Corruption("column chunk has a negative value count");
  if (md.data_page_offset < 0 || md.total_compressed_size < 0)
    return Status::Corruption("column chunk has a negative offset or size");
  plan.start = static_cast<uint64_t>(md.data_page_offset);
  if (md.__isset.dictionary_page_offset && md.dictionary_page_offset > 0 &&
      md.dictionary_page_offset < md.data_page_offset)
    plan.start = static_cast<uint64_t>(md.dictionary_page_offset);
  plan.len = static_cast<uint64_t>(md.total_compressed_size);
  if (!RangeWithin(plan.start, plan.len, ctx.data_end))
    return Status::Corruption("column chunk [" + std::to_string(plan.start) + ", +" + std::to_string(plan.len) +
                              ") lies outside the file's data area (footer starts at " + std::to_string(ctx.data_end) +
                              ")");
  return plan;
}

// Reads the chunk's bytes (one positional read, no zero fill) and decodes every page.
Status DecodeChunk(const ColumnChunkContext& ctx, const format::ColumnChunk& chunk, const ChunkPlan& plan,
                   ChunkDecoder* dec) {
  const LeafColumn& leaf = *ctx.leaf;
  auto buf = std::make_unique_for_overwrite<uint8_t[]>(static_cast<size_t>(plan.len ? plan.len : 1));
  AILAKE_RETURN_IF_ERROR(ctx.file->ReadAt(plan.start, plan.len, buf.get()));
  // Pre-size the dense values for flat fixed-width columns when the size is plausible.
  const int32_t w = PhysicalWidth(leaf.physical, leaf.type_length);
  if (w > 0 && leaf.max_rep == 0) {
    auto want = CheckedMul(static_cast<uint64_t>(ctx.num_rows), static_cast<uint64_t>(w));
    if (want && *want <= ctx.options->max_column_bytes && *want / 64 <= plan.len)
      dec->values().data.reserve(static_cast<size_t>(*want));
  }
  AILAKE_RETURN_IF_ERROR(dec->DecodePages(buf.get(), plan.len, chunk.meta_data.num_values));
  buf.reset();
  return Convert(leaf, &dec->values());
}

}  // namespace

Status ReadColumnChunk(const ColumnChunkContext& ctx, const format::ColumnChunk& chunk, Column* out) {
  AILAKE_ASSIGN_OR_RETURN(ChunkPlan plan, PlanChunk(ctx, chunk));
  if (!plan.lz4_hadoop) {
    AILAKE_ASSIGN_OR_RETURN(bool fast, TryFastFixedChunk(ctx, chunk.meta_data, plan.codec, plan.start, plan.len, out));
    if (fast) return Status::OK();
  }
  out->values().clear();
  ChunkDecoder dec(ctx, plan.codec, plan.lz4_hadoop);
  AILAKE_RETURN_IF_ERROR(DecodeChunk(ctx, chunk, plan, &dec));
  if (ctx.mapping->is_list) return AssembleList(ctx, dec, out);
  return AssembleFlat(ctx, dec, out);
}

Status DecodeLeafChunk(const ColumnChunkContext& ctx, const format::ColumnChunk& chunk, LeafChunk* out) {
  AILAKE_ASSIGN_OR_RETURN(ChunkPlan plan, PlanChunk(ctx, chunk));
  ChunkDecoder dec(ctx, plan.codec, plan.lz4_hadoop);
  AILAKE_RETURN_IF_ERROR(DecodeChunk(ctx, chunk, plan, &dec));
  out->defs = std::move(dec.defs());
  out->reps = std::move(dec.reps());
  out->values = std::move(dec.values());
  out->levels = static_cast<int64_t>(dec.levels());
  return Status::OK();
}

}  // namespace ailake::parquet
