#include "core/io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ailake {

namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

class LocalReadable final : public RandomAccessFile {
 public:
  LocalReadable(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~LocalReadable() override { ::close(fd_); }
  const std::string& name() const override { return path_; }
  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::IOError(path_ + ": fstat failed: " + ErrnoText(errno));
    return static_cast<uint64_t>(st.st_size);
  }
  Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const override {
    return PreadFully(fd_, offset, length, out, path_);
  }

 private:
  std::string path_;
  int fd_;
};

class LocalWritable final : public WritableFile {
 public:
  LocalWritable(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~LocalWritable() override {
    if (fd_ >= 0) ::close(fd_);
  }
  const std::string& name() const override { return path_; }
  Status Append(const uint8_t* data, size_t length) override {
    if (fd_ < 0) return Status::Internal(path_ + ": append after close");
    // Small writes are buffered; large ones go straight through.
    if (buffer_.size() + length > kBufferSize) AILAKE_RETURN_IF_ERROR(FlushBuffer());
    if (length >= kBufferSize) {
      AILAKE_RETURN_IF_ERROR(WriteAll(data, length));
    } else {
      buffer_.insert(buffer_.end(), data, data + length);
    }
    pos_ += length;
    return Status::OK();
  }
  uint64_t Tell() const override { return pos_; }
  Status Close() override {
    if (fd_ < 0) return Status::OK();
    AILAKE_RETURN_IF_ERROR(FlushBuffer());
    if (::fsync(fd_) != 0) return Status::IOError(path_ + ": fsync failed: " + ErrnoText(errno));
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Status::IOError(path_ + ": close failed: " + ErrnoText(errno));
    return Status::OK();
  }

 private:
  static constexpr size_t kBufferSize = 1 << 20;
  Status FlushBuffer() {
    if (buffer_.empty()) return Status::OK();
    Status st = WriteAll(buffer_.data(), buffer_.size());
    buffer_.clear();
    return st;
  }
  Status WriteAll(const uint8_t* data, size_t length) {
    size_t done = 0;
    while (done < length) {
      ssize_t n = ::write(fd_, data + done, length - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(path_ + ": write failed: " + ErrnoText(errno));
      }
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }
  std::string path_;
  int fd_;
  uint64_t pos_ = 0;
  std::vector<uint8_t> buffer_;
};

class BufferReadable final : public RandomAccessFile {
 public:
  BufferReadable(std::vector<uint8_t> bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Result<uint64_t> Size() const override { return static_cast<uint64_t>(bytes_.size()); }
  Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const override {
    if (offset > bytes_.size() || length > bytes_.size() - offset) {
      return Status::OutOfRange(name_ + ": read of " + std::to_string(length) + " bytes at offset " +
                                std::to_string(offset) + " goes past the end (" +
                                std::to_string(bytes_.size()) + " bytes)");
    }
    if (length) std::memcpy(out, bytes_.data() + offset, length);
    return Status::OK();
  }

 private:
  std::vector<uint8_t> bytes_;
  std::string name_;
};

}  // namespace

Status PreadFully(int fd, uint64_t offset, uint64_t length, uint8_t* out, const std::string& name) {
  if (offset > static_cast<uint64_t>(INT64_MAX) || length > static_cast<uint64_t>(INT64_MAX) - offset) {
    return Status::OutOfRange(name + ": read of " + std::to_string(length) + " bytes at offset " +
                              std::to_string(offset) + " is beyond any file size");
  }
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(name + ": read failed: " + ErrnoText(errno));
    }
    if (n == 0) {
      return Status::OutOfRange(name + ": read of " + std::to_string(length) + " bytes at offset " +
                                std::to_string(offset) + " goes past the end of the file");
    }
    done += static_cast<uint64_t>(n);
  }
  return Status::OK();
}

Result<std::vector<uint8_t>> RandomAccessFile::ReadRange(uint64_t offset, uint64_t length) const {
  std::vector<uint8_t> out(length);
  AILAKE_RETURN_IF_ERROR(ReadAt(offset, length, out.data()));
  return out;
}

Result<std::shared_ptr<RandomAccessFile>> OpenLocalReadable(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + ErrnoText(err));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": is a directory, not a file");
  }
  return std::shared_ptr<RandomAccessFile>(std::make_shared<LocalReadable>(path, fd));
}

Result<std::unique_ptr<WritableFile>> OpenLocalWritable(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(path + ": cannot create: " + ErrnoText(errno));
  return std::unique_ptr<WritableFile>(std::make_unique<LocalWritable>(path, fd));
}

std::shared_ptr<RandomAccessFile> MakeBufferReadable(std::vector<uint8_t> bytes, std::string name) {
  return std::make_shared<BufferReadable>(std::move(bytes), std::move(name));
}

Status BufferWritableFile::Append(const uint8_t* data, size_t length) {
  buffer_.insert(buffer_.end(), data, data + length);
  return Status::OK();
}

Result<std::vector<uint8_t>> ReadFileToBytes(const std::string& path, uint64_t max_bytes) {
  AILAKE_ASSIGN_OR_RETURN(auto file, OpenLocalReadable(path));
  AILAKE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (size > max_bytes) {
    return Status::ResourceExhausted(path + ": file is " + std::to_string(size) + " bytes, more than the " +
                                     std::to_string(max_bytes) + "-byte limit for this read");
  }
  return file->ReadRange(0, size);
}

Status WriteBytesToFile(const std::string& path, const uint8_t* data, size_t length) {
  AILAKE_ASSIGN_OR_RETURN(auto file, OpenLocalWritable(path));
  AILAKE_RETURN_IF_ERROR(file->Append(data, length));
  return file->Close();
}

}  // namespace ailake
