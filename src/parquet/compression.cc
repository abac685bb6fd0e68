// Page codecs. Each codec's on-disk framing, as parquet-format defines it:
//   SNAPPY   raw snappy block (varint uncompressed length + elements), no framing stream
//   GZIP     RFC 1952 gzip member(s); we also accept a zlib (RFC 1950) stream, which some old writers
//            produced, because zlib's auto-detection costs nothing
//   LZ4_RAW  one LZ4 block, no frame header, no size prefix
//   ZSTD     one or more zstd frames
// Decompression never trusts the data: the caller passes the page header's uncompressed size (already
// capped), we write at most that many bytes and require exactly that many.
#include "parquet/compression.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <string>

namespace ailake::parquet {

namespace {

// parquet.thrift CompressionCodec values.
constexpr int32_t kThriftUncompressed = 0;
constexpr int32_t kThriftSnappy = 1;
constexpr int32_t kThriftGzip = 2;
constexpr int32_t kThriftLzo = 3;
constexpr int32_t kThriftBrotli = 4;
constexpr int32_t kThriftLz4Hadoop = 5;
constexpr int32_t kThriftZstd = 6;
constexpr int32_t kThriftLz4Raw = 7;

std::string CodecLabel(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kGzip: return "gzip";
    case Compression::kLz4Raw: return "lz4_raw";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

Status SizeMismatch(Compression c, size_t got, size_t want) {
  return Status::Corruption(CodecLabel(c) + " page decompressed to " + std::to_string(got) +
                            " bytes but its header declares " + std::to_string(want));
}

Status GzipCompress(int level, const uint8_t* data, size_t length, std::vector<uint8_t>* out) {
  z_stream zs{};
  if (level < 0 || level > 9) level = Z_DEFAULT_COMPRESSION;
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::Internal("gzip: deflateInit2 failed");
  const uLong bound = deflateBound(&zs, static_cast<uLong>(length));
  const size_t start = out->size();
  out->resize(start + bound);
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(length);
  zs.next_out = out->data() + start;
  zs.avail_out = static_cast<uInt>(bound);
  int rc = deflate(&zs, Z_FINISH);
  const size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    out->resize(start);
    return Status::Internal("gzip: deflate did not finish (" + std::to_string(rc) + ")");
  }
  out->resize(start + produced);
  return Status::OK();
}

Status GzipDecompress(const uint8_t* data, size_t length, size_t want, std::vector<uint8_t>* out) {
  if (length > UINT_MAX || want > UINT_MAX) return Status::NotSupported("gzip page larger than 4 GiB");
  z_stream zs{};
  // 15 + 32: detect gzip or zlib header automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(length);
  // zlib cannot finish a stream into a zero-sized buffer; give it one spare byte so an empty page
  // decodes and a non-empty one is caught by the size check below.
  uint8_t spare = 0;
  const size_t room = want ? want : 1;
  zs.next_out = want ? out->data() : &spare;
  zs.avail_out = static_cast<uInt>(room);
  Status st;
  for (;;) {
    int rc = inflate(&zs, Z_FINISH);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members are one logical stream (RFC 1952 §2.2).
      if (zs.avail_in > 0 && zs.avail_out > 0) {
        if (inflateReset(&zs) != Z_OK) { st = Status::Corruption("gzip: cannot reset stream"); break; }
        continue;
      }
      if (zs.avail_in > 0) {
        st = Status::Corruption("gzip page has " + std::to_string(zs.avail_in) +
                                " trailing bytes after the declared uncompressed size");
      }
      break;
    }
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
      st = Status::Corruption("gzip page decompresses to more than the declared " + std::to_string(want) + " bytes");
      break;
    }
    st = Status::Corruption(std::string("gzip page is malformed: ") + (zs.msg ? zs.msg : "truncated stream"));
    break;
  }
  const size_t produced = static_cast<size_t>(room - zs.avail_out);
  inflateEnd(&zs);
  AILAKE_RETURN_IF_ERROR(st);
  if (produced != want) return SizeMismatch(Compression::kGzip, produced, want);
  return Status::OK();
}

}  // namespace

Result<Compression> CompressionFromThrift(int32_t codec) {
  switch (codec) {
    case kThriftUncompressed: return Compression::kNone;
    case kThriftSnappy: return Compression::kSnappy;
    case kThriftGzip: return Compression::kGzip;
    case kThriftZstd: return Compression::kZstd;
    case kThriftLz4Raw: return Compression::kLz4Raw;
    case kThriftLzo: return Status::NotSupported("compression codec LZO is not supported");
    case kThriftBrotli: return Status::NotSupported("compression codec BROTLI is not supported");
    case kThriftLz4Hadoop:
      return Status::NotSupported("compression codec LZ4 (deprecated Hadoop framing) is not supported; use LZ4_RAW");
    default: return Status::Corruption("unknown compression codec id " + std::to_string(codec));
  }
}

int32_t CompressionToThrift(Compression c) {
  switch (c) {
    case Compression::kNone: return kThriftUncompressed;
    case Compression::kSnappy: return kThriftSnappy;
    case Compression::kGzip: return kThriftGzip;
    case Compression::kLz4Raw: return kThriftLz4Raw;
    case Compression::kZstd: return kThriftZstd;
  }
  return kThriftUncompressed;
}

