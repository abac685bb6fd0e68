// The http embedder against a real HTTP server (cpp-httplib) on 127.0.0.1.
#include "embed/http_embedder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

namespace ailake::embed {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::vector<float> Vec(std::string_view text, size_t dim) {
  unsigned sum = 0;
  for (unsigned char c : text) sum += c;
  std::vector<float> v{static_cast<float>(text.size())};
  for (size_t j = 1; j < dim; ++j) v.push_back(static_cast<float>(j) + static_cast<float>(sum % 97) / 4.0f);
  return v;
}

// {"data": [{"index": i, "embedding": Vec(input[i])}, ...]} in reverse order (clients must sort by index).
json OkBody(const json& req, size_t dim) {
  json data = json::array();
  const json& input = req["input"];
  for (size_t i = input.size(); i-- > 0;) {
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", Vec(input[i].get<std::string>(), dim)}});
  }
  return {{"object", "list"}, {"data", data}, {"model", req.value("model", "")}};
}

struct Seen {
  std::string path;
  std::string target;  // path and query string as sent
  std::string auth;
  json body;
  Clock::time_point at;
};

class HttpEmbedderTest : public ::testing::Test {
 protected:
  using Handler = std::function<void(int n, const json& req, httplib::Response& res)>;

  void SetUp() override {
    ::unsetenv("AILAKE_EMBED_API_KEY");
    ::unsetenv("OPENAI_API_KEY");
    ::setenv("no_proxy", "127.0.0.1", 1);  // an http_proxy in the environment must not catch loopback
    handler_ = [](int, const json& req, httplib::Response& res) { Reply(res, OkBody(req, 4)); };
    auto serve = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
    server_.Post("/v1/embeddings", serve);
    server_.Post("/custom/embeddings", serve);
    server_.set_keep_alive_timeout(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already listens (connections queue); wait only until stop() can see the loop.
    while (!server_.is_running()) std::this_thread::yield();
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
    server_.stop();
    thread_.join();
    ::unsetenv("AILAKE_EMBED_API_KEY");
    ::unsetenv("OPENAI_API_KEY");
  }

  static void Reply(httplib::Response& res, const json& body, int status = 200) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    int n;
    json body = json::parse(req.body, nullptr, false);
    {
      std::lock_guard<std::mutex> lock(mu_);
      n = static_cast<int>(seen_.size());
      seen_.push_back({req.path, req.target, req.get_header_value("Authorization"), body, Clock::now()});
    }
    handler_(n, body, res);
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  std::unique_ptr<Embedder> Make(const std::string& spec, EmbedderOptions o = {}) {
    auto e = MakeEmbedder(spec, o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  static EmbedderOptions Fast() {
    EmbedderOptions o;
    o.initial_backoff_ms = 10;
    o.timeout_ms = 5000;
    return o;
  }

  // Runs Embed expecting an error with every phrase in its message; returns the message.
  static std::string ExpectError(Embedder& e, std::initializer_list<std::string> phrases, StatusCode code) {
    std::vector<float> out{7.0f};
    Status st = e.Embed({"alpha", "beta"}, &out);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.code(), code) << st.ToString();
    for (const auto& p : phrases) {
      EXPECT_NE(st.message().find(p), std::string::npos) << "'" << p << "' not in: " << st.message();
    }
    EXPECT_EQ(out.size(), 1u);
    return st.message();
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  Handler handler_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;  // TearDown wakes handlers that wait
  std::vector<Seen> seen_;
};

TEST_F(HttpEmbedderTest, EmbedsInIndexOrderAndSendsModel) {
  auto spec = "http:" + Url() + ",model=m1";
  auto e = Make(spec);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->model().name, "m1");
  EXPECT_EQ(e->Describe(), spec);
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"alpha", "beta", "gamma"}, &out).ok());
  std::vector<float> want;
  for (auto t : {"alpha", "beta", "gamma"}) {
    auto v = Vec(t, 4);
    want.insert(want.end(), v.begin(), v.end());
  }
  EXPECT_EQ(out, want);
  EXPECT_EQ(e->model().dim, 4u);
  auto s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].path, "/v1/embeddings");
  EXPECT_EQ(s[0].body, json({{"model", "m1"}, {"input", {"alpha", "beta", "gamma"}}}));
  EXPECT_EQ(s[0].auth, "");  // no key in the environment
  EXPECT_EQ(e->stats().requests, 1u);
  EXPECT_EQ(e->stats().texts, 3u);
}

