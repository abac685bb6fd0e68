// Decoder unit tests with byte sequences built by hand from parquet-format's Encodings.md.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parquet/byte_stream_split.h"
#include "parquet/delta_decoder.h"
#include "parquet/plain_decoder.h"
#include "parquet/rle_decoder.h"

namespace ailake::parquet {
namespace {

TEST(RleDecoder, SpecBitPackedExample) {
  // Encodings.md: values 0..7 at bit width 3 -> one bit-packed group: 10001000 11000110 11111010.
  const uint8_t data[] = {0x03, 0x88, 0xC6, 0xFA};
  RleBitPackedDecoder d(data, sizeof data, 3);
  uint32_t out[8];
  ASSERT_TRUE(d.Decode(out, 8).ok());
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
}

TEST(RleDecoder, RleRunThenBitPackedAndPartialRead) {
  // RLE run: 5 x value 3 (header 5 << 1 = 0x0A, one value byte), then a bit-packed group of 8
  // values at width 2: 1,2,3,0,1,2,3,0 -> bytes 0b00111001, 0b00111001.
  const uint8_t data[] = {0x0A, 0x03, 0x03, 0x39, 0x39};
  RleBitPackedDecoder d(data, sizeof data, 2);
  int16_t out[11];
  ASSERT_TRUE(d.Decode(out, 3).ok());
  ASSERT_TRUE(d.Decode(out + 3, 8).ok());
  const int16_t want[] = {3, 3, 3, 3, 3, 1, 2, 3, 0, 1, 2};
  for (int i = 0; i < 11; ++i) EXPECT_EQ(out[i], want[i]) << i;
  // 2 values remain in the group; asking for 3 runs off the end.
  int16_t more[3];
  EXPECT_FALSE(d.Decode(more, 3).ok());
}

TEST(RleDecoder, WideValuesAndBitWidthZero) {
  // Width 20: RLE value takes 3 bytes.
  const uint8_t data[] = {0x04, 0x45, 0x23, 0x01};
  RleBitPackedDecoder d(data, sizeof data, 20);
  uint32_t out[2];
  ASSERT_TRUE(d.Decode(out, 2).ok());
  EXPECT_EQ(out[0], 0x12345u);
  EXPECT_EQ(out[1], 0x12345u);
  const uint8_t zero[] = {0x08};  // 4 x 0 at width 0 (no value bytes)
  RleBitPackedDecoder z(zero, 1, 0);
  uint8_t zo[4];
  ASSERT_TRUE(z.Decode(zo, 4).ok());
  EXPECT_EQ(zo[3], 0);
}

TEST(RleDecoder, CorruptInputs) {
  uint32_t out[16];
  {
    const uint8_t data[] = {0x03};  // bit-packed group with no bytes
    RleBitPackedDecoder d(data, sizeof data, 3);
    EXPECT_EQ(d.Decode(out, 8).code(), StatusCode::kCorruption);
  }
  {
    const uint8_t data[] = {0x01};  // zero-group bit-packed run
    RleBitPackedDecoder d(data, sizeof data, 3);
    EXPECT_FALSE(d.Decode(out, 1).ok());
  }
  {
    const uint8_t data[] = {0x02, 0x09};  // value 9 does not fit width 3
    RleBitPackedDecoder d(data, sizeof data, 3);
    EXPECT_FALSE(d.Decode(out, 1).ok());
  }
  {
    const uint8_t data[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};  // varint over 5 bytes
    RleBitPackedDecoder d(data, sizeof data, 3);
    EXPECT_FALSE(d.Decode(out, 1).ok());
  }
  {
    const uint8_t data[] = {0x04, 0x00, 0x01};  // 2 x 256 at width 9 does not fit uint8 output
    RleBitPackedDecoder d(data, sizeof data, 9);
    uint8_t small[2];
    EXPECT_FALSE(d.Decode(small, 2).ok());
  }
  {
    RleBitPackedDecoder d(nullptr, 0, 1);  // empty input
    EXPECT_FALSE(d.Decode(out, 1).ok());
  }
}

TEST(RleDecoder, UnpackBitsAllWidths) {
  // Pack value i*7 masked to width w for w in 1..64 and unpack it again.
  for (int w = 1; w <= 64; ++w) {
    std::vector<uint8_t> buf(static_cast<size_t>(w) * 2, 0);  // 16 values
    auto mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
    for (uint64_t i = 0; i < 16; ++i) {
      uint64_t v = (i * 0x9E3779B97F4A7C15ull) & mask;
      for (int b = 0; b < w; ++b)
        if ((v >> b) & 1) buf[(i * w + b) / 8] |= static_cast<uint8_t>(1u << ((i * w + b) % 8));
    }
    for (uint64_t i = 0; i < 16; ++i)
      ASSERT_EQ(UnpackBits(buf.data(), buf.size(), i, w), (i * 0x9E3779B97F4A7C15ull) & mask) << w << " " << i;
  }
}

TEST(PlainDecoder, FixedWidthBoolAndByteArray) {
  ValueBuffer v;
  v.Reset(4);
  const int32_t ints[] = {1, -2, 300};
  size_t used = 0;
  ASSERT_TRUE(DecodePlain(PhysicalType::kInt32, reinterpret_cast<const uint8_t*>(ints), 12, 3, &v, &used).ok());
  EXPECT_EQ(used, 12u);
  EXPECT_EQ(v.count, 3);
  int32_t back[3];
  std::memcpy(back, v.data.data(), 12);
  EXPECT_EQ(back[1], -2);
  EXPECT_FALSE(DecodePlain(PhysicalType::kInt32, reinterpret_cast<const uint8_t*>(ints), 11, 3, &v, &used).ok());

  ValueBuffer b;
  b.Reset(1);
  const uint8_t bits[] = {0b10100101, 0b1};
  ASSERT_TRUE(DecodePlain(PhysicalType::kBoolean, bits, 2, 9, &b, &used).ok());
  const uint8_t want[] = {1, 0, 1, 0, 0, 1, 0, 1, 1};
  EXPECT_EQ(std::memcmp(b.data.data(), want, 9), 0);

  ValueBuffer s;
  s.Reset(0);
  const uint8_t ba[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 1, 0, 0, 0, 'z'};
  ASSERT_TRUE(DecodePlain(PhysicalType::kByteArray, ba, sizeof ba, 3, &s, &used).ok());
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.VarLen(0), 3u);
  EXPECT_EQ(s.VarLen(1), 0u);
  EXPECT_EQ(s.VarAt(2)[0], 'z');
  const uint8_t bad[] = {9, 0, 0, 0, 'a'};  // length past the page
  EXPECT_FALSE(DecodePlain(PhysicalType::kByteArray, bad, sizeof bad, 1, &s, &used).ok());
  const uint8_t cut[] = {9, 0};  // truncated length prefix
  EXPECT_FALSE(DecodePlain(PhysicalType::kByteArray, cut, sizeof cut, 1, &s, &used).ok());
}

TEST(PlainDecoder, DictionaryGatherChecksIndices) {
  ValueBuffer dict;
  dict.Reset(0);
  dict.AppendVar(reinterpret_cast<const uint8_t*>("x"), 1);
  dict.AppendVar(reinterpret_cast<const uint8_t*>("yy"), 2);
  ValueBuffer out;
  out.Reset(0);
  const uint32_t idx[] = {1, 0, 1};
  ASSERT_TRUE(GatherDictionary(dict, idx, 3, &out).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data.data()), out.data.size()), "yyxyy");
  const uint32_t bad[] = {0, 2};
  Status st = GatherDictionary(dict, bad, 2, &out);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("out of range"), std::string::npos);
}

