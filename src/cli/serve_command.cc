// `ailake serve`: the HTTP/JSON server (src/serve) over a warehouse, until SIGINT/SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <memory>
#include <ostream>
#include <thread>

#include "ailake/embedder.h"
#include "ailake/warehouse.h"
#include "cli/commands.h"
#include "cli/table_context.h"
#include "serve/server.h"

namespace ailake::cli {

namespace {

constexpr const char* kTokenEnv = "AILAKE_SERVE_TOKEN";

std::string FromFlagOrEnv(const ParsedArgs& args, const char* flag, const char* env, const char* fallback) {
  if (args.has(flag)) return args.get(flag);
  const char* v = std::getenv(env);
  return v && *v ? v : fallback;
}

int CheckFormatFlag(const ParsedArgs& args, std::ostream& err) {
  const std::string f = args.get("format");
  if (f != "text" && f != "json") return ReportError(Status::InvalidArgument("--format must be text or json, not '" + f + "'"), err);
  return 0;
}

int RunServe(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormatFlag(args, err)) return rc;

  serve::ServerOptions o;
  o.host = args.get("host");
  auto port = args.GetInt("port", 0, 65535);
  if (!port.ok()) return ReportError(port.status(), err);
  o.port = static_cast<int>(*port);
  o.token = FromFlagOrEnv(args, "token", kTokenEnv, "");
  auto body = args.GetInt("max-body-bytes", 1024, 1ll << 34);
  auto k = args.GetInt("max-k", 1, 1000000);
  auto timeout = args.GetInt("request-timeout-ms", 1, 24ll * 3600 * 1000);
  auto conc = args.GetInt("max-concurrency", 1, 4000);
  auto threads = args.GetInt("threads", 0, 4096);
  auto table_cache = args.GetInt("table-cache-mb", 1, 1ll << 24);
  auto manifest_cache = args.GetInt("manifest-cache-mb", 0, 1ll << 24);
  for (const Status* st : {&body.status(), &k.status(), &timeout.status(), &conc.status(), &threads.status(),
                           &table_cache.status(), &manifest_cache.status()}) {
    if (!st->ok()) return ReportError(*st, err);
  }
  o.limits.max_body_bytes = static_cast<size_t>(*body);
  o.limits.max_k = static_cast<size_t>(*k);
  o.limits.request_timeout_ms = static_cast<int>(*timeout);
  o.limits.max_concurrency = static_cast<size_t>(*conc);
  o.limits.threads = static_cast<size_t>(*threads);

  // Options first (a usage error must not depend on the warehouse).
  if (Status st = o.limits.Validate(); !st.ok()) return ReportError(st, err);
  if (o.token.empty() && !serve::IsLoopbackHost(o.host)) {
    return ReportError(Status::InvalidArgument("refusing to serve on " + o.host + " without a token: give --token or $" +
                                               kTokenEnv + " (only a loopback address may serve without one)"),
                       err);
  }

  std::unique_ptr<Embedder> embedder;
  if (args.has("embedder")) {
    auto e = MakeEmbedder(args.get("embedder"));
    if (!e.ok()) return ReportError(e.status(), err);
    embedder = std::move(*e);
    o.embedder = embedder.get();
  }
  WarehouseOptions wo;
  wo.table_cache_bytes = static_cast<uint64_t>(*table_cache) << 20;
  wo.manifest_cache_bytes = static_cast<uint64_t>(*manifest_cache) << 20;
  auto wh = OpenWarehouse(args, /*create_warehouse=*/false, wo);
  if (!wh.ok()) return ReportError(wh.status(), err);

  // SIGINT/SIGTERM are taken by one thread (sigwait); every other thread, the server's workers
  // included, inherits the blocked mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = serve::Server::Create(**wh, o);
  if (!server.ok()) {
    pthread_sigmask(SIG_UNBLOCK, &sigs, nullptr);
    return ReportError(server.status(), err);
  }
  std::atomic<int> got_signal{0};
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    got_signal.store(sig);
    (*server)->Stop();
  });
  const bool json = args.get("format") == "json";
  const std::string url = "http://" + (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) + ":" +
                          std::to_string((*server)->port()) + "/";
  if (json) {
    out << nlohmann::json({{"event", "listening"}, {"url", url}, {"host", o.host}, {"port", (*server)->port()},
                           {"warehouse", (*wh)->Describe()}, {"token", !o.token.empty()}})
               .dump()
        << std::endl;
  } else {
    out << "ailake serve: listening on " << url << " (" << (*wh)->Describe()
        << (o.token.empty() ? ", no token" : ", bearer token required") << ")" << std::endl;
  }
  Status st = (*server)->Serve();
  if (got_signal.load() == 0) pthread_kill(watcher.native_handle(), SIGTERM);  // wake the watcher
  watcher.join();
  pthread_sigmask(SIG_UNBLOCK, &sigs, nullptr);
  if (!st.ok()) return ReportError(st, err);
  const std::string sig = got_signal.load() == SIGINT ? "SIGINT" : "SIGTERM";
  if (json) {
    out << nlohmann::json({{"event", "stopped"}, {"signal", sig}}).dump() << std::endl;
  } else {
    out << "ailake serve: stopped (" << sig << "), in-flight requests finished" << std::endl;
  }
  return 0;
}

}  // namespace

Command ServeCommand() {
  CommandSpec spec;
  spec.name = "serve";
  spec.summary = "Serve the warehouse's tables over HTTP/JSON (search, rows, status, OpenAPI, dashboard)";
  spec.flags = WithWarehouseFlags({
      {"host", "", "ADDR", "address to listen on; anything but loopback needs a token", "127.0.0.1"},
      {"port", "", "N", "port (0 = a free one, printed at start)", "8080"},
      {"token", "", "T", "bearer token for /v1/ (else $AILAKE_SERVE_TOKEN; prefer the variable: flags show in ps)", ""},
      {"embedder", "", "SPEC", "embedder for text queries and rows without vectors (see Embedder specs)", ""},
      {"max-body-bytes", "", "N", "largest request body accepted (413 beyond)", "67108864"},
      {"max-k", "", "N", "largest k a search may ask for (400 beyond)", "1000"},
      {"request-timeout-ms", "", "MS", "socket read/write timeout per request", "30000"},
      {"max-concurrency", "", "N", "requests worked on at once (503 + Retry-After beyond)", "64"},
      {"threads", "", "N", "HTTP worker threads (0 = max-concurrency + 4; must exceed max-concurrency)", "0"},
      {"table-cache-mb", "", "N", "each open table's cache of decoded vectors, indexes and footers, in MiB (LRU)", "2048"},
      {"manifest-cache-mb", "", "N", "the process's cache of decoded Iceberg manifests, in MiB (0 = off)", "64"},
      {"format", "", "text|json", "start/stop lines as text or one JSON object each ({\"event\": \"listening\", \"port\": N, ...})", "text"},
  });
  spec.details =
      "Endpoints: GET /v1/tables, /v1/tables/{name}, .../history, .../migration, .../eval; POST .../search, .../rows, "
      ".../delete; GET /openapi.json, /healthz, / (dashboard). SIGINT/SIGTERM stop accepting, finish in-flight "
      "requests and exit 0. See docs/SERVE.md.";
  return {spec, RunServe};
}

}  // namespace ailake::cli
