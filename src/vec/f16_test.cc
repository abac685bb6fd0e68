// f16 conversion: exhaustive over halves, correct rounding against an independent double-precision
// model, edge cases, and every bulk implementation bit-identical to the scalar one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "vec/f16.h"

namespace ailake::vec {
namespace {

uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
bool IsHalfNan(uint16_t h) { return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0; }

// The value a half encodes, from the IEEE 754 definition (not from the code under test).
double HalfValue(uint16_t h) {
  const int sign = (h & 0x8000u) ? -1 : 1;
  const int exp = (h >> 10) & 0x1F;
  const int mant = h & 0x3FF;
  if (exp == 0) return sign * std::ldexp(mant, -24);
  if (exp == 31) return mant ? std::numeric_limits<double>::quiet_NaN() : sign * HUGE_VAL;
  return sign * std::ldexp(1024 + mant, exp - 25);
}

// Round-to-nearest-even of a finite float to binary16, in double arithmetic: the grid spacing at
// |f| is 2^(floor(log2|f|) - 10), never finer than the subnormal spacing 2^-24; |f| / spacing is
// exact in double, and nearbyint rounds ties to even. Results above 65504 are infinite.
double ReferenceRound(float f) {
  const double a = std::fabs(static_cast<double>(f));
  if (a == 0) return std::signbit(f) ? -0.0 : 0.0;
  int e;
  std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1): floor(log2 a) = e - 1
  const double spacing = std::max(std::ldexp(1.0, e - 1 - 10), std::ldexp(1.0, -24));
  double r = std::nearbyint(a / spacing) * spacing;
  if (r > 65504.0) r = HUGE_VAL;
  return std::signbit(f) ? -r : r;
}

void ExpectCorrectlyRounded(float f) {
  const uint16_t h = FloatToHalf(f);
  const double want = ReferenceRound(f);
  ASSERT_EQ(HalfValue(h), want) << "f=" << f << " bits=0x" << std::hex << Bits(f) << " got half 0x" << h;
  // Signed zero: the sign bit must follow the input even when the value is zero.
  ASSERT_EQ((h & 0x8000u) != 0, std::signbit(f)) << "f=" << f;
}

TEST(F16, ExhaustiveHalfRoundTrip) {
  for (uint32_t u = 0; u <= 0xFFFF; ++u) {
    const auto h = static_cast<uint16_t>(u);
    const float f = HalfToFloat(h);
    if (IsHalfNan(h)) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << u;
      ASSERT_EQ(Bits(f) >> 31, u >> 15u) << "NaN sign lost for 0x" << std::hex << u;
      // Back to half: NaN stays NaN, payload kept, made quiet.
      ASSERT_EQ(FloatToHalf(f), static_cast<uint16_t>(u | 0x200u)) << std::hex << u;
    } else {
      ASSERT_EQ(static_cast<double>(f), HalfValue(h)) << "HalfToFloat(0x" << std::hex << u << ")";
      ASSERT_EQ(std::signbit(f), (u & 0x8000u) != 0);
      ASSERT_EQ(FloatToHalf(f), h) << "round trip of 0x" << std::hex << u;
    }
  }
}

TEST(F16, EdgeCases) {
  struct Case {
    float in;
    uint16_t want;
  };
  const Case cases[] = {
      {0.0f, 0x0000},
      {-0.0f, 0x8000},
      {1.0f, 0x3C00},
      {-2.0f, 0xC000},
      {65504.0f, 0x7BFF},                              // largest finite
      {65519.996f, 0x7BFF},                            // just below the overflow threshold
      {65520.0f, 0x7C00},                              // tie between 65504 and 2^16: even -> Inf
      {-65520.0f, 0xFC00},
      {1e10f, 0x7C00},
      {std::numeric_limits<float>::max(), 0x7C00},
      {HUGE_VALF, 0x7C00},
      {-HUGE_VALF, 0xFC00},
      {1.0f + 0x1p-11f, 0x3C00},                       // tie, round down to even
      {1.0f + 3 * 0x1p-11f, 0x3C02},                   // tie, round up to even
      {1.0f + 0x1p-11f + 0x1p-20f, 0x3C01},            // just above the tie
      {0x1p-14f, 0x0400},                              // smallest normal
      {0x1p-14f - 0x1p-24f, 0x03FF},                   // largest subnormal
      {0x1p-24f, 0x0001},                              // smallest subnormal
      {-0x1p-24f, 0x8001},
      {0x1p-25f, 0x0000},                              // tie between 0 and 2^-24: even -> 0
      {-0x1p-25f, 0x8000},                             // underflow keeps the sign
      {0x1p-25f * 1.0000001f, 0x0001},                 // just above that tie
      {3 * 0x1p-25f, 0x0002},                          // tie between 1 and 2 subnormal units -> 2
      {0x1p-30f, 0x0000},                              // underflow to zero
      {std::numeric_limits<float>::denorm_min(), 0x0000},
      {0x1p-14f - 0x1p-25f, 0x0400},                   // tie at the subnormal/normal border -> even
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FloatToHalf(c.in), c.want) << "in=" << c.in << std::hex << " bits=0x" << Bits(c.in);
    ExpectCorrectlyRounded(c.in);
  }
  // NaN: quiet, sign kept, top payload bits kept.
  EXPECT_EQ(FloatToHalf(FromBits(0x7FC00000u)), 0x7E00);
  EXPECT_EQ(FloatToHalf(FromBits(0xFFC00000u)), 0xFE00);
  EXPECT_EQ(FloatToHalf(FromBits(0x7F800001u)), 0x7E00);  // signalling, payload below half precision
  EXPECT_EQ(FloatToHalf(FromBits(0x7FA02000u)), 0x7F01);  // signalling with payload: quieted
  EXPECT_TRUE(IsHalfNan(FloatToHalf(std::numeric_limits<float>::quiet_NaN())));
}

