// EmbedCallStats: the counters, histogram quantiles, merging, the persisted JSON (untrusted when
// read back) and the redaction of persisted error messages.
#include "migrate/embed_stats.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "migrate/migration_spec.h"
#include "migrate/task_record.h"

namespace ailake::migrate {
namespace {

TEST(EmbedStats, CountsMeanAndQuantiles) {
  EmbedCallStats s;
  EXPECT_EQ(s.QuantileMs(0.95), 0.0);
  EXPECT_EQ(s.mean_ms(), 0.0);
  // 100 calls: 90 at 3 ms (bucket (2, 5]), 10 at 150 ms (bucket (100, 200]).
  for (int i = 0; i < 90; ++i) s.AddCall(3.0, 8, false, 0);
  for (int i = 0; i < 10; ++i) s.AddCall(150.0, 8, i == 0, 2);
  EXPECT_EQ(s.calls, 100);
  EXPECT_EQ(s.texts, 800);
  EXPECT_EQ(s.failed_calls, 1);
  EXPECT_EQ(s.retries, 20);
  EXPECT_EQ(s.errors(), 21);
  EXPECT_DOUBLE_EQ(s.mean_ms(), (90 * 3.0 + 10 * 150.0) / 100);
  EXPECT_DOUBLE_EQ(s.latency_max_ms, 150.0);
  // p50 lies in (2, 5], p95 in (100, 200] but never above the largest latency seen.
  EXPECT_GT(s.QuantileMs(0.5), 2.0);
  EXPECT_LE(s.QuantileMs(0.5), 5.0);
  EXPECT_GT(s.QuantileMs(0.95), 100.0);
  EXPECT_LE(s.QuantileMs(0.95), 150.0);
  EXPECT_DOUBLE_EQ(s.QuantileMs(1.0), 150.0);
  // Above the last bound: the "more" bucket reaches up to the max.
  EmbedCallStats slow;
  slow.AddCall(90000.0, 1, false, 0);
  EXPECT_DOUBLE_EQ(slow.QuantileMs(0.95), 90000.0 * 1.0 - (90000.0 - 60000.0) * 0.05);
}

TEST(EmbedStats, MergeKeepsTheNewestError) {
  EmbedCallStats a, b;
  a.AddCall(1.0, 2, true, 0);
  a.SetError("first failure", 1000);
  b.AddCall(7.0, 3, false, 1);
  b.SetError("second failure", 2000);
  EmbedCallStats m = a;
  m.Merge(b);
  EXPECT_EQ(m.calls, 2);
  EXPECT_EQ(m.texts, 5);
  EXPECT_EQ(m.errors(), 2);
  EXPECT_EQ(m.last_error, "second failure");
  EXPECT_EQ(m.last_error_ms, 2000);
  EmbedCallStats m2 = b;
  m2.Merge(a);  // an older error never replaces a newer one
  EXPECT_EQ(m2.last_error, "second failure");
  EXPECT_DOUBLE_EQ(m2.latency_max_ms, 7.0);
}

TEST(EmbedStats, SinkIsThreadSafe) {
  EmbedStatsSink sink;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&sink, t] {
      for (int i = 0; i < 1000; ++i) sink.AddCall(0.5 * t, 2, i % 100 == 0, 0, i % 100 == 0 ? "boom" : "", i);
    });
  }
  for (auto& th : threads) th.join();
  EmbedCallStats s = sink.Take();
  EXPECT_EQ(s.calls, 4000);
  EXPECT_EQ(s.texts, 8000);
  EXPECT_EQ(s.failed_calls, 40);
  EXPECT_EQ(s.last_error, "boom");
  EXPECT_EQ(sink.Snapshot().calls, 0);  // Take left it empty
}

