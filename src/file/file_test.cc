// AI-Lake file round trips, determinism, golden bytes, and corruption handling.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/uuid.h"
#include "file/file_reader.h"
#include "file/file_test_util.h"
#include "file/file_writer.h"
#include "file/vector_fill.h"
#include "vec/distance.h"
#include "vec/quantize.h"

namespace ailake::file {
namespace {

using testing::ClusteredVectors;
using testing::DataBatch;
using testing::DataSchema;

struct Written {
  std::vector<uint8_t> bytes;
  WrittenFile summary;
};

// Writes `rows` rows in batches of 300 with the given vector columns (each with its own vectors).
Result<Written> WriteFile(const std::vector<VectorColumnSpec>& specs, const std::vector<std::vector<float>>& vectors,
                          int64_t rows, const std::vector<uint8_t>* nulls = nullptr, FileWriterOptions options = {}) {
  BufferWritableFile out("mem.parquet");
  AILAKE_ASSIGN_OR_RETURN(auto w, AiLakeFileWriter::Open(&out, DataSchema(), specs, options));
  for (int64_t start = 0; start < rows; start += 300) {
    int64_t n = std::min<int64_t>(300, rows - start);
    std::vector<VectorInput> in;
    for (size_t c = 0; c < specs.size(); ++c) {
      in.push_back({vectors[c].data() + static_cast<size_t>(start) * specs[c].model.dim,
                    nulls && c == 0 ? nulls->data() + start : nullptr});
    }
    AILAKE_RETURN_IF_ERROR(w->Append(DataBatch(start, n), in));
  }
  AILAKE_ASSIGN_OR_RETURN(WrittenFile s, w->Finish());
  return Written{out.buffer(), s};
}

VectorColumnSpec Spec(const std::string& name, uint32_t dim, VectorMetric metric, VectorPrecision precision,
                      IndexKind kind = IndexKind::kAuto) {
  VectorColumnSpec s;
  s.name = name;
  s.model.name = "test-model-" + std::to_string(dim);
  s.model.version = "v1";
  s.model.dim = dim;
  s.model.metric = metric;
  s.policy.precision = precision;
  s.policy.index = kind;
  s.policy.hnsw_m = 8;
  s.policy.hnsw_ef_construction = 64;
  s.policy.build_threads = 2;
  return s;
}

double Tolerance(VectorPrecision p, float maxabs) {
  switch (p) {
    case VectorPrecision::kF32: return 0.0;
    case VectorPrecision::kF16: return maxabs * 1e-3 + 1e-6;
    case VectorPrecision::kI8: return maxabs / 127.0 * 0.51 + 1e-6;
  }
  return 0;
}

class RoundTrip : public ::testing::TestWithParam<std::tuple<VectorMetric, VectorPrecision, IndexKind>> {};

TEST_P(RoundTrip, VectorsMetadataAndSearch) {
  auto [metric, precision, kind] = GetParam();
  const uint32_t dim = 24;
  const int64_t rows = 1000;
  auto vecs = ClusteredVectors(rows, dim, 11);
  std::vector<uint8_t> nulls(rows, 0);
  for (int64_t r = 5; r < rows; r += 97) nulls[r] = 1;
  auto spec = Spec("embedding", dim, metric, precision, kind);
  auto w = WriteFile({spec}, {vecs}, rows, &nulls);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->summary.rows, 1000u);
  ASSERT_EQ(w->summary.columns.size(), 1u);
  EXPECT_EQ(w->summary.columns[0].rows_with_vector, 1000u - 11u);
  EXPECT_EQ(w->summary.columns[0].index_kind, kind);

