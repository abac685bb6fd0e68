// Compaction through the library: many one-row commits merged into one file with identical search
// results, deletes applied and carried, multi-row-group sources, grouping by layout, --where, and
// the conflicts with commits that land while a compaction runs (injected from its progress hook,
// in the same process; the forked-process races are in src/cli/cli_compact_test.cc).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/uuid.h"
#include "embed/hash_embedder.h"
#include "file/file_reader.h"
#include "file/file_writer.h"
#include "iceberg/snapshot_files.h"
#include "table/commit.h"
#include "table/compact.h"
#include "table/data_file_stats.h"
#include "table/expire.h"
#include "table/maintenance.h"
#include "table/table_delete.h"
#include "table/table_search.h"
#include "table/table_writer.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

namespace fs = std::filesystem;
using catalog::TableIdent;

struct Row {
  std::string text;
  std::string doc;
  std::vector<uint8_t> vector;  // stored bytes
  std::string file;
};

struct DirStats {
  size_t files = 0;
  uint64_t bytes = 0;
};

DirStats CountDir(const fs::path& dir) {
  DirStats s;
  if (!fs::exists(dir)) return s;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    ++s.files;
    s.bytes += e.file_size();
  }
  return s;
}

class CompactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cat_ = std::move(*catalog::OpenCatalog("fs", dir_.string()));
  }

  void MakeTable(IndexKind index = IndexKind::kAuto, int64_t target_rows = 250000) {
    TableOptions o;
    o.model = embedder_.model();
    o.policy.index = index;
    o.target_file_rows = target_rows;
    auto t = Table::Create(*cat_, *TableIdent::Parse("t"), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
  }

  static std::string Text(int64_t i) {
    static const char* kTopics[] = {"comet orbit telescope", "garlic butter oven", "router packet latency", "harbor tide keel"};
    return std::string(kTopics[i % 4]) + " chunk " + std::to_string(i);
  }

  // Appends rows [start, start + n) to `w` (ids "r<i>", doc "d<i % 3>").
  Status Write(TableWriter& w, int64_t start, int64_t n) {
    AILAKE_ASSIGN_OR_RETURN(parquet::Schema schema, table_->DataSchema());
    parquet::Batch b = parquet::Batch::Empty(schema);
    std::vector<std::string> texts;
    for (int64_t i = start; i < start + n; ++i) {
      texts.push_back(Text(i));
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendString("d" + std::to_string(i % 3));
      b.columns[2].AppendString(texts.back());
      b.columns[3].AppendString("{\"i\":" + std::to_string(i) + "}");
    }
    b.num_rows = n;
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<float> vecs;
    AILAKE_RETURN_IF_ERROR(embedder_.Embed(views, &vecs));
    return w.Append(b, vecs.data());
  }
  // One commit of rows [start, start + n), in files of `file_rows` rows.
  void Commit(int64_t start, int64_t n, int64_t file_rows = 0) {
    TableWriterOptions wo;
    wo.target_file_rows = file_rows;
    auto w = TableWriter::Open(*table_, wo);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE(Write(**w, start, n).ok());
    auto c = (*w)->Commit();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
  }

  // Live rows by id, read through a fresh Table (every id at most once).
  Result<std::map<std::string, Row>> Scan() {
    AILAKE_ASSIGN_OR_RETURN(auto t, Table::Open(*cat_, *TableIdent::Parse("t")));
    std::map<std::string, Row> out;
    const iceberg::Snapshot* snap = t->metadata().CurrentSnapshot();
    if (!snap) return out;
    Store& store = cat_->store();
    AILAKE_ASSIGN_OR_RETURN(auto files, iceberg::ReadSnapshotFiles(store, t->locations(), snap));
    AILAKE_ASSIGN_OR_RETURN(auto deletes, ReadPositionDeletes(*t, files.delete_files));
    for (const auto& e : files.data_files) {
      AILAKE_ASSIGN_OR_RETURN(std::string key, t->locations().KeyOf(e.file.file_path));
      AILAKE_ASSIGN_OR_RETURN(auto readable, store.OpenReadable(key));
      AILAKE_ASSIGN_OR_RETURN(auto reader, file::AiLakeFileReader::Open(readable));
      AILAKE_ASSIGN_OR_RETURN(auto idx, reader->parquet().FieldIndices({"id", "doc_id", "chunk_text", "embedding"}));
      AILAKE_ASSIGN_OR_RETURN(parquet::Batch b, reader->parquet().ReadAll(idx));
      std::set<int64_t> gone;
      auto d = deletes.find(e.file.file_path);
      if (d != deletes.end()) gone.insert(d->second.begin(), d->second.end());
      for (int64_t r = 0; r < b.num_rows; ++r) {
        if (gone.count(r)) continue;
        std::string id(b.columns[0].StringValue(r));
        Row row;
        row.doc = std::string(b.columns[1].StringValue(r));
        row.text = std::string(b.columns[2].StringValue(r));
        const uint8_t* v = b.columns[3].FixedValue(r);
        row.vector.assign(v, v + b.schema.fields[3].fixed_len);
        row.file = e.file.file_path;
        if (!out.emplace(id, std::move(row)).second) return Status::Corruption("row " + id + " is live twice");
      }
    }
    return out;
  }

  // Every id in `ids` live exactly once with its text, nothing else live.
  void ExpectRows(const std::set<int64_t>& ids, const std::string& where) {
    auto rows = Scan();
    ASSERT_TRUE(rows.ok()) << where << ": " << rows.status().ToString();
    EXPECT_EQ(rows->size(), ids.size()) << where;
    for (int64_t i : ids) {
      auto it = rows->find("r" + std::to_string(i));
      ASSERT_NE(it, rows->end()) << where << ": r" << i << " is missing";
      EXPECT_EQ(it->second.text, Text(i)) << where;
    }
  }

  size_t LiveDataFiles() {
    EXPECT_TRUE(table_->Refresh().ok());
    auto files = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), table_->metadata().CurrentSnapshot());
    EXPECT_TRUE(files.ok());
    return files.ok() ? files->data_files.size() : 0;
  }
  size_t LiveDeleteFiles() {
    EXPECT_TRUE(table_->Refresh().ok());
    auto files = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), table_->metadata().CurrentSnapshot());
    EXPECT_TRUE(files.ok());
    return files.ok() ? files->delete_files.size() : 0;
  }

  void ExpectVerified(const std::string& where) {
    auto v = VerifyTable(*table_);
    ASSERT_TRUE(v.ok()) << where << ": " << v.status().ToString();
    EXPECT_TRUE(v->problems.empty()) << where << ": " << v->problems.front();
  }

  std::vector<std::pair<std::string, float>> Search(const std::string& text, bool exact, size_t k = 10) {
    std::vector<float> q;
    EXPECT_TRUE(embedder_.Embed({text}, &q).ok());
    SearchOptions so;
    so.k = k;
    so.exact = exact;
    so.ef = 1000;  // exhaustive on these sizes: an HNSW miss would be the index's, not the compaction's
    so.columns = {"id"};
    FileCache cache;
    auto r = SearchTable(*table_, q.data(), so, &cache);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::pair<std::string, float>> out;
    if (!r.ok()) return out;
    for (size_t i = 0; i < r->hits.size(); ++i) {
      out.emplace_back(std::string(r->values.columns[0].StringValue(static_cast<int64_t>(i))), r->hits[i].distance);
    }
    return out;
  }

  test_util::TempDir tmp_{"compact", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> cat_;
  std::unique_ptr<Table> table_;
  embed::HashEmbedder embedder_{16, 0};
};

