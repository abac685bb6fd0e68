// Distance kernels: every ISA this CPU runs against the scalar reference (all 13 kernels, dims 1..67
// and 384/768/1536, random data, misaligned rows), exact agreement on integer data, the metric
// entry points against a double-precision reference, and the dispatch rules.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "vec/distance.h"
#include "vec/distance_isa.h"
#include "vec/f16.h"
#include "vec/quantize.h"

namespace ailake::vec {
namespace {

std::vector<size_t> TestDims() {
  std::vector<size_t> dims;
  for (size_t d = 1; d <= 67; ++d) dims.push_back(d);
  for (size_t d : {384, 768, 1536}) dims.push_back(d);
  return dims;
}

// A vector stored at a chosen byte offset inside an exactly sized buffer: over-reads hit ASan,
// and the odd offsets prove no kernel needs alignment.
template <typename T>
class Placed {
 public:
  Placed(const std::vector<T>& v, size_t byte_offset) : buf_(byte_offset + v.size() * sizeof(T)), off_(byte_offset) {
    if (!v.empty()) std::memcpy(buf_.data() + off_, v.data(), v.size() * sizeof(T));
  }
  const T* get() const { return reinterpret_cast<const T*>(buf_.data() + off_); }

 private:
  std::vector<uint8_t> buf_;
  size_t off_;
};

struct Data {
  std::vector<float> a, b;       // f32 operands
  std::vector<uint16_t> ha, hb;  // the same rounded to f16
  std::vector<float> fa, fb;     // the f16 values widened back (what the f16 kernels compute on)
};

Data RandomData(size_t n, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  Data d;
  for (size_t i = 0; i < n; ++i) {
    d.a.push_back(u(rng));
    d.b.push_back(u(rng));
  }
  for (size_t i = 0; i < n; ++i) {
    d.ha.push_back(FloatToHalf(d.a[i]));
    d.hb.push_back(FloatToHalf(d.b[i]));
    d.fa.push_back(HalfToFloat(d.ha[i]));
    d.fb.push_back(HalfToFloat(d.hb[i]));
  }
  return d;
}

// Tolerance for a float sum of n terms, relative to the sum of the terms' magnitudes (double).
// Different summation orders differ by a few ulps of that magnitude; a missing or doubled element
// changes the result by about magnitude / n, far above this for every tested n.
double SumTol(double magnitude) { return 2e-5 * magnitude + 1e-30; }

double AbsDot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += std::fabs(double(a[i]) * b[i]);
  return s;
}
double SqDist(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return s;
}

class KernelsVsScalar : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    k_ = KernelsFor(GetParam());
    // Only an ISA above the CPU's is skipped (IsaCoverage below fails if one it can run is not).
    if (k_ == nullptr) {
      GTEST_SKIP() << "NOT TESTED on this machine: the CPU cannot run " << IsaName(GetParam()) << " kernels";
    }
    ASSERT_EQ(k_->isa, GetParam());
  }
  const Kernels* k_ = nullptr;
  const Kernels& s_ = ScalarKernels();
};

