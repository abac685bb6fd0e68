// Test support (tests only): an HTTP proxy on loopback in front of an S3 server that injects
// failures on a schedule: 500 InternalError, 503 SlowDown, 403 AccessDenied, a connection reset
// (RST, no response), or a stall (the request is read and never answered: the client's timeout). Every request is counted by method, so tests can assert how often a client
// retried. Each proxied request uses its own upstream connection and the client connection is
// closed after one response ("Connection: close" is set both ways), so counts are exact.
//
//   FaultProxy proxy(moto_port);
//   proxy.Script({Fault::k503, Fault::kReset});   // the next two requests fail, then pass-through
//   proxy.Always(Fault::k500, "PUT");              // every PUT fails until Always(kPass)
//   proxy.OutageAfter(12, {Fault::k503SlowDown});  // 12 more requests pass, then all fail until EndOutage()
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ailake::test_util {

// kLoseResponse forwards the request (the server applies it) and then resets the client connection
// instead of answering: the ambiguous case a retried write must handle. kStall reads the request and
// holds the connection without a byte of answer until the client gives up (its request timeout).
enum class Fault { kPass, k500, k503SlowDown, k403, kReset, kLoseResponse, kStall };

class FaultProxy {
 public:
  explicit FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(listen_fd_, 64) == 0 &&
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
    }
    if (::pipe(stop_) != 0) port_ = -1;
    if (port_ > 0) accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~FaultProxy() {
    if (stop_[1] >= 0) {
      char c = 'x';
      (void)!::write(stop_[1], &c, 1);
    }
    if (accept_thread_.joinable()) accept_thread_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers.swap(workers_);
    }
    for (auto& t : workers) t.join();
    ::close(listen_fd_);
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }

  // The next requests (matching `method`, or any when empty) fail as listed, in order.
  void Script(std::vector<Fault> faults, std::string method = "") {
    std::lock_guard<std::mutex> lock(mu_);
    script_.assign(faults.begin(), faults.end());
    script_method_ = std::move(method);
  }
  // Every request matching `method` (any when empty) fails with `f`; Always(kPass) ends it.
  void Always(Fault f, std::string method = "") {
    std::lock_guard<std::mutex> lock(mu_);
    always_ = f;
    always_method_ = std::move(method);
  }
  // Every request fails with probability `rate` (seeded, so a run is repeatable): a 500, a 503
  // SlowDown, a reset, or a lost response, in turn; with `stall_every` N > 0, every Nth of these
  // faults is a stall instead (each costs the client a whole request timeout). Random(0) ends it.
  void Random(double rate, uint64_t seed = 1, int stall_every = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    random_rate_ = rate;
    stall_every_ = stall_every;
    rng_ = seed ? seed : 1;
  }
  // An outage: the next `pass` requests go through, then every request fails, taking the faults of
  // `kinds` in turn, until EndOutage(). Longer than any retry budget, so the client must give up.
  void OutageAfter(int pass, std::vector<Fault> kinds) {
    std::lock_guard<std::mutex> lock(mu_);
    outage_pass_ = pass;
    outage_kinds_ = kinds.empty() ? std::vector<Fault>{Fault::k503SlowDown} : std::move(kinds);
    outage_next_ = 0;
    outage_ = true;
  }
  void EndOutage() {
    std::lock_guard<std::mutex> lock(mu_);
    outage_ = false;
  }
  // Faults injected so far, by every mode (random, script, always, outage).
  int Injected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return injected_;
  }
  // Requests answered with kStall so far.
  int Stalled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stalled_;
  }
  int Count(const std::string& method = "") const {
    std::lock_guard<std::mutex> lock(mu_);
    if (method.empty()) {
      int n = 0;
      for (const auto& [m, c] : counts_) n += c;
      return n;
    }
    auto it = counts_.find(method);
    return it == counts_.end() ? 0 : it->second;
  }
  // Bytes the server sent back (headers and bodies) through the proxy since the last ResetCounts.
  int64_t ResponseBytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return response_bytes_;
  }
  void ResetCounts() {
    std::lock_guard<std::mutex> lock(mu_);
    counts_.clear();
    response_bytes_ = 0;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(p, 2, -1) < 0) continue;
      if (p[1].revents) return;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  static bool WriteAll(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t w = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (w <= 0) return false;
      off += static_cast<size_t>(w);
    }
    return true;
  }

  // Drops any Connection header from an HTTP head and adds "Connection: close".
  static std::string CloseHead(const std::string& head) {
    std::string out;
    size_t pos = 0;
    bool first = true;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      pos = e + 2;
      if (line.empty()) break;
      std::string lower = line;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!first && lower.rfind("connection:", 0) == 0) continue;
      out += line + "\r\n";
      first = false;
    }
    return out + "Connection: close\r\n\r\n";
  }

  Fault Decide(const std::string& method) {
    std::lock_guard<std::mutex> lock(mu_);
    const Fault f = DecideLocked(method);
    if (f != Fault::kPass) ++injected_;
    if (f == Fault::kStall) ++stalled_;
    return f;
  }
  Fault DecideLocked(const std::string& method) {
    counts_[method]++;
    if (always_ != Fault::kPass && (always_method_.empty() || always_method_ == method)) return always_;
    if (!script_.empty() && (script_method_.empty() || script_method_ == method)) {
      Fault f = script_.front();
      script_.pop_front();
      return f;
    }
    if (outage_) {
      if (outage_pass_ > 0) {
        --outage_pass_;
      } else {
        return outage_kinds_[outage_next_++ % outage_kinds_.size()];
      }
    }
    if (random_rate_ > 0) {
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 7;
      rng_ ^= rng_ << 17;
      if (static_cast<double>(rng_ % 1000000) / 1e6 < random_rate_) {
        static constexpr Fault kKinds[] = {Fault::k500, Fault::k503SlowDown, Fault::kReset, Fault::kLoseResponse};
        ++random_injected_;
        if (stall_every_ > 0 && random_injected_ % stall_every_ == 0) return Fault::kStall;
        return kKinds[random_injected_ % 4];
      }
    }
    return Fault::kPass;
  }

  // Holds a connection whose request was read until the client closes it or the proxy stops.
  void Stall(int fd) {
    char tmp[4096];
    for (;;) {
      pollfd p[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(p, 2, -1) < 0) continue;
      if (p[1].revents) return;
      if (p[0].revents & (POLLHUP | POLLERR)) return;
      if (p[0].revents & POLLIN) {
        if (::recv(fd, tmp, sizeof tmp, 0) <= 0) return;
      }
    }
  }

  void Serve(int fd) {
    std::string buf;
    char tmp[65536];
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t r = ::recv(fd, tmp, sizeof tmp, 0);
      if (r <= 0 || buf.size() > (1 << 20)) {
        ::close(fd);
        return;
      }
      buf.append(tmp, static_cast<size_t>(r));
    }
    std::string head = buf.substr(0, head_end + 4);
    std::string body = buf.substr(head_end + 4);
    size_t content_length = 0;
    {
      std::string lower = head;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto p = lower.find("\r\ncontent-length:");
      if (p != std::string::npos) content_length = std::stoul(lower.substr(p + 17));
    }
    while (body.size() < content_length) {
      ssize_t r = ::recv(fd, tmp, sizeof tmp, 0);
      if (r <= 0) {
        ::close(fd);
        return;
      }
      body.append(tmp, static_cast<size_t>(r));
    }
    const std::string method = head.substr(0, head.find(' '));
    const Fault f = Decide(method);
    auto error = [&](const std::string& status, const std::string& code) {
      const std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                              "</Code><Message>injected by the test proxy</Message></Error>";
      WriteAll(fd, "HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " +
                       std::to_string(method == "HEAD" ? 0 : xml.size()) + "\r\nConnection: close\r\n\r\n" +
                       (method == "HEAD" ? "" : xml));
    };
    switch (f) {
      case Fault::k500: error("500 Internal Server Error", "InternalError"); break;
      case Fault::k503SlowDown: error("503 Slow Down", "SlowDown"); break;
      case Fault::k403: error("403 Forbidden", "AccessDenied"); break;
      case Fault::kReset: {
        linger l{1, 0};  // close with RST
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        break;
      }
      case Fault::kStall: Stall(fd); break;
      case Fault::kPass: Forward(fd, CloseHead(head) + body, false); break;
      case Fault::kLoseResponse: {
        Forward(fd, CloseHead(head) + body, true);
        linger l{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        break;
      }
    }
    ::close(fd);
  }

  void Forward(int client, const std::string& request, bool drop_response) {
    int up = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || !WriteAll(up, request)) {
      ::close(up);
      return;
    }
    std::string response;
    char tmp[65536];
    for (;;) {
      ssize_t r = ::recv(up, tmp, sizeof tmp, 0);
      if (r <= 0) break;
      response.append(tmp, static_cast<size_t>(r));
    }
    ::close(up);
    auto e = response.find("\r\n\r\n");
    if (e == std::string::npos || drop_response) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      response_bytes_ += static_cast<int64_t>(response.size());
    }
    WriteAll(client, CloseHead(response.substr(0, e + 4)) + response.substr(e + 4));
  }

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = -1;
  int stop_[2] = {-1, -1};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::deque<Fault> script_;
  std::string script_method_;
  Fault always_ = Fault::kPass;
  std::string always_method_;
  std::map<std::string, int> counts_;
  double random_rate_ = 0;
  int stall_every_ = 0;
  uint64_t rng_ = 1;
  int random_injected_ = 0;
  int injected_ = 0;
  int stalled_ = 0;
  bool outage_ = false;
  int outage_pass_ = 0;
  size_t outage_next_ = 0;
  std::vector<Fault> outage_kinds_;
  int64_t response_bytes_ = 0;
};

}  // namespace ailake::test_util
