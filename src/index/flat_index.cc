#include "index/flat_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/checked.h"

namespace ailake::index {

namespace {
bool Closer(const Neighbor& a, const Neighbor& b) {
  return a.distance < b.distance || (a.distance == b.distance && a.row < b.row);
}
}  // namespace

Result<std::unique_ptr<VectorIndex>> FlatIndex::Load(std::span<const uint8_t> blob, const VectorView& view) {
  if (blob.size() != kFlatBlobBytes) {
    return Status::Corruption("flat index blob is " + std::to_string(blob.size()) + " bytes, expected " +
                              std::to_string(kFlatBlobBytes));
  }
  if (std::memcmp(blob.data(), kFlatMagic, 4) != 0) return Status::Corruption("flat index blob: bad magic");
  const auto version = LoadLE<uint16_t>(blob.data() + 4);
  if (version != kFlatVersion) {
    return Status::Corruption("flat index blob: unsupported version " + std::to_string(version));
  }
  if (LoadLE<uint16_t>(blob.data() + 6) != 0) return Status::Corruption("flat index blob: unknown flags");
  const auto count = LoadLE<uint64_t>(blob.data() + 8);
  if (count != view.count) {
    return Status::Corruption("flat index blob covers " + std::to_string(count) + " rows but the column has " +
                              std::to_string(view.count));
  }
  return std::unique_ptr<VectorIndex>(new FlatIndex(view));
}

std::vector<uint8_t> FlatIndex::Serialize() const {
  std::vector<uint8_t> out(kFlatBlobBytes);
  std::memcpy(out.data(), kFlatMagic, 4);
  StoreLE<uint16_t>(out.data() + 4, kFlatVersion);
  StoreLE<uint16_t>(out.data() + 6, 0);
  StoreLE<uint64_t>(out.data() + 8, space_.count());
  return out;
}

Result<std::vector<Neighbor>> FlatIndex::Search(const float* query, size_t k, size_t /*ef*/,
                                                const AllowedRows* allowed) const {
  if (query == nullptr) return Status::InvalidArgument("search: null query");
  if (k == 0) return Status::InvalidArgument("search: k must be at least 1");
  for (size_t i = 0; i < space_.dim(); ++i) {
    if (!std::isfinite(query[i])) {
      return Status::InvalidArgument("search: query element " + std::to_string(i) + " is not finite");
    }
  }
  const float q_inv = space_.QueryInvNorm(query);
  // Max-heap (by Closer) of the best k seen so far.
  std::vector<Neighbor> heap;
  heap.reserve(std::min(k, space_.count()) + 1);
  for (size_t r = 0; r < space_.count(); ++r) {
    const auto row = static_cast<uint32_t>(r);
    if (allowed != nullptr && !allowed->Contains(row)) continue;
    const Neighbor n{row, space_.QueryDistance(query, q_inv, row)};
    if (heap.size() < k) {
      heap.push_back(n);
      std::push_heap(heap.begin(), heap.end(), Closer);
    } else if (Closer(n, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), Closer);
      heap.back() = n;
      std::push_heap(heap.begin(), heap.end(), Closer);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), Closer);
  return heap;
}

}  // namespace ailake::index
