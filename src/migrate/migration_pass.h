// One pass of a migration run over the table's live data files: which are finished tasks not yet
// committed, which still need a task, and how much is done. The first pass rewrites the files of the
// job's base snapshot; every later pass is a catch-up pass over files appended meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "migrate/migration_spec.h"
#include "migrate/table_view.h"
#include "migrate/task_record.h"

namespace ailake::migrate {

struct PassFiles {
  std::vector<const TaskRecord*> uncommitted;  // live sources whose task has a record (into `records`)
  std::vector<std::string> pending;            // live sources without a record and without the new model
  size_t done_files = 0;                       // sources with a record, plus files holding the new model
  int64_t done_rows = 0;
  int64_t total_rows = 0;
};

// `records`: the job's task records by source location; must outlive the result.
PassFiles ClassifyPassFiles(const TableView& view, const MigrationJobDoc& job,
                            const std::map<std::string, TaskRecord>& records);

}  // namespace ailake::migrate
