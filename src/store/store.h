// Store: the object-store view of a warehouse that every layer above reads and writes through
// (LevelDB's Env idea, shaped like S3 so a remote store can implement it too).
//
// Keys are relative, '/'-separated paths ("db/t/metadata/v3.metadata.json"). Rules every store
// enforces (ValidateKey): not empty, at most kMaxKeyBytes, no leading or trailing '/', no empty,
// "." or ".." segments, no NUL byte, and no segment starting with kTempPrefix (that prefix marks a
// store's in-flight temporary objects, which are never listed and never addressable).
//
// Visibility: an object appears whole or not at all. Put and a WritableFile's Close publish
// atomically; a writer that is destroyed (or whose process dies) before Close leaves nothing visible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "core/io.h"

namespace ailake {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  // When the object was published (ms since the epoch; 0 when the store cannot tell). Cleanup uses
  // it as the creation time for its grace period: a commit in flight may still publish a young file.
  int64_t created_ms = 0;
};

// How OpenWritable publishes on Close.
enum class PublishMode {
  kOverwrite,    // replace any existing object (like Put)
  kIfAbsent,     // fail Close with kAlreadyExists when the key exists (like PutIfAbsent)
};

class Store {
 public:
  // Default cap for Get: whole-object reads are for metadata-sized objects.
  static constexpr uint64_t kDefaultMaxGetBytes = 256ull << 20;
  static constexpr size_t kMaxKeyBytes = 1024;
  static constexpr std::string_view kTempPrefix = ".ailake-tmp-";

  virtual ~Store() = default;

  // "local:/path/to/warehouse", "s3://bucket/prefix": for messages and logs.
  virtual std::string Describe() const = 0;

  // Whole object. kNotFound when absent; kResourceExhausted when larger than max_bytes.
  virtual Result<std::vector<uint8_t>> Get(const std::string& key,
                                           uint64_t max_bytes = kDefaultMaxGetBytes) const = 0;
  // Exactly `length` bytes at `offset`; kOutOfRange when the range passes the end.
  virtual Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                                uint64_t length) const = 0;
  // Positional reader over one object (Parquet readers fetch footers and column chunks from it).
  virtual Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& key) const = 0;

  // Atomically creates or replaces the object.
  virtual Status Put(const std::string& key, const uint8_t* data, size_t length) = 0;
  // Atomically creates the object; kAlreadyExists when the key exists (also across processes:
  // exactly one of several racing callers wins).
  virtual Status PutIfAbsent(const std::string& key, const uint8_t* data, size_t length) = 0;
  // Streaming put: bytes go to a temporary object; Close() publishes per `mode`.
  virtual Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& key,
                                                             PublishMode mode = PublishMode::kOverwrite) = 0;

  // Objects whose key starts with `prefix` (a plain string prefix, as in S3: "metadata/v" matches
  // "metadata/v1.metadata.json"), sorted by key. An empty prefix lists everything.
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix) const = 0;
  // Removes the object. Deleting an absent key is OK (idempotent, as in S3), so cleanup can be retried.
  virtual Status Delete(const std::string& key) = 0;
  // Removes writes that were started under `folder` ("a/b/", directly in it) but never published,
  // e.g. left by a killed writer; returns how many. Call only when no writer can still be using
  // that folder (a migration job that is over). Stores without such leftovers return 0.
  virtual Result<size_t> DeleteUnpublished(const std::string& folder) { return size_t{0}; }
  virtual Result<uint64_t> Size(const std::string& key) const = 0;
  virtual Result<bool> Exists(const std::string& key) const = 0;

  // Convenience overloads.
  Status Put(const std::string& key, const std::vector<uint8_t>& bytes) { return Put(key, bytes.data(), bytes.size()); }
  Status Put(const std::string& key, std::string_view text) {
    return Put(key, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  Status PutIfAbsent(const std::string& key, const std::vector<uint8_t>& bytes) {
    return PutIfAbsent(key, bytes.data(), bytes.size());
  }
  Status PutIfAbsent(const std::string& key, std::string_view text) {
    return PutIfAbsent(key, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  Result<std::string> GetString(const std::string& key, uint64_t max_bytes = kDefaultMaxGetBytes) const;
};

// kInvalidArgument naming the key and the rule it breaks, or OK.
Status ValidateKey(std::string_view key);
// Like ValidateKey but for List prefixes: may be empty and may end with '/'.
Status ValidateKeyPrefix(std::string_view prefix);

}  // namespace ailake
