// Where a migration job's state lives in the warehouse, and reading/writing it (layout in
// migration_spec.h). All functions take the table's store key ("ns/table").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"
#include "store/store.h"

namespace ailake::migrate {

// Every key and prefix below is built from a job id that was checked by ValidateJobId first (ids
// come from a table property and from folder names: untrusted).
std::string JobFolder(const std::string& table_key, const std::string& job_id);
// The one folder a job may stage into, read from and delete in: "T/data/migrate-J/".
std::string StagingPrefix(const std::string& table_key, const std::string& job_id);
// A job id is a lower-case UUID (8-4-4-4-12 hex digits): it cannot name another folder.
Status ValidateJobId(const std::string& job_id);
// Every job of the table that has a readable job document (running, stopped, aborted, finished),
// oldest first. Folders with a malformed id or document are reported in *problems (when given).
Result<std::vector<MigrationJobDoc>> ListJobDocs(Store& store, const std::string& table_key,
                                                 std::vector<std::string>* problems = nullptr);
std::string JobDocKey(const std::string& table_key, const std::string& job_id);
std::string TaskRecordKey(const std::string& table_key, const std::string& job_id, const std::string& task_id);

// Loads and checks the job document: its job id is `job_id` and its staging_prefix is exactly
// StagingPrefix(table_key, job_id) (an empty or foreign prefix is Corruption naming it).
Result<MigrationJobDoc> LoadJobDoc(Store& store, const std::string& table_key, const std::string& job_id);
Status SaveJobDoc(Store& store, const std::string& table_key, const MigrationJobDoc& doc);

// Every finished task of the job, keyed by source location. Each record is checked before use: its
// task id is TaskId(source) and its file name, and its output is a direct child of the job's staging
// folder (a record naming any other file is Corruption, so it is never committed, read or deleted).
Result<std::map<std::string, TaskRecord>> LoadTaskRecords(Store& store, const std::string& table_key,
                                                          const std::string& job_id);
// Publishes the record with put-if-absent: true when this call finished the task, false when a
// record already existed (another run finished it first).
Result<bool> PublishTaskRecord(Store& store, const std::string& table_key, const std::string& job_id,
                               const TaskRecord& record);

}  // namespace ailake::migrate
