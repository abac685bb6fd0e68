#include "core/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdio>

namespace ailake::core {

void* AllocateHugeMapping(size_t bytes) {
  // The rounded size plus the huge page over-mapped below must fit a size_t.
  if (bytes > static_cast<size_t>(-1) - 2 * kHugePageBytes) throw std::bad_alloc();
  const size_t len = HugeFootprint(bytes);
  // Over-map by one huge page and trim both ends, so the kept range starts on a 2 MiB boundary
  // (mmap only promises 4 KiB alignment, and a huge page must be aligned in virtual memory).
  void* raw = mmap(nullptr, len + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  const size_t head = aligned - start;
  const size_t tail = kHugePageBytes - head;
  if (head > 0) munmap(raw, head);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + len), tail);
  auto* p = reinterpret_cast<void*>(aligned);
  // Only a hint: EINVAL (no THP in this kernel) leaves an ordinary mapping that works the same.
  (void)madvise(p, len, MADV_HUGEPAGE);
  return p;
}

void FreeHugeMapping(void* p, size_t bytes) noexcept {
  if (p == nullptr) return;
  munmap(p, HugeFootprint(bytes));
}

long long AnonHugePageBytes() {
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) return -1;
  long long kb = -1;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "AnonHugePages: %lld kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb < 0 ? -1 : kb * 1024;
}

}  // namespace ailake::core