TEST(DeltaDecoder, SpecExamples) {
  // Example 1: 1 2 3 4 5 -> deltas all 1, min delta 1, every bit width 0.
  const uint8_t ex1[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
  std::vector<int64_t> out;
  size_t used = 0;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(ex1, sizeof ex1, 5, &out, &used).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(used, sizeof ex1);
  // Example 2: 7 5 3 1 2 3 4 5 -> min delta -2, adjusted 0 0 0 3 3 3 3 at width 2.
  std::vector<uint8_t> ex2 = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F};
  ex2.resize(ex2.size() + 6, 0);  // the rest of the 32-value miniblock (8 bytes in all)
  ASSERT_TRUE(DecodeDeltaBinaryPacked(ex2.data(), ex2.size(), 8, &out, &used).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(used, ex2.size());
}

TEST(DeltaDecoder, Int32WrapsAround) {
  // INT32_MAX then INT32_MIN: the 64-bit delta -4294967295 wraps to the right low 32 bits.
  const uint8_t data[] = {0x80, 0x01, 0x04, 0x02, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F,  // first = zigzag(2147483647)
                          0xFD, 0xFF, 0xFF, 0xFF, 0x1F,                          // min delta = zigzag(-4294967295)
                          0, 0, 0, 0};
  ValueBuffer v;
  v.Reset(4);
  size_t used = 0;
  ASSERT_TRUE(DecodeDeltaInts(data, sizeof data, 2, &v, &used).ok());
  int32_t got[2];
  std::memcpy(got, v.data.data(), 8);
  EXPECT_EQ(got[0], INT32_MAX);
  EXPECT_EQ(got[1], INT32_MIN);
}

TEST(DeltaDecoder, CorruptHeaders) {
  std::vector<int64_t> out;
  size_t used = 0;
  const uint8_t bad_block[] = {0x64, 0x04, 0x05, 0x02};  // block size 100
  EXPECT_FALSE(DecodeDeltaBinaryPacked(bad_block, sizeof bad_block, 5, &out, &used).ok());
  const uint8_t bad_mini[] = {0x80, 0x01, 0x03, 0x05, 0x02};  // 128 / 3 miniblocks
  EXPECT_FALSE(DecodeDeltaBinaryPacked(bad_mini, sizeof bad_mini, 5, &out, &used).ok());
  const uint8_t wrong_count[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
  EXPECT_FALSE(DecodeDeltaBinaryPacked(wrong_count, sizeof wrong_count, 6, &out, &used).ok());
  const uint8_t truncated[] = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0};
  EXPECT_FALSE(DecodeDeltaBinaryPacked(truncated, sizeof truncated, 8, &out, &used).ok());
  const uint8_t wide[] = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 65, 0x00, 0x00, 0x00};
  EXPECT_FALSE(DecodeDeltaBinaryPacked(wide, sizeof wide, 8, &out, &used).ok());
  const uint8_t header_only[] = {0x80};
  EXPECT_FALSE(DecodeDeltaBinaryPacked(header_only, sizeof header_only, 1, &out, &used).ok());
}