TEST_P(KernelsVsScalar, EveryKernelRandomData) {
  std::mt19937 rng(42 + static_cast<int>(GetParam()));
  for (size_t n : TestDims()) {
    SCOPED_TRACE("isa=" + std::string(IsaName(GetParam())) + " dim=" + std::to_string(n));
    const Data d = RandomData(n, rng, -1.0f, 1.0f);
    // Offsets: aligned, and odd for f16 / non-multiple-of-4 for f32.
    for (size_t off : {0, 1, 2}) {
      const Placed<float> a(d.a, off * 4), b(d.b, off == 1 ? 3 : off * 4 + 1);
      const Placed<uint16_t> ha(d.ha, off), hb(d.hb, off + 1);
      const double l2 = SqDist(d.a, d.b), l2h = SqDist(d.a, d.fb), l2hh = SqDist(d.fa, d.fb);

      EXPECT_NEAR(k_->dot_f32(a.get(), b.get(), n), s_.dot_f32(a.get(), b.get(), n), SumTol(AbsDot(d.a, d.b)));
      EXPECT_NEAR(k_->l2sq_f32(a.get(), b.get(), n), s_.l2sq_f32(a.get(), b.get(), n), SumTol(l2));
      EXPECT_NEAR(k_->dot_f32_f16(a.get(), hb.get(), n), s_.dot_f32_f16(a.get(), hb.get(), n),
                  SumTol(AbsDot(d.a, d.fb)));
      EXPECT_NEAR(k_->l2sq_f32_f16(a.get(), hb.get(), n), s_.l2sq_f32_f16(a.get(), hb.get(), n), SumTol(l2h));
      EXPECT_NEAR(k_->dot_f16_f16(ha.get(), hb.get(), n), s_.dot_f16_f16(ha.get(), hb.get(), n),
                  SumTol(AbsDot(d.fa, d.fb)));
      EXPECT_NEAR(k_->l2sq_f16_f16(ha.get(), hb.get(), n), s_.l2sq_f16_f16(ha.get(), hb.get(), n), SumTol(l2hh));
      EXPECT_NEAR(k_->norm_sq_f32(a.get(), n), s_.norm_sq_f32(a.get(), n), SumTol(AbsDot(d.a, d.a)));
      EXPECT_NEAR(k_->norm_sq_f16(hb.get(), n), s_.norm_sq_f16(hb.get(), n), SumTol(AbsDot(d.fb, d.fb)));

      float norm = -1, norm_ref = -2;
      const float dot = k_->dot_norm_f32(a.get(), b.get(), n, &norm);
      const float dot_ref = s_.dot_norm_f32(a.get(), b.get(), n, &norm_ref);
      EXPECT_NEAR(dot, dot_ref, SumTol(AbsDot(d.a, d.b)));
      EXPECT_NEAR(norm, norm_ref, SumTol(AbsDot(d.b, d.b)));
      EXPECT_NEAR(dot_ref, s_.dot_f32(a.get(), b.get(), n), SumTol(AbsDot(d.a, d.b)));
      const float hdot = k_->dot_norm_f32_f16(a.get(), hb.get(), n, &norm);
      const float hdot_ref = s_.dot_norm_f32_f16(a.get(), hb.get(), n, &norm_ref);
      EXPECT_NEAR(hdot, hdot_ref, SumTol(AbsDot(d.a, d.fb)));
      EXPECT_NEAR(norm, norm_ref, SumTol(AbsDot(d.fb, d.fb)));
    }
    // i8: int8 values and a row scale; the reference magnitude is over the decoded values.
    std::uniform_int_distribution<int> i8(-127, 127);
    std::vector<int8_t> x8(n);
    std::vector<float> x8f(n);
    const float scale = 0.0123f;
    for (size_t i = 0; i < n; ++i) {
      x8[i] = static_cast<int8_t>(i8(rng));
      x8f[i] = static_cast<float>(x8[i]) * scale;
    }
    const Placed<int8_t> x(x8, 3);
    const Placed<float> a(d.a, 2);
    EXPECT_NEAR(k_->dot_f32_i8(a.get(), x.get(), scale, n), s_.dot_f32_i8(a.get(), x.get(), scale, n),
                SumTol(AbsDot(d.a, x8f)));
    EXPECT_NEAR(k_->l2sq_f32_i8(a.get(), x.get(), scale, n), s_.l2sq_f32_i8(a.get(), x.get(), scale, n),
                SumTol(SqDist(d.a, x8f)));
    float norm = -1, norm_ref = -2;
    EXPECT_NEAR(k_->dot_norm_f32_i8(a.get(), x.get(), scale, n, &norm),
                s_.dot_norm_f32_i8(a.get(), x.get(), scale, n, &norm_ref), SumTol(AbsDot(d.a, x8f)));
    EXPECT_NEAR(norm, norm_ref, SumTol(AbsDot(x8f, x8f)));
    if (HasFailure()) return;  // one dimension's failures are enough to read
  }
}

