// Tests for the local store: round trips, ranges, listing, key confinement (every escape form,
// symlinks included), atomic visibility, create-if-absent raced by processes, crash safety.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/uuid.h"
#include "store/store_conformance.h"
#include "store/local_store.h"
#include "testing/temp_dir.h"

namespace ailake {
namespace {

namespace fs = std::filesystem;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = LocalStore::Open((base_ / "wh").string());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = *st;
  }
  std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

  test_util::TempDir tmp_{"store"};
  const fs::path base_ = tmp_.path();
  std::shared_ptr<LocalStore> store_;
};

TEST_F(LocalStoreTest, RoundTrip) {
  ASSERT_TRUE(store_->Put("a/b/c.txt", std::string_view("hello")).ok());
  EXPECT_EQ(*store_->GetString("a/b/c.txt"), "hello");
  EXPECT_EQ(*store_->Size("a/b/c.txt"), 5u);
  EXPECT_TRUE(*store_->Exists("a/b/c.txt"));
  EXPECT_FALSE(*store_->Exists("a/b/none"));
  EXPECT_FALSE(*store_->Exists("zz/none"));
  // Overwrite replaces.
  ASSERT_TRUE(store_->Put("a/b/c.txt", std::string_view("bye")).ok());
  EXPECT_EQ(*store_->GetString("a/b/c.txt"), "bye");
  // Empty objects are objects.
  ASSERT_TRUE(store_->Put("empty", std::string_view("")).ok());
  EXPECT_EQ(store_->Get("empty")->size(), 0u);
  // Missing keys.
  auto missing = store_->Get("a/none");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("a/none"), std::string::npos);
  EXPECT_EQ(store_->Size("q/r").status().code(), StatusCode::kNotFound);
  // Size cap on whole-object reads.
  auto capped = store_->Get("a/b/c.txt", 2);
  EXPECT_EQ(capped.status().code(), StatusCode::kResourceExhausted);
  // A folder is not an object.
  EXPECT_EQ(store_->Get("a/b").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->Put("a/b", std::string_view("x")).ok());
  // Delete is idempotent.
  ASSERT_TRUE(store_->Delete("a/b/c.txt").ok());
  EXPECT_FALSE(*store_->Exists("a/b/c.txt"));
  EXPECT_TRUE(store_->Delete("a/b/c.txt").ok());
  EXPECT_TRUE(store_->Delete("nope/nope").ok());
  // The file really sits under the root.
  ASSERT_TRUE(store_->Put("x/y", std::string_view("z")).ok());
  EXPECT_TRUE(fs::is_regular_file(base_ / "wh" / "x" / "y"));
  EXPECT_EQ(store_->PathOf("x/y"), (base_ / "wh" / "x" / "y").string());
}

// The contract every Store keeps (s3_store_test runs the same checks on S3).
TEST_F(LocalStoreTest, ConformsToTheStoreContract) { test_util::CheckStoreConformance(*store_); }

