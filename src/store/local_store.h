// LocalStore: a Store over a folder on a POSIX filesystem (the embedded warehouse).
//
// Layout: object "a/b/c" is the regular file <root>/a/b/c; parent folders are created on demand.
// In-flight writes are files named ".ailake-tmp-<uuid>" in the object's folder; List never
// shows them and keys may not name them. A crash can leave such files behind; they are garbage
// (nothing refers to them) and may be removed once no writer runs.
//
// Confinement: every key is resolved one segment at a time from a descriptor of the root with
// openat(O_NOFOLLOW), so no key can reach outside the root: absolute keys, "." / ".." / empty
// segments and NUL bytes are refused by ValidateKey, and any symbolic link met inside the root
// (folder or object) is refused with kInvalidArgument, whether it points in or out.
//
// Atomicity: Put writes a temp file in the target folder, fsyncs it, rename()s it over the key and
// fsyncs the folder. PutIfAbsent does the same but publishes with link(), which fails with EEXIST
// atomically when the key exists (so exactly one of many racing processes wins), then removes the
// temp name. Readers therefore see the old object, the new one, or none, never a partial one.
#pragma once

#include <memory>
#include <string>

#include "store/posix_fd.h"
#include "store/store.h"

namespace ailake {

class LocalStore final : public Store {
 public:
  // Opens (and with create_root, creates with parents) the warehouse folder `root`.
  static Result<std::shared_ptr<LocalStore>> Open(const std::string& root, bool create_root = true);

  std::string Describe() const override { return "local:" + root_; }
  const std::string& root() const { return root_; }

  Result<std::vector<uint8_t>> Get(const std::string& key, uint64_t max_bytes = kDefaultMaxGetBytes) const override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset, uint64_t length) const override;
  Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& key) const override;
  Status Put(const std::string& key, const uint8_t* data, size_t length) override;
  Status PutIfAbsent(const std::string& key, const uint8_t* data, size_t length) override;
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& key,
                                                     PublishMode mode = PublishMode::kOverwrite) override;
  Result<std::vector<ObjectInfo>> List(const std::string& prefix) const override;
  Status Delete(const std::string& key) override;
  Result<size_t> DeleteUnpublished(const std::string& folder) override;
  Result<uint64_t> Size(const std::string& key) const override;
  Result<bool> Exists(const std::string& key) const override;

  using Store::Put;
  using Store::PutIfAbsent;

  // Local path of a key (for tools and messages; all I/O goes through the confined calls above).
  std::string PathOf(const std::string& key) const { return root_ + "/" + key; }

 private:
  LocalStore(std::string root, UniqueFd root_fd) : root_(std::move(root)), root_fd_(std::move(root_fd)) {}

  // Descriptor of the folder holding `key` (walked segment by segment without following links);
  // `leaf` receives the key's last segment. With create, missing folders are made.
  Result<UniqueFd> OpenParent(const std::string& key, bool create, std::string* leaf) const;
  // Descriptor of the object itself, opened read-only; refuses links and non-regular files.
  Result<UniqueFd> OpenObject(const std::string& key) const;
  Status Error(const std::string& key, StatusCode code, const std::string& what) const;
  Status ListFolder(int dir_fd, const std::string& key_prefix, const std::string& name_filter,
                    int depth, std::vector<ObjectInfo>* out) const;

  std::string root_;
  UniqueFd root_fd_;
};

}  // namespace ailake
