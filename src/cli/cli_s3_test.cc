// The CLI on an S3 warehouse (moto) with the PostgreSQL catalog (a throwaway PostgreSQL 15), both
// started by the test: every command end to end, forked committers racing through the catalog, and
// commands under injected S3 faults (s3_fault_proxy): random faults the retries absorb, and outages
// longer than the retries, where commands must fail cleanly and leave the table at a valid snapshot;
// and `ailake serve` on that warehouse.
// AILAKE_S3_SOAK=N multiplies the race and fault rounds for longer soaks.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ailake/table.h"
#include "ailake/warehouse.h"
#include "catalog/pg_test_server.h"
#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "core/uuid.h"
#include "store/moto_test_server.h"
#include "store/s3_fault_proxy.h"
#include "testing/fork_child.h"
#include "testing/serve_child.h"
#include "testing/temp_dir.h"

namespace ailake::cli {
namespace {

using nlohmann::json;

int Soak() {
  const char* s = std::getenv("AILAKE_S3_SOAK");
  return s && std::atoi(s) > 0 ? std::atoi(s) : 1;
}

// One moto and one PostgreSQL for the whole program; each test gets its own bucket and database.
struct Servers {
  std::unique_ptr<test_util::MotoServer> moto;
  std::unique_ptr<test_util::PgServer> pg;
  std::string error;
};
Servers* Srv() {
  static Servers* s = [] {
    auto* out = new Servers();
    auto m = test_util::MotoServer::Start();
    if (!m.ok()) {
      out->error = m.status().ToString();
      return out;
    }
    out->moto = std::move(*m);
    auto p = test_util::PgServer::Start();
    if (!p.ok()) {
      out->error = p.status().ToString();
      return out;
    }
    out->pg = std::move(*p);
    std::atexit([] { delete Srv(); });
    return out;
  }();
  return s;
}

class CliS3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Srv()->error.empty()) << Srv()->error;
    const std::string id = Uuid::Random().ToString().substr(0, 8);
    bucket_ = "b" + id;
    db_ = "d" + id;
    ASSERT_TRUE(Srv()->moto->CreateBucket(bucket_).ok());
    ASSERT_TRUE(Srv()->pg->CreateDatabase(db_).ok());
    Endpoint(Srv()->moto->endpoint());
    ::setenv("AWS_ACCESS_KEY_ID", test_util::MotoServer::kAccessKey, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", test_util::MotoServer::kSecretKey, 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("AILAKE_WAREHOUSE", ("s3://" + bucket_ + "/wh").c_str(), 1);
    ::setenv("AILAKE_CATALOG", Srv()->pg->ConnString(db_).c_str(), 1);
  }
  void TearDown() override {
    for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL_S3",
                          "AILAKE_WAREHOUSE", "AILAKE_CATALOG", "AWS_MAX_ATTEMPTS", "AILAKE_S3_REQUEST_TIMEOUT_MS",
                          "AILAKE_S3_CONNECT_TIMEOUT_MS", "AILAKE_S3_INITIAL_BACKOFF_MS", "AILAKE_S3_MAX_BACKOFF_MS"}) {
      ::unsetenv(v);
    }
  }
  static void Endpoint(const std::string& e) { ::setenv("AWS_ENDPOINT_URL_S3", e.c_str(), 1); }

  static testing::CliOut Cli(std::vector<std::string> args) { return testing::RunCli(std::move(args), ""); }

  std::string Rows(const std::string& name, int from, int to, const std::string& word = "alpha") {
    const auto path = tmp_.path() / name;
    std::ofstream f(path);
    for (int i = from; i < to; ++i) {
      f << json{{"id", "r" + std::to_string(i)}, {"chunk_text", word + " row " + std::to_string(i)}}.dump() << "\n";
    }
    return path.string();
  }
  static json Info(const std::string& table = "t") {
    auto r = Cli({"info", table, "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return r.code == 0 ? json::parse(r.out) : json::object();
  }
  static void Verify(const std::string& table = "t", bool deep = false) {
    std::vector<std::string> args = {"verify", table};
    if (deep) args.push_back("--deep");
    auto v = Cli(args);
    EXPECT_EQ(v.code, 0) << v.out << v.err;
  }
  // The ids the table holds, each once (a full scan through exact search).
  static std::multiset<std::string> Ids(const std::string& embedder, const std::string& table = "t") {
    auto r = Cli({"search", table, "--text", "row", "--embedder", embedder, "--exact", "-k", "100000", "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    std::multiset<std::string> ids;
    if (r.code == 0) {
      const json parsed = json::parse(r.out);
      for (const auto& h : parsed["results"]) ids.insert(h["id"].get<std::string>());
    }
    EXPECT_FALSE(ids.empty()) << r.out.substr(0, 400) << r.err;
    return ids;
  }

  test_util::TempDir tmp_{"clis3"};
  std::string bucket_, db_;
};

TEST_F(CliS3Test, EveryCommandOnS3WithThePostgresCatalog) {
  const std::string e32 = "hash:dim=32,seed=0";
  ASSERT_EQ(Cli({"create", "t", "--dim", "32", "--model", "hash-32@seed0", "--target-file-rows", "50"}).code, 0);
  auto ins = Cli({"insert", "t", Rows("a.jsonl", 0, 120), "--embedder", e32});
  ASSERT_EQ(ins.code, 0) << ins.err;
  auto ins2 = Cli({"insert", "t", Rows("b.jsonl", 120, 200), "--embedder", e32});
  ASSERT_EQ(ins2.code, 0) << ins2.err;
  auto up = Cli({"insert", "t", Rows("u.jsonl", 0, 10, "beta"), "--embedder", e32, "--mode", "upsert"});
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_EQ(Info()["live_rows"], 200);
  auto hit = Cli({"search", "t", "--text", "beta row 3", "--embedder", e32, "-k", "3", "--format", "json"});
  ASSERT_EQ(hit.code, 0) << hit.err;
  EXPECT_EQ(json::parse(hit.out)["results"][0]["id"], "r3") << hit.out;
  auto del = Cli({"delete", "t", "--where", "id = 'r150'"});
  ASSERT_EQ(del.code, 0) << del.err;
  EXPECT_EQ(Info()["live_rows"], 199);
  // The catalog URI shows no password and the warehouse is the S3 location.
  auto info_text = Cli({"info", "t"});
  EXPECT_EQ(info_text.out.find("password"), std::string::npos);

  auto m1 = Cli({"migrate", "t", "--embedder", "hash:dim=48,seed=1", "--new-model", "hash-48@seed1"});
  ASSERT_EQ(m1.code, 0) << m1.out << m1.err;
  Verify();
  auto m2 = Cli({"migrate", "t", "--embedder", "hash:dim=24,seed=2", "--new-model", "hash-24@seed2", "--strategy",
                 "dual-write-then-cutover"});
  ASSERT_EQ(m2.code, 0) << m2.out << m2.err;
  Verify();
  auto ids = Ids("hash:dim=24,seed=2");
  EXPECT_EQ(ids.size(), 199u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 199u);
  EXPECT_EQ(ids.count("r150"), 0u);

  auto c = Cli({"compact", "t", "--quiet"});
  ASSERT_EQ(c.code, 0) << c.err;
  auto x = Cli({"expire", "t", "--older-than", "now", "--retain-last", "1", "--format", "json"});
  ASSERT_EQ(x.code, 0) << x.err;
  EXPECT_GT(json::parse(x.out).dump().size(), 2u);
  Verify();
  EXPECT_EQ(Ids("hash:dim=24,seed=2").size(), 199u);
}

// `ailake serve` takes the warehouse and catalog as every command does: an S3 warehouse with the
// PostgreSQL catalog from $AILAKE_WAREHOUSE / $AILAKE_CATALOG (set by SetUp), with its cache flags.
TEST_F(CliS3Test, ServeOnS3WithThePostgresCatalog) {
  const std::string e32 = "hash:dim=32,seed=0";
  ASSERT_EQ(Cli({"create", "t", "--dim", "32", "--model", "hash-32@seed0", "--target-file-rows", "50"}).code, 0);
  for (int c = 0; c < 2; ++c) {
    auto ins = Cli({"insert", "t", Rows("s" + std::to_string(c) + ".jsonl", c * 60, c * 60 + 60), "--embedder", e32});
    ASSERT_EQ(ins.code, 0) << ins.err;
  }
  auto child = test_util::ServeChild::Start(std::string(AILAKE_BINARY_DIR) + "/ailake",
                                            {"--embedder", e32, "--manifest-cache-mb", "3", "--table-cache-mb", "8"},
                                            (tmp_.path() / "serve.err").string());
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  const json listening = json::parse((*child)->listening_line());
  EXPECT_NE(listening["warehouse"].get<std::string>().find(bucket_), std::string::npos) << listening.dump();
  EXPECT_EQ(listening["warehouse"].get<std::string>().find("password"), std::string::npos);
  httplib::Client c("127.0.0.1", (*child)->port());
  auto tables = c.Get("/v1/tables");
  ASSERT_TRUE(tables);
  EXPECT_EQ(tables->status, 200) << tables->body;
  EXPECT_NE(tables->body.find("default.t"), std::string::npos) << tables->body;
  auto r = c.Post("/v1/tables/t/search", R"({"text": "alpha row 77", "k": 3})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["hits"][0]["id"], "r77") << r->body;
  auto h = c.Get("/healthz");
  ASSERT_TRUE(h);
  const json mc = json::parse(h->body)["manifest_cache"];
  EXPECT_EQ(mc["capacity_bytes"], 3 << 20) << h->body;
  EXPECT_GE(mc["entries"].get<int>(), 2) << h->body;  // the two inserts' manifests, read from S3 once
  std::string rest;
  EXPECT_EQ((*child)->Stop(&rest), 0) << test_util::ReadWholeFile((tmp_.path() / "serve.err").string());
  EXPECT_NE(rest.find("\"stopped\""), std::string::npos) << rest;
}

TEST_F(CliS3Test, EightProcessesCommitThroughThePostgresCatalog) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "8", "--model", "hash-8@seed0"}).code, 0);
  // 8 x 25 is the issue's figure (AILAKE_S3_RACE_COMMITS=25: passes, but took 647 s on the 2-core
  // box, since each commit reads every manifest of the table and moto serves them all; 8 x 5 took
  // 33 s, 8 x 2 12 s). The default, 5, is the largest that keeps this test near half a minute.
  const char* rc = std::getenv("AILAKE_S3_RACE_COMMITS");
  const int procs = 8, commits = (rc && std::atoi(rc) > 0 ? std::atoi(rc) : 5) * Soak();
  std::vector<std::string> inputs;
  for (int p = 0; p < procs; ++p) {
    for (int k = 0; k < commits; ++k) {
      inputs.push_back(Rows("p" + std::to_string(p) + "_" + std::to_string(k) + ".jsonl", p * 10000 + k, p * 10000 + k + 1));
    }
  }
  test_util::Racers racers(procs);
  ASSERT_TRUE(racers.ok());
  std::vector<pid_t> pids;
  for (int p = 0; p < procs; ++p) {
    pids.push_back(test_util::ForkChild([&, p] {
      racers.EnterChild(p);
      if (!racers.ArriveAndWait(p)) return 3;
      for (int k = 0; k < commits; ++k) {
        std::ostringstream o, e;
        if (cli::Run({"insert", "t", inputs[static_cast<size_t>(p * commits + k)], "--embedder", "hash:dim=8"}, o, e) != 0) {
          return 1;
        }
      }
      racers.Report(p, commits);
      return 0;
    }));
  }
  EXPECT_TRUE(racers.ReleaseWhenAllArrived());
  for (pid_t pid : pids) EXPECT_EQ(test_util::WaitChild(pid), 0);
  EXPECT_EQ(racers.Collect(), procs * commits);
  EXPECT_EQ(Info()["live_rows"], procs * commits);
  auto ids = Ids("hash:dim=8");
  EXPECT_EQ(ids.size(), static_cast<size_t>(procs * commits));
  for (int p = 0; p < procs; ++p) {
    for (int k = 0; k < commits; ++k) EXPECT_EQ(ids.count("r" + std::to_string(p * 10000 + k)), 1u) << p << " " << k;
  }
  auto h = Cli({"history", "t", "--format", "json"});
  ASSERT_EQ(h.code, 0);
  EXPECT_GE(h.out.size(), 2u);
  Verify();
}

