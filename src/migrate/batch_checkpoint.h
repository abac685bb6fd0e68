// BatchCheckpoint: a migration task's embeddings survive a crash per batch, not per file.
//
// Every validated batch of new vectors is written, before the embedding slot that produced it takes
// its next call, as one checkpoint segment in the job's staging folder; a task that runs again (after
// SIGKILL, Ctrl-C or an error) reads the segments back and sends to the embedder only the rows no
// valid segment holds. So after a kill at any instant, the texts embedded again are at most the
// calls that were in flight: batch size x concurrency.
//
// The task's segments form an append-only log. Object stores cannot append to an object, so each
// appended batch is its own object, published atomically (Store::Put):
//
//   <staging>/ckpt-<task id>-<first pos>-<last pos>.seg      (positions: decimal, 12 digits)
//
// Segment layout (little-endian), the last 4 bytes a CRC-32 (zlib) of everything before them:
//   offset  size      field
//   0       8         magic "AILKMCKP"
//   8       4         version (1)
//   12      4         dim
//   16      4         n: rows in the segment (1..2^24)
//   20      4         reserved (0)
//   24      8         first source position (= positions[0])
//   32      8         last source position (= positions[n-1])
//   40      16        task id (16 hex digits, as in the name)
//   56      8n        source row positions, strictly ascending, in [0, source rows)
//   56+8n   8n        FNV-1a-64 of each row's text (a saved vector is used only for the same text)
//   56+16n  4n*dim    the vectors, float32 (exact: a resumed task writes the same file bits)
//   end-4   4         CRC-32
// Everything read back is untrusted: a segment whose size, header, name, positions or CRC do not
// check out is discarded (its rows are embedded again), never trusted. A torn tail cannot be
// published (atomic put); a damaged one is discarded the same way.
//
// Segments are removed when their task's record is published, and with every other staged leftover
// by the job's completion, abort, and `expire` (jobs no longer running).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"
#include "store/store.h"

namespace ailake::migrate {

// FNV-1a 64 of a text's bytes.
uint64_t TextHash(std::string_view text);

// Key prefix of a task's segments.
std::string CheckpointPrefix(const std::string& staging_prefix, const std::string& task_id);

// Deletes every segment of the task (published ones; in-flight temp files go with the staging folder).
Status DeleteCheckpoint(Store& store, const std::string& staging_prefix, const std::string& task_id);

class BatchCheckpoint {
 public:
  // Lists the task's segments (names only; a segment is read and validated when first needed).
  static Result<std::unique_ptr<BatchCheckpoint>> Open(Store& store, const std::string& staging_prefix,
                                                       const std::string& task_id, uint32_t dim, int64_t source_rows);

  // Copies the saved vector of source row `pos` to out[0..dim) when a valid segment holds it for a
  // text with hash `text_hash`. Call with ascending `pos` (segments behind it are released).
  bool Lookup(int64_t pos, uint64_t text_hash, float* out);

  // Publishes one segment: rows at `positions` (ascending), their text hashes, and n x dim vectors.
  // Thread-safe (called from the embedding pool's threads).
  Status Append(const std::vector<int64_t>& positions, const std::vector<uint64_t>& hashes, const float* vectors);

  int64_t rows_reused() const { return rows_reused_; }
  size_t segments_discarded() const { return discarded_; }

 private:
  struct Entry {
    std::string key;
    uint64_t size = 0;
    int64_t first = 0, last = 0;
  };
  struct Loaded {
    int64_t last = 0;
    std::vector<int64_t> positions;
    std::vector<uint64_t> hashes;
    std::vector<float> vectors;
  };
  BatchCheckpoint(Store& store, std::string prefix, std::string task_id, uint32_t dim, int64_t rows)
      : store_(store), prefix_(std::move(prefix)), task_id_(std::move(task_id)), dim_(dim), source_rows_(rows) {}
  Result<Loaded> Load(const Entry& e) const;

  Store& store_;
  const std::string prefix_;
  const std::string task_id_;
  const uint32_t dim_;
  const int64_t source_rows_;
  std::vector<Entry> entries_;  // by first position
  size_t next_ = 0;             // entries_[next_..] not loaded yet
  std::vector<Loaded> active_;  // loaded segments that may still hold later positions
  int64_t rows_reused_ = 0;
  size_t discarded_ = 0;
};

}  // namespace ailake::migrate
