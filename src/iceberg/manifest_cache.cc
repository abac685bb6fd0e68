#include "iceberg/manifest_cache.h"

#include "iceberg/manifest_io.h"

namespace ailake::iceberg {

ManifestCache& ManifestCache::Process() {
  static ManifestCache* cache = new ManifestCache();  // never destroyed: readers may run during exit
  return *cache;
}

std::shared_ptr<const ManifestContents> ManifestCache::Find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->contents;
}

void ManifestCache::Insert(const std::string& key, std::shared_ptr<const ManifestContents> contents) {
  const size_t bytes = EstimateBytes(*contents) + key.size();
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  if (bytes > capacity_bytes_) return;
  lru_.push_front({key, std::move(contents), bytes});
  index_[key] = lru_.begin();
  bytes_ += bytes;
  EvictLocked();
}

void ManifestCache::EvictLocked() {
  while (bytes_ > capacity_bytes_ && !lru_.empty()) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void ManifestCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  lru_.clear();
  index_.clear();
  bytes_ = 0;
}

void ManifestCache::set_capacity_bytes(size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_bytes_ = bytes;
  EvictLocked();
}

size_t ManifestCache::capacity_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return capacity_bytes_;
}
size_t ManifestCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}
size_t ManifestCache::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}
uint64_t ManifestCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}
uint64_t ManifestCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

size_t ManifestCache::EstimateBytes(const ManifestContents& contents) {
  // A std::map node is its value plus about 4 words of tree links; small strings live inline.
  constexpr size_t kNode = 4 * sizeof(void*);
  size_t n = sizeof(ManifestContents);
  for (const auto& e : contents.entries) {
    const DataFile& f = e.file;
    n += sizeof(ManifestEntry) + f.file_path.capacity() + f.file_format.capacity();
    n += (f.column_sizes.size() + f.value_counts.size() + f.null_value_counts.size() + f.nan_value_counts.size()) *
         (kNode + sizeof(std::pair<const int32_t, int64_t>));
    for (const auto* bounds : {&f.lower_bounds, &f.upper_bounds}) {
      for (const auto& [id, b] : *bounds) n += kNode + sizeof(std::pair<const int32_t, std::vector<uint8_t>>) + b.capacity();
    }
    n += f.split_offsets.capacity() * sizeof(int64_t);
  }
  for (const auto& [path, stats] : contents.vector_stats) {
    n += kNode + sizeof(std::pair<const std::string, std::vector<FileVectorStats>>) + path.capacity();
    for (const auto& s : stats) {
      n += sizeof(FileVectorStats) + s.column.capacity() + s.model.capacity() + s.model_version.capacity() +
           s.centroid.capacity() * sizeof(float);
    }
  }
  return n;
}

}  // namespace ailake::iceberg
