#include "migrate/batch_checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ailake::migrate {

namespace {

constexpr char kMagic[8] = {'A', 'I', 'L', 'K', 'M', 'C', 'K', 'P'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 56;
constexpr uint64_t kMaxRows = 1u << 24;
constexpr uint64_t kMaxSegmentBytes = 1ull << 31;

uint32_t Crc32(const uint8_t* data, size_t n) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = ::crc32(crc, data, chunk);
    data += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

template <typename T>
void Put(std::vector<uint8_t>* out, T v) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian hosts only (the whole format is LE; see core)
  out->insert(out->end(), b, b + sizeof(T));
}

template <typename T>
T Get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::string Pos12(int64_t p) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%012lld", static_cast<long long>(p));
  return buf;
}

// "<first>-<last>.seg" -> positions; false when malformed.
bool ParseName(std::string_view rest, int64_t* first, int64_t* last) {
  if (!rest.ends_with(".seg")) return false;
  rest.remove_suffix(4);
  const auto dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= rest.size() || dash > 18 || rest.size() - dash - 1 > 18) {
    return false;
  }
  auto num = [](std::string_view s, int64_t* v) {
    int64_t x = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      x = x * 10 + (c - '0');
    }
    *v = x;
    return true;
  };
  return num(rest.substr(0, dash), first) && num(rest.substr(dash + 1), last) && *first <= *last;
}

}  // namespace

uint64_t TextHash(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string CheckpointPrefix(const std::string& staging_prefix, const std::string& task_id) {
  return staging_prefix + "ckpt-" + task_id + "-";
}

Status DeleteCheckpoint(Store& store, const std::string& staging_prefix, const std::string& task_id) {
  AILAKE_ASSIGN_OR_RETURN(auto objects, store.List(CheckpointPrefix(staging_prefix, task_id)));
  for (const auto& o : objects) AILAKE_RETURN_IF_ERROR(store.Delete(o.key));
  return Status::OK();
}

Result<std::unique_ptr<BatchCheckpoint>> BatchCheckpoint::Open(Store& store, const std::string& staging_prefix,
                                                               const std::string& task_id, uint32_t dim,
                                                               int64_t source_rows) {
  std::unique_ptr<BatchCheckpoint> c(
      new BatchCheckpoint(store, CheckpointPrefix(staging_prefix, task_id), task_id, dim, source_rows));
  AILAKE_ASSIGN_OR_RETURN(auto objects, store.List(c->prefix_));
  for (const auto& o : objects) {
    Entry e;
    e.key = o.key;
    e.size = o.size;
    if (!ParseName(std::string_view(o.key).substr(c->prefix_.size()), &e.first, &e.last) || e.last >= source_rows) {
      ++c->discarded_;
      continue;
    }
    c->entries_.push_back(std::move(e));
  }
  std::sort(c->entries_.begin(), c->entries_.end(), [](const Entry& a, const Entry& b) { return a.first < b.first; });
  return c;
}

Result<BatchCheckpoint::Loaded> BatchCheckpoint::Load(const Entry& e) const {
  auto bad = [&](const std::string& why) { return Status::Corruption("checkpoint segment " + e.key + ": " + why); };
  if (e.size < kHeader + 4 || e.size > kMaxSegmentBytes) return bad("implausible size");
  AILAKE_ASSIGN_OR_RETURN(std::vector<uint8_t> b, store_.Get(e.key, e.size));
  if (b.size() != e.size) return bad("size changed while reading");
  const uint8_t* p = b.data();
  if (std::memcmp(p, kMagic, 8) != 0 || Get<uint32_t>(p + 8) != kVersion) return bad("not a checkpoint segment");
  if (Get<uint32_t>(p + 12) != dim_) return bad("dimension differs from the job's");
  const uint64_t n = Get<uint32_t>(p + 16);
  if (n == 0 || n > kMaxRows) return bad("implausible row count");
  const uint64_t want = kHeader + n * (16 + 4ull * dim_) + 4;
  if (want != b.size()) return bad("size does not match its row count");
  if (Crc32(p, b.size() - 4) != Get<uint32_t>(p + b.size() - 4)) return bad("checksum mismatch");
  if (std::string_view(reinterpret_cast<const char*>(p + 40), 16) != task_id_) return bad("belongs to another task");
  Loaded l;
  l.positions.resize(n);
  l.hashes.resize(n);
  l.vectors.resize(n * dim_);
  std::memcpy(l.positions.data(), p + kHeader, 8 * n);
  std::memcpy(l.hashes.data(), p + kHeader + 8 * n, 8 * n);
  std::memcpy(l.vectors.data(), p + kHeader + 16 * n, 4 * n * dim_);
  for (uint64_t i = 0; i < n; ++i) {
    if (l.positions[i] < 0 || l.positions[i] >= source_rows_ || (i > 0 && l.positions[i] <= l.positions[i - 1])) {
      return bad("positions out of order or out of range");
    }
  }
  if (l.positions.front() != e.first || l.positions.back() != e.last || Get<int64_t>(p + 24) != e.first ||
      Get<int64_t>(p + 32) != e.last) {
    return bad("positions disagree with its name");
  }
  l.last = e.last;
  return l;
}

bool BatchCheckpoint::Lookup(int64_t pos, uint64_t text_hash, float* out) {
  while (next_ < entries_.size() && entries_[next_].first <= pos) {
    auto l = Load(entries_[next_]);
    ++next_;
    if (!l.ok()) {
      ++discarded_;
      continue;
    }
    active_.push_back(std::move(*l));
  }
  std::erase_if(active_, [&](const Loaded& l) { return l.last < pos; });
  for (const Loaded& l : active_) {
    auto it = std::lower_bound(l.positions.begin(), l.positions.end(), pos);
    if (it == l.positions.end() || *it != pos) continue;
    const size_t i = static_cast<size_t>(it - l.positions.begin());
    if (l.hashes[i] != text_hash) continue;  // another text at this position: embed it again
    std::copy_n(l.vectors.data() + i * dim_, dim_, out);
    ++rows_reused_;
    return true;
  }
  return false;
}

Status BatchCheckpoint::Append(const std::vector<int64_t>& positions, const std::vector<uint64_t>& hashes,
                               const float* vectors) {
  const size_t n = positions.size();
  if (n == 0) return Status::OK();
  if (hashes.size() != n || n > kMaxRows) return Status::Internal("checkpoint segment: inconsistent batch");
  std::vector<uint8_t> b;
  b.reserve(kHeader + n * (16 + 4ull * dim_) + 4);
  b.insert(b.end(), kMagic, kMagic + 8);
  Put<uint32_t>(&b, kVersion);
  Put<uint32_t>(&b, dim_);
  Put<uint32_t>(&b, static_cast<uint32_t>(n));
  Put<uint32_t>(&b, 0);
  Put<int64_t>(&b, positions.front());
  Put<int64_t>(&b, positions.back());
  b.insert(b.end(), task_id_.begin(), task_id_.end());
  b.resize(kHeader, 0);
  for (int64_t v : positions) Put<int64_t>(&b, v);
  for (uint64_t v : hashes) Put<uint64_t>(&b, v);
  const auto* vb = reinterpret_cast<const uint8_t*>(vectors);
  b.insert(b.end(), vb, vb + 4 * n * dim_);
  Put<uint32_t>(&b, Crc32(b.data(), b.size()));
  return store_.Put(prefix_ + Pos12(positions.front()) + "-" + Pos12(positions.back()) + ".seg", b);
}

}  // namespace ailake::migrate
