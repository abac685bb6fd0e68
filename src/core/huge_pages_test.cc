// Tests for core/huge_pages.h: where HugePageAllocator puts a buffer, and that the hint reaches
// the kernel (the VM area's flags), which is what decides whether it can back it with huge pages.
#include "core/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ailake::core {
namespace {

// The VmFlags line of the /proc/self/smaps entry that contains p ("" when none does).
std::string VmFlagsOf(const void* p) {
  std::ifstream in("/proc/self/smaps");
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    uintptr_t lo = 0, hi = 0;
    // An area's header is "lo-hi perms ..."; no field line ("Size:", "VmFlags:") parses as two.
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool HasFlag(const std::string& vmflags, const std::string& flag) {
  std::istringstream words(vmflags);
  std::string w;
  while (words >> w) {
    if (w == flag) return true;
  }
  return false;
}

// The kernel has transparent huge pages at all (MADV_HUGEPAGE is EINVAL without them).
bool KernelHasThp() { return std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"); }

TEST(HugePages, LargeBuffersAreAlignedAndAdvised) {
  HugeVector<uint8_t> v(8u << 20);
  ASSERT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHugePageBytes, 0u);
  for (size_t i = 0; i < v.size(); i += 4096) v[i] = static_cast<uint8_t>(i >> 12);
  v.back() = 0xAB;
  for (size_t i = 0; i < v.size() - 1; i += 4096) ASSERT_EQ(v[i], static_cast<uint8_t>(i >> 12));
  EXPECT_EQ(v.back(), 0xAB);
  const std::string flags = VmFlagsOf(v.data());
  ASSERT_FALSE(flags.empty()) << "no /proc/self/smaps entry holds the buffer";
  if (KernelHasThp()) {
    EXPECT_TRUE(HasFlag(flags, "hg")) << "MADV_HUGEPAGE did not reach the mapping: " << flags;
  }
  // The whole rounded range is one mapping of its own: its last byte is in the same VM area.
  EXPECT_EQ(VmFlagsOf(v.data() + v.size() - 1), flags);
}

TEST(HugePages, SmallBuffersStayOnTheHeap) {
  HugeVector<uint32_t> v(1000, 7u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % alignof(uint32_t), 0u);
  EXPECT_FALSE(HasFlag(VmFlagsOf(v.data()), "hg"));
  EXPECT_EQ(v[999], 7u);
}

TEST(HugePages, GrowingPastTheThresholdKeepsTheContents) {
  HugeVector<uint32_t> v;
  const uint32_t n = static_cast<uint32_t>(3 * kHugePageMinBytes / sizeof(uint32_t));
  for (uint32_t i = 0; i < n; ++i) v.push_back(i * 2654435761u);
  ASSERT_GE(v.size() * sizeof(uint32_t), kHugePageMinBytes);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHugePageBytes, 0u);
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(v[i], i * 2654435761u) << i;
  v.resize(10);
  v.shrink_to_fit();
  EXPECT_EQ(v[9], 9u * 2654435761u);
}

TEST(HugePages, FootprintIsWhatTheMappingTakes) {
  EXPECT_EQ(HugeFootprint(0), 0u);
  EXPECT_EQ(HugeFootprint(kHugePageMinBytes - 1), kHugePageMinBytes - 1);  // operator new
  EXPECT_EQ(HugeFootprint(kHugePageMinBytes), kHugePageBytes);
  EXPECT_EQ(HugeFootprint(kHugePageBytes), kHugePageBytes);
  EXPECT_EQ(HugeFootprint(kHugePageBytes + 1), 2 * kHugePageBytes);
  HugeVector<uint32_t> v;
  v.reserve(kHugePageBytes / 4 + 1);  // footprint follows the capacity, not the size
  EXPECT_EQ(HugeFootprint(v), 2 * kHugePageBytes);
}

TEST(HugePages, AnImpossibleSizeThrowsBadAlloc) {
  HugePageAllocator<uint8_t> a;
  EXPECT_THROW((void)a.allocate(static_cast<size_t>(-1) - 100), std::bad_alloc);
  HugePageAllocator<uint64_t> b;
  EXPECT_THROW((void)b.allocate(static_cast<size_t>(-1) / 4), std::bad_alloc);
}

TEST(HugePages, ReportsTheProcesssHugePageBytes) {
  // Linux always reports the field (0 when no huge page is in use); -1 only without /proc.
  EXPECT_GE(AnonHugePageBytes(), 0);
}

}  // namespace
}  // namespace ailake::core
