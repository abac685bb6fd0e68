// Expire racing a migration, both strategies, 50 forked rounds each (tiny tables). The quoted bug:
// "expire running while a migration commits deletes the migration's freshly committed outputs (its
// staging sweep decides what is reachable before it refreshes the table): in one race a dual-write
// run lost 150 of 150 new files, an atomic-replace run 14 of 150 — even with --older-than 2000-01-01".
// Planted bug: with the old expire.cc (staging sweep with reachability from the pre-commit state and
// no grace period) restored, rounds failed with rows or files missing after the migration; with
// the new expire every round keeps every row.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>

#include "embed/hash_embedder.h"
#include "migrate/migrate_test_util.h"
#include "migrate/migration_job.h"
#include "table/expire.h"
#include "table/maintenance.h"
#include "testing/fork_child.h"

namespace ailake::migrate {
namespace {

class ExpireVsMigrate : public ::testing::TestWithParam<Strategy> {};

TEST_P(ExpireVsMigrate, EveryRowSurvivesAndTheMigrationCompletes) {
  testing::TestWarehouse wh;
  ASSERT_TRUE(wh.ok());
  embed::HashEmbedder old_embedder(8, 0), new_embedder(12, 7);
  const int rounds = std::getenv("AILAKE_SOAK") ? 300 : 50;
  int overlapped = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "m" + std::to_string(round);
    const auto ident = *catalog::TableIdent::Parse(name);
    {
      auto t = wh.CreateTable(name, old_embedder.model());
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      ASSERT_TRUE(testing::AppendRows(**t, old_embedder, 0, 4, 2).ok());  // 2 files
      ASSERT_TRUE(testing::AppendRows(**t, old_embedder, 4, 2, 2).ok());  // 1 file
    }
    int gate[2], times[2];
    ASSERT_EQ(pipe(gate), 0);
    ASSERT_EQ(pipe(times), 0);
    pid_t kids[2];
    for (int k = 0; k < 2; ++k) {
      kids[k] = fork();
      ASSERT_GE(kids[k], 0);
      if (kids[k] == 0) {
        close(gate[1]);
        close(times[0]);
        auto cat = wh.OpenAnotherCatalog();
        if (!cat.ok()) _exit(10);
        auto t = table::Table::Open(**cat, ident);
        if (!t.ok()) _exit(11);
        char go;
        if (!test_util::ReadFull(gate[0], &go, 1)) _exit(12);
        int64_t span[3] = {k, test_util::MonotonicNs(), 0};
        if (k == 0) {
          MigrationOptions o;
          o.embedder_spec = "hash:dim=12,seed=7";
          o.new_model.name = "hash-12";
          o.new_model.version = "seed7";
          o.strategy = GetParam();
          o.concurrency = 1;
          auto job = MigrationJob::Plan(**t, o);
          if (!job.ok()) _exit(13);
          auto run = (*job)->Run();
          if (!run.ok() || !run->cut_over) _exit(14);
        } else {
          table::ExpireOptions o;
          // The issue's own flags on even rounds (expires nothing, only the sweeps run); expire
          // everything but the newest snapshot on odd rounds.
          o.older_than_ms = round % 2 == 0 ? int64_t{946684800000} : INT64_MAX;
          // Expire again and again until a run has started after the cutover: every commit of the
          // migration (each task's, the cutover) lands while some expire run is in flight.
          for (;;) {
            if (!(*t)->Refresh().ok()) _exit(15);
            const bool cut_over = (*t)->vectors().model.name == "hash-12";
            auto r = table::ExpireSnapshots(**t, o);
            if (!r.ok()) _exit(16);
            if (cut_over) break;
          }
        }
        span[2] = test_util::MonotonicNs();
        if (::write(times[1], span, sizeof(span)) != sizeof(span)) _exit(17);
        _exit(0);
      }
    }
    close(gate[0]);
    close(times[1]);
    ASSERT_EQ(::write(gate[1], "gg", 2), 2);  // release both together
    close(gate[1]);
    int64_t spans[2][2] = {};
    for (int k = 0; k < 2; ++k) {
      int64_t span[3];
      ASSERT_TRUE(test_util::ReadFull(times[0], span, sizeof(span))) << "round " << round << ": a racer failed";
      spans[span[0]][0] = span[1];
      spans[span[0]][1] = span[2];
    }
    close(times[0]);
    for (pid_t pid : kids) {
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round << " status " << status;
    }
    if (spans[0][0] < spans[1][1] && spans[1][0] < spans[0][1]) ++overlapped;

    auto t = table::Table::Open(wh.catalog(), ident);
    ASSERT_TRUE(t.ok());
    ASSERT_EQ((*t)->vectors().model.name, "hash-12") << "round " << round;
    ASSERT_TRUE(testing::RowsEmbeddedBy(**t, {0, 1, 2, 3, 4, 5}, (*t)->vectors().vector_column, new_embedder, 2e-3))
        << "round " << round;
    for (const auto& s : (*t)->metadata().snapshots) {
      auto files = iceberg::ReadSnapshotFiles(wh.store(), (*t)->locations(), &s);
      ASSERT_TRUE(files.ok()) << "round " << round << ": " << files.status().ToString();
      for (const auto& e : files->data_files) {
        ASSERT_TRUE(*wh.store().Exists(*(*t)->locations().KeyOf(e.file.file_path)))
            << "round " << round << ": snapshot " << s.snapshot_id << " lost " << e.file.file_path;
      }
    }
    auto v = table::VerifyTable(**t, table::VerifyOptions{.deep = true});
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->problems.empty()) << "round " << round << ": " << v->problems[0];
  }
  EXPECT_GT(overlapped, 0) << "the expire never ran while the migration was running: no race was tested";
  RecordProperty("overlapped_rounds", overlapped);
}

INSTANTIATE_TEST_SUITE_P(Strategies, ExpireVsMigrate,
                         ::testing::Values(Strategy::kAtomicReplace, Strategy::kDualWriteThenCutover),
                         [](const auto& info) {
                           return info.param == Strategy::kAtomicReplace ? std::string("AtomicReplace")
                                                                         : std::string("DualWrite");
                         });

}  // namespace
}  // namespace ailake::migrate
