// Row layouts: sizes, round trips per precision, the i8 error bound, the all-zero vector, bulk =
// per-row, misaligned rows, and CheckFinite's message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "vec/f16.h"
#include "vec/quantize.h"

namespace ailake::vec {
namespace {

float I8Scale(const std::vector<uint8_t>& row, size_t dim) {
  float s;
  std::memcpy(&s, row.data() + dim, 4);
  return s;
}

TEST(Quantize, RowBytes) {
  EXPECT_EQ(RowBytes(VectorPrecision::kF32, 384), 1536u);
  EXPECT_EQ(RowBytes(VectorPrecision::kF16, 384), 768u);
  EXPECT_EQ(RowBytes(VectorPrecision::kI8, 384), 388u);
  EXPECT_EQ(RowBytes(VectorPrecision::kI8, 0), 4u);
}

TEST(Quantize, F32RoundTripIsExact) {
  const std::vector<float> in = {1.5f, -0.0f, 3e38f, -1e-40f, 0.1f};
  std::vector<uint8_t> row(RowBytes(VectorPrecision::kF32, in.size()));
  EncodeRow(VectorPrecision::kF32, in.data(), in.size(), row.data());
  std::vector<float> out(in.size());
  DecodeRow(VectorPrecision::kF32, row.data(), in.size(), out.data());
  EXPECT_EQ(0, std::memcmp(in.data(), out.data(), 4 * in.size()));
}

TEST(Quantize, F16RowIsLittleEndianHalves) {
  const std::vector<float> in = {1.0f, -2.0f, 0.1f, 70000.0f, 1e-6f};
  std::vector<uint8_t> row(RowBytes(VectorPrecision::kF16, in.size()));
  EncodeRow(VectorPrecision::kF16, in.data(), in.size(), row.data());
  EXPECT_EQ(row[0], 0x00);  // 1.0 = 0x3C00, low byte first
  EXPECT_EQ(row[1], 0x3C);
  std::vector<float> out(in.size());
  DecodeRow(VectorPrecision::kF16, row.data(), in.size(), out.data());
  for (size_t i = 0; i < in.size(); ++i) {
    const uint16_t h = static_cast<uint16_t>(row[2 * i] | (row[2 * i + 1] << 8));
    EXPECT_EQ(h, FloatToHalf(in[i])) << i;
    EXPECT_EQ(out[i], HalfToFloat(h)) << i;
  }
}

TEST(Quantize, I8ErrorBoundAndScale) {
  std::mt19937 rng(1);
  for (size_t dim : {1, 2, 7, 64, 384, 1536}) {
    for (float range : {1e-20f, 1e-3f, 1.0f, 1e4f, 3e38f}) {
      std::uniform_real_distribution<float> u(-range, range);
      std::vector<float> in(dim);
      for (float& x : in) x = u(rng);
      std::vector<uint8_t> row(RowBytes(VectorPrecision::kI8, dim));
      EncodeRow(VectorPrecision::kI8, in.data(), dim, row.data());
      std::vector<float> out(dim);
      DecodeRow(VectorPrecision::kI8, row.data(), dim, out.data());
      float maxabs = 0;
      for (float x : in) maxabs = std::max(maxabs, std::fabs(x));
      const float scale = I8Scale(row, dim);
      EXPECT_FLOAT_EQ(scale, maxabs / 127.0f) << "dim=" << dim << " range=" << range;
      for (size_t i = 0; i < dim; ++i) {
        const auto q = static_cast<int8_t>(row[i]);
        ASSERT_GE(q, -127);
        // Rounding to the grid costs at most half a step; the float arithmetic a few ulps more.
        const double eps = 1e-6 * static_cast<double>(maxabs);
        ASSERT_LE(std::fabs(double(in[i]) - double(out[i])), scale / 2.0 + eps)
            << "dim=" << dim << " range=" << range << " i=" << i;
      }
    }
  }
}

TEST(Quantize, I8AllZeroVector) {
  const std::vector<float> in(10, 0.0f);
  std::vector<uint8_t> row(RowBytes(VectorPrecision::kI8, 10), 0xFF);
  EncodeRow(VectorPrecision::kI8, in.data(), 10, row.data());
  EXPECT_EQ(I8Scale(row, 10), 0.0f);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(row[i], 0) << i;
  std::vector<float> out(10, 1.0f);
  DecodeRow(VectorPrecision::kI8, row.data(), 10, out.data());
  for (float x : out) EXPECT_EQ(x, 0.0f);  // not NaN from 0/0
}

TEST(Quantize, BulkEqualsPerRowAtOddOffsets) {
  std::mt19937 rng(4);
  std::normal_distribution<float> g;
  const size_t dim = 19, count = 23;
  std::vector<float> in(dim * count);
  for (float& x : in) x = g(rng);
  for (VectorPrecision p : {VectorPrecision::kF32, VectorPrecision::kF16, VectorPrecision::kI8}) {
    const size_t rb = RowBytes(p, dim);
    std::vector<uint8_t> bulk(1 + rb * count + 1, 0x5A);
    EncodeRows(p, in.data(), dim, count, bulk.data() + 1);
    EXPECT_EQ(bulk[0], 0x5A);
    EXPECT_EQ(bulk.back(), 0x5A) << "wrote past the last row";
    std::vector<uint8_t> one(rb);
    for (size_t r = 0; r < count; ++r) {
      EncodeRow(p, in.data() + r * dim, dim, one.data());
      ASSERT_EQ(0, std::memcmp(one.data(), bulk.data() + 1 + r * rb, rb)) << PrecisionName(p) << " row " << r;
    }
    std::vector<float> all(dim * count), row(dim);
    DecodeRows(p, bulk.data() + 1, dim, count, all.data());
    for (size_t r = 0; r < count; ++r) {
      DecodeRow(p, bulk.data() + 1 + r * rb, dim, row.data());
      ASSERT_EQ(0, std::memcmp(row.data(), all.data() + r * dim, 4 * dim)) << PrecisionName(p) << " row " << r;
    }
  }
}

TEST(Quantize, CheckFiniteAcceptsFinite) {
  const std::vector<float> v = {0.0f, -1.0f, std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min()};
  EXPECT_TRUE(CheckFinite(v.data(), 2, 2).ok());
  EXPECT_TRUE(CheckFinite(nullptr, 4, 0).ok());
}

TEST(Quantize, CheckFiniteNamesRowAndElement) {
  const size_t dim = 6, count = 4;
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), HUGE_VALF, -HUGE_VALF}) {
    std::vector<float> v(dim * count, 0.5f);
    v[2 * dim + 5] = bad;
    v[3 * dim + 1] = bad;  // a later one: the first is reported
    const Status st = CheckFinite(v.data(), dim, count);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("vector 2 "), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("element 5"), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace ailake::vec
