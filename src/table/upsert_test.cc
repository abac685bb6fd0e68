// Writing by id (table/upsert.h): the four insert modes, delete by ids, concurrent upserts from four
// processes, and the id lookup reading only the row groups whose id bounds can match (counted
// through the store).
#include "table/upsert.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "parquet/reader.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

using nlohmann::json;
constexpr uint32_t kDim = 4;

struct Row {
  std::string text;
  std::string metadata;
  std::vector<float> vec;
  bool operator==(const Row&) const = default;
};

// Every live row of the current snapshot (position deletes applied), as id -> rows (an id stored
// twice shows up twice).
std::map<std::string, std::vector<Row>> LiveRows(Table& t) {
  std::map<std::string, std::vector<Row>> out;
  EXPECT_TRUE(t.Refresh().ok());
  const iceberg::Snapshot* snap = t.metadata().CurrentSnapshot();
  if (!snap) return out;
  auto files = iceberg::ReadSnapshotFiles(t.catalog().store(), t.locations(), snap);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return out;
  auto deleted = ReadPositionDeletes(t, files->delete_files);
  EXPECT_TRUE(deleted.ok());
  for (const auto& e : files->data_files) {
    auto key = t.locations().KeyOf(e.file.file_path);
    auto reader = parquet::ParquetReader::Open(*t.catalog().store().OpenReadable(*key));
    EXPECT_TRUE(reader.ok());
    auto idx = (*reader)->FieldIndices({"id", "chunk_text", "metadata", "embedding"});
    EXPECT_TRUE(idx.ok());
    auto b = (*reader)->ReadAll(*idx);
    EXPECT_TRUE(b.ok());
    std::set<int64_t> gone;
    if (auto d = deleted->find(e.file.file_path); d != deleted->end()) gone.insert(d->second.begin(), d->second.end());
    for (int64_t r = 0; r < b->num_rows; ++r) {
      if (gone.count(r)) continue;
      Row row;
      if (b->columns[1].IsValid(r)) row.text = std::string(b->columns[1].StringValue(r));
      if (b->columns[2].IsValid(r)) row.metadata = std::string(b->columns[2].StringValue(r));
      row.vec.resize(kDim);
      std::memcpy(row.vec.data(), b->columns[3].FixedValue(r), kDim * sizeof(float));
      out[std::string(b->columns[0].StringValue(r))].push_back(row);
    }
  }
  return out;
}

