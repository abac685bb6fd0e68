// vec_bench: time of every distance kernel per ISA, and a plain AVX-512 f16 dot loop to compare with.
//
// Not a test: it prints figures. For each ISA this CPU runs, dims 384/768/1536, every kernel is
// called over two working sets, one query against many rows:
//   l1   a few rows, about 16 KiB of f32 (fits L1): pure compute speed;
//   mem  64 MiB of rows, walked in order (far beyond L2): what a flat scan of a file sees.
// (i8 kernels: l2 counts 3 flops per element, the scale multiply aside.)
// Each figure is the best of 25 timed runs of >= 0.3 ms: runs shorter than a scheduler time slice,
// so on a shared machine some of them run uninterrupted and the minimum filters out the others. GFLOP/s counts 2 flops per element for dot and
// norm, 3 for l2 (sub, mul, add), 4 for dot+norm; GB/s counts the stored-row bytes read per call.
//
// Output: a table, then one machine-readable line per measurement:
//   kernel isa=avx512 op=dot_f32_f16 dim=768 set=l1 ns=23.1 gflops=66.5 gbps=66.5
//   kernel_ratio dim=768 set=l1 ours_ns=.. plain_avx512_ns=.. ratio=..
// plus bulk f16 conversion and BatchDistance throughput.
//
// Usage: vec_bench [--quick]   (--quick: best of 3 short runs per figure, for smoke tests)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "vec/distance.h"
#include "vec/f16.h"
#include "vec/quantize.h"
#include "vec/x86_intrinsics.h"

namespace {

using ailake::VectorMetric;
using ailake::VectorPrecision;
using namespace ailake::vec;
using Clock = std::chrono::steady_clock;

constexpr size_t kMemSetBytes = size_t{64} << 20;
constexpr size_t kL1SetBytes = size_t{16} << 10;

int g_reps = 25;
double g_min_seconds = 0.0003;

// Keeps results alive so the calls are not optimised away.
volatile float g_sink;

// Runs `body(iterations)` until one run lasts at least g_min_seconds; returns the best ns per
// iteration over g_reps such runs.
template <typename Body>
double BestNsPerIter(Body body) {
  size_t iters = 1;
  double best = 1e300;
  for (int rep = 0; rep < g_reps;) {
    const auto t0 = Clock::now();
    body(iters);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s < g_min_seconds) {
      iters *= 2;
      continue;  // calibration run, not counted
    }
    best = std::min(best, s * 1e9 / static_cast<double>(iters));
    ++rep;
  }
  return best;
}

#if defined(__x86_64__) || defined(__i386__)
// The baseline the goal is stated against: the straightforward AVX-512 loop one writes first (one
// accumulator, no tail; n must be a multiple of 16).
__attribute__((target("avx512f"), noinline)) float PlainAvx512DotF32F16(const float* q, const uint16_t* x, size_t n) {
  __m512 acc = _mm512_setzero_ps();
  for (size_t i = 0; i < n; i += 16) {
    const __m512 xv = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)));
    acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), xv, acc);
  }
  return _mm512_reduce_add_ps(acc);
}
#endif

struct Row {
  std::string isa, op, set;
  size_t dim;
  double ns, gflops, gbps;
};
std::vector<Row> g_rows;

// One stored-row type: rows of T, `rows` of them, `dim` elements each.
template <typename T>
struct RowSet {
  const T* data;
  size_t rows;
};

// Times f(query, row_i, dim) cycling through the rows of `set`.
template <typename Q, typename T, typename Fn>
double TimeRowKernel(Fn fn, const Q* q, RowSet<T> set, size_t dim) {
  size_t r = 0;  // kept across runs, so the mem set is walked, not re-read from its start
  return BestNsPerIter([&](size_t iters) {
    float acc = 0;
    for (size_t it = 0; it < iters; ++it) {
      acc += fn(q, set.data + r * dim, dim);
      if (++r == set.rows) r = 0;
    }
    g_sink = acc;
  });
}
template <typename T, typename Fn>
double TimeNormKernel(Fn fn, RowSet<T> set, size_t dim) {
  size_t r = 0;  // kept across runs, so the mem set is walked, not re-read from its start
  return BestNsPerIter([&](size_t iters) {
    float acc = 0;
    for (size_t it = 0; it < iters; ++it) {
      acc += fn(set.data + r * dim, dim);
      if (++r == set.rows) r = 0;
    }
    g_sink = acc;
  });
}
template <typename T, typename Fn>
double TimeDotNormKernel(Fn fn, const float* q, RowSet<T> set, size_t dim) {
  size_t r = 0;  // kept across runs, so the mem set is walked, not re-read from its start
  return BestNsPerIter([&](size_t iters) {
    float acc = 0, norm = 0;
    for (size_t it = 0; it < iters; ++it) {
      acc += fn(q, set.data + r * dim, dim, &norm) + norm;
      if (++r == set.rows) r = 0;
    }
    g_sink = acc;
  });
}