TEST_F(HttpEmbedderTest, ModelFieldFromOptionsOrOmitted) {
  EmbedderOptions o;
  o.model_name = "from-cli";
  o.model_version = "3";
  auto named = Make("http:" + Url() + "/", o);
  std::vector<float> out;
  ASSERT_TRUE(named->Embed({"a"}, &out).ok());
  EXPECT_EQ(named->model().Id(), "from-cli@3");
  auto anonymous = Make(Url() + "/custom/embeddings");  // a bare URL spec, a full endpoint path
  ASSERT_TRUE(anonymous->Embed({"a"}, &out).ok());
  auto s = seen();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].path, "/v1/embeddings");
  EXPECT_EQ(s[0].body["model"], "from-cli");
  EXPECT_EQ(s[1].path, "/custom/embeddings");
  EXPECT_FALSE(s[1].body.contains("model"));
}

// The spec's model=NAME@VERSION is ailake's identity; the server gets NAME only (it does not know
// ailake's versions). Planted bug: sending the whole "big-embed@2" made this test fail.
TEST_F(HttpEmbedderTest, VersionedModelSendsTheNameOnly) {
  auto e = Make("http:" + Url() + ",model=big-embed@2,dim=4");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->model().Id(), "big-embed@2");
  EXPECT_EQ(e->model().dim, 4u);
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a"}, &out).ok());
  auto s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].body["model"], "big-embed");
}

TEST_F(HttpEmbedderTest, DimensionFromSpecOrProbe) {
  auto fixed = Make("http:" + Url() + ",dim=4");
  EXPECT_EQ(fixed->model().dim, 4u);
  ASSERT_TRUE(fixed->Dimension().ok());
  EXPECT_TRUE(seen().empty());  // known: no probe

  auto probed = Make("http:" + Url() + "/v1");
  auto d = probed->Dimension();
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, 4u);
  EXPECT_EQ(probed->model().dim, 4u);
  ASSERT_TRUE(probed->Dimension().ok());
  auto s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].body["input"], json({"dimension probe"}));

  // dim= binds the responses.
  auto wrong = Make("http:" + Url() + ",dim=5");
  ExpectError(*wrong, {"dim 4 but the model's dim is 5"}, StatusCode::kCorruption);
}

TEST_F(HttpEmbedderTest, RetryAfterIsHonoured) {
  handler_ = [](int n, const json& req, httplib::Response& res) {
    if (n == 0) {
      res.set_header("Retry-After", "1");
      Reply(res, {{"error", "slow down"}}, 429);
    } else {
      Reply(res, OkBody(req, 4));
    }
  };
  auto e = Make("http:" + Url(), Fast());
  std::vector<float> out;
  Status st = e->Embed({"a"}, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto s = seen();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(s[1].at - s[0].at).count(), 900);
  EXPECT_EQ(e->stats().retries, 1u);
  EXPECT_EQ(e->stats().requests, 2u);
}

TEST_F(HttpEmbedderTest, ServerErrorsAreRetried) {
  handler_ = [](int n, const json& req, httplib::Response& res) {
    if (n < 2) {
      Reply(res, {{"error", "overloaded"}}, n == 0 ? 500 : 503);
    } else {
      Reply(res, OkBody(req, 4));
    }
  };
  auto e = Make("http:" + Url(), Fast());
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a", "b"}, &out).ok());
  EXPECT_EQ(out.size(), 8u);
  EXPECT_EQ(seen().size(), 3u);
  EXPECT_EQ(e->stats().retries, 2u);
}

TEST_F(HttpEmbedderTest, PersistentServerErrorGivesUp) {
  handler_ = [](int, const json&, httplib::Response& res) { Reply(res, {{"error", "boom"}}, 500); };
  auto o = Fast();
  o.max_retries = 2;
  auto e = Make("http:" + Url(), o);
  ExpectError(*e, {"HTTP 500", "boom", "gave up after 3 attempts", Url() + "/v1/embeddings"}, StatusCode::kUnavailable);
  EXPECT_EQ(seen().size(), 3u);
  EXPECT_EQ(e->stats().retries, 2u);
}