// Small integers (exact in f16) keep every partial sum exact, so any summation order must give
// the same bits: a dropped, doubled or misplaced element cannot hide inside a tolerance.
TEST_P(KernelsVsScalar, ExactOnIntegerData) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> u(-8, 8);
  for (size_t n : TestDims()) {
    SCOPED_TRACE("dim=" + std::to_string(n));
    Data d;
    for (size_t i = 0; i < n; ++i) {
      d.a.push_back(static_cast<float>(u(rng)));
      d.b.push_back(static_cast<float>(u(rng)));
      d.ha.push_back(FloatToHalf(d.a.back()));
      d.hb.push_back(FloatToHalf(d.b.back()));
    }
    const float* a = d.a.data();
    const float* b = d.b.data();
    const uint16_t* ha = d.ha.data();
    const uint16_t* hb = d.hb.data();
    double dot = 0, l2 = 0, na = 0, nb = 0;
    for (size_t i = 0; i < n; ++i) {
      dot += double(a[i]) * b[i];
      l2 += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
      na += double(a[i]) * a[i];
      nb += double(b[i]) * b[i];
    }
    EXPECT_EQ(k_->dot_f32(a, b, n), dot);
    EXPECT_EQ(k_->l2sq_f32(a, b, n), l2);
    EXPECT_EQ(k_->dot_f32_f16(a, hb, n), dot);
    EXPECT_EQ(k_->l2sq_f32_f16(a, hb, n), l2);
    EXPECT_EQ(k_->dot_f16_f16(ha, hb, n), dot);
    EXPECT_EQ(k_->l2sq_f16_f16(ha, hb, n), l2);
    EXPECT_EQ(k_->norm_sq_f32(a, n), na);
    EXPECT_EQ(k_->norm_sq_f16(hb, n), nb);
    float norm = -1;
    EXPECT_EQ(k_->dot_norm_f32(a, b, n, &norm), dot);
    EXPECT_EQ(norm, nb);
    norm = -1;
    EXPECT_EQ(k_->dot_norm_f32_f16(a, hb, n, &norm), dot);
    EXPECT_EQ(norm, nb);
    // i8 with scale 1 holds the same integers; scale 0.5 (a power of two) keeps them exact too.
    std::vector<int8_t> x8(n);
    for (size_t i = 0; i < n; ++i) x8[i] = static_cast<int8_t>(b[i]);
    EXPECT_EQ(k_->dot_f32_i8(a, x8.data(), 1.0f, n), dot);
    EXPECT_EQ(k_->l2sq_f32_i8(a, x8.data(), 1.0f, n), l2);
    EXPECT_EQ(k_->dot_f32_i8(a, x8.data(), 0.5f, n), dot * 0.5);
    norm = -1;
    EXPECT_EQ(k_->dot_norm_f32_i8(a, x8.data(), 0.5f, n, &norm), dot * 0.5);
    EXPECT_EQ(norm, nb * 0.25);
    double l2_half = 0;
    for (size_t i = 0; i < n; ++i) l2_half += (double(a[i]) - 0.5 * b[i]) * (double(a[i]) - 0.5 * b[i]);
    EXPECT_EQ(k_->l2sq_f32_i8(a, x8.data(), 0.5f, n), l2_half);
    if (HasFailure()) return;
  }
}

