// Avro object container file layout (Avro spec, "Object Container Files"):
//
//   file   := magic metadata sync block*
//   magic  := 'O' 'b' 'j' 0x01
//   metadata := map<bytes> in Avro binary (blocks of count + (string key, bytes value), then 0)
//               holding "avro.schema" (the writer schema JSON), "avro.codec" ("null" when absent)
//               and any other keys (Iceberg puts "schema", "partition-spec", "format-version",
//               "content" there; ailake may add its own). Keys starting with "avro." are reserved.
//   sync   := 16 random bytes, chosen per file
//   block  := long object_count, long byte_size, byte_size bytes of objects (compressed by the
//             codec), sync
//
// A reader checks each block's trailing sync against the header's, which detects a torn or
// misaligned file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ailake {

inline constexpr uint8_t kAvroMagic[4] = {'O', 'b', 'j', 1};
inline constexpr size_t kAvroSyncSize = 16;

}  // namespace ailake
