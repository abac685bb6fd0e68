// The S3 store against a real S3 server (moto, started by the test on loopback), with a
// fault-injecting proxy in front of it for the retry tests; plus SigV4 against AWS's published
// vectors, configuration precedence, and the XML reader on hostile input.
#include "store/s3_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "testing/fork_child.h"
#include "core/uuid.h"
#include "store/moto_test_server.h"
#include "store/s3_fault_proxy.h"
#include "store/s3_xml.h"
#include "store/sigv4.h"
#include "store/store_conformance.h"
#include "store/store_uri.h"

namespace ailake {
namespace {

using test_util::Fault;
using test_util::FaultProxy;
using test_util::MotoServer;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    v[i] = static_cast<uint8_t>(x >> 24);
  }
  return v;
}

class S3StoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto m = MotoServer::Start();
    if (m.ok()) {
      moto_ = std::move(*m).release();
    } else {
      start_error_ = new std::string(m.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    // A missing moto is a failure that says what to install, never a skip.
    ASSERT_NE(moto_, nullptr) << *start_error_;
    bucket_ = "ailake-" + Uuid::Random().ToString().substr(0, 13);
    ASSERT_TRUE(moto_->CreateBucket(bucket_).ok());
    proxy_ = std::make_unique<FaultProxy>(moto_->port());
    ASSERT_TRUE(proxy_->ok());
  }
  // A store on moto directly, or through the fault proxy.
  std::shared_ptr<S3Store> Open(const std::string& prefix, S3Options o, bool via_proxy = false) {
    const S3Options base = MotoServer::OptionsFor(via_proxy ? proxy_->port() : moto_->port());
    o.endpoint = base.endpoint;
    o.access_key_id = base.access_key_id;
    o.secret_access_key = base.secret_access_key;
    o.region = base.region;
    auto s = S3Store::Open("s3://" + bucket_ + (prefix.empty() ? "" : "/" + prefix), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : nullptr;
  }
  std::shared_ptr<S3Store> Open(const std::string& prefix = "wh") { return Open(prefix, moto_->Options()); }
  std::shared_ptr<S3Store> OpenProxied(S3Options o = MotoServer::OptionsFor(0)) { return Open("wh", o, true); }

  static MotoServer* moto_;
  static std::string* start_error_;
  std::string bucket_;
  std::unique_ptr<FaultProxy> proxy_;
};
MotoServer* S3StoreTest::moto_ = nullptr;
std::string* S3StoreTest::start_error_ = nullptr;

TEST_F(S3StoreTest, ConformsToTheStoreContract) {
  auto store = Open("warehouse/one");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Describe(), "s3://" + bucket_ + "/warehouse/one");
  test_util::CheckStoreConformance(*store);
  // Keys live under the prefix: the bucket root sees them with it, and a sibling prefix does not.
  auto root = Open("");
  ASSERT_TRUE(root);
  EXPECT_TRUE(*root->Exists("warehouse/one/r/obj"));
  auto sibling = Open("warehouse/two");
  EXPECT_TRUE(sibling->List("")->empty());
  EXPECT_EQ(*root->GetString("warehouse/one/once"), "first");
}

TEST_F(S3StoreTest, ConformsAtTheBucketRoot) {
  auto store = Open("");
  ASSERT_TRUE(store);
  test_util::CheckStoreConformance(*store);
}

