// migrate_bench: figures for re-embedding a live table with a new model (issue: migration).
//
//   migrate_bench [--rows 1000000] [--file-rows 100000] [--dir /tmp/ailake_migrate_bench]
//                 [--mode full|latency|all] [--strategy atomic-replace|dual-write-then-cutover]
//                 [--concurrency 4] [--batch 256] [--threads 0] [--doubling 1]
//                 [--latency-rows 20000] [--latency-file-rows 2500] [--latency-concurrency 1,4,8]
//                 [--latency-batch 64] [--latency-ms 50] [--latency-dim 16]
//                 [--python /usr/bin/python3] [--worker <source>/tests/embedders/fake_worker.py]
//
// full: a source table of --rows rows (synthetic texts of ~350 chars drawn from a 4096-word
// vocabulary, 384-d vectors from `hash:dim=384`, files of --file-rows rows, HNSW per file as the
// table's default policy builds) is migrated to `hash:dim=768,seed=1` (model hash-768@seed1) with
// MigrationJob::Plan + Run. Building the source is not measured. The migration runs in a child
// process (this binary re-executed) so its peak RSS and CPU time (wait4's rusage) cover the
// migration alone; a sampler thread in the child measures the table's data folder every 100 ms.
// Then "plain ingest of the same rows": the same rows written into a fresh 768-d table through
// TableWriter with the 768-d hash embedder in the loop (embedding time included, as the migration
// includes it), also in a child, right after the migration so both see similar machine load. With
// --doubling 1 (default) the source is also saved at --rows / 2 while it is built, and that
// half-size table is migrated last: the two peak RSS figures show whether memory grows with the
// table.
//
// Storage: extra_storage_mb = the largest growth of the table's data folder during the run (both
// strategies keep the old files for time travel until `expire`, so this ends at every new file);
// bytes_written_mb = RunResult::bytes_written; in_flight_peak_mb = the largest growth not yet
// accounted for by finished outputs (files being written); est_extra_mb / est_staged_mb = DryRun's
// peak_extra_bytes / peak_staged_bytes. Staged (written, not yet committed) is not sampled: with
// atomic-replace each finished output is committed at once, so it is about in_flight_peak_mb; with
// dual-write-then-cutover every output waits for the cutover, so it reaches extra_storage_mb.
//
// latency: small tables (--latency-rows, files of --latency-file-rows rows: below the 4096-row
// flat threshold, so no graph build competes for the CPU) migrated with a `command` embedder whose
// workers (tests/embedders/fake_worker.py, mode sleep) sleep --latency-ms per batch, at each
// --latency-concurrency, with file_parallelism = max(2, concurrency / 2). The workers are started
// before the timed Run (one warm call per worker). --latency-dim is small by default: the Python
// worker's JSON encoding of 64 x 768 floats costs more CPU than the 50 ms sleep on a small machine,
// which would measure the worker's CPU instead of the pipeline's latency hiding. The embedder is
// wrapped to count calls in flight: avg_in_flight (call-seconds / rewrite seconds), mean_call_ms,
// the job's fixed costs before the first call and after the last one, and span_rows_per_s over the
// span from the first call to the last.
//
// Key=value lines (one per measurement; the goals come last):
//   machine nproc=... cpu="..." mem_total_mb=... loadavg=...
//   source rows=... files=... seconds=... bytes_mb=...                         (not a measurement)
//   migrate rows=... files=... strategy=... concurrency=... batch=... seconds=... rows_per_s=...
//           peak_rss_mb=... extra_storage_mb=... bytes_written_mb=... in_flight_peak_mb=...
//           est_extra_mb=... est_staged_mb=... source_mb=... cpu_s=... rows_per_cpu_s=... loadavg=...
//   ingest rows=... files=... seconds=... rows_per_s=... peak_rss_mb=... bytes_mb=... cpu_s=...
//          rows_per_cpu_s=... embed_s=... append_s=... loadavg=...
//   latency concurrency=C batch=B rows=... ... seconds=... rows_per_s=... ideal_rows_per_s=C*B/sleep
//           ratio=... rewrite_s=... avg_in_flight=... mean_call_ms=... first_call_s=...
//           after_last_call_s=... span_rows_per_s=... span_ratio=... loadavg=...
//   goal name=... value=... target=... met=yes|no
#include <dirent.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "embed/embedder.h"
#include "migrate/migration_job.h"
#include "table/table.h"
#include "table/table_writer.h"

#ifndef AILAKE_SOURCE_DIR
#define AILAKE_SOURCE_DIR "."
#endif

extern char** environ;

using namespace ailake;

