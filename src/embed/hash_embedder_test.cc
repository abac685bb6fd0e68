#include "embed/hash_embedder.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ailake::embed {
namespace {

double Cos(const std::vector<float>& v, size_t a, size_t b, size_t dim) {
  double d = 0;
  for (size_t i = 0; i < dim; ++i) d += double(v[a * dim + i]) * v[b * dim + i];
  return d;
}

TEST(HashEmbedder, DeterministicNormalisedAndLexical) {
  auto e = MakeEmbedder("hash:dim=256,seed=7");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->model().dim, 256u);
  EXPECT_EQ((*e)->model().name, "hash-256");
  std::vector<float> v;
  ASSERT_TRUE((*e)->Embed({"The quick brown fox", "the QUICK brown fox!", "quantum chromodynamics lecture",
                           "", "brown foxes are quick"},
                          &v)
                  .ok());
  ASSERT_EQ(v.size(), 5u * 256u);
  EXPECT_NEAR(Cos(v, 0, 0, 256), 1.0, 1e-5);
  EXPECT_NEAR(Cos(v, 0, 1, 256), 1.0, 1e-5);  // case and punctuation do not matter
  EXPECT_GT(Cos(v, 0, 4, 256), Cos(v, 0, 2, 256) + 0.2);  // shared words beat unrelated text
  for (size_t i = 0; i < 256; ++i) EXPECT_EQ(v[3 * 256 + i], 0.0f);  // no features -> zero vector
  std::vector<float> again;
  ASSERT_TRUE((*e)->Embed({"The quick brown fox"}, &again).ok());
  EXPECT_TRUE(std::equal(again.begin(), again.end(), v.begin()));
  // Another seed gives another embedding of the same text.
  auto other = MakeEmbedder("hash:dim=256,seed=8");
  std::vector<float> w;
  ASSERT_TRUE((*other)->Embed({"The quick brown fox"}, &w).ok());
  EXPECT_FALSE(std::equal(w.begin(), w.end(), v.begin()));
}

TEST(HashEmbedder, SpecErrors) {
  EXPECT_FALSE(MakeEmbedder("hash").ok());
  EXPECT_FALSE(MakeEmbedder("hash:dim=0").ok());
  EXPECT_FALSE(MakeEmbedder("hash:dim=abc").ok());
  EXPECT_FALSE(MakeEmbedder("hash:dim=8,color=red").ok());
  EXPECT_FALSE(MakeEmbedder("bert:dim=8").ok());
  auto named = MakeEmbedder("hash:dim=8,name=my-model");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ((*named)->model().name, "my-model");
}

TEST(ValidateEmbeddings, CountDimAndFinite) {
  std::vector<float> v(6, 0.5f);
  EXPECT_TRUE(ValidateEmbeddings("x", v, 0, 2, 3).ok());
  EXPECT_FALSE(ValidateEmbeddings("x", v, 0, 3, 3).ok());
  EXPECT_FALSE(ValidateEmbeddings("x", v, 0, 2, 4).ok());
  v[4] = std::nanf("");
  auto st = ValidateEmbeddings("x", v, 0, 2, 3);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("text 1"), std::string::npos);
}

}  // namespace
}  // namespace ailake::embed
