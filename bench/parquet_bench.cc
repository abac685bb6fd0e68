// parquet_bench: write and read throughput of our Parquet codec on a RAG-shaped table.
//
// Not a test: it prints figures. Table: 1M rows (default) of
//   id          int64, required
//   chunk_text  string, ~500 bytes of varied words (zstd, dictionary tried and rejected: all distinct)
//   vec         FIXED_LEN_BYTE_ARRAY(768) = 384-d f16, PLAIN + uncompressed (a vector column)
// written with zstd (level 3) to a local file, then read back: all columns, and the vector column alone
// (the path a vector scan takes; goal >= 2 GB/s). Reads come from the OS page cache (the file was just
// written), so they measure decoding, not the disk. MB/s counts logical bytes: 8 per id, the string
// bytes, 768 per vector (for reads: of the columns read).
//
// Output: a table, then machine-readable lines:
//   parquet op=write rows=1000000 rows_per_s=.. mb_per_s=.. file_mb=..
//   parquet op=read_all rows=.. rows_per_s=.. mb_per_s=..
//   parquet op=read_vec rows=.. rows_per_s=.. mb_per_s=..
//
// Usage: parquet_bench [--rows N] [--codec zstd|snappy|gzip|lz4_raw|none] [--path FILE] [--keep] [--write-only]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "parquet/reader.h"
#include "parquet/writer.h"
#include "vec/f16.h"