TEST_F(HttpEmbedderTest, ClientErrorIsNotRetried) {
  handler_ = [](int, const json&, httplib::Response& res) {
    res.status = 400;
    res.set_content("bad input: text 1 is too long for this model", "text/plain");
  };
  auto e = Make("http:" + Url(), Fast());
  ExpectError(*e, {"HTTP 400", "bad input: text 1 is too long"}, StatusCode::kIOError);  // remote, not the caller's flags
  EXPECT_EQ(seen().size(), 1u);
  EXPECT_EQ(e->stats().retries, 0u);
}

TEST_F(HttpEmbedderTest, BadResponsesAreClearErrors) {
  struct Case {
    std::function<json(const json&)> body;
    std::vector<std::string> phrases;
    StatusCode code;
  };
  std::vector<Case> cases = {
      {[](const json& r) {
         json b = OkBody(r, 4);
         b["data"].erase(0);
         return b;
       },
       {"returned 1 embeddings for 2 texts"},
       StatusCode::kCorruption},
      {[](const json& r) {
         json b = OkBody(r, 4);
         b["data"][0]["embedding"].push_back(1.0);
         return b;
       },
       {"expected dim"},
       StatusCode::kCorruption},
      {[](const json& r) {
         json b = OkBody(r, 4);
         b["data"][1]["embedding"][2] = nullptr;
         return b;
       },
       {"non-finite", "null", "element 2"},
       StatusCode::kCorruption},
      {[](const json& r) {
         json b = OkBody(r, 4);
         b["data"][0]["embedding"][0] = "Infinity";
         return b;
       },
       {"non-finite", "\"Infinity\""},
       StatusCode::kCorruption},
      {[](const json& r) {
         json b = OkBody(r, 4);
         b["data"][0].erase("index");
         return b;
       },
       {"data[0] has no integer \"index\""},
       StatusCode::kCorruption},
      {[](const json& r) {
         json b = OkBody(r, 4);
         b["data"][0]["index"] = b["data"][1]["index"];
         return b;
       },
       {"appears twice"},
       StatusCode::kCorruption},
      {[](const json& r) {
         json b = OkBody(r, 4);
         b["data"][0]["index"] = 2;
         return b;
       },
       {"index 2, outside 0..1"},
       StatusCode::kCorruption},
      {[](const json&) { return json("not an object"); }, {"not a JSON object"}, StatusCode::kCorruption},
      {[](const json&) { return json({{"embeddings", json::array()}}); }, {"without a \"data\" array"},
       StatusCode::kCorruption},
  };
  for (const auto& c : cases) {
    handler_ = [&](int, const json& req, httplib::Response& res) { Reply(res, c.body(req)); };
    auto e = Make("http:" + Url(), Fast());
    std::initializer_list<std::string> none{};
    std::string msg = ExpectError(*e, none, c.code);
    for (const auto& p : c.phrases) EXPECT_NE(msg.find(p), std::string::npos) << p << " not in " << msg;
  }
  EXPECT_EQ(seen().size(), cases.size());  // none retried

  // Learned dim: a later response of another dim is an error.
  const int first = static_cast<int>(cases.size());
  handler_ = [first](int n, const json& req, httplib::Response& res) { Reply(res, OkBody(req, n == first ? 4 : 6)); };
  auto e = Make("http:" + Url(), Fast());
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a"}, &out).ok());
  ExpectError(*e, {"dim 6 but the model's dim is 4"}, StatusCode::kCorruption);
}

TEST_F(HttpEmbedderTest, SlowServerTimesOutAndRetries) {
  handler_ = [this](int, const json& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return released_; });
    Reply(res, OkBody(req, 4));
  };
  auto o = Fast();
  o.timeout_ms = 300;
  o.max_retries = 1;
  auto e = Make("http:" + Url(), o);
  ExpectError(*e, {"timed out after 300 ms", "gave up after 2 attempts"}, StatusCode::kTimeout);
  EXPECT_EQ(e->stats().requests, 2u);
  EXPECT_EQ(e->stats().retries, 1u);
}