TEST_P(KernelsVsScalar, ZeroLengthIsZero) {
  const float f = 1.0f;
  const uint16_t h = 0x3C00;
  float norm = -1;
  EXPECT_EQ(k_->dot_f32(&f, &f, 0), 0.0f);
  EXPECT_EQ(k_->l2sq_f32_f16(&f, &h, 0), 0.0f);
  EXPECT_EQ(k_->norm_sq_f16(&h, 0), 0.0f);
  EXPECT_EQ(k_->dot_norm_f32_f16(&f, &h, 0, &norm), 0.0f);
  EXPECT_EQ(norm, 0.0f);
  const int8_t x = 5;
  norm = -1;
  EXPECT_EQ(k_->dot_f32_i8(&f, &x, 2.0f, 0), 0.0f);
  EXPECT_EQ(k_->l2sq_f32_i8(&f, &x, 2.0f, 0), 0.0f);
  EXPECT_EQ(k_->dot_norm_f32_i8(&f, &x, 2.0f, 0, &norm), 0.0f);
  EXPECT_EQ(norm, 0.0f);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, KernelsVsScalar, ::testing::Values(Isa::kScalar, Isa::kAvx2, Isa::kAvx512),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

// ---- metric level: Distance and BatchDistance against double precision ----------------------------

struct RefParts {
  double dot = 0, l2 = 0, na = 0, nb = 0, abs_dot = 0;
};
RefParts Parts(const float* a, const float* b, size_t n) {
  RefParts p;
  for (size_t i = 0; i < n; ++i) {
    p.dot += double(a[i]) * b[i];
    p.abs_dot += std::fabs(double(a[i]) * b[i]);
    p.l2 += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    p.na += double(a[i]) * a[i];
    p.nb += double(b[i]) * b[i];
  }
  return p;
}

// Reference distance (types.h formulas) and the tolerance the float computation must meet.
void ExpectDistance(VectorMetric m, float got, const RefParts& p) {
  double want = 0, tol = 0;
  switch (m) {
    case VectorMetric::kEuclidean: want = p.l2, tol = SumTol(p.l2); break;
    case VectorMetric::kDot: want = -p.dot, tol = SumTol(p.abs_dot); break;
    case VectorMetric::kNormalizedCosine: want = 1.0 - p.dot, tol = SumTol(p.abs_dot) + 1e-6; break;
    case VectorMetric::kCosine:
      if (p.na == 0 || p.nb == 0) {
        want = 1.0;
      } else {
        const double denom = std::sqrt(p.na) * std::sqrt(p.nb);
        want = 1.0 - p.dot / denom;
        tol = SumTol(p.abs_dot) / denom + 1e-6;
      }
      break;
  }
  EXPECT_NEAR(got, want, tol) << MetricName(m);
}

const VectorMetric kMetrics[] = {VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDot,
                                 VectorMetric::kNormalizedCosine};
const VectorPrecision kPrecisions[] = {VectorPrecision::kF32, VectorPrecision::kF16, VectorPrecision::kI8};

TEST(Distance, AllMetricsVsDoubleReference) {
  std::mt19937 rng(5);
  for (size_t n : {1, 3, 16, 17, 100, 768}) {
    const Data d = RandomData(n, rng, -2.0f, 3.0f);
    const RefParts p = Parts(d.a.data(), d.b.data(), n);
    for (VectorMetric m : kMetrics) ExpectDistance(m, Distance(m, d.a.data(), d.b.data(), n), p);
  }
}

TEST(Distance, CosineOfZeroVectorIsOne) {
  const float zero[4] = {0, 0, 0, 0}, x[4] = {1, 2, 3, 4};
  EXPECT_EQ(Distance(VectorMetric::kCosine, zero, x, 4), 1.0f);
  EXPECT_EQ(Distance(VectorMetric::kCosine, x, zero, 4), 1.0f);
  EXPECT_NEAR(Distance(VectorMetric::kCosine, x, x, 4), 0.0f, 1e-6);
  const float neg[4] = {-1, -2, -3, -4};
  EXPECT_NEAR(Distance(VectorMetric::kCosine, x, neg, 4), 2.0f, 1e-6);
}

TEST(Distance, CosineDoesNotOverflowOnLargeNorms) {
  // |x|^2 = 4e36 each; their product overflows float, the product of the norms does not.
  const float x[4] = {1e18f, 1e18f, 1e18f, 1e18f}, y[4] = {1e18f, 1e18f, 1e18f, -1e18f};
  EXPECT_NEAR(Distance(VectorMetric::kCosine, x, y, 4), 0.5f, 1e-6);
}

TEST(BatchDistance, AllMetricsAndPrecisionsVsDoubleReference) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.5f, 1.0f);
  const size_t count = 37;
  for (size_t dim : {1, 7, 16, 33, 384}) {
    std::vector<float> query(dim), data(dim * count);
    for (float& x : query) x = u(rng);
    for (float& x : data) x = u(rng);
    std::fill(data.begin() + 5 * dim, data.begin() + 6 * dim, 0.0f);  // a zero row for cosine
    for (VectorPrecision prec : kPrecisions) {
      const size_t rb = RowBytes(prec, dim);
      // Rows at an odd byte offset, as inside a Parquet page.
      std::vector<uint8_t> buf(1 + rb * count);
      EncodeRows(prec, data.data(), dim, count, buf.data() + 1);
      std::vector<float> decoded(dim);
      for (VectorMetric m : kMetrics) {
        SCOPED_TRACE(std::string(MetricName(m)) + " " + std::string(PrecisionName(prec)) + " dim=" +
                     std::to_string(dim));
        std::vector<float> out(count + 1, -12345.0f);
        BatchDistance(m, query.data(), buf.data() + 1, prec, dim, count, out.data());
        EXPECT_EQ(out[count], -12345.0f) << "wrote past count";
        for (size_t r = 0; r < count; ++r) {
          // The reference works on the stored (decoded) values: this checks the distance, not
          // the quantisation.
          DecodeRow(prec, buf.data() + 1 + r * rb, dim, decoded.data());
          ExpectDistance(m, out[r], Parts(query.data(), decoded.data(), dim));
        }
        if (m == VectorMetric::kCosine) {
          EXPECT_EQ(out[5], 1.0f) << "zero row: cosine distance is 1 by definition";
        }
      }
    }
  }
}