// >= 5% of S3 requests fail or stall (500, 503 SlowDown, reset, lost response, one in 20 a stall
// past the request timeout; seeded) with the default retry count (8 attempts): the retries absorb every
// fault, so every insert, search and migration succeeds and nothing is lost or doubled.
TEST_F(CliS3Test, RandomS3FaultsAreAbsorbedByTheRetries) {
  const std::string e16 = "hash:dim=16,seed=0", e20 = "hash:dim=20,seed=3";
  ASSERT_EQ(Cli({"create", "t", "--dim", "16", "--model", "hash-16@seed0", "--target-file-rows", "40"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Rows("base.jsonl", 0, 100), "--embedder", e16}).code, 0);
  // A stalled request costs one request timeout and each fault a backoff: shorter than the defaults
  // to keep the run short (loopback answers in milliseconds; a slow answer is just one more retry).
  ::setenv("AILAKE_S3_REQUEST_TIMEOUT_MS", "500", 1);
  ::setenv("AILAKE_S3_INITIAL_BACKOFF_MS", "10", 1);
  ::setenv("AILAKE_S3_MAX_BACKOFF_MS", "200", 1);
  test_util::FaultProxy proxy(Srv()->moto->port());
  ASSERT_TRUE(proxy.ok());
  Endpoint("http://127.0.0.1:" + std::to_string(proxy.port()));
  proxy.Random(0.08, 42, /*stall_every=*/20);
  std::set<std::string> committed;
  for (int i = 0; i < 100; ++i) committed.insert("r" + std::to_string(i));
  const int rounds = 6 * Soak();
  std::string embedder = e16;
  for (int round = 0; round < rounds; ++round) {
    const int from = 1000 + round * 20;
    auto ins = Cli({"insert", "t", Rows("f" + std::to_string(round) + ".jsonl", from, from + 20), "--embedder", embedder});
    EXPECT_EQ(ins.code, 0) << "round " << round << ": " << ins.err;
    if (ins.code == 0) {
      for (int i = from; i < from + 20; ++i) committed.insert("r" + std::to_string(i));
    }
    auto s = Cli({"search", "t", "--text", "alpha row 5", "--embedder", embedder, "-k", "3", "--format", "json"});
    EXPECT_EQ(s.code, 0) << "round " << round << ": " << s.err;
    if (s.code == 0) {
      EXPECT_FALSE(json::parse(s.out)["results"].empty());
    }
    if (round == rounds / 2) {
      auto m = Cli({"migrate", "t", "--embedder", e20, "--new-model", "hash-20@seed3", "--quiet"});
      EXPECT_EQ(m.code, 0) << m.out << m.err;
      if (m.code == 0) embedder = e20;
    }
  }
  const int injected = proxy.Injected(), stalled = proxy.Stalled(), requests = proxy.Count();
  proxy.Random(0);
  Endpoint(Srv()->moto->endpoint());
  EXPECT_EQ(embedder, e20);
  EXPECT_GT(requests, 0);
  EXPECT_GE(injected * 100, requests * 5) << injected << " of " << requests;
  EXPECT_GT(stalled, 0);
  Verify("t", /*deep=*/true);
  auto ids = Ids(embedder);
  EXPECT_EQ(ids.size(), committed.size());
  for (const auto& id : committed) EXPECT_EQ(ids.count(id), 1u) << id;
  std::cerr << "random faults: " << injected << " of " << requests << " requests faulted (" << stalled
            << " stalls), every command succeeded\n";
}