TEST_F(HttpEmbedderTest, ConnectionRefusedNamesTheUrl) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // bound, never listened, closed: nobody accepts on this port
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto o = Fast();
  o.max_retries = 1;
  auto e = Make("http:" + url, o);
  ExpectError(*e, {url + "/v1/embeddings", "gave up after 2 attempts", "onnect"}, StatusCode::kUnavailable);
  EXPECT_EQ(e->stats().retries, 1u);
}

TEST_F(HttpEmbedderTest, ApiKeyIsSentButNeverShown) {
  const std::string key = "sk-ailake-test-0123456789abcdef";
  ASSERT_EQ(::setenv("OPENAI_API_KEY", "sk-the-fallback-key", 1), 0);
  ASSERT_EQ(::setenv("AILAKE_EMBED_API_KEY", key.c_str(), 1), 0);  // preferred
  auto e = Make("http:" + Url() + ",model=m");
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a"}, &out).ok());
  // A server that echoes the request headers into its error body must not leak the key.
  handler_ = [this](int, const json&, httplib::Response& res) {
    res.status = 401;
    res.set_content("invalid key: " + seen().back().auth, "text/plain");
  };
  std::string msg = ExpectError(*e, {"HTTP 401", "invalid key: Bearer <redacted>"}, StatusCode::kIOError);
  EXPECT_EQ(msg.find(key), std::string::npos);
  EXPECT_EQ(e->Describe().find(key), std::string::npos);
  auto s = seen();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].auth, "Bearer " + key);

  ::unsetenv("AILAKE_EMBED_API_KEY");
  auto fallback = Make("http:" + Url());
  handler_ = [](int, const json& req, httplib::Response& res) { Reply(res, OkBody(req, 4)); };
  ASSERT_TRUE(fallback->Embed({"a"}, &out).ok());
  EXPECT_EQ(seen().back().auth, "Bearer sk-the-fallback-key");
}

TEST_F(HttpEmbedderTest, AtMostConcurrencyRequestsInFlight) {
  // Each request waits until a second one is in flight (or no more can come), so with a working
  // limit of 2 the server sees exactly 2 at a time; a missing limit would show up as more.
  constexpr int kCalls = 6;
  int in_flight = 0, max_in_flight = 0, arrivals = 0;
  uint64_t pairs = 0;
  handler_ = [&](int, const json& req, httplib::Response& res) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++arrivals;
      max_in_flight = std::max(max_in_flight, ++in_flight);
      if (in_flight >= 2) {
        ++pairs;
        cv_.notify_all();
      } else {
        uint64_t mine = pairs;
        cv_.wait_for(lock, std::chrono::seconds(5), [&] { return pairs > mine || arrivals >= kCalls || released_; });
      }
      --in_flight;
    }
    Reply(res, OkBody(req, 4));
  };
  EmbedderOptions o = Fast();
  o.concurrency = 2;
  auto e = Make("http:" + Url(), o);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      std::vector<float> out;
      std::string text = "text " + std::to_string(i);
      if (!e->Embed({text}, &out).ok() || out != Vec(text, 4)) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(arrivals, kCalls);
  EXPECT_EQ(max_in_flight, 2);
}