std::string JsonlRow(const std::string& id, const std::string& text, float x, const json& extra = json::object()) {
  json j = {{"id", id}, {"chunk_text", text}, {"embedding", {x, x + 1, x + 2, x + 3}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  return j.dump() + "\n";
}

class UpsertTest : public ::testing::Test {
 protected:
  std::unique_ptr<Table> MakeTable(catalog::Catalog& cat) {
    TableOptions o;
    o.model = {"m", "1", kDim, VectorMetric::kEuclidean, false};
    o.policy.precision = VectorPrecision::kF32;  // exact values to compare
    auto t = Table::Create(cat, *catalog::TableIdent::Parse("t"), o);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(*t);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  static Result<WriteResult> Load(Table& t, const std::string& path, WriteMode mode) {
    UpsertOptions uo;
    uo.mode = mode;
    return IngestWithMode(t, path, nullptr, {}, uo);
  }
  test_util::TempDir tmp_{"upsert"};
  const std::filesystem::path dir_ = tmp_.path();
};

TEST_F(UpsertTest, ModesReplaceSkipAndRefuseByIdInOneSnapshot) {
  auto cat = catalog::OpenCatalog("fs", (dir_ / "wh").string());
  ASSERT_TRUE(cat.ok());
  auto t = MakeTable(**cat);
  std::string base;
  for (int i = 0; i < 50; ++i) base += JsonlRow("r" + std::to_string(i), "text " + std::to_string(i), float(i), {{"src", "a"}});
  const std::string base_path = Write("base.jsonl", base);
  ASSERT_TRUE(Load(*t, base_path, WriteMode::kErrorOnDuplicate).ok());
  const auto before = LiveRows(*t);
  ASSERT_EQ(before.size(), 50u);

  // Re-inserting the same file with upsert: same rows, same values, one new snapshot.
  const size_t snaps = t->metadata().snapshots.size();
  auto again = Load(*t, base_path, WriteMode::kUpsert);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->replaced, 50);
  EXPECT_EQ(again->ingest.rows, 50);
  // No row of the old file stays live: it is removed from the table rather than fully deleted.
  EXPECT_EQ(again->files_removed, 1u);
  EXPECT_EQ(t->metadata().CurrentSnapshot()->summary.at("total-data-files"), "1");
  EXPECT_EQ(t->metadata().CurrentSnapshot()->summary.at("added-delete-files"), "0");
  EXPECT_EQ(LiveRows(*t), before);
  EXPECT_EQ(t->metadata().snapshots.size(), snaps + 1);

  // Upserting changed rows changes exactly them (vector, text, metadata) and adds the new one, in
  // one snapshot whose operation is an overwrite.
  const std::string changed = JsonlRow("r5", "new five", 500.f, {{"src", "b"}}) + JsonlRow("r7", "new seven", 700.f) +
                              JsonlRow("r100", "hundred", 100.f);
  auto up = Load(*t, Write("changed.jsonl", changed), WriteMode::kUpsert);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->replaced, 2);
  EXPECT_EQ(t->metadata().snapshots.size(), snaps + 2);
  EXPECT_EQ(t->metadata().CurrentSnapshot()->summary.at("operation"), "overwrite");
  auto after = LiveRows(*t);
  ASSERT_EQ(after.size(), 51u);
  for (const auto& [id, rows] : after) {
    ASSERT_EQ(rows.size(), 1u) << id << " is live " << rows.size() << " times";
    if (id == "r5") {
      EXPECT_EQ(rows[0].text, "new five");
      EXPECT_EQ(rows[0].vec, (std::vector<float>{500, 501, 502, 503}));
      EXPECT_EQ(json::parse(rows[0].metadata)["src"], "b");
    } else if (id == "r7") {
      EXPECT_EQ(rows[0].text, "new seven");
      EXPECT_EQ(rows[0].vec[0], 700.f);
      EXPECT_EQ(rows[0].metadata, "");  // the new row has no extra field
    } else if (id == "r100") {
      EXPECT_EQ(rows[0].text, "hundred");
    } else {
      EXPECT_EQ(rows, before.at(id)) << id << " changed although it was not upserted";
    }
  }

  // The default mode refuses a re-load, naming an id; nothing is committed.
  const int64_t current = t->metadata().CurrentSnapshot()->snapshot_id;
  auto refused = Load(*t, base_path, WriteMode::kErrorOnDuplicate);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(refused.status().message().find("id 'r0' is already in table default.t"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("--mode upsert"), std::string::npos);
  ASSERT_TRUE(t->Refresh().ok());
  EXPECT_EQ(t->metadata().CurrentSnapshot()->snapshot_id, current);

  // insert-new skips the ids already live and adds the rest.
  auto fresh = Load(*t, Write("new.jsonl", JsonlRow("r1", "ignored", 9.f) + JsonlRow("r200", "two hundred", 200.f)),
                    WriteMode::kInsertNew);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->ingest.skipped, 1);
  EXPECT_EQ(fresh->ingest.rows, 1);
  auto last = LiveRows(*t);
  EXPECT_EQ(last.size(), 52u);
  EXPECT_EQ(last.at("r1"), before.at("r1"));
  EXPECT_EQ(last.at("r200")[0].text, "two hundred");
  // All ids live: nothing to write, nothing committed.
  const size_t n = t->metadata().snapshots.size();
  auto none = Load(*t, base_path, WriteMode::kInsertNew);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->ingest.skipped, 50);
  EXPECT_EQ(none->ingest.snapshot_id, 0);
  ASSERT_TRUE(t->Refresh().ok());
  EXPECT_EQ(t->metadata().snapshots.size(), n);

  // append still adds duplicates when asked to.
  ASSERT_TRUE(Load(*t, Write("dup1.jsonl", JsonlRow("r2", "again", 2.f)), WriteMode::kAppend).ok());
  EXPECT_EQ(LiveRows(*t).at("r2").size(), 2u);
  // ... and an upsert of that id replaces both copies.
  ASSERT_TRUE(Load(*t, Write("dup2.jsonl", JsonlRow("r2", "one", 2.f)), WriteMode::kUpsert).ok());
  auto r2 = LiveRows(*t).at("r2");
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].text, "one");
}