// i8 kernels take the row scale as well.
template <typename Fn>
double TimeI8Kernel(Fn fn, const float* q, RowSet<int8_t> set, size_t dim) {
  size_t r = 0;
  return BestNsPerIter([&](size_t iters) {
    float acc = 0;
    for (size_t it = 0; it < iters; ++it) {
      acc += fn(q, set.data + r * dim, 0.01f, dim);
      if (++r == set.rows) r = 0;
    }
    g_sink = acc;
  });
}
template <typename Fn>
double TimeI8DotNormKernel(Fn fn, const float* q, RowSet<int8_t> set, size_t dim) {
  size_t r = 0;
  return BestNsPerIter([&](size_t iters) {
    float acc = 0, norm = 0;
    for (size_t it = 0; it < iters; ++it) {
      acc += fn(q, set.data + r * dim, 0.01f, dim, &norm) + norm;
      if (++r == set.rows) r = 0;
    }
    g_sink = acc;
  });
}

void Record(std::string isa, std::string op, size_t dim, std::string set, double ns, double flops_per_elem,
            size_t row_bytes) {
  g_rows.push_back({std::move(isa), std::move(op), std::move(set), dim, ns,
                    flops_per_elem * static_cast<double>(dim) / ns, static_cast<double>(row_bytes) / ns});
}

struct Buffers {
  std::vector<float> f32;     // kMemSetBytes of f32 rows
  std::vector<uint16_t> f16;  // kMemSetBytes of f16 rows
  std::vector<int8_t> i8;     // kMemSetBytes of i8 values (rows without their scale)
  std::vector<float> query;
  std::vector<uint16_t> query_f16;
};

void BenchKernels(const Kernels& k, const Buffers& b, size_t dim, const std::string& set_name, size_t set_bytes) {
  const std::string isa(IsaName(k.isa));
  const RowSet<float> f32{b.f32.data(), std::max<size_t>(2, set_bytes / (4 * dim))};
  const RowSet<uint16_t> f16{b.f16.data(), std::max<size_t>(2, set_bytes / (2 * dim))};
  const RowSet<int8_t> i8{b.i8.data(), std::max<size_t>(2, set_bytes / dim)};
  const float* q = b.query.data();
  const uint16_t* hq = b.query_f16.data();
  Record(isa, "dot_f32", dim, set_name, TimeRowKernel(k.dot_f32, q, f32, dim), 2, 4 * dim);
  Record(isa, "l2sq_f32", dim, set_name, TimeRowKernel(k.l2sq_f32, q, f32, dim), 3, 4 * dim);
  Record(isa, "dot_f32_f16", dim, set_name, TimeRowKernel(k.dot_f32_f16, q, f16, dim), 2, 2 * dim);
  Record(isa, "l2sq_f32_f16", dim, set_name, TimeRowKernel(k.l2sq_f32_f16, q, f16, dim), 3, 2 * dim);
  Record(isa, "dot_f16_f16", dim, set_name, TimeRowKernel(k.dot_f16_f16, hq, f16, dim), 2, 2 * dim);
  Record(isa, "l2sq_f16_f16", dim, set_name, TimeRowKernel(k.l2sq_f16_f16, hq, f16, dim), 3, 2 * dim);
  Record(isa, "norm_sq_f32", dim, set_name, TimeNormKernel(k.norm_sq_f32, f32, dim), 2, 4 * dim);
  Record(isa, "norm_sq_f16", dim, set_name, TimeNormKernel(k.norm_sq_f16, f16, dim), 2, 2 * dim);
  Record(isa, "dot_norm_f32", dim, set_name, TimeDotNormKernel(k.dot_norm_f32, q, f32, dim), 4, 4 * dim);
  Record(isa, "dot_norm_f32_f16", dim, set_name, TimeDotNormKernel(k.dot_norm_f32_f16, q, f16, dim), 4, 2 * dim);
  Record(isa, "dot_f32_i8", dim, set_name, TimeI8Kernel(k.dot_f32_i8, q, i8, dim), 2, dim);
  Record(isa, "l2sq_f32_i8", dim, set_name, TimeI8Kernel(k.l2sq_f32_i8, q, i8, dim), 3, dim);
  Record(isa, "dot_norm_f32_i8", dim, set_name, TimeI8DotNormKernel(k.dot_norm_f32_i8, q, i8, dim), 4, dim);
#if defined(__x86_64__) || defined(__i386__)
  if (k.isa == Isa::kAvx512) {
    // Called through a pointer the compiler cannot see through, like the kernel table entries.
    float (*volatile plain)(const float*, const uint16_t*, size_t) = PlainAvx512DotF32F16;
    Record("avx512", "plain_dot_f32_f16", dim, set_name, TimeRowKernel(plain, q, f16, dim), 2, 2 * dim);
  }
#endif
}

