// Property test: random schemas, values and null patterns written by ParquetWriter come back
// identical from ParquetReader, under every codec, page version and dictionary setting, with small
// page/row-group limits so many pages and row groups are exercised.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "parquet/reader.h"
#include "parquet/writer.h"

namespace ailake::parquet {
namespace {

const DataType kTypes[] = {DataType::kBool,   DataType::kInt32,  DataType::kInt64,       DataType::kFloat,
                           DataType::kDouble, DataType::kString, DataType::kBinary,      DataType::kFixedBinary,
                           DataType::kDate,   DataType::kTimestamp};

Schema RandomSchema(std::mt19937_64& rng) {
  Schema s;
  const int n = 1 + static_cast<int>(rng() % 7);
  for (int i = 0; i < n; ++i) {
    Field f = Field::Make("c" + std::to_string(i), kTypes[rng() % std::size(kTypes)], rng() % 3 != 0);
    if (f.type == DataType::kFixedBinary) f.fixed_len = 1 + static_cast<int32_t>(rng() % 40);
    if (f.type == DataType::kTimestamp) f.unit = (rng() % 2) ? TimeUnit::kMicros : TimeUnit::kMillis;
    s.fields.push_back(f);
  }
  return s;
}

Batch RandomBatch(const Schema& schema, int64_t rows, std::mt19937_64& rng) {
  Batch b = Batch::Empty(schema);
  const double null_rate = (rng() % 4) * 0.2;  // 0, 0.2, 0.4, 0.6
  // Low-cardinality string pools so dictionaries get used.
  std::vector<std::string> pool;
  for (int i = 0; i < 20; ++i) pool.push_back("value-" + std::to_string(rng() % 1000) + std::string(rng() % 30, 'x'));
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t c = 0; c < schema.fields.size(); ++c) {
    const Field& f = schema.fields[c];
    Column& col = b.columns[c];
    const bool low_card = rng() % 2;
    for (int64_t r = 0; r < rows; ++r) {
      if (f.nullable && u(rng) < null_rate) {
        col.AppendNull();
        continue;
      }
      switch (f.type) {
        case DataType::kBool: col.AppendBool(rng() % 2); break;
        case DataType::kInt32:
        case DataType::kDate: col.AppendInt32(static_cast<int32_t>(rng())); break;
        case DataType::kInt64:
        case DataType::kTimestamp: col.AppendInt64(static_cast<int64_t>(rng() >> (rng() % 64))); break;
        case DataType::kFloat: {
          uint32_t bits = static_cast<uint32_t>(rng());
          float v;
          std::memcpy(&v, &bits, 4);
          col.AppendFloat(v);  // any bit pattern, NaNs and infinities included
          break;
        }
        case DataType::kDouble: col.AppendDouble(std::ldexp(u(rng) - 0.5, static_cast<int>(rng() % 200) - 100)); break;
        case DataType::kString:
          if (low_card) col.AppendString(pool[rng() % pool.size()]);
          else col.AppendString(std::string(rng() % 50, static_cast<char>('a' + rng() % 26)) + "é");
          break;
        case DataType::kBinary: {
          std::string s(rng() % 64, '\0');
          for (auto& ch : s) ch = static_cast<char>(rng());
          col.AppendString(s);
          break;
        }
        case DataType::kFixedBinary: {
          std::vector<uint8_t> v(static_cast<size_t>(f.fixed_len));
          for (auto& x : v) x = static_cast<uint8_t>(rng());
          col.AppendFixed(v.data());
          break;
        }
        case DataType::kList: break;
      }
    }
  }
  b.num_rows = rows;
  return b;
}

void ExpectSameValue(const Column& a, const Column& b, int64_t r, const std::string& where) {
  ASSERT_EQ(a.IsValid(r), b.IsValid(r)) << where << " row " << r << " validity";
  if (!a.IsValid(r)) return;
  switch (a.type()) {
    case DataType::kBool: ASSERT_EQ(a.Value<uint8_t>(r) != 0, b.Value<uint8_t>(r) != 0) << where; break;
    case DataType::kInt32:
    case DataType::kDate: ASSERT_EQ(a.Value<int32_t>(r), b.Value<int32_t>(r)) << where << " row " << r; break;
    case DataType::kInt64:
    case DataType::kTimestamp: ASSERT_EQ(a.Value<int64_t>(r), b.Value<int64_t>(r)) << where << " row " << r; break;
    case DataType::kFloat: {
      uint32_t x, y;
      float fa = a.Value<float>(r), fb = b.Value<float>(r);
      std::memcpy(&x, &fa, 4);
      std::memcpy(&y, &fb, 4);
      ASSERT_EQ(x, y) << where << " row " << r;  // bit-exact, NaN payloads included
      break;
    }
    case DataType::kDouble: ASSERT_EQ(a.Value<double>(r), b.Value<double>(r)) << where << " row " << r; break;
    case DataType::kString:
    case DataType::kBinary: ASSERT_EQ(a.StringValue(r), b.StringValue(r)) << where << " row " << r; break;
    case DataType::kFixedBinary:
      ASSERT_EQ(std::memcmp(a.FixedValue(r), b.FixedValue(r), static_cast<size_t>(a.fixed_len())), 0) << where;
      break;
    case DataType::kList: break;
  }
}

TEST(ParquetRoundTrip, RandomSchemasValuesAndNulls) {
  const Compression codecs[] = {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kLz4Raw,
                                Compression::kZstd};
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    Schema schema = RandomSchema(rng);
    WriterOptions opt;
    opt.compression = codecs[seed % std::size(codecs)];
    opt.data_page_v2 = seed % 2;
    opt.dictionary = seed % 3 != 0;
    opt.page_bytes = 1 << (8 + rng() % 8);        // 256 B .. 32 KiB pages
    opt.row_group_rows = 50 + static_cast<int64_t>(rng() % 500);
    const std::string where = "seed " + std::to_string(seed);
    BufferWritableFile out("rt.parquet");
    auto w = ParquetWriter::Open(&out, schema, opt);
    ASSERT_TRUE(w.ok()) << where << ": " << w.status().ToString();
    Batch all = Batch::Empty(schema);
    const int batches = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < batches; ++i) {
      Batch b = RandomBatch(schema, static_cast<int64_t>(rng() % 700), rng);
      ASSERT_TRUE((*w)->WriteBatch(b).ok()) << where;
      ASSERT_TRUE(all.Append(b).ok());
    }
    ASSERT_TRUE((*w)->Close().ok()) << where;
    auto r = ParquetReader::Open(MakeBufferReadable(out.buffer(), "rt.parquet"));
    ASSERT_TRUE(r.ok()) << where << ": " << r.status().ToString();
    ASSERT_EQ((*r)->num_rows(), all.num_rows) << where;
    ASSERT_EQ((*r)->schema().fields.size(), schema.fields.size()) << where;
    for (size_t c = 0; c < schema.fields.size(); ++c) {
      EXPECT_EQ((*r)->schema().fields[c].name, schema.fields[c].name);
      EXPECT_EQ((*r)->schema().fields[c].type, schema.fields[c].type) << where << " column " << c;
      EXPECT_EQ((*r)->schema().fields[c].nullable, schema.fields[c].nullable) << where << " column " << c;
    }
    auto back = (*r)->ReadAll({});
    ASSERT_TRUE(back.ok()) << where << ": " << back.status().ToString();
    ASSERT_EQ(back->num_rows, all.num_rows);
    for (size_t c = 0; c < schema.fields.size(); ++c) {
      for (int64_t row = 0; row < all.num_rows; ++row) {
        ExpectSameValue(all.columns[c], back->columns[c], row, where + " column " + schema.fields[c].name);
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
    // Projection of one column in reverse order reads only what was asked for.
    if (schema.fields.size() >= 2) {
      auto proj = (*r)->ReadAll({static_cast<int>(schema.fields.size()) - 1, 0});
      ASSERT_TRUE(proj.ok()) << where;
      ASSERT_EQ(proj->columns.size(), 2u);
      EXPECT_EQ(proj->schema.fields[0].name, schema.fields.back().name);
    }
  }
}

}  // namespace
}  // namespace ailake::parquet