TEST_F(UpsertTest, BadInputNamesTheRowsAndCommitsNothing) {
  auto cat = catalog::OpenCatalog("fs", (dir_ / "wh").string());
  ASSERT_TRUE(cat.ok());
  auto t = MakeTable(**cat);
  const std::string dup = Write("dup.jsonl", JsonlRow("a", "x", 1) + JsonlRow("b", "y", 2) + JsonlRow("a", "z", 3));
  for (WriteMode m : {WriteMode::kUpsert, WriteMode::kInsertNew, WriteMode::kErrorOnDuplicate}) {
    auto r = Load(*t, dup, m);
    ASSERT_FALSE(r.ok()) << WriteModeName(m);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("dup.jsonl line 3: id 'a' repeats " + dup + " line 1"), std::string::npos)
        << r.status().message();
  }
  auto noid = Load(*t, Write("noid.jsonl", JsonlRow("a", "x", 1) + "{\"chunk_text\":\"no id\",\"embedding\":[1,2,3,4]}\n"),
                   WriteMode::kErrorOnDuplicate);
  ASSERT_FALSE(noid.ok());
  EXPECT_NE(noid.status().message().find("noid.jsonl line 2: has no 'id'"), std::string::npos) << noid.status().message();
  // A bad row after the id scan (wrong dimension) still commits nothing.
  auto bad = Load(*t, Write("bad.jsonl", JsonlRow("a", "x", 1) + "{\"id\":\"b\",\"embedding\":[1,2]}\n"), WriteMode::kUpsert);
  ASSERT_FALSE(bad.ok());
  ASSERT_TRUE(t->Refresh().ok());
  EXPECT_EQ(t->metadata().CurrentSnapshot(), nullptr);
  EXPECT_FALSE(ParseWriteMode("merge").ok());
  // Integer ids are matched as their decimal text, as ingest stores them.
  ASSERT_TRUE(Load(*t, Write("int.jsonl", "{\"id\":7,\"chunk_text\":null,\"embedding\":[1,2,3,4]}\n"), WriteMode::kErrorOnDuplicate).ok());
  auto again = Load(*t, Write("str.jsonl", "{\"id\":\"7\",\"chunk_text\":null,\"embedding\":[1,2,3,4]}\n"), WriteMode::kErrorOnDuplicate);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(UpsertTest, DeleteIdsDeletesExactlyThoseInOneCommitAndReportsUnknownOnes) {
  auto cat = catalog::OpenCatalog("fs", (dir_ / "wh").string());
  ASSERT_TRUE(cat.ok());
  auto t = MakeTable(**cat);
  std::string base;
  for (int i = 0; i < 30; ++i) base += JsonlRow("r" + std::to_string(i), "t", float(i));
  IngestOptions io;
  io.writer.target_file_rows = 10;  // three files
  UpsertOptions uo;
  ASSERT_TRUE(IngestWithMode(*t, Write("base.jsonl", base), nullptr, io, uo).ok());
  const auto before = LiveRows(*t);
  size_t snaps = t->metadata().snapshots.size();
  // Plain lines and JSON Lines mix; blank lines and surrounding spaces are ignored.
  auto ids = ReadIdsFile(Write("ids.txt", "r3\n  r25 \r\n\n{\"id\":\"r14\"}\nnope\n{\"id\":\"r3\"}\n"));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  auto r = DeleteIds(*t, *ids);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows_deleted, 3);
  EXPECT_EQ(r->delete_files, 3u);
  EXPECT_EQ(r->unknown_ids, std::vector<std::string>{"nope"});
  EXPECT_EQ(t->metadata().snapshots.size(), snaps + 1);
  auto after = LiveRows(*t);
  EXPECT_EQ(after.size(), 27u);
  for (const auto& [id, rows] : before) {
    const bool gone = id == "r3" || id == "r25" || id == "r14";
    EXPECT_EQ(after.count(id), gone ? 0u : 1u) << id;
  }
  // Every remaining row of the first file (r0..r9, r3 already gone): the file is removed instead.
  auto whole = DeleteIds(*t, {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->rows_deleted, 9);
  EXPECT_EQ(whole->files_removed, 1u);
  EXPECT_EQ(whole->delete_files, 0u);
  EXPECT_EQ(whole->unknown_ids, std::vector<std::string>{"r3"});
  EXPECT_EQ(LiveRows(*t).size(), 18u);
  EXPECT_EQ(t->metadata().CurrentSnapshot()->summary.at("total-data-files"), "2");
  ++snaps;
  // Deleting them again: all unknown, nothing committed.
  auto again = DeleteIds(*t, {"r3", "r25"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->snapshot_id, 0);
  EXPECT_EQ(again->unknown_ids.size(), 2u);
  EXPECT_EQ(t->metadata().snapshots.size(), snaps + 1);
  auto bad = ReadIdsFile(Write("bad.jsonl", "r1\n{\"doc\":1}\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.jsonl line 2"), std::string::npos);
}

// A file holding matched rows is rewritten (as a compaction or a migration task would: the same ids
// in a new file, the old file removed) after the upsert planned and before it commits: the commit
// must not land deletes on the dead file (the rows would live on in the new one). It plans again on
// the new state and replaces the rows in the new file.
// Planted bug: Replannable() returning false made the upsert fail with the conflict (no retry).
TEST_F(UpsertTest, AMatchedFileRewrittenMeanwhileIsPlannedAgain) {
  auto cat = catalog::OpenCatalog("fs", (dir_ / "wh").string());
  ASSERT_TRUE(cat.ok());
  auto t = MakeTable(**cat);
  std::string base;
  for (int i = 0; i < 20; ++i) base += JsonlRow("r" + std::to_string(i), "base", float(i));
  ASSERT_TRUE(Load(*t, Write("base.jsonl", base), WriteMode::kErrorOnDuplicate).ok());
  std::string changed;
  for (int i = 0; i < 5; ++i) changed += JsonlRow("r" + std::to_string(i), "upserted", float(100 + i));
  UpsertOptions uo;
  uo.mode = WriteMode::kUpsert;
  bool rewrote = false;
  uo.before_first_commit = [&] {
    // Another writer (its own Table) rewrites the one data file: same ids, text "rewritten".
    auto other = Table::Open(**cat, *catalog::TableIdent::Parse("t"));
    ASSERT_TRUE(other.ok());
    auto files = iceberg::ReadSnapshotFiles((*cat)->store(), (*other)->locations(), (*other)->metadata().CurrentSnapshot());
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->data_files.size(), 1u);
    auto w = TableWriter::Open(**other, {});
    ASSERT_TRUE(w.ok());
    auto schema = (*other)->DataSchema();
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<float> v;
    for (int i = 0; i < 20; ++i) {
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendNull();
      b.columns[2].AppendString("rewritten");
      b.columns[3].AppendNull();
      for (uint32_t d = 0; d < kDim; ++d) v.push_back(float(i + d));
    }
    b.num_rows = 20;
    ASSERT_TRUE((*w)->Append(b, v.data()).ok());
    iceberg::TableChange change;
    change.operation = "replace";
    change.remove_files = {files->data_files[0].file.file_path};
    ASSERT_TRUE((*w)->Commit(std::move(change)).ok());
    rewrote = true;
  };
  auto r = IngestWithMode(*t, Write("changed.jsonl", changed), nullptr, {}, uo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(rewrote);
  EXPECT_EQ(r->replans, 1);
  EXPECT_EQ(r->replaced, 5);
  auto live = LiveRows(*t);
  ASSERT_EQ(live.size(), 20u);
  for (const auto& [id, rows] : live) {
    ASSERT_EQ(rows.size(), 1u) << id;
    EXPECT_EQ(rows[0].text, std::stoi(id.substr(1)) < 5 ? "upserted" : "rewritten") << id;
  }
}

// ---- the lookup reads only the row groups whose id bounds can match ---------------------------

// A store that records every read of an object (key, offset, length): the test's own instrument,
// independent of the library's counters.
struct ReadRecord {
  std::string key;
  uint64_t offset = 0, length = 0;
};

class CountingStore final : public Store {
 public:
  explicit CountingStore(Store& inner) : inner_(inner) {}
  void Record(const std::string& key, uint64_t offset, uint64_t length) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (on_) reads_.push_back({key, offset, length});
  }
  void Start() { on_ = true; }
  std::vector<ReadRecord> Stop() {
    on_ = false;
    return std::move(reads_);
  }

  std::string Describe() const override { return inner_.Describe(); }
  Result<std::vector<uint8_t>> Get(const std::string& key, uint64_t max_bytes) const override {
    auto r = inner_.Get(key, max_bytes);
    if (r.ok()) Record(key, 0, r->size());
    return r;
  }
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset, uint64_t length) const override {
    Record(key, offset, length);
    return inner_.GetRange(key, offset, length);
  }
  Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& key) const override {
    AILAKE_ASSIGN_OR_RETURN(auto f, inner_.OpenReadable(key));
    return std::shared_ptr<RandomAccessFile>(std::make_shared<File>(this, key, std::move(f)));
  }
  Status Put(const std::string& key, const uint8_t* data, size_t length) override { return inner_.Put(key, data, length); }
  Status PutIfAbsent(const std::string& key, const uint8_t* data, size_t length) override {
    return inner_.PutIfAbsent(key, data, length);
  }
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& key, PublishMode mode) override {
    return inner_.OpenWritable(key, mode);
  }
  Result<std::vector<ObjectInfo>> List(const std::string& prefix) const override { return inner_.List(prefix); }
  Status Delete(const std::string& key) override { return inner_.Delete(key); }
  Result<uint64_t> Size(const std::string& key) const override { return inner_.Size(key); }
  Result<bool> Exists(const std::string& key) const override { return inner_.Exists(key); }

 private:
  class File final : public RandomAccessFile {
   public:
    File(const CountingStore* s, std::string key, std::shared_ptr<RandomAccessFile> f)
        : store_(s), key_(std::move(key)), f_(std::move(f)) {}
    const std::string& name() const override { return f_->name(); }
    Result<uint64_t> Size() const override { return f_->Size(); }
    Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const override {
      store_->Record(key_, offset, length);
      return f_->ReadAt(offset, length, out);
    }

   private:
    const CountingStore* store_;
    std::string key_;
    std::shared_ptr<RandomAccessFile> f_;
  };
  Store& inner_;
  mutable std::mutex mu_;
  mutable std::vector<ReadRecord> reads_;
  bool on_ = false;
};