// Equal top-k lists: the same distances in order, and the same ids per distance, except for the
// last distance, whose tied ids may be cut at k differently (the hash embedder makes exact ties;
// their order is not part of the search contract).
::testing::AssertionResult SameHits(const std::vector<std::pair<std::string, float>>& a,
                                    const std::vector<std::pair<std::string, float>>& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << a.size() << " hits vs " << b.size();
  std::map<float, std::multiset<std::string>> ia, ib;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].second != b[i].second) {
      return ::testing::AssertionFailure() << "hit " << i << ": distance " << a[i].second << " vs " << b[i].second;
    }
    ia[a[i].second].insert(a[i].first);
    ib[b[i].second].insert(b[i].first);
  }
  for (const auto& [d, ids] : ia) {
    if (!a.empty() && d == a.back().second) continue;
    if (ids != ib[d]) return ::testing::AssertionFailure() << "other ids at distance " << d;
  }
  return ::testing::AssertionSuccess();
}

// The case at 1,000 one-row data files: the first 100 from 100 one-row commits (the
// issue's figure; every commit rewrites the growing metadata, so 1,000 commits would take minutes),
// the other 900 one-row files from 3 commits of 300. One file after compaction (the target is larger),
// every row once, deleted rows gone, exact and HNSW search results identical (ids and distances:
// vectors are carried bit for bit). File counts and bytes before/after are printed for the record.
TEST_F(CompactTest, ThousandOneRowInsertsBecomeOneFile) {
  constexpr int kRows = 1000;
  MakeTable(IndexKind::kHnsw);
  for (int i = 0; i < 100; ++i) Commit(i, 1);
  for (int i = 100; i < kRows; i += 300) Commit(i, 300, 1);
  ASSERT_EQ(LiveDataFiles(), static_cast<size_t>(kRows));
  auto del = DeleteWhere(*table_, "id IN ('r7', 'r500', 'r999') OR chunk_text = '" + Text(123) + "'");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  ASSERT_EQ(del->rows_deleted, 4);
  std::set<int64_t> ids;
  for (int i = 0; i < kRows; ++i) ids.insert(i);
  for (int i : {7, 500, 999, 123}) ids.erase(i);
  const std::vector<std::string> queries = {Text(5), Text(7), "garlic butter", "router latency chunk 42", Text(998)};
  std::vector<std::vector<std::pair<std::string, float>>> exact_before, hnsw_before;
  for (const auto& q : queries) {
    exact_before.push_back(Search(q, true));
    hnsw_before.push_back(Search(q, false));
  }
  const fs::path tdir = dir_ / "default" / "t";
  const DirStats meta_before = CountDir(tdir / "metadata"), data_before = CountDir(tdir / "data");

  auto r = CompactTable(*table_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files_removed, static_cast<size_t>(kRows));
  EXPECT_EQ(r->files_added, 1u);
  EXPECT_EQ(r->delete_files_removed, 4u);
  EXPECT_EQ(r->rows_written, kRows - 4);
  ASSERT_EQ(LiveDataFiles(), 1u);
  EXPECT_EQ(LiveDeleteFiles(), 0u);
  ExpectRows(ids, "after compaction");
  ExpectVerified("after compaction");
  for (size_t i = 0; i < queries.size(); ++i) {
    EXPECT_TRUE(SameHits(Search(queries[i], true), exact_before[i])) << queries[i];
    EXPECT_TRUE(SameHits(Search(queries[i], false), hnsw_before[i])) << queries[i];
  }
  // The output really has an HNSW index (the table's policy), rebuilt over the merged rows.
  auto files = iceberg::ReadSnapshotFiles(cat_->store(), table_->locations(), table_->metadata().CurrentSnapshot());
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->vector_stats.begin()->second.at(0).index, IndexKind::kHnsw);
  const DirStats meta_after = CountDir(tdir / "metadata"), data_after = CountDir(tdir / "data");

  ExpireOptions eo;
  eo.older_than_ms = INT64_MAX;
  auto ex = ExpireSnapshots(*table_, eo);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  ExpectRows(ids, "after expire");
  const DirStats meta_expired = CountDir(tdir / "metadata"), data_expired = CountDir(tdir / "data");
  std::cout << "[ compact ] " << kRows << " one-row files (103 commits + 1 delete): metadata " << meta_before.files << " files / "
            << meta_before.bytes << " B, data " << data_before.files << " files / " << data_before.bytes << " B\n"
            << "[ compact ] after compact: metadata " << meta_after.files << " files / " << meta_after.bytes
            << " B, data " << data_after.files << " files / " << data_after.bytes << " B (live: 1 data file)\n"
            << "[ compact ] after expire --older-than now: metadata " << meta_expired.files << " files / "
            << meta_expired.bytes << " B, data " << data_expired.files << " files / " << data_expired.bytes << " B\n";
  EXPECT_EQ(data_expired.files, 1u);
}

