#include "table/file_cache.h"

namespace ailake::table {

std::shared_ptr<CachedFile> FileCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.second);
  return it->second.first;
}

void FileCache::Put(const std::string& key, std::shared_ptr<CachedFile> file) {
  std::lock_guard<std::mutex> lock(mu_);
  if (map_.count(key) || file->bytes > budget_) return;
  lru_.push_front(key);
  bytes_ += file->bytes;
  map_[key] = {std::move(file), lru_.begin()};
  while (bytes_ > budget_ && !lru_.empty()) {
    auto victim = map_.find(lru_.back());
    bytes_ -= victim->second.first->bytes;
    map_.erase(victim);
    lru_.pop_back();
  }
}

}  // namespace ailake::table

namespace ailake::table {

uint64_t FileCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace ailake::table