// An S3 outage longer than the retry budget (3 attempts here, short backoff, 1 s request timeout):
// insert, search and both migration strategies fail cleanly (exit 1, a message naming the S3 object,
// the attempts and the endpoint), a failed insert adds no snapshot and no row, and after the outage
// `verify --deep` passes, the rows are exactly those of the commands that succeeded, and `migrate
// resume` finishes the interrupted migrations.
TEST_F(CliS3Test, CommandsFailCleanlyWhenAnS3OutageOutlastsTheRetries) {
  const std::string e16 = "hash:dim=16,seed=0";
  ::setenv("AWS_MAX_ATTEMPTS", "3", 1);
  ::setenv("AILAKE_S3_INITIAL_BACKOFF_MS", "5", 1);
  ::setenv("AILAKE_S3_MAX_BACKOFF_MS", "20", 1);
  ::setenv("AILAKE_S3_REQUEST_TIMEOUT_MS", "1000", 1);
  ASSERT_EQ(Cli({"create", "t", "--dim", "16", "--model", "hash-16@seed0", "--target-file-rows", "40"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Rows("base.jsonl", 0, 100), "--embedder", e16}).code, 0);
  // Two tables of two files for the migrations: "m" is migrated through outages, its twin "w"
  // without, to count the requests a whole migration makes (the outage then starts half-way).
  for (const std::string tb : {"m", "w"}) {
    ASSERT_EQ(Cli({"create", tb, "--dim", "16", "--model", "hash-16@seed0", "--target-file-rows", "40"}).code, 0);
    ASSERT_EQ(Cli({"insert", tb, Rows(tb + ".jsonl", 5000, 5080), "--embedder", e16}).code, 0);
  }
  test_util::FaultProxy proxy(Srv()->moto->port());
  ASSERT_TRUE(proxy.ok());
  Endpoint("http://127.0.0.1:" + std::to_string(proxy.port()));
  const std::string proxy_endpoint = "127.0.0.1:" + std::to_string(proxy.port());
  int failures = 0;
  auto expect_clean_failure = [&](const testing::CliOut& r, const std::string& what) {
    ++failures;
    EXPECT_EQ(r.code, 1) << what << ": " << r.out << r.err;
    EXPECT_NE(("\n" + r.err).find("\nerror: "), std::string::npos) << what << ": " << r.err;
    EXPECT_NE(r.err.find("s3://" + bucket_ + "/wh/"), std::string::npos) << what << ": " << r.err;
    EXPECT_NE(r.err.find("3 attempts"), std::string::npos) << what << ": " << r.err;
    EXPECT_NE(r.err.find(proxy_endpoint), std::string::npos) << what << ": " << r.err;
  };

  std::set<std::string> committed;
  for (int i = 0; i < 100; ++i) committed.insert("r" + std::to_string(i));
  int batch = 0;
  auto insert = [&]() {
    const int from = 1000 + 20 * batch++;
    auto r = Cli({"insert", "t", Rows("i" + std::to_string(batch) + ".jsonl", from, from + 20), "--embedder", e16});
    if (r.code == 0) {
      for (int i = from; i < from + 20; ++i) committed.insert("r" + std::to_string(i));
    }
    return r;
  };

  // Insert: count the requests of one clean insert, then start an outage at the first request,
  // a quarter, half and three quarters of the way, and at the last request.
  proxy.ResetCounts();
  ASSERT_EQ(insert().code, 0);
  const int insert_requests = proxy.Count();
  ASSERT_GT(insert_requests, 3);
  const std::vector<std::vector<test_util::Fault>> kinds = {
      {test_util::Fault::k503SlowDown},
      {test_util::Fault::kReset},
      {test_util::Fault::k500, test_util::Fault::kReset},
      {test_util::Fault::kStall, test_util::Fault::k503SlowDown, test_util::Fault::k503SlowDown},
      {test_util::Fault::kLoseResponse, test_util::Fault::k503SlowDown}};
  json before = Info();
  for (int i = 0; i < 5; ++i) {
    const int at = i < 4 ? insert_requests * i / 4 : insert_requests - 1;
    proxy.OutageAfter(at, kinds[static_cast<size_t>(i)]);
    auto r = insert();
    proxy.EndOutage();
    expect_clean_failure(r, "insert with an outage after " + std::to_string(at) + " of " +
                                std::to_string(insert_requests) + " requests");
    const json after = Info();
    EXPECT_EQ(after["current_snapshot_id"], before["current_snapshot_id"]) << "a failed insert committed";
    EXPECT_EQ(after["snapshots"], before["snapshots"]);
    EXPECT_EQ(after["live_rows"], before["live_rows"]);
    before = after;
  }
  ASSERT_EQ(insert().code, 0);  // the table takes writes again

  // Search: an outage from the first request, and a stall past the timeout once the search is under way.
  proxy.OutageAfter(0, {test_util::Fault::k503SlowDown});
  expect_clean_failure(Cli({"search", "t", "--text", "alpha row 5", "--embedder", e16, "-k", "3"}), "search (503)");
  proxy.ResetCounts();
  proxy.EndOutage();
  ASSERT_EQ(Cli({"search", "t", "--text", "alpha row 5", "--embedder", e16, "-k", "3"}).code, 0);
  const int search_requests = proxy.Count();
  proxy.OutageAfter(search_requests / 2, {test_util::Fault::kStall});
  auto stalled = Cli({"search", "t", "--text", "alpha row 5", "--embedder", e16, "-k", "3"});
  proxy.EndOutage();
  expect_clean_failure(stalled, "search (stall)");
  EXPECT_NE(stalled.err.find("Timeout"), std::string::npos) << stalled.err;

  // Migrations: both strategies, each cut off half-way, then resumed after the outage.
  struct Step {
    std::string embedder, model, strategy;
  };
  const std::vector<Step> steps = {{"hash:dim=20,seed=3", "hash-20@seed3", "atomic-replace"},
                                   {"hash:dim=24,seed=4", "hash-24@seed4", "dual-write-then-cutover"}};
  for (const Step& st : steps) {
    const std::vector<std::string> args = {"--embedder", st.embedder, "--new-model", st.model, "--strategy", st.strategy,
                                           "--quiet"};
    auto with = [](std::vector<std::string> head, const std::vector<std::string>& tail) {
      head.insert(head.end(), tail.begin(), tail.end());
      return head;
    };
    proxy.ResetCounts();
    auto clean = Cli(with({"migrate", "w"}, args));
    ASSERT_EQ(clean.code, 0) << clean.out << clean.err;
    const int migrate_requests = proxy.Count();
    proxy.OutageAfter(migrate_requests / 2, {test_util::Fault::k503SlowDown, test_util::Fault::kReset});
    auto cut = Cli(with({"migrate", "m"}, args));
    proxy.EndOutage();
    expect_clean_failure(cut, st.strategy + " migration with an outage after " + std::to_string(migrate_requests / 2) +
                                  " of " + std::to_string(migrate_requests) + " requests");
    EXPECT_NE(cut.err.find("migrate resume m"), std::string::npos) << cut.err;
    // The interrupted table is at a valid snapshot, its job resumable.
    Verify("m", /*deep=*/true);
    auto resumed = Cli({"migrate", "resume", "m", "--embedder", st.embedder, "--quiet"});
    EXPECT_EQ(resumed.code, 0) << resumed.out << resumed.err;
    EXPECT_EQ(Info("m")["model"], st.model);
    Verify("m", /*deep=*/true);
    auto ids = Ids(st.embedder, "m");
    EXPECT_EQ(ids.size(), 80u);
    for (int i = 5000; i < 5080; ++i) EXPECT_EQ(ids.count("r" + std::to_string(i)), 1u) << i;
  }

  EXPECT_GE(failures, 9);
  EXPECT_GT(proxy.Injected(), 0);
  EXPECT_GT(proxy.Stalled(), 0);
  Endpoint(Srv()->moto->endpoint());
  // After the outages: the table verifies and holds exactly the rows of the inserts that succeeded.
  Verify("t", /*deep=*/true);
  auto ids = Ids(e16);
  EXPECT_EQ(ids.size(), committed.size());
  for (const auto& id : committed) EXPECT_EQ(ids.count(id), 1u) << id;
  std::cerr << "outages: " << failures << " commands failed cleanly; an insert makes " << insert_requests
            << " S3 requests, a search " << search_requests << "\n";
}

