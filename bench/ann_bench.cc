// ann_bench: our HNSW against hnswlib on the same data, in the same run.
//
//   ann_bench --base B.fvecs --query Q.fvecs --gt G.ivecs [--m 16] [--efc 200] [--ef 16,32,64,128,256]
//             [--threads N] [--metric cosine|l2|ip] [--precision f16|f32|i8] [--reps 2]
//             [--libs ailake,hnswlib]
//
// For each library: build at 1 thread and at N threads (wall time), then for every ef run all
// queries single-threaded (best of --reps passes) and report recall@10 against the ground truth,
// QPS and the index size. Our index is searched over the vectors in --precision (f16 by default:
// the format's default column precision) and its size is the graph blob alone (vectors live in the
// Parquet column); hnswlib stores f32 vectors inside its index, so its size is its saveIndex file.
// hnswlib searches its 1-thread build; ours is the same graph at any thread count (checked).
//
// hnswlib picks its SIMD distance code at compile time from __AVX__/__AVX512F__, which our default
// flags (-O2, baseline x86-64) do not set. To compare against hnswlib at its best on this machine,
// its header is compiled here with AVX/AVX-512 enabled (it still checks the CPU at run time).
// Single-threaded phases are timed in wall seconds and in thread CPU seconds (qps_cpu,
// build_cpu_s_1t), the latter robust against other processes sharing the cores.
// Output: a table, then one machine-readable line per (library, ef):
//   ann lib=ailake ef=64 recall10=0.9612 qps=12345 build_s_1t=12.3 build_s_nt=6.9 index_bytes=1234567
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma,avx")
#define USE_SSE
#define USE_AVX
#define USE_AVX512
#define NO_MANUAL_VECTORIZATION  // keep hnswlib.h from re-deriving the USE_* macros
#include <hnswlib/hnswlib.h>
#pragma GCC pop_options
#define HNSWLIB_ISA "avx512/avx (runtime-checked)"
#else
#include <hnswlib/hnswlib.h>
#define HNSWLIB_ISA "compiler default"
#endif

#include "core/thread_pool.h"
#include "index/index.h"
#include "vec/distance.h"
#include "vec/quantize.h"
#include "vecs_file.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
// CPU time of the calling thread: single-threaded phases are also reported in CPU seconds, which
// other processes sharing the cores do not inflate.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

using bench::Vecs;

std::vector<size_t> ParseList(const std::string& s) {
  std::vector<size_t> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(std::strtoull(item.c_str(), nullptr, 10));
  return v;
}

