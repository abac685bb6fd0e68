#include "file/ailk_section.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ailake::file {
namespace {

AilkSection Sample() {
  AilkSection s;
  s.dim = 4;
  s.precision = VectorPrecision::kF16;
  s.metric = VectorMetric::kEuclidean;
  s.index_kind = IndexKind::kHnsw;
  s.record_count = 3;
  s.has_centroid = true;
  s.centroid = {0.5f, -1.0f, 2.0f, 0.0f};
  s.radius = 1.25f;
  s.index_blob = {9, 8, 7, 6, 5};
  return s;
}

TEST(AilkSection, RoundTripAndLayout) {
  AilkSection s = Sample();
  const uint64_t at = 1000;
  auto bytes = EncodeAilkSection(s, at);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ASSERT_EQ(bytes->size(), AilkSectionSize(4, true, 5));
  ASSERT_EQ(bytes->size(), 64u + 20u + 5u + 24u);
  EXPECT_EQ(std::memcmp(bytes->data(), "AILK", 4), 0);
  EXPECT_EQ(std::memcmp(bytes->data() + bytes->size() - 4, "AILK", 4), 0);
  EXPECT_EQ((*bytes)[12], 1);  // f16
  EXPECT_EQ((*bytes)[13], 1);  // euclidean
  EXPECT_EQ((*bytes)[14], 2);  // hnsw
  auto len = AilkSectionLengthFromHeader(bytes->data(), 64, "t");
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(*len, bytes->size());
  auto back = DecodeAilkSection(bytes->data(), bytes->size(), at, at + bytes->size() + 100, "t");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->dim, 4u);
  EXPECT_EQ(back->metric, VectorMetric::kEuclidean);
  EXPECT_EQ(back->precision, VectorPrecision::kF16);
  EXPECT_EQ(back->index_kind, IndexKind::kHnsw);
  EXPECT_EQ(back->record_count, 3u);
  EXPECT_EQ(back->centroid, s.centroid);
  EXPECT_EQ(back->radius, 1.25f);
  EXPECT_EQ(back->index_blob, s.index_blob);
}

TEST(AilkSection, NoCentroidNoIndex) {
  AilkSection s = Sample();
  s.has_centroid = false;
  s.centroid.clear();
  s.index_blob.clear();
  s.index_kind = IndexKind::kFlat;
  auto bytes = EncodeAilkSection(s, 0);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 88u);
  auto back = DecodeAilkSection(bytes->data(), bytes->size(), 0, bytes->size(), "t");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->has_centroid);
  EXPECT_TRUE(back->index_blob.empty());
}

TEST(AilkSection, EncodeRejectsBadInput) {
  AilkSection s = Sample();
  s.dim = 0;
  EXPECT_FALSE(EncodeAilkSection(s, 0).ok());
  s = Sample();
  s.centroid.pop_back();
  EXPECT_FALSE(EncodeAilkSection(s, 0).ok());
  s = Sample();
  s.index_kind = IndexKind::kAuto;
  EXPECT_FALSE(EncodeAilkSection(s, 0).ok());
}

// Every single-byte change anywhere in the section is detected (CRCs, trailer checks), and every
// truncation is an error: nothing corrupt is ever returned as a valid section.
TEST(AilkSection, EveryByteFlipAndTruncationIsAnError) {
  auto good = EncodeAilkSection(Sample(), 4096);
  ASSERT_TRUE(good.ok());
  const uint64_t file_size = 4096 + good->size() + 8;
  for (size_t i = 0; i < good->size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<uint8_t> bad = *good;
      bad[i] ^= mask;
      auto r = DecodeAilkSection(bad.data(), bad.size(), 4096, file_size, "f.parquet[vec]");
      ASSERT_FALSE(r.ok()) << "flip at byte " << i << " mask " << int(mask) << " went unnoticed";
      EXPECT_NE(r.status().message().find("f.parquet[vec]"), std::string::npos) << r.status().message();
    }
  }
  for (size_t n = 0; n < good->size(); ++n) {
    auto r = DecodeAilkSection(good->data(), n, 4096, file_size, "t");
    EXPECT_FALSE(r.ok()) << "truncated to " << n;
  }
  // Wrong absolute offset (the footer key points elsewhere) and a section past EOF.
  EXPECT_FALSE(DecodeAilkSection(good->data(), good->size(), 4000, file_size, "t").ok());
  EXPECT_FALSE(DecodeAilkSection(good->data(), good->size(), 4096, 4096 + good->size() - 1, "t").ok());
}

}  // namespace
}  // namespace ailake::file
