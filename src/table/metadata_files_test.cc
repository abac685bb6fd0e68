// Metadata growth: many one-row appends keep a bounded number of metadata JSON files and manifests
// (write.metadata.previous-versions-max, write.metadata.delete-after-commit.enabled,
// commit.manifest-merge), and expire removes metadata JSON files that left the metadata-log.
#include "table/metadata_files.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "core/uuid.h"
#include "iceberg/snapshot_files.h"
#include "parquet/reader.h"
#include "table/commit.h"
#include "table/expire.h"
#include "table/maintenance.h"
#include "table/table_writer.h"
#include "testing/temp_dir.h"

namespace ailake::table {
namespace {

class MetadataGrowth : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    auto c = catalog::OpenCatalog(GetParam(), dir_.string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cat_ = std::move(*c);
  }
  void TearDown() override {
    cat_.reset();
  }

  std::unique_ptr<Table> Make(const std::string& name, const std::map<std::string, std::string>& props) {
    TableOptions o;
    o.model = {"m", "", 4, VectorMetric::kEuclidean, false};
    auto t = Table::Create(*cat_, *catalog::TableIdent::Parse(name), o);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!props.empty()) {
      iceberg::TableChange change;
      change.set_properties = props;
      EXPECT_TRUE(CommitChange(*cat_, (*t)->ident(), change).ok());
      EXPECT_TRUE((*t)->Refresh().ok());
    }
    return std::move(*t);
  }

