// libFuzzer target: LoadIndex on arbitrary bytes over a small fixed vector view, then searches
// (plain and filtered) when it loads. Any crash, sanitizer report or out-of-range row is a bug;
// a Corruption status is the expected answer for almost every input.
//
// Input: byte 0 picks the kind hint (kAuto / kFlat / kHnsw) and the view's metric/precision,
// the rest is the blob. The view has 24 rows so hand-written seeds stay small.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "index/index.h"
#include "vec/quantize.h"

namespace {

constexpr size_t kRows = 24;
constexpr size_t kDim = 8;

struct Views {
  std::vector<float> f32;
  std::vector<uint8_t> rows[3];
  Views() {
    f32.resize(kRows * kDim);
    uint32_t s = 1;
    for (auto& v : f32) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<float>(static_cast<int32_t>(s >> 8) % 2000 - 1000) / 500.0f;
    }
    for (int p = 0; p < 3; ++p) {
      const auto precision = static_cast<ailake::VectorPrecision>(p);
      rows[p].resize(kRows * ailake::vec::RowBytes(precision, kDim));
      ailake::vec::EncodeRows(precision, f32.data(), kDim, kRows, rows[p].data());
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Views views;
  if (size == 0) return 0;
  const uint8_t sel = data[0];
  const auto kind = static_cast<ailake::IndexKind>((sel & 3) % 3);
  const auto metric = static_cast<ailake::VectorMetric>((sel >> 2) & 3);
  const auto precision = static_cast<ailake::VectorPrecision>(((sel >> 4) & 3) % 3);
  ailake::index::VectorView view{views.rows[static_cast<int>(precision)].data(), precision, kDim, kRows, metric};
  auto idx = ailake::index::LoadIndex(kind, std::span<const uint8_t>(data + 1, size - 1), view);
  if (!idx.ok()) return 0;
  ailake::index::AllowedRows odd(kRows);
  for (uint32_t r = 1; r < kRows; r += 2) odd.Allow(r);
  for (const ailake::index::AllowedRows* allowed : {static_cast<const ailake::index::AllowedRows*>(nullptr),
                                                    static_cast<const ailake::index::AllowedRows*>(&odd)}) {
    auto res = (*idx)->Search(views.f32.data() + kDim * 3, 5, 8, allowed);
    if (!res.ok()) std::abort();  // a loaded index must search
    for (const auto& n : *res) {
      if (n.row >= kRows) std::abort();
      if (allowed != nullptr && !allowed->Contains(n.row)) std::abort();
    }
  }
  // A loaded blob must serialise back to itself.
  const auto again = (*idx)->Serialize();
  if (again.size() != size - 1 || !std::equal(again.begin(), again.end(), data + 1)) std::abort();
  return 0;
}
