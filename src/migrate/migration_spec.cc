#include "migrate/migration_spec.h"
#include "core/json_numbers.h"

#include <nlohmann/json.hpp>

namespace ailake::migrate {

std::string_view StrategyName(Strategy s) {
  return s == Strategy::kAtomicReplace ? "atomic-replace" : "dual-write-then-cutover";
}

Result<Strategy> ParseStrategy(std::string_view s) {
  if (s == "atomic-replace") return Strategy::kAtomicReplace;
  if (s == "dual-write-then-cutover") return Strategy::kDualWriteThenCutover;
  return Status::InvalidArgument("unknown strategy '" + std::string(s) +
                                 "': use atomic-replace or dual-write-then-cutover");
}

std::string_view NullTextPolicyName(NullTextPolicy p) {
  switch (p) {
    case NullTextPolicy::kSkip: return "skip";
    case NullTextPolicy::kEmpty: return "empty";
    case NullTextPolicy::kFail: return "fail";
  }
  return "skip";
}

Result<NullTextPolicy> ParseNullTextPolicy(std::string_view s) {
  if (s == "skip") return NullTextPolicy::kSkip;
  if (s == "empty") return NullTextPolicy::kEmpty;
  if (s == "fail") return NullTextPolicy::kFail;
  return Status::InvalidArgument("unknown null-text policy '" + std::string(s) + "': use skip, empty or fail");
}

std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kRunning: return "running";
    case JobState::kStopped: return "stopped";
    case JobState::kFinished: return "finished";
    case JobState::kAborted: return "aborted";
  }
  return "running";
}

namespace {

nlohmann::json ModelToJson(const EmbeddingModelInfo& m) {
  return {{"name", m.name}, {"version", m.version}, {"dim", m.dim}, {"metric", std::string(MetricName(m.metric))},
          {"normalized", m.normalized}};
}

Result<EmbeddingModelInfo> ModelFromJson(const nlohmann::json& j) {
  EmbeddingModelInfo m;
  m.name = j.at("name").get<std::string>();
  m.version = j.at("version").get<std::string>();
  m.dim = j.at("dim").get<uint32_t>();
  AILAKE_ASSIGN_OR_RETURN(m.metric, ParseMetric(j.at("metric").get<std::string>()));
  m.normalized = j.at("normalized").get<bool>();
  return m;
}

}  // namespace

std::string MigrationJobDoc::ToJson() const {
  const MigrationOptions& o = options;
  nlohmann::ordered_json j;
  j["format"] = "ailake-migration-job/1";
  j["job_id"] = job_id;
  j["table"] = table;
  j["state"] = std::string(JobStateName(state));
  j["created_ms"] = created_ms;
  j["finished_ms"] = finished_ms;
  j["base_snapshot_id"] = base_snapshot_id;
  j["base_schema_id"] = base_schema_id;
  j["strategy"] = std::string(StrategyName(o.strategy));
  j["embedder"] = o.embedder_spec;
  j["old_column"] = o.old_column;
  j["new_column"] = o.new_column;
  j["text_column"] = o.text_column;
  j["keep_old_column"] = o.keep_old_column;
  j["batch_size"] = o.batch_size;
  j["concurrency"] = o.concurrency;
  j["file_parallelism"] = o.file_parallelism;
  j["null_text"] = std::string(NullTextPolicyName(o.null_text));
  j["embed_timeout_ms"] = o.embed_timeout_ms;
  j["embed_retries"] = o.embed_retries;
  j["old_model"] = ModelToJson(old_model);
  j["old_precision"] = std::string(PrecisionName(old_precision));
  j["old_field_id"] = old_field_id;
  j["new_model"] = ModelToJson(o.new_model);
  j["new_field_id"] = new_field_id;
  j["new_policy"] = {{"precision", std::string(PrecisionName(new_policy.precision))},
                     {"index", std::string(IndexKindName(new_policy.index))},
                     {"hnsw_m", new_policy.hnsw_m},
                     {"hnsw_ef_construction", new_policy.hnsw_ef_construction},
                     {"hnsw_seed", new_policy.hnsw_seed}};
  j["staging_prefix"] = staging_prefix;
  j["rolled_back"] = rolled_back;
  if (!unrecorded_embed.empty()) j["unrecorded_embed"] = unrecorded_embed.ToJson();
  return j.dump(2);
}