  static void AppendOne(Table& t, int64_t i) {
    auto w = TableWriter::Open(t, {});
    ASSERT_TRUE(w.ok());
    parquet::Batch b = parquet::Batch::Empty(*t.DataSchema());
    b.columns[0].AppendString("r" + std::to_string(i));
    b.columns[1].AppendNull();
    b.columns[2].AppendNull();
    b.columns[3].AppendNull();
    b.num_rows = 1;
    std::vector<float> v{1, 2, 3, static_cast<float>(i)};
    ASSERT_TRUE((*w)->Append(b, v.data()).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }

  struct Footprint {
    size_t json_files = 0;
    size_t avro_files = 0;
    int64_t bytes = 0;
  };
  Footprint Measure(Table& t) {
    Footprint f;
    auto objects = cat_->store().List(t.table_key() + "/metadata/");
    EXPECT_TRUE(objects.ok());
    for (const auto& o : *objects) {
      if (o.key.ends_with(".metadata.json")) ++f.json_files;
      if (o.key.ends_with(".avro")) ++f.avro_files;
      f.bytes += static_cast<int64_t>(o.size);
    }
    return f;
  }
  size_t CurrentManifests(Table& t) {
    EXPECT_TRUE(t.Refresh().ok());
    auto files = iceberg::ReadSnapshotFiles(cat_->store(), t.locations(), t.metadata().CurrentSnapshot());
    EXPECT_TRUE(files.ok());
    return files.ok() ? files->manifests.size() : 0;
  }
  static int64_t Rows(Table& t) {
    auto v = VerifyTable(t);
    EXPECT_TRUE(v.ok());
    EXPECT_TRUE(v->problems.empty()) << (v->problems.empty() ? "" : v->problems[0]);
    return v->rows;
  }

  test_util::TempDir tmp_{"mdgrow", /*create=*/false};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<catalog::Catalog> cat_;
};

// Planted bug: with commit.manifest-merge ignored (merge_enabled forced false in ApplyChange), the
// current snapshot listed one manifest per append and the CurrentManifests bound below failed.
TEST_P(MetadataGrowth, ManyOneRowAppendsStayBounded) {
  const int n = std::getenv("AILAKE_SOAK") ? 1000 : 40;
  auto plain = Make("plain", {});
  auto bounded = Make("bounded", {{catalog::kPropPreviousVersionsMax, "5"},
                                  {catalog::kPropDeleteAfterCommit, "true"},
                                  {kPropMetadataDeleteMinAgeMs, "0"},  // one writer: no grace needed
                                  {iceberg::kPropManifestMinMergeCount, "8"}});
  for (int i = 0; i < n; ++i) {
    AppendOne(*plain, i);
    AppendOne(*bounded, i);
  }
  const Footprint p = Measure(*plain), b = Measure(*bounded);
  std::cout << "metadata after " << n << " one-row appends: defaults " << p.json_files << " JSON + " << p.avro_files
            << " Avro files, " << p.bytes << " bytes; bounded " << b.json_files << " JSON + " << b.avro_files
            << " Avro files, " << b.bytes << " bytes\n";
  EXPECT_EQ(Rows(*plain), n);
  EXPECT_EQ(Rows(*bounded), n);
  EXPECT_GE(p.json_files, static_cast<size_t>(n));
  EXPECT_LE(b.json_files, 5u + 2u);  // the log, the current file, and (fs) v1
  EXPECT_EQ(bounded->metadata().metadata_log.size(), 5u);
  EXPECT_LT(CurrentManifests(*bounded), 8u);
  EXPECT_GE(CurrentManifests(*plain), static_cast<size_t>(n) < 100 ? static_cast<size_t>(n) : 2u);

  // Expire with a zero grace period (no writer runs): old snapshots, their manifests and, once the
  // log is trimmed, the metadata JSON files that left it go. (Old expire left every JSON file.)
  iceberg::TableChange trim;
  trim.set_properties[catalog::kPropPreviousVersionsMax] = "5";
  ASSERT_TRUE(CommitChange(*cat_, plain->ident(), trim).ok());
  ExpireOptions o;
  o.older_than_ms = INT64_MAX;
  o.orphans_older_than_ms = INT64_MAX;
  for (Table* t : {plain.get(), bounded.get()}) {
    auto r = ExpireSnapshots(*t, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(Rows(*t), n);
    auto left = ListUnreferencedFiles(*t);
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->empty());
  }
  const Footprint p2 = Measure(*plain), b2 = Measure(*bounded);
  std::cout << "after expire: defaults " << p2.json_files << " JSON + " << p2.avro_files << " Avro files, " << p2.bytes
            << " bytes; bounded " << b2.json_files << " JSON + " << b2.avro_files << " Avro files, " << b2.bytes
            << " bytes\n";
  EXPECT_LE(p2.json_files, 5u + 2u);
  EXPECT_LT(p2.bytes, p.bytes);
}

// The fs catalog finds the newest version without its hint even after old versions were deleted
// (probing up from v1 would stop at v1 and commit on a stale state).
class FsMetadataGrowth : public MetadataGrowth {};  // the version hint is an fs catalog file

TEST_P(FsMetadataGrowth, NewestVersionFoundWithoutTheHintAfterCleanup) {
  auto t = Make("hint", {{catalog::kPropPreviousVersionsMax, "2"},
                         {catalog::kPropDeleteAfterCommit, "true"},
                         {kPropMetadataDeleteMinAgeMs, "0"}});
  for (int i = 0; i < 6; ++i) AppendOne(*t, i);
  const int64_t current = *t->metadata().current_snapshot_id;
  ASSERT_FALSE(*cat_->store().Exists(t->table_key() + "/metadata/v2.metadata.json"));
  ASSERT_TRUE(cat_->store().Delete(t->table_key() + "/metadata/version-hint.text").ok());
  auto again = Table::Open(*cat_, t->ident());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*(*again)->metadata().current_snapshot_id, current);
  AppendOne(**again, 6);
  EXPECT_EQ(Rows(**again), 7);
}

INSTANTIATE_TEST_SUITE_P(Catalogs, MetadataGrowth, ::testing::Values("fs", "sqlite"));
INSTANTIATE_TEST_SUITE_P(Fs, FsMetadataGrowth, ::testing::Values("fs"));

}  // namespace
}  // namespace ailake::table
