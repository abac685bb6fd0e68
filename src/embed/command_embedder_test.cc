// The command embedder against real worker processes (tests/embedders/fake_worker.py).
#include "embed/command_embedder.h"
#include "testing/temp_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace ailake::embed {
namespace {

namespace fs = std::filesystem;

std::string WorkerSpec(const std::string& args) {
  return std::string("command:/usr/bin/python3 ") + AILAKE_SOURCE_DIR + "/tests/embedders/fake_worker.py " + args;
}

// What fake_worker.py computes for a text.
std::vector<float> Vec(std::string_view text, size_t dim) {
  unsigned sum = 0;
  for (unsigned char c : text) sum += c;
  std::vector<float> v{static_cast<float>(text.size())};
  for (size_t j = 1; j < dim; ++j) v.push_back(static_cast<float>(j) + static_cast<float>(sum % 97) / 4.0f);
  return v;
}

std::vector<float> Vecs(const std::vector<std::string_view>& texts, size_t dim) {
  std::vector<float> out;
  for (auto t : texts) {
    auto v = Vec(t, dim);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// The pids fake_worker.py recorded in piddir=.
std::set<pid_t> Pids(const test_util::TempDir& d) {
  std::set<pid_t> out;
  for (const auto& e : fs::directory_iterator(d.path())) out.insert(static_cast<pid_t>(std::stol(e.path().filename())));
  return out;
}

// True once the process has been reaped (a zombie still answers kill(pid, 0)).
bool Reaped(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

std::unique_ptr<Embedder> Make(const std::string& spec, EmbedderOptions o = {}) {
  auto e = MakeEmbedder(spec, o);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : nullptr;
}

// Expects Embed to fail with a message containing every phrase.
void ExpectEmbedError(Embedder& e, const std::vector<std::string_view>& texts,
                      std::initializer_list<std::string> phrases, StatusCode code) {
  std::vector<float> out{1.0f};
  Status st = e.Embed(texts, &out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), code) << st.ToString();
  for (const auto& p : phrases) EXPECT_NE(st.message().find(p), std::string::npos) << "'" << p << "' not in: " << st.message();
  EXPECT_EQ(out.size(), 1u);  // nothing appended on error
}

TEST(CommandEmbedder, VectorsModelAndStats) {
  auto spec = WorkerSpec("ok dim=8");
  auto e = Make(spec);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->model().name, "python3");  // basename(PROGRAM) without --new-model
  EXPECT_EQ(e->model().dim, 0u);          // not learned yet
  EXPECT_EQ(e->Describe(), spec);
  std::vector<std::string_view> texts{"ab", "h\xc3\xa9llo \"quoted\"\nnew line", ""};
  std::vector<float> out{42.0f};
  ASSERT_TRUE(e->Embed(texts, &out).ok());
  auto want = Vecs(texts, 8);
  want.insert(want.begin(), 42.0f);
  EXPECT_EQ(out, want);
  EXPECT_EQ(e->model().dim, 8u);
  out.clear();
  ASSERT_TRUE(e->Embed({"second batch"}, &out).ok());
  EXPECT_EQ(out, Vec("second batch", 8));
  ASSERT_TRUE(e->Embed({}, &out).ok());  // an empty batch sends nothing
  out.clear();
  ASSERT_TRUE(e->Embed({"bad \xff utf-8"}, &out).ok());  // sent with U+FFFD, not refused
  EXPECT_EQ(out, Vec("bad \xef\xbf\xbd utf-8", 8));
  auto s = e->stats();
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.texts, 5u);
  EXPECT_EQ(s.retries, 0u);

  EmbedderOptions o;
  o.model_name = "e5-small";
  o.model_version = "v2";
  auto named = Make(WorkerSpec("ok dim=8"), o);
  ASSERT_TRUE(named);
  EXPECT_EQ(named->model().Id(), "e5-small@v2");
}

TEST(CommandEmbedder, DimensionProbesOnce) {
  auto e = Make(WorkerSpec("ok dim=5"));
  ASSERT_TRUE(e);
  auto d = e->Dimension();
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, 5u);
  EXPECT_EQ(e->model().dim, 5u);
  ASSERT_TRUE(e->Dimension().ok());
  EXPECT_EQ(e->stats().requests, 1u);  // cached
}