namespace {

constexpr const char* kTable = "bench.docs";
constexpr const char* kOldSpec = "hash:dim=384";
constexpr const char* kNewSpec = "hash:dim=768,seed=1";

struct Args {
  int64_t rows = 1000000;
  int64_t file_rows = 100000;
  std::string dir = "/tmp/ailake_migrate_bench";
  std::string mode = "all";
  std::string strategy = "atomic-replace";
  int64_t concurrency = 4;
  int64_t batch = 256;
  int64_t threads = 0;
  int64_t doubling = 1;
  int64_t latency_rows = 20000;
  int64_t latency_file_rows = 2500;
  std::vector<int64_t> latency_concurrency = {1, 4, 8};
  int64_t latency_batch = 64;
  int64_t latency_ms = 50;
  int64_t latency_dim = 16;
  std::string python = "/usr/bin/python3";
  std::string worker = std::string(AILAKE_SOURCE_DIR) + "/tests/embedders/fake_worker.py";
  // Child process roles (internal): --child migrate|ingest --out FILE.
  std::string child;
  std::string out;
};

// strtoll rather than std::stoll: a bad flag value is a usage error, not an exception escaping main.
bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

// "1,4,8" -> {1, 4, 8}; every entry must be a positive integer.
bool ParseList(const std::string& s, std::vector<int64_t>* out) {
  out->clear();
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t comma = std::min(s.find(',', pos), s.size());
    int64_t v = 0;
    if (!ParseInt(s.substr(pos, comma - pos), &v) || v <= 0) return false;
    out->push_back(v);
    pos = comma + 1;
  }
  return !out->empty();
}

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    bool ok = true;
    if (f == "--rows") ok = ParseInt(v, &a->rows);
    else if (f == "--file-rows") ok = ParseInt(v, &a->file_rows);
    else if (f == "--dir") a->dir = v;
    else if (f == "--mode") a->mode = v;
    else if (f == "--strategy") a->strategy = v;
    else if (f == "--concurrency") ok = ParseInt(v, &a->concurrency);
    else if (f == "--batch") ok = ParseInt(v, &a->batch);
    else if (f == "--threads") ok = ParseInt(v, &a->threads);
    else if (f == "--doubling") ok = ParseInt(v, &a->doubling);
    else if (f == "--latency-rows") ok = ParseInt(v, &a->latency_rows);
    else if (f == "--latency-file-rows") ok = ParseInt(v, &a->latency_file_rows);
    else if (f == "--latency-concurrency") ok = ParseList(v, &a->latency_concurrency);
    else if (f == "--latency-batch") ok = ParseInt(v, &a->latency_batch);
    else if (f == "--latency-ms") ok = ParseInt(v, &a->latency_ms);
    else if (f == "--latency-dim") ok = ParseInt(v, &a->latency_dim);
    else if (f == "--python") a->python = v;
    else if (f == "--worker") a->worker = v;
    else if (f == "--child") a->child = v;
    else if (f == "--out") a->out = v;
    else return false;
    if (!ok) return false;
  }
  if (a->mode != "full" && a->mode != "latency" && a->mode != "all") return false;
  if (!migrate::ParseStrategy(a->strategy).ok()) return false;
  // Upper bounds keep the int/size_t conversions exact; they are far beyond any useful run.
  return a->rows >= 2 && a->file_rows > 0 && a->concurrency > 0 && a->concurrency <= 1024 && a->batch > 0 &&
         a->threads >= 0 && a->threads <= 1024 && (a->doubling == 0 || a->doubling == 1) && a->latency_rows > 0 &&
         a->latency_file_rows > 0 && a->latency_batch > 0 && a->latency_ms > 0 && a->latency_dim > 0 &&
         a->latency_dim <= 65536 && a->latency_concurrency.back() <= 1024;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double Mb(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

int Fail(const Status& st) {
  std::fprintf(stderr, "migrate_bench: %s\n", st.ToString().c_str());
  return 1;
}

std::string LoadAvg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + "," + b + "," + c;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string m = line.substr(colon + 1);
        m.erase(0, m.find_first_not_of(" \t"));
        std::replace(m.begin(), m.end(), '"', '\'');
        return m;
      }
    }
  }
  return "unknown";
}

int64_t MemTotalMb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemTotal:") return kb / 1024;
  }
  return 0;
}

// VmHWM of this process in KiB (0 when unreadable).
int64_t VmHwmKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoll(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// Apparent bytes of every regular file under `path` (recursively), each inode counted once: the
// local store publishes by link() then unlink() of a temporary, and a sample between the two must
// not count the file twice. Files vanishing during the walk are skipped.
void AddDirBytes(const std::string& path, std::set<std::pair<dev_t, ino_t>>* seen, int64_t* total) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    const std::string p = path + "/" + e->d_name;
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      AddDirBytes(p, seen, total);
    } else if (S_ISREG(st.st_mode) && seen->insert({st.st_dev, st.st_ino}).second) {
      *total += static_cast<int64_t>(st.st_size);
    }
  }
  ::closedir(d);
}

