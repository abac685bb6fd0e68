// Per-batch crash safety of migration tasks (batch_checkpoint.h), the job record's trust rules
// (embedder_spec.h, job_store.h) and honest job states (migration_job.h), at the library level.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstring>
#include <fstream>

#include "embed/hash_embedder.h"
#include "migrate/batch_checkpoint.h"
#include "migrate/embedder_spec.h"
#include "migrate/job_commit.h"
#include "migrate/job_store.h"
#include "migrate/migrate_test_util.h"
#include "migrate/migration_job.h"

namespace ailake::migrate {
namespace {

using testing::AppendRows;
using testing::ListKeys;
using testing::RowsEmbeddedBy;
using testing::TestEmbedder;
using testing::TestWarehouse;

constexpr const char* kTask = "0123456789abcdef";

std::vector<float> Vectors(size_t n, uint32_t dim, float base) {
  std::vector<float> v(n * dim);
  for (size_t i = 0; i < v.size(); ++i) v[i] = base + static_cast<float>(i) * 0.25f;
  return v;
}

class BatchCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(wh_.ok()); }
  Store& store() { return wh_.store(); }
  const std::string staging_ = "ns/t/data/migrate-00000000-0000-0000-0000-000000000000/";
  TestWarehouse wh_;
};

TEST_F(BatchCheckpointTest, SegmentsRoundTripAndOnlyMatchingTextsAreReused) {
  auto w = BatchCheckpoint::Open(store(), staging_, kTask, 4, 100);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const auto v1 = Vectors(3, 4, 1.0f), v2 = Vectors(2, 4, 9.0f);
  ASSERT_TRUE((*w)->Append({0, 1, 3}, {TextHash("a"), TextHash("b"), TextHash("d")}, v1.data()).ok());
  ASSERT_TRUE((*w)->Append({10, 12}, {TextHash("k"), TextHash("m")}, v2.data()).ok());
  auto r = BatchCheckpoint::Open(store(), staging_, kTask, 4, 100);
  ASSERT_TRUE(r.ok());
  float got[4];
  EXPECT_TRUE((*r)->Lookup(0, TextHash("a"), got));
  EXPECT_EQ(std::vector<float>(got, got + 4), std::vector<float>(v1.begin(), v1.begin() + 4));
  EXPECT_FALSE((*r)->Lookup(1, TextHash("not b"), got)) << "a saved vector is only for the same text";
  EXPECT_FALSE((*r)->Lookup(2, TextHash("c"), got));
  EXPECT_TRUE((*r)->Lookup(3, TextHash("d"), got));
  EXPECT_EQ(std::vector<float>(got, got + 4), std::vector<float>(v1.begin() + 8, v1.end()));
  EXPECT_TRUE((*r)->Lookup(12, TextHash("m"), got));
  EXPECT_EQ(got[0], v2[4]);
  EXPECT_EQ((*r)->rows_reused(), 3);
  EXPECT_EQ((*r)->segments_discarded(), 0u);
  // Another task's or another dimension's view sees nothing.
  auto other = BatchCheckpoint::Open(store(), staging_, "fedcba9876543210", 4, 100);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->Lookup(0, TextHash("a"), got));
  auto wrong_dim = BatchCheckpoint::Open(store(), staging_, kTask, 5, 100);
  ASSERT_TRUE(wrong_dim.ok());
  float got5[5];
  EXPECT_FALSE((*wrong_dim)->Lookup(0, TextHash("a"), got5));
  EXPECT_EQ((*wrong_dim)->segments_discarded(), 1u);
  ASSERT_TRUE(DeleteCheckpoint(store(), staging_, kTask).ok());
  EXPECT_TRUE(ListKeys(store(), CheckpointPrefix(staging_, kTask)).empty());
}