TEST(CommandEmbedder, ConcurrentCallsUseDistinctWorkers) {
  // Each worker replies only once 4 distinct workers are inside a request at the same time, so this
  // passes only if the 4 calls really run in 4 worker processes at once.
  test_util::TempDir pids("embed"), meet("embed");
  EmbedderOptions o;
  o.concurrency = 4;
  o.timeout_ms = 20000;
  auto e = Make(WorkerSpec("meet n=4 dim=4 meet=" + meet.str() + " piddir=" + pids.str()), o);
  ASSERT_TRUE(e);
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  std::vector<std::vector<float>> outs(4);
  std::vector<std::string> texts{"zero", "one", "two", "three"};
  for (size_t i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { results[i] = e->Embed({texts[i]}, &outs[i]); });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].ToString();
    EXPECT_EQ(outs[i], Vec(texts[i], 4));
  }
  EXPECT_EQ(Pids(pids).size(), 4u);
  EXPECT_EQ(Pids(meet), Pids(pids));
}

TEST(CommandEmbedder, NeverMoreWorkersThanConcurrency) {
  test_util::TempDir pids("embed");
  EmbedderOptions o;
  o.concurrency = 2;
  auto e = Make(WorkerSpec("sleep ms=5 dim=3 piddir=" + pids.str()), o);
  ASSERT_TRUE(e);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 3; ++k) {
        std::vector<float> out;
        if (!e->Embed({"a", "b"}, &out).ok() || out != Vecs({"a", "b"}, 3)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(Pids(pids).size(), 1u);
  EXPECT_LE(Pids(pids).size(), 2u);
  EXPECT_EQ(e->stats().requests, 18u);
}

TEST(CommandEmbedder, BadRepliesAreClearErrors) {
  std::vector<std::string_view> two{"x", "y"};
  ExpectEmbedError(*Make(WorkerSpec("wrong-count")), two, {"python3", "returned 3 embeddings for 2 texts"},
                   StatusCode::kCorruption);
  ExpectEmbedError(*Make(WorkerSpec("ragged dim=4")), two, {"embedding of dim 5 for text 1, expected dim 4"},
                   StatusCode::kCorruption);
  ExpectEmbedError(*Make(WorkerSpec("nan")), two, {"non-finite", "null", "text 0 (element 1)"},
                   StatusCode::kCorruption);
  ExpectEmbedError(*Make(WorkerSpec("nan-string")), two, {"non-finite", "\"NaN\""}, StatusCode::kCorruption);
  ExpectEmbedError(*Make(WorkerSpec("garbage")), two, {"malformed reply", "this is not json"}, StatusCode::kCorruption);
  ExpectEmbedError(*Make(WorkerSpec("wrong-id")), two, {"replied with id", "to request id"}, StatusCode::kCorruption);
  ExpectEmbedError(*Make(WorkerSpec("error")), two, {"reported an error: model exploded"}, StatusCode::kUnavailable);

  // The dim learned from the first reply binds every later one.
  auto grow = Make(WorkerSpec("wrong-dim dim=8"));
  std::vector<float> out;
  ASSERT_TRUE(grow->Embed(two, &out).ok());
  ExpectEmbedError(*grow, two, {"dim 9 but the model's dim is 8"}, StatusCode::kCorruption);
}

TEST(CommandEmbedder, ErrorReplyKeepsWorkerProtocolErrorReplacesIt) {
  test_util::TempDir keep("embed"), replace("embed");
  auto e = Make(WorkerSpec("error piddir=" + keep.str()));
  std::vector<float> out;
  EXPECT_FALSE(e->Embed({"a"}, &out).ok());
  EXPECT_FALSE(e->Embed({"a"}, &out).ok());
  EXPECT_EQ(Pids(keep).size(), 1u);  // a clean error reply: the worker stays

  auto g = Make(WorkerSpec("garbage piddir=" + replace.str()));
  EXPECT_FALSE(g->Embed({"a"}, &out).ok());
  auto first = Pids(replace);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Reaped(*first.begin()));  // discarded and reaped
  EXPECT_FALSE(g->Embed({"a"}, &out).ok());
  EXPECT_EQ(Pids(replace).size(), 2u);
}

TEST(CommandEmbedder, TimeoutKillsTheWorker) {
  test_util::TempDir pids("embed");
  EmbedderOptions o;
  o.timeout_ms = 300;
  auto e = Make(WorkerSpec("hang piddir=" + pids.str()), o);
  ExpectEmbedError(*e, {"a"}, {"python3", "did not reply within 300 ms", "killed"}, StatusCode::kTimeout);
  auto p = Pids(pids);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(Reaped(*p.begin()));
}

TEST(CommandEmbedder, DeadWorkerIsReplaced) {
  test_util::TempDir pids("embed");
  auto e = Make(WorkerSpec("die-after n=1 dim=4 piddir=" + pids.str()));
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"first"}, &out).ok());
  ExpectEmbedError(*e, {"second"}, {"python3", "exited with code 3", "dying on purpose"}, StatusCode::kUnavailable);
  auto first = Pids(pids);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Reaped(*first.begin()));
  out.clear();
  ASSERT_TRUE(e->Embed({"third"}, &out).ok());  // a fresh worker
  EXPECT_EQ(out, Vec("third", 4));
  EXPECT_EQ(Pids(pids).size(), 2u);
}

