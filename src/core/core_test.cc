// Tests for the core layer: Status/Result, vocabulary types, UUIDs, thread pool, local/buffer files.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include "ailake/status.h"
#include "ailake/types.h"
#include "core/checked.h"
#include "core/io.h"
#include "core/thread_pool.h"
#include "core/uuid.h"
#include "testing/fork_child.h"
#include "testing/temp_dir.h"

namespace ailake {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}
Result<int> Quarter(int x) {
  AILAKE_ASSIGN_OR_RETURN(int h, Half(x));
  AILAKE_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, CodesMessagesAndPropagation) {
  EXPECT_TRUE(Status::OK().ok());
  Status s = Status::Corruption("bad magic");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.Is(StatusCode::kCorruption));
  EXPECT_EQ(s.ToString(), "Corruption: bad magic");
  EXPECT_EQ(s.WithContext("f.parquet").message(), "f.parquet: bad magic");
  EXPECT_EQ(s.WithContext("x").code(), StatusCode::kCorruption);
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  // A Result may never hold an OK status without a value.
  Result<int> bad{Status::OK()};
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
}

TEST(Types, ParseAndNameRoundTrip) {
  for (auto m : {VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDot, VectorMetric::kNormalizedCosine}) {
    auto parsed = ParseMetric(MetricName(m));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, m);
    EXPECT_EQ(*MetricFromCode(static_cast<uint32_t>(m)), m);
  }
  for (auto p : {VectorPrecision::kF32, VectorPrecision::kF16, VectorPrecision::kI8}) {
    EXPECT_EQ(*ParsePrecision(PrecisionName(p)), p);
    EXPECT_EQ(*PrecisionFromCode(static_cast<uint32_t>(p)), p);
  }
  EXPECT_FALSE(ParseMetric("manhattan").ok());
  EXPECT_NE(ParseMetric("manhattan").status().message().find("cosine"), std::string::npos);
  EXPECT_FALSE(ParsePrecision("f64").ok());
  EXPECT_FALSE(MetricFromCode(4).ok());
  EXPECT_FALSE(PrecisionFromCode(3).ok());
  EXPECT_EQ(PrecisionElementSize(VectorPrecision::kF16), 2u);
}

TEST(Types, ModelIds) {
  auto m = EmbeddingModelInfo::ParseId("text-embedding-3-small@2024-01");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->name, "text-embedding-3-small");
  EXPECT_EQ(m->version, "2024-01");
  EXPECT_EQ(m->Id(), "text-embedding-3-small@2024-01");
  auto plain = EmbeddingModelInfo::ParseId("hash-256");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->version, "");
  EXPECT_EQ(plain->Id(), "hash-256");
  EXPECT_FALSE(plain->SameModel(*m));
  EXPECT_FALSE(EmbeddingModelInfo::ParseId("@v1").ok());
}

TEST(Checked, OverflowAndRanges) {
  EXPECT_FALSE(CheckedAdd(UINT64_MAX, 1).has_value());
  EXPECT_EQ(*CheckedAdd(2, 3), 5u);
  EXPECT_FALSE(CheckedMul(1ull << 40, 1ull << 30).has_value());
  EXPECT_TRUE(RangeWithin(0, 10, 10));
  EXPECT_FALSE(RangeWithin(5, 6, 10));
  EXPECT_FALSE(RangeWithin(11, 0, 10));
  EXPECT_FALSE(RangeWithin(1, UINT64_MAX, 10));  // would overflow offset + length
}

TEST(Uuid, FormatAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string s = Uuid::Random().ToString();
    ASSERT_EQ(s.size(), 36u);
    EXPECT_EQ(s[8], '-');
    EXPECT_EQ(s[14], '4');  // version nibble
    EXPECT_TRUE(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 1000u);
  std::set<int64_t> ids;
  for (int i = 0; i < 1000; ++i) {
    int64_t id = RandomPositiveId();
    EXPECT_GT(id, 0);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(Uuid, ForkedProcessesDoNotCollide) {
  // Snapshot ids and file names are drawn in many processes at once: they must not share a stream.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = test_util::ForkChild([&] {
    std::string s = Uuid::Random().ToString();
    ssize_t n = write(fds[1], s.data(), s.size());
    return n == static_cast<ssize_t>(s.size()) ? 0 : 1;
  });
  ASSERT_GE(pid, 0);
  std::string mine = Uuid::Random().ToString();
  char buf[36];
  ASSERT_EQ(read(fds[0], buf, 36), 36);
  test_util::WaitChild(pid);
  EXPECT_NE(std::string(buf, 36), mine);
  close(fds[0]);
  close(fds[1]);
}