// Every byte of a segment is untrusted: a torn tail, a flipped byte, a header or name that lies, and
// positions beyond the source are discarded (those rows are embedded again), never used.
// Planted bug: skipping the CRC check in BatchCheckpoint::Load made the flipped-vector case return
// the damaged vector.
TEST_F(BatchCheckpointTest, DamagedSegmentsAreDiscarded) {
  auto w = BatchCheckpoint::Open(store(), staging_, kTask, 4, 50);
  ASSERT_TRUE(w.ok());
  const auto v = Vectors(2, 4, 3.0f);
  ASSERT_TRUE((*w)->Append({5, 6}, {TextHash("x"), TextHash("y")}, v.data()).ok());
  const auto keys = ListKeys(store(), CheckpointPrefix(staging_, kTask));
  ASSERT_EQ(keys.size(), 1u);
  auto good = store().Get(keys[0]);
  ASSERT_TRUE(good.ok());
  struct Damage {
    std::string what;
    std::function<void(std::vector<uint8_t>*)> apply;
    int64_t source_rows = 50;
  };
  const std::vector<Damage> damages = {
      {"torn tail", [](std::vector<uint8_t>* b) { b->erase(b->end() - std::min<std::ptrdiff_t>(7, std::ssize(*b)), b->end()); }},
      {"flipped vector byte", [](std::vector<uint8_t>* b) { (*b)[b->size() - 10] ^= 0x40; }},
      {"flipped position", [](std::vector<uint8_t>* b) { (*b)[56] ^= 0x01; }},
      {"row count lies", [](std::vector<uint8_t>* b) { (*b)[16] = 3; }},
      {"empty", [](std::vector<uint8_t>* b) { b->clear(); }},
      {"positions beyond the source", [](std::vector<uint8_t>*) {}, 6},
  };
  for (const auto& d : damages) {
    SCOPED_TRACE(d.what);
    std::vector<uint8_t> bytes = *good;
    d.apply(&bytes);
    ASSERT_TRUE(store().Put(keys[0], bytes).ok());
    auto r = BatchCheckpoint::Open(store(), staging_, kTask, 4, d.source_rows);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    float got[4];
    EXPECT_FALSE((*r)->Lookup(5, TextHash("x"), got));
    EXPECT_FALSE((*r)->Lookup(6, TextHash("y"), got));
    EXPECT_EQ((*r)->segments_discarded(), 1u);
  }
  // The undamaged segment is used again.
  ASSERT_TRUE(store().Put(keys[0], *good).ok());
  auto r = BatchCheckpoint::Open(store(), staging_, kTask, 4, 50);
  ASSERT_TRUE(r.ok());
  float got[4];
  EXPECT_TRUE((*r)->Lookup(5, TextHash("x"), got));
}

// ---------------------------------------------------------------------------------------------
// A task that dies mid-file (the embedder fails at call 6 of 10) keeps the 5 batches it had; the
// resumed task sends only the other 5 batches' texts, and the table equals a clean run's.
// Planted bug: BatchCheckpoint::Lookup always returning false made the resume embed all 100 texts
// of the file (this test failed on the count and on the "sent again" check).

class TaskCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wh_.ok());
    auto t = wh_.CreateTable("docs", old_embedder_.model());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    table_ = std::move(*t);
    ASSERT_TRUE(AppendRows(*table_, old_embedder_, 0, 100, 100).ok());  // one file of 100 rows
  }
  MigrationOptions Options() const {
    MigrationOptions o;
    o.embedder_spec = "hash:dim=24,seed=5";
    o.new_model.name = "hash-24";
    o.new_model.version = "seed5";
    o.batch_size = 10;
    o.concurrency = 1;
    o.file_parallelism = 1;
    return o;
  }
  TestWarehouse wh_;
  embed::HashEmbedder old_embedder_{32, 0};
  embed::HashEmbedder new_embedder_{24, 5};
  std::unique_ptr<table::Table> table_;
};