// Sources with many row groups, deletes in several of them, outputs cut at the target size with
// small row groups too; every kept row keeps its text, doc and vector bytes exactly.
TEST_F(CompactTest, MultiRowGroupSourcesAndOutputs) {
  MakeTable();
  Commit(0, 30, 10);  // 3 files
  Commit(30, 30, 15);  // 2 files
  CompactOptions o;
  o.row_group_rows = 4;  // the first compaction makes multi-row-group files...
  o.target_file_rows = 25;
  auto first = CompactTable(*table_, o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->files_added, 3u);  // 60 rows at 25 per file
  std::set<std::string> outputs;
  {
    auto rows = Scan();
    ASSERT_TRUE(rows.ok());
    for (const auto& [id, row] : *rows) outputs.insert(row.file);
  }
  for (const auto& loc : outputs) {
    auto reader = file::AiLakeFileReader::OpenPath(loc.substr(std::string("file://").size()));
    ASSERT_TRUE(reader.ok());
    EXPECT_GT((*reader)->parquet().num_row_groups(), 1) << loc;
  }
  auto before = Scan();
  ASSERT_TRUE(before.ok());
  // ...whose rows are then deleted in several row groups and merged again.
  ASSERT_TRUE(DeleteWhere(*table_, "id IN ('r0', 'r5', 'r6', 'r13', 'r24', 'r25', 'r40', 'r59')").ok());
  Commit(60, 5);
  o.row_group_rows = 7;
  o.target_file_rows = 1000;
  auto second = CompactTable(*table_, o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files_added, 1u);
  EXPECT_EQ(second->rows_written, 57);
  std::set<int64_t> ids;
  for (int i = 0; i < 65; ++i) ids.insert(i);
  for (int i : {0, 5, 6, 13, 24, 25, 40, 59}) ids.erase(i);
  ExpectRows(ids, "after the second compaction");
  ExpectVerified("after the second compaction");
  auto after = Scan();
  ASSERT_TRUE(after.ok());
  for (const auto& [id, row] : *after) {
    auto b = before->find(id);
    if (b == before->end()) continue;  // r60..r64
    EXPECT_EQ(row.vector, b->second.vector) << id;
    EXPECT_EQ(row.doc, b->second.doc) << id;
  }
}