TEST_F(S3StoreTest, MultipartUploadsAboveTheThreshold) {
  S3Options o = MotoServer::OptionsFor(0);
  o.multipart_threshold = 5 << 20;
  o.part_size = 5 << 20;
  auto store = OpenProxied(o);
  ASSERT_TRUE(store);
  const auto data = Pattern((12 << 20) + 123, 1);
  {
    auto w = store->OpenWritable("big/file.parquet");
    ASSERT_TRUE(w.ok());
    for (size_t off = 0; off < data.size(); off += 1 << 20) {
      ASSERT_TRUE((*w)->Append(data.data() + off, std::min<size_t>(1 << 20, data.size() - off)).ok());
    }
    EXPECT_FALSE(*store->Exists("big/file.parquet"));  // parts are uploaded, nothing published
    proxy_->ResetCounts();
    ASSERT_TRUE((*w)->Close().ok());
  }
  EXPECT_EQ(proxy_->Count("POST"), 1);  // CompleteMultipartUpload
  EXPECT_EQ(proxy_->Count("PUT"), 1);   // the last part; two were uploaded while appending
  EXPECT_EQ(*store->Size("big/file.parquet"), data.size());
  EXPECT_EQ(*store->Get("big/file.parquet"), data);
  auto mid = store->GetRange("big/file.parquet", (5 << 20) - 10, 20);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(*mid, std::vector<uint8_t>(data.begin() + (5 << 20) - 10, data.begin() + (5 << 20) + 10));

  // Create-if-absent through CompleteMultipartUpload; Put of a large object goes multipart too.
  const auto other = Pattern((6 << 20), 2);
  EXPECT_EQ(store->PutIfAbsent("big/file.parquet", other).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store->Size("big/file.parquet"), data.size());
  ASSERT_TRUE(store->PutIfAbsent("big/other", other).ok());
  EXPECT_EQ(*store->Get("big/other"), other);
  EXPECT_EQ(*store->DeleteUnpublished("big/"), 0u);  // the losing upload was aborted

  // A writer destroyed before Close aborts its upload.
  {
    auto w = store->OpenWritable("big/abandoned");
    ASSERT_TRUE((*w)->Append(other).ok());
  }
  EXPECT_FALSE(*store->Exists("big/abandoned"));
  EXPECT_EQ(*store->DeleteUnpublished("big/"), 0u);
  // A process that dies mid-upload leaves an unfinished upload, invisible, which DeleteUnpublished
  // of its folder (and only of its folder) aborts.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto child = S3Store::Open("s3://" + bucket_ + "/wh", [&] {
      S3Options co = o;
      co.endpoint = moto_->endpoint();
      co.access_key_id = MotoServer::kAccessKey;
      co.secret_access_key = MotoServer::kSecretKey;
      return co;
    }());
    if (!child.ok()) _exit(2);
    auto w = (*child)->OpenWritable("big/crashed");
    if (!w.ok() || !(*w)->Append(other).ok()) _exit(3);
    _exit(0);  // no destructor runs: the upload stays open
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(*store->Exists("big/crashed"));
  EXPECT_EQ(*store->DeleteUnpublished("other/"), 0u);
  EXPECT_EQ(*store->DeleteUnpublished("big/"), 1u);
  EXPECT_EQ(*store->DeleteUnpublished("big/"), 0u);
}

TEST_F(S3StoreTest, SmallReadsShareOneReadAheadBlock) {
  S3Options o = MotoServer::OptionsFor(0);
  o.read_ahead_bytes = 64 << 10;
  auto store = OpenProxied(o);
  const auto data = Pattern(1 << 20, 3);
  ASSERT_TRUE(store->Put("f", data).ok());
  proxy_->ResetCounts();
  auto f = store->OpenReadable("f");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(proxy_->Count("HEAD"), 1);
  // A footer-style read: the last 8 bytes, then the metadata before them, then more of the tail.
  for (uint64_t off : {data.size() - 8, data.size() - 4000, data.size() - 60000}) {
    auto b = (*f)->ReadRange(off, 100 > data.size() - off ? data.size() - off : 100);
    ASSERT_TRUE(b.ok());
    EXPECT_TRUE(std::equal(b->begin(), b->end(), data.begin() + static_cast<long>(off)));
  }
  EXPECT_EQ(proxy_->Count("GET"), 1);
  for (uint64_t off = 1000; off < 60000; off += 997) {
    auto b = (*f)->ReadRange(off, 50);
    ASSERT_TRUE(b.ok());
    EXPECT_TRUE(std::equal(b->begin(), b->end(), data.begin() + static_cast<long>(off)));
  }
  EXPECT_EQ(proxy_->Count("GET"), 2);
  // Large reads go straight through.
  auto big = (*f)->ReadRange(100000, 200000);
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(std::equal(big->begin(), big->end(), data.begin() + 100000));
  EXPECT_EQ(proxy_->Count("GET"), 3);
  EXPECT_EQ(proxy_->Count("HEAD"), 1);  // the size is cached
}

