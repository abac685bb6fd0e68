// Test support for serve_tests: a warehouse with one small table, a server on a loopback port run
// by a thread, and a gate that holds requests inside the server.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ailake/warehouse.h"
#include "serve/json_codec.h"
#include "serve/server.h"
#include "testing/temp_dir.h"

namespace ailake::serve::test {

constexpr uint32_t kDim = 8;
constexpr const char* kModel = "h8@1";
constexpr const char* kEmbedSpec = "hash:dim=8,model=h8@1";

inline std::vector<float> RandomVector(std::mt19937& rng) {
  std::normal_distribution<float> d;
  std::vector<float> v(kDim);
  for (auto& x : v) x = d(rng);
  return v;
}

// Holds requests of one route inside the server until Open(); Wait(n) returns when n are held.
class Gate {
 public:
  void Hold() {
    std::unique_lock<std::mutex> l(mu_);
    ++held_;
    cv_.notify_all();
    cv_.wait(l, [&] { return open_; });
  }
  void WaitHeld(int n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return held_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int held_ = 0;
  bool open_ = false;
};

class Fixture {
 public:
  explicit Fixture(size_t seed_rows = 20) : dir_("serve") {
    auto wh = Warehouse::Open(dir_.str(), {.create = true});
    EXPECT_TRUE(wh.ok()) << wh.status().ToString();
    warehouse_ = std::move(*wh);
    CreateTableOptions o;
    o.model = {.name = "h8", .version = "1", .dim = kDim};
    o.storage.index = IndexKind::kFlat;
    auto t = warehouse_->CreateTable("docs", o);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    std::mt19937 rng(7);
    RecordBatch b;
    Column id{.name = "id"}, text{.name = "chunk_text"};
    std::vector<float> vecs;
    for (size_t i = 0; i < seed_rows; ++i) {
      id.AppendString("seed-" + std::to_string(i));
      text.AppendString("seed text " + std::to_string(i));
      auto v = RandomVector(rng);
      vecs.insert(vecs.end(), v.begin(), v.end());
    }
    b.columns = {id, text};
    if (seed_rows > 0) {
      auto w = (*t)->Add(b, vecs.data(), kDim, {});
      EXPECT_TRUE(w.ok()) << w.status().ToString();
    }
  }
  ~Fixture() { StopServer(); }

  Warehouse& warehouse() { return *warehouse_; }
  const test_util::TempDir& dir() const { return dir_; }

  // Starts a server with `o` (host/port defaulted to loopback/any) on a thread.
  void StartServer(ServerOptions o = {}) {
    auto s = Server::Create(*warehouse_, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    thread_ = std::thread([this] { serve_status_ = server_->Serve(); });
  }
  void StopServer() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  Server& server() { return *server_; }
  int port() const { return server_->port(); }
  const Status& serve_status() const { return serve_status_; }
  std::unique_ptr<httplib::Client> Client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port());
    c->set_read_timeout(60, 0);
    c->set_connection_timeout(10, 0);
    return c;
  }

 private:
  test_util::TempDir dir_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  Status serve_status_;
};

inline Json Body(const httplib::Result& r) {
  if (!r) return Json();
  Json j = Json::parse(r->body, nullptr, false);
  return j;
}

inline std::string VecJson(const std::vector<float>& v) { return Json(v).dump(); }

}  // namespace ailake::serve::test