// A file whose rows are all deleted is dropped without an output; a lone small file without
// deletes is left alone; a second run finds nothing to do; a dry run changes nothing.
TEST_F(CompactTest, NothingToDoAndDryRun) {
  MakeTable();
  Commit(0, 3);
  auto nothing = CompactTable(*table_);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->snapshot_id, 0);
  EXPECT_TRUE(nothing->plan.groups.empty());
  Commit(3, 3);
  const int64_t snap = *table_->metadata().current_snapshot_id;
  CompactOptions dry;
  dry.dry_run = true;
  auto planned = CompactTable(*table_, dry);
  ASSERT_TRUE(planned.ok());
  ASSERT_EQ(planned->plan.groups.size(), 1u);
  EXPECT_EQ(planned->plan.groups[0].sources.size(), 2u);
  EXPECT_EQ(planned->plan.groups[0].live_rows, 6);
  EXPECT_EQ(planned->snapshot_id, 0);
  ASSERT_TRUE(table_->Refresh().ok());
  EXPECT_EQ(*table_->metadata().current_snapshot_id, snap);
  EXPECT_EQ(LiveDataFiles(), 2u);
  ASSERT_TRUE(CompactTable(*table_).ok());
  ASSERT_TRUE(DeleteWhere(*table_, "id IS NOT NULL").ok());
  auto all_gone = CompactTable(*table_);
  ASSERT_TRUE(all_gone.ok()) << all_gone.status().ToString();
  EXPECT_EQ(all_gone->files_added, 0u);
  EXPECT_EQ(all_gone->files_removed, 1u);
  EXPECT_EQ(LiveDataFiles(), 0u);
  EXPECT_EQ(LiveDeleteFiles(), 0u);
  ExpectRows({}, "all deleted");
}

