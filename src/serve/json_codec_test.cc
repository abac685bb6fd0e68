#include "serve/json_codec.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ailake::serve {
namespace {

TEST(JsonCodec, ParseBodyLimits) {
  EXPECT_FALSE(ParseBody("", 8).ok());
  EXPECT_FALSE(ParseBody("[1]", 8).ok());
  EXPECT_FALSE(ParseBody("{\"a\": ", 8).ok());
  EXPECT_TRUE(ParseBody(R"({"a": [[1]]})", 8).ok());
  EXPECT_FALSE(ParseBody(R"({"a": [[[[[[[[[1]]]]]]]]]})", 8).ok());
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseBody(R"({"a": "[[[[[[[[[[[[[[[[[[[[\"[["})", 8).ok());
}

TEST(JsonCodec, FieldsNameTheField) {
  Json j = Json::parse(R"({"k": -1, "s": 3, "b": "yes", "l": ["a", 2]})");
  Fields f(j, "search");
  auto k = f.Int("k", 1, 10);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("'k'"), std::string::npos);
  EXPECT_FALSE(f.String("s").ok());
  EXPECT_FALSE(f.Bool("b").ok());
  auto l = f.StringList("l", 10);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("l[1]"), std::string::npos);
  EXPECT_FALSE(f.OnlyKnown({"k", "s", "b"}).ok());
  EXPECT_TRUE(f.OnlyKnown({"k", "s", "b", "l"}).ok());
}

TEST(JsonCodec, RowsBecomeColumnsAndVectors) {
  Json rows = Json::parse(R"([
    {"id": "a", "chunk_text": "x", "embedding": [1, 2], "n": 1, "meta": {"k": 1}},
    {"id": "b", "chunk_text": null, "n": 2.5, "flag": true}
  ])");
  auto in = RowsFromJson(rows, "embedding", 2, 10);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->batch.num_rows(), 2u);
  EXPECT_EQ(in->with_vector, 1u);
  EXPECT_EQ(in->vectors[0], 1.0f);
  EXPECT_TRUE(std::isnan(in->vectors[2]) && std::isnan(in->vectors[3]));
  const Column* n = in->batch.Find("n");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->type, ValueType::kFloat64);
  EXPECT_EQ(n->doubles, (std::vector<double>{1.0, 2.5}));
  const Column* meta = in->batch.Find("meta");
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->strings[0], R"({"k":1})");
  EXPECT_TRUE(meta->is_null(1));
  const Column* flag = in->batch.Find("flag");
  ASSERT_NE(flag, nullptr);
  EXPECT_TRUE(flag->is_null(0));
  EXPECT_EQ(flag->ints[1], 1);
  EXPECT_TRUE(in->batch.Find("chunk_text")->is_null(1));
  // Caps and bad vectors.
  EXPECT_FALSE(RowsFromJson(rows, "embedding", 2, 1).ok());
  EXPECT_FALSE(RowsFromJson(Json::parse(R"([{"embedding": [1]}])"), "embedding", 2, 10).ok());
  EXPECT_FALSE(RowsFromJson(Json::parse(R"([{"embedding": [1e300, 1]}])"), "embedding", 2, 10).ok());
  EXPECT_FALSE(RowsFromJson(Json::parse(R"([1])"), "embedding", 2, 10).ok());
  EXPECT_FALSE(RowsFromJson(Json::parse(R"([{"x": 1}, {"x": "s"}])"), "embedding", 2, 10).ok());
}

TEST(JsonCodec, StatusCodesMapToHttp) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kCommitConflict), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kCorruption), 500);
  Json e = Json::parse(ErrorBody(Status::InvalidArgument("bad k")));
  EXPECT_EQ(e["error"]["code"], "InvalidArgument");
  EXPECT_EQ(e["error"]["message"], "bad k");
}

}  // namespace
}  // namespace ailake::serve