int64_t DirBytes(const std::string& path) {
  std::set<std::pair<dev_t, ino_t>> seen;
  int64_t total = 0;
  AddDirBytes(path, &seen, &total);
  return total;
}

// Synthetic chunk texts: ~55 words (~350 chars) from a 4096-word vocabulary of pronounceable
// pseudo-words; each row draws half its words from one of 64 topics (64 words each), half from the
// whole vocabulary, so texts share words the way chunks of related documents do and the hash
// embedder hashes hundreds of distinct features per text. Deterministic in the row number.
class TextGen {
 public:
  TextGen() {
    static const char* kSyl[] = {"ka", "lo", "mi", "ter", "vus", "an", "dre", "so", "pil", "qua", "ne", "ro",
                                 "bel", "tis", "gor", "fa", "hem", "ul", "zen", "cor", "wy", "ix", "pra", "mon"};
    std::mt19937_64 rng(1);
    std::set<std::string> used;
    while (words_.size() < 4096) {
      std::string w;
      const int n = 2 + static_cast<int>(rng() % 3);
      for (int s = 0; s < n; ++s) w += kSyl[rng() % (sizeof(kSyl) / sizeof(kSyl[0]))];
      if (used.insert(w).second) words_.push_back(w);
    }
  }
  std::string Text(int64_t row) const {
    uint64_t s = static_cast<uint64_t>(row) * 0x9E3779B97F4A7C15ull + 12345;
    auto next = [&s]() {
      s += 0x9E3779B97F4A7C15ull;
      uint64_t z = s;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      return z ^ (z >> 31);
    };
    const uint64_t topic = static_cast<uint64_t>(row / 500) % 64;  // rows arrive grouped by topic
    const int n = 45 + static_cast<int>(next() % 21);
    std::string t;
    t.reserve(400);
    for (int i = 0; i < n; ++i) {
      const uint64_t r = next();
      const size_t w = (r & 1) ? static_cast<size_t>(topic * 64 + (r >> 1) % 64) : static_cast<size_t>((r >> 1) % 4096);
      if (!t.empty()) t += (i % 11 == 10) ? ". " : " ";
      t += words_[w];
    }
    t += ".";
    return t;
  }

 private:
  std::vector<std::string> words_;
};

Result<std::unique_ptr<table::Table>> CreateTable(catalog::Catalog& cat, uint32_t dim, const std::string& model,
                                                  const std::string& version, int64_t file_rows) {
  table::TableOptions o;
  o.model = {model, version, dim, VectorMetric::kCosine, true};
  o.policy.precision = VectorPrecision::kF16;
  o.target_file_rows = file_rows;
  AILAKE_ASSIGN_OR_RETURN(auto ident, catalog::TableIdent::Parse(kTable));
  return table::Table::Create(cat, ident, o);
}

struct WriteTimes {
  double embed_s = 0;   // inside Embedder::Embed
  double append_s = 0;  // inside TableWriter::Append and Commit (encoding, index builds, I/O)
};

// Writes rows [begin, end) (texts from `gen`, vectors from `embedder`, embedded in the loop) into `t`
// in files of `file_rows`, one commit. Returns the number of files.
Result<size_t> WriteRows(table::Table& t, embed::Embedder& embedder, const TextGen& gen, int64_t begin, int64_t end,
                         int64_t file_rows, uint32_t threads, WriteTimes* times = nullptr) {
  WriteTimes local;
  if (!times) times = &local;
  table::TableWriterOptions wo;
  wo.target_file_rows = file_rows;
  wo.build_threads = threads;
  AILAKE_ASSIGN_OR_RETURN(auto w, table::TableWriter::Open(t, wo));
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema schema, t.DataSchema());
  const int64_t kBatch = 10000;
  std::vector<std::string> texts;
  std::vector<float> vecs;
  for (int64_t start = begin; start < end; start += kBatch) {
    const int64_t n = std::min(kBatch, end - start);
    parquet::Batch b = parquet::Batch::Empty(schema);
    texts.clear();
    for (int64_t i = start; i < start + n; ++i) {
      texts.push_back(gen.Text(i));
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendString("d" + std::to_string(i / 20));
      b.columns[2].AppendString(texts.back());
      b.columns[3].AppendString("{\"n\":" + std::to_string(i) + "}");
    }
    b.num_rows = n;
    std::vector<std::string_view> views(texts.begin(), texts.end());
    vecs.clear();
    auto t0 = std::chrono::steady_clock::now();
    AILAKE_RETURN_IF_ERROR(embedder.Embed(views, &vecs));
    times->embed_s += Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    AILAKE_RETURN_IF_ERROR(w->Append(b, vecs.data()));
    times->append_s += Seconds(t0);
  }
  const auto t0 = std::chrono::steady_clock::now();
  AILAKE_RETURN_IF_ERROR(w->Commit().status());
  times->append_s += Seconds(t0);
  return w->last_commit_files();
}