TEST_F(S3StoreTest, PutIfAbsentHasExactlyOneWinnerAcrossThreadsAndProcesses) {
  auto store = Open();
  for (int round = 0; round < 3; ++round) {
    const std::string key = "claims/t" + std::to_string(round);
    std::atomic<int> wins{0}, losses{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        Status st = store->PutIfAbsent(key, "thread " + std::to_string(t));
        if (st.ok()) ++wins;
        if (st.code() == StatusCode::kAlreadyExists) ++losses;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(losses.load(), 7);
  }
  const int kProcs = 6;
  test_util::Racers racers(kProcs);
  ASSERT_TRUE(racers.ok());
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      racers.EnterChild(p);
      auto s = S3Store::Open("s3://" + bucket_ + "/wh", moto_->Options());
      if (!s.ok()) _exit(10);
      if (!racers.ArriveAndWait(p)) _exit(9);
      Status st = (*s)->PutIfAbsent("claims/proc", "process " + std::to_string(p));
      _exit(st.ok() ? 0 : st.code() == StatusCode::kAlreadyExists ? 1 : 12);
    }
    pids.push_back(pid);
  }
  EXPECT_TRUE(racers.ReleaseWhenAllArrived());
  int winners = 0, winner = -1;
  for (int p = 0; p < kProcs; ++p) {
    int status = 0;
    ASSERT_EQ(waitpid(pids[static_cast<size_t>(p)], &status, 0), pids[static_cast<size_t>(p)]);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_LE(WEXITSTATUS(status), 1);
    if (WEXITSTATUS(status) == 0) {
      ++winners;
      winner = p;
    }
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(*store->GetString("claims/proc"), "process " + std::to_string(winner));
}

TEST_F(S3StoreTest, ListingPagesThroughContinuationTokens) {
  S3Options o = MotoServer::OptionsFor(0);
  o.list_page_size = 7;
  auto store = OpenProxied(o);
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i) {
    std::string k = "t/data/f" + std::to_string(1000 + i) + (i % 3 == 0 ? " odd name+&.parquet" : ".parquet");
    ASSERT_TRUE(store->Put(k, std::string(static_cast<size_t>(i), 'x')).ok());
    expected.push_back(k);
  }
  ASSERT_TRUE(store->Put("t/other", std::string_view("y")).ok());
  std::sort(expected.begin(), expected.end());
  proxy_->ResetCounts();
  auto l = store->List("t/data/");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(proxy_->Count("GET"), 5);  // ceil(30 / 7)
  ASSERT_EQ(l->size(), 30u);
  for (size_t i = 0; i < l->size(); ++i) {
    EXPECT_EQ((*l)[i].key, expected[i]);
    EXPECT_EQ(*store->Size((*l)[i].key), (*l)[i].size);
  }
}

TEST_F(S3StoreTest, TransientFailuresAreRetried) {
  auto store = OpenProxied();
  proxy_->Script({Fault::k500, Fault::k503SlowDown, Fault::kReset});
  ASSERT_TRUE(store->Put("k", std::string_view("value")).ok());
  EXPECT_EQ(proxy_->Count("PUT"), 4);
  proxy_->Script({Fault::kReset, Fault::k503SlowDown});
  auto g = store->GetString("k");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(*g, "value");
  proxy_->Script({Fault::k500});
  EXPECT_EQ(store->List("")->size(), 1u);
  proxy_->Script({Fault::k503SlowDown, Fault::k503SlowDown});
  EXPECT_TRUE(*store->Exists("k"));
  proxy_->Script({Fault::kReset});
  EXPECT_TRUE(store->Delete("k").ok());
  EXPECT_FALSE(*store->Exists("k"));
}

