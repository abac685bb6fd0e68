#include "migrate/migration_pass.h"

namespace ailake::migrate {

PassFiles ClassifyPassFiles(const TableView& view, const MigrationJobDoc& job,
                            const std::map<std::string, TaskRecord>& records) {
  PassFiles out;
  for (const auto& e : view.files.data_files) {
    const std::string& p = e.file.file_path;
    auto r = records.find(p);
    if (r != records.end()) {
      out.uncommitted.push_back(&r->second);
      ++out.done_files;
      out.done_rows += e.file.record_count;
    } else if (!view.HasNewModel(job, p)) {
      out.pending.push_back(p);
    } else {
      ++out.done_files;
      out.done_rows += e.file.record_count;
    }
    out.total_rows += e.file.record_count;
  }
  return out;
}

}  // namespace ailake::migrate
