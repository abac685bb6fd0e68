// ailake serve over real loopback connections: concurrency, auth, limits, disconnects, saturation,
// shutdown under load, the OpenAPI document.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "ailake/migration.h"
#include "serve/routes.h"
#include "serve/serve_test_util.h"

namespace ailake::serve::test {
namespace {

int RawConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

TEST(Serve, ConcurrentSearchesAndInsertsLoseNothing) {
  Fixture fx;
  fx.StartServer();
  constexpr int kThreads = 8, kPerThread = 8;
  std::vector<std::vector<std::vector<float>>> inserted(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      auto c = fx.Client();
      for (int i = 0; i < kPerThread; ++i) {
        auto v = RandomVector(rng);
        inserted[t].push_back(v);
        Json row = {{"id", "t" + std::to_string(t) + "-" + std::to_string(i)}, {"chunk_text", "row"}, {"embedding", v}};
        auto r = c->Post("/v1/tables/docs/rows", Json({{"rows", {row}}}).dump(), "application/json");
        if (!r || r->status != 200) {
          ++failures;
          errors[t] = r ? r->body : "no response";
        }
        auto s = c->Post("/v1/tables/docs/search", Json({{"vector", RandomVector(rng)}, {"k", 5}}).dump(), "application/json");
        if (!s || s->status != 200 || Body(s)["hits"].size() != 5) {
          ++failures;
          errors[t] = s ? s->body : "no response";
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0) << [&] { std::string e; for (auto& x : errors) e += x + "\n"; return e; }();
  // Every insert is visible: live rows add up, and each row is its own exact nearest neighbour.
  auto c = fx.Client();
  auto info = c->Get("/v1/tables/docs");
  ASSERT_TRUE(info);
  EXPECT_EQ(Body(info)["live_rows"].get<int64_t>(), 20 + kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      auto s = c->Post("/v1/tables/docs/search", Json({{"vector", inserted[t][i]}, {"k", 1}, {"exact", true}}).dump(),
                       "application/json");
      ASSERT_TRUE(s);
      ASSERT_EQ(s->status, 200) << s->body;
      EXPECT_EQ(Body(s)["hits"][0]["id"], "t" + std::to_string(t) + "-" + std::to_string(i));
    }
  }
  // nprobe and probe_patience reach the search: one file searched, the rest counted as pruned; a
  // row stays its own nearest neighbour when its file is the one of nearest centroid.
  auto one = c->Post("/v1/tables/docs/search", Json({{"vector", inserted[0][0]}, {"k", 1}, {"nprobe", 1}}).dump(),
                     "application/json");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(Body(one)["files"]["searched"], 1);
  EXPECT_EQ(Body(one)["files"]["searched"].get<int64_t>() + Body(one)["files"]["pruned"].get<int64_t>(),
            Body(one)["files"]["total"].get<int64_t>());
  auto patient = c->Post("/v1/tables/docs/search",
                         Json({{"vector", inserted[0][0]}, {"k", 1}, {"exact", true}, {"probe_patience", 1}}).dump(),
                         "application/json");
  ASSERT_TRUE(patient);
  ASSERT_EQ(patient->status, 200) << patient->body;
  EXPECT_LT(Body(patient)["files"]["searched"].get<int64_t>(), Body(patient)["files"]["total"].get<int64_t>());
  // adaptive_probe reaches the search: at a factor near 0 no other file's bisector bound is below
  // it, so only the file of nearest centroid is searched.
  auto adaptive = c->Post("/v1/tables/docs/search",
                          Json({{"vector", inserted[0][0]}, {"k", 1}, {"exact", true}, {"adaptive_probe", 1e-9}}).dump(),
                          "application/json");
  ASSERT_TRUE(adaptive);
  ASSERT_EQ(adaptive->status, 200) << adaptive->body;
  EXPECT_EQ(Body(adaptive)["files"]["searched"], 1);
  EXPECT_GT(Body(adaptive)["files"]["total"].get<int64_t>(), 1);
  // History: one commit per insert.
  auto h = c->Get("/v1/tables/docs/history");
  ASSERT_TRUE(h);
  EXPECT_EQ(Body(h)["history"].size(), 1u + kThreads * kPerThread);
}

TEST(Serve, BatchAndTextSearchUpsertAndDelete) {
  Fixture fx(0);
  auto emb = MakeEmbedder(kEmbedSpec);
  ASSERT_TRUE(emb.ok());
  ServerOptions o;
  o.embedder = emb->get();
  fx.StartServer(o);
  auto c = fx.Client();
  auto r = c->Post("/v1/tables/docs/rows",
                   R"({"rows": [{"id": "x1", "chunk_text": "the quick brown fox"}, {"id": "x2", "chunk_text": "lazy dog", "lang": "en"}]})",
                   "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["embedded"], 2);
  auto s = c->Post("/v1/tables/docs/search", R"({"texts": ["quick brown fox", "lazy dog"], "k": 1, "columns": ["chunk_text"]})",
                   "application/json");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  Json b = Body(s);
  ASSERT_EQ(b["results"].size(), 2u);
  EXPECT_EQ(b["results"][0]["hits"][0]["id"], "x1");
  EXPECT_EQ(b["results"][1]["hits"][0]["values"]["chunk_text"], "lazy dog");
  // Upsert x1: still one live x1, with the new text.
  r = c->Post("/v1/tables/docs/rows", R"({"mode": "upsert", "rows": [{"id": "x1", "chunk_text": "a red fox"}]})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["replaced"], 1);
  // A duplicate in the default mode is a conflict.
  r = c->Post("/v1/tables/docs/rows", R"({"rows": [{"id": "x1", "chunk_text": "again"}]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  auto d = c->Post("/v1/tables/docs/delete", R"({"ids": ["x1", "nope"]})", "application/json");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->status, 200) << d->body;
  EXPECT_EQ(Body(d)["rows_deleted"], 1);
  EXPECT_EQ(Body(d)["unknown_ids"], Json::array({"nope"}));
  d = c->Post("/v1/tables/docs/delete", R"({"where": "id = 'x2'"})", "application/json");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->status, 200) << d->body;
  EXPECT_EQ(Body(d)["rows_deleted"], 1);
  auto info = c->Get("/v1/tables/docs");
  EXPECT_EQ(Body(info)["live_rows"], 0);
  // Time travel to the first snapshot: the two rows as first inserted.
  auto h = Body(c->Get("/v1/tables/docs/history"));
  const int64_t first = h["history"][0]["snapshot_id"].get<int64_t>();
  s = c->Post("/v1/tables/docs/search", Json({{"text", "quick brown fox"}, {"k", 50}, {"snapshot_id", first}}).dump(),
              "application/json");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  EXPECT_EQ(Body(s)["hits"].size(), 2u);
  EXPECT_EQ(Body(s)["hits"][0]["id"], "x1");
  EXPECT_EQ(Body(s)["snapshot_id"], first);
}

TEST(Serve, ErrorsAreJsonWithMappedCodes) {
  Fixture fx(2);
  fx.StartServer();
  auto c = fx.Client();
  struct Case {
    std::string path, body;
    int status;
    std::string code, needle;
  };
  const std::vector<Case> cases = {
      {"/v1/tables/nope/search", R"({"vector": [1,2,3,4,5,6,7,8]})", 404, "NotFound", "nope"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3]})", 400, "InvalidArgument", "dim"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,"x"]})", 400, "InvalidArgument", "vector[7]"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "k": "ten"})", 400, "InvalidArgument", "'k'"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "k": 1001})", 400, "InvalidArgument", "--max-k"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "topk": 3})", 400, "InvalidArgument", "topk"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "nprobe": 0})", 400, "InvalidArgument", "'nprobe'"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "probe_patience": 0})", 400, "InvalidArgument",
       "'probe_patience'"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "adaptive_probe": -1})", 400, "InvalidArgument",
       "'adaptive_probe'"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "adaptive_probe": "0.1"})", 400, "InvalidArgument",
       "'adaptive_probe'"},
      {"/v1/tables/docs/search", R"({"text": "hello"})", 400, "InvalidArgument", "--embedder"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "where": "nocol = 1"})", 400, "InvalidArgument", "nocol"},
      {"/v1/tables/docs/search", R"({"vector": [1,2,)", 400, "InvalidArgument", "not valid JSON"},
      {"/v1/tables/docs/search", R"([1,2])", 400, "InvalidArgument", "object"},
      {"/v1/tables/docs/search", std::string(100, '[') + std::string(100, ']'), 400, "InvalidArgument", "deeper"},
      {"/v1/tables/docs/rows", R"({"rows": [{"id": "a", "chunk_text": "t"}]})", 400, "InvalidArgument", ""},
      {"/v1/tables/docs/rows", R"({"rows": [{"id": "a", "chunk_text": "t", "n": 1}, {"id": "b", "chunk_text": "u", "n": "x"}]})",
       400, "InvalidArgument", "rows[1].n"},
      {"/v1/tables/docs/rows", R"({"rows": [], "mode": "sideways"})", 400, "InvalidArgument", "mode"},
      {"/v1/tables/docs/delete", R"({})", 400, "InvalidArgument", "where"},
      {"/v1/nothing", R"({})", 404, "NotFound", "no route"},
  };
  for (const auto& k : cases) {
    auto r = c->Post(k.path, k.body, "application/json");
    ASSERT_TRUE(r) << k.path;
    EXPECT_EQ(r->status, k.status) << k.path << " " << k.body << " -> " << r->body;
    Json b = Body(r);
    ASSERT_TRUE(b.is_object()) << r->body;
    EXPECT_EQ(b["error"]["code"], k.code) << r->body;
    EXPECT_NE(b["error"]["message"].get<std::string>().find(k.needle), std::string::npos) << k.needle << " in " << r->body;
  }
  auto m = c->Get("/v1/tables/docs/migration");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 404);
  EXPECT_NE(m->body.find("no migration"), std::string::npos);
  auto e = c->Get("/v1/tables/docs/eval");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 404);
  EXPECT_NE(e->body.find("no evaluation report"), std::string::npos);
}