TEST(EmbedStats, JsonRoundTripAndCorruption) {
  EmbedCallStats s;
  s.AddCall(12.5, 4, false, 1);
  s.AddCall(0.25, 4, true, 0);
  s.SetError("HTTP 500", 42);
  auto back = EmbedCallStats::FromJson(s.ToJson(), "rec");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), s.ToJson());
  EXPECT_DOUBLE_EQ(back->latency_sum_ms, 12.75);  // kept in whole microseconds
  EXPECT_DOUBLE_EQ(back->QuantileMs(0.95), s.QuantileMs(0.95));
  // A month of summed latency still round-trips (the persisted numbers are integers).
  EmbedCallStats big;
  for (int i = 0; i < 1000; ++i) big.AddCall(3.0e6, 1, false, 0);
  auto big_back = EmbedCallStats::FromJson(big.ToJson(), "rec");
  ASSERT_TRUE(big_back.ok()) << big_back.status().ToString();
  EXPECT_DOUBLE_EQ(big_back->latency_sum_ms, 3.0e9);

  auto broken = [&](auto edit) {
    nlohmann::json j = s.ToJson();
    edit(j);
    return EmbedCallStats::FromJson(j, "rec").status();
  };
  EXPECT_EQ(broken([](nlohmann::json& j) { j["calls"] = -1; }).code(), StatusCode::kCorruption);
  EXPECT_EQ(broken([](nlohmann::json& j) { j["calls"] = 3; }).code(), StatusCode::kCorruption);  // != histogram total
  EXPECT_EQ(broken([](nlohmann::json& j) { j["failed_calls"] = 5; }).code(), StatusCode::kCorruption);
  EXPECT_EQ(broken([](nlohmann::json& j) { j["latency_buckets"] = {1, 1}; }).code(), StatusCode::kCorruption);
  EXPECT_EQ(broken([](nlohmann::json& j) { j["latency_sum_us"] = -3; }).code(), StatusCode::kCorruption);
  EXPECT_EQ(broken([](nlohmann::json& j) { j["latency_max_us"] = 1.5; }).code(), StatusCode::kCorruption);
  EXPECT_EQ(broken([](nlohmann::json& j) { j["last_error"] = 7; }).code(), StatusCode::kCorruption);
  EXPECT_EQ(broken([](nlohmann::json& j) { j.erase("retries"); }).code(), StatusCode::kCorruption);
  EXPECT_EQ(EmbedCallStats::FromJson(nlohmann::json::array(), "rec").status().code(), StatusCode::kCorruption);
}

TEST(EmbedStats, PersistedErrorsAreRedactedAndBounded) {
  EmbedCallStats s;
  s.SetError("POST https://alice:hunter22@embed.example.com/v1/embeddings?api_key=abcd1234&x=1 failed\n", 5);
  EXPECT_EQ(s.last_error.find("hunter22"), std::string::npos) << s.last_error;
  EXPECT_EQ(s.last_error.find("abcd1234"), std::string::npos) << s.last_error;
  EXPECT_NE(s.last_error.find("embed.example.com"), std::string::npos) << s.last_error;
  EXPECT_EQ(s.last_error.find('\n'), std::string::npos);
  s.SetError(std::string(5000, 'x'), 6);
  EXPECT_LE(s.last_error.size(), 303u);
}

// The fuzz corpus seeds (fuzz/corpus/metadata/*_embed_stats.json) are valid documents: the metadata
// fuzzer starts from records that carry statistics.
TEST(EmbedStats, RecordsAndJobDocumentsCarryThem) {
  auto read = [](const std::string& name) {
    std::ifstream in(std::string(AILAKE_SOURCE_DIR) + "/fuzz/corpus/metadata/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto rec = TaskRecord::FromJson(read("task_embed_stats.json"), "task_embed_stats.json");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->embed.calls, 3);
  EXPECT_EQ(rec->embed.errors(), 3);
  auto again = TaskRecord::FromJson(rec->ToJson(), "again");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->embed.ToJson(), rec->embed.ToJson());
  auto plain = TaskRecord::FromJson(read("task.json"), "task.json");  // written before: none
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->embed.empty());
  auto doc = MigrationJobDoc::FromJson(read("job_embed_stats.json"), "job_embed_stats.json");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->unrecorded_embed.failed_calls, 1);
  EXPECT_NE(doc->unrecorded_embed.last_error.find("HTTP 500"), std::string::npos);
  auto doc_again = MigrationJobDoc::FromJson(doc->ToJson(), "again");
  ASSERT_TRUE(doc_again.ok()) << doc_again.status().ToString();
  EXPECT_EQ(doc_again->unrecorded_embed.ToJson(), doc->unrecorded_embed.ToJson());
}

}  // namespace
}  // namespace ailake::migrate