std::string DataDir(const std::string& warehouse) {
  return warehouse + "/" + catalog::Catalog::TableKey(*catalog::TableIdent::Parse(kTable)) + "/data";
}

// key=value pairs of one line (values without spaces).
std::map<std::string, std::string> ParseKv(const std::string& line) {
  std::map<std::string, std::string> kv;
  std::istringstream in(line);
  std::string tok;
  while (in >> tok) {
    const size_t eq = tok.find('=');
    if (eq != std::string::npos) kv[tok.substr(0, eq)] = tok.substr(eq + 1);
  }
  return kv;
}

double Num(const std::map<std::string, std::string>& kv, const std::string& key) {
  auto it = kv.find(key);
  return it == kv.end() ? std::nan("") : std::strtod(it->second.c_str(), nullptr);
}

// Forwards to another embedder and records how many Embed calls were in flight: the integral of
// the in-flight count over time (call-seconds) and the maximum. avg in flight = call-seconds / wall
// seconds tells a pipeline that starves the embedder (avg well below the concurrency) from calls
// that are slower than the model's own latency (avg at the concurrency, rate still below ideal).
class CountingEmbedder final : public embed::Embedder {
 public:
  explicit CountingEmbedder(embed::Embedder& inner) : inner_(inner) {}
  const EmbeddingModelInfo& model() const override { return inner_.model(); }
  Result<uint32_t> Dimension() override { return inner_.Dimension(); }
  std::string Describe() const override { return inner_.Describe(); }
  Status Embed(const std::vector<std::string_view>& texts, std::vector<float>* out) override {
    const int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    const auto t0 = std::chrono::steady_clock::now();
    Status st = inner_.Embed(texts, out);
    const auto t1 = std::chrono::steady_clock::now();
    call_us_ += std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!any_ || t0 < first_start_) first_start_ = t0;
      if (!any_ || t1 > last_end_) last_end_ = t1;
      any_ = true;
    }
    ++calls_;
    --in_flight_;
    return st;
  }
  double call_seconds() const { return static_cast<double>(call_us_.load()) / 1e6; }
  int64_t calls() const { return calls_.load(); }
  int max_in_flight() const { return max_in_flight_.load(); }
  // When the first call started and the last one ended (valid once calls() > 0).
  std::chrono::steady_clock::time_point first_start() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_start_;
  }
  std::chrono::steady_clock::time_point last_end() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_end_;
  }

 private:
  mutable std::mutex mu_;
  bool any_ = false;
  std::chrono::steady_clock::time_point first_start_, last_end_;
  embed::Embedder& inner_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::atomic<int64_t> call_us_{0};
  std::atomic<int64_t> calls_{0};
};

// ---- child: migrate -------------------------------------------------------------------------------

// Plans and runs the migration of the table in --dir; writes one key=value line to --out.
int ChildMigrate(const Args& a) {
  auto cat = catalog::OpenCatalog("fs", a.dir);
  if (!cat.ok()) return Fail(cat.status());
  auto ident = catalog::TableIdent::Parse(kTable);
  if (!ident.ok()) return Fail(ident.status());
  auto t = table::Table::Open(**cat, *ident);
  if (!t.ok()) return Fail(t.status());

  migrate::MigrationOptions mo;
  mo.embedder_spec = kNewSpec;
  mo.new_model.name = "hash-768";
  mo.new_model.version = "seed1";
  mo.strategy = *migrate::ParseStrategy(a.strategy);
  mo.batch_size = static_cast<size_t>(a.batch);
  mo.concurrency = static_cast<size_t>(a.concurrency);
  mo.build_threads = static_cast<uint32_t>(a.threads);
  auto dry = migrate::MigrationJob::DryRun(**t, mo);
  if (!dry.ok()) return Fail(dry.status().WithContext("dry run"));

  auto job = migrate::MigrationJob::Plan(**t, mo);
  if (!job.ok()) return Fail(job.status().WithContext("plan"));

  const std::string data_dir = DataDir(a.dir);
  const int64_t initial = DirBytes(data_dir);
  std::atomic<int64_t> finished_bytes{0};
  std::atomic<int64_t> max_growth{0}, max_in_flight{0};
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  auto sample = [&] {
    const int64_t growth = DirBytes(data_dir) - initial;
    max_growth = std::max(max_growth.load(), growth);
    max_in_flight = std::max(max_in_flight.load(), growth - finished_bytes.load());
  };
  std::thread sampler([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!done) {
      lock.unlock();
      sample();
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; });
    }
  });

  auto last = std::chrono::steady_clock::now();
  (*job)->set_progress([&](const migrate::MigrationProgress& p) {
    finished_bytes = p.bytes_written;
    const auto now = std::chrono::steady_clock::now();
    if (now - last > std::chrono::seconds(30) || p.phase == "done") {
      last = now;
      std::fprintf(stderr, "  [%s] files %zu/%zu rows %lld/%lld %.0f rows/s eta %.0f s\n", p.phase.c_str(),
                   p.files_done, p.files_total, static_cast<long long>(p.rows_done),
                   static_cast<long long>(p.rows_total), p.rows_per_s, p.eta_s);
    }
  });
  auto run = (*job)->Run();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  sampler.join();
  if (!run.ok()) return Fail(run.status().WithContext("run"));
  sample();  // the final state: every output published

  const migrate::RunResult& r = *run;
  char line[1024];
  std::snprintf(line, sizeof(line),
                "rows=%lld files=%zu seconds=%.2f rows_per_s=%.0f extra_storage_mb=%.1f bytes_written_mb=%.1f "
                "in_flight_peak_mb=%.1f est_extra_mb=%.1f est_staged_mb=%.1f source_mb=%.1f vm_hwm_mb=%.1f "
                "texts_embedded=%lld cut_over=%d\n",
                static_cast<long long>(r.rows), r.tasks_run, r.seconds, r.seconds > 0 ? r.rows / r.seconds : 0.0,
                Mb(max_growth), Mb(r.bytes_written), Mb(std::max<int64_t>(0, max_in_flight)), Mb(dry->peak_extra_bytes),
                Mb(dry->peak_staged_bytes), Mb(initial), VmHwmKb() / 1024.0, static_cast<long long>(r.texts_embedded),
                r.cut_over ? 1 : 0);
  std::ofstream out(a.out);
  out << line;
  return out.good() ? 0 : 1;
}