TEST_F(S3StoreTest, ClientErrorsAreNotRetried) {
  auto store = OpenProxied();
  ASSERT_TRUE(store->Put("k", std::string_view("value")).ok());
  proxy_->ResetCounts();
  proxy_->Script({Fault::k403});
  auto g = store->Get("k");
  EXPECT_EQ(g.status().code(), StatusCode::kIOError);
  EXPECT_EQ(proxy_->Count("GET"), 1);
  const std::string msg = g.status().message();
  EXPECT_NE(msg.find("s3://" + bucket_ + "/wh/k"), std::string::npos) << msg;
  EXPECT_NE(msg.find("access denied"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(MotoServer::kSecretKey), std::string::npos) << msg;
  // 412 and 404 are answers, not failures: one request each.
  proxy_->ResetCounts();
  EXPECT_EQ(store->PutIfAbsent("k", std::string_view("x")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store->Get("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(proxy_->Count(), 2);
}

TEST_F(S3StoreTest, AWriteThatKeepsFailingFailsCleanly) {
  S3Options o = MotoServer::OptionsFor(0);
  o.max_attempts = 3;
  o.multipart_threshold = 5 << 20;
  o.part_size = 5 << 20;
  auto store = OpenProxied(o);
  auto direct = Open();
  proxy_->Always(Fault::k503SlowDown, "PUT");
  Status st = store->Put("dir/k", std::string_view("value"));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("s3://" + bucket_ + "/wh/dir/k"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("3 attempts"), std::string::npos) << st.ToString();
  EXPECT_EQ(proxy_->Count("PUT"), 3);
  EXPECT_FALSE(*direct->Exists("dir/k"));

  // A multipart upload whose parts keep failing aborts itself: no object, no unfinished upload.
  proxy_->Always(Fault::k500, "PUT");
  {
    auto w = store->OpenWritable("dir/big");
    ASSERT_TRUE(w.ok());
    const auto data = Pattern(11 << 20, 4);
    Status a = (*w)->Append(data);
    EXPECT_EQ(a.code(), StatusCode::kUnavailable) << a.ToString();
    EXPECT_EQ((*w)->Append(data).code(), StatusCode::kAborted);
    EXPECT_EQ((*w)->Close().code(), StatusCode::kAborted);
  }
  proxy_->Always(Fault::kPass);
  EXPECT_FALSE(*direct->Exists("dir/big"));
  EXPECT_EQ(*direct->DeleteUnpublished("dir/"), 0u);

  // Connection refused (nothing listens) is retried, then a clean kUnavailable.
  S3Options dead = MotoServer::OptionsFor(test_util::FreeLoopbackPort());
  dead.max_attempts = 2;
  auto nowhere = S3Store::Open("s3://" + bucket_, dead);
  ASSERT_TRUE(nowhere.ok());
  Status refused = (*nowhere)->Put("k", std::string_view("v"));
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("2 attempts"), std::string::npos) << refused.ToString();
}

// The response to a create-if-absent PUT is lost after the server applied it: the retry gets 412,
// finds its own bytes, and reports success (not a false "already exists").
TEST_F(S3StoreTest, LostResponseToACreateIsNotAFalseConflict) {
  auto store = OpenProxied();
  proxy_->Script({Fault::kLoseResponse}, "PUT");
  Status st = store->PutIfAbsent("once", std::string_view("mine"));
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(proxy_->Count("PUT"), 2);
  // Someone else's object is still a conflict.
  proxy_->Script({Fault::kLoseResponse}, "PUT");
  ASSERT_TRUE(store->Put("theirs", std::string_view("theirs")).ok());
  proxy_->Script({Fault::k503SlowDown}, "PUT");
  EXPECT_EQ(store->PutIfAbsent("theirs", std::string_view("mine")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store->GetString("theirs"), "theirs");
}

TEST_F(S3StoreTest, OpenStoreByUri) {
  auto s3 = OpenStore("s3://" + bucket_ + "/via/uri", moto_->Options());
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  EXPECT_EQ((*s3)->Describe(), "s3://" + bucket_ + "/via/uri");
  ASSERT_TRUE((*s3)->Put("x", std::string_view("1")).ok());
  EXPECT_TRUE(*Open("via")->Exists("uri/x"));

  const auto dir = std::filesystem::temp_directory_path() / ("ailake-uri-" + Uuid::Random().ToString());
  for (const std::string& uri : {dir.string(), "file://" + dir.string()}) {
    auto local = OpenStore(uri);
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    EXPECT_EQ((*local)->Describe(), "local:" + dir.string());
    ASSERT_TRUE((*local)->Put("k", std::string_view("v")).ok());
  }
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "k"));
  std::filesystem::remove_all(dir);
  for (const char* bad : {"gs://bucket/x", "file://relative", "s3://UPPER/x", "s3://b/x", "s3://bucket/../x", ""}) {
    auto r = OpenStore(bad, moto_->Options());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  // A bucket that does not exist is named in the error, with what to do.
  auto nob = OpenStore("s3://no-such-bucket-" + bucket_.substr(7), moto_->Options());
  ASSERT_TRUE(nob.ok());
  Status put = (*nob)->Put("k", std::string_view("v"));
  EXPECT_EQ(put.code(), StatusCode::kNotFound) << put.ToString();
  EXPECT_NE(put.message().find("does not exist"), std::string::npos) << put.ToString();
}

// The catalog race tests are only as good as the server's compare-and-set. moto alone checks
// "absent?" and stores in two unlocked steps, so two racing create-if-absent PUTs could both win
// (CI once lost a commit that way); atomic_moto_server.py locks each request. Here every object
// lookup in the server sleeps 2 ms after answering, so without the lock the racers' "absent?"
// checks overlap and several win in nearly every round.
TEST(MotoServerTest, ConditionalCreatesAreAtomicUnderRacingThreads) {
  auto moto = MotoServer::Start(test_util::TestPython(), 0.002);
  ASSERT_TRUE(moto.ok()) << moto.status().ToString();
  ASSERT_TRUE((*moto)->CreateBucket("ailake-cas").ok());
  auto store = S3Store::Open("s3://ailake-cas/wh", (*moto)->Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  constexpr int kThreads = 8, kRounds = 40;
  std::vector<std::array<int, kThreads>> outcome(kRounds);  // 0 won, 1 lost, 2 other error
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        start.arrive_and_wait();
        Status st = (*store)->PutIfAbsent("k" + std::to_string(r), "writer " + std::to_string(t));
        outcome[static_cast<size_t>(r)][static_cast<size_t>(t)] =
            st.ok() ? 0 : st.code() == StatusCode::kAlreadyExists ? 1 : 2;
      }
    });
  }
  for (auto& th : threads) th.join();
  int bad_rounds = 0;
  for (int r = 0; r < kRounds; ++r) {
    const auto& o = outcome[static_cast<size_t>(r)];
    const int winners = static_cast<int>(std::count(o.begin(), o.end(), 0));
    const int losers = static_cast<int>(std::count(o.begin(), o.end(), 1));
    if (winners != 1 || losers != kThreads - 1) {
      ++bad_rounds;
      continue;
    }
    const auto w = std::find(o.begin(), o.end(), 0) - o.begin();
    EXPECT_EQ(*(*store)->GetString("k" + std::to_string(r)), "writer " + std::to_string(w)) << "round " << r;
  }
  EXPECT_EQ(bad_rounds, 0) << "rounds without exactly one winner and " << kThreads - 1 << " conflicts";
}

