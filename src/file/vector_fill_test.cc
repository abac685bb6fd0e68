// CheckStorable: the values a vector column of each precision can hold (issue 12: 70000 became +Inf
// in an f16 column).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "file/vector_fill.h"

namespace ailake::file {
namespace {

TEST(CheckStorable, F16RefusesExactlyWhatWouldBecomeInfinity) {
  // 65519 rounds down to 65504 (the largest half); 65520 rounds to infinity.
  const float ok[4] = {65504.0f, -65504.0f, 65519.0f, 1e-9f};
  EXPECT_TRUE(CheckStorable(VectorPrecision::kF16, ok, 4).ok());
  const float over[3] = {1.0f, -65520.0f, 1.0f};
  Status st = CheckStorable(VectorPrecision::kF16, over, 3);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("element 1 is -65520"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("f16 range"), std::string::npos) << st.message();
}

TEST(CheckStorable, F32AndI8HoldAnyFiniteValue) {
  const float big[2] = {3e38f, -1e30f};
  EXPECT_TRUE(CheckStorable(VectorPrecision::kF32, big, 2).ok());
  EXPECT_TRUE(CheckStorable(VectorPrecision::kI8, big, 2).ok());
  for (VectorPrecision p : {VectorPrecision::kF32, VectorPrecision::kF16, VectorPrecision::kI8}) {
    const float bad[2] = {0.5f, std::numeric_limits<float>::quiet_NaN()};
    Status st = CheckStorable(p, bad, 2);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("element 1"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("not a finite number"), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace ailake::file