// ---- child: ingest --------------------------------------------------------------------------------

// Writes the same rows into a fresh 768-d table in --dir, embedding in the loop; timed.
int ChildIngest(const Args& a) {
  std::error_code ec;
  std::filesystem::remove_all(a.dir, ec);
  auto cat = catalog::OpenCatalog("fs", a.dir);
  if (!cat.ok()) return Fail(cat.status());
  auto t = CreateTable(**cat, 768, "hash-768", "seed1", a.file_rows);
  if (!t.ok()) return Fail(t.status());
  auto emb = embed::MakeEmbedder(kNewSpec);
  if (!emb.ok()) return Fail(emb.status());
  const TextGen gen;
  const auto t0 = std::chrono::steady_clock::now();
  WriteTimes times;
  auto files = WriteRows(**t, **emb, gen, 0, a.rows, a.file_rows, static_cast<uint32_t>(a.threads), &times);
  if (!files.ok()) return Fail(files.status());
  const double s = Seconds(t0);
  char line[512];
  std::snprintf(line, sizeof(line),
                "rows=%lld files=%zu seconds=%.2f rows_per_s=%.0f bytes_mb=%.1f vm_hwm_mb=%.1f embed_s=%.2f "
                "append_s=%.2f\n",
                static_cast<long long>(a.rows), *files, s, a.rows / s, Mb(DirBytes(DataDir(a.dir))),
                VmHwmKb() / 1024.0, times.embed_s, times.append_s);
  std::ofstream out(a.out);
  out << line;
  return out.good() ? 0 : 1;
}

// ---- parent ---------------------------------------------------------------------------------------

struct ChildResult {
  std::map<std::string, std::string> kv;
  double peak_rss_mb = 0;
  double cpu_s = 0;  // user + system CPU seconds of the child
};

// Re-executes this binary as a child (`role` in `warehouse`), waits for it and returns the line it
// wrote plus its peak RSS from wait4 (the child's own, not inherited from this process).
Result<ChildResult> RunChild(const std::string& self, const Args& a, const std::string& role,
                             const std::string& warehouse, int64_t rows) {
  const std::string out = a.dir + "/child-" + role + ".out";
  std::filesystem::remove(out);
  std::vector<std::string> args = {self,
                                   "--child", role,
                                   "--out", out,
                                   "--dir", warehouse,
                                   "--rows", std::to_string(rows),
                                   "--file-rows", std::to_string(a.file_rows),
                                   "--strategy", a.strategy,
                                   "--concurrency", std::to_string(a.concurrency),
                                   "--batch", std::to_string(a.batch),
                                   "--threads", std::to_string(a.threads)};
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = 0;
  // /proc/self/exe, resolved in the new process before its exec, is this process's own image: a
  // rebuild of the binary during a long run does not change what the children run.
  const int rc = ::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ);
  if (rc != 0) return Status::IOError("cannot start " + self + ": " + std::strerror(rc));
  int status = 0;
  struct rusage ru;
  std::memset(&ru, 0, sizeof(ru));
  while (::wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) return Status::IOError(std::string("wait4: ") + std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Internal("the " + role + " child failed (status " + std::to_string(status) + ")");
  }
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  ChildResult r;
  r.kv = ParseKv(line);
  r.peak_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;  // KiB on Linux
  r.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  return r;
}

