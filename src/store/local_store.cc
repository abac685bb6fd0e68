#include "store/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "store/local_store_files.h"

namespace ailake {

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Splits a validated key into segments.
std::vector<std::string> Segments(const std::string& key) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    out.push_back(key.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsSymlinkAt(int dir_fd, const std::string& name) {
  struct stat st;
  return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

Status MakeDirs(const std::string& path) {
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    cur = path.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::IOError("cannot create warehouse folder " + cur + ": " + ErrnoMessage(errno));
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<LocalStore>> LocalStore::Open(const std::string& root_in, bool create_root) {
  if (root_in.empty()) return Status::InvalidArgument("local store: the warehouse path is empty");
  std::string root = root_in;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (create_root) AILAKE_RETURN_IF_ERROR(MakeDirs(root));
  // The root itself may be a symlink (a user's choice); confinement starts below it.
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return Status::NotFound("warehouse folder " + root + " does not exist; create it or pass an existing path");
    }
    return Status::IOError("cannot open warehouse folder " + root + ": " + ErrnoMessage(err));
  }
  return std::shared_ptr<LocalStore>(new LocalStore(root, UniqueFd(fd)));
}

Status LocalStore::Error(const std::string& key, StatusCode code, const std::string& what) const {
  return Status(code, Describe() + ": key '" + key + "': " + what);
}

Result<UniqueFd> LocalStore::OpenParent(const std::string& key, bool create, std::string* leaf) const {
  AILAKE_RETURN_IF_ERROR(ValidateKey(key));
  std::vector<std::string> segs = Segments(key);
  *leaf = segs.back();
  segs.pop_back();
  UniqueFd cur(::dup(root_fd_.get()));
  if (!cur.valid()) return Error(key, StatusCode::kIOError, "dup failed: " + ErrnoMessage(errno));
  std::string walked;
  for (const std::string& seg : segs) {
    walked += walked.empty() ? seg : "/" + seg;
    int fd = ::openat(cur.get(), seg.c_str(), kDirFlags);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), seg.c_str(), 0755) != 0 && errno != EEXIST) {
        return Error(key, StatusCode::kIOError, "cannot create folder '" + walked + "': " + ErrnoMessage(errno));
      }
      fd = ::openat(cur.get(), seg.c_str(), kDirFlags);
    }
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT) return Error(key, StatusCode::kNotFound, "no such object (folder '" + walked + "' is missing)");
      if (err == ELOOP || (err == ENOTDIR && IsSymlinkAt(cur.get(), seg))) {
        return Error(key, StatusCode::kInvalidArgument,
                     "'" + walked + "' is a symbolic link; the local store refuses links inside the warehouse "
                     "so no key can escape its root. Replace the link with a real folder");
      }
      if (err == ENOTDIR) {
        return Error(key, StatusCode::kInvalidArgument, "'" + walked + "' is an object, not a folder");
      }
      return Error(key, StatusCode::kIOError, "cannot open folder '" + walked + "': " + ErrnoMessage(err));
    }
    cur = UniqueFd(fd);
  }
  return cur;
}

Result<UniqueFd> LocalStore::OpenObject(const std::string& key) const {
  std::string leaf;
  AILAKE_ASSIGN_OR_RETURN(UniqueFd dir, OpenParent(key, /*create=*/false, &leaf));
  int fd = ::openat(dir.get(), leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Error(key, StatusCode::kNotFound, "no such object");
    if (err == ELOOP) {
      return Error(key, StatusCode::kInvalidArgument,
                   "is a symbolic link; the local store refuses links inside the warehouse so no key can "
                   "escape its root. Replace the link with the real file");
    }
    return Error(key, StatusCode::kIOError, "cannot open: " + ErrnoMessage(err));
  }
  UniqueFd file(fd);
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return Error(key, StatusCode::kIOError, "fstat failed: " + ErrnoMessage(errno));
  if (S_ISDIR(st.st_mode)) return Error(key, StatusCode::kInvalidArgument, "is a folder, not an object");
  if (!S_ISREG(st.st_mode)) return Error(key, StatusCode::kInvalidArgument, "is not a regular file");
  // O_NONBLOCK only kept open() from hanging on a FIFO; regular files ignore it, but clear it anyway.
  ::fcntl(file.get(), F_SETFL, 0);
  return file;
}

