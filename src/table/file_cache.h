// A cache of loaded vector columns (decoded vectors + validated index) keyed by file location, so
// repeated searches do not re-read and re-validate files. Files are immutable once committed, so an
// entry never goes stale; entries are evicted least-recently-used beyond a byte budget.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "file/file_reader.h"

namespace ailake::table {

struct CachedFile {
  std::shared_ptr<file::AiLakeFileReader> reader;
  std::shared_ptr<file::LoadedVectorColumn> column;
  // The file's `id` column (one per row), loaded with the vectors: every search returns ids, and
  // reading them per query would dominate a warm search. Empty when the file has no id column.
  std::vector<std::string> ids;
  uint64_t bytes = 0;
  std::mutex reader_mu;  // ParquetReader is not thread-safe; predicate filtering reads through it

  // The rows that passed the most recent predicates, keyed by the predicate text and the schema it
  // was bound against (a pure function of the immutable file, so never stale): a warm search with
  // a repeated filter (a tenant, a date range) does not decode the predicate's columns again.
  // Front = most recently used; at most kMaxFilterMemos (their bits are counted in `bytes` when the
  // file is loaded). Guarded by reader_mu.
  struct FilterMemo {
    std::string key;
    index::AllowedRows mask;
    int64_t rows_matched = 0;
    int row_groups_skipped = 0;
  };
  static constexpr size_t kMaxFilterMemos = 8;
  std::list<FilterMemo> filters;

  // Decoded data columns of the row groups that held hits, keyed by (row group, file column
  // index): fetching the text of a hit again does not decompress and decode its column chunk again
  // (the cost of a warm search that returns text). At most column_budget bytes per file: a quarter of the
  // file's decoded vectors, at most kMaxColumnBytes, reserved in `bytes` so the cache's budget
  // holds; past it the memo is emptied and refilled. Guarded by reader_mu.
  static constexpr uint64_t kMaxColumnBytes = 8ull << 20;
  std::map<std::pair<int, int>, std::shared_ptr<const parquet::Column>> columns;
  uint64_t column_budget = 0;
  uint64_t column_bytes = 0;
};

class FileCache {
 public:
  explicit FileCache(uint64_t budget_bytes = 2ull << 30) : budget_(budget_bytes) {}
  std::shared_ptr<CachedFile> Get(const std::string& key);
  // Invariant: bytes() <= budget after every Put; an entry larger than the whole budget is not
  // kept (the caller still uses its own reference for the current search).
  void Put(const std::string& key, std::shared_ptr<CachedFile> file);
  uint64_t bytes() const;
  uint64_t budget() const { return budget_; }

 private:
  mutable std::mutex mu_;
  uint64_t budget_;
  uint64_t bytes_ = 0;
  std::list<std::string> lru_;  // front = most recent
  std::unordered_map<std::string, std::pair<std::shared_ptr<CachedFile>, std::list<std::string>::iterator>> map_;
};

}  // namespace ailake::table