// A catalog that hands out the counting store and forwards everything else.
class CountingCatalog final : public catalog::Catalog {
 public:
  explicit CountingCatalog(std::unique_ptr<catalog::Catalog> inner) : inner_(std::move(inner)), store_(inner_->store()) {}
  CountingStore& counting() { return store_; }
  std::string Describe() const override { return inner_->Describe(); }
  Store& store() override { return store_; }
  const std::string& warehouse_uri() const override { return inner_->warehouse_uri(); }
  Status CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& p) override {
    return inner_->CreateNamespace(ns, p);
  }
  Result<std::vector<std::string>> ListNamespaces() override { return inner_->ListNamespaces(); }
  Result<std::vector<catalog::TableIdent>> ListTables(const std::string& ns) override { return inner_->ListTables(ns); }
  Result<catalog::LoadedTable> CreateTable(const catalog::TableIdent& i, iceberg::TableMetadata m) override {
    return inner_->CreateTable(i, std::move(m));
  }
  Result<catalog::LoadedTable> LoadTable(const catalog::TableIdent& i) override { return inner_->LoadTable(i); }
  Result<catalog::LoadedTable> CommitTable(const catalog::LoadedTable& b, iceberg::TableMetadata u) override {
    return inner_->CommitTable(b, std::move(u));
  }
  Status DropTable(const catalog::TableIdent& i, bool purge) override { return inner_->DropTable(i, purge); }

 private:
  std::unique_ptr<catalog::Catalog> inner_;
  CountingStore store_;
};

