#include "store/local_store_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "core/uuid.h"

namespace ailake {

namespace {

class FdReadable final : public RandomAccessFile {
 public:
  FdReadable(std::string name, UniqueFd fd) : name_(std::move(name)), fd_(std::move(fd)) {}
  const std::string& name() const override { return name_; }
  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_.get(), &st) != 0) return Status::IOError(name_ + ": fstat failed: " + ErrnoMessage(errno));
    return static_cast<uint64_t>(st.st_size);
  }
  Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const override {
    return PreadFully(fd_.get(), offset, length, out, name_);
  }

 private:
  std::string name_;
  UniqueFd fd_;
};

class AtomicWritable final : public WritableFile {
 public:
  AtomicWritable(std::string name, UniqueFd dir_fd, std::string leaf, std::string tmp, UniqueFd fd, PublishMode mode)
      : name_(std::move(name)), dir_fd_(std::move(dir_fd)), leaf_(std::move(leaf)), tmp_(std::move(tmp)),
        fd_(std::move(fd)), mode_(mode) {}

  ~AtomicWritable() override {
    // Not published: the temp file is garbage. (A crash skips this; List ignores the leftover.)
    if (!published_) {
      fd_.Reset();
      ::unlinkat(dir_fd_.get(), tmp_.c_str(), 0);
    }
  }

  const std::string& name() const override { return name_; }
  uint64_t Tell() const override { return pos_; }

  Status Append(const uint8_t* data, size_t length) override {
    if (closed_) return Status::Internal(name_ + ": append after Close");
    if (buffer_.size() + length > kBufferSize) AILAKE_RETURN_IF_ERROR(Flush());
    if (length >= kBufferSize) {
      AILAKE_RETURN_IF_ERROR(WriteAll(data, length));
    } else {
      buffer_.insert(buffer_.end(), data, data + length);
    }
    pos_ += length;
    return Status::OK();
  }

  Status Close() override {
    if (closed_) return published_ ? Status::OK() : Status::Internal(name_ + ": Close called again after a failure");
    closed_ = true;
    AILAKE_RETURN_IF_ERROR(Flush());
    if (::fsync(fd_.get()) != 0) return Status::IOError(name_ + ": fsync failed: " + ErrnoMessage(errno));
    if (int err = fd_.Close()) return Status::IOError(name_ + ": close failed: " + ErrnoMessage(err));
    if (mode_ == PublishMode::kOverwrite) {
      if (::renameat(dir_fd_.get(), tmp_.c_str(), dir_fd_.get(), leaf_.c_str()) != 0) {
        int err = errno;
        if (err == EISDIR) {
          return Status::InvalidArgument(name_ + ": a folder with this name exists; pick another key");
        }
        return Status::IOError(name_ + ": cannot publish (rename): " + ErrnoMessage(err));
      }
    } else {
      // link() creates the name only if absent, atomically, across processes.
      if (::linkat(dir_fd_.get(), tmp_.c_str(), dir_fd_.get(), leaf_.c_str(), 0) != 0) {
        int err = errno;
        if (err == EEXIST) {
          return Status::AlreadyExists(name_ + ": the object already exists (create-if-absent lost); "
                                       "re-read it and decide again");
        }
        return Status::IOError(name_ + ": cannot publish (link): " + ErrnoMessage(err));
      }
      published_ = true;
      ::unlinkat(dir_fd_.get(), tmp_.c_str(), 0);
    }
    published_ = true;
    // The folder's fsync makes the new name durable.
    if (::fsync(dir_fd_.get()) != 0) {
      return Status::IOError(name_ + ": published, but fsync of its folder failed: " + ErrnoMessage(errno));
    }
    return Status::OK();
  }

 private:
  static constexpr size_t kBufferSize = 1 << 20;

  Status Flush() {
    if (buffer_.empty()) return Status::OK();
    Status st = WriteAll(buffer_.data(), buffer_.size());
    buffer_.clear();
    return st;
  }
  Status WriteAll(const uint8_t* data, size_t length) {
    size_t done = 0;
    while (done < length) {
      ssize_t n = ::write(fd_.get(), data + done, length - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(name_ + ": write failed: " + ErrnoMessage(errno));
      }
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  std::string name_;
  UniqueFd dir_fd_;
  std::string leaf_;
  std::string tmp_;
  UniqueFd fd_;
  PublishMode mode_;
  std::vector<uint8_t> buffer_;
  uint64_t pos_ = 0;
  bool closed_ = false;
  bool published_ = false;
};

}  // namespace

std::shared_ptr<RandomAccessFile> MakeFdReadable(std::string name, UniqueFd fd) {
  return std::make_shared<FdReadable>(std::move(name), std::move(fd));
}

Result<std::unique_ptr<WritableFile>> MakeAtomicWritable(std::string name, UniqueFd dir_fd, std::string leaf,
                                                         PublishMode mode) {
  std::string tmp = std::string(Store::kTempPrefix) + Uuid::Random().ToString();
  int fd = ::openat(dir_fd.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(name + ": cannot create a temporary file: " + ErrnoMessage(errno));
  return std::unique_ptr<WritableFile>(std::make_unique<AtomicWritable>(
      std::move(name), std::move(dir_fd), std::move(leaf), std::move(tmp), UniqueFd(fd), mode));
}

}  // namespace ailake