// Secrets a server echoes back, in every encoding, never reach a message; the query string reaches
// the server intact. Guards RedactSecrets: the old Redact (raw API key only) left the JSON-escaped
// and percent-encoded key and the query key in the message, and appended /v1/embeddings after the
// query string.
TEST_F(HttpEmbedderTest, SecretsEchoedInAnyEncodingAreRedacted) {
  const std::string key = "sk-a/b+c\"quote\"-0123456789";
  ASSERT_EQ(::setenv("AILAKE_EMBED_API_KEY", key.c_str(), 1), 0);
  const std::string qkey = "q-secret/value+42";
  auto e = Make("http:" + Url() + "/custom/embeddings?api-version=2024-02-01&key=q-secret%2Fvalue%2B42,model=m");
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a"}, &out).ok());
  ASSERT_EQ(seen().back().target, "/custom/embeddings?api-version=2024-02-01&key=q-secret%2Fvalue%2B42");
  handler_ = [this](int, const json&, httplib::Response& res) {
    const std::string auth = seen().back().auth;
    res.status = 400;
    res.set_content("raw=" + auth + " json=" + json(auth).dump() + " slashes=" + auth.substr(0, 11) + "\\/" +
                        auth.substr(12) + " url=" + httplib::detail::encode_query_param(auth) +
                        " lower=sk-a%2fb%2bc%22quote%22-0123456789 query=" + seen().back().target,
                    "text/plain");
  };
  std::string msg = ExpectError(*e, {"HTTP 400", "<redacted>"}, StatusCode::kIOError);
  for (const std::string& leak : {key, std::string("quote\\\"-0123456789"), std::string("0123456789"), qkey,
                                  std::string("q-secret%2Fvalue%2B42"), std::string("q-secret")}) {
    EXPECT_EQ(msg.find(leak), std::string::npos) << "'" << leak << "' leaked in: " << msg;
  }
  EXPECT_NE(msg.find("api-version=2024-02-01"), std::string::npos) << msg;  // not a secret: kept
  EXPECT_EQ(e->Describe().find("q-secret"), std::string::npos) << e->Describe();
}

// URL userinfo is sent by curl as Basic auth; echoed back raw, decoded or base64, it is redacted.
TEST_F(HttpEmbedderTest, UrlCredentialsAreRedacted) {
  std::string url = Url();
  url.insert(url.find("://") + 3, "alice:pa%24%24word@");
  auto e = Make("http:" + url + ",model=m");
  std::vector<float> out;
  ASSERT_TRUE(e->Embed({"a"}, &out).ok());
  ASSERT_NE(seen().back().auth.find("Basic "), std::string::npos);
  handler_ = [this](int, const json&, httplib::Response& res) {
    res.status = 403;
    res.set_content("who=" + seen().back().auth + " user=alice:pa$$word", "text/plain");
  };
  std::string msg = ExpectError(*e, {"HTTP 403"}, StatusCode::kIOError);
  for (const std::string& leak : {std::string("pa$$word"), std::string("pa%24%24word"),
                                  seen().back().auth.substr(6)}) {
    EXPECT_EQ(msg.find(leak), std::string::npos) << "'" << leak << "' leaked in: " << msg;
  }
  EXPECT_EQ(e->Describe().find("alice"), std::string::npos) << e->Describe();
}

TEST(HttpEmbedderSpec, EndpointsRedactionAndErrors) {
  // A query string is kept, after the completed path.
  EXPECT_EQ(HttpEmbeddingsEndpoint("https://h/openai/d?api-version=1"), "https://h/openai/d/v1/embeddings?api-version=1");
  EXPECT_EQ(HttpEmbeddingsEndpoint("https://h/v1?x=1#f"), "https://h/v1/embeddings?x=1#f");
  EXPECT_EQ(HttpEmbeddingsEndpoint("http://h:1"), "http://h:1/v1/embeddings");
  EXPECT_EQ(HttpEmbeddingsEndpoint("http://h:1/"), "http://h:1/v1/embeddings");
  EXPECT_EQ(HttpEmbeddingsEndpoint("https://api.openai.com/v1/"), "https://api.openai.com/v1/embeddings");
  EXPECT_EQ(HttpEmbeddingsEndpoint("http://h/x/embeddings"), "http://h/x/embeddings");
  EXPECT_EQ(RedactUrl("https://user:pw@h:1/p?api_key=s3cret"), "https://***@h:1/p?api_key=***");
  EXPECT_EQ(RedactUrl("http://h:1/p"), "http://h:1/p");

  auto e = MakeEmbedder("http:https://user:pw@example.com/v1?key=s3cret,model=m");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->Describe(), "http:https://***@example.com/v1?key=***,model=m");
  auto openai = MakeEmbedder("http:https://api.openai.com,model=text-embedding-3-small");
  ASSERT_TRUE(openai.ok());
  EXPECT_EQ((*openai)->model().name, "text-embedding-3-small");

  for (std::string bad : {"http:", "http:ftp://h", "http:localhost:8080", "http:http://h,dim=0", "http:http://h,dim=x",
                          "http:http://h,colour=blue", "http:http://h,model"}) {
    auto r = MakeEmbedder(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace ailake::embed
