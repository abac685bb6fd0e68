// HugePageAllocator: a std allocator for large, long-lived buffers that a search reads at random
// (a loaded file's vector rows, an HNSW graph's level-0 lists).
//
// Why: a graph walk reads a few hundred rows scattered over a file's buffer, and a table keeps many
// files loaded. On 4 KiB pages nearly every row read also misses the TLB once the loaded files pass
// a few tens of MB, and in a virtual machine each miss walks two page tables. bench/mem_walk_bench
// measured the same 400 random 768-byte reads per query at 26 us in a 77 MB buffer and 70 us in a
// 768 MB one on 4 KiB pages, and at 25 us and 33 us on 2 MiB pages (docs/BENCHMARKS.md, "Huge
// pages"). So a buffer of at least kHugePageMinBytes is mapped on its own, 2 MiB-aligned, and
// marked MADV_HUGEPAGE before its first touch, which lets the kernel back it with transparent huge
// pages when its policy is `madvise` (Debian's default) or `always`. Where the kernel says no
// (policy `never`, no THP support, no free huge page), the buffer works on ordinary pages: the hint
// changes speed, never results.
//
// Smaller buffers go to operator new: rounding a 100 KB buffer up to 2 MiB would waste memory for
// no gain. A buffer between kHugePageMinBytes and 2 MiB still takes a whole huge page (at most half
// of it unused), and a larger one is rounded up to whole huge pages; HugeFootprint says what a
// buffer really occupies, and the file cache counts that against its budget.
//
// Throws std::bad_alloc when the mapping fails, as std::allocator does.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace ailake::core {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;
inline constexpr size_t kHugePageMinBytes = size_t{1} << 20;

// Maps `bytes` (>= kHugePageMinBytes) rounded up to whole huge pages, 2 MiB-aligned, with the
// MADV_HUGEPAGE hint; throws std::bad_alloc on failure. FreeHugeMapping undoes it (same bytes).
void* AllocateHugeMapping(size_t bytes);
void FreeHugeMapping(void* p, size_t bytes) noexcept;

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageMinBytes) return static_cast<T*>(::operator new(bytes, std::align_val_t{alignof(T)}));
    return static_cast<T*>(AllocateHugeMapping(bytes));
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageMinBytes) {
      ::operator delete(p, std::align_val_t{alignof(T)});
      return;
    }
    FreeHugeMapping(p, bytes);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

// The memory a HugePageAllocator allocation of `bytes` occupies: `bytes` below kHugePageMinBytes,
// else `bytes` rounded up to whole huge pages.
inline size_t HugeFootprint(size_t bytes) {
  if (bytes < kHugePageMinBytes) return bytes;
  return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
}
template <class T>
size_t HugeFootprint(const HugeVector<T>& v) {
  return HugeFootprint(v.capacity() * sizeof(T));
}

// Bytes of this process backed by anonymous huge pages right now (AnonHugePages of
// /proc/self/smaps_rollup), or -1 when the kernel does not report it. For benchmarks and tests.
long long AnonHugePageBytes();

}  // namespace ailake::core