TEST_F(TaskCheckpointTest, ResumeEmbedsOnlyTheBatchesNotCheckpointed) {
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  TestEmbedder failing(new_embedder_);
  failing.Inject(TestEmbedder::Fault::kError, 5);  // calls 1-5 succeed, every later one fails
  (*job)->set_embedder(&failing);
  auto r = (*job)->Run();
  ASSERT_FALSE(r.ok());
  const auto first = failing.texts();
  ASSERT_GE(first.size(), 60u);
  // The failed run is 'stopped', and its 5 good batches are in the staging folder.
  auto st = (*job)->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->job.state, JobState::kStopped);
  const std::string staging = (*job)->doc().staging_prefix;
  size_t segments = 0;
  for (const auto& k : ListKeys(wh_.store(), staging)) segments += k.find("/ckpt-") != std::string::npos;
  EXPECT_EQ(segments, 5u);

  auto again = MigrationJob::Load(*table_);
  ASSERT_TRUE(again.ok());
  TestEmbedder counting(new_embedder_);
  (*again)->set_embedder(&counting);
  auto done = (*again)->Run();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(done->cut_over);
  const auto second = counting.texts();
  EXPECT_EQ(second.size(), 50u) << "only the rows of the 5 batches without a checkpoint are embedded again";
  EXPECT_EQ(done->texts_embedded, 50);
  const std::set<std::string> kept(first.begin(), first.begin() + 50);
  for (const auto& t : second) EXPECT_EQ(kept.count(t), 0u) << "'" << t << "' was checkpointed but sent again";
  std::set<int64_t> all;
  for (int64_t i = 0; i < 100; ++i) all.insert(i);
  EXPECT_TRUE(RowsEmbeddedBy(*table_, all, "embedding", new_embedder_, 2e-3f));
  // Completion removed every checkpoint segment and staged leftover.
  for (const auto& k : ListKeys(wh_.store(), staging)) EXPECT_EQ(k.find("/ckpt-"), std::string::npos) << k;
  auto final_st = (*again)->GetStatus();
  ASSERT_TRUE(final_st.ok());
  EXPECT_EQ(final_st->job.state, JobState::kFinished);
}

// ---------------------------------------------------------------------------------------------
// Job records are data, not instructions.

TEST(EmbedderSpecTest, PersistedSpecsHoldNoSecrets) {
  EXPECT_EQ(RedactEmbedderSpec("hash:dim=8,seed=1"), "hash:dim=8,seed=1");
  const std::string http = RedactEmbedderSpec("http:https://bob:hunter2@api.example.com/v1?key=SECRETKEY,model=m,dim=8");
  EXPECT_EQ(http.find("hunter2"), std::string::npos) << http;
  EXPECT_EQ(http.find("bob"), std::string::npos) << http;
  EXPECT_EQ(http.find("SECRETKEY"), std::string::npos) << http;
  EXPECT_NE(http.find("api.example.com"), std::string::npos) << http;
  EXPECT_NE(http.find("model=m"), std::string::npos) << http;
  const std::string bare = RedactEmbedderSpec("https://u:p4ss@h:8080,model=x");
  EXPECT_EQ(bare.find("p4ss"), std::string::npos) << bare;
  const std::string cmd = RedactEmbedderSpec("command:/usr/bin/python3 w.py api_key=ABC token=XYZ url=http://a:b@h/ dim=8");
  for (const char* secret : {"ABC", "XYZ", "a:b"}) EXPECT_EQ(cmd.find(secret), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("w.py"), std::string::npos);
  EXPECT_NE(cmd.find("dim=8"), std::string::npos);
  for (const std::string& s : {http, bare, cmd}) EXPECT_EQ(RedactEmbedderSpec(s), s) << "idempotent";
  // A rotated secret matches; another program, URL or option does not.
  const std::string persisted = RedactEmbedderSpec("http:http://u:old@h:1/v1,model=m");
  EXPECT_TRUE(CheckEmbedderSpec("http:http://u:new@h:1/v1,model=m", persisted, "j").ok());
  EXPECT_FALSE(CheckEmbedderSpec("http:http://u:new@evil:1/v1,model=m", persisted, "j").ok());
  EXPECT_FALSE(CheckEmbedderSpec("command:/usr/bin/touch x", persisted, "j").ok());
  EXPECT_TRUE(SpecRunsNothing("hash:dim=8"));
  EXPECT_FALSE(SpecRunsNothing("command:/usr/bin/true"));
  EXPECT_FALSE(SpecRunsNothing(persisted));
}