TEST(CommandEmbedder, WorkerThatDiedWhileIdleIsReplacedSilently) {
  test_util::TempDir pids("embed");
  auto e = Make(WorkerSpec("ok dim=2 piddir=" + pids.str()));
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a"}, &out).ok());
  pid_t pid = *Pids(pids).begin();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);  // dead, not reaped
  out.clear();
  ASSERT_TRUE(e->Embed({"b"}, &out).ok());
  EXPECT_EQ(out, Vec("b", 2));
  EXPECT_TRUE(Reaped(pid));
  EXPECT_EQ(Pids(pids).size(), 2u);
}

TEST(CommandEmbedder, StartFailures) {
  ExpectEmbedError(*Make("command:/nonexistent/ailake-embedder --x"), {"a"},
                   {"failed to start embedder worker 'ailake-embedder'", "No such file or directory"},
                   StatusCode::kIOError);
  ExpectEmbedError(*Make("command:ailake-no-such-embedder-program"), {"a"},
                   {"failed to start", "'ailake-no-such-embedder-program' was not found in PATH"},
                   StatusCode::kNotFound);
  // exec itself fails (reported through the CLOEXEC status pipe): a file without execute permission.
  test_util::TempDir dir("embed");
  std::string script = dir.str() + "/not-executable.sh";
  std::ofstream(script) << "#!/bin/sh\n";
  ASSERT_EQ(::chmod(script.c_str(), 0644), 0);
  ExpectEmbedError(*Make("command:" + script), {"a"}, {"failed to start", "exec " + script, "Permission denied"},
                   StatusCode::kIOError);
}

TEST(CommandEmbedder, NoisyStderrDoesNotBlock) {
  auto e = Make(WorkerSpec("noisy dim=3"));
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a"}, &out).ok());
  ASSERT_TRUE(e->Embed({"b"}, &out).ok());
  EXPECT_EQ(out, Vecs({"a", "b"}, 3));
}

TEST(CommandEmbedder, DestructorReapsEveryWorker) {
  test_util::TempDir pids("embed");
  EmbedderOptions o;
  o.concurrency = 2;
  {
    auto e = Make(WorkerSpec("ok dim=2 piddir=" + pids.str()), o);
    std::vector<float> a, b;
    std::thread t([&] { ASSERT_TRUE(e->Embed({"x"}, &a).ok()); });
    ASSERT_TRUE(e->Embed({"y"}, &b).ok());
    t.join();
  }
  ASSERT_GE(Pids(pids).size(), 1u);
  for (pid_t pid : Pids(pids)) EXPECT_TRUE(Reaped(pid)) << pid;
}

TEST(CommandEmbedder, DestructorKillsWorkerThatIgnoresEof) {
  test_util::TempDir pids("embed");
  {
    auto e = Make(WorkerSpec("ignore-eof dim=2 piddir=" + pids.str()));
    std::vector<float> out;
    ASSERT_TRUE(e->Embed({"x"}, &out).ok());
  }  // stdin closed, 2 s grace, SIGKILL
  auto p = Pids(pids);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(Reaped(*p.begin()));
}

TEST(CommandEmbedder, BadSpecs) {
  for (std::string spec : {"command:", "command:   \t "}) {
    auto e = MakeEmbedder(spec);
    ASSERT_FALSE(e.ok()) << spec;
    EXPECT_NE(e.status().message().find("needs a program"), std::string::npos);
  }
  EmbedderOptions zero;
  zero.concurrency = 0;
  EXPECT_FALSE(MakeEmbedder("command:true", zero).ok());
  EmbedderOptions no_time;
  no_time.timeout_ms = 0;
  EXPECT_FALSE(MakeEmbedder("command:true", no_time).ok());
}

TEST(Embedder, UnknownKindListsTheForms) {
  auto e = MakeEmbedder("grpc:localhost:50051");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  for (const char* form : {"hash:dim=N", "command:PROGRAM", "http:URL"}) {
    EXPECT_NE(e.status().message().find(form), std::string::npos) << e.status().message();
  }
}

TEST(Embedder, HashSpecCountsAndDescribes) {
  auto e = MakeEmbedder("hash:dim=16,seed=3");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->Describe(), "hash:dim=16,seed=3");
  auto d = (*e)->Dimension();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, 16u);
  std::vector<float> out;
  ASSERT_TRUE((*e)->Embed({"a", "b", "c"}, &out).ok());
  EXPECT_EQ(out.size(), 48u);
  EXPECT_EQ((*e)->stats().requests, 1u);
  EXPECT_EQ((*e)->stats().texts, 3u);
}

}  // namespace
}  // namespace ailake::embed