TEST(Serve, EvalReportFromTheTableFolder) {
  Fixture fx(2);
  fx.StartServer();
  auto c = fx.Client();
  auto info = Body(c->Get("/v1/tables/docs"));
  std::string loc = info["location"];
  for (const char* p : {"file://", "file:"}) {
    if (loc.rfind(p, 0) == 0) {
      loc = loc.substr(std::string(p).size());
      break;
    }
  }
  std::filesystem::create_directories(std::filesystem::path(loc) / "eval");
  std::ofstream(std::filesystem::path(loc) / "eval" / "20240101T000000Z.json") << R"({"recall@10": 0.5})";
  std::ofstream(std::filesystem::path(loc) / "eval" / "20250101T000000Z.json") << R"({"recall@10": 0.9})";
  auto e = c->Get("/v1/tables/docs/eval");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->status, 200) << e->body << " (location " << loc << ")";
  EXPECT_EQ(Body(e)["path"], "eval/20250101T000000Z.json");
  EXPECT_EQ(Body(e)["report"]["recall@10"], 0.9);
}

TEST(Serve, AuthRefusals) {
  Fixture fx(2);
  ServerOptions o;
  o.token = "s3cret-token";
  fx.StartServer(o);
  auto c = fx.Client();
  auto r = c->Get("/v1/tables");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Body(r)["error"]["code"], "Unauthenticated");
  EXPECT_EQ(r->get_header_value("WWW-Authenticate").rfind("Bearer", 0), 0u);
  r = c->Post("/v1/tables/docs/search", {{"Authorization", "Bearer wrong"}}, R"({"vector": [1,2,3,4,5,6,7,8]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = c->Get("/v1/tables", {{"Authorization", "Bearer s3cret-tokenX"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = c->Get("/v1/tables", {{"Authorization", "s3cret-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = c->Get("/v1/tables", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // The page, the API description and the health check carry no table data.
  for (const char* p : {"/", "/openapi.json", "/healthz"}) {
    r = c->Get(p);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << p;
  }
  // Every /v1/ route is marked as needing the token (what the pre-routing check enforces).
  for (const auto& route : AllRoutes()) {
    EXPECT_EQ(route.auth, std::string(route.path).rfind("/v1/", 0) == 0) << route.path;
  }
}

TEST(Serve, TokenRequiredOffLoopback) {
  Fixture fx(0);
  ServerOptions o;
  o.host = "0.0.0.0";
  auto s = Server::Create(fx.warehouse(), o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("token"), std::string::npos);
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  o.token = "t";
  s = Server::Create(fx.warehouse(), o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
}

TEST(Serve, OversizedBodyIs413AndServerKeepsServing) {
  Fixture fx(2);
  ServerOptions o;
  o.limits.max_body_bytes = 4096;
  fx.StartServer(o);
  auto c = fx.Client();
  std::string big = R"({"vector": [)" + std::string(8000, ' ') + "1,2,3,4,5,6,7,8]}";
  auto r = c->Post("/v1/tables/docs/search", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Body(r)["error"]["code"], "PayloadTooLarge");
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("--max-body-bytes"), std::string::npos);
  // A raw client announcing a body over the cap: refused before the handler sees (or the server
  // keeps) any of it. httplib reads and discards what is announced, so the client sends it all.
  int fd = RawConnect(fx.port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "POST /v1/tables/docs/search HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
              "Content-Length: 100000\r\n\r\n" + std::string(100000, '['));
  std::string reply;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, static_cast<size_t>(n));
  close(fd);
  EXPECT_NE(reply.find(" 413 "), std::string::npos) << "reply: [" << reply << "]";
  auto ok = fx.Client()->Post("/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "k": 1})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(Serve, ClientsThatDisconnectMidRequest) {
  Fixture fx(2);
  ServerOptions o;
  o.limits.request_timeout_ms = 2000;
  fx.StartServer(o);
  // Half a body, then gone.
  for (int i = 0; i < 8; ++i) {
    int fd = RawConnect(fx.port());
    ASSERT_GE(fd, 0);
    SendAll(fd, "POST /v1/tables/docs/search HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"vector\": [1,");
    close(fd);
  }
  // Half the headers, then gone.
  for (int i = 0; i < 8; ++i) {
    int fd = RawConnect(fx.port());
    ASSERT_GE(fd, 0);
    SendAll(fd, "GET /v1/tab");
    close(fd);
  }
  // A whole request, gone before the answer.
  for (int i = 0; i < 8; ++i) {
    int fd = RawConnect(fx.port());
    ASSERT_GE(fd, 0);
    const std::string body = R"({"vector": [1,2,3,4,5,6,7,8], "k": 2})";
    SendAll(fd, "POST /v1/tables/docs/search HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    close(fd);
  }
  auto c = fx.Client();
  for (int i = 0; i < 4; ++i) {
    auto r = c->Post("/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "k": 2})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  auto h = c->Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

TEST(Serve, SaturationAnswers503WithRetryAfter) {
  Fixture fx(2);
  Gate gate;
  ServerOptions o;
  o.limits.max_concurrency = 2;
  o.limits.threads = 6;
  o.test_hold = [&](const std::string& route) {
    if (route == "/v1/tables/{name}/search") gate.Hold();
  };
  fx.StartServer(o);
  std::vector<int> statuses(2, 0);
  std::vector<std::thread> held;
  for (int i = 0; i < 2; ++i) {
    held.emplace_back([&, i] {
      auto r = fx.Client()->Post("/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "k": 1})", "application/json");
      statuses[i] = r ? r->status : -1;
    });
  }
  gate.WaitHeld(2);
  auto c = fx.Client();
  auto r = c->Get("/v1/tables");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_EQ(Body(r)["error"]["code"], "Unavailable");
  auto h = c->Get("/healthz");  // never refused for load
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(Body(h)["in_flight"], 2);
  EXPECT_GE(Body(h)["refused"].get<int>(), 1);
  gate.Open();
  for (auto& t : held) t.join();
  EXPECT_EQ(statuses, std::vector<int>({200, 200}));
  r = c->Get("/v1/tables");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(Serve, ShutdownUnderLoadFinishesInFlightAndRefusesNew) {
  Fixture fx(2);
  Gate gate;
  ServerOptions o;
  o.limits.max_concurrency = 8;
  o.test_hold = [&](const std::string& route) {
    if (route == "/v1/tables/{name}/search" || route == "/v1/tables/{name}/rows") gate.Hold();
  };
  fx.StartServer(o);
  constexpr int kHeld = 4;
  std::vector<int> statuses(kHeld, 0);
  std::vector<std::thread> held;
  for (int i = 0; i < kHeld; ++i) {
    held.emplace_back([&, i] {
      httplib::Result r = i % 2 == 0
          ? fx.Client()->Post("/v1/tables/docs/search", R"({"vector": [1,2,3,4,5,6,7,8], "k": 1})", "application/json")
          : fx.Client()->Post("/v1/tables/docs/rows",
                              Json({{"rows", {{{"id", "late-" + std::to_string(i)}, {"chunk_text", "x"},
                                               {"embedding", std::vector<float>(kDim, 0.5f + i)}}}}}).dump(),
                              "application/json");
      statuses[i] = r ? r->status : -1;
    });
  }
  gate.WaitHeld(kHeld);
  std::thread stopper([&] { fx.server().Stop(); });
  stopper.join();  // Stop returns once the listener is closed; Serve waits for the held requests
  // New connections are refused now.
  auto r = fx.Client()->Get("/healthz");
  EXPECT_FALSE(r);
  gate.Open();
  for (auto& t : held) t.join();
  fx.StopServer();
  EXPECT_TRUE(fx.serve_status().ok()) << fx.serve_status().ToString();
  EXPECT_EQ(statuses, std::vector<int>(kHeld, 200));
  // The inserts that were in flight committed.
  auto t = fx.warehouse().OpenTable("docs");
  ASSERT_TRUE(t.ok());
  auto info = (*t)->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->live_rows, 2 + kHeld / 2);
}

TEST(Serve, StopBeforeServeReturnsAtOnce) {
  Fixture fx(0);
  auto s = Server::Create(fx.warehouse(), {});
  ASSERT_TRUE(s.ok());
  (*s)->Stop();
  EXPECT_TRUE((*s)->Serve().ok());
}

TEST(Serve, OpenApiListsEveryRoute) {
  Fixture fx(0);
  fx.StartServer();
  auto r = fx.Client()->Get("/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  Json doc = Body(r);
  ASSERT_TRUE(doc.is_object()) << "not JSON";
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u);
  size_t ops = 0;
  std::set<std::string> ids;
  for (auto& [path, methods] : doc["paths"].items()) {
    for (auto& [method, op] : methods.items()) {
      ++ops;
      ids.insert(op["operationId"].get<std::string>());
      EXPECT_TRUE(op["responses"].contains("200")) << path;
    }
  }
  EXPECT_EQ(ops, AllRoutes().size());
  EXPECT_EQ(ids.size(), AllRoutes().size());
  const std::vector<std::pair<std::string, std::string>> required = {
      {"get", "/v1/tables"}, {"get", "/v1/tables/{name}"}, {"get", "/v1/tables/{name}/history"},
      {"post", "/v1/tables/{name}/search"}, {"post", "/v1/tables/{name}/rows"}, {"post", "/v1/tables/{name}/delete"},
      {"get", "/v1/tables/{name}/migration"}, {"get", "/v1/tables/{name}/eval"}, {"get", "/openapi.json"},
      {"get", "/healthz"}, {"get", "/"}};
  for (const auto& [m, p] : required) {
    ASSERT_TRUE(doc["paths"].contains(p)) << p;
    EXPECT_TRUE(doc["paths"][p].contains(m)) << m << " " << p;
  }
  // Every route in the table answers something other than "no route".
  auto c = fx.Client();
  for (const auto& route : AllRoutes()) {
    std::string path = route.path;
    auto brace = path.find("{name}");
    if (brace != std::string::npos) path.replace(brace, 6, "docs");
    auto res = std::string(route.method) == "GET" ? c->Get(path) : c->Post(path, "{}", "application/json");
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->body.find("no route"), std::string::npos) << route.method << " " << path;
  }
}

}  // namespace
}  // namespace ailake::serve::test

namespace ailake::serve::test {
namespace {

TEST(Serve, MigrationStatusOfAPlannedJob) {
  Fixture fx(10);
  {
    auto t = fx.warehouse().OpenTable("docs");
    ASSERT_TRUE(t.ok());
    MigrationOptions mo;
    mo.embedder_spec = "hash:dim=16,model=h16@1";
    mo.new_model = "h16@1";
    auto job = Migration::Plan(**t, mo);
    ASSERT_TRUE(job.ok()) << job.status().ToString();
  }
  fx.StartServer();
  auto c = fx.Client();
  auto r = c->Get("/v1/tables/docs/migration");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  Json m = Body(r);
  EXPECT_EQ(m["state"], "running");
  EXPECT_EQ(m["old_model"]["id"], kModel);
  EXPECT_EQ(m["new_model"]["id"], "h16@1");
  EXPECT_EQ(m["new_model"]["dim"], 16);
  EXPECT_GE(m["tasks"]["total"].get<int>(), 1);
  EXPECT_EQ(m["rows"]["done"], 0);
  EXPECT_TRUE(m["progress"].contains("rows_per_s"));
  EXPECT_TRUE(m["progress"].contains("eta_s"));
  auto list = Body(c->Get("/v1/tables"));
  EXPECT_EQ(list["tables"][0]["running_migration"], m["job_id"]);
}

}  // namespace
}  // namespace ailake::serve::test
