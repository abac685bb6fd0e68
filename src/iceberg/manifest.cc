#include "iceberg/manifest.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

namespace ailake::iceberg {

namespace {

// Iceberg's Avro form of map<int, T>: array of {key, value} records tagged logicalType "map".
std::string IntMap(const char* name, int id, int key_id, int value_id, const char* value_type) {
  return std::string(R"({"name":")") + name + R"(","type":["null",{"type":"array","logicalType":"map","items":{"type":"record","name":"k)" +
         std::to_string(key_id) + "_v" + std::to_string(value_id) + R"(","fields":[{"name":"key","type":"int","field-id":)" +
         std::to_string(key_id) + R"(},{"name":"value","type":")" + value_type + R"(","field-id":)" + std::to_string(value_id) +
         R"(}]}}],"default":null,"field-id":)" + std::to_string(id) + "}";
}

const std::string& EntrySchemaJson() {
  static const std::string s =
      R"({"type":"record","name":"manifest_entry","fields":[)"
      R"({"name":"status","type":"int","field-id":0},)"
      R"({"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},)"
      R"({"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},)"
      R"({"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},)"
      R"({"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[)"
      R"({"name":"content","type":"int","field-id":134},)"
      R"({"name":"file_path","type":"string","field-id":100},)"
      R"({"name":"file_format","type":"string","field-id":101},)"
      R"({"name":"partition","type":{"type":"record","name":"r102","fields":[]},"field-id":102},)"
      R"({"name":"record_count","type":"long","field-id":103},)"
      R"({"name":"file_size_in_bytes","type":"long","field-id":104},)" +
      IntMap("column_sizes", 108, 117, 118, "long") + "," + IntMap("value_counts", 109, 119, 120, "long") + "," +
      IntMap("null_value_counts", 110, 121, 122, "long") + "," + IntMap("nan_value_counts", 137, 138, 139, "long") + "," +
      IntMap("lower_bounds", 125, 126, 127, "bytes") + "," + IntMap("upper_bounds", 128, 129, 130, "bytes") + "," +
      R"({"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":131},)"
      R"({"name":"split_offsets","type":["null",{"type":"array","items":"long","element-id":133}],"default":null,"field-id":132},)"
      R"({"name":"equality_ids","type":["null",{"type":"array","items":"int","element-id":136}],"default":null,"field-id":135},)"
      R"({"name":"sort_order_id","type":["null","int"],"default":null,"field-id":140})"
      R"(]}}]})";
  return s;
}

const std::string& ListSchemaJson() {
  static const std::string s =
      R"({"type":"record","name":"manifest_file","fields":[)"
      R"({"name":"manifest_path","type":"string","field-id":500},)"
      R"({"name":"manifest_length","type":"long","field-id":501},)"
      R"({"name":"partition_spec_id","type":"int","field-id":502},)"
      R"({"name":"content","type":"int","field-id":517},)"
      R"({"name":"sequence_number","type":"long","field-id":515},)"
      R"({"name":"min_sequence_number","type":"long","field-id":516},)"
      R"({"name":"added_snapshot_id","type":"long","field-id":503},)"
      R"({"name":"added_files_count","type":"int","field-id":504},)"
      R"({"name":"existing_files_count","type":"int","field-id":505},)"
      R"({"name":"deleted_files_count","type":"int","field-id":506},)"
      R"({"name":"added_rows_count","type":"long","field-id":512},)"
      R"({"name":"existing_rows_count","type":"long","field-id":513},)"
      R"({"name":"deleted_rows_count","type":"long","field-id":514},)"
      R"({"name":"partitions","type":["null",{"type":"array","element-id":508,"items":{"type":"record","name":"r508","fields":[)"
      R"({"name":"contains_null","type":"boolean","field-id":509},)"
      R"({"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},)"
      R"({"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},)"
      R"({"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]}}],"default":null,"field-id":507},)"
      R"({"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":519})"
      R"(]})";
  return s;
}

