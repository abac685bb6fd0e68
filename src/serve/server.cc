#include "serve/server.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <exception>
#include <regex>
#include <thread>

#include "serve/json_codec.h"
#include "serve/routes.h"
#include "serve/serve_context.h"

namespace ailake::serve {

namespace {

void SetError(httplib::Response& res, int http, const std::string& code, const std::string& message) {
  res.status = http;
  res.set_content(ErrorBody(code, message), "application/json");
}

// Compares without an early exit, so the time taken does not tell how much of the token matched.
bool SameToken(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

const char* ReasonCode(int status) {
  switch (status) {
    case 400: return "InvalidArgument";
    case 401: return "Unauthenticated";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 413: return "PayloadTooLarge";
    case 414: return "UriTooLong";
    case 503: return "Unavailable";
    default: return status >= 500 ? "Internal" : "InvalidArgument";
  }
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
  return false;
}

Server::Server(Warehouse& warehouse, const ServerOptions& options)
    : options_(options),
      ctx_(std::make_unique<ServeContext>(warehouse, options.embedder, options.limits)),
      http_(std::make_unique<httplib::Server>()) {}

Server::~Server() {
  Stop();
}

Result<std::unique_ptr<Server>> Server::Create(Warehouse& warehouse, const ServerOptions& options) {
  AILAKE_RETURN_IF_ERROR(options.limits.Validate());
  if (options.host.empty()) return Status::InvalidArgument("--host is empty");
  if (options.token.empty() && !IsLoopbackHost(options.host)) {
    return Status::InvalidArgument("refusing to serve on " + options.host +
                                   " without a token: give --token or $AILAKE_SERVE_TOKEN (only a loopback address may "
                                   "serve without one)");
  }
  if (options.port < 0 || options.port > 65535) return Status::InvalidArgument("--port must be in [0, 65535]");
  std::unique_ptr<Server> s(new Server(warehouse, options));
  s->Install();
  if (options.port == 0) {
    s->port_ = s->http_->bind_to_any_port(options.host);
    if (s->port_ <= 0) return Status::IOError("cannot bind " + options.host + " on any port");
  } else {
    if (!s->http_->bind_to_port(options.host, options.port)) {
      return Status::IOError("cannot bind " + options.host + ":" + std::to_string(options.port) +
                             " (in use, or not an address of this machine)");
    }
    s->port_ = options.port;
  }
  return s;
}

void Server::Install() {
  httplib::Server& svr = *http_;
  const ServeLimits& limits = options_.limits;
  const size_t threads = limits.worker_threads();
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_payload_max_length(limits.max_body_bytes);
  const time_t sec = limits.request_timeout_ms / 1000;
  const time_t usec = static_cast<time_t>(limits.request_timeout_ms % 1000) * 1000;
  svr.set_read_timeout(sec, usec);
  svr.set_write_timeout(sec, usec);
  svr.set_keep_alive_timeout(5);
  svr.set_keep_alive_max_count(1000);
  svr.set_tcp_nodelay(true);  // answers are one write each; Nagle + delayed ACK would add ~40-80 ms per request

  ServeContext* ctx = ctx_.get();
  const std::string token = options_.token;
  // Before routing (and before any body is read): count the request, check the token.
  svr.set_pre_routing_handler([ctx, token](const httplib::Request& req, httplib::Response& res) {
    ctx->requests.fetch_add(1);
    if (token.empty() || req.path.rfind("/v1/", 0) != 0) return httplib::Server::HandlerResponse::Unhandled;
    const std::string auth = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (auth.size() <= prefix.size() || auth.compare(0, prefix.size(), prefix) != 0 ||
        !SameToken(auth.substr(prefix.size()), token)) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"ailake\"");
      SetError(res, 401, "Unauthenticated",
               auth.empty() ? "this server needs a bearer token: send 'Authorization: Bearer <token>'"
                            : "the bearer token is wrong");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Errors httplib answers itself (404 for an unknown path, 413 for a body over the limit, ...) get
  // the JSON error body too.
  const size_t max_body = limits.max_body_bytes;
  svr.set_error_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message;
    if (res.status == 413) {
      message = "the request body is larger than this server accepts (--max-body-bytes " + std::to_string(max_body) + ")";
    } else if (res.status == 404) {
      message = "no route " + req.method + " " + req.path + " (see /openapi.json)";
    } else {
      message = std::string("HTTP ") + std::to_string(res.status);
    }
    res.set_content(ErrorBody(ReasonCode(res.status), message), "application/json");
  });
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SetError(res, 500, "Internal", "the server failed answering this request: " + what);
  });

  for (const Route& route : AllRoutes()) {
    const Route* r = &route;
    const int retry_after = limits.retry_after_s;
    auto hold = options_.test_hold;
    httplib::Server::Handler h = [ctx, r, retry_after, hold](const httplib::Request& req, httplib::Response& res) {
      std::optional<AdmissionGate::Slot> slot;
      if (r->admitted) {
        slot.emplace(ctx->gate);
        if (!slot->entered()) {
          res.set_header("Retry-After", std::to_string(retry_after));
          SetError(res, 503, "Unavailable",
                   "the server is working on its maximum of " + std::to_string(ctx->limits.max_concurrency) +
                       " requests (--max-concurrency); retry after " + std::to_string(retry_after) + " s");
          return;
        }
      }
      try {
        if (hold) hold(r->path);
        RouteRequest rr;
        for (size_t i = 1; i < req.matches.size(); ++i) rr.params.push_back(req.matches[i].str());
        rr.body = req.body;
        Result<Reply> reply = r->handler(*ctx, rr);
        if (!reply.ok()) {
          res.status = HttpStatusFor(reply.status().code());
          res.set_content(ErrorBody(reply.status()), "application/json");
          return;
        }
        res.status = reply->status;
        res.set_content(std::move(reply->body), reply->content_type.c_str());
      } catch (const std::exception& e) {
        SetError(res, 500, "Internal", std::string(r->method) + " " + r->path + " failed: " + e.what());
      } catch (...) {
        SetError(res, 500, "Internal", std::string(r->method) + " " + r->path + " failed with an unknown exception");
      }
    };
    const std::string pattern = PathRegex(r->path);
    if (std::string(r->method) == "GET") {
      svr.Get(pattern, h);
    } else {
      svr.Post(pattern, h);
    }
  }
}

Status Server::Serve() {
  serving_.store(true);
  if (stop_requested_.load()) {
    done_.store(true);
    return Status::OK();
  }
  const bool ok = http_->listen_after_bind();
  done_.store(true);
  if (!ok && !stop_requested_.load()) return Status::IOError("the HTTP server stopped: its listening socket failed");
  return Status::OK();
}

void Server::Stop() {
  stop_requested_.store(true);
  // Serve() either saw the request (and returns at once) or is entering listen: wait until httplib
  // runs, then stop it (httplib ignores a stop() before it runs).
  while (serving_.load() && !done_.load()) {
    if (http_->is_running()) {
      http_->stop();
      return;
    }
    std::this_thread::yield();
  }
}

}  // namespace ailake::serve