std::string Kid(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

// 10,000 rows in 20 files of 10 row groups (50 rows each), ids k000000.. in order; an upsert of
// 1,000 ids (900 live ones, k003000..k003899, and 100 new ones) must open only the two data files
// whose manifest id bounds overlap them, and read only the footer and the id column chunk of the
// 18 row groups that hold them: never another column, another row group or another file.
// Planted bugs: FindIds ignoring the manifest bounds (every file a candidate) failed the "files
// opened" check (20 instead of 2); ignoring row-group statistics failed the "id chunks read" check
// (20 chunks instead of 18, and "read an id chunk with no upserted id").
TEST_F(UpsertTest, UpsertOf1000IdsReadsOnlyTheRowGroupsWhoseBoundsMatch) {
  auto inner = catalog::OpenCatalog("fs", (dir_ / "wh").string());
  ASSERT_TRUE(inner.ok());
  CountingCatalog cat(std::move(*inner));
  auto t = MakeTable(cat);
  const int kFiles = 20, kFileRows = 500, kGroupRows = 50;
  {
    TableWriterOptions wo;
    wo.target_file_rows = kFileRows;
    wo.row_group_rows = kGroupRows;
    wo.build_threads = 1;
    auto w = TableWriter::Open(*t, wo);
    ASSERT_TRUE(w.ok());
    auto schema = t->DataSchema();
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<float> v;
    for (int i = 0; i < kFiles * kFileRows; ++i) {
      b.columns[0].AppendString(Kid(i));
      for (size_t c = 1; c < b.columns.size(); ++c) b.columns[c].AppendNull();
      for (uint32_t d = 0; d < kDim; ++d) v.push_back(float(i + d));
    }
    b.num_rows = kFiles * kFileRows;
    ASSERT_TRUE((*w)->Append(b, v.data()).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  // What each existing data file looks like (read through the inner store, not counted).
  struct Chunk {
    uint64_t begin = 0, end = 0;
    bool is_id = false, holds_upserted = false;
  };
  struct FileLayout {
    uint64_t size = 0, footer_begin = 0, footer_end = 0;
    std::vector<Chunk> chunks;
  };
  std::map<std::string, FileLayout> layout;  // by store key
  std::set<std::string> upserted;
  std::string input;
  for (int i = 3000; i < 3900; ++i) {
    upserted.insert(Kid(i));
    input += JsonlRow(Kid(i), "new", float(i));
  }
  for (int i = 0; i < 100; ++i) input += JsonlRow("n" + std::to_string(i), "new", float(i));
  const std::string path = Write("up.jsonl", input);
  int expected_groups = 0;
  {
    auto files = iceberg::ReadSnapshotFiles(cat.store(), t->locations(), t->metadata().CurrentSnapshot());
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->data_files.size(), size_t(kFiles));
    for (const auto& e : files->data_files) {
      const std::string key = *t->locations().KeyOf(e.file.file_path);
      auto reader = parquet::ParquetReader::Open(*cat.store().OpenReadable(key));
      ASSERT_TRUE(reader.ok());
      const parquet::FileInfo& info = (*reader)->info();
      FileLayout& f = layout[key];
      f.size = info.file_size;
      f.footer_begin = info.footer_offset;
      f.footer_end = info.footer_offset + info.footer_length;
      ASSERT_EQ((*reader)->num_row_groups(), kFileRows / kGroupRows);
      for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
        auto ids = (*reader)->ReadRowGroup(rg, {0});
        ASSERT_TRUE(ids.ok());
        bool holds = false;
        for (int64_t r = 0; r < ids->num_rows; ++r) holds |= upserted.count(std::string(ids->columns[0].StringValue(r))) > 0;
        expected_groups += holds;
        for (size_t c = 0; c < info.row_groups[rg].columns.size(); ++c) {
          const auto& ch = info.row_groups[rg].columns[c];
          Chunk k;
          k.begin = static_cast<uint64_t>(ch.dictionary_page_offset ? std::min(*ch.dictionary_page_offset, ch.data_page_offset)
                                                                    : ch.data_page_offset);
          k.end = k.begin + static_cast<uint64_t>(ch.total_compressed_size);
          k.is_id = info.leaves[c].path == "id";
          k.holds_upserted = holds;
          f.chunks.push_back(k);
        }
      }
    }
  }
  ASSERT_EQ(expected_groups, 18);

  cat.counting().Start();
  UpsertOptions uo;
  uo.mode = WriteMode::kUpsert;
  auto r = IngestWithMode(*t, path, nullptr, {}, uo);
  const std::vector<ReadRecord> reads = cat.counting().Stop();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->replaced, 900);
  EXPECT_EQ(r->files_removed, 1u);  // k003000..k003499: every row of one file

  std::set<std::string> opened;
  std::set<std::pair<std::string, size_t>> id_chunks_read;
  for (const ReadRecord& rd : reads) {
    auto it = layout.find(rd.key);
    if (it == layout.end()) continue;  // metadata, delete files, the new data files
    opened.insert(rd.key);
    const FileLayout& f = it->second;
    const uint64_t end = rd.offset + rd.length;
    if (end <= 4 || rd.offset >= f.size - 8 || (rd.offset >= f.footer_begin && end <= f.footer_end)) continue;
    bool inside = false;
    for (size_t c = 0; c < f.chunks.size(); ++c) {
      const Chunk& ch = f.chunks[c];
      if (rd.offset >= ch.end || end <= ch.begin) continue;
      EXPECT_TRUE(ch.is_id) << rd.key << ": read [" << rd.offset << ", " << end << ") touches a non-id column chunk";
      EXPECT_TRUE(ch.holds_upserted) << rd.key << ": read an id chunk with no upserted id";
      inside = rd.offset >= ch.begin && end <= ch.end;
      id_chunks_read.insert({rd.key, c});
    }
    EXPECT_TRUE(inside) << rd.key << ": read [" << rd.offset << ", " << end << ") is not inside one id column chunk";
  }
  EXPECT_EQ(opened.size(), 2u);
  EXPECT_EQ(id_chunks_read.size(), 18u);
  EXPECT_EQ(r->lookup.files_opened, 2);
  EXPECT_EQ(r->lookup.row_groups_read, 18);
  const auto live = LiveRows(*t);
  EXPECT_EQ(live.size(), size_t(kFiles * kFileRows + 100));
  EXPECT_EQ(live.at(Kid(3456)).at(0).text, "new");
  EXPECT_EQ(live.at(Kid(3456)).size(), 1u);
  EXPECT_EQ(live.at(Kid(3900)).at(0).text, "");
}