std::string Goal(const std::string& name, double value, const std::string& target, bool met) {
  char line[512];
  std::snprintf(line, sizeof(line), "goal name=%s value=%.3f target=%s met=%s", name.c_str(), value, target.c_str(),
                met ? "yes" : "no");
  return line;
}

// Creates a source table (384-d, hash) of `rows` rows in `warehouse`; not measured. With
// `half_copy`, the first rows / 2 rows are committed first and the warehouse is copied to
// `half_copy` at that point: renamed back to `warehouse` later it is the same table at half the
// rows (its metadata holds absolute locations under `warehouse`), saving a second build.
Result<std::unique_ptr<catalog::Catalog>> BuildSource(const std::string& warehouse, int64_t rows, int64_t file_rows,
                                                      uint32_t threads, const TextGen& gen,
                                                      const std::string& half_copy = "") {
  std::error_code ec;
  std::filesystem::remove_all(warehouse, ec);
  AILAKE_ASSIGN_OR_RETURN(auto cat, catalog::OpenCatalog("fs", warehouse));
  AILAKE_ASSIGN_OR_RETURN(auto t, CreateTable(*cat, 384, "hash-384", "", file_rows));
  AILAKE_ASSIGN_OR_RETURN(auto emb, embed::MakeEmbedder(kOldSpec));
  const auto t0 = std::chrono::steady_clock::now();
  size_t files = 0;
  int64_t begin = 0;
  if (!half_copy.empty()) {
    begin = rows / 2;
    AILAKE_ASSIGN_OR_RETURN(files, WriteRows(*t, *emb, gen, 0, begin, file_rows, threads));
    std::filesystem::remove_all(half_copy, ec);
    std::filesystem::copy(warehouse, half_copy, std::filesystem::copy_options::recursive, ec);
    if (ec) return Status::IOError("cannot copy " + warehouse + " to " + half_copy + ": " + ec.message());
    std::printf("source rows=%lld files=%zu seconds=%.2f bytes_mb=%.1f\n", static_cast<long long>(begin), files,
                Seconds(t0), Mb(DirBytes(DataDir(warehouse))));
    std::fflush(stdout);
  }
  AILAKE_ASSIGN_OR_RETURN(size_t more, WriteRows(*t, *emb, gen, begin, rows, file_rows, threads));
  files += more;
  std::printf("source rows=%lld files=%zu seconds=%.2f bytes_mb=%.1f\n", static_cast<long long>(rows), files,
              Seconds(t0), Mb(DirBytes(DataDir(warehouse))));
  std::fflush(stdout);
  return cat;
}

// Runs the migration child on the table in `wh` and prints its `migrate` line.
Result<ChildResult> MigrateOnce(const std::string& self, const Args& a, const std::string& wh, int64_t rows) {
  std::fprintf(stderr, "migrating %lld rows (child process)...\n", static_cast<long long>(rows));
  AILAKE_ASSIGN_OR_RETURN(ChildResult r, RunChild(self, a, "migrate", wh, rows));
  const auto& kv = r.kv;
  std::printf("migrate rows=%s files=%s strategy=%s concurrency=%lld batch=%lld seconds=%s rows_per_s=%s "
              "peak_rss_mb=%.1f extra_storage_mb=%s bytes_written_mb=%s in_flight_peak_mb=%s est_extra_mb=%s "
              "est_staged_mb=%s source_mb=%s cpu_s=%.1f rows_per_cpu_s=%.0f loadavg=%s\n",
              kv.at("rows").c_str(), kv.at("files").c_str(), a.strategy.c_str(), static_cast<long long>(a.concurrency),
              static_cast<long long>(a.batch), kv.at("seconds").c_str(), kv.at("rows_per_s").c_str(), r.peak_rss_mb,
              kv.at("extra_storage_mb").c_str(), kv.at("bytes_written_mb").c_str(), kv.at("in_flight_peak_mb").c_str(),
              kv.at("est_extra_mb").c_str(), kv.at("est_staged_mb").c_str(), kv.at("source_mb").c_str(), r.cpu_s,
              static_cast<double>(rows) / r.cpu_s, LoadAvg().c_str());
  std::fflush(stdout);
  return r;
}

