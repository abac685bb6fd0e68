// libFuzzer target: the JSON documents ailake reads back from a warehouse, which are untrusted: table
// metadata (iceberg/table_metadata.h) and the migration job and task records (migrate/). Each parser
// must turn any bytes into a Status, never a crash, hang or sanitizer report. A table metadata that
// parses is validated, serialised and parsed again (the round trip must succeed), and its snapshot
// lookups exercised; a manifest-list location from it goes through the table confinement check.
#include <cstddef>
#include <cstdint>
#include <string>

#include "iceberg/manifest_io.h"
#include "iceberg/table_metadata.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ailake;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)migrate::MigrationJobDoc::FromJson(text, "fuzz/job.json");
  (void)migrate::TaskRecord::FromJson(text, "fuzz/task.json");
  auto m = iceberg::TableMetadata::FromJson(text, "fuzz/v1.metadata.json");
  if (!m.ok()) return 0;
  (void)m->Validate();
  (void)m->CurrentSchema();
  (void)m->CurrentSnapshot();
  (void)m->SnapshotAsOf(0);
  (void)m->SnapshotAsOf(INT64_MAX);
  const iceberg::Locations loc{"file:///w", "ns/t"};
  for (const auto& s : m->snapshots) (void)loc.KeyOf(s.manifest_list);
  for (const auto& e : m->metadata_log) (void)loc.KeyOf(e.metadata_file);
  auto again = iceberg::TableMetadata::FromJson(m->ToJson(), "fuzz/roundtrip");
  if (!again.ok()) __builtin_trap();  // what we write we must read back
  return 0;
}
