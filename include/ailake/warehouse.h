// Warehouse: the entry point. A warehouse is a storage location (a local folder today; s3:// when the
// S3 store lands) plus the catalog that records each table's current Iceberg metadata.
//
//   auto wh = ailake::Warehouse::Open("./warehouse", {.create = true});
//   auto t  = (*wh)->CreateTable("docs", {.model = {.name = "e5", .version = "v2", .dim = 384}});
//   auto t2 = (*wh)->OpenTable("docs");
//
// Table names: "table" (namespace "default") or "namespace.table"; letters, digits, '_' and '-',
// starting with a letter or digit, at most 128 bytes.
//
// Thread safety: a Warehouse may be used from several threads at once. Tables it opens keep what
// they need alive (a Table outlives the Warehouse object that opened it safely).
#pragma once

#include "ailake/export.h"
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "ailake/table.h"
#include "ailake/types.h"
#include "ailake/values.h"

namespace ailake {

struct WarehouseOptions {
  // "fs" (Hadoop-style version files in the warehouse; the default), "sqlite" (the Iceberg JDBC
  // catalog tables in <warehouse>/ailake_catalog.db), or a catalog URI the build supports.
  std::string catalog = "fs";
  // Create the warehouse folder when missing (else a missing folder is kNotFound).
  bool create = false;
  // Byte budget of each opened table's cache of validated indexes, vectors and footers (LRU),
  // counted as the files sit in memory: 1M rows of 384-d f16 in 100 files count about 1.4 GB.
  uint64_t table_cache_bytes = 2ull << 30;
  // Bound of the process-wide cache of decoded Iceberg manifests, which every warehouse and table
  // of the process shares (commits, search plans and deletes read a snapshot's manifests through
  // it; committed manifests never change, so it never serves stale content). 64 MiB until an Open
  // sets it; when set, Open resizes it (evicting least recently used first), and the last Open
  // that sets it wins. 0 turns it off: every plan and commit reads its manifests from storage.
  std::optional<uint64_t> manifest_cache_bytes{};
};

// The process-wide manifest cache's state (WarehouseOptions::manifest_cache_bytes), for monitoring.
struct ManifestCacheStats {
  uint64_t capacity_bytes = 0;  // the bound
  uint64_t bytes = 0;           // an estimate of the memory the cached manifests hold (<= the bound)
  uint64_t entries = 0;         // manifests cached
  uint64_t hits = 0;            // manifest reads answered from the cache since the process started
  uint64_t misses = 0;          // manifest reads that went to storage (verify's reads are not counted)
};
AILAKE_EXPORT ManifestCacheStats GetManifestCacheStats();

struct ColumnSpec {
  std::string name{};
  std::string type{};  // boolean, int, long, float, double, string, date, timestamptz
};

struct CreateTableOptions {
  // The embedding model of the vector column: name (required), version, dim (required), metric.
  EmbeddingModelInfo model{};
  VectorStoragePolicy storage{};            // precision (default f16), index kind and HNSW parameters
  std::string vector_column = "embedding";
  std::string text_column = "chunk_text";
  std::vector<ColumnSpec> columns{};        // extra typed columns beside id, doc_id, text, metadata
  int64_t target_file_rows = 250000;
  bool if_not_exists = false;             // open the existing table instead of kAlreadyExists
};

struct DropTableResult {
  bool purged = false;
  int64_t files_deleted = 0;
  int64_t bytes_deleted = 0;
};

struct AlterTableSpec {
  std::vector<ColumnSpec> add_columns{};
  std::vector<std::pair<std::string, std::string>> renames{};  // old name -> new name
};

struct AlterTableResult {
  int schema_id = 0;
  std::vector<std::pair<std::string, int>> added{};  // name, Iceberg field id
};

class AILAKE_EXPORT Warehouse {
 public:
  ~Warehouse();
  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  static Result<std::unique_ptr<Warehouse>> Open(const std::string& uri, const WarehouseOptions& options = {});

  // "local:/abs/path (fs catalog)" and the like; never contains a secret.
  std::string Describe() const;
  const std::string& uri() const;

  Result<std::unique_ptr<Table>> CreateTable(const std::string& name, const CreateTableOptions& options);
  Result<std::unique_ptr<Table>> OpenTable(const std::string& name);
  // Table names ("ns.table"), sorted; `ns` empty = every namespace.
  Result<std::vector<std::string>> ListTables(const std::string& ns = "");
  Result<std::vector<std::string>> ListNamespaces();
  // Forgets the table; with purge also deletes every object under its folder.
  Result<DropTableResult> DropTable(const std::string& name, bool purge = false);
  Result<AlterTableResult> AlterTable(const std::string& name, const AlterTableSpec& spec);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Warehouse(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_{};
};

}  // namespace ailake