// Order: source build (N, with a copy at N / 2), migrate N, plain ingest of N (right after, so both
// see similar machine load), then migrate N / 2 from the copy.
int RunFull(const std::string& self, const Args& a, std::vector<std::string>* goals) {
  const TextGen gen;
  const std::string wh = a.dir + "/src", half = a.dir + "/src-half";
  {
    auto src = BuildSource(wh, a.rows, a.file_rows, static_cast<uint32_t>(a.threads), gen, a.doubling ? half : "");
    if (!src.ok()) return Fail(src.status().WithContext("building the source table"));
  }
  auto full = MigrateOnce(self, a, wh, a.rows);
  if (!full.ok()) return Fail(full.status());
  std::filesystem::remove_all(wh);

  const std::string iwh = a.dir + "/ingest";
  std::fprintf(stderr, "plain ingest of %lld rows at 768-d (child process)...\n", static_cast<long long>(a.rows));
  auto in = RunChild(self, a, "ingest", iwh, a.rows);
  if (!in.ok()) return Fail(in.status());
  std::printf("ingest rows=%s files=%s seconds=%s rows_per_s=%s peak_rss_mb=%.1f bytes_mb=%s cpu_s=%.1f "
              "rows_per_cpu_s=%.0f embed_s=%s append_s=%s loadavg=%s\n",
              in->kv.at("rows").c_str(), in->kv.at("files").c_str(), in->kv.at("seconds").c_str(),
              in->kv.at("rows_per_s").c_str(), in->peak_rss_mb, in->kv.at("bytes_mb").c_str(), in->cpu_s,
              static_cast<double>(a.rows) / in->cpu_s, in->kv.at("embed_s").c_str(), in->kv.at("append_s").c_str(),
              LoadAvg().c_str());
  std::fflush(stdout);
  std::filesystem::remove_all(iwh);

  std::optional<ChildResult> halved;
  if (a.doubling) {
    std::filesystem::rename(half, wh);
    auto r = MigrateOnce(self, a, wh, a.rows / 2);
    if (!r.ok()) return Fail(r.status());
    halved = *r;
    std::filesystem::remove_all(wh);
  }

  const double ratio = Num(full->kv, "rows_per_s") / Num(in->kv, "rows_per_s");
  goals->push_back(Goal("throughput_vs_ingest", ratio, ">=0.8", ratio >= 0.8));
  // The same comparison by CPU time (rows per CPU-second), which a shared machine's load skews less.
  const double cpu_ratio = in->cpu_s / full->cpu_s;
  goals->push_back(Goal("cpu_efficiency_vs_ingest", cpu_ratio, ">=0.8", cpu_ratio >= 0.8));
  const double peak = std::max(full->peak_rss_mb, halved ? halved->peak_rss_mb : 0.0);
  goals->push_back(Goal("peak_rss_mb", peak, "<1536", peak < 1536));
  if (halved) {
    const double growth = full->peak_rss_mb / halved->peak_rss_mb;
    // "Flat": doubling the table grows the peak by less than a quarter (a per-row term would double it).
    goals->push_back(Goal("rss_growth_when_doubled", growth, "<1.25", growth < 1.25));
  }
  return 0;
}

