#include "migrate/job_store.h"

namespace ailake::migrate {

std::string JobFolder(const std::string& table_key, const std::string& job_id) {
  return table_key + "/metadata/migrations/" + job_id + "/";
}

std::string JobDocKey(const std::string& table_key, const std::string& job_id) {
  return JobFolder(table_key, job_id) + "job.json";
}

std::string TaskRecordKey(const std::string& table_key, const std::string& job_id, const std::string& task_id) {
  return JobFolder(table_key, job_id) + "tasks/" + task_id + ".json";
}

Result<MigrationJobDoc> LoadJobDoc(Store& store, const std::string& table_key, const std::string& job_id) {
  const std::string key = JobDocKey(table_key, job_id);
  auto text = store.GetString(key, 1 << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return Status::Corruption("migration job " + job_id + " is named by the table but its document " + key +
                                " is missing; run 'ailake migrate abort' to clear it");
    }
    return text.status();
  }
  return MigrationJobDoc::FromJson(*text, key);
}

Status SaveJobDoc(Store& store, const std::string& table_key, const MigrationJobDoc& doc) {
  return store.Put(JobDocKey(table_key, doc.job_id), doc.ToJson());
}

Result<std::map<std::string, TaskRecord>> LoadTaskRecords(Store& store, const std::string& table_key,
                                                          const std::string& job_id) {
  std::map<std::string, TaskRecord> out;
  const std::string prefix = JobFolder(table_key, job_id) + "tasks/";
  AILAKE_ASSIGN_OR_RETURN(auto objects, store.List(prefix));
  for (const auto& o : objects) {
    if (o.key.size() < 5 || o.key.compare(o.key.size() - 5, 5, ".json") != 0) continue;
    AILAKE_ASSIGN_OR_RETURN(std::string text, store.GetString(o.key, 256u << 20));
    AILAKE_ASSIGN_OR_RETURN(TaskRecord r, TaskRecord::FromJson(text, o.key));
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