  auto r = AiLakeFileReader::Open(MakeBufferReadable(w->bytes, "rt.parquet"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE((*r)->is_ailake());
  const auto& meta = (*r)->vector_columns()[0];
  EXPECT_EQ(meta.name, "embedding");
  EXPECT_EQ(meta.model.dim, dim);
  EXPECT_EQ(meta.model.metric, metric);
  EXPECT_EQ(meta.precision, precision);
  EXPECT_EQ(meta.model.Id(), "test-model-24@v1");
  EXPECT_EQ(meta.index_kind, kind);
  EXPECT_EQ(meta.rows_with_vector, 989u);

  auto col = (*r)->LoadColumn("");
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  const size_t rb = vec::RowBytes(precision, dim);
  // normalized_cosine stores unit vectors: compare against the normalised input.
  std::vector<float> expected = vecs;
  if (metric == VectorMetric::kNormalizedCosine) {
    for (int64_t i = 0; i < rows; ++i) NormalizeInPlace(expected.data() + i * dim, dim);
  }
  std::vector<float> decoded(dim);
  for (int64_t i = 0; i < rows; ++i) {
    ASSERT_EQ((*col)->nulls()[i], nulls[i]) << i;
    if (nulls[i]) continue;
    vec::DecodeRow(precision, (*col)->rows().data() + i * rb, dim, decoded.data());
    float maxabs = 0;
    for (uint32_t d = 0; d < dim; ++d) maxabs = std::max(maxabs, std::fabs(expected[i * dim + d]));
    for (uint32_t d = 0; d < dim; ++d) ASSERT_NEAR(decoded[d], expected[i * dim + d], Tolerance(precision, maxabs)) << i;
  }
  // Exact search: a row's own vector finds that row first (or a duplicate at distance ~0), and
  // null rows are never returned by either mode.
  for (int64_t q : {0, 1, 200, 999}) {
    auto exact = (*col)->Search(vecs.data() + q * dim, 10, 64, true);
    ASSERT_TRUE(exact.ok());
    ASSERT_EQ(exact->size(), 10u);
    if (metric != VectorMetric::kDot) {
      EXPECT_EQ((*exact)[0].row, static_cast<uint32_t>(q));
    }
    auto approx = (*col)->Search(vecs.data() + q * dim, 10, 64, false);
    ASSERT_TRUE(approx.ok());
    for (const auto& n : *exact) EXPECT_FALSE(nulls[n.row]);
    for (const auto& n : *approx) EXPECT_FALSE(nulls[n.row]);
    for (size_t i = 1; i < approx->size(); ++i) EXPECT_LE((*approx)[i - 1].distance, (*approx)[i].distance);
  }
  // Data columns come back unchanged.
  auto data = (*r)->parquet().ReadAll({0, 1, 2});
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->num_rows, rows);
  for (int64_t i = 0; i < rows; ++i) {
    EXPECT_EQ(data->columns[0].Value<int64_t>(i), i);
    EXPECT_EQ(data->columns[1].IsValid(i), i % 7 != 3);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllMetricsPrecisions, RoundTrip,
    ::testing::Combine(::testing::Values(VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDot,
                                         VectorMetric::kNormalizedCosine),
                       ::testing::Values(VectorPrecision::kF32, VectorPrecision::kF16, VectorPrecision::kI8),
                       ::testing::Values(IndexKind::kFlat, IndexKind::kHnsw)));

TEST(AiLakeFile, SeveralVectorColumns) {
  auto a = ClusteredVectors(700, 16, 1);
  auto b = ClusteredVectors(700, 40, 2);
  auto w = WriteFile({Spec("old_vec", 16, VectorMetric::kCosine, VectorPrecision::kF16, IndexKind::kHnsw),
                      Spec("new_vec", 40, VectorMetric::kDot, VectorPrecision::kF32, IndexKind::kFlat)},
                     {a, b}, 700);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto r = AiLakeFileReader::Open(MakeBufferReadable(w->bytes, "two.parquet"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->vector_columns().size(), 2u);
  EXPECT_EQ((*r)->vector_columns()[0].name, "old_vec");
  EXPECT_EQ((*r)->vector_columns()[1].name, "new_vec");
  EXPECT_EQ(*(*r)->parquet().FindKeyValue("ailake.footer_offset"),
            std::to_string((*r)->vector_columns()[0].section_offset));
  auto c1 = (*r)->LoadColumn("new_vec");
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ((*c1)->meta().model.dim, 40u);
  auto c0 = (*r)->LoadColumn("old_vec");
  ASSERT_TRUE(c0.ok()) << c0.status().ToString();
  EXPECT_EQ((*c0)->meta().index_kind, IndexKind::kHnsw);
  EXPECT_EQ((*r)->LoadColumn("nope").status().code(), StatusCode::kNotFound);
}

TEST(AiLakeFile, BadAppendsAreRefusedAndWriteNothing) {
  BufferWritableFile out;
  auto w = AiLakeFileWriter::Open(&out, DataSchema(), {Spec("v", 4, VectorMetric::kEuclidean, VectorPrecision::kF16)});
  ASSERT_TRUE(w.ok());
  std::vector<float> v(4 * 3, 1.0f);
  v[6] = std::nanf("");
  auto st = (*w)->Append(DataBatch(0, 3), {VectorInput{v.data(), nullptr}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("row 1"), std::string::npos) << st.message();
  EXPECT_EQ((*w)->rows(), 0);
  EXPECT_EQ((*w)->Append(DataBatch(0, 3), {}).code(), StatusCode::kInvalidArgument);
  // A NaN in a null row is fine: that row has no vector.
  std::vector<uint8_t> nulls = {0, 1, 0};
  EXPECT_TRUE((*w)->Append(DataBatch(0, 3), {VectorInput{v.data(), nulls.data()}}).ok());
  auto done = (*w)->Finish();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->rows, 3u);

  BufferWritableFile out2;
  EXPECT_FALSE(AiLakeFileWriter::Open(&out2, DataSchema(), {}).ok());
  EXPECT_FALSE(AiLakeFileWriter::Open(&out2, DataSchema(), {Spec("id", 4, VectorMetric::kDot, VectorPrecision::kF32)}).ok());
  auto nameless = Spec("v", 4, VectorMetric::kDot, VectorPrecision::kF32);
  nameless.model.name.clear();
  EXPECT_FALSE(AiLakeFileWriter::Open(&out2, DataSchema(), {nameless}).ok());
}

TEST(AiLakeFile, SameSeedSameBytes) {
  auto v = ClusteredVectors(3000, 32, 5);
  auto spec = Spec("embedding", 32, VectorMetric::kCosine, VectorPrecision::kF16, IndexKind::kHnsw);
  FileWriterOptions one, two;
  one.build_threads = 1;
  two.build_threads = 2;
  auto a = WriteFile({spec}, {v}, 3000, nullptr, one);
  auto b = WriteFile({spec}, {v}, 3000, nullptr, two);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bytes, b->bytes) << "index builds must not depend on thread count or scheduling";
  spec.policy.hnsw_seed = 43;
  auto c = WriteFile({spec}, {v}, 3000);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->bytes, c->bytes);
}

// The golden file pins the format byte for byte (docs/FORMAT.md walks through it). Flat index and
// f16/i8 vectors: no floating-point sums that could differ between CPUs. Regenerate deliberately
// with AILAKE_UPDATE_GOLDEN=1 after a format change (and bump the format version).
TEST(AiLakeFile, GoldenFile) {
  const std::string golden = std::string(AILAKE_SOURCE_DIR) + "/tests/golden/small.ailake.parquet";
  std::vector<float> v(12 * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>(i % 9) - 4) * 0.25f;
  std::vector<float> w(12 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i) / 8.0f;
  std::vector<uint8_t> nulls(12, 0);
  nulls[7] = 1;
  FileWriterOptions options;
  options.parquet.compression = parquet::Compression::kNone;
  auto a = Spec("embedding", 4, VectorMetric::kCosine, VectorPrecision::kF16, IndexKind::kFlat);
  auto b = Spec("old_embedding", 3, VectorMetric::kEuclidean, VectorPrecision::kI8, IndexKind::kFlat);
  auto written = WriteFile({a, b}, {v, w}, 12, &nulls, options);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  if (std::getenv("AILAKE_UPDATE_GOLDEN")) {
    ASSERT_TRUE(WriteBytesToFile(golden, written->bytes.data(), written->bytes.size()).ok());
  }
  auto expected = ReadFileToBytes(golden);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  ASSERT_EQ(expected->size(), written->bytes.size()) << "the file format changed: see docs/FORMAT.md";
  for (size_t i = 0; i < expected->size(); ++i) {
    ASSERT_EQ((*expected)[i], written->bytes[i]) << "first difference at byte " << i;
  }
  // And the golden file reads back.
  auto r = AiLakeFileReader::OpenPath(golden);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto col = (*r)->LoadColumn("old_embedding");
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ((*col)->count(), 12u);
}

// Flip and truncate bytes systematically across the AILK sections and the footer: opening and
// loading must fail cleanly (or, for bytes that carry no meaning, succeed) — never crash.
TEST(AiLakeFile, SystematicCorruption) {
  auto v = ClusteredVectors(400, 8, 3);
  auto w = WriteFile({Spec("embedding", 8, VectorMetric::kEuclidean, VectorPrecision::kF16, IndexKind::kHnsw)}, {v}, 400);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const auto& good = w->bytes;
  const size_t section = w->summary.columns[0].section_offset;
  size_t failures = 0, trials = 0;
  auto attempt = [&](std::vector<uint8_t> bytes) {
    ++trials;
    auto r = AiLakeFileReader::Open(MakeBufferReadable(std::move(bytes), "bad.parquet"));
    if (!r.ok()) {
      ++failures;
      EXPECT_NE(r.status().message().find("bad.parquet"), std::string::npos) << r.status().message();
      return;
    }
    auto c = (*r)->LoadColumn("");
    if (!c.ok()) {
      ++failures;
      EXPECT_NE(c.status().message().find("bad.parquet"), std::string::npos) << c.status().message();
      return;
    }
    std::vector<float> q(v.begin(), v.begin() + 8);
    (void)(*c)->Search(q.data(), 5, 32, false);
  };
  // Every byte of the AILK section: any change must be detected (CRC + trailer checks).
  for (size_t i = section; i < good.size() - 8; i += (i < section + 200 ? 1 : 7)) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x5A;
    size_t before = failures;
    attempt(std::move(bad));
    if (i < section + 64) {
      EXPECT_GT(failures, before) << "header flip at " << i << " not detected";
    }
  }
  // Truncations at many lengths.
  for (size_t n = 0; n < good.size(); n += 37) attempt(std::vector<uint8_t>(good.begin(), good.begin() + n));
  EXPECT_GT(failures, trials / 2);
}

}  // namespace
}  // namespace ailake::file
