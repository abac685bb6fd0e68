#include "iceberg/avro_codec.h"

#include <zlib.h>

#include <algorithm>

namespace ailake {

const char* AvroCodecName(AvroCodec codec) { return codec == AvroCodec::kDeflate ? "deflate" : "null"; }

Result<AvroCodec> ParseAvroCodec(std::string_view name) {
  if (name == "null") return AvroCodec::kNull;
  if (name == "deflate") return AvroCodec::kDeflate;
  return Status::NotSupported("Avro codec '" + std::string(name) + "' is not supported (ailake reads and writes "
                              "'null' and 'deflate'); rewrite the file with one of those");
}

Status AvroCompress(AvroCodec codec, int level, const std::vector<uint8_t>& in, std::vector<uint8_t>* out) {
  if (codec == AvroCodec::kNull) {
    *out = in;
    return Status::OK();
  }
  z_stream zs{};
  // windowBits -15: raw deflate.
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("zlib deflateInit2 failed");
  }
  out->resize(deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out->data();
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("zlib deflate did not finish (rc " + std::to_string(rc) + ")");
  out->resize(produced);
  return Status::OK();
}

Status AvroDecompress(AvroCodec codec, const uint8_t* in, size_t n, uint64_t max_out, std::vector<uint8_t>* out) {
  if (codec == AvroCodec::kNull) {
    if (n > max_out) return Status::ResourceExhausted("Avro block of " + std::to_string(n) + " bytes exceeds the limit");
    out->assign(in, in + n);
    return Status::OK();
  }
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Status::Internal("zlib inflateInit2 failed");
  zs.next_in = const_cast<Bytef*>(in);
  zs.avail_in = static_cast<uInt>(n);
  out->clear();
  size_t cap = static_cast<size_t>(std::min<uint64_t>(max_out, std::max<uint64_t>(4 * uint64_t{n}, 4096)));
  int rc = Z_OK;
  while (true) {
    if (out->size() == cap) {
      if (cap >= max_out) {
        inflateEnd(&zs);
        return Status::ResourceExhausted("deflate block inflates past the limit of " + std::to_string(max_out) + " bytes");
      }
      cap = static_cast<size_t>(std::min<uint64_t>(max_out, uint64_t{cap} * 2));
    }
    size_t have = out->size();
    out->resize(cap);
    zs.next_out = out->data() + have;
    zs.avail_out = static_cast<uInt>(cap - have);
    rc = inflate(&zs, Z_NO_FLUSH);
    out->resize(cap - zs.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      inflateEnd(&zs);
      return Status::Corruption("deflate stream is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string msg = zs.msg ? zs.msg : "error " + std::to_string(rc);
      inflateEnd(&zs);
      return Status::Corruption("deflate stream is corrupt: " + msg);
    }
  }
  inflateEnd(&zs);
  return Status::OK();
}

}  // namespace ailake
