// Table: one ailake table (Iceberg v2 metadata + AI-Lake Parquet files), opened from a Warehouse.
//
// Reads (Search*, Info, History, Schema) see the snapshot the handle last loaded: the one current
// when it was opened, after its own last write, or after Refresh(). Writes (Add*, Delete*) always
// plan on the latest snapshot, commit atomically (one new snapshot each; a concurrent commit is
// retried or re-planned, never lost) and then move the handle to the new snapshot.
//
// Warm search: the handle keeps validated indexes, decoded vectors and file footers in an LRU cache
// bounded by WarehouseOptions::table_cache_bytes; files are immutable once committed, so a cached
// entry never goes stale. Batch searches fan queries x files out over a thread pool.
//
// Thread safety: every method may be called from several threads at once on one Table. Searches
// run concurrently with each other and with a write; a search started before a write commits sees
// the snapshot before it.
#pragma once

#include "ailake/export.h"
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ailake/embedder.h"
#include "ailake/status.h"
#include "ailake/types.h"
#include "ailake/values.h"

namespace ailake {

// ---- description ----------------------------------------------------------------------------

struct SchemaField {
  int id = 0;               // Iceberg field id
  std::string name{};
  std::string type{};         // Iceberg type: "string", "long", "fixed[768]", ...
  bool required = false;
  bool is_vector = false;   // a vector column (any model)
};

struct TableInfo {
  std::string name{};                   // "ns.table"
  std::string location{};               // the table's folder URI
  std::string metadata_location{};      // the metadata JSON file this state was read from
  std::string uuid{};                   // Iceberg table-uuid
  std::string vector_column{};
  std::string text_column{};
  EmbeddingModelInfo model{};           // name, version, dim, metric of the vector column
  VectorStoragePolicy storage{};
  int64_t target_file_rows = 0;
  std::vector<SchemaField> schema{};    // current schema, in order
  int schema_id = 0;
  int64_t snapshot_id = 0;            // 0 = no snapshot yet
  int64_t snapshot_ms = 0;
  int64_t snapshots = 0;              // snapshots the metadata keeps (time travel targets)
  int64_t data_files = 0;
  int64_t delete_files = 0;
  int64_t rows = 0;                   // physical rows of the live data files
  int64_t deleted_rows = 0;           // rows hidden by position deletes
  int64_t live_rows = 0;              // rows a full scan returns
  int64_t data_bytes = 0;
  std::string running_migration{};      // job id of the running migration, or empty
  std::map<std::string, std::string> properties{};
};

// One live file of the current snapshot (`ailake files`): what an engine that reads the files
// directly must read. The live rows are the data files' rows minus the positions their delete
// files list; any other file under the table's data/ folder belongs to older snapshots or to no
// snapshot at all.
struct LiveFile {
  std::string kind{};                   // "data", or "deletes" (an Iceberg position-delete file)
  std::string path{};                   // absolute location, as the table metadata records it
  int64_t bytes = 0;
  int64_t rows = 0;                     // data: physical rows; deletes: positions it lists
  int64_t deleted_rows = 0;             // data: its rows that position deletes hide
  int64_t sequence_number = 0;          // the Iceberg data sequence number
  std::string target{};                 // deletes: the data file its positions name ("" = several)
  std::string model{};                  // data: "NAME@VERSION" of the table's vector column, if stored
};

// One line of the table's history: a commit, or a rollback that made an older snapshot current.
struct HistoryEntry {
  std::string event{};                  // "commit" or "rollback"
  int64_t snapshot_id = 0;
  int64_t parent_id = 0;              // 0 = none
  int64_t sequence_number = 0;
  int64_t made_current_ms = 0;        // when this snapshot became current (the rollback's time for one)
  int64_t snapshot_ms = 0;            // the snapshot's own timestamp
  std::string operation{};              // append, overwrite, delete, replace
  int64_t added_rows = 0;             // live-row change this event made
  int64_t removed_rows = 0;
  int64_t total_live_rows = 0;        // after the event
  bool is_current = false;
  std::map<std::string, std::string> summary{};  // the Iceberg snapshot summary
};

// ---- writing --------------------------------------------------------------------------------

enum class WriteMode {
  kAppend,            // every row is added; ids are not checked
  kErrorOnDuplicate,  // nothing is written when any input id is already live
  kInsertNew,         // rows whose id is live are skipped (counted)
  kUpsert,            // rows are added and live rows with the same ids deleted, in ONE snapshot
};
// "append", "error-on-duplicate", "insert-new", "upsert".
AILAKE_EXPORT Result<WriteMode> ParseWriteMode(std::string_view text);
AILAKE_EXPORT std::string_view WriteModeName(WriteMode mode);
// The input format AddFile uses for `path`: `given` ("jsonl", "csv", "parquet"), else from the
// extension (.jsonl/.ndjson/.json, .csv, .parquet); InvalidArgument otherwise.
AILAKE_EXPORT Result<std::string> AddFileFormat(const std::string& path, const std::string& given = "");
// An id list file for DeleteIds: one id per line (spaces and a trailing CR trimmed), or JSON Lines
// whose objects carry "id" (string or integer); blank lines skipped. Errors name the line.
AILAKE_EXPORT Result<std::vector<std::string>> ReadIdListFile(const std::string& path);

struct WriteProgress {
  std::string phase{};             // "read" (reading, embedding, writing files), "commit", "done"
  int64_t rows_done = 0;
  int64_t rows_embedded = 0;
  double input_fraction = -1;    // of the input consumed, [0, 1]; -1 unknown
  size_t files_done = 0;
  double rows_per_s = 0;
  double eta_s = -1;
};

struct WriteOptions {
  WriteMode mode = WriteMode::kErrorOnDuplicate;
  // Rows without a vector are embedded from their text by this embedder (its model must be the
  // table's); nullptr = such rows are an error unless their text is null too.
  Embedder* embedder = nullptr;
  bool generate_ids = false;          // rows without an id get a generated one instead of an error
  size_t batch_rows = 256;            // texts per Embed() call
  size_t concurrency = 1;             // Embed() calls in flight
  uint32_t build_threads = 0;         // index build threads per file (0 = cores)
  int64_t target_file_rows = 0;       // rows per data file (0 = the table's)
  int64_t target_file_bytes = 0;      // also cut files at this many uncompressed bytes (0 = no limit)
  // AddFile only: "jsonl", "csv", "parquet"; empty = from the file extension. `text_field` names the
  // input field that holds the text column when the names differ.
  std::string input_format{};
  std::string text_field{};
  std::function<void(const WriteProgress&)> progress{};  // called on the writing thread
};

struct WriteResult {
  int64_t rows = 0;                   // rows written
  int64_t embedded = 0;               // of them, vectors from the embedder
  int64_t without_vector = 0;         // rows left with a null vector (null text and no vector)
  int64_t skipped = 0;                // insert-new: rows whose id was live
  int64_t replaced = 0;               // upsert: live rows deleted because the input re-wrote their id
  size_t files = 0;                   // data files written
  size_t files_removed = 0;           // data files left without a live row, removed
  int replans = 0;                    // plans made again after a concurrent commit touched our ids
  int commit_attempts = 0;            // catalog commit attempts of the final plan (> 1: lost races retried)
  int64_t snapshot_id = 0;            // 0 when nothing was committed
};

struct DeleteResult {
  int64_t rows_deleted = 0;
  size_t delete_files = 0;
  size_t files_removed = 0;
  std::vector<std::string> unknown_ids{};  // DeleteIds: requested ids with no live row (sorted)
  int64_t snapshot_id = 0;            // 0 when nothing matched (no commit)
};

// ---- search ---------------------------------------------------------------------------------

struct SearchOptions {
  size_t k = 10;
  size_t ef = 64;                     // HNSW search breadth (>= k is used)
  bool exact = false;                 // brute force over every live row (recall checks)
  std::optional<int64_t> snapshot_id{}; // time travel: a snapshot id ...
  std::optional<int64_t> as_of_ms{};    // ... or the snapshot current at this instant
  std::vector<std::string> columns{};   // data columns to return per hit (the id always is)
  std::string where{};                  // predicate over data columns (docs/CLI.md#where); empty = all
  // The query vectors' model "NAME[@VERSION]"; empty = the table's. Only files written by this
  // model are searched (search never mixes models).
  std::string model{};
  size_t threads = 0;                 // parallelism across files and queries (0 = cores)
  bool prune = true;                  // skip files whose centroid/radius bound cannot win
  // Search only the nprobe files whose centroids are nearest the query (a clustered table: its
  // regions); 0 = every file the exact bound cannot skip. Approximate when below the file count.
  size_t nprobe = 0;
  // Approximate early stop for clustered tables: after the first files (one per thread), the rest
  // are searched in one lane per thread, and a lane stops once `probe_patience` of its files in a
  // row put no hit into its k best (the remaining files count as pruned). 0 = never stop early.
  // With nprobe N as the cap, 2 searched about 7 of 15 files per query at recall 0.965 on 1M rows
  // in 100 regions (docs/BENCHMARKS.md); on an unclustered table every file holds neighbours, so
  // it rarely stops.
  size_t probe_patience = 0;
  // Adaptive probing (approximate, for clustered tables; cosine and euclidean metrics; 0 = off):
  // the file of nearest centroid is searched first, alone; another file is then searched only
  // while the query's distance to the hyperplane halfway between that file's centroid and the
  // nearest one (as a distance) is below adaptive_probe x the k-th best distance found so far.
  // nprobe, when set, caps the candidates. 0.02-0.05 searched 1.2-1.4 files per query at recall@10
  // 0.95 on 100k and 1M rows in 10 and 100 regions, with a lower p50 and a higher p99 than nprobe
  // alone (docs/BENCHMARKS.md). A finite value >= 0, else InvalidArgument.
  double adaptive_probe = 0;
};

struct SearchResult {
  std::vector<std::string> ids{};       // ascending distance
  std::vector<float> distances{};       // smaller is closer (types.h)
  RecordBatch values{};                 // one row per hit: the requested columns
  std::vector<std::string> files{};     // per hit: the data file location ...
  std::vector<uint32_t> rows{};         // ... and the row within it
  int64_t snapshot_id = 0;
  size_t files_total = 0;             // live files with the query's model
  size_t files_searched = 0;
  size_t files_pruned = 0;
  size_t files_other_model = 0;       // live files skipped: written by another model
  std::map<std::string, size_t> other_models{};  // model id -> files
  size_t row_groups_skipped = 0;      // by the predicate's statistics check
};

// ---- maintenance ----------------------------------------------------------------------------

struct ExpireOptions {
  std::optional<int64_t> older_than_ms{};          // default: now - 5 days (Iceberg's default)
  int retain_last = 1;                           // keep at least this many newest snapshots (>= 1)
  std::optional<int64_t> orphans_older_than_ms{};  // unreferenced-file grace; default now - 24 h
  bool dry_run = false;
  std::function<void(const std::string&)> progress{};  // one line per step
};

struct ExpireResult {
  std::vector<int64_t> expired_snapshots{};
  size_t data_files_deleted = 0;
  size_t delete_files_deleted = 0;
  size_t manifests_deleted = 0;
  size_t orphan_files_deleted = 0;
  size_t metadata_files_deleted = 0;
  int64_t bytes_freed = 0;
  size_t interrupted_runs_finished = 0;  // deletion records of killed earlier runs completed now
};

struct CompactOptions {
  int64_t target_file_rows = 0;   // 0 = the table's target
  int64_t target_file_bytes = 0;  // 0 = no byte limit
  std::string where{};              // only files whose statistics say a row may match
  bool dry_run = false;
  uint32_t build_threads = 0;
  // Clustered layout (docs/ARCHITECTURE.md): rewrite every live file into cluster_files regions of
  // the vector space (0 = ceil(live rows / target file rows)), so search can probe few files.
  bool cluster = false;
  int64_t cluster_files = 0;
  // A region (file) holds at most (1 + cluster_slack) x the mean rows per region: regions follow the
  // data's own clusters within that bound (a tight bound splits large clusters across files and
  // search then needs more files per query).
  double cluster_slack = 1.0;
  std::function<void(const std::string&)> progress{};
};

struct CompactResult {
  int64_t snapshot_id = 0;        // 0 when there was nothing to do (or dry run)
  size_t candidates = 0;          // files that are small or carry deletes
  size_t groups = 0;              // groups rewritten (files of one vector layout each)
  size_t files_removed = 0;
  size_t delete_files_removed = 0;
  size_t files_added = 0;
  int64_t rows_written = 0;
  int64_t bytes_written = 0;
  int64_t carried_deletes = 0;
  int commit_attempts = 0;
  int replans = 0;
  // The plan that was committed (the last one after re-plans): per group, the files it rewrote.
  struct Source {
    std::string location{};
    int64_t rows = 0;
    int64_t deleted_rows = 0;
    int64_t bytes = 0;
  };
  struct Group {
    std::string layout{};           // the vector columns and models of the group
    std::vector<Source> sources{};
    int64_t rows_in = 0, deleted_rows = 0, live_rows = 0, bytes_in = 0, delete_files = 0, files_out = 0;
  };
  int64_t plan_snapshot_id = 0;
  int64_t target_file_rows = 0;
  int64_t target_file_bytes = 0;
  size_t live_files = 0;
  std::vector<Group> plan{};
};

struct VerifyReport {
  int64_t snapshot_id = 0;
  size_t data_files = 0;
  size_t delete_files = 0;
  int64_t rows = 0;
  bool deep = false;
  std::vector<std::string> problems{};  // empty = healthy
  std::vector<std::string> notes{};     // expected while a migration runs; not problems
};

// ---- the table ------------------------------------------------------------------------------

class AILAKE_EXPORT Table {
 public:
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  const std::string& name() const;   // "ns.table"
  Result<TableInfo> Info();
  Result<std::vector<HistoryEntry>> History();
  // The live data files of the current snapshot, then its live delete files, each in manifest order.
  Result<std::vector<LiveFile>> Files();
  // Loads the latest snapshot from the catalog.
  Status Refresh();