class JobRecordTrustTest : public TaskCheckpointTest {
 protected:
  std::string JobKey() const { return JobDocKey(table_->table_key(), job_id_); }
  void Edit(const std::function<void(nlohmann::json&)>& f) {
    auto text = wh_.store().GetString(JobKey());
    ASSERT_TRUE(text.ok());
    auto j = nlohmann::json::parse(*text);
    f(j);
    ASSERT_TRUE(wh_.store().Put(JobKey(), j.dump()).ok());
  }
  std::string job_id_;
};

TEST_F(JobRecordTrustTest, StagingPrefixAndTaskOutputsMustBeTheJobsOwn) {
  auto job = MigrationJob::Plan(*table_, Options());
  ASSERT_TRUE(job.ok());
  job_id_ = (*job)->doc().job_id;
  // Another table whose files must survive whatever job.json says.
  auto other = wh_.CreateTable("other", old_embedder_.model());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(AppendRows(**other, old_embedder_, 0, 20, 20).ok());
  const auto other_files = ListKeys(wh_.store(), (*other)->table_key() + "/data/");
  ASSERT_FALSE(other_files.empty());
  for (const std::string& prefix : {(*other)->table_key() + "/data/", std::string(""), table_->table_key() + "/data/"}) {
    SCOPED_TRACE("staging_prefix '" + prefix + "'");
    Edit([&](nlohmann::json& j) { j["staging_prefix"] = prefix; });
    auto loaded = MigrationJob::Load(*table_);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
    EXPECT_NE(loaded.status().message().find("'" + prefix + "'"), std::string::npos) << loaded.status().ToString();
    EXPECT_NE(loaded.status().message().find("refusing"), std::string::npos) << loaded.status().ToString();
    EXPECT_EQ(ListKeys(wh_.store(), (*other)->table_key() + "/data/"), other_files);
  }
  Edit([&](nlohmann::json& j) { j["staging_prefix"] = StagingPrefix(table_->table_key(), job_id_); });
  // A task record whose output is another table's file is refused before it is read or committed.
  auto ok_job = MigrationJob::Load(*table_);
  ASSERT_TRUE(ok_job.ok()) << ok_job.status().ToString();
  auto rec = (*ok_job)->RunTask(TaskId(*testing::DataFilePaths(*table_)->begin()));
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  const std::string key = TaskRecordKey(table_->table_key(), job_id_, rec->task_id);
  auto j = nlohmann::json::parse(*wh_.store().GetString(key));
  j["output_key"] = other_files.front();  // (the output location would have to match it too)
  ASSERT_TRUE(wh_.store().Put(key, j.dump()).ok());
  auto records = LoadTaskRecords(wh_.store(), table_->table_key(), job_id_);
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("is not a file of this job's staging folder"), std::string::npos)
      << records.status().ToString();
  auto c = (*ok_job)->Commit();
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(ListKeys(wh_.store(), (*other)->table_key() + "/data/"), other_files);
  // A job id that is a path is refused before any key is built from it.
  EXPECT_FALSE(ValidateJobId("../other").ok());
  EXPECT_FALSE(ValidateJobId("").ok());
  EXPECT_TRUE(ValidateJobId(job_id_).ok());
}

}  // namespace
}  // namespace ailake::migrate