// The figures in docs/STORAGE.md: requests and bytes per search through the proxy, on a fresh
// Warehouse (cold cache) and again on the same one (warm).
TEST_F(CliS3Test, SearchRequestsAndBytesColdAndWarm) {
  ASSERT_EQ(Cli({"create", "t", "--dim", "64", "--model", "hash-64@seed0", "--target-file-rows", "2000"}).code, 0);
  ASSERT_EQ(Cli({"insert", "t", Rows("s.jsonl", 0, 10000), "--embedder", "hash:dim=64,seed=0"}).code, 0);
  test_util::FaultProxy proxy(Srv()->moto->port());
  Endpoint("http://127.0.0.1:" + std::to_string(proxy.port()));
  auto wh = Warehouse::Open(std::getenv("AILAKE_WAREHOUSE"), {.catalog = std::getenv("AILAKE_CATALOG")});
  ASSERT_TRUE(wh.ok()) << wh.status().ToString();
  auto t = (*wh)->OpenTable("t");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<float> q(64, 0.125f);
  SearchOptions so;
  so.k = 10;
  proxy.ResetCounts();
  auto cold = (*t)->Search(q.data(), q.size(), so);
  ASSERT_TRUE(cold.ok()) << cold.status().ToString();
  const int cold_req = proxy.Count();
  const int64_t cold_bytes = proxy.ResponseBytes();
  proxy.ResetCounts();
  q[0] = 0.5f;
  auto warm = (*t)->Search(q.data(), q.size(), so);
  ASSERT_TRUE(warm.ok()) << warm.status().ToString();
  const int warm_req = proxy.Count();
  const int64_t warm_bytes = proxy.ResponseBytes();
  Endpoint(Srv()->moto->endpoint());
  EXPECT_GT(cold_req, 0);
  EXPECT_LT(warm_req, cold_req);
  EXPECT_LT(warm_bytes, cold_bytes);
  std::cerr << "search on S3, 10000 rows x 64-d in 5 files: cold " << cold_req << " requests " << cold_bytes
            << " bytes; warm " << warm_req << " requests " << warm_bytes << " bytes\n";
}

}  // namespace
}  // namespace ailake::cli