  // Rows from columns (names as in the schema: "id", "doc_id", the text column, "metadata", extra
  // columns). `vectors` holds num_rows x dim floats (row-major) or is nullptr; a row whose vector is
  // all NaN counts as "no vector" (embedded from its text when options.embedder is set).
  Result<WriteResult> Add(const RecordBatch& rows, const float* vectors, size_t dim, const WriteOptions& options = {});
  // Rows from a JSON Lines, CSV or Parquet file (docs/CLI.md#insert: every input field lands in the
  // table or the call fails naming the row and field).
  Result<WriteResult> AddFile(const std::string& path, const WriteOptions& options = {});
  Result<DeleteResult> Delete(const std::string& where);
  Result<DeleteResult> DeleteIds(const std::vector<std::string>& ids);

  // k nearest rows to one query vector of the table's (or options.model's) dimension.
  Result<SearchResult> Search(const float* query, size_t dim, const SearchOptions& options = {});
  // One result per query; queries is n x dim, row-major. Queries run in parallel.
  Result<std::vector<SearchResult>> SearchBatch(const float* queries, size_t n, size_t dim,
                                                const SearchOptions& options = {});
  // Embeds the texts with `embedder` (its model is the query model unless options.model is set)
  // and searches them as a batch.
  Result<std::vector<SearchResult>> SearchText(const std::vector<std::string>& texts, Embedder& embedder,
                                               const SearchOptions& options = {});

  // Makes `snapshot_id` (an ancestor of the current snapshot) current again, restoring the schema
  // and vector-column properties it was written with.
  Status Rollback(int64_t snapshot_id);
  Result<ExpireResult> Expire(const ExpireOptions& options = {});
  Result<CompactResult> Compact(const CompactOptions& options = {});
  Result<VerifyReport> Verify(bool deep = false);

  // Bytes held by the warm-search cache.
  uint64_t cache_bytes() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  friend class Warehouse;
  explicit Table(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_{};
};

}  // namespace ailake