TEST(DeltaDecoder, LengthByteArray) {
  // Lengths 3 0 2: first 3, deltas -3 +2, min -3, adjusted 0 5 at width 3 (byte 0x28).
  std::vector<uint8_t> data = {0x80, 0x01, 0x04, 0x03, 0x06, 0x05, 0x03, 0, 0, 0, 0x28};
  data.resize(data.size() + 11, 0);  // 32 values x 3 bits = 12 bytes
  for (char c : std::string("abcde")) data.push_back(static_cast<uint8_t>(c));
  ValueBuffer v;
  v.Reset(0);
  ASSERT_TRUE(DecodeDeltaLengthByteArray(data.data(), data.size(), 3, &v).ok());
  ASSERT_EQ(v.count, 3);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.VarAt(0)), v.VarLen(0)), "abc");
  EXPECT_EQ(v.VarLen(1), 0u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.VarAt(2)), v.VarLen(2)), "de");
  data.pop_back();  // the values no longer fit
  ValueBuffer w;
  w.Reset(0);
  EXPECT_FALSE(DecodeDeltaLengthByteArray(data.data(), data.size(), 3, &w).ok());
}

TEST(DeltaDecoder, ByteArrayWithPrefixes) {
  // "hello" "help" "x": prefixes 0 3 0, suffixes "hello" "p" "x".
  std::vector<uint8_t> data = {0x80, 0x01, 0x04, 0x03, 0x00, 0x05, 0x03, 0, 0, 0, 0x06};
  data.resize(data.size() + 11, 0);
  std::vector<uint8_t> lens = {0x80, 0x01, 0x04, 0x03, 0x0A, 0x07, 0x03, 0, 0, 0, 0x20};
  lens.resize(lens.size() + 11, 0);
  data.insert(data.end(), lens.begin(), lens.end());
  for (char c : std::string("hellopx")) data.push_back(static_cast<uint8_t>(c));
  ValueBuffer v;
  v.Reset(0);
  ASSERT_TRUE(DecodeDeltaByteArray(data.data(), data.size(), 3, &v).ok());
  ASSERT_EQ(v.count, 3);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.VarAt(1)), v.VarLen(1)), "help");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.VarAt(2)), v.VarLen(2)), "x");
  // A first prefix longer than the (empty) previous value is corrupt: first prefix 1.
  data[4] = 0x02;
  ValueBuffer w;
  w.Reset(0);
  EXPECT_FALSE(DecodeDeltaByteArray(data.data(), data.size(), 3, &w).ok());
  // Fixed-length targets require every value to have that length.
  data[4] = 0x00;
  ValueBuffer f;
  f.Reset(5);
  EXPECT_FALSE(DecodeDeltaByteArray(data.data(), data.size(), 3, &f).ok());
}

TEST(DeltaDecoder, OutputCapStopsPrefixBombs) {
  // "hello" "help" "x" under a 6-byte cap.
  std::vector<uint8_t> data = {0x80, 0x01, 0x04, 0x03, 0x00, 0x05, 0x03, 0, 0, 0, 0x06};
  data.resize(data.size() + 11, 0);
  std::vector<uint8_t> lens = {0x80, 0x01, 0x04, 0x03, 0x0A, 0x07, 0x03, 0, 0, 0, 0x20};
  lens.resize(lens.size() + 11, 0);
  data.insert(data.end(), lens.begin(), lens.end());
  for (char c : std::string("hellopx")) data.push_back(static_cast<uint8_t>(c));
  ValueBuffer v;
  v.Reset(0);
  v.byte_limit = 6;
  EXPECT_EQ(DecodeDeltaByteArray(data.data(), data.size(), 3, &v).code(), StatusCode::kResourceExhausted);
}

TEST(ByteStreamSplit, FloatsAndWrongSize) {
  const float vals[] = {1.0f, 2.0f, -3.5f};
  uint8_t raw[12];
  std::memcpy(raw, vals, 12);
  uint8_t split[12];
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 3; ++i) split[k * 3 + i] = raw[i * 4 + k];
  ValueBuffer v;
  v.Reset(4);
  ASSERT_TRUE(DecodeByteStreamSplit(split, 12, 3, &v).ok());
  EXPECT_EQ(std::memcmp(v.data.data(), raw, 12), 0);
  ValueBuffer w;
  w.Reset(4);
  EXPECT_FALSE(DecodeByteStreamSplit(split, 11, 3, &w).ok());
  ValueBuffer var;
  var.Reset(0);
  EXPECT_FALSE(DecodeByteStreamSplit(split, 12, 3, &var).ok());
}

}  // namespace
}  // namespace ailake::parquet
