// Search through `ailake serve` next to in-process Table::Search: a table of N rows x D dims in F
// files (HNSW per file, built with the public API), a server on loopback, and 1, 8 and 32 clients
// (one keep-alive connection each) sending single-vector searches (k=10, ids only).
//
//   serve_bench [--rows 100000] [--dim 384] [--files 4] [--queries 400] [--dir PATH] [--keep]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ailake/ailake.h"
#include "bench_table.h"
#include "serve/server.h"

namespace {

using bench::Ms;

void Report(const std::string& what, std::vector<double> ms, double wall_s) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-34s n=%5zu  QPS %8.1f  p50 %7.3f ms  p99 %7.3f ms\n", what.c_str(), ms.size(), ms.size() / wall_s,
              ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]);
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 100000, dim = 384, files = 4, queries = 400;
  std::string dir = (std::filesystem::temp_directory_path() / "ailake_serve_bench").string();
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (!std::strcmp(argv[i], "--rows")) rows = std::stoul(next());
    else if (!std::strcmp(argv[i], "--dim")) dim = std::stoul(next());
    else if (!std::strcmp(argv[i], "--files")) files = std::stoul(next());
    else if (!std::strcmp(argv[i], "--queries")) queries = std::stoul(next());
    else if (!std::strcmp(argv[i], "--dir")) dir = next();
    else if (!std::strcmp(argv[i], "--keep")) keep = true;
    else return std::fprintf(stderr, "unknown flag %s\n", argv[i]), 2;
  }
  auto wh = ailake::Warehouse::Open(dir, {.create = true});
  if (!wh.ok()) return std::fprintf(stderr, "%s\n", wh.status().ToString().c_str()), 1;
  bench::ClusteredVectors gen(dim);
  std::unique_ptr<ailake::Table> table = bench::OpenOrBuildTable(**wh, dir, rows, dim, files, gen);
  if (!table) return 1;
  std::vector<float> qs(queries * dim);
  for (size_t q = 0; q < queries; ++q) gen.Next(qs.data() + q * dim);
  std::vector<std::string> bodies;
  for (size_t q = 0; q < queries; ++q) {
    nlohmann::json j = {{"vector", std::vector<float>(qs.begin() + q * dim, qs.begin() + (q + 1) * dim)}, {"k", 10}};
    bodies.push_back(j.dump());
  }
  std::printf("request body: %.1f KB\n", bodies[0].size() / 1e3);
  ailake::SearchOptions so;
  so.k = 10;
  for (size_t q = 0; q < queries; ++q) (void)table->Search(qs.data() + q * dim, dim, so);  // warm
  {
    std::vector<double> ms;
    const auto w0 = std::chrono::steady_clock::now();
    for (size_t q = 0; q < queries; ++q) {
      auto s = std::chrono::steady_clock::now();
      auto r = table->Search(qs.data() + q * dim, dim, so);
      ms.push_back(Ms(std::chrono::steady_clock::now() - s));
      if (!r.ok()) return std::fprintf(stderr, "%s\n", r.status().ToString().c_str()), 1;
    }
    Report("in-process Table::Search, 1 thread", ms, Ms(std::chrono::steady_clock::now() - w0) / 1000);
  }

  ailake::serve::ServerOptions o;
  o.limits.max_concurrency = 64;
  auto server = ailake::serve::Server::Create(**wh, o);
  if (!server.ok()) return std::fprintf(stderr, "%s\n", server.status().ToString().c_str()), 1;
  std::thread serving([&] { (void)(*server)->Serve(); });
  const int port = (*server)->port();
  {  // warm the server's own handle
    httplib::Client c("127.0.0.1", port);
    for (size_t q = 0; q < queries; ++q) (void)c.Post("/v1/tables/bench/search", bodies[q], "application/json");
  }
  for (int clients : {1, 8, 32}) {
    std::vector<std::vector<double>> lat(clients);
    std::atomic<size_t> errors{0};
    const size_t per_client = std::max<size_t>(queries / clients, 25);
    const auto w0 = std::chrono::steady_clock::now();
    std::vector<std::thread> ts;
    for (int c = 0; c < clients; ++c) {
      ts.emplace_back([&, c] {
        httplib::Client cli("127.0.0.1", port);
        cli.set_keep_alive(true);
        cli.set_tcp_nodelay(true);
        for (size_t i = 0; i < per_client; ++i) {
          const std::string& body = bodies[(c * per_client + i) % queries];
          auto s = std::chrono::steady_clock::now();
          auto r = cli.Post("/v1/tables/bench/search", body, "application/json");
          lat[c].push_back(Ms(std::chrono::steady_clock::now() - s));
          if (!r || r->status != 200) {
            if (errors++ == 0) {
              std::fprintf(stderr, "first error: %s\n", r ? (std::to_string(r->status) + " " + r->body).c_str() : httplib::to_string(r.error()).c_str());
            }
          }
        }
      });
    }
    for (auto& t : ts) t.join();
    const double wall = Ms(std::chrono::steady_clock::now() - w0) / 1000;
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    Report("serve POST /search, " + std::to_string(clients) + " client(s)", all, wall);
    if (errors) std::printf("  errors: %zu\n", errors.load());
  }
  (*server)->Stop();
  serving.join();
  if (!keep) {
    table.reset();
    (void)(*wh)->DropTable("bench", true);
  }
  return 0;
}
