// mem_walk_bench: what this machine's memory charges a graph walk, with no index in the way.
//
//   mem_walk_bench [--files-list 10,100] [--rows-per-file 10000] [--row-bytes-list 768,384,192,64]
//                  [--rows-per-query 400] [--prefetch 4] [--queries 3000] [--seed 42] [--huge 0|1]
//
// A table of F region files of N rows each is modelled as one buffer of F * N rows of B bytes (the
// bytes a search reads per visited row: 768 for a 384-d f16 row). Each "query" picks one file at
// random and reads R random rows of it in order, hinting the row P ahead as the HNSW walk does
// (index::PrefetchBytes), and sums every byte it reads so nothing is optimised away. R = 400 is
// about the distances one ef-28 search of a 10k-row region makes (docs/BENCHMARKS.md).
//
// Why: a 10k-row file search takes about twice as long on the 1M-row table (100 files) as on the
// 100k-row table (10 files), though both walk the same number of rows. This program reproduces that
// ratio from memory accesses alone, so the gap can be read as the machine's (caches, TLB), not the
// index's: the 10-file buffer sits partly in the last-level cache, the 100-file one does not.
//
// Prints one key=value line per (files, row bytes):
//   walk huge=H anon_huge_mb=... files=F rows_per_file=N row_bytes=B buffer_mb=... rows_per_query=R prefetch=P p50_us=... p99_us=... ns_per_row=...
// The first 500 queries of each line warm the caches and are not counted.
// --huge 1 marks the buffer MADV_HUGEPAGE before its first touch (2 MiB-aligned), as
// core/huge_pages.h does for a loaded file's rows; anon_huge_mb reports what the kernel gave.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <sys/mman.h>

#include "core/huge_pages.h"

namespace {

constexpr int kWarmQueries = 500;

struct Args {
  std::vector<long> files{10, 100};
  std::vector<long> row_bytes{768, 384, 192, 64};
  long rows_per_file = 10000;
  long rows_per_query = 400;
  long prefetch = 4;
  long queries = 3000;
  long seed = 42;
  long huge = 0;  // 1: back the buffer with transparent huge pages (madvise)
};

bool ParseLong(const char* s, long* out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || errno != 0) return false;
  *out = v;
  return true;
}

bool ParseList(const char* s, std::vector<long>* out) {
  out->clear();
  std::string item;
  for (const char* p = s;; ++p) {
    if (*p == ',' || *p == '\0') {
      long v = 0;
      if (!ParseLong(item.c_str(), &v) || v <= 0) return false;
      out->push_back(v);
      item.clear();
      if (*p == '\0') break;
    } else {
      item += *p;
    }
  }
  return !out->empty();
}

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string f = argv[i];
    const char* v = argv[i + 1];
    bool ok = true;
    if (f == "--files-list") ok = ParseList(v, &a->files);
    else if (f == "--row-bytes-list") ok = ParseList(v, &a->row_bytes);
    else if (f == "--rows-per-file") ok = ParseLong(v, &a->rows_per_file);
    else if (f == "--rows-per-query") ok = ParseLong(v, &a->rows_per_query);
    else if (f == "--prefetch") ok = ParseLong(v, &a->prefetch);
    else if (f == "--queries") ok = ParseLong(v, &a->queries);
    else if (f == "--seed") ok = ParseLong(v, &a->seed);
    else if (f == "--huge") ok = ParseLong(v, &a->huge) && (a->huge == 0 || a->huge == 1);
    else return false;
    if (!ok) return false;
  }
  // Bounds keep every product below in range and the buffer under 64 GiB.
  for (long b : a->row_bytes)
    if (b % 8 != 0 || b > 65536) return false;
  for (long f : a->files)
    if (f > 100000) return false;
  return a->rows_per_file > 0 && a->rows_per_file <= 10000000 && a->rows_per_query > 0 &&
         a->rows_per_query <= 1000000 && a->prefetch >= 0 && a->queries > kWarmQueries;
}