AvroSchemaPtr ParseOrDie(const std::string& json) {
  auto s = AvroSchema::Parse(json);
  // The schemas above are constants checked by manifest_test; a parse failure is a build bug.
  return s.ok() ? *s : nullptr;
}

AvroValue OptLong(const std::optional<int64_t>& v) { return v ? AvroValue::Long(*v) : AvroValue::Null(); }

template <typename T, typename Conv>
AvroValue OptMap(const std::map<int32_t, T>& m, Conv conv) {
  if (m.empty()) return AvroValue::Null();
  AvroValue::List items;
  for (const auto& [k, v] : m) items.push_back(AvroValue::Record({AvroValue::Int(k), conv(v)}));
  return AvroValue::Array(std::move(items));
}

// Field access by id with kind checks (input is untrusted).
struct Reader {
  const AvroSchema& schema;
  const AvroValue& value;
  const std::string where;

  const AvroValue* Get(int id) const { return value.FieldById(schema, id); }
  const AvroSchema* SchemaOf(int id) const {
    int i = schema.FieldIndexById(id);
    if (i < 0) return nullptr;
    const AvroSchema* s = schema.fields[static_cast<size_t>(i)].type.get();
    if (s->type == AvroType::kUnion) {
      int b = s->NullableBranch();
      return b < 0 ? nullptr : s->branches[static_cast<size_t>(b)].get();
    }
    return s;
  }
  Result<int64_t> Int(int id, const char* name) const {
    const AvroValue* v = Get(id);
    int64_t out;
    if (!v || !v->GetInteger(&out)) return Status::Corruption(where + ": field " + name + " is missing or not an integer");
    return out;
  }
  Result<std::optional<int64_t>> OptInt(int id) const {
    const AvroValue* v = Get(id);
    if (!v || v->is_null()) return std::optional<int64_t>();
    int64_t out;
    if (!v->GetInteger(&out)) return Status::Corruption(where + ": field " + std::to_string(id) + " is not an integer");
    return std::optional<int64_t>(out);
  }
  Result<std::string> Str(int id, const char* name) const {
    const AvroValue* v = Get(id);
    if (!v || v->kind() != AvroValueKind::kString) return Status::Corruption(where + ": field " + name + " is missing or not a string");
    return v->string();
  }
  // map<int, long|bytes> in Iceberg's array-of-records form.
  template <typename T>
  Status IntMap(int id, std::map<int32_t, T>* out) const {
    const AvroValue* v = Get(id);
    if (!v || v->is_null()) return Status::OK();
    const AvroSchema* s = SchemaOf(id);
    if (v->kind() != AvroValueKind::kArray || !s || s->type != AvroType::kArray || !s->items ||
        s->items->type != AvroType::kRecord) {
      return Status::Corruption(where + ": map field " + std::to_string(id) + " is not an array of key/value records");
    }
    for (const auto& item : v->items()) {
      const AvroValue* k = item.Field(*s->items, "key");
      const AvroValue* val = item.Field(*s->items, "value");
      int64_t key;
      if (!k || !val || !k->GetInteger(&key)) return Status::Corruption(where + ": bad map entry in field " + std::to_string(id));
      if constexpr (std::is_same_v<T, int64_t>) {
        int64_t x;
        if (!val->GetInteger(&x)) return Status::Corruption(where + ": bad map value in field " + std::to_string(id));
        (*out)[static_cast<int32_t>(key)] = x;
      } else {
        if (val->kind() != AvroValueKind::kBytes) return Status::Corruption(where + ": bad bound in field " + std::to_string(id));
        (*out)[static_cast<int32_t>(key)] = val->bytes();
      }
    }
    return Status::OK();
  }
};

}  // namespace

AvroSchemaPtr ManifestEntrySchema() {
  static const AvroSchemaPtr s = ParseOrDie(EntrySchemaJson());
  return s;
}