int RunLatency(const Args& a, std::vector<std::string>* goals) {
  const TextGen gen;
  for (int64_t c : a.latency_concurrency) {
    const std::string wh = a.dir + "/lat-" + std::to_string(c);
    auto cat = BuildSource(wh, a.latency_rows, a.latency_file_rows, static_cast<uint32_t>(a.threads), gen);
    if (!cat.ok()) return Fail(cat.status().WithContext("building the latency table"));
    auto t = table::Table::Open(**cat, *catalog::TableIdent::Parse(kTable));
    if (!t.ok()) return Fail(t.status());
    const std::string spec = "command:" + a.python + " " + a.worker + " sleep dim=" + std::to_string(a.latency_dim) +
                             " ms=" + std::to_string(a.latency_ms);
    embed::EmbedderOptions eo;
    eo.concurrency = static_cast<size_t>(c);
    eo.model_name = "sleep-worker";
    eo.model_version = "1";
    auto emb = embed::MakeEmbedder(spec, eo);
    if (!emb.ok()) return Fail(emb.status());
    {
      // Start every worker before the timed run: c calls at once each need their own worker.
      std::vector<std::thread> warm;
      std::vector<Status> st(static_cast<size_t>(c));
      for (int64_t i = 0; i < c; ++i) {
        warm.emplace_back([&, i] {
          std::vector<float> v;
          st[static_cast<size_t>(i)] = (*emb)->Embed({"warm up"}, &v);
        });
      }
      for (auto& th : warm) th.join();
      for (const auto& s : st) {
        if (!s.ok()) return Fail(s.WithContext("warming the command embedder"));
      }
    }
    migrate::MigrationOptions mo;
    mo.embedder_spec = spec;
    mo.new_model.name = "sleep-worker";
    mo.new_model.version = "1";
    mo.strategy = *migrate::ParseStrategy(a.strategy);
    mo.batch_size = static_cast<size_t>(a.latency_batch);
    mo.concurrency = static_cast<size_t>(c);
    mo.file_parallelism = std::max<size_t>(2, static_cast<size_t>(c) / 2);
    mo.build_threads = static_cast<uint32_t>(a.threads);
    auto job = migrate::MigrationJob::Plan(**t, mo);
    if (!job.ok()) return Fail(job.status().WithContext("plan"));
    CountingEmbedder counting(**emb);
    (*job)->set_embedder(&counting);
    // Phase boundaries from the progress reports: the rewrite (embedding) phase ends when the
    // cutover starts; the rest is the job's fixed cost (final commit, staged-file sweep).
    const auto t_run = std::chrono::steady_clock::now();
    double rewrite_s = -1;
    (*job)->set_progress([&](const migrate::MigrationProgress& p) {
      if (rewrite_s < 0 && (p.phase == "cutover" || p.phase == "done")) rewrite_s = Seconds(t_run);
    });
    const uint64_t requests0 = (*emb)->stats().requests;
    auto run = (*job)->Run();
    if (!run.ok()) return Fail(run.status().WithContext("run"));
    const double rps = run->seconds > 0 ? run->rows / run->seconds : 0;
    // The embedding span: from the first call's start to the last call's end (steady state, without
    // the job's fixed start-up and commit costs).
    const double span_s = std::chrono::duration<double>(counting.last_end() - counting.first_start()).count();
    const double span_rps = span_s > 0 ? run->rows / span_s : 0;
    const double ideal = static_cast<double>(c * a.latency_batch) / (static_cast<double>(a.latency_ms) / 1000.0);
    std::printf("latency concurrency=%lld batch=%lld rows=%lld files=%zu file_parallelism=%zu dim=%lld sleep_ms=%lld "
                "requests=%llu seconds=%.2f rows_per_s=%.0f ideal_rows_per_s=%.0f ratio=%.3f rewrite_s=%.2f "
                "rewrite_rows_per_s=%.0f avg_in_flight=%.2f max_in_flight=%d mean_call_ms=%.1f first_call_s=%.3f "
                "after_last_call_s=%.3f span_rows_per_s=%.0f span_ratio=%.3f loadavg=%s\n",
                static_cast<long long>(c), static_cast<long long>(a.latency_batch),
                static_cast<long long>(run->rows), run->tasks_run, mo.file_parallelism,
                static_cast<long long>(a.latency_dim), static_cast<long long>(a.latency_ms),
                static_cast<unsigned long long>((*emb)->stats().requests - requests0), run->seconds, rps, ideal,
                rps / ideal, rewrite_s, rewrite_s > 0 ? run->rows / rewrite_s : 0.0,
                rewrite_s > 0 ? counting.call_seconds() / rewrite_s : 0.0, counting.max_in_flight(),
                counting.calls() ? 1000.0 * counting.call_seconds() / static_cast<double>(counting.calls()) : 0.0,
                std::chrono::duration<double>(counting.first_start() - t_run).count(),
                run->seconds - std::chrono::duration<double>(counting.last_end() - t_run).count(), span_rps,
                span_rps / ideal, LoadAvg().c_str());
    std::fflush(stdout);
    goals->push_back(Goal("latency_hiding_c" + std::to_string(c), rps / ideal, ">=0.8", rps / ideal >= 0.8));
    job->reset();
    emb->reset();
    t->reset();
    cat->reset();
    std::filesystem::remove_all(wh);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: migrate_bench [--rows N] [--file-rows F] [--dir DIR] [--mode full|latency|all]\n"
                 "                     [--strategy atomic-replace|dual-write-then-cutover] [--concurrency C]\n"
                 "                     [--batch B] [--threads T] [--doubling 0|1] [--latency-rows N]\n"
                 "                     [--latency-file-rows F] [--latency-concurrency 1,4,8] [--latency-batch B]\n"
                 "                     [--latency-ms MS] [--latency-dim D] [--python PATH] [--worker PATH]\n");
    return 2;
  }
  if (a.child == "migrate") return ChildMigrate(a);
  if (a.child == "ingest") return ChildIngest(a);
  if (!a.child.empty()) return 2;

  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return Fail(Status::IOError("cannot read /proc/self/exe"));
  self[n] = '\0';
  std::error_code ec;
  std::filesystem::create_directories(a.dir, ec);
  if (ec) return Fail(Status::IOError("cannot create " + a.dir + ": " + ec.message()));

  std::printf("machine nproc=%u cpu=\"%s\" mem_total_mb=%lld loadavg=%s\n", std::thread::hardware_concurrency(),
              CpuModel().c_str(), static_cast<long long>(MemTotalMb()), LoadAvg().c_str());
  std::fflush(stdout);
  std::vector<std::string> goals;
  if (a.mode == "full" || a.mode == "all") {
    const int rc = RunFull(self, a, &goals);
    if (rc != 0) return rc;
  }
  if (a.mode == "latency" || a.mode == "all") {
    const int rc = RunLatency(a, &goals);
    if (rc != 0) return rc;
  }
  for (const auto& g : goals) std::printf("%s\n", g.c_str());
  std::filesystem::remove(a.dir + "/child-migrate.out", ec);
  std::filesystem::remove(a.dir + "/child-ingest.out", ec);
  std::filesystem::remove(a.dir, ec);  // only when empty
  return 0;
}