Status Compress(Compression codec, int level, const uint8_t* data, size_t length, std::vector<uint8_t>* out) {
  const size_t start = out->size();
  switch (codec) {
    case Compression::kNone:
      out->insert(out->end(), data, data + length);
      return Status::OK();
    case Compression::kZstd: {
      const size_t bound = ZSTD_compressBound(length);
      out->resize(start + bound);
      size_t n = ZSTD_compress(out->data() + start, bound, data, length, level);
      if (ZSTD_isError(n)) {
        out->resize(start);
        return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      }
      out->resize(start + n);
      return Status::OK();
    }
    case Compression::kSnappy: {
      const size_t bound = snappy::MaxCompressedLength(length);
      out->resize(start + bound);
      size_t n = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(data), length, reinterpret_cast<char*>(out->data() + start),
                          &n);
      out->resize(start + n);
      return Status::OK();
    }
    case Compression::kGzip:
      if (length > UINT_MAX) return Status::NotSupported("gzip page larger than 4 GiB");
      return GzipCompress(level, data, length, out);
    case Compression::kLz4Raw: {
      if (length > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
        return Status::NotSupported("lz4_raw page larger than LZ4_MAX_INPUT_SIZE");
      const int bound = LZ4_compressBound(static_cast<int>(length));
      out->resize(start + static_cast<size_t>(bound));
      int n = LZ4_compress_default(reinterpret_cast<const char*>(data), reinterpret_cast<char*>(out->data() + start),
                                   static_cast<int>(length), bound);
      if (n <= 0) {
        out->resize(start);
        return Status::Internal("lz4_raw compression failed");
      }
      out->resize(start + static_cast<size_t>(n));
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown compression codec");
}

Status Decompress(Compression codec, const uint8_t* data, size_t length, size_t uncompressed_length,
                  std::vector<uint8_t>* out) {
  out->resize(uncompressed_length);
  switch (codec) {
    case Compression::kNone:
      if (length != uncompressed_length) return SizeMismatch(codec, length, uncompressed_length);
      if (length) std::copy(data, data + length, out->data());
      return Status::OK();
    case Compression::kZstd: {
      size_t n = ZSTD_decompress(out->data(), uncompressed_length, data, length);
      if (ZSTD_isError(n))
        return Status::Corruption(std::string("zstd page is malformed: ") + ZSTD_getErrorName(n));
      if (n != uncompressed_length) return SizeMismatch(codec, n, uncompressed_length);
      return Status::OK();
    }
    case Compression::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(data), length, &n))
        return Status::Corruption("snappy page is malformed: bad length preamble");
      if (n != uncompressed_length) return SizeMismatch(codec, n, uncompressed_length);
      if (!snappy::RawUncompress(reinterpret_cast<const char*>(data), length, reinterpret_cast<char*>(out->data())))
        return Status::Corruption("snappy page is malformed");
      return Status::OK();
    }
    case Compression::kGzip:
      return GzipDecompress(data, length, uncompressed_length, out);
    case Compression::kLz4Raw: {
      if (length > static_cast<size_t>(INT_MAX) || uncompressed_length > static_cast<size_t>(INT_MAX))
        return Status::NotSupported("lz4_raw page larger than 2 GiB");
      int n = LZ4_decompress_safe(reinterpret_cast<const char*>(data), reinterpret_cast<char*>(out->data()),
                                  static_cast<int>(length), static_cast<int>(uncompressed_length));
      if (n < 0) return Status::Corruption("lz4_raw page is malformed");
      if (static_cast<size_t>(n) != uncompressed_length)
        return SizeMismatch(codec, static_cast<size_t>(n), uncompressed_length);
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown compression codec");
}

Status DecompressLz4Hadoop(const uint8_t* data, size_t length, size_t uncompressed_length, std::vector<uint8_t>* out) {
  if (length > static_cast<size_t>(INT_MAX) || uncompressed_length > static_cast<size_t>(INT_MAX))
    return Status::NotSupported("LZ4 page larger than 2 GiB");
  out->resize(uncompressed_length);
  // Hadoop framing: every block header must fit and the blocks must fill the output exactly.
  size_t in = 0, produced = 0;
  bool framed = length >= 8;
  while (framed && in < length) {
    if (length - in < 8) {
      framed = false;
      break;
    }
    const uint32_t raw = (uint32_t{data[in]} << 24) | (uint32_t{data[in + 1]} << 16) | (uint32_t{data[in + 2]} << 8) | data[in + 3];
    const uint32_t comp = (uint32_t{data[in + 4]} << 24) | (uint32_t{data[in + 5]} << 16) | (uint32_t{data[in + 6]} << 8) | data[in + 7];
    in += 8;
    if (comp > length - in || raw > uncompressed_length - produced) {
      framed = false;
      break;
    }
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(data + in), reinterpret_cast<char*>(out->data() + produced),
                                      static_cast<int>(comp), static_cast<int>(raw));
    if (n < 0 || static_cast<uint32_t>(n) != raw) {
      framed = false;
      break;
    }
    in += comp;
    produced += raw;
  }
  if (framed && produced == uncompressed_length) return Status::OK();
  const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(data), reinterpret_cast<char*>(out->data()),
                                    static_cast<int>(length), static_cast<int>(uncompressed_length));
  if (n < 0 || static_cast<size_t>(n) != uncompressed_length)
    return Status::Corruption("LZ4 page is malformed (neither Hadoop-framed LZ4 blocks nor one LZ4 block of " +
                              std::to_string(uncompressed_length) + " bytes)");
  return Status::OK();
}

}  // namespace ailake::parquet
