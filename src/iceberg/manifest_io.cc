#include "iceberg/manifest_io.h"

#include <nlohmann/json.hpp>

#include "iceberg/avro_file_reader.h"
#include "iceberg/avro_file_writer.h"
#include "iceberg/manifest_cache.h"

namespace ailake::iceberg {

Result<std::string> Locations::KeyOf(const std::string& location) const {
  if (location.size() <= warehouse_uri.size() + 1 || location.compare(0, warehouse_uri.size(), warehouse_uri) != 0 ||
      location[warehouse_uri.size()] != '/') {
    return Status::Corruption("location '" + location + "' read from table metadata is outside the warehouse " +
                              warehouse_uri + " (was the warehouse moved or copied? ailake metadata holds absolute paths)");
  }
  std::string key = location.substr(warehouse_uri.size() + 1);
  if (table_key.empty()) return Status::Internal("Locations::KeyOf without the table's folder: " + location);
  if (key.size() <= table_key.size() + 1 || key.compare(0, table_key.size(), table_key) != 0 ||
      key[table_key.size()] != '/') {
    return Status::Corruption("location '" + location + "' read from table metadata is outside the table's folder " +
                              LocationOf(table_key) + ": ailake reads and deletes only files of the table itself");
  }
  return key;
}

Result<ManifestFile> WriteManifest(Store& store, const Locations& loc, const ManifestWrite& m) {
  AvroWriterOptions opt;
  opt.metadata = {{"schema", SchemaToJson(*m.table_schema).dump()},
                  {"schema-id", std::to_string(m.table_schema->schema_id)},
                  {"partition-spec", "[]"},
                  {"partition-spec-id", "0"},
                  {"format-version", "2"},
                  {"content", m.content == ManifestContent::kData ? "data" : "deletes"}};
  if (!m.vector_stats.empty()) opt.metadata.push_back({kVectorStatsKey, VectorStatsToJson(m.vector_stats)});
  AILAKE_ASSIGN_OR_RETURN(auto out, store.OpenWritable(m.key, PublishMode::kIfAbsent));
  AILAKE_ASSIGN_OR_RETURN(auto w, AvroFileWriter::Open(std::move(out), ManifestEntrySchema(), opt));
  ManifestFile mf;
  mf.manifest_path = loc.LocationOf(m.key);
  mf.content = m.content;
  mf.added_snapshot_id = m.snapshot_id;
  int64_t min_seq = INT64_MAX;
  for (const auto& e : m.entries) {
    AILAKE_RETURN_IF_ERROR(w->Append(EntryToAvro(e)));
    switch (e.status) {
      case EntryStatus::kAdded:
        ++mf.added_files_count;
        mf.added_rows_count += e.file.record_count;
        break;
      case EntryStatus::kExisting:
        ++mf.existing_files_count;
        mf.existing_rows_count += e.file.record_count;
        break;
      case EntryStatus::kDeleted:
        ++mf.deleted_files_count;
        mf.deleted_rows_count += e.file.record_count;
        break;
    }
    if (e.sequence_number) min_seq = std::min(min_seq, *e.sequence_number);
  }
  AILAKE_RETURN_IF_ERROR(w->Close());
  mf.manifest_length = static_cast<int64_t>(w->bytes_written());
  if (m.sequence_number) {
    mf.sequence_number = *m.sequence_number;
    mf.min_sequence_number = std::min(min_seq, *m.sequence_number);
  } else {
    mf.sequence_number = -1;  // filled in by the committer once the snapshot's number is known
    mf.min_sequence_number = min_seq == INT64_MAX ? -1 : min_seq;
  }
  return mf;
}

namespace {

// The manifest as stored: entries before sequence-number inheritance, and the vector statistics.
Result<ManifestContents> DecodeManifest(Store& store, const std::string& key, const ManifestFile& manifest) {
  AILAKE_ASSIGN_OR_RETURN(auto file, store.OpenReadable(key));
  AILAKE_ASSIGN_OR_RETURN(auto reader, AvroFileReader::Open(file));
  ManifestContents out;
  AvroValue v;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool more, reader->Next(&v));
    if (!more) break;
    auto e = EntryFromAvro(*reader->schema(), v);
    if (!e.ok()) return e.status().WithContext(manifest.manifest_path);
    out.entries.push_back(std::move(*e));
  }
  if (auto stats = reader->Metadata(kVectorStatsKey)) {
    AILAKE_ASSIGN_OR_RETURN(out.vector_stats, VectorStatsFromJson(*stats, manifest.manifest_path));
  }
  return out;
}

}  // namespace

Result<ManifestContents> ReadManifest(Store& store, const Locations& loc, const ManifestFile& manifest,
                                      ManifestRead how) {
  AILAKE_ASSIGN_OR_RETURN(std::string key, loc.KeyOf(manifest.manifest_path));
  // One location names one content (UUID names, never rewritten); the store and the recorded length
  // keep apart what must not share an entry (manifest_cache.h).
  const std::string cache_key =
      store.Describe() + "\n" + manifest.manifest_path + "\n" + std::to_string(manifest.manifest_length);
  ManifestCache& cache = ManifestCache::Process();
  std::shared_ptr<const ManifestContents> stored;
  if (how == ManifestRead::kCached) stored = cache.Find(cache_key);
  if (!stored) {
    AILAKE_ASSIGN_OR_RETURN(ManifestContents decoded, DecodeManifest(store, key, manifest));
    stored = std::make_shared<const ManifestContents>(std::move(decoded));
    cache.Insert(cache_key, stored);
  }
  ManifestContents out = *stored;
  AILAKE_RETURN_IF_ERROR(InheritSequenceNumbers(manifest, &out.entries));
  return out;
}

Status WriteManifestList(Store& store, const std::string& key, int64_t snapshot_id,
                         std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                         const std::vector<ManifestFile>& manifests) {
  AvroWriterOptions opt;
  opt.metadata = {{"snapshot-id", std::to_string(snapshot_id)},
                  {"parent-snapshot-id", parent_snapshot_id ? std::to_string(*parent_snapshot_id) : "null"},
                  {"sequence-number", std::to_string(sequence_number)},
                  {"format-version", "2"}};
  AILAKE_ASSIGN_OR_RETURN(auto out, store.OpenWritable(key, PublishMode::kIfAbsent));
  AILAKE_ASSIGN_OR_RETURN(auto w, AvroFileWriter::Open(std::move(out), ManifestListSchema(), opt));
  for (const auto& m : manifests) {
    if (m.sequence_number < 0 || m.min_sequence_number < 0) {
      return Status::Internal("manifest " + m.manifest_path + " has no sequence number at manifest-list time");
    }
    AILAKE_RETURN_IF_ERROR(w->Append(ManifestFileToAvro(m)));
  }
  return w->Close();
}

Result<std::vector<ManifestFile>> ReadManifestList(Store& store, const Locations& loc, const std::string& location) {
  AILAKE_ASSIGN_OR_RETURN(std::string key, loc.KeyOf(location));
  AILAKE_ASSIGN_OR_RETURN(auto file, store.OpenReadable(key));
  AILAKE_ASSIGN_OR_RETURN(auto reader, AvroFileReader::Open(file));
  std::vector<ManifestFile> out;
  AvroValue v;
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool more, reader->Next(&v));
    if (!more) break;
    auto m = ManifestFileFromAvro(*reader->schema(), v);
    if (!m.ok()) return m.status().WithContext(location);
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace ailake::iceberg
