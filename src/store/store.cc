#include "store/store.h"

namespace ailake {

namespace {

std::string Quote(std::string_view key) {
  std::string out = "'";
  for (char c : key) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Status Bad(std::string_view key, const std::string& why) {
  return Status::InvalidArgument("object key " + Quote(key) + " " + why +
                                 "; keys are relative paths like 'db/table/data/file.parquet'");
}

// Checks every segment of `path` (which has no leading/trailing '/').
Status CheckSegments(std::string_view key, std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty()) return Bad(key, "has an empty segment ('//')");
    if (seg == "." || seg == "..") return Bad(key, "has a '" + std::string(seg) + "' segment, which could leave the store's root");
    if (seg.size() > 255) return Bad(key, "has a segment longer than 255 bytes");
    if (seg.substr(0, Store::kTempPrefix.size()) == Store::kTempPrefix) {
      return Bad(key, "has a segment starting with '" + std::string(Store::kTempPrefix) +
                          "', which is reserved for the store's temporary objects");
    }
    start = end + 1;
  }
  return Status::OK();
}

}  // namespace

Status ValidateKey(std::string_view key) {
  if (key.empty()) return Bad(key, "is empty");
  if (key.size() > Store::kMaxKeyBytes) return Bad(key.substr(0, 64), "is longer than 1024 bytes");
  if (key.find('\0') != std::string_view::npos) return Bad(key, "contains a NUL byte");
  if (key.front() == '/') return Bad(key, "is absolute (starts with '/')");
  if (key.back() == '/') return Bad(key, "ends with '/' (names a folder, not an object)");
  return CheckSegments(key, key);
}

Status ValidateKeyPrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::OK();
  if (prefix.size() > Store::kMaxKeyBytes) return Bad(prefix.substr(0, 64), "is longer than 1024 bytes");
  if (prefix.find('\0') != std::string_view::npos) return Bad(prefix, "contains a NUL byte");
  if (prefix.front() == '/') return Bad(prefix, "is absolute (starts with '/')");
  std::string_view body = prefix;
  if (body.back() == '/') body.remove_suffix(1);
  if (body.empty()) return Bad(prefix, "is just '/'");
  // The last segment of a prefix may be partial ("metadata/v"), but a partial "." or ".." still
  // names a directory to walk, so the same segment rules apply.
  return CheckSegments(prefix, body);
}

Result<std::string> Store::GetString(const std::string& key, uint64_t max_bytes) const {
  AILAKE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, Get(key, max_bytes));
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace ailake
