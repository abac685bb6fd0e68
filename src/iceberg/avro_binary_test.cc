// Tests for the Avro binary encoding: varint bytes from the spec, round trips of every type, union
// branch choice, value/schema mismatches, and corrupt input (never a crash, always kCorruption).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "iceberg/avro_binary.h"

namespace ailake {
namespace {

AvroSchemaPtr S(const std::string& json) {
  auto s = AvroSchema::Parse(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : AvroSchema::Primitive(AvroType::kNull);
}

std::vector<uint8_t> Enc(const AvroSchema& s, const AvroValue& v) {
  std::vector<uint8_t> out;
  Status st = AvroEncode(s, v, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

Result<AvroValue> Dec(const AvroSchema& s, const std::vector<uint8_t>& bytes, AvroDecodeLimits limits = {}) {
  AvroDecoder d(bytes.data(), bytes.size(), limits);
  AvroValue v;
  AILAKE_RETURN_IF_ERROR(d.Decode(s, &v));
  if (!d.at_end()) return Status::Corruption("trailing bytes");
  return v;
}

TEST(AvroBinary, VarintsMatchTheSpec) {
  // Examples from the Avro spec's zig-zag table.
  const std::vector<std::pair<int64_t, std::vector<uint8_t>>> cases = {
      {0, {0x00}}, {-1, {0x01}}, {1, {0x02}}, {-2, {0x03}}, {2, {0x04}}, {-64, {0x7f}}, {64, {0x80, 0x01}},
      {INT64_MAX, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
      {INT64_MIN, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
  };
  for (const auto& [v, bytes] : cases) {
    std::vector<uint8_t> out;
    AvroAppendLong(v, &out);
    EXPECT_EQ(out, bytes) << v;
    AvroDecoder d(bytes.data(), bytes.size());
    EXPECT_EQ(*d.ReadLong(), v);
  }
}

TEST(AvroBinary, EveryTypeRoundTrips) {
  auto schema = S(R"({"type":"record","name":"all","fields":[
      {"name":"n","type":"null"},{"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},
      {"name":"f","type":"float"},{"name":"d","type":"double"},{"name":"by","type":"bytes"},{"name":"s","type":"string"},
      {"name":"fx","type":{"type":"fixed","name":"f3","size":3}},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
      {"name":"a","type":{"type":"array","items":"long"}},
      {"name":"m","type":{"type":"map","values":["null","double"]}},
      {"name":"u","type":["null","string","long"]},
      {"name":"r","type":{"type":"record","name":"inner","fields":[{"name":"x","type":"int"}]}},
      {"name":"ar","type":{"type":"array","items":"inner"}}]})");
  for (int variant = 0; variant < 3; ++variant) {
    AvroValue::List fields = {
        AvroValue::Null(),
        AvroValue::Boolean(variant == 1),
        AvroValue::Int(variant == 0 ? INT32_MIN : variant == 1 ? INT32_MAX : 0),
        AvroValue::Long(variant == 0 ? INT64_MIN : variant == 1 ? INT64_MAX : -5),
        AvroValue::Float(variant == 0 ? std::numeric_limits<float>::quiet_NaN() : variant == 1 ? -INFINITY : 1.25f),
        AvroValue::Double(variant == 0 ? std::numeric_limits<double>::denorm_min() : variant == 1 ? INFINITY : -0.0),
        AvroValue::BytesValue(variant == 0 ? std::vector<uint8_t>{} : std::vector<uint8_t>{0, 255, 7}),
        AvroValue::String(variant == 0 ? "" : "héllo ✓ 𝄞"),
        AvroValue::Fixed({1, 2, static_cast<uint8_t>(variant)}),
        AvroValue::Enum(variant),
        AvroValue::Array(variant == 0 ? AvroValue::List{} : AvroValue::List{AvroValue::Long(1), AvroValue::Long(-300)}),
        AvroValue::Map(variant == 0 ? AvroValue::Entries{}
                                    : AvroValue::Entries{{"a", AvroValue::Null()}, {"", AvroValue::Double(2.5)}}),
        variant == 0 ? AvroValue::Null() : variant == 1 ? AvroValue::String("s") : AvroValue::Long(42),
        AvroValue::Record({AvroValue::Int(variant)}),
        AvroValue::Array({AvroValue::Record({AvroValue::Int(1)}), AvroValue::Record({AvroValue::Int(2)})}),
    };
    AvroValue v = AvroValue::Record(fields);
    auto bytes = Enc(*schema, v);
    auto back = Dec(*schema, bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, v) << "variant " << variant;
    // The decoder records the union branch it read.
    EXPECT_EQ(back->fields()[12].union_branch(), variant);
    EXPECT_EQ(*back->Field(*schema, "s"), fields[7]);
  }
}

TEST(AvroBinary, UnionBranchChoiceAndPromotion) {
  auto u = S(R"(["null","int","long","double","string"])");
  auto enc_first = [&](const AvroValue& v) { return Enc(*u, v)[0]; };
  EXPECT_EQ(enc_first(AvroValue::Null()), 0x00);           // branch 0
  EXPECT_EQ(enc_first(AvroValue::Int(3)), 0x02);           // branch 1 (exact)
  EXPECT_EQ(enc_first(AvroValue::Long(3)), 0x04);          // branch 2 (exact beats int promotion)
  EXPECT_EQ(enc_first(AvroValue::Float(1.f)), 0x06);       // branch 3 by promotion
  EXPECT_EQ(enc_first(AvroValue::String("x")), 0x08);      // branch 4
  EXPECT_EQ(enc_first(AvroValue::Int(3).set_union_branch(2)), 0x04);  // explicit branch honoured
  // Promotions outside unions: int -> long, long -> int when in range, int -> double.
  EXPECT_EQ(*Dec(*S("\"long\""), Enc(*S("\"long\""), AvroValue::Int(-7))), AvroValue::Long(-7));
  EXPECT_EQ(*Dec(*S("\"int\""), Enc(*S("\"int\""), AvroValue::Long(9))), AvroValue::Int(9));
  EXPECT_EQ(*Dec(*S("\"double\""), Enc(*S("\"double\""), AvroValue::Int(2))), AvroValue::Double(2.0));
}

TEST(AvroBinary, ValuesThatDoNotFitAreRejectedWithAPath) {
  auto schema = S(R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"array","items":
      {"type":"record","name":"q","fields":[{"name":"x","type":"int"}]}}},{"name":"f","type":{"type":"fixed","name":"f2","size":2}}]})");
  std::vector<uint8_t> out;
  Status st = AvroEncode(*schema, AvroValue::Record({AvroValue::Array({AvroValue::Record({AvroValue::String("no")})}),
                                                     AvroValue::Fixed({1, 2})}),
                         &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("$.a[0].x"), std::string::npos) << st.message();
  st = AvroEncode(*schema, AvroValue::Record({AvroValue::Array({}), AvroValue::Fixed({1})}), &out);
  EXPECT_NE(st.message().find("fixed size 2"), std::string::npos) << st.message();
  st = AvroEncode(*schema, AvroValue::Record({AvroValue::Array({})}), &out);
  EXPECT_NE(st.message().find("1 fields given"), std::string::npos) << st.message();
  EXPECT_FALSE(AvroEncode(*S("\"int\""), AvroValue::Long(int64_t{1} << 40), &out).ok());
  EXPECT_FALSE(AvroEncode(*S("\"string\""), AvroValue::String("\xff\xfe"), &out).ok());
  EXPECT_FALSE(AvroEncode(*S(R"(["null","int"])"), AvroValue::String("x"), &out).ok());
  EXPECT_FALSE(AvroEncode(*S(R"({"type":"enum","name":"e","symbols":["A"]})"), AvroValue::Enum(1), &out).ok());
}

TEST(AvroBinary, CorruptInputIsRejected) {
  struct Case {
    std::string schema;
    std::vector<uint8_t> bytes;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"\"long\"", {0x80, 0x80}, "past the end"},
      {"\"long\"", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, "overflows"},
      {"\"long\"", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00}, "longer than 10"},
      {"\"int\"", {0x80, 0x80, 0x80, 0x80, 0x10}, "does not fit 32 bits"},
      {"\"string\"", {0x01}, "negative length"},
      {"\"string\"", {0x0a, 'a', 'b'}, "runs past the end"},
      {"\"bytes\"", {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, "exceeds the limit"},
      {"\"string\"", {0x04, 0xc3, 0x28}, "UTF-8"},
      {"\"boolean\"", {0x02}, "not 0 or 1"},
      {"\"double\"", {0, 0, 0}, "past the end"},
      {R"({"type":"fixed","name":"f","size":4})", {1, 2}, "past the end"},
      {R"({"type":"enum","name":"e","symbols":["A"]})", {0x02}, "outside"},
      {R"(["null","int"])", {0x04}, "outside"},
      {R"(["null","int"])", {0x01}, "outside"},
      {R"({"type":"array","items":"long"})", {0xd0, 0x0f, 0x02}, "cannot fit"},
      {R"({"type":"array","items":"long"})", {0x03, 0x7e, 0x02}, "byte size"},
      {R"({"type":"map","values":"null"})", {0x08, 0x00}, "cannot fit"},
      {R"({"type":"array","items":"null"})", {0xfe, 0xff, 0xff, 0xff, 0x0f}, "limit"},
      {R"({"type":"array","items":"null"})", {0x02}, "past the end"},
      {R"({"type":"record","name":"r","fields":[{"name":"zz","type":"int"}]})", {}, "field 'zz'"},
  };
  for (const auto& c : cases) {
    auto r = Dec(*S(c.schema), c.bytes);
    ASSERT_FALSE(r.ok()) << c.schema;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << c.schema;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << c.schema << " -> " << r.status().message();
  }
}

TEST(AvroBinary, NegativeBlockCountsWithByteSizes) {
  // Array of longs [1, 2, 3] written as two blocks: -2 (with byte size 2) then 1, then 0.
  std::vector<uint8_t> bytes = {0x03, 0x04, 0x02, 0x04, 0x02, 0x06, 0x00};
  auto v = Dec(*S(R"({"type":"array","items":"long"})"), bytes);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, AvroValue::Array({AvroValue::Long(1), AvroValue::Long(2), AvroValue::Long(3)}));
  // Map {"a": 1} as a negative-count block.
  std::vector<uint8_t> map = {0x01, 0x06, 0x02, 'a', 0x02, 0x00};
  auto m = Dec(*S(R"({"type":"map","values":"int"})"), map);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, AvroValue::Map({{"a", AvroValue::Int(1)}}));
}