namespace {

using namespace ailake;
using namespace ailake::parquet;

constexpr int kDim = 384;
constexpr int kVecBytes = kDim * 2;
constexpr int64_t kBatchRows = 65536;
constexpr int kDistinctBatches = 4;  // batches are reused (ids rewritten) to bound the bench's memory

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Process CPU time (user + system). On a shared machine wall time includes waiting for a core; the
// CPU-time figures show what the code itself costs.
double CpuNow() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void Die(const Status& st, const char* what) {
  std::fprintf(stderr, "parquet_bench: %s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

std::vector<std::string> Vocabulary(std::mt19937_64& rng) {
  std::vector<std::string> words;
  const char* letters = "etaoinshrdlucmfwypvbgkjqxz";
  for (int i = 0; i < 4000; ++i) {
    std::string w;
    const int len = 2 + static_cast<int>(rng() % 9);
    for (int k = 0; k < len; ++k) w += letters[std::min<uint64_t>(rng() % 26, rng() % 26)];  // skewed letters
    words.push_back(std::move(w));
  }
  return words;
}

Schema BenchSchema() {
  Schema s;
  Field vec = Field::FixedBinary("vec", kVecBytes, false);
  vec.metadata = {{"dim", std::to_string(kDim)}, {"precision", "f16"}, {"metric", "cosine"}};
  s.fields = {Field::Make("id", DataType::kInt64, false), Field::Make("chunk_text", DataType::kString, false), vec};
  return s;
}

Batch MakeBatch(std::mt19937_64& rng, const std::vector<std::string>& words, int64_t* text_bytes) {
  Batch b = Batch::Empty(BenchSchema());
  b.columns[0].Reserve(kBatchRows);
  b.columns[1].Reserve(kBatchRows, kBatchRows * 520);
  b.columns[2].Reserve(kBatchRows);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> f(kDim);
  std::vector<uint16_t> h(kDim);
  std::string text;
  for (int64_t i = 0; i < kBatchRows; ++i) {
    b.columns[0].AppendInt64(i);
    text.clear();
    const size_t target = 440 + rng() % 120;
    while (text.size() < target) {
      text += words[rng() % words.size()];
      text += (rng() % 12 == 0) ? ". " : " ";
    }
    b.columns[1].AppendString(text);
    *text_bytes += static_cast<int64_t>(text.size());
    for (float& x : f) x = gauss(rng);
    ailake::vec::FloatToHalfN(f.data(), h.data(), kDim);
    b.columns[2].AppendFixed(reinterpret_cast<const uint8_t*>(h.data()));
  }
  b.num_rows = kBatchRows;
  return b;
}

struct Figure {
  const char* op;
  int64_t rows;
  double seconds;      // wall
  double cpu_seconds;  // this process's CPU
  double bytes;
};

void PrintRow(const Figure& f) {
  std::printf("  %-10s %10lld %9.3f %9.3f %14.0f %10.1f %12.1f\n", f.op, static_cast<long long>(f.rows), f.seconds,
              f.cpu_seconds, static_cast<double>(f.rows) / f.seconds, f.bytes / f.seconds / 1e6,
              f.bytes / f.cpu_seconds / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 1000000;
  std::string path = "/tmp/ailake_parquet_bench_" + std::to_string(getpid()) + ".parquet";
  bool keep = false;
  bool write_only = false;
  Compression codec = Compression::kZstd;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) rows = std::atoll(argv[++i]);
    else if (a == "--path" && i + 1 < argc) path = argv[++i];
    else if (a == "--keep") keep = true;
    else if (a == "--write-only") write_only = true;
    else if (a == "--codec" && i + 1 < argc) {
      auto c = ParseCompression(argv[++i]);
      if (!c.ok()) Die(c.status(), "--codec");
      codec = *c;
    }
    else {
      std::fprintf(stderr, "usage: parquet_bench [--rows N] [--codec C] [--path FILE] [--keep] [--write-only]\n");
      return 2;
    }
  }

  std::mt19937_64 rng(12345);
  const auto words = Vocabulary(rng);
  std::vector<Batch> batches;
  std::vector<int64_t> batch_text(kDistinctBatches, 0);
  for (int i = 0; i < kDistinctBatches; ++i) batches.push_back(MakeBatch(rng, words, &batch_text[i]));

  // ---- write ----
  auto file = OpenLocalWritable(path);
  if (!file.ok()) Die(file.status(), "open output");
  WriterOptions opt;
  opt.compression = codec;
  opt.plain_uncompressed_columns = {"vec"};
  double logical_bytes = 0;
  const double t0 = Now(), c0 = CpuNow();
  auto writer = ParquetWriter::Open(file->get(), BenchSchema(), opt);
  if (!writer.ok()) Die(writer.status(), "open writer");
  for (int64_t done = 0, k = 0; done < rows; ++k) {
    Batch& b = batches[static_cast<size_t>(k % kDistinctBatches)];
    const int64_t n = std::min(kBatchRows, rows - done);
    int64_t* ids = reinterpret_cast<int64_t*>(b.columns[0].values().data());
    for (int64_t i = 0; i < kBatchRows; ++i) ids[i] = done + i;
    Status st = n == kBatchRows ? (*writer)->WriteBatch(b) : (*writer)->WriteBatch(b.Slice(0, n));
    if (!st.ok()) Die(st, "write");
    const auto& off = b.columns[1].offsets();
    logical_bytes += 8.0 * n + static_cast<double>(off[static_cast<size_t>(n)] - off[0]) + double(kVecBytes) * n;
    done += n;
  }
  Status st = (*writer)->Close();
  if (!st.ok()) Die(st, "close");
  const double write_s = Now() - t0, write_cpu = CpuNow() - c0;
  const double file_bytes = static_cast<double>((*writer)->position());
  batches.clear();
  std::vector<Figure> figures = {{"write", rows, write_s, write_cpu, logical_bytes}};

  // ---- read ----
  auto reader = ParquetReader::OpenPath(path);
  if (!reader.ok()) Die(reader.status(), "open reader");
  const double text_bytes = logical_bytes - 8.0 * rows - double(kVecBytes) * rows;
  for (int pass = 0; pass < (write_only ? 0 : 2); ++pass) {
    const bool vec_only = pass == 1;
    const std::vector<int> fields = vec_only ? std::vector<int>{2} : std::vector<int>{};
    int64_t got = 0;
    const double r0 = Now(), rc0 = CpuNow();
    for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
      auto batch = (*reader)->ReadRowGroup(rg, fields);
      if (!batch.ok()) Die(batch.status(), "read");
      got += batch->num_rows;
    }
    const double secs = Now() - r0, cpu = CpuNow() - rc0;
    if (got != rows) {
      std::fprintf(stderr, "parquet_bench: read %lld rows, wrote %lld\n", static_cast<long long>(got),
                   static_cast<long long>(rows));
      return 1;
    }
    figures.push_back({vec_only ? "read_vec" : "read_all", rows, secs, cpu,
                       vec_only ? double(kVecBytes) * rows : 8.0 * rows + text_bytes + double(kVecBytes) * rows});
  }
  if (!keep) std::remove(path.c_str());

  std::printf("parquet_bench: %lld rows {id int64, chunk_text ~500 B, vec %d-d f16}, %s, file %.1f MB (%s)\n",
              static_cast<long long>(rows), kDim, std::string(CompressionName(codec)).c_str(), file_bytes / 1e6,
              keep ? path.c_str() : "deleted");
  std::printf("  %-10s %10s %9s %9s %14s %10s %12s\n", "op", "rows", "wall s", "cpu s", "rows/s", "MB/s",
              "MB/cpu-s");
  for (const Figure& f : figures) PrintRow(f);
  for (const Figure& f : figures) {
    std::printf("parquet op=%s rows=%lld rows_per_s=%.0f mb_per_s=%.1f cpu_s=%.3f mb_per_cpu_s=%.1f", f.op,
                static_cast<long long>(f.rows), static_cast<double>(f.rows) / f.seconds, f.bytes / f.seconds / 1e6,
                f.cpu_seconds, f.bytes / f.cpu_seconds / 1e6);
    if (std::strcmp(f.op, "write") == 0) std::printf(" file_mb=%.1f", file_bytes / 1e6);
    std::printf("\n");
  }
  return 0;
}
