// What every route handler of `ailake serve` works with: the warehouse, its warm tables, the
// optional embedder for text, the limits, and the counters /healthz reports.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ailake/embedder.h"
#include "ailake/warehouse.h"
#include "serve/limits.h"

namespace ailake::serve {

// Table handles opened once and kept: each caches validated indexes, vectors and footers, so a
// search after the first touches no storage for files it has seen. Reads reload the latest snapshot
// at most every limits.refresh_ms (writes through this server move the handle at once).
class WarmTables {
 public:
  WarmTables(Warehouse& warehouse, int refresh_ms) : warehouse_(warehouse), refresh_ms_(refresh_ms) {}
  // The handle for `name` (opened on first use; kNotFound for a table the catalog does not have).
  Result<std::shared_ptr<Table>> Get(const std::string& name);
  size_t open_count() const;

 private:
  struct Entry {
    std::shared_ptr<Table> table;
    std::chrono::steady_clock::time_point refreshed;
  };
  Warehouse& warehouse_;
  const int refresh_ms_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> tables_;
};

// Rows/s and ETA of a running migration, from the rows done at successive status reads.
class MigrationRates {
 public:
  struct Rate {
    double rows_per_s = 0;
    double eta_s = -1;
  };
  Rate Observe(const std::string& job_id, int64_t rows_done, int64_t rows_total);

 private:
  struct Sample {
    std::chrono::steady_clock::time_point first_at, last_at;
    int64_t first_rows = 0, last_rows = 0;
    Rate rate;
  };
  std::mutex mu_;
  std::map<std::string, Sample> samples_;
};

struct ServeContext {
  ServeContext(Warehouse& wh, Embedder* emb, const ServeLimits& l)
      : warehouse(wh), embedder(emb), limits(l), tables(wh, l.refresh_ms), gate(l.max_concurrency) {}
  Warehouse& warehouse;
  Embedder* embedder;  // nullptr: text queries and rows without vectors are refused
  ServeLimits limits;
  WarmTables tables;
  MigrationRates rates;
  AdmissionGate gate;                 // --max-concurrency
  std::atomic<uint64_t> requests{0};  // every request seen, refused ones too
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace ailake::serve
