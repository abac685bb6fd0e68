// ManifestCache: decoded manifests, shared by every reader in the process.
//
// Why: a commit, a search plan and a delete each need the live files of the current snapshot, which
// means every manifest the snapshot lists. Read from storage each time, one CLI insert opened each
// manifest three times (a HEAD and a GET each on S3), and a long-lived process (Python, `ailake
// serve`, a Dask coordinator) re-read the table's whole history on every commit.
//
// Why it is safe: ailake never rewrites a committed file in place, and every manifest it writes has
// a fresh UUID name, so a manifest location names one content forever. The key also holds the
// store's identity (Store::Describe) and the length the manifest list records, so two stores, or a
// file replaced by a tool that does not follow that rule with one of another length, do not share
// an entry. `ailake verify` reads around the cache (ManifestRead::kFromStorage): checking the bytes
// on storage is its job.
//
// What is kept: the manifest as decoded, before sequence-number inheritance (which depends on the
// manifest-list entry and is applied on every read), bounded by an estimate of its memory
// (capacity_bytes, least recently used first out). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "iceberg/manifest.h"

namespace ailake::iceberg {

struct ManifestContents;

class ManifestCache {
 public:
  static constexpr size_t kDefaultCapacityBytes = 64u << 20;

  // The process-wide cache ReadManifest uses.
  static ManifestCache& Process();

  explicit ManifestCache(size_t capacity_bytes = kDefaultCapacityBytes) : capacity_bytes_(capacity_bytes) {}

  std::shared_ptr<const ManifestContents> Find(const std::string& key);
  // Replaces any entry under `key`. An entry larger than the whole capacity is not kept.
  void Insert(const std::string& key, std::shared_ptr<const ManifestContents> contents);
  void Clear();

  // Sets the bound (0 turns the cache off) and evicts down to it.
  void set_capacity_bytes(size_t bytes);
  size_t capacity_bytes() const;
  size_t bytes() const;
  size_t entries() const;
  uint64_t hits() const;
  uint64_t misses() const;

  // An estimate of the memory `contents` holds (strings, maps, centroids), for the bound.
  static size_t EstimateBytes(const ManifestContents& contents);

 private:
  struct Slot {
    std::string key;
    std::shared_ptr<const ManifestContents> contents;
    size_t bytes = 0;
  };
  void EvictLocked();

  mutable std::mutex mu_;
  size_t capacity_bytes_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
  std::list<Slot> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
};

}  // namespace ailake::iceberg