void BenchBulk(const Buffers& b) {
  const size_t n = size_t{1} << 20;  // 4 MiB of f32: beyond L2, the size of a large page batch
  std::vector<float> out_f(n);
  std::vector<uint16_t> out_h(n);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    const F16Converters* c = F16ConvertersFor(isa);
    if (c == nullptr) continue;
    const double ns_h2f = BestNsPerIter([&](size_t iters) {
      for (size_t i = 0; i < iters; ++i) c->half_to_float(b.f16.data(), out_f.data(), n);
      g_sink = out_f[n / 2];
    });
    const double ns_f2h = BestNsPerIter([&](size_t iters) {
      for (size_t i = 0; i < iters; ++i) c->float_to_half(b.f32.data(), out_h.data(), n);
      g_sink = out_h[n / 3];
    });
    // GB/s of f16 bytes (the stored side).
    std::printf("bulk isa=%s op=half_to_float n=%zu ns_per_elem=%.3f gbps_f16=%.2f\n", std::string(IsaName(isa)).c_str(),
                n, ns_h2f / n, 2.0 * n / ns_h2f);
    std::printf("bulk isa=%s op=float_to_half n=%zu ns_per_elem=%.3f gbps_f16=%.2f\n", std::string(IsaName(isa)).c_str(),
                n, ns_f2h / n, 2.0 * n / ns_f2h);
  }
}