TEST_F(LocalStoreTest, Ranges) {
  std::vector<uint8_t> data(10000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(store_->Put("r/obj", data).ok());
  auto part = store_->GetRange("r/obj", 100, 50);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(*part, std::vector<uint8_t>(data.begin() + 100, data.begin() + 150));
  EXPECT_EQ(store_->GetRange("r/obj", 9990, 10)->size(), 10u);
  EXPECT_EQ(store_->GetRange("r/obj", 10000, 0)->size(), 0u);
  EXPECT_EQ(store_->GetRange("r/obj", 9990, 11).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(store_->GetRange("r/obj", UINT64_MAX, 2).status().code(), StatusCode::kOutOfRange);
  auto file = store_->OpenReadable("r/obj");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*(*file)->Size(), 10000u);
  std::vector<uint8_t> buf(3);
  ASSERT_TRUE((*file)->ReadAt(5000, 3, buf.data()).ok());
  EXPECT_EQ(buf, std::vector<uint8_t>(data.begin() + 5000, data.begin() + 5003));
  EXPECT_EQ((*file)->ReadAt(9999, 2, buf.data()).code(), StatusCode::kOutOfRange);
  EXPECT_EQ((*file)->ReadAt(UINT64_MAX - 1, 2, buf.data()).code(), StatusCode::kOutOfRange);
}

TEST_F(LocalStoreTest, Listing) {
  for (const char* k : {"t/metadata/v1.metadata.json", "t/metadata/v2.metadata.json", "t/metadata/version-hint.text",
                        "t/data/a.parquet", "t/data/sub/b.parquet", "u/x", "top"}) {
    ASSERT_TRUE(store_->Put(k, std::string_view(k)).ok()) << k;
  }
  auto keys = [&](const std::string& prefix) {
    std::vector<std::string> out;
    auto list = store_->List(prefix);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      for (const auto& o : *list) out.push_back(o.key);
    }
    return out;
  };
  EXPECT_EQ(keys("t/metadata/v"), (std::vector<std::string>{"t/metadata/v1.metadata.json", "t/metadata/v2.metadata.json",
                                                            "t/metadata/version-hint.text"}));
  EXPECT_EQ(keys("t/data/"), (std::vector<std::string>{"t/data/a.parquet", "t/data/sub/b.parquet"}));
  EXPECT_EQ(keys("t/da"), (std::vector<std::string>{"t/data/a.parquet", "t/data/sub/b.parquet"}));
  EXPECT_EQ(keys("").size(), 7u);
  EXPECT_EQ(keys("t").size(), keys("t/").size() + 1);  // plain string prefix: "t" also matches "top"
  EXPECT_EQ(keys("nothing/here/"), std::vector<std::string>{});
  EXPECT_EQ(keys("to"), std::vector<std::string>{"top"});
  auto list = store_->List("u/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].size, 3u);
  // An in-flight writer's temp file is never listed.
  auto w = store_->OpenWritable("u/pending");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(Bytes("partial")).ok());
  EXPECT_EQ(keys("u/"), std::vector<std::string>{"u/x"});
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(keys("u/"), (std::vector<std::string>{"u/pending", "u/x"}));
  EXPECT_EQ(store_->List("../").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List("/etc").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalStoreTest, ConfinementRefusesEveryEscapeForm) {
  fs::create_directories(base_ / "outside");
  std::ofstream(base_ / "outside" / "secret") << "top secret";
  const std::string nul_key("a\0b", 3);
  for (const std::string& key : {std::string("/etc/passwd"), std::string("../outside/secret"),
                                 std::string("a/../../outside/secret"), std::string("a/.."), std::string("./a"),
                                 std::string("a/./b"), std::string("a//b"), std::string(""), std::string("a/"),
                                 nul_key, std::string(".ailake-tmp-123"), std::string("d/.ailake-tmp-x"),
                                 std::string(2000, 'k')}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(store_->Get(key).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->Put(key, std::string_view("x")).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->PutIfAbsent(key, std::string_view("x")).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->Delete(key).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->Size(key).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->OpenWritable(key).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->OpenReadable(key).status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_NE(store_->Get("a/../b").status().message().find("'..'"), std::string::npos);

  // A folder symlink pointing out of the root.
  fs::create_directory_symlink(base_ / "outside", base_ / "wh" / "link");
  auto got = store_->Get("link/secret");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("symbolic link"), std::string::npos) << got.status().ToString();
  EXPECT_EQ(store_->Put("link/new", std::string_view("x")).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(base_ / "outside" / "new"));
  EXPECT_EQ(store_->Put("link/deeper/new", std::string_view("x")).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(base_ / "outside" / "deeper"));
  EXPECT_EQ(store_->Size("link/secret").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Exists("link/secret").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Delete("link/secret").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::exists(base_ / "outside" / "secret"));
  EXPECT_EQ(store_->List("link/").status().code(), StatusCode::kInvalidArgument);
  // A file symlink pointing out of the root.
  fs::create_symlink(base_ / "outside" / "secret", base_ / "wh" / "fileln");
  EXPECT_EQ(store_->Get("fileln").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetRange("fileln", 0, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Size("fileln").status().code(), StatusCode::kInvalidArgument);
  // A nested folder symlink (deeper in the tree) pointing at the root's parent.
  fs::create_directories(base_ / "wh" / "d1");
  fs::create_directory_symlink(base_, base_ / "wh" / "d1" / "up");
  EXPECT_EQ(store_->Get("d1/up/outside/secret").status().code(), StatusCode::kInvalidArgument);
  // Listing neither shows nor follows links.
  auto all = store_->List("");
  ASSERT_TRUE(all.ok());
  for (const auto& o : *all) ADD_FAILURE() << "unexpected key listed: " << o.key;
}

TEST_F(LocalStoreTest, ReadersNeverSeeAPartialObject) {
  const size_t kSmall = 2 << 20, kBig = 3 << 20;
  std::vector<uint8_t> a(kSmall, 'A'), b(kBig, 'B');
  ASSERT_TRUE(store_->Put("atomic/obj", a).ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto got = store_->Get("atomic/obj");
      if (!got.ok()) {
        ++bad;
        continue;
      }
      ++reads;
      const auto& v = *got;
      bool ok = (v.size() == kSmall && v.front() == 'A' && v.back() == 'A') ||
                (v.size() == kBig && v.front() == 'B' && v.back() == 'B');
      for (size_t i = 0; ok && i < v.size(); i += 4096) ok = v[i] == v.front();
      if (!ok) ++bad;
    }
  });
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(store_->Put("atomic/obj", i % 2 ? a : b).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

TEST_F(LocalStoreTest, PutIfAbsentRacedByProcessesHasExactlyOneWinner) {
  constexpr int kRounds = 50, kProcs = 5;
  const std::string root = store_->root();
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "race/v" + std::to_string(round) + ".metadata.json";
    int gate[2];
    ASSERT_EQ(::pipe(gate), 0);
    std::vector<pid_t> pids;
    for (int p = 0; p < kProcs; ++p) {
      pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        ::close(gate[1]);
        char c;
        (void)::read(gate[0], &c, 1);  // released when the parent closes the write end
        auto s = LocalStore::Open(root, false);
        if (!s.ok()) ::_exit(3);
        Status st = (*s)->PutIfAbsent(key, "writer-" + std::to_string(p));
        ::_exit(st.ok() ? 0 : st.Is(StatusCode::kAlreadyExists) ? 1 : 2);
      }
      pids.push_back(pid);
    }
    ::close(gate[0]);
    ::close(gate[1]);
    int winners = 0, losers = 0, winner = -1;
    for (int p = 0; p < kProcs; ++p) {
      int status = 0;
      ASSERT_EQ(::waitpid(pids[p], &status, 0), pids[p]);
      ASSERT_TRUE(WIFEXITED(status));
      int code = WEXITSTATUS(status);
      if (code == 0) {
        ++winners;
        winner = p;
      } else if (code == 1) {
        ++losers;
      } else {
        ADD_FAILURE() << "round " << round << " process " << p << " failed with exit code " << code;
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    ASSERT_EQ(losers, kProcs - 1) << "round " << round;
    EXPECT_EQ(*store_->GetString(key), "writer-" + std::to_string(winner));
  }
  // No temp files were left behind by the losers.
  for (const auto& e : fs::directory_iterator(base_ / "wh" / "race")) {
    EXPECT_EQ(e.path().filename().string().rfind(".ailake-tmp-", 0), std::string::npos) << e.path();
  }
  auto again = store_->PutIfAbsent("race/v0.metadata.json", std::string_view("late"));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("race/v0.metadata.json"), std::string::npos);
}

TEST_F(LocalStoreTest, UnclosedWriterLeavesNothingVisible) {
  // In process: destroyed before Close.
  {
    auto w = store_->OpenWritable("crash/in-process");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(std::vector<uint8_t>(3 << 20, 'x')).ok());
  }
  EXPECT_FALSE(*store_->Exists("crash/in-process"));
  EXPECT_TRUE(fs::is_empty(base_ / "wh" / "crash"));
  // A process that dies mid-write (no destructors run).
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto w = store_->OpenWritable("crash/killed");
    if (!w.ok()) ::_exit(2);
    if (!(*w)->Append(std::vector<uint8_t>(3 << 20, 'y')).ok()) ::_exit(2);
    ::_exit(0);  // simulated crash: never Close()
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(*store_->Exists("crash/killed"));
  auto list = store_->List("crash/");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  // The leftover is only a temp file (garbage, invisible).
  int temps = 0;
  for (const auto& e : fs::directory_iterator(base_ / "wh" / "crash")) {
    EXPECT_EQ(e.path().filename().string().rfind(".ailake-tmp-", 0), 0u) << e.path();
    ++temps;
  }
  EXPECT_EQ(temps, 1);
  // DeleteUnpublished removes exactly the leftover, never a published object or another folder's.
  ASSERT_TRUE(store_->Put("crash/published", std::string_view("keep")).ok());
  ASSERT_TRUE(store_->Put("other/published", std::string_view("keep")).ok());
  auto removed = store_->DeleteUnpublished("crash/");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 1u);
  temps = 0;
  for (const auto& e : fs::directory_iterator(base_ / "wh" / "crash")) {
    if (e.path().filename().string().rfind(".ailake-tmp-", 0) == 0) ++temps;
  }
  EXPECT_EQ(temps, 0);
  EXPECT_EQ(*store_->GetString("crash/published"), "keep");
  EXPECT_EQ(*store_->DeleteUnpublished("absent/"), 0u);
  EXPECT_FALSE(store_->DeleteUnpublished("").ok());
  EXPECT_FALSE(store_->DeleteUnpublished("../x/").ok());
  ASSERT_TRUE(store_->Delete("crash/published").ok());
  // Closed: visible, with every byte.
  auto w = store_->OpenWritable("crash/closed");
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*w)->Append(std::vector<uint8_t>(700000, static_cast<uint8_t>(i))).ok());
  EXPECT_EQ((*w)->Tell(), 3500000u);
  EXPECT_FALSE(*store_->Exists("crash/closed"));
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(*store_->Size("crash/closed"), 3500000u);
  EXPECT_EQ((*store_->GetRange("crash/closed", 2100000, 1))[0], 3);
}

TEST_F(LocalStoreTest, StreamingCreateIfAbsent) {
  auto w1 = store_->OpenWritable("once/obj", PublishMode::kIfAbsent);
  auto w2 = store_->OpenWritable("once/obj", PublishMode::kIfAbsent);
  ASSERT_TRUE(w1.ok() && w2.ok());
  ASSERT_TRUE((*w1)->Append(Bytes("first")).ok());
  ASSERT_TRUE((*w2)->Append(Bytes("second")).ok());
  ASSERT_TRUE((*w2)->Close().ok());
  EXPECT_EQ((*w1)->Close().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->GetString("once/obj"), "second");
  w1->reset();
  auto list = store_->List("once/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
  EXPECT_EQ(std::distance(fs::directory_iterator(base_ / "wh" / "once"), fs::directory_iterator()), 1);
}

TEST(LocalStoreOpen, MissingRootWithoutCreate) {
  auto st = LocalStore::Open("/nonexistent-ailake-root/xyz", false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(LocalStore::Open("", true).ok());
}

}  // namespace
}  // namespace ailake
