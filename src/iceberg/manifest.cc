#include "iceberg/manifest.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "iceberg/manifest_record.h"

namespace ailake::iceberg {

namespace {

AvroValue OptLong(const std::optional<int64_t>& v) { return v ? AvroValue::Long(*v) : AvroValue::Null(); }

template <typename T, typename Conv>
AvroValue OptMap(const std::map<int32_t, T>& m, Conv conv) {
  if (m.empty()) return AvroValue::Null();
  AvroValue::List items;
  for (const auto& [k, v] : m) items.push_back(AvroValue::Record({AvroValue::Int(k), conv(v)}));
  return AvroValue::Array(std::move(items));
}

AvroValue DataFileToAvro(const DataFile& f) {
  using F = DataFileField;
  auto long_value = [](int64_t v) { return AvroValue::Long(v); };
  auto bytes_value = [](const std::vector<uint8_t>& v) { return AvroValue::BytesValue(v); };
  AvroValue::List split;
  for (int64_t o : f.split_offsets) split.push_back(AvroValue::Long(o));
  // Unset: key_metadata (the encryption slot, never used for our stats) and equality_ids.
  return RecordBuilder<F>()
      .Set(F::kContent, AvroValue::Int(static_cast<int32_t>(f.content)))
      .Set(F::kFilePath, AvroValue::String(f.file_path))
      .Set(F::kFileFormat, AvroValue::String(f.file_format))
      .Set(F::kPartition, AvroValue::Record({}))
      .Set(F::kRecordCount, AvroValue::Long(f.record_count))
      .Set(F::kFileSizeInBytes, AvroValue::Long(f.file_size_in_bytes))
      .Set(F::kColumnSizes, OptMap(f.column_sizes, long_value))
      .Set(F::kValueCounts, OptMap(f.value_counts, long_value))
      .Set(F::kNullValueCounts, OptMap(f.null_value_counts, long_value))
      .Set(F::kNanValueCounts, OptMap(f.nan_value_counts, long_value))
      .Set(F::kLowerBounds, OptMap(f.lower_bounds, bytes_value))
      .Set(F::kUpperBounds, OptMap(f.upper_bounds, bytes_value))
      .Set(F::kSplitOffsets, split.empty() ? AvroValue::Null() : AvroValue::Array(std::move(split)))
      .Set(F::kSortOrderId, f.sort_order_id ? AvroValue::Int(*f.sort_order_id) : AvroValue::Null())
      .Build();
}

Result<DataFile> DataFileFromAvro(const FieldReader& d) {
  using F = DataFileField;
  DataFile file;
  // content is absent in v1 manifests: data.
  AILAKE_ASSIGN_OR_RETURN(auto content, d.OptInt(F::kContent));
  int64_t c = content.value_or(0);
  if (c < 0 || c > 2) return Status::Corruption("data_file content " + std::to_string(c) + " is not 0..2");
  file.content = static_cast<FileContent>(c);
  AILAKE_ASSIGN_OR_RETURN(file.file_path, d.Str(F::kFilePath));
  AILAKE_ASSIGN_OR_RETURN(file.file_format, d.Str(F::kFileFormat));
  AILAKE_ASSIGN_OR_RETURN(file.record_count, d.Int(F::kRecordCount));
  AILAKE_ASSIGN_OR_RETURN(file.file_size_in_bytes, d.Int(F::kFileSizeInBytes));
  if (file.record_count < 0 || file.file_size_in_bytes < 0) return Status::Corruption("data_file has negative counts");
  AILAKE_RETURN_IF_ERROR(d.IntMap(F::kColumnSizes, &file.column_sizes));
  AILAKE_RETURN_IF_ERROR(d.IntMap(F::kValueCounts, &file.value_counts));
  AILAKE_RETURN_IF_ERROR(d.IntMap(F::kNullValueCounts, &file.null_value_counts));
  AILAKE_RETURN_IF_ERROR(d.IntMap(F::kNanValueCounts, &file.nan_value_counts));
  AILAKE_RETURN_IF_ERROR(d.IntMap(F::kLowerBounds, &file.lower_bounds));
  AILAKE_RETURN_IF_ERROR(d.IntMap(F::kUpperBounds, &file.upper_bounds));
  if (const AvroValue* so = d.Get(F::kSplitOffsets); so && so->kind() == AvroValueKind::kArray) {
    for (const auto& x : so->items()) {
      int64_t v;
      if (!x.GetInteger(&v)) return Status::Corruption("split_offsets holds a non-integer");
      file.split_offsets.push_back(v);
    }
  }
  AILAKE_ASSIGN_OR_RETURN(auto sort_order, d.OptInt(F::kSortOrderId));
  if (sort_order) file.sort_order_id = static_cast<int32_t>(*sort_order);
  return file;
}

}  // namespace

AvroSchemaPtr ManifestEntrySchema() {
  static const AvroSchemaPtr s = BuildRecordSchema(kManifestEntryRecord);
  return s;
}

AvroSchemaPtr ManifestListSchema() {
  static const AvroSchemaPtr s = BuildRecordSchema(kManifestFileRecord);
  return s;
}

AvroValue EntryToAvro(const ManifestEntry& e) {
  using F = EntryField;
  return RecordBuilder<F>()
      .Set(F::kStatus, AvroValue::Int(static_cast<int32_t>(e.status)))
      .Set(F::kSnapshotId, OptLong(e.snapshot_id))
      .Set(F::kSequenceNumber, OptLong(e.sequence_number))
      .Set(F::kFileSequenceNumber, OptLong(e.file_sequence_number))
      .Set(F::kDataFile, DataFileToAvro(e.file))
      .Build();
}

Result<ManifestEntry> EntryFromAvro(const AvroSchema& schema, const AvroValue& value) {
  using F = EntryField;
  FieldReader r(schema, value, "manifest entry");
  ManifestEntry e;
  AILAKE_ASSIGN_OR_RETURN(int64_t status, r.Int(F::kStatus));
  if (status < 0 || status > 2) return Status::Corruption("manifest entry status " + std::to_string(status) + " is not 0..2");
  e.status = static_cast<EntryStatus>(status);
  AILAKE_ASSIGN_OR_RETURN(e.snapshot_id, r.OptInt(F::kSnapshotId));
  AILAKE_ASSIGN_OR_RETURN(e.sequence_number, r.OptInt(F::kSequenceNumber));
  AILAKE_ASSIGN_OR_RETURN(e.file_sequence_number, r.OptInt(F::kFileSequenceNumber));
  const AvroValue* df = r.Get(F::kDataFile);
  const AvroSchema* df_schema = r.SchemaOf(F::kDataFile);
  if (!df || df->kind() != AvroValueKind::kRecord || !df_schema || df_schema->type != AvroType::kRecord) {
    return Status::Corruption("manifest entry has no data_file record");
  }
  AILAKE_ASSIGN_OR_RETURN(e.file, DataFileFromAvro(FieldReader(*df_schema, *df, "manifest data_file")));
  return e;
}

AvroValue ManifestFileToAvro(const ManifestFile& m) {
  using F = ManifestFileField;
  // partitions: an empty array (no partition fields); key_metadata unset.
  return RecordBuilder<F>()
      .Set(F::kManifestPath, AvroValue::String(m.manifest_path))
      .Set(F::kManifestLength, AvroValue::Long(m.manifest_length))
      .Set(F::kPartitionSpecId, AvroValue::Int(m.partition_spec_id))
      .Set(F::kContent, AvroValue::Int(static_cast<int32_t>(m.content)))
      .Set(F::kSequenceNumber, AvroValue::Long(m.sequence_number))
      .Set(F::kMinSequenceNumber, AvroValue::Long(m.min_sequence_number))
      .Set(F::kAddedSnapshotId, AvroValue::Long(m.added_snapshot_id))
      .Set(F::kAddedFilesCount, AvroValue::Int(m.added_files_count))
      .Set(F::kExistingFilesCount, AvroValue::Int(m.existing_files_count))
      .Set(F::kDeletedFilesCount, AvroValue::Int(m.deleted_files_count))
      .Set(F::kAddedRowsCount, AvroValue::Long(m.added_rows_count))
      .Set(F::kExistingRowsCount, AvroValue::Long(m.existing_rows_count))
      .Set(F::kDeletedRowsCount, AvroValue::Long(m.deleted_rows_count))
      .Set(F::kPartitions, AvroValue::Array({}))
      .Build();
}

Result<ManifestFile> ManifestFileFromAvro(const AvroSchema& schema, const AvroValue& value) {
  using F = ManifestFileField;
  FieldReader r(schema, value, "manifest list entry");
  ManifestFile m;
  AILAKE_ASSIGN_OR_RETURN(m.manifest_path, r.Str(F::kManifestPath));
  AILAKE_ASSIGN_OR_RETURN(m.manifest_length, r.Int(F::kManifestLength));
  AILAKE_ASSIGN_OR_RETURN(int64_t spec, r.Int(F::kPartitionSpecId));
  m.partition_spec_id = static_cast<int32_t>(spec);
  // content is absent in v1 manifest lists: data.
  AILAKE_ASSIGN_OR_RETURN(auto content, r.OptInt(F::kContent));
  if (content.value_or(0) < 0 || content.value_or(0) > 1) return Status::Corruption("manifest content is not 0..1");
  m.content = static_cast<ManifestContent>(content.value_or(0));
  AILAKE_ASSIGN_OR_RETURN(m.sequence_number, r.Int(F::kSequenceNumber));
  AILAKE_ASSIGN_OR_RETURN(m.min_sequence_number, r.Int(F::kMinSequenceNumber));
  AILAKE_ASSIGN_OR_RETURN(m.added_snapshot_id, r.Int(F::kAddedSnapshotId));
  AILAKE_ASSIGN_OR_RETURN(int64_t a, r.Int(F::kAddedFilesCount));
  AILAKE_ASSIGN_OR_RETURN(int64_t e, r.Int(F::kExistingFilesCount));
  AILAKE_ASSIGN_OR_RETURN(int64_t d, r.Int(F::kDeletedFilesCount));
  m.added_files_count = static_cast<int32_t>(a);
  m.existing_files_count = static_cast<int32_t>(e);
  m.deleted_files_count = static_cast<int32_t>(d);
  AILAKE_ASSIGN_OR_RETURN(m.added_rows_count, r.Int(F::kAddedRowsCount));
  AILAKE_ASSIGN_OR_RETURN(m.existing_rows_count, r.Int(F::kExistingRowsCount));
  AILAKE_ASSIGN_OR_RETURN(m.deleted_rows_count, r.Int(F::kDeletedRowsCount));
  return m;
}

Status InheritSequenceNumbers(const ManifestFile& manifest, std::vector<ManifestEntry>* entries) {
  for (auto& e : *entries) {
    if (!e.sequence_number) {
      if (e.status != EntryStatus::kAdded) {
        return Status::Corruption(manifest.manifest_path + ": a non-ADDED entry has no sequence number");
      }
      e.sequence_number = manifest.sequence_number;
    }
    if (!e.file_sequence_number) {
      if (e.status != EntryStatus::kAdded) {
        return Status::Corruption(manifest.manifest_path + ": a non-ADDED entry has no file sequence number");
      }
      e.file_sequence_number = manifest.sequence_number;
    }
    if (!e.snapshot_id) e.snapshot_id = manifest.added_snapshot_id;
  }
  return Status::OK();
}

std::string VectorStatsToJson(const VectorStatsMap& stats) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [path, cols] : stats) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& s : cols) {
      std::vector<uint8_t> raw(s.centroid.size() * 4);
      if (!raw.empty()) std::memcpy(raw.data(), s.centroid.data(), raw.size());
      static const char* kHex = "0123456789abcdef";
      std::string hex;
      hex.reserve(raw.size() * 2);
      for (uint8_t b : raw) {
        hex.push_back(kHex[b >> 4]);
        hex.push_back(kHex[b & 15]);
      }
      arr.push_back({{"column", s.column},
                     {"model", s.model},
                     {"model_version", s.model_version},
                     {"dim", s.dim},
                     {"metric", std::string(MetricName(s.metric))},
                     {"precision", std::string(PrecisionName(s.precision))},
                     {"index", std::string(IndexKindName(s.index))},
                     {"radius", s.radius},
                     {"rows_with_vector", s.rows_with_vector},
                     {"centroid_f32le_hex", hex}});
    }
    j[path] = arr;
  }
  return j.dump();
}