TEST(F16, RandomFloatsCorrectlyRounded) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<uint32_t> bits;
  std::uniform_int_distribution<int> exp(-27, 17);  // the interesting range around half's range
  std::uniform_int_distribution<uint32_t> mant(0, (1u << 23) - 1);
  for (int i = 0; i < 1'000'000; ++i) {
    float f = FromBits(bits(rng));
    if (!std::isfinite(f)) continue;
    ExpectCorrectlyRounded(f);
    // Same again with the exponent drawn where halves live (normal, subnormal, both borders).
    f = std::ldexp(1.0f + static_cast<float>(mant(rng)) * 0x1p-23f, exp(rng));
    if (i & 1) f = -f;
    ExpectCorrectlyRounded(f);
  }
}

// Floats at and around every rounding boundary: every (sign, exponent, top-10-mantissa) pattern
// with the 13 dropped bits set to the tie, just below/above it, zero and all ones.
std::vector<float> BoundaryFloats() {
  std::vector<float> v;
  const uint32_t lows[] = {0x0000, 0x0001, 0x0FFF, 0x1000, 0x1001, 0x1FFF};
  for (uint32_t hi = 0; hi < (1u << 19); ++hi)
    for (uint32_t lo : lows) v.push_back(FromBits((hi << 13) | lo));
  return v;
}

TEST(F16, BoundaryFloatsCorrectlyRounded) {
  for (float f : BoundaryFloats()) {
    if (std::isnan(f)) {
      const uint16_t h = FloatToHalf(f);
      ASSERT_TRUE(IsHalfNan(h)) << std::hex << Bits(f);
      ASSERT_EQ(h, static_cast<uint16_t>(((Bits(f) >> 16) & 0x8000u) | 0x7E00u | ((Bits(f) >> 13) & 0x3FFu)));
      continue;
    }
    ExpectCorrectlyRounded(f);
  }
}

class F16Bulk : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    conv_ = F16ConvertersFor(GetParam());
    if (conv_ == nullptr) GTEST_SKIP() << "this CPU cannot run " << IsaName(GetParam());
    ASSERT_EQ(conv_->isa, GetParam());
  }
  const F16Converters* conv_ = nullptr;
};

TEST_P(F16Bulk, AllHalvesBitIdenticalToScalar) {
  std::vector<uint16_t> in(65536);
  for (uint32_t u = 0; u < 65536; ++u) in[u] = static_cast<uint16_t>(u);
  std::vector<float> out(in.size());
  conv_->half_to_float(in.data(), out.data(), in.size());
  for (uint32_t u = 0; u < 65536; ++u)
    ASSERT_EQ(Bits(out[u]), Bits(HalfToFloat(static_cast<uint16_t>(u)))) << "half 0x" << std::hex << u;
}

TEST_P(F16Bulk, BoundaryAndRandomFloatsBitIdenticalToScalar) {
  std::vector<float> in = BoundaryFloats();
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 200'000; ++i) in.push_back(FromBits(bits(rng)));
  std::vector<uint16_t> out(in.size());
  conv_->float_to_half(in.data(), out.data(), in.size());
  for (size_t i = 0; i < in.size(); ++i)
    ASSERT_EQ(out[i], FloatToHalf(in[i])) << "float bits 0x" << std::hex << Bits(in[i]);
}

// Every length 0..40 (all tail sizes of both vector widths) at an odd byte offset, and nothing
// written past the end.
TEST_P(F16Bulk, TailsAndMisalignment) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> val(-70000.0f, 70000.0f);
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<float> src(n);
    for (float& x : src) x = val(rng);
    std::vector<uint8_t> half_buf(2 * n + 3, 0xAB);
    auto* halves = reinterpret_cast<uint16_t*>(half_buf.data() + 1);
    std::vector<uint8_t> float_buf(4 * n + 5, 0xCD);
    auto* floats = reinterpret_cast<float*>(float_buf.data() + 1);
    if (n > 0) std::memcpy(floats, src.data(), 4 * n);
    conv_->float_to_half(floats, halves, n);
    EXPECT_EQ(half_buf[0], 0xAB);
    EXPECT_EQ(half_buf[2 * n + 1], 0xAB) << "wrote past the end, n=" << n;
    std::vector<float> back(n + 1, -1.0f);
    conv_->half_to_float(halves, back.data(), n);
    EXPECT_EQ(back[n], -1.0f) << "wrote past the end, n=" << n;
    for (size_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, half_buf.data() + 1 + 2 * i, 2);
      ASSERT_EQ(h, FloatToHalf(src[i])) << "n=" << n << " i=" << i;
      ASSERT_EQ(Bits(back[i]), Bits(HalfToFloat(h))) << "n=" << n << " i=" << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, F16Bulk, ::testing::Values(Isa::kScalar, Isa::kAvx2, Isa::kAvx512),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

TEST(F16, ActiveBulkMatchesScalar) {
  const float in[5] = {1.0f, -0.0f, 65520.0f, 0x1p-25f, 3.14159f};
  uint16_t out[5];
  FloatToHalfN(in, out, 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], FloatToHalf(in[i]));
  float back[5];
  HalfToFloatN(out, back, 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Bits(back[i]), Bits(HalfToFloat(out[i])));
}

}  // namespace
}  // namespace ailake::vec