AvroSchemaPtr ManifestListSchema() {
  static const AvroSchemaPtr s = ParseOrDie(ListSchemaJson());
  return s;
}

AvroValue EntryToAvro(const ManifestEntry& e) {
  const DataFile& f = e.file;
  auto long_value = [](int64_t v) { return AvroValue::Long(v); };
  auto bytes_value = [](const std::vector<uint8_t>& v) { return AvroValue::BytesValue(v); };
  AvroValue::List split;
  for (int64_t o : f.split_offsets) split.push_back(AvroValue::Long(o));
  AvroValue data_file = AvroValue::Record({
      AvroValue::Int(static_cast<int32_t>(f.content)),
      AvroValue::String(f.file_path),
      AvroValue::String(f.file_format),
      AvroValue::Record({}),
      AvroValue::Long(f.record_count),
      AvroValue::Long(f.file_size_in_bytes),
      OptMap(f.column_sizes, long_value),
      OptMap(f.value_counts, long_value),
      OptMap(f.null_value_counts, long_value),
      OptMap(f.nan_value_counts, long_value),
      OptMap(f.lower_bounds, bytes_value),
      OptMap(f.upper_bounds, bytes_value),
      AvroValue::Null(),  // key_metadata: the encryption slot, never used for our stats
      split.empty() ? AvroValue::Null() : AvroValue::Array(std::move(split)),
      AvroValue::Null(),
      f.sort_order_id ? AvroValue::Int(*f.sort_order_id) : AvroValue::Null(),
  });
  return AvroValue::Record({AvroValue::Int(static_cast<int32_t>(e.status)), OptLong(e.snapshot_id),
                            OptLong(e.sequence_number), OptLong(e.file_sequence_number), std::move(data_file)});
}

Result<ManifestEntry> EntryFromAvro(const AvroSchema& schema, const AvroValue& value) {
  Reader r{schema, value, "manifest entry"};
  ManifestEntry e;
  AILAKE_ASSIGN_OR_RETURN(int64_t status, r.Int(0, "status"));
  if (status < 0 || status > 2) return Status::Corruption("manifest entry status " + std::to_string(status) + " is not 0..2");
  e.status = static_cast<EntryStatus>(status);
  AILAKE_ASSIGN_OR_RETURN(e.snapshot_id, r.OptInt(1));
  AILAKE_ASSIGN_OR_RETURN(e.sequence_number, r.OptInt(3));
  AILAKE_ASSIGN_OR_RETURN(e.file_sequence_number, r.OptInt(4));
  const AvroValue* df = r.Get(2);
  const AvroSchema* df_schema = r.SchemaOf(2);
  if (!df || df->kind() != AvroValueKind::kRecord || !df_schema || df_schema->type != AvroType::kRecord) {
    return Status::Corruption("manifest entry has no data_file record");
  }
  Reader d{*df_schema, *df, "manifest data_file"};
  AILAKE_ASSIGN_OR_RETURN(auto content, d.OptInt(134));
  int64_t c = content.value_or(0);
  if (c < 0 || c > 2) return Status::Corruption("data_file content " + std::to_string(c) + " is not 0..2");
  e.file.content = static_cast<FileContent>(c);
  AILAKE_ASSIGN_OR_RETURN(e.file.file_path, d.Str(100, "file_path"));
  AILAKE_ASSIGN_OR_RETURN(e.file.file_format, d.Str(101, "file_format"));
  AILAKE_ASSIGN_OR_RETURN(e.file.record_count, d.Int(103, "record_count"));
  AILAKE_ASSIGN_OR_RETURN(e.file.file_size_in_bytes, d.Int(104, "file_size_in_bytes"));
  if (e.file.record_count < 0 || e.file.file_size_in_bytes < 0) return Status::Corruption("data_file has negative counts");
  AILAKE_RETURN_IF_ERROR(d.IntMap(108, &e.file.column_sizes));
  AILAKE_RETURN_IF_ERROR(d.IntMap(109, &e.file.value_counts));
  AILAKE_RETURN_IF_ERROR(d.IntMap(110, &e.file.null_value_counts));
  AILAKE_RETURN_IF_ERROR(d.IntMap(137, &e.file.nan_value_counts));
  AILAKE_RETURN_IF_ERROR(d.IntMap(125, &e.file.lower_bounds));
  AILAKE_RETURN_IF_ERROR(d.IntMap(128, &e.file.upper_bounds));
  if (const AvroValue* so = d.Get(132); so && so->kind() == AvroValueKind::kArray) {
    for (const auto& x : so->items()) {
      int64_t v;
      if (!x.GetInteger(&v)) return Status::Corruption("split_offsets holds a non-integer");
      e.file.split_offsets.push_back(v);
    }
  }
  AILAKE_ASSIGN_OR_RETURN(auto sort_order, d.OptInt(140));
  if (sort_order) e.file.sort_order_id = static_cast<int32_t>(*sort_order);
  return e;
}