Result<VectorStatsMap> VectorStatsFromJson(const std::string& text, const std::string& where) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(where + ": " + kVectorStatsKey + " is not a JSON object");
  VectorStatsMap out;
  try {
    for (auto it = j.begin(); it != j.end(); ++it) {
      auto& cols = out[it.key()];
      for (const auto& c : it.value()) {
        FileVectorStats s;
        s.column = c.at("column").get<std::string>();
        s.model = c.at("model").get<std::string>();
        s.model_version = c.at("model_version").get<std::string>();
        s.dim = c.at("dim").get<uint32_t>();
        AILAKE_ASSIGN_OR_RETURN(s.metric, ParseMetric(c.at("metric").get<std::string>()));
        AILAKE_ASSIGN_OR_RETURN(s.precision, ParsePrecision(c.at("precision").get<std::string>()));
        AILAKE_ASSIGN_OR_RETURN(s.index, ParseIndexKind(c.at("index").get<std::string>()));
        s.radius = c.at("radius").get<float>();
        s.rows_with_vector = c.at("rows_with_vector").get<uint64_t>();
        const std::string hex = c.at("centroid_f32le_hex").get<std::string>();
        if (hex.size() != static_cast<size_t>(s.dim) * 8) {
          return Status::Corruption(where + ": centroid of " + it.key() + " has the wrong length");
        }
        std::vector<uint8_t> raw(hex.size() / 2);
        for (size_t i = 0; i < raw.size(); ++i) {
          auto nib = [&](char ch) -> int {
            if (ch >= '0' && ch <= '9') return ch - '0';
            if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
            return -1;
          };
          int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
          if (hi < 0 || lo < 0) return Status::Corruption(where + ": centroid hex is malformed");
          raw[i] = static_cast<uint8_t>(hi * 16 + lo);
        }
        s.centroid.resize(s.dim);
        if (s.dim) std::memcpy(s.centroid.data(), raw.data(), raw.size());
        for (float v : s.centroid)
          if (!std::isfinite(v)) return Status::Corruption(where + ": centroid has a non-finite value");
        if (!std::isfinite(s.radius) || s.radius < 0) return Status::Corruption(where + ": radius is invalid");
        cols.push_back(std::move(s));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(where + ": malformed " + std::string(kVectorStatsKey) + ": " + e.what());
  }
  return out;
}

}  // namespace ailake::iceberg
