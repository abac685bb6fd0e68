#include "migrate/job_store.h"

#include <algorithm>

namespace ailake::migrate {

std::string JobFolder(const std::string& table_key, const std::string& job_id) {
  return table_key + "/metadata/migrations/" + job_id + "/";
}

std::string StagingPrefix(const std::string& table_key, const std::string& job_id) {
  return table_key + "/data/migrate-" + job_id + "/";
}

Status ValidateJobId(const std::string& job_id) {
  bool ok = job_id.size() == 36;
  for (size_t i = 0; ok && i < job_id.size(); ++i) {
    const char c = job_id[i];
    ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  if (ok) return Status::OK();
  std::string shown = job_id.substr(0, 80);
  return Status::Corruption("'" + shown + "' is not a migration job id (a lower-case UUID); refusing to use it as a path");
}

std::string JobDocKey(const std::string& table_key, const std::string& job_id) {
  return JobFolder(table_key, job_id) + "job.json";
}

std::string TaskRecordKey(const std::string& table_key, const std::string& job_id, const std::string& task_id) {
  return JobFolder(table_key, job_id) + "tasks/" + task_id + ".json";
}

Result<MigrationJobDoc> LoadJobDoc(Store& store, const std::string& table_key, const std::string& job_id) {
  AILAKE_RETURN_IF_ERROR(ValidateJobId(job_id));
  const std::string key = JobDocKey(table_key, job_id);
  auto text = store.GetString(key, 1 << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return Status::Corruption("migration job " + job_id + " is named by the table but its document " + key +
                                " is missing; run 'ailake migrate abort' to clear it");
    }
    return text.status();
  }
  AILAKE_ASSIGN_OR_RETURN(MigrationJobDoc doc, MigrationJobDoc::FromJson(*text, key));
  if (doc.job_id != job_id) {
    return Status::Corruption(key + " names job '" + doc.job_id.substr(0, 80) + "', not " + job_id);
  }
  const std::string staging = StagingPrefix(table_key, job_id);
  if (doc.staging_prefix != staging) {
    return Status::Corruption(key + " names staging_prefix '" + doc.staging_prefix.substr(0, 200) +
                              "', which is not this job's staging folder '" + staging +
                              "'; refusing to read or delete anything there (restore the document or abort the job)");
  }
  return doc;
}

Result<std::vector<MigrationJobDoc>> ListJobDocs(Store& store, const std::string& table_key,
                                                 std::vector<std::string>* problems) {
  const std::string prefix = table_key + "/metadata/migrations/";
  AILAKE_ASSIGN_OR_RETURN(auto objects, store.List(prefix));
  std::vector<MigrationJobDoc> out;
  for (const auto& o : objects) {
    const std::string rest = o.key.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string::npos || rest.substr(slash) != "/job.json") continue;
    const std::string id = rest.substr(0, slash);
    auto doc = ValidateJobId(id).ok() ? LoadJobDoc(store, table_key, id) : Result<MigrationJobDoc>(ValidateJobId(id));
    if (!doc.ok()) {
      if (problems) problems->push_back(doc.status().message());
      continue;
    }
    out.push_back(std::move(*doc));
  }
  std::sort(out.begin(), out.end(), [](const MigrationJobDoc& a, const MigrationJobDoc& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.job_id < b.job_id;
  });
  return out;
}

Status SaveJobDoc(Store& store, const std::string& table_key, const MigrationJobDoc& doc) {
  return store.Put(JobDocKey(table_key, doc.job_id), doc.ToJson());
}

Result<std::map<std::string, TaskRecord>> LoadTaskRecords(Store& store, const std::string& table_key,
                                                          const std::string& job_id) {
  std::map<std::string, TaskRecord> out;
  AILAKE_RETURN_IF_ERROR(ValidateJobId(job_id));
  const std::string prefix = JobFolder(table_key, job_id) + "tasks/";
  const std::string staging = StagingPrefix(table_key, job_id);
  AILAKE_ASSIGN_OR_RETURN(auto objects, store.List(prefix));
  for (const auto& o : objects) {
    if (o.key.size() < 5 || o.key.compare(o.key.size() - 5, 5, ".json") != 0) continue;
    AILAKE_ASSIGN_OR_RETURN(std::string text, store.GetString(o.key, 256u << 20));
    AILAKE_ASSIGN_OR_RETURN(TaskRecord r, TaskRecord::FromJson(text, o.key));
    const std::string name = o.key.substr(prefix.size());
    if (r.task_id != TaskId(r.source) || name != r.task_id + ".json") {
      return Status::Corruption(o.key + ": task record does not belong to its source file (task id '" +
                                r.task_id.substr(0, 40) + "')");
    }
    const std::string rest = r.output_key.rfind(staging, 0) == 0 ? r.output_key.substr(staging.size()) : "";
    if (rest.empty() || rest.find('/') != std::string::npos || !rest.ends_with(".parquet") ||
        !ValidateKey(r.output_key).ok() || !r.output.ends_with("/" + r.output_key)) {
      return Status::Corruption(o.key + ": task output '" + r.output_key.substr(0, 200) +
                                "' is not a file of this job's staging folder '" + staging + "'; refusing to use it");
    }
    out[r.source] = std::move(r);
  }
  return out;
}

Result<bool> PublishTaskRecord(Store& store, const std::string& table_key, const std::string& job_id,
                               const TaskRecord& record) {
  Status st = store.PutIfAbsent(TaskRecordKey(table_key, job_id, record.task_id), record.ToJson());
  if (st.ok()) return true;
  if (st.code() == StatusCode::kAlreadyExists) return false;
  return st;
}

}  // namespace ailake::migrate