Result<MigrationJobDoc> MigrationJobDoc::FromJson(const std::string& text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(where + ": migration job document is not JSON");
  AILAKE_RETURN_IF_ERROR(CheckJsonNumbersCastable(j, where));
  try {
    if (j.at("format").get<std::string>() != "ailake-migration-job/1") {
      return Status::NotSupported(where + ": unknown migration job format " + j.at("format").dump());
    }
    MigrationJobDoc d;
    MigrationOptions& o = d.options;
    d.job_id = j.at("job_id").get<std::string>();
    d.table = j.at("table").get<std::string>();
    const std::string state = j.at("state").get<std::string>();
    if (state == "finished" || state == "committed") {
      d.state = JobState::kFinished;
    } else if (state == "aborted") {
      d.state = JobState::kAborted;
    } else if (state == "stopped") {
      d.state = JobState::kStopped;
    } else if (state == "running") {
      d.state = JobState::kRunning;
    } else {
      return Status::Corruption(where + ": unknown job state '" + state + "'");
    }
    d.created_ms = j.at("created_ms").get<int64_t>();
    d.finished_ms = j.at("finished_ms").get<int64_t>();
    d.base_snapshot_id = j.at("base_snapshot_id").get<int64_t>();
    d.base_schema_id = j.at("base_schema_id").get<int>();
    AILAKE_ASSIGN_OR_RETURN(o.strategy, ParseStrategy(j.at("strategy").get<std::string>()));
    o.embedder_spec = j.at("embedder").get<std::string>();
    o.old_column = j.at("old_column").get<std::string>();
    o.new_column = j.at("new_column").get<std::string>();
    o.text_column = j.at("text_column").get<std::string>();
    o.keep_old_column = j.at("keep_old_column").get<bool>();
    o.batch_size = j.at("batch_size").get<size_t>();
    o.concurrency = j.at("concurrency").get<size_t>();
    o.file_parallelism = j.at("file_parallelism").get<size_t>();
    AILAKE_ASSIGN_OR_RETURN(o.null_text, ParseNullTextPolicy(j.at("null_text").get<std::string>()));
    o.embed_timeout_ms = j.at("embed_timeout_ms").get<int>();
    o.embed_retries = j.at("embed_retries").get<int>();
    AILAKE_ASSIGN_OR_RETURN(d.old_model, ModelFromJson(j.at("old_model")));
    AILAKE_ASSIGN_OR_RETURN(d.old_precision, ParsePrecision(j.at("old_precision").get<std::string>()));
    d.old_field_id = j.at("old_field_id").get<int32_t>();
    AILAKE_ASSIGN_OR_RETURN(o.new_model, ModelFromJson(j.at("new_model")));
    o.new_metric = o.new_model.metric;
    d.new_field_id = j.at("new_field_id").get<int32_t>();
    const auto& p = j.at("new_policy");
    AILAKE_ASSIGN_OR_RETURN(d.new_policy.precision, ParsePrecision(p.at("precision").get<std::string>()));
    o.new_precision = d.new_policy.precision;
    AILAKE_ASSIGN_OR_RETURN(d.new_policy.index, ParseIndexKind(p.at("index").get<std::string>()));
    d.new_policy.hnsw_m = p.at("hnsw_m").get<uint32_t>();
    d.new_policy.hnsw_ef_construction = p.at("hnsw_ef_construction").get<uint32_t>();
    d.new_policy.hnsw_seed = p.at("hnsw_seed").get<uint64_t>();
    d.staging_prefix = j.at("staging_prefix").get<std::string>();
    d.rolled_back = j.value("rolled_back", false);
    if (auto e = j.find("unrecorded_embed"); e != j.end()) {
      AILAKE_ASSIGN_OR_RETURN(d.unrecorded_embed, EmbedCallStats::FromJson(*e, where));
    }
    if (o.batch_size == 0 || o.concurrency == 0 || o.file_parallelism == 0 || o.new_model.dim == 0 ||
        o.new_model.dim > 65536 || d.new_field_id <= 0) {
      return Status::Corruption(where + ": migration job document has out-of-range settings");
    }
    return d;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(where + ": migration job document is malformed: " + e.what());
  }
}

}  // namespace ailake::migrate