AvroValue ManifestFileToAvro(const ManifestFile& m) {
  return AvroValue::Record({
      AvroValue::String(m.manifest_path), AvroValue::Long(m.manifest_length), AvroValue::Int(m.partition_spec_id),
      AvroValue::Int(static_cast<int32_t>(m.content)), AvroValue::Long(m.sequence_number),
      AvroValue::Long(m.min_sequence_number), AvroValue::Long(m.added_snapshot_id), AvroValue::Int(m.added_files_count),
      AvroValue::Int(m.existing_files_count), AvroValue::Int(m.deleted_files_count), AvroValue::Long(m.added_rows_count),
      AvroValue::Long(m.existing_rows_count), AvroValue::Long(m.deleted_rows_count), AvroValue::Array({}),
      AvroValue::Null(),
  });
}

Result<ManifestFile> ManifestFileFromAvro(const AvroSchema& schema, const AvroValue& value) {
  Reader r{schema, value, "manifest list entry"};
  ManifestFile m;
  AILAKE_ASSIGN_OR_RETURN(m.manifest_path, r.Str(500, "manifest_path"));
  AILAKE_ASSIGN_OR_RETURN(m.manifest_length, r.Int(501, "manifest_length"));
  AILAKE_ASSIGN_OR_RETURN(int64_t spec, r.Int(502, "partition_spec_id"));
  m.partition_spec_id = static_cast<int32_t>(spec);
  AILAKE_ASSIGN_OR_RETURN(auto content, r.OptInt(517));
  if (content.value_or(0) < 0 || content.value_or(0) > 1) return Status::Corruption("manifest content is not 0..1");
  m.content = static_cast<ManifestContent>(content.value_or(0));
  AILAKE_ASSIGN_OR_RETURN(m.sequence_number, r.Int(515, "sequence_number"));
  AILAKE_ASSIGN_OR_RETURN(m.min_sequence_number, r.Int(516, "min_sequence_number"));
  AILAKE_ASSIGN_OR_RETURN(m.added_snapshot_id, r.Int(503, "added_snapshot_id"));
  AILAKE_ASSIGN_OR_RETURN(int64_t a, r.Int(504, "added_files_count"));
  AILAKE_ASSIGN_OR_RETURN(int64_t e, r.Int(505, "existing_files_count"));
  AILAKE_ASSIGN_OR_RETURN(int64_t d, r.Int(506, "deleted_files_count"));
  m.added_files_count = static_cast<int32_t>(a);
  m.existing_files_count = static_cast<int32_t>(e);
  m.deleted_files_count = static_cast<int32_t>(d);
  AILAKE_ASSIGN_OR_RETURN(m.added_rows_count, r.Int(512, "added_rows_count"));
  AILAKE_ASSIGN_OR_RETURN(m.existing_rows_count, r.Int(513, "existing_rows_count"));
  AILAKE_ASSIGN_OR_RETURN(m.deleted_rows_count, r.Int(514, "deleted_rows_count"));
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
