// Byte-level file interfaces the format layers read and write through (LevelDB's Env idea).
//
// RandomAccessFile: positional reads, so a reader fetches only the byte ranges it needs (a Parquet
// footer, one column chunk). WritableFile: append-only output. The store layer adapts its objects
// to these; local files are provided here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Name used in error messages (a path or an object key).
  virtual const std::string& name() const = 0;
  virtual Result<uint64_t> Size() const = 0;
  // Reads exactly `length` bytes at `offset` into `out`. Reading past EOF is kOutOfRange.
  virtual Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const = 0;
  // Convenience: allocates. Callers cap `length` before calling (untrusted sizes).
  Result<std::vector<uint8_t>> ReadRange(uint64_t offset, uint64_t length) const;
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual const std::string& name() const = 0;
  virtual Status Append(const uint8_t* data, size_t length) = 0;
  Status Append(const std::vector<uint8_t>& bytes) { return Append(bytes.data(), bytes.size()); }
  virtual uint64_t Tell() const = 0;
  // Flushes, fsyncs and closes. A file not closed successfully must be treated as garbage.
  virtual Status Close() = 0;
};

// Local files (POSIX). OpenLocalWritable truncates/creates the file.
Result<std::shared_ptr<RandomAccessFile>> OpenLocalReadable(const std::string& path);
Result<std::unique_ptr<WritableFile>> OpenLocalWritable(const std::string& path);

// In-memory implementations (tests, and buffering small objects before a store put).
std::shared_ptr<RandomAccessFile> MakeBufferReadable(std::vector<uint8_t> bytes, std::string name = "<memory>");
class BufferWritableFile : public WritableFile {
 public:
  explicit BufferWritableFile(std::string name = "<memory>") : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Status Append(const uint8_t* data, size_t length) override;
  using WritableFile::Append;
  uint64_t Tell() const override { return buffer_.size(); }
  Status Close() override { return Status::OK(); }
  std::vector<uint8_t>& buffer() { return buffer_; }
 private:
  std::string name_;
  std::vector<uint8_t> buffer_;
};

// Reads exactly `length` bytes at `offset` from a POSIX descriptor, retrying short reads and EINTR.
// Past EOF is kOutOfRange; `name` (path or object key) goes into every message.
Status PreadFully(int fd, uint64_t offset, uint64_t length, uint8_t* out, const std::string& name);

// Whole-file helpers for small files (metadata, tests). ReadFileToBytes refuses files above max_bytes.
Result<std::vector<uint8_t>> ReadFileToBytes(const std::string& path, uint64_t max_bytes = 1ull << 30);
Status WriteBytesToFile(const std::string& path, const uint8_t* data, size_t length);

}  // namespace ailake
