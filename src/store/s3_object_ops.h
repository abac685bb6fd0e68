// Single-object S3 operations shared by S3Store, its readers and its writers. Every function takes
// a full object key (store prefix included) and names s3://bucket/key in its errors.
#pragma once

#include <cstdint>
#include <string>

#include "store/s3_client.h"

namespace ailake::s3ops {

// HEAD: the object's size; kNotFound when absent.
Result<uint64_t> HeadSize(const S3Client& client, const std::string& full_key);
// Exactly `length` bytes at `offset` into `out` (a Range GET; length must be > 0). kOutOfRange
// when the range passes the end, kCorruption when the server answers with other bytes.
Status RangeGet(const S3Client& client, const std::string& full_key, uint64_t offset, uint64_t length, uint8_t* out);
// Whether the object holds exactly these bytes (read back with a GET capped at `length`).
Result<bool> HoldsExactly(const S3Client& client, const std::string& full_key, const uint8_t* data, size_t length);
// Single PUT, optionally with If-None-Match: * (412 -> kAlreadyExists, except when a retried
// attempt finds its own earlier attempt's bytes there, which is success).
Status PutObject(const S3Client& client, const std::string& full_key, const uint8_t* data, size_t length,
                 bool if_absent);

}  // namespace ailake::s3ops
