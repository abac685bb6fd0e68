// Codec round trips and corrupt compressed pages.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parquet/compression.h"

namespace ailake::parquet {
namespace {

const Compression kAll[] = {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kLz4Raw,
                            Compression::kZstd};

std::vector<uint8_t> Sample(size_t n) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(7);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i % 17 == 0 ? rng() : 'a' + i % 5);
  return v;
}

TEST(Compression, RoundTripsAllCodecs) {
  for (Compression c : kAll) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{1} << 20}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(c)) + "/" + std::to_string(n));
      const auto in = Sample(n);
      std::vector<uint8_t> packed = {0xAB};  // Compress appends
      ASSERT_TRUE(Compress(c, 3, in.data(), in.size(), &packed).ok());
      EXPECT_EQ(packed[0], 0xAB);
      std::vector<uint8_t> out;
      ASSERT_TRUE(Decompress(c, packed.data() + 1, packed.size() - 1, n, &out).ok());
      EXPECT_EQ(out, in);
      if (n > 0) {
        // A wrong declared size is corruption, never an overrun.
        Status smaller = Decompress(c, packed.data() + 1, packed.size() - 1, n - 1, &out);
        EXPECT_EQ(smaller.code(), StatusCode::kCorruption) << smaller.ToString();
        Status larger = Decompress(c, packed.data() + 1, packed.size() - 1, n + 1, &out);
        EXPECT_EQ(larger.code(), StatusCode::kCorruption) << larger.ToString();
      }
    }
  }
}

TEST(Compression, CorruptAndTruncatedInput) {
  const auto in = Sample(5000);
  for (Compression c : kAll) {
    if (c == Compression::kNone) continue;
    std::vector<uint8_t> packed;
    ASSERT_TRUE(Compress(c, 3, in.data(), in.size(), &packed).ok());
    std::vector<uint8_t> out;
    for (size_t cut : {size_t{0}, size_t{1}, packed.size() / 2, packed.size() - 1})
      EXPECT_FALSE(Decompress(c, packed.data(), cut, in.size(), &out).ok()) << static_cast<int>(c) << " cut " << cut;
    std::mt19937 rng(3);
    for (int iter = 0; iter < 200; ++iter) {
      auto bad = packed;
      bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      Status st = Decompress(c, bad.data(), bad.size(), in.size(), &out);
      if (!st.ok()) {
        EXPECT_EQ(st.code(), StatusCode::kCorruption);
      }
      EXPECT_EQ(out.size(), in.size());
    }
  }
}

TEST(Compression, ThriftCodecIds) {
  EXPECT_EQ(*CompressionFromThrift(6), Compression::kZstd);
  EXPECT_EQ(*CompressionFromThrift(7), Compression::kLz4Raw);
  EXPECT_EQ(CompressionFromThrift(5).status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(CompressionFromThrift(4).status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(CompressionFromThrift(99).status().code(), StatusCode::kCorruption);
  for (Compression c : kAll) EXPECT_EQ(*CompressionFromThrift(CompressionToThrift(c)), c);
}

}  // namespace
}  // namespace ailake::parquet