Result<std::shared_ptr<RandomAccessFile>> LocalStore::OpenReadable(const std::string& key) const {
  AILAKE_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(key));
  return MakeFdReadable(Describe() + "/" + key, std::move(fd));
}

Result<std::vector<uint8_t>> LocalStore::Get(const std::string& key, uint64_t max_bytes) const {
  AILAKE_ASSIGN_OR_RETURN(std::shared_ptr<RandomAccessFile> file, OpenReadable(key));
  AILAKE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (size > max_bytes) {
    return Error(key, StatusCode::kResourceExhausted,
                 "object is " + std::to_string(size) + " bytes, above the " + std::to_string(max_bytes) +
                     "-byte limit for whole-object reads; read it in ranges instead");
  }
  return file->ReadRange(0, size);
}

Result<std::vector<uint8_t>> LocalStore::GetRange(const std::string& key, uint64_t offset, uint64_t length) const {
  AILAKE_ASSIGN_OR_RETURN(std::shared_ptr<RandomAccessFile> file, OpenReadable(key));
  AILAKE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (offset > size || length > size - offset) {
    return Error(key, StatusCode::kOutOfRange,
                 "range [" + std::to_string(offset) + ", +" + std::to_string(length) + ") passes the end of the " +
                     std::to_string(size) + "-byte object");
  }
  return file->ReadRange(offset, length);
}

Result<std::unique_ptr<WritableFile>> LocalStore::OpenWritable(const std::string& key, PublishMode mode) {
  std::string leaf;
  AILAKE_ASSIGN_OR_RETURN(UniqueFd dir, OpenParent(key, /*create=*/true, &leaf));
  return MakeAtomicWritable(Describe() + "/" + key, std::move(dir), std::move(leaf), mode);
}

Status LocalStore::Put(const std::string& key, const uint8_t* data, size_t length) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> w, OpenWritable(key, PublishMode::kOverwrite));
  AILAKE_RETURN_IF_ERROR(w->Append(data, length));
  return w->Close();
}

Status LocalStore::PutIfAbsent(const std::string& key, const uint8_t* data, size_t length) {
  AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> w, OpenWritable(key, PublishMode::kIfAbsent));
  AILAKE_RETURN_IF_ERROR(w->Append(data, length));
  return w->Close();
}

Status LocalStore::Delete(const std::string& key) {
  std::string leaf;
  Result<UniqueFd> dir = OpenParent(key, /*create=*/false, &leaf);
  if (!dir.ok()) return dir.status().Is(StatusCode::kNotFound) ? Status::OK() : dir.status();
  if (::unlinkat(dir->get(), leaf.c_str(), 0) != 0) {
    int err = errno;
    if (err == ENOENT) return Status::OK();
    if (err == EISDIR) return Error(key, StatusCode::kInvalidArgument, "is a folder, not an object");
    return Error(key, StatusCode::kIOError, "cannot delete: " + ErrnoMessage(err));
  }
  return Status::OK();
}

Result<size_t> LocalStore::DeleteUnpublished(const std::string& folder) {
  std::string f = folder;
  while (!f.empty() && f.back() == '/') f.pop_back();
  if (f.empty()) return Status::InvalidArgument(Describe() + ": DeleteUnpublished needs a folder, not the root");
  std::string leaf;
  Result<UniqueFd> parent = OpenParent(f + "/x", /*create=*/false, &leaf);
  if (!parent.ok()) return parent.status().Is(StatusCode::kNotFound) ? Result<size_t>(size_t{0}) : parent.status();
  int fd = ::openat(parent->get(), ".", kDirFlags);
  if (fd < 0) return Status::IOError(Describe() + ": cannot list '" + f + "': " + ErrnoMessage(errno));
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return Status::IOError(Describe() + ": cannot list '" + f + "': " + ErrnoMessage(errno));
  }
  std::vector<std::string> temps;
  while (dirent* ent = ::readdir(dir)) {
    std::string name = ent->d_name;
    if (name.compare(0, kTempPrefix.size(), kTempPrefix) == 0) temps.push_back(name);
  }
  ::closedir(dir);
  size_t removed = 0;
  for (const auto& name : temps) {
    if (::unlinkat(parent->get(), name.c_str(), 0) == 0) {
      ++removed;
    } else if (errno != ENOENT) {
      return Status::IOError(Describe() + ": cannot delete '" + f + "/" + name + "': " + ErrnoMessage(errno));
    }
  }
  return removed;
}