TEST(BatchDistance, AgreesWithDistanceOnF32) {
  std::mt19937 rng(2);
  const Data d = RandomData(96, rng, -1.0f, 1.0f);
  for (VectorMetric m : kMetrics) {
    float out = 0;
    BatchDistance(m, d.a.data(), reinterpret_cast<const uint8_t*>(d.b.data()), VectorPrecision::kF32, 96, 1, &out);
    EXPECT_NEAR(out, Distance(m, d.a.data(), d.b.data(), 96), 1e-6) << MetricName(m);
  }
}

TEST(BatchDistance, ZeroCountWritesNothing) {
  const float q[2] = {1, 2};
  float out = 7.0f;
  for (VectorPrecision prec : kPrecisions) BatchDistance(VectorMetric::kCosine, q, nullptr, prec, 2, 0, &out);
  EXPECT_EQ(out, 7.0f);
}

// ---- dispatch ------------------------------------------------------------------------------------

TEST(Dispatch, NamesRoundTrip) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) EXPECT_EQ(ParseIsa(IsaName(isa)), isa);
  EXPECT_FALSE(ParseIsa("sse2").has_value());
  EXPECT_FALSE(ParseIsa("").has_value());
}

TEST(Dispatch, ActiveNeverAboveDetected) {
  EXPECT_LE(ActiveIsa(), DetectedIsa());
  EXPECT_EQ(ActiveKernels().isa, ActiveIsa());
  ASSERT_NE(KernelsFor(DetectedIsa()), nullptr);
  EXPECT_EQ(KernelsFor(Isa::kScalar), &ScalarKernels());
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    const Kernels* k = KernelsFor(isa);
    EXPECT_EQ(k != nullptr, isa <= DetectedIsa()) << IsaName(isa);
    if (k != nullptr) {
      EXPECT_EQ(k->isa, isa);
    }
    EXPECT_EQ(F16ConvertersFor(isa) != nullptr, isa <= DetectedIsa()) << IsaName(isa);
  }
  std::printf("detected ISA: %s, active ISA: %s\n", std::string(IsaName(DetectedIsa())).c_str(),
              std::string(IsaName(ActiveIsa())).c_str());
}

// Every ISA the CPU can run has its kernel table (so KernelsVsScalar tests it); the ones it cannot
// run are named in one line that `make unit` prints into the CI log. AILAKE_REQUIRE_ISA=<isa> makes a
// missing ISA a failure, for a runner that must cover it.
TEST(IsaCoverage, EveryIsaThisCpuRunsIsTested) {
  std::string tested, untested;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    const bool runs = static_cast<uint8_t>(isa) <= static_cast<uint8_t>(DetectedIsa());
    std::string& list = runs ? tested : untested;
    list += (list.empty() ? "" : ", ") + std::string(IsaName(isa));
    if (runs) {
      EXPECT_NE(KernelsFor(isa), nullptr) << IsaName(isa) << " runs on this CPU but has no kernel table to test";
    } else {
      EXPECT_EQ(KernelsFor(isa), nullptr) << IsaName(isa) << " kernels offered on a CPU without " << IsaName(isa);
    }
  }
  std::printf("vec_tests: SIMD kernels tested on this CPU: %s%s\n", tested.c_str(),
              untested.empty() ? "" : ("; NOT tested (the CPU lacks them): " + untested).c_str());
  if (const char* need = std::getenv("AILAKE_REQUIRE_ISA"); need && *need) {
    EXPECT_NE(tested.find(need), std::string::npos)
        << "AILAKE_REQUIRE_ISA=" << need << " but this CPU runs only " << tested;
  }
}

TEST(Dispatch, EnvironmentOnlyLowers) {
  using internal::SelectIsa;
  EXPECT_EQ(SelectIsa(Isa::kAvx512, nullptr), Isa::kAvx512);
  EXPECT_EQ(SelectIsa(Isa::kAvx512, ""), Isa::kAvx512);
  EXPECT_EQ(SelectIsa(Isa::kAvx512, "scalar"), Isa::kScalar);
  EXPECT_EQ(SelectIsa(Isa::kAvx512, "avx2"), Isa::kAvx2);
  EXPECT_EQ(SelectIsa(Isa::kAvx2, "avx512"), Isa::kAvx2);     // never above the CPU
  EXPECT_EQ(SelectIsa(Isa::kScalar, "avx2"), Isa::kScalar);
  EXPECT_EQ(SelectIsa(Isa::kAvx2, "bogus"), Isa::kAvx2);      // unknown: ignored
}

}  // namespace
}  // namespace ailake::vec
