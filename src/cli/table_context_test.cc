// Times on the command line (--as-of, --older-than): an instant exact to the millisecond, a date
// meaning its midnight (as Spark's and Iceberg's TIMESTAMP AS OF), and anything malformed refused.
#include "cli/table_context.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_test_util.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

TEST(ParseTimeMs, DatesAreMidnightAndTimesAreExact) {
  EXPECT_EQ(*ParseTimeMs("1700000000123"), 1700000000123);
  EXPECT_EQ(*ParseTimeMs("1970-01-01"), 0);
  EXPECT_EQ(*ParseTimeMs("2026-12-02"), 1796169600000);  // midnight, not the end of the day
  EXPECT_EQ(*ParseTimeMs("2026-12-02T18:38:11"), 1796169600000 + (18 * 3600 + 38 * 60 + 11) * 1000LL);
  EXPECT_EQ(*ParseTimeMs("2026-12-02T18:38:11.2"), 1796169600000 + (18 * 3600 + 38 * 60 + 11) * 1000LL + 200);
  EXPECT_EQ(*ParseTimeMs("2026-12-02 18:38:11.583999Z"), 1796169600000 + (18 * 3600 + 38 * 60 + 11) * 1000LL + 583);
  EXPECT_EQ(*ParseTimeMs("2026-12-02T18:38"), 1796169600000 + (18 * 3600 + 38 * 60) * 1000LL);
  EXPECT_EQ(*ParseTimeMs("2026-12-02T20:38:11+02:00"), *ParseTimeMs("2026-12-02T18:38:11Z"));
  EXPECT_EQ(*ParseTimeMs("2026-12-02T00:30:00-01:00"), *ParseTimeMs("2026-12-02T01:30:00"));
  EXPECT_EQ(*ParseTimeMs("1969-12-31T23:59:59.999"), -1);
  EXPECT_EQ(*ParseTimeMs("2024-02-29"), *ParseTimeMs("2024-03-01") - 86400000);
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2025-02-29", "2026-12-02T24:00:00",
                          "2026-12-02T18:60", "2026-12-02junk", "2026-12-02T18:38:11 junk", "2026-12-02T18:38:11.",
                          "2026-1-2", "2026-12-02T18", "2026-12-02T18:38:11+2"}) {
    auto r = ParseTimeMs(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' gave " << (r.ok() ? *r : 0);
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("YYYY-MM-DD"), std::string::npos) << r.status().message();
    }
  }
}

// End to end: --as-of at a snapshot's own millisecond sees it, one millisecond earlier does not.
TEST(ParseTimeMs, AsOfSelectsTheSnapshotOfThatMillisecond) {
  test_util::TempDir scratch("asof");
  const std::filesystem::path& dir = scratch.path();
  const std::string wh = (dir / "wh").string();
  auto cli = [&](std::vector<std::string> args) {
    auto r = testing::RunCli(std::move(args), wh);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  };
  cli({"create", "t", "--dim", "4", "--model", "hash-4@seed0"});
  std::ofstream(dir / "a.jsonl") << "{\"id\":\"a\",\"chunk_text\":\"one\"}\n";
  std::ofstream(dir / "b.jsonl") << "{\"id\":\"b\",\"chunk_text\":\"two\"}\n";
  cli({"insert", "t", (dir / "a.jsonl").string(), "--embedder", "hash:dim=4", "--quiet"});
  cli({"insert", "t", (dir / "b.jsonl").string(), "--embedder", "hash:dim=4", "--quiet"});
  const auto history = nlohmann::json::parse(cli({"history", "t", "--format", "json"}));
  ASSERT_EQ(history.size(), 2u);
  const int64_t second_ms = history[1]["timestamp_ms"];
  auto iso = [](int64_t ms) {
    const time_t secs = static_cast<time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return std::string(buf);
  };
  auto snapshot_at = [&](int64_t ms) {
    const auto r = nlohmann::json::parse(cli({"search", "t", "--text", "one", "--embedder", "hash:dim=4", "--as-of",
                                              iso(ms), "--format", "json"}));
    return r["snapshot_id"].get<int64_t>();
  };
  EXPECT_EQ(snapshot_at(second_ms), history[1]["snapshot_id"].get<int64_t>());
  if (second_ms - 1 >= history[0]["timestamp_ms"].get<int64_t>()) {
    EXPECT_EQ(snapshot_at(second_ms - 1), history[0]["snapshot_id"].get<int64_t>());
  }
}

}  // namespace
}  // namespace ailake::cli
