#include "parquet/byte_stream_split.h"

#include <string>

#include "core/checked.h"

namespace ailake::parquet {

Status DecodeByteStreamSplit(const uint8_t* data, size_t length, size_t n, ValueBuffer* out) {
  if (out->width <= 0) return Status::Corruption("BYTE_STREAM_SPLIT is not defined for variable-length values");
  const size_t w = static_cast<size_t>(out->width);
  auto bytes = CheckedMul(n, w);
  if (!bytes || *bytes != length) {
    return Status::Corruption("BYTE_STREAM_SPLIT page holds " + std::to_string(length) + " bytes, expected " +
                              std::to_string(n) + " values of " + std::to_string(w) + " bytes");
  }
  AILAKE_RETURN_IF_ERROR(out->Reserve(*bytes));
  const size_t at = out->data.size();
  out->data.resize(at + *bytes);
  uint8_t* dst = out->data.data() + at;
  // Stream-major loop: sequential reads, strided writes (cache-friendly enough for page sizes).
  for (size_t k = 0; k < w; ++k) {
    const uint8_t* stream = data + k * n;
    for (size_t i = 0; i < n; ++i) dst[i * w + k] = stream[i];
  }
  out->count += static_cast<int64_t>(n);
  return Status::OK();
}

}  // namespace ailake::parquet