TEST(AvroBinary, ZeroSizeItemsAreCapped) {
  // 1000 nulls cost no bytes; the item budget bounds how many a crafted count can produce.
  std::vector<uint8_t> bytes;
  AvroAppendLong(1000, &bytes);
  AvroAppendLong(0, &bytes);
  auto schema = S(R"({"type":"array","items":"null"})");
  EXPECT_TRUE(Dec(*schema, bytes).ok());
  AvroDecodeLimits tight;
  tight.max_collection_items = 999;
  EXPECT_EQ(Dec(*schema, bytes, tight).status().code(), StatusCode::kCorruption);
}

TEST(AvroBinary, Utf8Validation) {
  auto ok = [](const std::string& s) { return IsValidUtf8(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  EXPECT_TRUE(ok("plain"));
  EXPECT_TRUE(ok("é ✓ 𝄞"));
  EXPECT_FALSE(ok("\xc0\xaf"));          // overlong
  EXPECT_FALSE(ok("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(ok("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(ok("\xe2\x9c"));          // truncated
  EXPECT_FALSE(ok("\x80"));
}

TEST(AvroValueJson, RoundTripsThroughTheJsonConvention) {
  auto schema = S(R"({"type":"record","name":"r","fields":[
      {"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"d","type":"double"},
      {"name":"b","type":"bytes"},{"name":"fx","type":{"type":"fixed","name":"f2","size":2}},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},{"name":"u","type":["null","string"]},
      {"name":"m","type":{"type":"map","values":"long"}},{"name":"a","type":{"type":"array","items":"boolean"}},
      {"name":"opt","type":["null","long"],"default":null}]})");
  AvroJson j = AvroJson::parse(R"({"i":-3,"l":9223372036854775807,"f":1.5,"d":"NaN","b":"00ff","fx":"abcd","e":"Y",
      "u":"text","m":{"k":1},"a":[true,false]})");
  auto v = AvroValueFromJson(*schema, j);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->fields()[1], AvroValue::Long(INT64_MAX));
  EXPECT_TRUE(v->fields()[10].is_null());  // from the field default
  auto back = AvroValueToJson(*schema, *v);
  ASSERT_TRUE(back.ok());
  j["opt"] = nullptr;
  EXPECT_EQ(nlohmann::json::parse(back->dump()), nlohmann::json::parse(j.dump()));
  EXPECT_FALSE(AvroValueFromJson(*schema, AvroJson::parse(R"({"i":"x"})")).ok());
  EXPECT_FALSE(AvroValueFromJson(*schema, AvroJson::parse(R"({"i":1,"l":1,"f":1,"d":1,"b":"0g"})")).ok());
  EXPECT_FALSE(AvroValueFromJson(*S("\"int\""), AvroJson(int64_t{1} << 40)).ok());
  EXPECT_FALSE(AvroValueToJson(*S("\"int\""), AvroValue::String("x")).ok());
}

}  // namespace
}  // namespace ailake
