// Page compression codecs: zstd, snappy, gzip, lz4_raw (LZ4 block format, no framing), none.
// Decompress is given the exact uncompressed size from the page header and refuses output that does
// not match it (a corrupt page is kCorruption, never an overrun).
#pragma once

#include <cstdint>
#include <vector>

#include "ailake/status.h"
#include "parquet/writer.h"

namespace ailake::parquet {

// Thrift CompressionCodec value <-> ours (LZO, BROTLI and the deprecated framed LZ4 are NotSupported).
Result<Compression> CompressionFromThrift(int32_t codec);
int32_t CompressionToThrift(Compression c);

// Appends the compressed bytes to out.
Status Compress(Compression codec, int level, const uint8_t* data, size_t length, std::vector<uint8_t>* out);
// Reader only: the deprecated LZ4 codec (thrift id 5). Writers used Hadoop's framing (blocks of
// u32 BE uncompressed length, u32 BE compressed length, one LZ4 block); some wrote a bare LZ4 block
// instead. Like Arrow's reader, the Hadoop framing is tried first and the bare block second.
Status DecompressLz4Hadoop(const uint8_t* data, size_t length, size_t uncompressed_length, std::vector<uint8_t>* out);
// Writes exactly uncompressed_length bytes to out (resized).
Status Decompress(Compression codec, const uint8_t* data, size_t length, size_t uncompressed_length,
                  std::vector<uint8_t>* out);

}  // namespace ailake::parquet