// --where: only files whose statistics may match are compacted.
TEST_F(CompactTest, WhereSelectsFilesByStatistics) {
  MakeTable();
  // doc_id is "d<i % 3>": one-row files have exact bounds.
  for (int i = 0; i < 9; ++i) Commit(i, 1);
  CompactOptions o;
  o.where = "doc_id = 'd1'";
  auto r = CompactTable(*table_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files_removed, 3u);
  EXPECT_EQ(LiveDataFiles(), 7u);
  std::set<int64_t> ids;
  for (int i = 0; i < 9; ++i) ids.insert(i);
  ExpectRows(ids, "after --where");
  o.where = "no_such_column = 1";
  auto bad = CompactTable(*table_, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

// Files of different layouts never merge: another model in the vector column, or other per-file
// key/value metadata. Each output keeps its sources' model tag and key/value pairs.
TEST_F(CompactTest, GroupsByModelAndFileMetadata) {
  MakeTable();
  Commit(0, 2);
  Commit(2, 2);
  // Two files written directly with another model name (same dim) and a file-level pair, as a
  // writer from another tool might; committed as a plain append.
  auto add_foreign = [&](int64_t start, const std::string& model, const std::string& origin) {
    auto schema = table_->DataSchema();
    ASSERT_TRUE(schema.ok());
    parquet::Batch b = parquet::Batch::Empty(*schema);
    std::vector<float> vecs;
    for (int64_t i = start; i < start + 2; ++i) {
      b.columns[0].AppendString("r" + std::to_string(i));
      b.columns[1].AppendString("d0");
      b.columns[2].AppendString(Text(i));
      b.columns[3].AppendString("{}");
      std::vector<float> v;
      ASSERT_TRUE(embedder_.Embed({Text(i)}, &v).ok());
      vecs.insert(vecs.end(), v.begin(), v.end());
    }
    b.num_rows = 2;
    file::VectorColumnSpec spec;
    spec.name = "embedding";
    spec.model = embedder_.model();
    spec.model.name = model;
    spec.field_id = table_->schema().FindField("embedding")->id;
    file::FileWriterOptions fo;
    fo.extra_key_values = {{"origin", origin}};
    const std::string key = table_->table_key() + "/data/" + Uuid::Random().ToString() + ".parquet";
    auto out = cat_->store().OpenWritable(key, PublishMode::kIfAbsent);
    ASSERT_TRUE(out.ok());
    auto w = file::AiLakeFileWriter::Open(out->get(), *schema, {spec}, fo);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Append(b, {{vecs.data(), nullptr}}).ok());
    auto done = (*w)->Finish();
    ASSERT_TRUE(done.ok());
    out->reset();
    auto readable = cat_->store().OpenReadable(key);
    auto reader = parquet::ParquetReader::Open(*readable);
    iceberg::TableChange change;
    iceberg::AddedFile added;
    added.file = DataFileFromFooter(**reader, cat_->LocationOf(key), static_cast<int64_t>(done->file_bytes));
    iceberg::FileVectorStats s;
    s.column = "embedding";
    s.model = model;
    s.model_version = spec.model.version;
    s.dim = spec.model.dim;
    s.metric = spec.model.metric;
    s.precision = spec.policy.precision;
    s.index = done->columns[0].index_kind;
    s.centroid = done->columns[0].centroid;
    s.radius = done->columns[0].radius;
    s.rows_with_vector = 2;
    added.vector_stats = {s};
    change.add_data_files.push_back(added);
    ASSERT_TRUE(CommitChange(*cat_, table_->ident(), change).ok());
  };
  add_foreign(4, "other-model", "a");
  add_foreign(6, "other-model", "a");
  add_foreign(8, "other-model", "b");  // same model, other file metadata: a group of its own
  ASSERT_EQ(LiveDataFiles(), 5u);
  auto r = CompactTable(*table_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->plan.groups.size(), 2u);  // the lone "b" file has nothing to merge with
  EXPECT_EQ(r->files_added, 2u);
  EXPECT_EQ(LiveDataFiles(), 3u);
  std::set<int64_t> ids;
  for (int i = 0; i < 10; ++i) ids.insert(i);
  ExpectRows(ids, "after grouping");
  auto rows = Scan();
  ASSERT_TRUE(rows.ok());
  for (const auto& [id, row] : *rows) {
    auto reader = file::AiLakeFileReader::OpenPath(row.file.substr(std::string("file://").size()));
    ASSERT_TRUE(reader.ok());
    const std::string model = (*reader)->vector_columns().at(0).model.name;
    const std::string* origin = (*reader)->parquet().FindKeyValue("origin");
    const int i = std::stoi(id.substr(1));
    if (i < 4) {
      EXPECT_EQ(model, embedder_.model().name) << id;
      EXPECT_EQ(origin, nullptr) << id;
    } else {
      EXPECT_EQ(model, "other-model") << id;
      ASSERT_NE(origin, nullptr) << id;
      EXPECT_EQ(*origin, i < 8 ? "a" : "b") << id;
    }
  }
}

// A delete that commits between the compaction's write and its commit: the commit conflicts (the
// delete is newer than what it read), and the next attempt carries the deleted rows onto the
// output as a position delete. Planted bug: with the carried deletes not written (the loop over
// `carried` in compact.cc skipped), the commit still succeeds on its second attempt and r3 and r8
// came back to life -- this test failed on ExpectRows.
TEST_F(CompactTest, DeleteDuringCommitIsCarried) {
  MakeTable();
  for (int i = 0; i < 10; ++i) Commit(i, 1);
  ASSERT_TRUE(DeleteWhere(*table_, "id = 'r1'").ok());
  auto cat2 = std::move(*catalog::OpenCatalog("fs", dir_.string()));
  auto other = std::move(*Table::Open(*cat2, table_->ident()));
  bool injected = false;
  CompactOptions o;
  o.progress = [&](const std::string& line) {
    if (injected || line.rfind("committing", 0) != 0) return;
    injected = true;
    auto d = DeleteWhere(*other, "id IN ('r3', 'r8')");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
  };
  auto r = CompactTable(*table_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(injected);
  EXPECT_EQ(r->replans, 0);
  EXPECT_EQ(r->commit_attempts, 2);
  EXPECT_EQ(r->carried_deletes, 2);
  ExpectRows({0, 2, 4, 5, 6, 7, 9}, "after the carried delete");
  ExpectVerified("after the carried delete");
  // The carried deletes are applied by the next compaction.
  auto again = CompactTable(*table_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files_added, 1u);
  EXPECT_EQ(LiveDeleteFiles(), 0u);
  ExpectRows({0, 2, 4, 5, 6, 7, 9}, "after the second compaction");
}

// Another compaction that commits first removes the sources: this one plans again, finds the
// merged file alone and stops without a commit; no row is lost or doubled.
TEST_F(CompactTest, SourcesRemovedMeanwhileReplan) {
  MakeTable();
  for (int i = 0; i < 6; ++i) Commit(i, 1);
  auto cat2 = std::move(*catalog::OpenCatalog("fs", dir_.string()));
  auto other = std::move(*Table::Open(*cat2, table_->ident()));
  bool injected = false;
  CompactOptions o;
  o.progress = [&](const std::string& line) {
    if (injected || line.rfind("committing", 0) != 0) return;
    injected = true;
    auto c = CompactTable(*other);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_EQ(c->files_added, 1u);
  };
  auto r = CompactTable(*table_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(injected);
  EXPECT_EQ(r->replans, 1);
  EXPECT_EQ(r->snapshot_id, 0);
  EXPECT_EQ(LiveDataFiles(), 1u);
  ExpectRows({0, 1, 2, 3, 4, 5}, "after the lost race");
  // The loser's outputs were deleted: only the winner's output and the 6 sources are in data/.
  EXPECT_EQ(CountDir(dir_ / "default" / "t" / "data").files, 7u);
}

}  // namespace
}  // namespace ailake::table
