// The `ailake serve` HTTP server: the route table (routes.h) over cpp-httplib, with bearer auth,
// body and concurrency limits, JSON errors, and a graceful stop.
//
//   auto wh = Warehouse::Open(dir);
//   auto server = Server::Create(**wh, options);      // validates options, binds the port
//   std::thread t([&] { (void)(*server)->Serve(); });  // blocks until Stop()
//   (*server)->Stop();                                 // stop accepting, finish in-flight requests
//
// Thread safety: Stop() may be called from any thread (a signal-watching thread, say), any time
// after Create, also before Serve starts (Serve then returns at once).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "ailake/embedder.h"
#include "ailake/status.h"
#include "ailake/warehouse.h"
#include "serve/limits.h"

namespace httplib {
class Server;
}

namespace ailake::serve {

struct ServeContext;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;            // 0 = any free port (port() tells which)
  std::string token{};     // bearer token for /v1/ routes; required unless host is loopback
  ServeLimits limits{};
  Embedder* embedder = nullptr;  // text queries and rows without vectors; not owned
  // Test only: called by every admitted request after admission, with the route's path template,
  // before its handler runs (tests hold requests here to fill the server).
  std::function<void(const std::string& route)> test_hold{};
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);

class Server {
 public:
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // InvalidArgument for bad options (a non-loopback host without a token, limits out of range);
  // IOError when the address cannot be bound.
  static Result<std::unique_ptr<Server>> Create(Warehouse& warehouse, const ServerOptions& options);

  int port() const { return port_; }
  const std::string& host() const { return options_.host; }
  // Answers requests until Stop(); then in-flight requests finish before it returns.
  Status Serve();
  void Stop();
  ServeContext& context() { return *ctx_; }

 private:
  Server(Warehouse& warehouse, const ServerOptions& options);
  void Install();

  ServerOptions options_;
  std::unique_ptr<ServeContext> ctx_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  std::atomic<bool> serving_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> done_{false};
};

}  // namespace ailake::serve