struct Row {
  std::string lib;
  size_t ef;
  double recall, qps, build_1t, build_nt;
  size_t bytes;
  double qps_cpu, build_cpu_1t;
};

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "ann_bench: %s\n", msg.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string base_path, query_path, gt_path, metric_name = "cosine", precision_name = "f16";
  std::string libs = "ailake,hnswlib";
  size_t m = 16, efc = 200, threads = std::max(1u, std::thread::hardware_concurrency()), reps = 2;
  std::vector<size_t> efs = {16, 32, 64, 128, 256};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) Die("missing value for " + a);
    std::string v = argv[++i];
    if (a == "--base") base_path = v;
    else if (a == "--query") query_path = v;
    else if (a == "--gt") gt_path = v;
    else if (a == "--m") m = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--efc") efc = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--ef") efs = ParseList(v);
    else if (a == "--threads") threads = std::max<size_t>(1, std::strtoull(v.c_str(), nullptr, 10));
    else if (a == "--metric") metric_name = v;
    else if (a == "--precision") precision_name = v;
    else if (a == "--reps") reps = std::max<size_t>(1, std::strtoull(v.c_str(), nullptr, 10));
    else if (a == "--libs") libs = v;
    else Die("unknown flag " + a);
  }
  if (base_path.empty() || query_path.empty() || gt_path.empty()) {
    Die("usage: ann_bench --base B.fvecs --query Q.fvecs --gt G.ivecs [--m 16] [--efc 200] "
        "[--ef 16,32,64,128,256] [--threads N] [--metric cosine|l2|ip] [--precision f16] [--reps 2] "
        "[--libs ailake,hnswlib]");
  }
  auto metric = ailake::ParseMetric(metric_name);
  auto precision = ailake::ParsePrecision(precision_name);
  if (!metric.ok()) Die(metric.status().ToString());
  if (!precision.ok()) Die(precision.status().ToString());
  const bool run_ours = libs.find("ailake") != std::string::npos;
  const bool run_hnswlib = libs.find("hnswlib") != std::string::npos;

  Vecs base, query, gt;
  if (!bench::ReadVecs(base_path, false, &base)) Die("cannot read " + base_path);
  if (!bench::ReadVecs(query_path, false, &query)) Die("cannot read " + query_path);
  if (!bench::ReadVecs(gt_path, true, &gt)) Die("cannot read " + gt_path);
  if (query.dim != base.dim) Die("query and base dimensions differ");
  if (gt.count < query.count || gt.dim < 10) Die("ground truth needs >= 10 ids per query");
  const size_t n = base.count, dim = base.dim, nq = query.count;
  if (*metric == ailake::VectorMetric::kCosine) {
    // hnswlib's cosine is inner product on unit vectors; normalise both sides (a no-op for
    // gen_dataset output) so both libraries rank by the same cosine.
    auto normalize = [dim](std::vector<float>& v, size_t count) {
      for (size_t r = 0; r < count; ++r) {
        double s = 0;
        for (size_t d = 0; d < dim; ++d) s += double(v[r * dim + d]) * v[r * dim + d];
        const float inv = s > 0 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
        for (size_t d = 0; d < dim; ++d) v[r * dim + d] *= inv;
      }
    };
    normalize(base.f, n);
    normalize(query.f, nq);
  }
  std::printf("data: %zu base x %zu dim, %zu queries; M=%zu efc=%zu threads=%zu metric=%s precision=%s\n", n, dim,
              nq, m, efc, threads, metric_name.c_str(), precision_name.c_str());
  std::printf("kernels: ailake=%s hnswlib=%s\n", std::string(ailake::vec::IsaName(ailake::vec::ActiveKernels().isa)).c_str(),
              HNSWLIB_ISA);
  std::fflush(stdout);

  auto recall_of = [&](size_t qi, const std::vector<uint32_t>& ids) {
    std::set<int32_t> truth(gt.i.begin() + static_cast<std::ptrdiff_t>(qi * gt.dim),
                            gt.i.begin() + static_cast<std::ptrdiff_t>(qi * gt.dim + 10));
    size_t hit = 0;
    for (uint32_t id : ids) hit += truth.count(static_cast<int32_t>(id));
    return static_cast<double>(hit) / 10.0;
  };
  // The two libraries are measured interleaved (our 1t build, theirs; our Nt build, theirs; then per
  // ef and per repetition our pass, their pass) so load from other processes sharing the machine
  // hits both sides alike.
  struct Lib {
    std::string name;
    double build_1t = 0, build_nt = 0, build_cpu_1t = 0;
    size_t bytes = 0;
    std::function<void(const float*, std::vector<uint32_t>&)> search;  // top-10 ids of one query
    std::function<void(size_t)> set_ef;
  };
  std::vector<Lib> libs_run;

  // Ours.
  const size_t row_bytes = ailake::vec::RowBytes(*precision, dim);
  std::vector<uint8_t> stored(run_ours ? n * row_bytes : 0);
  ailake::index::VectorView view{stored.data(), *precision, dim, n, *metric};
  std::unique_ptr<ailake::index::VectorIndex> ours;
  std::vector<uint8_t> ours_blob;
  size_t ours_ef = 16;
  auto build_ours = [&](size_t build_threads, Lib& lib) {
    ailake::VectorStoragePolicy policy;
    policy.hnsw_m = static_cast<uint32_t>(m);
    policy.hnsw_ef_construction = static_cast<uint32_t>(efc);
    policy.build_threads = static_cast<uint32_t>(build_threads);
    const double c0 = ThreadCpuSeconds();
    auto t0 = Clock::now();
    auto idx = ailake::index::BuildIndex(view, policy, ailake::IndexKind::kHnsw);
    const double wall = Seconds(t0, Clock::now());
    if (!idx.ok()) Die(idx.status().ToString());
    auto blob = (*idx)->Serialize();
    if (build_threads == 1) {
      lib.build_1t = wall;
      lib.build_cpu_1t = ThreadCpuSeconds() - c0;
      ours_blob = std::move(blob);
      // Search what a reader gets: the index loaded (and validated) from its blob.
      auto loaded = ailake::index::LoadIndex(ailake::IndexKind::kHnsw, ours_blob, view);
      if (!loaded.ok()) Die("reload: " + loaded.status().ToString());
      ours = std::move(*loaded);
      lib.bytes = ours_blob.size();
    } else {
      lib.build_nt = wall;
      std::printf("ailake: blob %zu bytes = %.1f%% of the %s vectors (%zu bytes); 1t and %zut blobs identical: %s\n",
                  ours_blob.size(), 100.0 * double(ours_blob.size()) / double(stored.size()), precision_name.c_str(),
                  stored.size(), build_threads, blob == ours_blob ? "yes" : "NO");
    }
  };
  if (run_ours) {
    ailake::vec::EncodeRows(*precision, base.f.data(), dim, n, stored.data());
    Lib lib;
    lib.name = "ailake";
    lib.search = [&](const float* q, std::vector<uint32_t>& ids) {
      auto res = ours->Search(q, 10, ours_ef, nullptr);
      if (!res.ok()) Die(res.status().ToString());
      ids.clear();
      for (const auto& nb : *res) ids.push_back(nb.row);
    };
    lib.set_ef = [&](size_t ef) { ours_ef = ef; };
    libs_run.push_back(std::move(lib));
  }

  // hnswlib.
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  if (*metric == ailake::VectorMetric::kEuclidean) space = std::make_unique<hnswlib::L2Space>(dim);
  else space = std::make_unique<hnswlib::InnerProductSpace>(dim);
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> theirs;
  auto build_theirs = [&](size_t build_threads, Lib& lib) {
    const double c0 = ThreadCpuSeconds();
    auto t0 = Clock::now();
    auto h = std::make_unique<hnswlib::HierarchicalNSW<float>>(space.get(), n, m, efc, 100);
    if (build_threads == 1) {
      for (size_t r = 0; r < n; ++r) h->addPoint(base.f.data() + r * dim, r);
    } else {
      std::atomic<size_t> next{0};
      std::vector<std::thread> pool;
      for (size_t t = 0; t < build_threads; ++t) {
        pool.emplace_back([&] {
          for (size_t r; (r = next.fetch_add(1)) < n;) h->addPoint(base.f.data() + r * dim, r);
        });
      }
      for (auto& th : pool) th.join();
    }
    const double wall = Seconds(t0, Clock::now());
    if (build_threads == 1) {
      lib.build_1t = wall;
      lib.build_cpu_1t = ThreadCpuSeconds() - c0;
      const std::string tmp = (std::filesystem::temp_directory_path() /
                               ("ann_bench_hnswlib_" + std::to_string(::getpid()) + ".bin")).string();
      h->saveIndex(tmp);
      lib.bytes = std::filesystem::file_size(tmp);
      std::filesystem::remove(tmp);
      theirs = std::move(h);  // searched: the sequential build is hnswlib's best graph
    } else {
      lib.build_nt = wall;
    }
  };
  if (run_hnswlib) {
    Lib lib;
    lib.name = "hnswlib";
    lib.search = [&](const float* q, std::vector<uint32_t>& ids) {
      auto pq = theirs->searchKnn(q, 10);
      ids.clear();
      while (!pq.empty()) {
        ids.push_back(static_cast<uint32_t>(pq.top().second));
        pq.pop();
      }
    };
    lib.set_ef = [&](size_t ef) { theirs->setEf(ef); };
    libs_run.push_back(std::move(lib));
  }

  for (size_t build_threads : {size_t{1}, threads}) {
    for (auto& lib : libs_run) {
      if (lib.name == "ailake") build_ours(build_threads, lib);
      else build_theirs(build_threads, lib);
      std::printf("%s: build with %zu thread(s): %.2f s\n", lib.name.c_str(), build_threads,
                  build_threads == 1 ? lib.build_1t : lib.build_nt);
      std::fflush(stdout);
    }
  }

  std::vector<Row> rows;
  std::vector<std::vector<uint32_t>> found(nq);
  for (size_t ef : efs) {
    std::vector<double> best_s(libs_run.size(), 1e300), best_cpu(libs_run.size(), 1e300),
        recall(libs_run.size(), 0);
    for (size_t rep = 0; rep < reps; ++rep) {
      for (size_t li = 0; li < libs_run.size(); ++li) {
        auto& lib = libs_run[li];
        lib.set_ef(ef);
        const double cs = ThreadCpuSeconds();
        auto s0 = Clock::now();
        for (size_t qi = 0; qi < nq; ++qi) lib.search(query.f.data() + qi * dim, found[qi]);
        auto s1 = Clock::now();
        best_cpu[li] = std::min(best_cpu[li], ThreadCpuSeconds() - cs);
        best_s[li] = std::min(best_s[li], Seconds(s0, s1));
        double sum = 0;
        for (size_t qi = 0; qi < nq; ++qi) sum += recall_of(qi, found[qi]);
        recall[li] = sum / double(nq);
      }
    }
    for (size_t li = 0; li < libs_run.size(); ++li) {
      const auto& lib = libs_run[li];
      rows.push_back({lib.name, ef, recall[li], double(nq) / best_s[li], lib.build_1t, lib.build_nt, lib.bytes,
                      double(nq) / best_cpu[li], lib.build_cpu_1t});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.lib != b.lib ? a.lib < b.lib : a.ef < b.ef;
  });

  std::printf("\n%-8s %5s %9s %9s %9s %9s %9s %9s %12s\n", "lib", "ef", "recall@10", "qps(1t)", "qps(cpu)",
              "build_1t", "cpu_1t", "build_nt", "index_bytes");
  for (const auto& r : rows) {
    std::printf("%-8s %5zu %9.4f %9.0f %9.0f %9.2f %9.2f %9.2f %12zu\n", r.lib.c_str(), r.ef, r.recall, r.qps,
                r.qps_cpu, r.build_1t, r.build_cpu_1t, r.build_nt, r.bytes);
  }
  std::printf("\n");
  for (const auto& r : rows) {
    std::printf("ann lib=%s ef=%zu recall10=%.4f qps=%.0f build_s_1t=%.2f build_s_nt=%.2f index_bytes=%zu "
                "qps_cpu=%.0f build_cpu_s_1t=%.2f\n",
                r.lib.c_str(), r.ef, r.recall, r.qps, r.build_1t, r.build_nt, r.bytes, r.qps_cpu, r.build_cpu_1t);
  }
  return 0;
}