// One query against 16 MiB of stored rows (beyond L2), through the public entry point with the
// active ISA. Each call is long, so fewer runs are enough.
void BenchBatch(const Buffers& b) {
  const std::string isa(IsaName(ActiveIsa()));
  const int saved_reps = g_reps;
  g_reps = std::min(g_reps, 5);
  constexpr size_t kBatchBytes = size_t{16} << 20;
  for (size_t dim : {384, 768, 1536}) {
    for (VectorPrecision p : {VectorPrecision::kF16, VectorPrecision::kF32, VectorPrecision::kI8}) {
      const size_t rb = RowBytes(p, dim);
      const size_t count = kBatchBytes / rb;
      std::vector<uint8_t> i8_rows;
      const uint8_t* rows = nullptr;
      if (p == VectorPrecision::kF16) {
        rows = reinterpret_cast<const uint8_t*>(b.f16.data());
      } else if (p == VectorPrecision::kF32) {
        rows = reinterpret_cast<const uint8_t*>(b.f32.data());
      } else {
        i8_rows.resize(count * rb);
        EncodeRows(p, b.f32.data(), dim, count, i8_rows.data());
        rows = i8_rows.data();
      }
      std::vector<float> out(count);
      for (VectorMetric m : {VectorMetric::kDot, VectorMetric::kCosine, VectorMetric::kEuclidean}) {
        const double ns = BestNsPerIter([&](size_t iters) {
          for (size_t i = 0; i < iters; ++i) BatchDistance(m, b.query.data(), rows, p, dim, count, out.data());
          g_sink = out[count / 2];
        });
        std::printf("batch isa=%s metric=%s precision=%s dim=%zu rows=%zu ns_per_row=%.2f mrows_per_s=%.2f gbps=%.2f\n",
                    isa.c_str(), std::string(ailake::MetricName(m)).c_str(), std::string(ailake::PrecisionName(p)).c_str(),
                    dim, count, ns / count, count / ns * 1e3, static_cast<double>(count * rb) / ns);
      }
    }
  }
  g_reps = saved_reps;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      g_reps = 3;
      g_min_seconds = 0.0002;
    } else {
      std::fprintf(stderr, "usage: vec_bench [--quick]\n");
      return 2;
    }
  }
  Buffers b;
  const auto setup_start = Clock::now();
  {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    b.f32.resize(kMemSetBytes / 4);
    for (float& x : b.f32) x = u(rng);
    b.f16.resize(kMemSetBytes / 2);
    // Values for the f16 set: the f32 values again (twice as many elements are needed).
    FloatToHalfN(b.f32.data(), b.f16.data(), b.f32.size());
    FloatToHalfN(b.f32.data(), b.f16.data() + b.f32.size(), b.f32.size());
    b.i8.resize(kMemSetBytes);
    // Derived from the f32 values: cheaper than drawing 64 Mi more random numbers.
    for (size_t i = 0; i < b.i8.size(); ++i) b.i8[i] = static_cast<int8_t>(b.f32[i % b.f32.size()] * 127.0f);
    b.query.resize(1536);
    for (float& x : b.query) x = u(rng);
    b.query_f16.resize(1536);
    FloatToHalfN(b.query.data(), b.query_f16.data(), 1536);
  }

  std::fprintf(stderr, "phase setup took %.2f s\n", std::chrono::duration<double>(Clock::now() - setup_start).count());
  std::printf("vec_bench: detected ISA %s, active ISA %s\n", std::string(IsaName(DetectedIsa())).c_str(),
              std::string(IsaName(ActiveIsa())).c_str());
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    const Kernels* k = KernelsFor(isa);
    if (k == nullptr) continue;
    const auto t0 = Clock::now();
    for (size_t dim : {384, 768, 1536}) {
      BenchKernels(*k, b, dim, "l1", kL1SetBytes);
      BenchKernels(*k, b, dim, "mem", kMemSetBytes);
    }
    std::fprintf(stderr, "phase kernels isa=%s took %.2f s\n", std::string(IsaName(isa)).c_str(),
                 std::chrono::duration<double>(Clock::now() - t0).count());
  }

  std::printf("\n%-7s %-18s %5s %4s %10s %9s %8s\n", "isa", "op", "dim", "set", "ns/call", "GFLOP/s", "GB/s");
  for (const Row& r : g_rows)
    std::printf("%-7s %-18s %5zu %4s %10.1f %9.2f %8.2f\n", r.isa.c_str(), r.op.c_str(), r.dim, r.set.c_str(), r.ns,
                r.gflops, r.gbps);
  std::printf("\n");
  for (const Row& r : g_rows)
    std::printf("kernel isa=%s op=%s dim=%zu set=%s ns=%.2f gflops=%.2f gbps=%.2f\n", r.isa.c_str(), r.op.c_str(), r.dim,
                r.set.c_str(), r.ns, r.gflops, r.gbps);
  // The goal: our f16 dot within 1.5x of the plain AVX-512 loop (ratio = ours / plain).
  for (const Row& plain : g_rows) {
    if (plain.op != "plain_dot_f32_f16") continue;
    for (const Row& ours : g_rows) {
      if (ours.isa == "avx512" && ours.op == "dot_f32_f16" && ours.dim == plain.dim && ours.set == plain.set) {
        std::printf("kernel_ratio dim=%zu set=%s ours_ns=%.2f plain_avx512_ns=%.2f ratio=%.3f\n", plain.dim,
                    plain.set.c_str(), ours.ns, plain.ns, ours.ns / plain.ns);
      }
    }
  }
  std::printf("\n");
  auto t0 = Clock::now();
  BenchBulk(b);
  std::fprintf(stderr, "phase bulk took %.2f s\n", std::chrono::duration<double>(Clock::now() - t0).count());
  t0 = Clock::now();
  BenchBatch(b);
  std::fprintf(stderr, "phase batch took %.2f s\n", std::chrono::duration<double>(Clock::now() - t0).count());
  return 0;
}
