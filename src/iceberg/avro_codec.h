// Block codecs of Avro object container files: "null" (stored) and "deflate" (RFC 1951 raw
// deflate: no zlib header, no checksum, as the Avro spec requires).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ailake/status.h"

namespace ailake {

enum class AvroCodec { kNull, kDeflate };

const char* AvroCodecName(AvroCodec codec);
// kNotSupported naming the codec for anything but "null" and "deflate" (snappy, zstandard, ...).
Result<AvroCodec> ParseAvroCodec(std::string_view name);

// level: zlib level 1..9, or -1 for zlib's default (6).
Status AvroCompress(AvroCodec codec, int level, const std::vector<uint8_t>& in, std::vector<uint8_t>* out);
// Fails with kCorruption for a bad stream and with kResourceExhausted when the output would exceed
// max_out bytes (a small block that inflates to gigabytes is refused, not allocated).
Status AvroDecompress(AvroCodec codec, const uint8_t* in, size_t n, uint64_t max_out, std::vector<uint8_t>* out);

}  // namespace ailake
