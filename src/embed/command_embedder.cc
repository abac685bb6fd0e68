#include "embed/command_embedder.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/logging.h"
#include "embed/embed_internal.h"

extern char** environ;

namespace ailake::embed {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxReplyBytes = size_t{256} << 20;  // one reply line
constexpr size_t kStderrTailBytes = 4096;             // kept per worker, quoted when it dies
constexpr int kShutdownGraceMs = 2000;                // destructor: stdin closed -> SIGKILL

std::string ErrnoText(int e) { return std::strerror(e); }

void CloseFd(int* fd) {
  if (*fd >= 0) {
    ::close(*fd);
    *fd = -1;
  }
}

// Ignore SIGPIPE once, so a worker that died mid-request makes write() fail with EPIPE instead of
// killing us. A handler the program installed itself is left alone.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction old {};
    if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
      struct sigaction sa {};
      sa.sa_handler = SIG_IGN;
      sigemptyset(&sa.sa_mask);
      ::sigaction(SIGPIPE, &sa, nullptr);
    }
  });
}

// pipe2(O_CLOEXEC) whose ends are both >= 3, so the child's dup2 onto 0/1/2 never clobbers one.
Status MakePipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  for (int i = 0; i < 2; ++i) {
    if (fds[i] < 3) {
      int moved = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
      if (moved < 0) {
        int e = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        return Status::IOError("fcntl(F_DUPFD_CLOEXEC): " + ErrnoText(e));
      }
      ::close(fds[i]);
      fds[i] = moved;
    }
  }
  return Status::OK();
}

Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return Status::IOError("fcntl: " + ErrnoText(errno));
  return Status::OK();
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// PROGRAM as execve wants it: itself when it contains '/', else the first executable PATH entry.
Result<std::string> ResolveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path_env = std::getenv("PATH");
  std::string_view path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    auto colon = path.find(':');
    std::string dir(path.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    if (IsExecutableFile(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    path = path.substr(colon + 1);
  }
  return Status::NotFound("program '" + program + "' was not found in PATH (" + std::string(path_env ? path_env : "") +
                          ")");
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = ::sigdescr_np(sig);
    return "was killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
  }
  return "stopped (wait status " + std::to_string(status) + ")";
}

// One worker process and the parent's ends of its pipes.
struct Worker {
  pid_t pid = -1;
  int in = -1;   // its stdin (we write requests)
  int out = -1;  // its stdout (we read replies)
  int err = -1;  // its stderr (captured into err_tail)
  std::string buf;       // stdout bytes read but not yet consumed
  std::string err_tail;  // the last kStderrTailBytes of its stderr
  bool reaped = false;
  int wait_status = 0;

  ~Worker() { Kill(); }

  // Reads whatever stderr has without blocking; closes it at EOF.
  void DrainStderr() {
    char chunk[4096];
    while (err >= 0) {
      ssize_t n = ::read(err, chunk, sizeof chunk);
      if (n > 0) {
        err_tail.append(chunk, static_cast<size_t>(n));
        if (err_tail.size() > 2 * kStderrTailBytes) err_tail.erase(0, err_tail.size() - kStderrTailBytes);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) CloseFd(&err);
      break;
    }
  }

  // "; its stderr ended with: ..." or "".
  std::string StderrNote() const {
    std::string_view t = err_tail;
    if (t.size() > 1000) t = t.substr(t.size() - 1000);
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.remove_suffix(1);
    if (t.empty()) return "";
    std::string shown;
    for (char c : t) {
      if (c == '\n') {
        shown += " | ";
      } else {
        shown.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
      }
    }
    return "; its stderr ended with: " + shown;
  }

  // True (and wait_status set) when the process has exited; never blocks.
  bool TryReap() {
    if (reaped || pid < 0) return true;
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid || (r < 0 && errno == ECHILD)) {
      reaped = true;
      wait_status = status;
      return true;
    }
    return false;
  }

  void BlockingReap() {
    if (reaped || pid < 0) return;
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    reaped = true;
    wait_status = status;
  }

  // SIGKILL (if still running), reap, close every pipe.
  void Kill() {
    if (pid > 0 && !reaped && !TryReap()) {
      ::kill(pid, SIGKILL);
      BlockingReap();
    }
    CloseFd(&in);
    CloseFd(&out);
    CloseFd(&err);
  }

  // Waits up to `ms` for the process to exit by itself, then kills it. Returns how it ended.
  std::string WaitForExit(int ms) {
    auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (!TryReap() && Clock::now() < until) {
      DrainStderr();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!reaped) {
      ::kill(pid, SIGKILL);
      BlockingReap();
      DrainStderr();
      return "closed its stdout and was killed";
    }
    DrainStderr();
    return DescribeWaitStatus(wait_status);
  }
};