// One (files, row bytes) configuration; returns false when the buffer cannot be allocated.
bool Run(const Args& a, long files, long row_bytes) {
  const size_t rows = static_cast<size_t>(files) * static_cast<size_t>(a.rows_per_file);
  const size_t rb = static_cast<size_t>(row_bytes);
  if (rows * rb > (size_t{64} << 30)) {
    std::fprintf(stderr, "mem_walk_bench: %ld files x %ld rows x %ld bytes is over 64 GiB\n", files,
                 a.rows_per_file, row_bytes);
    return false;
  }
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t bytes = (rows * rb + kHuge - 1) / kHuge * kHuge;
  void* mem = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    std::fprintf(stderr, "mem_walk_bench: cannot allocate %zu bytes\n", bytes);
    return false;
  }
  // 2 MiB-aligned start so every huge page is whole.
  auto* buf = reinterpret_cast<uint64_t*>((reinterpret_cast<uintptr_t>(mem) + kHuge - 1) / kHuge * kHuge);
  if (a.huge == 1 && madvise(buf, bytes, MADV_HUGEPAGE) != 0) std::perror("mem_walk_bench: madvise");
  for (size_t i = 0; i < bytes / 8; ++i) buf[i] = i * 0x9E3779B97F4A7C15ull;  // touch every page
  const auto* base_all = reinterpret_cast<const uint8_t*>(buf);
  const long long huge_bytes = ailake::core::AnonHugePageBytes();  // -1: the kernel does not say
  std::mt19937_64 rng(static_cast<uint64_t>(a.seed));
  std::vector<uint32_t> order(static_cast<size_t>(a.rows_per_query));
  std::vector<double> us;
  us.reserve(static_cast<size_t>(a.queries));
  uint64_t sink = 0;
  const size_t ahead = static_cast<size_t>(a.prefetch);
  for (long q = 0; q < a.queries; ++q) {
    const size_t file = rng() % static_cast<size_t>(files);
    for (auto& r : order) r = static_cast<uint32_t>(rng() % static_cast<size_t>(a.rows_per_file));
    const uint8_t* base = base_all + file * static_cast<size_t>(a.rows_per_file) * rb;
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t acc = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      if (ahead > 0 && i + ahead < order.size()) {
        const uint8_t* p = base + size_t{order[i + ahead]} * rb;
        for (size_t o = 0; o < rb; o += 64) __builtin_prefetch(p + o);
      }
      const uint8_t* row = base + size_t{order[i]} * rb;
      for (size_t o = 0; o < rb; o += 8) {
        uint64_t w = 0;
        std::memcpy(&w, row + o, 8);
        acc += w * (o + 1);
      }
    }
    const auto t1 = std::chrono::steady_clock::now();
    sink += acc;
    if (q >= kWarmQueries) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::sort(us.begin(), us.end());
  const double p50 = us[us.size() / 2], p99 = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  std::printf(
      "walk huge=%ld anon_huge_mb=%ld files=%ld rows_per_file=%ld row_bytes=%ld buffer_mb=%.0f rows_per_query=%ld prefetch=%ld "
      "p50_us=%.1f p99_us=%.1f ns_per_row=%.0f checksum=%llu\n",
      a.huge, huge_bytes < 0 ? -1 : static_cast<long>(huge_bytes >> 20), files, a.rows_per_file, row_bytes, static_cast<double>(rows * rb) / 1e6, a.rows_per_query, a.prefetch, p50,
      p99, p50 * 1000 / static_cast<double>(a.rows_per_query), static_cast<unsigned long long>(sink % 1000));
  std::fflush(stdout);
  munmap(mem, bytes + kHuge);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: mem_walk_bench [--files-list F1,F2,...] [--rows-per-file N] [--row-bytes-list B1,B2,...] "
                 "[--rows-per-query R] [--prefetch P] [--queries Q (> %d)] [--seed S] [--huge 0|1]\n"
                 "  row bytes: multiples of 8 up to 65536; files up to 100000\n",
                 kWarmQueries);
    return 2;
  }
  for (long b : a.row_bytes)
    for (long f : a.files)
      if (!Run(a, f, b)) return 1;
  return 0;
}
