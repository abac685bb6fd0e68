// Where a migration job's state lives in the warehouse, and reading/writing it (layout in
// migration_spec.h). All functions take the table's store key ("ns/table").
#pragma once

#include <map>
#include <string>

#include "ailake/status.h"
#include "migrate/migration_spec.h"
#include "migrate/task_record.h"
#include "store/store.h"

namespace ailake::migrate {

std::string JobFolder(const std::string& table_key, const std::string& job_id);
std::string JobDocKey(const std::string& table_key, const std::string& job_id);
std::string TaskRecordKey(const std::string& table_key, const std::string& job_id, const std::string& task_id);

Result<MigrationJobDoc> LoadJobDoc(Store& store, const std::string& table_key, const std::string& job_id);
Status SaveJobDoc(Store& store, const std::string& table_key, const MigrationJobDoc& doc);

// Every finished task of the job, keyed by source location.
Result<std::map<std::string, TaskRecord>> LoadTaskRecords(Store& store, const std::string& table_key,
                                                          const std::string& job_id);
// Publishes the record with put-if-absent: true when this call finished the task, false when a
// record already existed (another run finished it first).
Result<bool> PublishTaskRecord(Store& store, const std::string& table_key, const std::string& job_id,
                               const TaskRecord& record);

}  // namespace ailake::migrate