TEST(ThreadPool, RunsEverythingAndParallelForCoversRange) {
  ThreadPool pool(3);
  std::atomic<int> count{0};
  for (int i = 0; i < 100; ++i) pool.Submit([&] { count.fetch_add(1); });
  pool.Wait();
  EXPECT_EQ(count.load(), 100);
  std::vector<std::atomic<int>> hits(1001);
  pool.ParallelFor(hits.size(), [&](size_t i) { hits[i].fetch_add(1); });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  pool.ParallelFor(0, [&](size_t) { FAIL(); });
}

// A table search calls ParallelFor with a handful of items many times per query, from several
// threads at once, right after the pool's workers went idle (and spin before sleeping): every
// item runs exactly once, every call returns only after all its items ran, and the pool can be
// destroyed while its workers are still spinning.
TEST(ThreadPool, SmallParallelForsFromManyThreadsEachRunEveryItemOnce) {
  for (size_t threads : {1u, 2u, 3u}) {
    auto pool = std::make_unique<ThreadPool>(threads);
    std::atomic<int64_t> total{0};
    std::vector<std::thread> callers;
    std::atomic<int> wrong{0};
    for (int c = 0; c < 3; ++c) {
      callers.emplace_back([&, c] {
        for (int round = 0; round < 400; ++round) {
          const size_t n = static_cast<size_t>((round + c) % 4);  // 0..3 items
          std::vector<int> seen(n, 0);
          pool->ParallelFor(n, [&](size_t i) { seen[i] += 1; });
          for (int v : seen) {
            if (v != 1) wrong.fetch_add(1);  // read after the call returned: it must be complete
          }
          total.fetch_add(static_cast<int64_t>(n));
        }
      });
    }
    for (auto& t : callers) t.join();
    EXPECT_EQ(wrong.load(), 0) << threads;
    EXPECT_EQ(total.load(), 3 * 100 * (0 + 1 + 2 + 3)) << threads;
    pool->Submit([] {});
    pool.reset();  // a worker that just ran a task is spinning: joining must still finish
  }
}

TEST(Io, LocalFilesRoundTripAndRangeErrors) {
  test_util::TempDir tmp("io");
  const std::filesystem::path& dir = tmp.path();
  std::string path = (dir / "f.bin").string();
  std::vector<uint8_t> data(3 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  {
    auto w = OpenLocalWritable(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(data.data(), 10).ok());
    ASSERT_TRUE((*w)->Append(data.data() + 10, data.size() - 10).ok());
    EXPECT_EQ((*w)->Tell(), data.size());
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto r = OpenLocalReadable(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*(*r)->Size(), data.size());
  auto mid = (*r)->ReadRange(1000, 5000);
  ASSERT_TRUE(mid.ok());
  EXPECT_TRUE(std::equal(mid->begin(), mid->end(), data.begin() + 1000));
  auto past = (*r)->ReadRange(data.size() - 2, 10);
  EXPECT_EQ(past.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(past.status().message().find(path), std::string::npos);
  EXPECT_EQ(OpenLocalReadable((dir / "missing").string()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(OpenLocalReadable(dir.string()).status().code(), StatusCode::kInvalidArgument);
  auto capped = ReadFileToBytes(path, 100);
  EXPECT_EQ(capped.status().code(), StatusCode::kResourceExhausted);

  auto buf = MakeBufferReadable({1, 2, 3}, "mem");
  EXPECT_FALSE(buf->ReadRange(2, 2).ok());
  EXPECT_TRUE(buf->ReadRange(0, 3).ok());
}

}  // namespace
}  // namespace ailake