class CommandEmbedder final : public Embedder {
 public:
  CommandEmbedder(const ParsedSpec& spec, const EmbedderOptions& options)
      : argv_(spec.argv), describe_(spec.describe), model_(Identity(spec, options)), dim_(&model_, spec.dim) {
    concurrency_ = options.concurrency;
    timeout_ms_ = options.timeout_ms;
    program_name_ = Basename(argv_.front());
    IgnoreSigpipeOnce();
  }

  ~CommandEmbedder() override {
    std::vector<std::unique_ptr<Worker>> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers.swap(idle_);
    }
    // Polite first: EOF on stdin tells a worker to finish; then SIGKILL whatever is left.
    for (auto& w : workers) CloseFd(&w->in);
    auto until = Clock::now() + std::chrono::milliseconds(kShutdownGraceMs);
    while (Clock::now() < until) {
      bool all = true;
      for (auto& w : workers) {
        w->DrainStderr();
        all = w->TryReap() && all;
      }
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& w : workers) w->Kill();
  }

  const EmbeddingModelInfo& model() const override { return model_; }

  std::string Describe() const override { return describe_; }

  Result<uint32_t> Dimension() override {
    if (uint32_t d = dim_.get()) return d;
    std::lock_guard<std::mutex> lock(probe_mu_);
    if (uint32_t d = dim_.get()) return d;
    std::vector<float> probe;
    AILAKE_RETURN_IF_ERROR(Embed({"dimension probe"}, &probe));
    return dim_.get();
  }

  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override {
    if (texts.empty()) return Status::OK();
    CountTexts(texts.size());
    const uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
    nlohmann::json request = {{"id", id}, {"texts", nlohmann::json::array()}};
    auto& arr = request["texts"];
    for (std::string_view t : texts) arr.push_back(std::string(t));
    // Invalid UTF-8 in a text is sent as U+FFFD rather than failing the batch.
    std::string line = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<Worker> w, Acquire());
    CountRequest();
    std::string reply;
    bool healthy = true;
    Status st = Exchange(*w, line, &reply, &healthy);
    if (st.ok()) {
      size_t at = out->size();
      st = ParseReply(*w, reply, id, texts.size(), out, &healthy);
      if (!st.ok()) out->resize(at);
    }
    Release(std::move(w), healthy);
    return st;
  }

 private:
  static std::string Basename(const std::string& program) {
    auto slash = program.find_last_of('/');
    return slash == std::string::npos ? program : program.substr(slash + 1);
  }
  // --model, else the spec's model=, else the program's basename (the oldest form, kept working).
  static EmbeddingModelInfo Identity(const ParsedSpec& spec, const EmbedderOptions& options) {
    EmbeddingModelInfo fallback;
    fallback.name = Basename(spec.argv.front());
    return ResolveModel(spec, options, fallback);
  }

  std::string Who(const Worker& w) const {
    return "embedder worker '" + program_name_ + "' (pid " + std::to_string(w.pid) + ")";
  }

  Result<std::unique_ptr<Worker>> Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      while (!idle_.empty()) {
        std::unique_ptr<Worker> w = std::move(idle_.back());
        idle_.pop_back();
        if (!w->TryReap()) return w;
        // It died while idle: say so and replace it.
        w->DrainStderr();
        LogWarn(Who(*w) + " " + DescribeWaitStatus(w->wait_status) + " while idle; starting a new one" + w->StderrNote());
        --live_;
        lock.unlock();
        w.reset();
        lock.lock();
      }
      if (live_ < concurrency_) {
        ++live_;
        lock.unlock();
        auto started = StartWorker();
        if (!started.ok()) {
          lock.lock();
          --live_;
          cv_.notify_one();
        }
        return started;
      }
      cv_.wait(lock);
    }
  }

  void Release(std::unique_ptr<Worker> w, bool healthy) {
    if (!healthy) w->Kill();
    std::lock_guard<std::mutex> lock(mu_);
    if (healthy) {
      idle_.push_back(std::move(w));
    } else {
      --live_;
    }
    cv_.notify_one();
  }

  Result<std::unique_ptr<Worker>> StartWorker() {
    auto resolved = ResolveProgram(argv_.front());
    if (!resolved.ok()) {
      return Status::NotFound("failed to start embedder worker '" + program_name_ + "': " + resolved.status().message());
    }
    const std::string path = *resolved;
    // Everything the child touches is prepared here: between fork and exec only async-signal-safe calls.
    std::vector<char*> cargv;
    for (const std::string& a : argv_) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);

    int in_p[2] = {-1, -1}, out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, st_p[2] = {-1, -1};
    auto close_all = [&] {
      for (int* p : {in_p, out_p, err_p, st_p}) {
        CloseFd(&p[0]);
        CloseFd(&p[1]);
      }
    };
    for (int* p : {in_p, out_p, err_p, st_p}) {
      Status s = MakePipe(p);
      if (!s.ok()) {
        close_all();
        return s.WithContext("failed to start embedder worker '" + program_name_ + "'");
      }
    }
    pid_t pid = ::fork();
    if (pid < 0) {
      int e = errno;
      close_all();
      return Status::IOError("failed to start embedder worker '" + program_name_ + "': fork: " + ErrnoText(e));
    }
    if (pid == 0) {
      // Child. The pipe ends are all >= 3 and CLOEXEC; dup2 gives 0/1/2 without CLOEXEC.
      if (::dup2(in_p[0], 0) < 0 || ::dup2(out_p[1], 1) < 0 || ::dup2(err_p[1], 2) < 0) {
        int e = errno;
        ssize_t ignored = ::write(st_p[1], &e, sizeof e);
        (void)ignored;
        ::_exit(127);
      }
      struct sigaction sa {};
      sa.sa_handler = SIG_DFL;
      sigemptyset(&sa.sa_mask);
      ::sigaction(SIGPIPE, &sa, nullptr);  // an ignored disposition would survive exec
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execve(path.c_str(), cargv.data(), environ);
      int e = errno;
      ssize_t ignored = ::write(st_p[1], &e, sizeof e);
      (void)ignored;
      ::_exit(127);
    }
    // Parent.
    CloseFd(&in_p[0]);
    CloseFd(&out_p[1]);
    CloseFd(&err_p[1]);
    CloseFd(&st_p[1]);
    int exec_errno = 0;
    ssize_t n;
    do {
      n = ::read(st_p[0], &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    CloseFd(&st_p[0]);
    auto w = std::make_unique<Worker>();
    w->pid = pid;
    w->in = in_p[1];
    w->out = out_p[0];
    w->err = err_p[0];
    in_p[1] = out_p[0] = err_p[0] = -1;
    if (n > 0) {
      w->Kill();
      return Status::IOError("failed to start embedder worker '" + program_name_ + "': exec " + path + ": " +
                             ErrnoText(exec_errno));
    }
    for (int fd : {w->in, w->out, w->err}) {
      Status s = SetNonBlocking(fd);
      if (!s.ok()) return s.WithContext("failed to start embedder worker '" + program_name_ + "'");
    }
    return w;
  }

  // Writes `request` and reads one reply line, both within timeout_ms. On failure the worker is
  // unusable (killed and reaped here or by Release).
  Status Exchange(Worker& w, const std::string& request, std::string* reply, bool* healthy) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
    size_t written = 0;
    char chunk[65536];
    auto died = [&](const std::string& what) {
      *healthy = false;
      std::string how = w.WaitForExit(1000);
      return Status::Unavailable(Who(w) + " " + how + " " + what + w.StderrNote());
    };
    while (true) {
      auto nl = w.buf.find('\n');
      if (nl != std::string::npos) {
        reply->assign(w.buf, 0, nl);
        w.buf.erase(0, nl + 1);
        if (written < request.size()) *healthy = false;  // it answered before reading the whole request
        return Status::OK();
      }
      if (w.buf.size() > kMaxReplyBytes) {
        *healthy = false;
        return Status::ResourceExhausted(Who(w) + " sent a reply line longer than " +
                                         std::to_string(kMaxReplyBytes >> 20) + " MiB");
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        *healthy = false;
        std::string who = Who(w);
        ::kill(w.pid, SIGKILL);
        w.BlockingReap();
        w.DrainStderr();
        return Status::Timeout(who + " did not reply within " + std::to_string(timeout_ms_) + " ms; killed it" +
                               w.StderrNote());
      }
      pollfd fds[3];
      nfds_t nfds = 0;
      fds[nfds++] = {w.out, POLLIN, 0};
      const bool writing = written < request.size();
      if (writing) fds[nfds++] = {w.in, POLLOUT, 0};
      const bool reading_err = w.err >= 0;
      if (reading_err) fds[nfds++] = {w.err, POLLIN, 0};
      int r = ::poll(fds, nfds, static_cast<int>(std::min<long long>(left, 1 << 30)));
      if (r < 0) {
        if (errno == EINTR) continue;
        *healthy = false;
        return Status::IOError(Who(w) + ": poll: " + ErrnoText(errno));
      }
      if (r == 0) continue;
      nfds_t k = 1;
      if (writing) {
        if (fds[k].revents & (POLLOUT | POLLERR | POLLHUP)) {
          ssize_t n = ::write(w.in, request.data() + written, request.size() - written);
          if (n > 0) {
            written += static_cast<size_t>(n);
          } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            if (errno == EPIPE) return died("before reading its request (stdin closed)");
            *healthy = false;
            return Status::IOError(Who(w) + ": writing the request: " + ErrnoText(errno));
          }
        }
        ++k;
      }
      if (reading_err && (fds[k].revents & (POLLIN | POLLERR | POLLHUP))) w.DrainStderr();
      if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
        ssize_t n = ::read(w.out, chunk, sizeof chunk);
        if (n > 0) {
          w.buf.append(chunk, static_cast<size_t>(n));
        } else if (n == 0) {
          return died(w.buf.empty() ? "before replying" : "in the middle of a reply");
        } else if (errno != EAGAIN && errno != EINTR) {
          *healthy = false;
          return Status::IOError(Who(w) + ": reading the reply: " + ErrnoText(errno));
        }
      }
    }
  }

  Status ParseReply(const Worker& w, const std::string& line, uint64_t id, size_t count, std::vector<float>* out,
                    bool* healthy) {
    const std::string who = Who(w);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      *healthy = false;
      return Status::Corruption(who + " sent a malformed reply (not a JSON object): '" + Snippet(line, 200) + "'");
    }
    auto it = j.find("id");
    if (it == j.end() || !it->is_number_integer() || *it != nlohmann::json(id)) {
      *healthy = false;
      return Status::Corruption(who + " replied with id " + (it == j.end() ? std::string("(none)") : Snippet(it->dump(), 40)) +
                                " to request id " + std::to_string(id) + " (protocol error)");
    }
    if (auto e = j.find("error"); e != j.end() && !e->is_null()) {
      std::string msg = e->is_string() ? e->get<std::string>() : e->dump();
      return Status::Unavailable(who + " reported an error: " + Snippet(msg, 1000));
    }
    auto emb = j.find("embeddings");
    if (emb == j.end() || !emb->is_array()) {
      *healthy = false;
      return Status::Corruption(who + " sent a reply with neither \"embeddings\" (an array) nor \"error\": '" +
                                Snippet(line, 200) + "'");
    }
    if (emb->size() != count) {
      return Status::Corruption(who + " returned " + std::to_string(emb->size()) + " embeddings for " +
                                     std::to_string(count) + " texts");
    }
    size_t at = out->size();
    uint32_t dim = 0;  // rows must agree with each other, then with the model (Accept)
    for (size_t i = 0; i < count; ++i) AILAKE_RETURN_IF_ERROR(AppendEmbeddingRow((*emb)[i], i, who, &dim, out));
    AILAKE_RETURN_IF_ERROR(dim_.Accept(dim, who));
    return ValidateEmbeddings(Describe(), *out, at, count, dim);
  }

  const std::vector<std::string> argv_;
  const std::string describe_;
  std::string program_name_;
  size_t concurrency_ = 1;
  int timeout_ms_ = 60000;
  EmbeddingModelInfo model_;
  ModelDim dim_;
  std::mutex probe_mu_;
  std::atomic<uint64_t> next_id_{1};

  std::mutex mu_;  // guards idle_ and live_
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Worker>> idle_;
  size_t live_ = 0;  // workers started and not discarded: idle + in use
};

}  // namespace

Result<std::unique_ptr<Embedder>> MakeCommandEmbedder(const ParsedSpec& spec, const EmbedderOptions& options) {
  if (spec.argv.empty()) return Status::InvalidArgument("command embedder needs a program");
  return std::unique_ptr<Embedder>(std::make_unique<CommandEmbedder>(spec, options));
}

}  // namespace ailake::embed