Result<uint64_t> LocalStore::Size(const std::string& key) const {
  std::string leaf;
  AILAKE_ASSIGN_OR_RETURN(UniqueFd dir, OpenParent(key, /*create=*/false, &leaf));
  struct stat st;
  if (::fstatat(dir.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int err = errno;
    if (err == ENOENT) return Error(key, StatusCode::kNotFound, "no such object");
    return Error(key, StatusCode::kIOError, "stat failed: " + ErrnoMessage(err));
  }
  if (S_ISLNK(st.st_mode)) {
    return Error(key, StatusCode::kInvalidArgument,
                 "is a symbolic link; the local store refuses links inside the warehouse");
  }
  if (!S_ISREG(st.st_mode)) return Error(key, StatusCode::kInvalidArgument, "is not a regular file");
  return static_cast<uint64_t>(st.st_size);
}

Result<bool> LocalStore::Exists(const std::string& key) const {
  Result<uint64_t> size = Size(key);
  if (size.ok()) return true;
  if (size.status().Is(StatusCode::kNotFound)) return false;
  return size.status();
}

Status LocalStore::ListFolder(int dir_fd, const std::string& key_prefix, const std::string& name_filter, int depth,
                              std::vector<ObjectInfo>* out) const {
  // Keys are at most kMaxKeyBytes long, so a deeper tree holds nothing addressable.
  if (depth > static_cast<int>(kMaxKeyBytes / 2)) return Status::OK();
  // A fresh descriptor, not dup(): duplicates share one directory offset, so concurrent or
  // repeated listings through the root descriptor would see nothing.
  int fd = ::openat(dir_fd, ".", kDirFlags);
  if (fd < 0) return Status::IOError(Describe() + ": cannot list '" + key_prefix + "': " + ErrnoMessage(errno));
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return Status::IOError(Describe() + ": cannot list '" + key_prefix + "': " + ErrnoMessage(errno));
  }
  std::vector<std::string> subdirs;
  while (dirent* ent = ::readdir(dir)) {
    std::string name = ent->d_name;
    if (name == "." || name == "..") continue;
    if (name.compare(0, kTempPrefix.size(), kTempPrefix) == 0) continue;  // in-flight writes
    if (name.compare(0, name_filter.size(), name_filter) != 0) continue;
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // removed meanwhile
    if (S_ISREG(st.st_mode)) {
      // Objects are published whole and never modified afterwards, so mtime is the publish time.
      const int64_t ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
      out->push_back({key_prefix + name, static_cast<uint64_t>(st.st_size), ms});
    } else if (S_ISDIR(st.st_mode)) {
      subdirs.push_back(name);
    }
    // Symlinks and special files are not objects of this store: not listed, not followed.
  }
  ::closedir(dir);
  for (const std::string& name : subdirs) {
    int sub = ::openat(dir_fd, name.c_str(), kDirFlags);
    if (sub < 0) continue;  // removed or replaced by a link meanwhile
    UniqueFd sub_fd(sub);
    AILAKE_RETURN_IF_ERROR(ListFolder(sub_fd.get(), key_prefix + name + "/", "", depth + 1, out));
  }
  return Status::OK();
}

Result<std::vector<ObjectInfo>> LocalStore::List(const std::string& prefix) const {
  AILAKE_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  size_t slash = prefix.rfind('/');
  std::string folder = slash == std::string::npos ? "" : prefix.substr(0, slash);
  std::string name_filter = slash == std::string::npos ? prefix : prefix.substr(slash + 1);
  std::vector<ObjectInfo> out;
  UniqueFd dir;
  if (folder.empty()) {
    dir = UniqueFd(::dup(root_fd_.get()));
    if (!dir.valid()) return Status::IOError(Describe() + ": dup failed: " + ErrnoMessage(errno));
  } else {
    // Walk to the folder as if it held an object named "x".
    std::string leaf;
    Result<UniqueFd> parent = OpenParent(folder + "/x", /*create=*/false, &leaf);
    if (!parent.ok()) {
      if (parent.status().Is(StatusCode::kNotFound)) return out;
      return parent.status();
    }
    dir = std::move(parent).value();
  }
  AILAKE_RETURN_IF_ERROR(ListFolder(dir.get(), folder.empty() ? "" : folder + "/", name_filter, 0, &out));
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

}  // namespace ailake
