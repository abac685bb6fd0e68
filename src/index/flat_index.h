// FlatIndex: exact search by scanning every row. Used for small files, where a graph does not pay
// for itself, and as the recall reference.
//
// Blob layout (little-endian, 16 bytes, nothing else — a flat index has no structure to store):
//   offset size  field
//   0      4     magic "AKFL"
//   4      2     version (1)
//   6      2     flags (0; any other value is rejected)
//   8      8     node_count (must equal the view's row count)
#pragma once

#include <memory>
#include <span>

#include "index/index.h"
#include "index/row_space.h"

namespace ailake::index {

inline constexpr uint8_t kFlatMagic[4] = {'A', 'K', 'F', 'L'};
inline constexpr uint16_t kFlatVersion = 1;
inline constexpr size_t kFlatBlobBytes = 16;

class FlatIndex final : public VectorIndex {
 public:
  explicit FlatIndex(const VectorView& view) : space_(view) {}

  static Result<std::unique_ptr<VectorIndex>> Load(std::span<const uint8_t> blob, const VectorView& view);

  IndexKind kind() const override { return IndexKind::kFlat; }
  size_t size() const override { return space_.count(); }
  Result<std::vector<Neighbor>> Search(const float* query, size_t k, size_t ef,
                                       const AllowedRows* allowed) const override;
  std::vector<uint8_t> Serialize() const override;
  size_t MemoryBytes() const override { return space_.MemoryBytes(); }

 private:
  RowSpace space_;
};

}  // namespace ailake::index