// Four processes upsert overlapping id sets. Each plans (looks its ids up and writes its files), then
// waits at a barrier before its first commit, so all four planned on the same snapshot: the first
// commit wins and each of the other three must notice it (a lost race or a conflicting id) and
// re-plan. At the end every id is live exactly once with a value one of the writers wrote.
// Planted bug: a ConflictCheck that returns OK without looking at newer data files made the shared
// new ids ("n*") live two or three times and failed the exactly-once check (the retry count stayed
// > 0 from lost races alone).
class ConcurrentUpserts : public UpsertTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(ConcurrentUpserts, EveryIdExactlyOnceWithAWrittenValue) {
  const std::string kind = GetParam();
  const std::string wh = (dir_ / "wh").string();
  const int kProcs = 4;
  std::map<std::string, Row> untouched;
  {
    // Created and closed before forking: a SQLite connection must never cross fork().
    auto cat = catalog::OpenCatalog(kind, wh);
    ASSERT_TRUE(cat.ok());
    auto t = MakeTable(**cat);
    std::string base;
    for (int i = 0; i < 30; ++i) base += JsonlRow("o" + std::to_string(i), "base", float(i));
    for (int i = 0; i < 20; ++i) base += JsonlRow("u" + std::to_string(i), "untouched", float(100 + i));
    ASSERT_TRUE(Load(*t, Write("base.jsonl", base), WriteMode::kErrorOnDuplicate).ok());
    for (const auto& [id, rows] : LiveRows(*t)) {
      if (id[0] == 'u') untouched[id] = rows.at(0);
    }
  }
  // Process p: 10 new ids all four share, 10 of its own, and (p0, p1 only) the 30 existing "o" ids.
  // p2 and p3 replace no existing row, so only the check for newer data files holding their ids
  // keeps the shared new ids from landing twice.
  std::vector<std::string> inputs;
  for (int p = 0; p < kProcs; ++p) {
    std::string s;
    const std::string tag = "p" + std::to_string(p);
    for (int i = 0; i < 30 && p < 2; ++i) s += JsonlRow("o" + std::to_string(i), tag, float(1000 * (p + 1) + i));
    for (int i = 0; i < 10; ++i) s += JsonlRow("n" + std::to_string(i), tag, float(1000 * (p + 1) + 50 + i));
    for (int i = 0; i < 10; ++i) s += JsonlRow(tag + "-" + std::to_string(i), tag, float(1000 * (p + 1) + 80 + i));
    inputs.push_back(Write("in" + std::to_string(p) + ".jsonl", s));
  }
  int ready[2], go[2], report[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(report), 0);
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(ready[0]);
      close(go[1]);
      close(report[0]);
      bool arrived = false;
      auto cat = catalog::OpenCatalog(kind, wh);
      if (!cat.ok()) _exit(10);
      auto t = Table::Open(**cat, *catalog::TableIdent::Parse("t"));
      if (!t.ok()) _exit(11);
      UpsertOptions uo;
      uo.mode = WriteMode::kUpsert;
      uo.before_first_commit = [&] {
        arrived = true;
        char c = 'r';
        if (write(ready[1], &c, 1) != 1) _exit(12);
        while (read(go[0], &c, 1) > 0) {
        }  // EOF: the parent released everyone
      };
      auto r = IngestWithMode(**t, inputs[static_cast<size_t>(p)], nullptr, {}, uo);
      if (!arrived) {  // failed before the barrier: never leave the others waiting
        char c = 'e';
        (void)!write(ready[1], &c, 1);
      }
      if (!r.ok()) {
        fprintf(stderr, "process %d: %s\n", p, r.status().ToString().c_str());
        _exit(13);
      }
      const int32_t retries[2] = {r->replans, r->commit_attempts - 1};
      if (write(report[1], retries, sizeof(retries)) != sizeof(retries)) _exit(14);
      _exit(0);
    }
    pids.push_back(pid);
  }
  close(ready[1]);
  close(go[0]);
  close(report[1]);
  for (int p = 0; p < kProcs; ++p) {
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    EXPECT_EQ(c, 'r') << "a writer failed before its commit";
  }
  close(go[1]);  // release all four at once
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  int replans = 0, lost_races = 0;
  int32_t retries[2];
  while (read(report[0], retries, sizeof(retries)) == sizeof(retries)) {
    replans += retries[0];
    lost_races += retries[1];
  }
  close(report[0]);
  close(ready[0]);
  // All four planned on one snapshot; only one commit can land on it, so the other three retried.
  EXPECT_GE(replans + lost_races, kProcs - 1) << replans << " re-plans, " << lost_races << " lost races";

  auto cat = catalog::OpenCatalog(kind, wh);
  ASSERT_TRUE(cat.ok());
  auto t = Table::Open(**cat, *catalog::TableIdent::Parse("t"));
  ASSERT_TRUE(t.ok());
  auto live = LiveRows(**t);
  EXPECT_EQ(live.size(), 30u + 20u + 10u + 10u * kProcs);
  for (const auto& [id, rows] : live) {
    ASSERT_EQ(rows.size(), 1u) << id << " is live " << rows.size() << " times";
    const Row& row = rows[0];
    if (id[0] == 'u') {
      EXPECT_EQ(row, untouched.at(id));
      continue;
    }
    // A written value: tag pX and the vector process X wrote for this id.
    ASSERT_EQ(row.text.size(), 2u) << id << ": " << row.text;
    const int p = row.text[1] - '0';
    ASSERT_TRUE(p >= 0 && p < kProcs) << row.text;
    float x;
    if (id[0] == 'o') {
      EXPECT_LT(p, 2) << id << " holds a value its writers never wrote";
    }
    if (id[0] == 'o') x = float(1000 * (p + 1) + std::stoi(id.substr(1)));
    else if (id[0] == 'n') x = float(1000 * (p + 1) + 50 + std::stoi(id.substr(1)));
    else {
      EXPECT_EQ(id.substr(0, 2), row.text);
      x = float(1000 * (p + 1) + 80 + std::stoi(id.substr(3)));
    }
    EXPECT_EQ(row.vec, (std::vector<float>{x, x + 1, x + 2, x + 3})) << id;
  }
  for (int i = 0; i < 30; ++i) EXPECT_EQ(live.count("o" + std::to_string(i)), 1u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(live.count("n" + std::to_string(i)), 1u);
}

INSTANTIATE_TEST_SUITE_P(Catalogs, ConcurrentUpserts, ::testing::Values("fs", "sqlite"));

}  // namespace
}  // namespace ailake::table