// A missing moto is a failing test that names what to install, not a skip.
TEST(MotoServerTest, MissingMotoSaysWhatToInstall) {
  auto m = MotoServer::Start("/nonexistent/bin/python3");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("pip install \"moto[server]\""), std::string::npos) << m.status().ToString();
  EXPECT_NE(m.status().message().find("AILAKE_TEST_PYTHON"), std::string::npos);
}

// ---- configuration ----

class S3ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ailake-s3cfg-" + Uuid::Random().ToString());
    std::filesystem::create_directories(dir_);
    env_["HOME"] = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  EnvLookup Env() {
    return [this](const char* n) -> const char* {
      auto it = env_.find(n);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
  }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(S3ConfigTest, OptionsWinOverEnvironmentWhichWinsOverFiles) {
  Write(".aws/credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n"
                            "[other]\naws_access_key_id=OTHERKEY\naws_secret_access_key=othersecret\n");
  Write(".aws/config", "[default]\nregion = eu-north-1\ns3 =\n  addressing_style = path\n"
                       "[profile other]\nregion = ap-south-1\nendpoint_url = http://10.0.0.5:9000\n");
  auto c = ResolveS3Config("s3://my-bucket/wh/x", {}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->bucket, "my-bucket");
  EXPECT_EQ(c->prefix, "wh/x");
  EXPECT_EQ(c->credentials.access_key_id, "FILEKEY");
  EXPECT_EQ(c->region, "eu-north-1");
  EXPECT_EQ(c->scheme, "https");
  EXPECT_EQ(c->host, "s3.eu-north-1.amazonaws.com");
  EXPECT_FALSE(c->path_style);
  EXPECT_EQ(c->RequestHost(), "my-bucket.s3.eu-north-1.amazonaws.com");

  env_["AWS_PROFILE"] = "other";
  c = ResolveS3Config("s3://my-bucket", {}, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "OTHERKEY");
  EXPECT_EQ(c->region, "ap-south-1");
  EXPECT_EQ(c->host, "10.0.0.5:9000");
  EXPECT_TRUE(c->path_style);  // an IP endpoint

  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_SESSION_TOKEN"] = "envtoken";
  env_["AWS_DEFAULT_REGION"] = "us-west-1";
  env_["AWS_ENDPOINT_URL"] = "https://minio.example.com";
  c = ResolveS3Config("s3://my-bucket", {}, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(c->credentials.session_token, "envtoken");
  EXPECT_EQ(c->region, "us-west-1");
  EXPECT_EQ(c->host, "minio.example.com");
  EXPECT_FALSE(c->path_style);
  env_["AWS_REGION"] = "eu-west-3";
  env_["AWS_ENDPOINT_URL_S3"] = "http://localhost:9000/";
  c = ResolveS3Config("s3://my-bucket", {}, Env());
  EXPECT_EQ(c->region, "eu-west-3");
  EXPECT_EQ(c->host, "localhost:9000");
  EXPECT_TRUE(c->path_style);

  S3Options o;
  o.access_key_id = "OPTKEY";
  o.secret_access_key = "optsecret";
  o.region = "ca-central-1";
  o.endpoint = "https://s3.example.net:8443";
  o.path_style = true;
  c = ResolveS3Config("s3://my-bucket", o, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "OPTKEY");
  EXPECT_EQ(c->credentials.session_token, "");  // credentials come as a unit, never mixed
  EXPECT_EQ(c->region, "ca-central-1");
  EXPECT_EQ(c->host, "s3.example.net:8443");
  EXPECT_TRUE(c->path_style);
  EXPECT_TRUE(c->options.secret_access_key.empty());
  const std::string d = c->Describe();
  EXPECT_NE(d.find("s3://my-bucket"), std::string::npos);
  for (const char* secret : {"optsecret", "envsecret", "envtoken", "OPTKEY"}) EXPECT_EQ(d.find(secret), std::string::npos);

  // AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE move the files.
  env_.clear();
  env_["HOME"] = dir_.string();
  Write("elsewhere/creds", "[default]\naws_access_key_id = MOVED\naws_secret_access_key = s\n");
  env_["AWS_SHARED_CREDENTIALS_FILE"] = (dir_ / "elsewhere/creds").string();
  env_["AWS_CONFIG_FILE"] = (dir_ / "elsewhere/none").string();
  c = ResolveS3Config("s3://my-bucket", {}, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "MOVED");
  EXPECT_EQ(c->region, "us-east-1");
}

TEST_F(S3ConfigTest, BadInputIsRefusedWithWhatToDo) {
  auto none = ResolveS3Config("s3://my-bucket", {}, Env());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos) << none.status().ToString();
  env_["AWS_ACCESS_KEY_ID"] = "K";
  EXPECT_NE(ResolveS3Config("s3://my-bucket", {}, Env()).status().message().find("no secret"), std::string::npos);
  env_["AWS_SECRET_ACCESS_KEY"] = "S";
  EXPECT_TRUE(ResolveS3Config("s3://my-bucket/", {}, Env()).ok());
  EXPECT_TRUE(ResolveS3Config("s3://my.dotted.bucket", {}, Env())->path_style);
  for (const char* bad : {"s3://", "s3://ab", "s3://Bad_Bucket", "s3://b/a//b", "s3://bucket/../up", "http://x/y"}) {
    EXPECT_EQ(ResolveS3Config(bad, {}, Env()).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  for (const char* ep : {"localhost:9000", "ftp://host", "http://host/path", "http://user@host"}) {
    S3Options o;
    o.endpoint = ep;
    EXPECT_EQ(ResolveS3Config("s3://my-bucket", o, Env()).status().code(), StatusCode::kInvalidArgument) << ep;
  }
  S3Options small;
  small.part_size = 1 << 20;
  EXPECT_EQ(ResolveS3Config("s3://my-bucket", small, Env()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(S3ConfigTest, TimeoutsAndRetriesFromOptionsThenEnvironmentThenConfigFile) {
  env_["AWS_ACCESS_KEY_ID"] = "K";
  env_["AWS_SECRET_ACCESS_KEY"] = "S";
  auto c = ResolveS3Config("s3://my-bucket", {}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->options.connect_timeout_ms, 10000);
  EXPECT_EQ(c->options.request_timeout_ms, 300000);
  EXPECT_EQ(c->options.max_attempts, 8);
  EXPECT_EQ(c->options.initial_backoff_ms, 100);
  EXPECT_EQ(c->options.max_backoff_ms, 20000);

  Write(".aws/config", "[default]\nmax_attempts = 4\n");
  c = ResolveS3Config("s3://my-bucket", {}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->options.max_attempts, 4);

  env_["AWS_MAX_ATTEMPTS"] = "3";
  env_["AILAKE_S3_CONNECT_TIMEOUT_MS"] = "250";
  env_["AILAKE_S3_REQUEST_TIMEOUT_MS"] = "1500";
  env_["AILAKE_S3_INITIAL_BACKOFF_MS"] = "0";
  env_["AILAKE_S3_MAX_BACKOFF_MS"] = "40";
  c = ResolveS3Config("s3://my-bucket", {}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->options.max_attempts, 3);
  EXPECT_EQ(c->options.connect_timeout_ms, 250);
  EXPECT_EQ(c->options.request_timeout_ms, 1500);
  EXPECT_EQ(c->options.initial_backoff_ms, 0);
  EXPECT_EQ(c->options.max_backoff_ms, 40);

  S3Options o;
  o.max_attempts = 6;
  o.request_timeout_ms = 900;
  c = ResolveS3Config("s3://my-bucket", o, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->options.max_attempts, 6);
  EXPECT_EQ(c->options.request_timeout_ms, 900);
  EXPECT_EQ(c->options.connect_timeout_ms, 250);

  // A value that is set but unusable is refused, naming the variable; never silently replaced.
  for (const auto& [var, bad] : std::vector<std::pair<std::string, std::string>>{
           {"AWS_MAX_ATTEMPTS", "0"}, {"AWS_MAX_ATTEMPTS", "three"}, {"AILAKE_S3_REQUEST_TIMEOUT_MS", "10s"},
           {"AILAKE_S3_MAX_BACKOFF_MS", "-5"}, {"AILAKE_S3_CONNECT_TIMEOUT_MS", "99999999999"}}) {
    const std::string keep = env_[var];
    env_[var] = bad;
    auto r = ResolveS3Config("s3://my-bucket", {}, Env());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << var << "=" << bad;
    EXPECT_NE(r.status().message().find(var), std::string::npos) << r.status().ToString();
    env_[var] = keep;
  }
  env_.erase("AWS_MAX_ATTEMPTS");
  Write(".aws/config", "[default]\nmax_attempts = lots\n");
  auto f = ResolveS3Config("s3://my-bucket", {}, Env());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("max_attempts in"), std::string::npos) << f.status().ToString();
}

// ---- SigV4, against AWS's published examples ----

TEST(SigV4Test, MatchesPublishedVectors) {
  // The scope and signed-header list (AWS SigV4 test suite inputs).
  sigv4::Request r;
  r.method = "GET";
  r.canonical_uri = "/";
  r.headers = {{"Host", "example.amazonaws.com"}};
  r.payload_sha256 = sigv4::Sha256Hex("");
  auto h = sigv4::Sign(r, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, "us-east-1", "service",
                       "20150830T123600Z");
  ASSERT_EQ(h.back().first, "Authorization");
  EXPECT_EQ(h.back().second.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                                  "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=", 0),
            0u)
      << h.back().second;
  // The S3 documentation's GET-object example (Range header, x-amz-content-sha256 signed).
  sigv4::Request s3;
  s3.method = "GET";
  s3.canonical_uri = "/test.txt";
  s3.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  s3.payload_sha256 = sigv4::Sha256Hex("");
  auto a = sigv4::Sign(s3, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, "us-east-1", "s3",
                       "20130524T000000Z");
  EXPECT_EQ(a.back().second,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  // The S3 documentation's PUT example (a body, a date header, a storage class).
  sigv4::Request put;
  put.method = "PUT";
  put.canonical_uri = "/test%24file.text";
  put.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                 {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  put.payload_sha256 = sigv4::Sha256Hex("Welcome to Amazon S3.");
  auto p = sigv4::Sign(put, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, "us-east-1",
                       "s3", "20130524T000000Z");
  EXPECT_NE(p.back().second.find("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
            std::string::npos)
      << p.back().second;
  // A session token is signed and sent.
  auto t = sigv4::Sign(r, {"A", "B", "TOKEN"}, "us-east-1", "s3", "20150830T123600Z");
  EXPECT_EQ(t[2].first, "x-amz-security-token");
  EXPECT_NE(t.back().second.find("x-amz-security-token"), std::string::npos);

  EXPECT_EQ(sigv4::UriEncode("a b/c+d~e", false), "a%20b/c%2Bd~e");
  EXPECT_EQ(sigv4::UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(sigv4::CanonicalQuery({{"uploads", ""}, {"b", "x y"}, {"a", "1"}}), "a=1&b=x%20y&uploads=");
  std::string out;
  EXPECT_TRUE(sigv4::UriDecode("a%20b%2Fc", &out));
  EXPECT_EQ(out, "a b/c");
  EXPECT_FALSE(sigv4::UriDecode("bad%2", &out));
  EXPECT_FALSE(sigv4::UriDecode("bad%zz", &out));
}

// ---- the XML reader on hostile input ----

TEST(S3XmlTest, ParsesResponsesAndRefusesHostileInput) {
  auto doc = s3xml::Parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<IsTruncated>true</IsTruncated><Contents><Key>a&amp;b&lt;&#x41;&#66;</Key><Size>5</Size></Contents>"
      "<!-- c --><Contents><Key><![CDATA[x<y]]></Key><Size/></Contents></ListBucketResult>");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->name, "ListBucketResult");
  EXPECT_EQ(doc->ChildText("IsTruncated"), "true");
  ASSERT_EQ(doc->children.size(), 3u);
  EXPECT_EQ(doc->children[1].ChildText("Key"), "a&b<AB");
  EXPECT_EQ(doc->children[2].ChildText("Key"), "x<y");
  EXPECT_EQ(doc->children[2].ChildText("Size"), "");
  EXPECT_EQ(doc->ChildText("Missing"), "");

  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  for (const std::string& bad :
       {std::string(""), std::string("text"), std::string("<a>"), std::string("<a></b>"), std::string("<a><b></a>"),
        std::string("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"), std::string("<a>&x;</a>"),
        std::string("<a>&#0;</a>"), std::string("<a>&#xD800;</a>"), std::string("<a>&amp</a>"), std::string("<a x=1/>"),
        std::string("<a></a><b></b>"), std::string("<a><![CDATA[x</a>"), deep}) {
    auto r = s3xml::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  s3xml::Limits tiny;
  tiny.max_elements = 3;
  EXPECT_EQ(s3xml::Parse("<a><b/><b/><b/></a>", tiny).status().code(), StatusCode::kResourceExhausted);
  tiny.max_input_bytes = 4;
  EXPECT_EQ(s3xml::Parse("<a></a>", tiny).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s3xml::Escape("a<&>b"), "a&lt;&amp;&gt;b");
}

}  // namespace
}  // namespace ailake
